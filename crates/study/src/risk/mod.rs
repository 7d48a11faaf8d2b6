//! Monte Carlo risk from the face to the debt cover: every iteration draws its inputs
//! (Latin hypercube or plain Monte Carlo, rank-correlated by Iman–Conover), a metal price
//! path per product, simulates the mine and values it with the finance model **with the
//! debt sized once on the banking case and held fixed** (an iteration never re-sizes or
//! re-sculpts the debt), and records the lenders' outputs.
//!
//! **Fast path.** A full-DES life of mine costs seconds; an iteration must cost
//! milliseconds. The mine is composed instead from a pool of section shifts simulated once
//! per distinct seam height at the base inputs ([`mine::schedule::ShiftPool`]), scaled by a
//! productivity factor measured with the DES at the iteration's drawn section inputs
//! (`probe_days` of simulation against the same days at the base inputs, with common
//! random numbers: the ratio cancels most of the short run's noise). The calendar walk,
//! panels, stockpile, open pit and plant are the full model at the drawn inputs. `--exact`
//! runs the full DES life of mine in every iteration instead. The fast path is validated
//! against the full DES in `tests/risk.rs` and by `manto risk --validate`.
//!
//! **Determinism.** The design (all iterations' input draws) is a function of (seed,
//! iterations); iteration `i` draws its price shocks and mine streams from keys under
//! (seed, i) only. Results are gathered in index order: any thread count or split into
//! shards gives the same bytes. [`iterations`] evaluates any set of indices;
//! [`summarise`] is a pure function of the records in index order.
#![allow(clippy::needless_range_loop)] // matrix code reads best with indices

mod config;
mod prices;
mod sample;
mod summary;

pub use config::{
    parse_path, CaseKey, Correlation, How, Precision, RiskConfig, RiskInput, Seg, Target,
    MAX_INPUTS, MAX_ITERATIONS,
};
pub use prices::{PriceProcess, Process, PRODUCTS};
pub use sample::{
    cholesky, correlation_problem, iman_conover, pearson_target, percentile_sorted, ranks,
    spearman, spearman_to_pearson, uniforms, Sampling,
};
pub use summary::{
    price_average_label, price_deck_label, summarise, summarise_with, Convergence, FanYear,
    Histogram, InputSummary, OutputStats, Probability, RankCorrelation, RiskResult, SCurve,
    Sensitivity, SensitivityEntry, Tornado, TornadoBar,
};

use crate::error::StudyError;
use crate::scenario::Scenario;
use crate::{production, Progress};
pub(crate) use config::validate_correlation;
use config::{get, get_mut, is_thickness, price_key};
use des::StreamKey;
use finance::cases::CaseSpec;
use finance::config::ProductionSource;
use finance::{FinanceResult, ProductionProfile, SizedDebt};
use mine::ground::Prepared;
use mine::schedule::{mean_dry_t, PooledShifts, ShiftPool};
use mine::section::{simulate_in, RunSpec, ShiftTally};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;

/// Domain tag of the risk study's streams: `StreamKey::root(seed).child(RISK_STREAMS)`,
/// then 0 the design (input j: `.child(0).child(j)`; Iman–Conover scores `.child(1)`),
/// 1 iteration i's price shocks (`.child(1).child(i)`), 2 the shift pool (per seam
/// height), 3 the DES runs of the productivity surface (per design point), 5 the surface's
/// design (per variable).
pub const RISK_STREAMS: u64 = 0x715C_0001;

/// The scenario `manto risk` runs when none is named.
pub const DEFAULT_SCENARIO: &str = "boleo-risk";

/// CPU seconds of one fast-path iteration of the bundled study (draws, the emulated mine,
/// the finance model and its record) on an idle machine: the difference of
/// `manto risk --iterations N --threads 1` for two N (docs/risk.md#cost; 2.5 times more on
/// a machine shared with other builds).
pub const FAST_SECONDS_PER_ITERATION: f64 = 2.0e-3;

/// Memory one iteration holds until the summary (its record and its share of the
/// statistics), bytes: the difference of the largest resident sizes of the same two runs
/// (2.8 KB), rounded up.
pub const BYTES_PER_ITERATION: f64 = 3072.0;

/// The trial index the deterministic runs (base and tornado) use for the mine's streams.
pub const TORNADO_TRIAL: u64 = u64::MAX;

/// Output names, in record order: NPV after tax at each of the scenario's rates, then
/// [`FIXED_OUTPUTS`].
pub fn output_names(doc: &toml::Value) -> Vec<String> {
    let rates: Vec<f64> = get(
        doc,
        &[
            Seg::Key("finance".into()),
            Seg::Key("metrics".into()),
            Seg::Key("discount_rates_pct".into()),
        ],
    )
    .and_then(|v| v.as_array())
    .map(|a| {
        a.iter()
            .filter_map(|x| x.as_float().or(x.as_integer().map(|i| i as f64)))
            .collect()
    })
    .unwrap_or_default();
    rates
        .iter()
        .map(|r| npv_name(*r))
        .chain(FIXED_OUTPUTS.iter().map(|(n, _)| n.to_string()))
        .collect()
}

fn npv_name(rate_pct: f64) -> String {
    format!("npv{}_usd", des::input::fmt_num(rate_pct).replace(',', ""))
}

/// The outputs recorded after the NPVs, with what each is.
pub const FIXED_OUTPUTS: [(&str, &str); 19] = [
    ("project_irr_pct", "project IRR after tax, %"),
    ("equity_irr_pct", "equity IRR, %"),
    ("min_dscr", "minimum senior DSCR"),
    ("avg_dscr", "average senior DSCR"),
    ("min_llcr", "minimum LLCR"),
    ("lock_up_quarters", "quarters in lock-up"),
    (
        "default_quarters",
        "quarters in covenant default (DSCR below the minimum)",
    ),
    (
        "payment_default_quarters",
        "quarters with debt service unpaid",
    ),
    (
        "overrun_facility_drawn_usd",
        "cost overrun facility drawn, USD",
    ),
    ("funding_shortfall_usd", "funding shortfall, USD"),
    ("peak_funding_usd", "peak funding to first production, USD"),
    ("sponsor_support_usd", "sponsor support, USD"),
    (
        "payback_years",
        "payback from the start of construction, years",
    ),
    (
        "debt_outstanding_at_maturity_usd",
        "debt not repaid by maturity, USD",
    ),
    ("plant_feed_dry_t", "plant feed over the life, dry t"),
    ("cu_cathode_t", "copper cathode over the life, t"),
    (
        "section_productivity_factor",
        "section rate at the drawn inputs / at the base inputs",
    ),
    (
        "feed_op_year2_dry_t",
        "plant feed in the second operating year (ramp-up), dry t",
    ),
    (
        "cu_op_year2_t",
        "copper cathode in the second operating year (ramp-up), t",
    ),
];

/// How to run a risk study beyond its scenario.
#[derive(Copy, Clone, Debug, Default)]
pub struct RiskOptions {
    /// Full DES life of mine in every iteration instead of the fast path.
    pub exact: bool,
}

/// Everything prepared once per study: the base scenario as a TOML value, the design of
/// every iteration's input draws, the fixed debt, the shift pool.
pub struct RiskPlan {
    /// The scenario (with its `[risk]` table).
    pub(crate) scenario: Scenario,
    /// The risk settings.
    pub(crate) config: RiskConfig,
    /// Base seed.
    pub(crate) seed: u64,
    /// Full DES per iteration.
    pub(crate) exact: bool,
    /// Output names, record order.
    pub(crate) outputs: Vec<String>,
    base_doc: toml::Value,
    /// design[j][i]: input j's draw in iteration i.
    design: Vec<Vec<f64>>,
    price_keys: Vec<&'static str>,
    price_chol: Option<Vec<Vec<f64>>>,
    /// The debt, sized once on the banking case.
    pub(crate) sized: SizedDebt,
    fast: Option<FastPath>,
    /// Base value of each input (the scenario's own; 1 for scale, 0 for add; neutral case).
    pub(crate) base_values: Vec<f64>,
    /// Calendar years of the price paths' first and the model's first year.
    first_price_year: Vec<i32>,
    finance_first_year: i32,
    /// Operating calendar years of the base case, for the average price recorded.
    base_operating_years: (i32, i32),
    /// The deterministic base case, evaluated once in `prepare` (with `--exact` it is a
    /// full DES life of mine).
    base_record: Option<IterationRecord>,
    /// Median price paths (every shock zero), computed once.
    median: Vec<Vec<f64>>,
    /// The `[construction]` schedule, when the scenario has one: iteration `i` takes its
    /// commercial-production date and capital from schedule iteration `i`.
    schedule: Option<Coupled>,
}

/// The build schedule coupled into the risk study.
struct Coupled {
    model: crate::build::Model,
    samplers: crate::build::Samplers,
    /// The plan's cost, USD.
    planned_cost_usd: f64,
    /// The plan's financial-close and commercial-production quarters (from day 0).
    planned_fc_q: i64,
    planned_cod_q: i64,
    /// The plan's capital by quarter from financial close, USD.
    planned_capital: Vec<f64>,
}

/// What one schedule iteration does to the finance model: quarters the financial close
/// moves, quarters construction lengthens, the factor on capital and its phasing.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleEffect {
    /// Quarters the start (financial close) moves later.
    pub start_shift_quarters: i64,
    /// Quarters added to construction (financial close to commercial production).
    pub extra_construction_quarters: i64,
    /// Schedule cost over the planned cost.
    pub capex_factor: f64,
    /// The schedule's cost by quarter from its financial close's quarter, USD
    /// ([`crate::build::capital_by_quarter`]): the phasing of the finance model's capital.
    pub capital_by_quarter_usd: Vec<f64>,
}

impl Coupled {
    fn new(s: &Scenario) -> Result<Option<Coupled>, StudyError> {
        let Some(model) = s.construction_model() else {
            return Ok(None);
        };
        let model = model?;
        let det = crate::build::plan(&model);
        let samplers = crate::build::Samplers::new(&model);
        let planned = crate::build::IterationSchedule {
            milestone_days: Vec::new(),
            finish_days: det.finish,
            cod_days: model
                .commercial_production
                .map_or(det.finish, |a| det.ef[a]),
            fc_days: model.financial_close.map(|a| det.ef[a]),
            cost_usd: 0.0,
            cost_by_month: Vec::new(),
        };
        let planned_cost_usd = crate::build::planned_cost(&model, &det);
        Ok(Some(Coupled {
            planned_capital: crate::build::planned_capital_by_quarter(&model),
            planned_fc_q: quarter(planned.fc_days.unwrap_or(0.0)),
            planned_cod_q: quarter(planned.cod_days),
            model,
            samplers,
            planned_cost_usd,
        }))
    }

    /// The effect of schedule iteration `i` under `seed`.
    fn effect(&self, seed: u64, i: u64) -> ScheduleEffect {
        let mut scratch = crate::build::Scratch::default();
        let it = crate::build::iteration(&self.model, &self.samplers, seed, i, &mut scratch);
        let fc = quarter(it.fc_days.unwrap_or(0.0));
        let cod = quarter(it.cod_days);
        ScheduleEffect {
            start_shift_quarters: fc - self.planned_fc_q,
            extra_construction_quarters: (cod - fc) - (self.planned_cod_q - self.planned_fc_q),
            capex_factor: if self.planned_cost_usd > 0.0 {
                it.cost_usd / self.planned_cost_usd
            } else {
                1.0
            },
            capital_by_quarter_usd: crate::build::capital_by_quarter(&it.cost_by_month, it.fc_days),
        }
    }

    /// The plan: no shift, no extra quarters, the planned cost and phasing.
    fn planned(&self) -> ScheduleEffect {
        ScheduleEffect {
            start_shift_quarters: 0,
            extra_construction_quarters: 0,
            capex_factor: 1.0,
            capital_by_quarter_usd: self.planned_capital.clone(),
        }
    }
}

/// The quarter (from day 0) a day falls in.
fn quarter(days: f64) -> i64 {
    crate::build::quarter_of(days)
}

/// The fast path's pools and base rates, per seam-height group.
struct FastPath {
    /// Manto index -> group.
    group_of_manto: Vec<usize>,
    /// Per group: the pooled shifts at the base inputs.
    pools: Vec<Arc<PooledShifts>>,
    /// The section's productivity surface over the drawn section inputs and seam height
    /// (absent when no input changes the section).
    surface: Option<Surface>,
    /// Per group: the pool's mean dry t per production shift.
    pool_t_per_shift: Vec<f64>,
    /// Per group: seam height, m.
    heights_m: Vec<f64>,
}

/// One iteration's record: drawn inputs, price averages, outputs and annual series. Its
/// numbers (NaN included) survive a partial result file exactly (`--shard`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct IterationRecord {
    /// Iteration index.
    pub iteration: u64,
    /// Drawn value of each input (order of `risk.inputs`).
    #[serde(with = "crate::shard::exact_f64s")]
    pub inputs: Vec<f64>,
    /// Average price of each price process over the base case's operating years.
    #[serde(with = "crate::shard::exact_f64s")]
    pub avg_prices: Vec<f64>,
    /// Outputs in [`RiskPlan::outputs`] order; NaN where undefined (no IRR, no DSCR).
    #[serde(with = "crate::shard::exact_f64s")]
    pub outputs: Vec<f64>,
    /// First calendar year of the annual series.
    pub first_year: i32,
    /// Plant feed by calendar year, dry t.
    #[serde(with = "crate::shard::exact_f64s")]
    pub feed_dry_t: Vec<f64>,
    /// Copper cathode by calendar year, t.
    #[serde(with = "crate::shard::exact_f64s")]
    pub cu_t: Vec<f64>,
    /// CFADS by calendar year, USD.
    #[serde(with = "crate::shard::exact_f64s")]
    pub cfads_usd: Vec<f64>,
    /// Annual DSCR (CFADS / senior debt service; NaN without debt service).
    #[serde(with = "crate::shard::exact_f64s")]
    pub dscr: Vec<f64>,
}

/// Applies a schedule iteration to the finance inputs: the start (financial close) moves
/// by whole quarters, construction lengthens by the quarters commercial production slips
/// beyond that, and initial capital scales by the schedule's cost over its plan.
fn apply_schedule(cfg: &mut finance::FinanceConfig, e: ScheduleEffect) {
    let t = &mut cfg.timing;
    let q = i64::from(t.start_year) * 4 + i64::from(t.start_quarter) - 1 + e.start_shift_quarters;
    t.start_year = q.div_euclid(4) as i32;
    t.start_quarter = (q.rem_euclid(4) + 1) as u32;
    t.construction_quarters =
        (t.construction_quarters as i64 + e.extra_construction_quarters).max(1) as usize;
    if e.capex_factor != 1.0 {
        cfg.capex.overrun_pct =
            ((1.0 + cfg.capex.overrun_pct / 100.0) * e.capex_factor - 1.0) * 100.0;
    }
    cfg.capex.construction_phasing = e.capital_by_quarter_usd;
}

/// `risk`: one iteration; its lists as long as its scenario's `[risk]` makes them (and
/// its outputs as many as the study's first record's), its annual series of one length.
impl crate::shard::Record for IterationRecord {
    fn shape_error(&self, index: u64, s: &Scenario, first: &Self) -> Option<String> {
        if self.iteration != index {
            return Some(format!(
                "iteration {} where index {index} belongs",
                self.iteration
            ));
        }
        let Some(risk) = &s.risk else {
            return Some("its scenario has no [risk] table".into());
        };
        for (what, got, want) in [
            ("inputs", self.inputs.len(), risk.inputs.len()),
            ("avg_prices", self.avg_prices.len(), risk.prices.len()),
            ("outputs", self.outputs.len(), first.outputs.len()),
        ] {
            if got != want {
                return Some(format!("{got} {what} where its study has {want}"));
            }
        }
        // The annual series cover the iteration's own years (a delay moves them), but
        // the same years each.
        let years = self.feed_dry_t.len();
        for (what, got) in [
            ("cu_t", self.cu_t.len()),
            ("cfads_usd", self.cfads_usd.len()),
            ("dscr", self.dscr.len()),
        ] {
            if got != years {
                return Some(format!("{got} years of {what} for {years} of feed_dry_t"));
            }
        }
        None
    }
}

fn study_error(message: impl Into<String>) -> StudyError {
    StudyError::usage("[risk]", message)
}

impl RiskPlan {
    /// The risk table, or an error saying the scenario has none.
    pub fn prepare(
        s: &Scenario,
        opts: RiskOptions,
        progress: &dyn Progress,
    ) -> Result<RiskPlan, StudyError> {
        let Some(config) = s.risk.clone() else {
            return Err(StudyError::usage(
                "SCENARIO",
                format!(
                    "scenario `{}` has no [risk] table (the bundled risk study is `boleo-risk`; docs/risk.md shows how to write one)",
                    s.name
                ),
            ));
        };
        if !opts.exact {
            if let Some(i) = config
                .inputs
                .iter()
                .find(|i| i.key.starts_with("calendar."))
            {
                return Err(StudyError::usage(
                    "--exact",
                    format!(
                        "input `{}` draws `{}`: the fast path composes shifts from a pool on the base calendar; run with --exact",
                        i.name, i.key
                    ),
                ));
            }
        }
        let base_doc = base_doc(s)?;
        let seed = s.simulation.seed;
        let n = config.iterations as usize;
        let root = StreamKey::root(seed).child(RISK_STREAMS);
        // The design: input j's n draws, then rank correlation.
        let mut design: Vec<Vec<f64>> = config
            .inputs
            .iter()
            .enumerate()
            .map(|(j, inp)| {
                uniforms(n, config.sampling, root.child(0).child(0).child(j as u64))
                    .into_iter()
                    .map(|u| inp.value.quantile(u))
                    .collect()
            })
            .collect();
        if let Some(c) = &config.correlation {
            let idx: Vec<usize> = c
                .names
                .iter()
                .map(|n| {
                    config
                        .inputs
                        .iter()
                        .position(|i| &i.name == n)
                        .expect("validated")
                })
                .collect();
            let mut cols: Vec<Vec<f64>> = idx.iter().map(|&j| design[j].clone()).collect();
            iman_conover(&mut cols, &c.matrix, root.child(0).child(1));
            for (k, &j) in idx.iter().enumerate() {
                design[j] = std::mem::take(&mut cols[k]);
            }
        }
        let price_keys = config
            .prices
            .iter()
            .map(|p| price_key(&base_doc, &p.product).expect("validated"))
            .collect();
        let price_chol = match &config.price_correlation {
            Some(c) => {
                // Reorder to the order of `prices`.
                let m = config.prices.len();
                let pos = |p: &str| c.names.iter().position(|n| n == p);
                let mut full = vec![vec![0.0; m]; m];
                for a in 0..m {
                    for b in 0..m {
                        full[a][b] = match (
                            pos(&config.prices[a].product),
                            pos(&config.prices[b].product),
                        ) {
                            (Some(x), Some(y)) => c.matrix[x][y],
                            _ => f64::from(u8::from(a == b)),
                        };
                    }
                }
                Some(cholesky(&full).ok_or_else(|| {
                    study_error("risk.price_correlation.matrix is not positive definite")
                })?)
            }
            None => None,
        };
        let base_values = config
            .inputs
            .iter()
            .map(|inp| match inp.target() {
                Target::Case(c) => {
                    if c.is_factor() {
                        1.0
                    } else {
                        0.0
                    }
                }
                Target::Key(segs) => match inp.how {
                    How::Scale => 1.0,
                    How::Add => 0.0,
                    How::Set => get(&base_doc, &segs)
                        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                        .unwrap_or(0.0),
                },
            })
            .collect();
        let finance_first_year = s.finance.timing.start_year;
        let first_price_year = config.prices.iter().map(|p| p.start_year + 1).collect();
        // The banking case: the scenario's table, else the base inputs' fast-path life of
        // mine (below).
        let mut plan = RiskPlan {
            scenario: s.clone(),
            config,
            seed,
            exact: opts.exact,
            outputs: output_names(&base_doc),
            base_doc,
            design,
            price_keys,
            price_chol,
            sized: SizedDebt::default(),
            fast: None,
            base_values,
            first_price_year,
            finance_first_year,
            base_operating_years: (0, 0),
            base_record: None,
            median: Vec::new(),
            schedule: Coupled::new(s)?,
        };
        plan.median = plan
            .config
            .prices
            .iter()
            .map(|p| p.path(&vec![0.0; plan.config.price_years]))
            .collect();
        if s.finance.production_source == ProductionSource::Schedule && !opts.exact {
            progress.phase("shift pool", 1);
            plan.fast = Some(plan.build_pool()?);
            progress.advance(1);
        }
        // The base inputs' mine, simulated once: the banking case when the scenario has no
        // table, and the base record's production below.
        let (base_s, _) = plan
            .scenario_at(&plan.base_values, plan.median_paths())
            .map_err(|e| study_error(format!("the base inputs make the scenario invalid: {e}")))?;
        let base_mine = plan.mine(&base_s, &plan.base_values, TORNADO_TRIAL);
        let base_prod = match s.finance.production_table() {
            Some(t) => t,
            None => base_mine.0.clone(),
        };
        plan.sized = finance::size_debt(&s.finance, &base_prod);
        // Preflight: each input alone at the ends of its distribution gives a valid model.
        for (j, inp) in plan.config.inputs.iter().enumerate() {
            for p in [1e-4, 1.0 - 1e-4] {
                let mut v = plan.base_values.clone();
                v[j] = inp.value.quantile(p);
                if let Err(e) = plan.scenario_at(&v, plan.median_paths()) {
                    return Err(StudyError::usage(
                        format!("risk.inputs[{j}].value"),
                        format!(
                            "input `{}` at its {} quantile ({}) makes the scenario invalid: {e}; bound or shift its distribution",
                            inp.name,
                            if p < 0.5 { "0.01%" } else { "99.99%" },
                            des::input::fmt_num(v[j])
                        ),
                    ));
                }
            }
        }
        let base = plan.evaluate_mined(
            &plan.base_values,
            plan.median_paths(),
            TORNADO_TRIAL,
            Some(base_mine),
        )?;
        let years: Vec<i32> = base
            .cu_t
            .iter()
            .enumerate()
            .filter(|(_, t)| **t > 0.0)
            .map(|(k, _)| base.first_year + k as i32)
            .collect();
        plan.base_operating_years = (
            years.first().copied().unwrap_or(finance_first_year),
            years.last().copied().unwrap_or(finance_first_year),
        );
        plan.base_record = Some(base);
        Ok(plan)
    }

    /// The scenario (with its `[risk]` table).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The risk settings.
    pub fn config(&self) -> &RiskConfig {
        &self.config
    }

    /// Output names, in record order.
    pub fn outputs(&self) -> &[String] {
        &self.outputs
    }

    /// Base value of each input (the scenario's own; 1 for scale, 0 for add; the neutral
    /// case), in `risk.inputs` order.
    pub fn base_values(&self) -> &[f64] {
        &self.base_values
    }

    /// Iterations the study plans.
    pub fn planned(&self) -> u64 {
        self.config.iterations
    }

    /// The drawn value of input `j` in iteration `i`.
    pub fn draw(&self, j: usize, i: u64) -> f64 {
        self.design[j][i as usize]
    }

    fn build_pool(&self) -> Result<FastPath, StudyError> {
        let s = &self.scenario;
        let root = StreamKey::root(self.seed).child(RISK_STREAMS);
        // A pool per distinct seam height (and, with [ground], per distinct class shares:
        // the mantos' ground differs).
        let mut heights_m: Vec<f64> = Vec::new();
        let mut shares: Vec<Vec<f64>> = Vec::new();
        let mut first_manto: Vec<usize> = Vec::new();
        let mut group_of_manto = Vec::new();
        for (k, m) in s.deposit.mantos.iter().enumerate() {
            let sh = s
                .ground
                .as_ref()
                .map(|g| g.shares_of(&m.name))
                .unwrap_or_default();
            let g = match (0..heights_m.len())
                .position(|g| heights_m[g] == m.thickness_m && shares[g] == sh)
            {
                Some(g) => g,
                None => {
                    heights_m.push(m.thickness_m);
                    shares.push(sh);
                    first_manto.push(k);
                    heights_m.len() - 1
                }
            };
            group_of_manto.push(g);
        }
        let runs: Vec<Vec<ShiftTally>> = heights_m
            .par_iter()
            .enumerate()
            .map(|(g, &h)| {
                let ground = s
                    .ground
                    .as_ref()
                    .map(|gr| Prepared::new(gr, &s.deposit.mantos[first_manto[g]].name));
                simulate_in(
                    &s.section,
                    &s.calendar,
                    RunSpec {
                        days: self.config.pool_days,
                        warmup_days: 0,
                        streams: root.child(2).child(g as u64),
                        check_invariants: false,
                        stop_after_wet_t: None,
                        seam_height_m: Some(h),
                    },
                    ground.as_ref(),
                )
                .shifts
            })
            .collect();
        let mut pools = Vec::new();
        let mut pool_rate = Vec::new();
        for (g, pool) in runs.into_iter().enumerate() {
            let pool = PooledShifts::new(pool);
            let rate = pool.mean_dry_t;
            if rate.is_nan() || rate <= 0.0 {
                return Err(study_error(format!(
                    "the section mines nothing at the base inputs in a {} m seam over {} days: the fast path has no shifts to compose",
                    heights_m[g], self.config.pool_days
                )));
            }
            pools.push(Arc::new(pool));
            pool_rate.push(rate);
        }
        let surface = self.fit_surface(root)?;
        Ok(FastPath {
            group_of_manto,
            pools,
            surface,
            pool_t_per_shift: pool_rate,
            heights_m,
        })
    }

    /// The productivity surface: the section DES run at `design_points` points spread
    /// (Latin hypercube) over the P1-P99 range of every drawn section input and of the
    /// seam heights the draws reach, `probe_days` counted days each; ln(dry t per shift)
    /// fitted by least squares on a full quadratic in the standardised inputs.
    fn fit_surface(&self, root: StreamKey) -> Result<Option<Surface>, StudyError> {
        let s = &self.scenario;
        let inputs = &self.config.inputs;
        let section: Vec<usize> = (0..inputs.len())
            .filter(|&j| inputs[j].drives_section() && !is_thickness(&inputs[j].key))
            .collect();
        // Seam heights the draws can reach.
        let (mut h_lo, mut h_hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (m, manto) in s.deposit.mantos.iter().enumerate() {
            let key = format!("deposit.mantos[{m}].thickness_m");
            let (lo, hi) = match inputs.iter().find(|i| i.key == key) {
                Some(i) => {
                    let (a, b) = (i.value.quantile(0.01), i.value.quantile(0.99));
                    let t = manto.thickness_m;
                    match i.how {
                        How::Set => (a, b),
                        How::Add => (t + a, t + b),
                        How::Scale => (t * a, t * b),
                    }
                }
                None => (manto.thickness_m, manto.thickness_m),
            };
            h_lo = h_lo.min(lo);
            h_hi = h_hi.max(hi);
        }
        let varies_h = h_hi > h_lo;
        if section.is_empty() && !varies_h {
            return Ok(None);
        }
        let mut centre: Vec<(f64, f64)> = section
            .iter()
            .map(|&j| {
                let (a, b) = (
                    inputs[j].value.quantile(0.01),
                    inputs[j].value.quantile(0.99),
                );
                (0.5 * (a + b), (0.5 * (b - a)).max(1e-12))
            })
            .collect();
        centre.push((0.5 * (h_lo + h_hi), (0.5 * (h_hi - h_lo)).max(1e-12)));
        let dims = centre.len();
        let terms = quadratic_terms(dims);
        let k = match self.config.design_points {
            0 => 8 * terms,
            n => n as usize,
        };
        if k < terms + 2 {
            return Err(StudyError::usage(
                "risk.design_points",
                format!(
                    "{k} points cannot fit a quadratic in {dims} variables ({terms} terms): give at least {}",
                    terms + 2
                ),
            ));
        }
        let cols: Vec<Vec<f64>> = (0..dims)
            .map(|d| uniforms(k, Sampling::LatinHypercube, root.child(5).child(d as u64)))
            .collect();
        let points: Vec<(Vec<f64>, f64)> = (0..k)
            .map(|p| {
                let mut v = self.base_values.clone();
                for (c, &j) in section.iter().enumerate() {
                    v[j] = inputs[j].value.quantile(0.01 + 0.98 * cols[c][p]);
                }
                (v, h_lo + (h_hi - h_lo) * cols[dims - 1][p])
            })
            .collect();
        let rates: Vec<Result<f64, StudyError>> = points
            .par_iter()
            .enumerate()
            .map(|(p, (v, h))| {
                let (sc, _) = self.scenario_at(v, self.median_paths()).map_err(|e| {
                    study_error(format!(
                        "a design point of the productivity surface is invalid: {e}"
                    ))
                })?;
                Ok(section_rate(
                    &sc,
                    self.config.probe_days,
                    root.child(3).child(p as u64),
                    *h,
                ))
            })
            .collect();
        let mut x = Vec::with_capacity(k);
        let mut y = Vec::with_capacity(k);
        for (p, r) in rates.into_iter().enumerate() {
            let r = r?;
            if r.is_nan() || r <= 0.0 {
                return Err(study_error(format!(
                    "the section mines nothing at design point {p} of the productivity surface: narrow the section inputs' distributions"
                )));
            }
            let mut z: Vec<f64> = section
                .iter()
                .enumerate()
                .map(|(c, &j)| (points[p].0[j] - centre[c].0) / centre[c].1)
                .collect();
            z.push((points[p].1 - centre[dims - 1].0) / centre[dims - 1].1);
            x.push(quadratic_features(&z));
            y.push(r.ln());
        }
        let beta = least_squares(&x, &y).ok_or_else(|| {
            study_error("the productivity surface cannot be fitted (singular design)")
        })?;
        let fitted: Vec<f64> = x.iter().map(|f| dot(f, &beta)).collect();
        let res: Vec<f64> = fitted.iter().zip(&y).map(|(f, y)| y - f).collect();
        let rms = (res.iter().map(|r| r * r).sum::<f64>() / k as f64).sqrt();
        let max = res.iter().fold(0.0f64, |m, r| m.max(r.abs()));
        Ok(Some(Surface {
            section,
            centre,
            beta,
            points: k,
            rms_residual_pct: 100.0 * rms,
            max_residual_pct: 100.0 * max,
        }))
    }

    /// Median price paths (all shocks zero).
    fn median_paths(&self) -> &[Vec<f64>] {
        &self.median
    }

    /// Paths at probability `q` of every year's marginal (the tornado's P10/P90 decks).
    fn quantile_paths(&self, which: usize, q: f64) -> Vec<Vec<f64>> {
        let mut paths = self.median_paths().to_vec();
        let p = &self.config.prices[which];
        paths[which] = (1..=self.config.price_years)
            .map(|t| p.quantile_at(t as f64, q))
            .collect();
        paths
    }

    /// Iteration `i`'s price paths: correlated annual shocks from its own stream.
    fn price_paths(&self, i: u64) -> Vec<Vec<f64>> {
        let m = self.config.prices.len();
        if m == 0 {
            return Vec::new();
        }
        let years = self.config.price_years;
        let mut rng = StreamKey::root(self.seed)
            .child(RISK_STREAMS)
            .child(1)
            .child(i)
            .stream();
        let mut shocks = vec![vec![0.0; years]; m];
        let mut z = vec![0.0; m];
        for t in 0..years {
            for zk in z.iter_mut() {
                *zk = StandardNormal.sample(&mut rng);
            }
            for a in 0..m {
                shocks[a][t] = match &self.price_chol {
                    Some(l) => (0..=a).map(|k| l[a][k] * z[k]).sum(),
                    None => z[a],
                };
            }
        }
        self.config
            .prices
            .iter()
            .zip(&shocks)
            .map(|(p, z)| p.path(z))
            .collect()
    }

    /// The scenario at drawn `values` and price `paths`, and the case the project risks
    /// make; `Err` says which key is invalid.
    fn scenario_at(
        &self,
        values: &[f64],
        paths: &[Vec<f64>],
    ) -> Result<(Scenario, CaseSpec), String> {
        let mut doc = self.base_doc.clone();
        let mut case = CaseSpec::default();
        for (inp, &x) in self.config.inputs.iter().zip(values) {
            match inp.target() {
                Target::Case(c) => match c {
                    CaseKey::DelayQuarters => case.delay_quarters = x.round().max(0.0) as usize,
                    CaseKey::RampUpShortfallPct => {
                        case.ramp_up_factors =
                            (0..8).map(|y| 1.0 - (x / 100.0) * 0.5f64.powi(y)).collect()
                    }
                    CaseKey::ProductionFactor => case.production_factor = x,
                    CaseKey::OpexFactor => case.opex_factor = x,
                    CaseKey::CapexFactor => case.capex_factor = x,
                    CaseKey::PriceFactor => case.price_factor = x,
                },
                Target::Key(segs) => {
                    let v = get_mut(&mut doc, &segs)
                        .ok_or_else(|| format!("key `{}` is gone", inp.key))?;
                    change(v, inp.how, x);
                }
            }
        }
        for (k, (p, path)) in self.config.prices.iter().zip(paths).enumerate() {
            let first = self.first_price_year[k];
            let n = path.len();
            let steps: Vec<toml::Value> = path
                .iter()
                .enumerate()
                .map(|(t, price)| {
                    let mut row = toml::map::Map::new();
                    let from = if t == 0 {
                        first.min(self.finance_first_year)
                    } else {
                        first + t as i32
                    };
                    row.insert("from_year".into(), toml::Value::Integer(i64::from(from)));
                    if t + 1 < n {
                        row.insert(
                            "to_year".into(),
                            toml::Value::Integer(i64::from(first + t as i32)),
                        );
                    }
                    row.insert("value".into(), toml::Value::Float(*price));
                    toml::Value::Table(row)
                })
                .collect();
            let segs = [
                Seg::Key("finance".into()),
                Seg::Key("revenue".into()),
                Seg::Key(p.product.clone()),
                Seg::Key(self.price_keys[k].into()),
            ];
            if let Some(v) = get_mut(&mut doc, &segs) {
                *v = toml::Value::Array(steps);
            }
        }
        let s: Scenario = doc
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        let problems = crate::scenario::validate(&s);
        if let Some(p) = problems.first() {
            return Err(format!("{}: {}", p.path, p.message));
        }
        Ok((s, case))
    }

    /// The life of mine at scenario `s` (drawn), trial `trial`: its production and the
    /// productivity factor applied (1 on the exact path and for a production table).
    fn mine(&self, s: &Scenario, values: &[f64], trial: u64) -> (ProductionProfile, f64) {
        if s.finance.production_source == ProductionSource::Table {
            return (s.finance.production_table().unwrap_or_default(), 1.0);
        }
        let (rep, f) = if self.exact {
            let model = s.mine_model();
            (
                mine::schedule::replication(&model, &s.schedule, self.seed, trial),
                1.0,
            )
        } else {
            let fast = self.fast.as_ref().expect("fast path prepared");
            // A factor per manto: the surface at the drawn section inputs and the manto's
            // drawn seam height, against the surface at the base inputs and the height of
            // the manto's pool.
            let mut factors = vec![1.0; fast.group_of_manto.len()];
            if let Some(surface) = &fast.surface {
                for (m, f) in factors.iter_mut().enumerate() {
                    let g = fast.group_of_manto[m];
                    let h = s.deposit.mantos[m].thickness_m;
                    *f = (surface.ln_rate(values, h)
                        - surface.ln_rate(&self.base_values, fast.heights_m[g]))
                    .exp();
                }
            }
            let pool = ShiftPool {
                by_manto: fast
                    .group_of_manto
                    .iter()
                    .zip(&factors)
                    .map(|(&g, &f)| (fast.pools[g].clone(), f))
                    .collect(),
            };
            // Recorded: the factor weighted by each manto's reserve.
            let w: Vec<f64> = s.deposit.mantos.iter().map(|m| m.reserve_dry_t).collect();
            let f = factors.iter().zip(&w).map(|(f, w)| f * w).sum::<f64>()
                / w.iter().sum::<f64>().max(1e-9);
            let rep = mine::schedule::replication_from(
                &s.mine_model(),
                &s.schedule,
                self.seed,
                trial,
                &pool,
                &|| {},
            );
            (rep, f)
        };
        (production::profile(&rep.quarters), f)
    }

    /// One evaluation: drawn values and paths through mine and finance.
    fn evaluate(
        &self,
        values: &[f64],
        paths: &[Vec<f64>],
        trial: u64,
    ) -> Result<IterationRecord, StudyError> {
        self.evaluate_mined(values, paths, trial, None)
    }

    /// [`Self::evaluate`] with the mine's production (and productivity factor) already
    /// simulated for these values and this trial, or simulated here when `None`.
    fn evaluate_mined(
        &self,
        values: &[f64],
        paths: &[Vec<f64>],
        trial: u64,
        mined: Option<(ProductionProfile, f64)>,
    ) -> Result<IterationRecord, StudyError> {
        let (r, factor) = self.finance_mined(values, paths, trial, mined)?;
        Ok(self.record(trial, values, paths, &r, factor))
    }

    /// The finance model's full result at drawn `values` and price `paths` (the mine of
    /// trial `trial`, or `mined`), and the productivity factor applied.
    fn finance_mined(
        &self,
        values: &[f64],
        paths: &[Vec<f64>],
        trial: u64,
        mined: Option<(ProductionProfile, f64)>,
    ) -> Result<(FinanceResult, f64), StudyError> {
        let (s, case) = self.scenario_at(values, paths).map_err(|e| {
            study_error(format!(
                "iteration {trial}: the drawn inputs make the scenario invalid: {e}"
            ))
        })?;
        let (production, factor) = mined.unwrap_or_else(|| self.mine(&s, values, trial));
        let (mut cfg, prod) = finance::cases::apply(&case, &s.finance, &production);
        if let Some(e) = self.schedule_effect(trial) {
            apply_schedule(&mut cfg, e);
        }
        Ok((finance::run_with_debt(&cfg, &prod, &self.sized), factor))
    }

    /// Iteration `i`'s full finance result (every quarter), as the study computes it before
    /// keeping its record: what an audit recomputes the record's statistics from.
    pub fn iteration_finance(&self, i: u64) -> Result<FinanceResult, StudyError> {
        let values: Vec<f64> = (0..self.design.len())
            .map(|j| self.design[j][i as usize])
            .collect();
        Ok(self
            .finance_mined(&values, &self.price_paths(i), i, None)?
            .0)
    }

    fn record(
        &self,
        i: u64,
        values: &[f64],
        paths: &[Vec<f64>],
        r: &FinanceResult,
        factor: f64,
    ) -> IterationRecord {
        let m = &r.metrics;
        let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let overrun: f64 = r
            .facilities
            .iter()
            .filter(|f| f.kind == "cost_overrun")
            .map(|f| f.drawn_usd)
            .sum();
        let mut outputs: Vec<f64> = m.npv.iter().map(|n| n.project_after_tax_usd).collect();
        outputs.extend([
            opt(m.project_irr_after_tax_pct),
            opt(m.equity_irr_pct),
            opt(m.min_dscr),
            opt(m.avg_dscr),
            opt(m.min_llcr),
            m.lock_up_quarters as f64,
            m.default_quarters as f64,
            m.payment_default_quarters as f64,
            overrun,
            m.funding_shortfall_usd,
            m.peak_funding_usd,
            m.sponsor_support_usd,
            opt(m.payback_years),
            m.debt_outstanding_at_maturity_usd,
            r.annual.iter().map(|a| a.plant_feed_dry_t).sum(),
            m.life_of_mine_cu_t,
            factor,
        ]);
        // The second calendar year with copper: operating year 2 of the ramp-up.
        let op2 = r.annual.iter().filter(|a| a.cu_cathode_t > 0.0).nth(1);
        outputs.push(op2.map_or(0.0, |a| a.plant_feed_dry_t));
        outputs.push(op2.map_or(0.0, |a| a.cu_cathode_t));
        let (y0, y1) = self.base_operating_years;
        let avg_prices = self
            .config
            .prices
            .iter()
            .enumerate()
            .map(|(k, _)| {
                let first = self.first_price_year[k];
                let v: Vec<f64> = (y0..=y1)
                    .filter_map(|y| {
                        let t = (y - first).max(0) as usize;
                        paths[k]
                            .get(t.min(paths[k].len().saturating_sub(1)))
                            .copied()
                    })
                    .collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            })
            .collect();
        IterationRecord {
            iteration: i,
            inputs: values.to_vec(),
            avg_prices,
            outputs,
            first_year: r.annual.first().map_or(self.finance_first_year, |a| a.year),
            feed_dry_t: r.annual.iter().map(|a| a.plant_feed_dry_t).collect(),
            cu_t: r.annual.iter().map(|a| a.cu_cathode_t).collect(),
            cfads_usd: r.annual.iter().map(|a| a.cfads_usd).collect(),
            dscr: r
                .annual
                .iter()
                .map(|a| {
                    if a.senior_debt_service_usd > 1.0 {
                        a.cfads_usd / a.senior_debt_service_usd
                    } else {
                        f64::NAN
                    }
                })
                .collect(),
        }
    }

    /// What schedule iteration `trial` does to the finance model (None without a
    /// `[construction]` table; the plan for the base case and the tornado).
    pub fn schedule_effect(&self, trial: u64) -> Option<ScheduleEffect> {
        let c = self.schedule.as_ref()?;
        Some(if trial == TORNADO_TRIAL {
            c.planned()
        } else {
            c.effect(self.seed, trial)
        })
    }

    /// Iteration `i` as the study draws it.
    pub fn iteration(&self, i: u64) -> Result<IterationRecord, StudyError> {
        let values: Vec<f64> = (0..self.design.len())
            .map(|j| self.design[j][i as usize])
            .collect();
        self.evaluate(&values, &self.price_paths(i), i)
    }

    /// The model at input `values` (in `risk.inputs` order) with the median price paths and
    /// the mine's streams of trial `trial`: what the fast-path validation compares.
    pub fn evaluate_at(&self, values: &[f64], trial: u64) -> Result<IterationRecord, StudyError> {
        self.evaluate(values, self.median_paths(), trial)
    }

    /// The deterministic base case: every input at its base value, median price paths,
    /// the mine's streams of [`TORNADO_TRIAL`].
    pub fn base(&self) -> Result<IterationRecord, StudyError> {
        match &self.base_record {
            Some(r) => Ok(r.clone()),
            None => self.evaluate(&self.base_values, self.median_paths(), TORNADO_TRIAL),
        }
    }

    /// The tornado's runs: each input at its P10 and P90 (others at base), then each price
    /// process at its P10 and P90 deck (every year at that quantile of its marginal).
    pub fn tornado_runs(&self) -> Result<Vec<TornadoRun>, StudyError> {
        type Job = (String, Vec<f64>, Vec<Vec<f64>>, f64);
        let mut jobs: Vec<Job> = Vec::new();
        for (j, inp) in self.config.inputs.iter().enumerate() {
            for q in [0.1, 0.9] {
                let mut v = self.base_values.clone();
                v[j] = inp.value.quantile(q);
                jobs.push((
                    inp.name.clone(),
                    v.clone(),
                    self.median_paths().to_vec(),
                    v[j],
                ));
            }
        }
        for (k, p) in self.config.prices.iter().enumerate() {
            for q in [0.1, 0.9] {
                let paths = self.quantile_paths(k, q);
                let first = paths[k][0];
                jobs.push((
                    summary::price_deck_label(&p.product),
                    self.base_values.clone(),
                    paths,
                    first,
                ));
            }
        }
        let done: Vec<Result<(String, f64, IterationRecord), StudyError>> = jobs
            .into_par_iter()
            .map(|(name, v, paths, x)| Ok((name, x, self.evaluate(&v, &paths, TORNADO_TRIAL)?)))
            .collect();
        let mut out = Vec::new();
        let mut it = done.into_iter();
        while let (Some(lo), Some(hi)) = (it.next(), it.next()) {
            let (name, xl, rl) = lo?;
            let (_, xh, rh) = hi?;
            out.push((name, xl, xh, rl, rh));
        }
        Ok(out)
    }

    /// The debt as sized on the banking case: (facility, USD).
    pub fn sized_amounts(&self) -> Vec<(String, f64)> {
        self.sized
            .facilities
            .iter()
            .map(|f| (f.name.clone(), f.sized_usd))
            .collect()
    }

    /// Describes the fast path for the result.
    pub fn fast_path_info(&self) -> Option<FastPathInfo> {
        self.fast.as_ref().map(|f| FastPathInfo {
            pool_days: self.config.pool_days,
            probe_days: self.config.probe_days,
            seam_heights_m: f.heights_m.clone(),
            pool_dry_t_per_shift: f.pool_t_per_shift.clone(),
            surface_points: f.surface.as_ref().map_or(0, |x| x.points),
            surface_rms_residual_pct: f.surface.as_ref().map_or(0.0, |x| x.rms_residual_pct),
            surface_max_residual_pct: f.surface.as_ref().map_or(0.0, |x| x.max_residual_pct),
        })
    }
}

/// One tornado pair: (input, its P10, its P90, the run at P10, the run at P90).
pub type TornadoRun = (String, f64, f64, IterationRecord, IterationRecord);

/// How the fast path was set up.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct FastPathInfo {
    /// Days pooled per seam height.
    pub pool_days: u32,
    /// Days probed per iteration and seam height.
    pub probe_days: u32,
    /// The distinct seam heights, m.
    pub seam_heights_m: Vec<f64>,
    /// The pool's dry t per production shift, per height.
    pub pool_dry_t_per_shift: Vec<f64>,
    /// Design points of the productivity surface (0: no input changes the section).
    pub surface_points: usize,
    /// RMS residual of its fit, % of the rate.
    pub surface_rms_residual_pct: f64,
    /// Largest residual, %.
    pub surface_max_residual_pct: f64,
}

/// The section's productivity surface: ln(dry t per production shift) as a full quadratic
/// in the standardised drawn section inputs and the seam height.
struct Surface {
    /// Indices (into `risk.inputs`) of the section inputs.
    section: Vec<usize>,
    /// Per variable (section inputs, then height): centre and half-range.
    centre: Vec<(f64, f64)>,
    beta: Vec<f64>,
    points: usize,
    rms_residual_pct: f64,
    max_residual_pct: f64,
}

impl Surface {
    fn ln_rate(&self, values: &[f64], h: f64) -> f64 {
        let d = self.centre.len();
        let mut z: Vec<f64> = self
            .section
            .iter()
            .enumerate()
            .map(|(c, &j)| (values[j] - self.centre[c].0) / self.centre[c].1)
            .collect();
        z.push((h - self.centre[d - 1].0) / self.centre[d - 1].1);
        dot(&quadratic_features(&z), &self.beta)
    }
}

/// Terms of a full quadratic in `d` variables: 1, d linear, d(d+1)/2 products.
fn quadratic_terms(d: usize) -> usize {
    1 + d + d * (d + 1) / 2
}

fn quadratic_features(z: &[f64]) -> Vec<f64> {
    let mut f = vec![1.0];
    f.extend_from_slice(z);
    for i in 0..z.len() {
        for j in i..z.len() {
            f.push(z[i] * z[j]);
        }
    }
    f
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Least squares by the normal equations (Cholesky; a 1e-10 ridge keeps a flat direction
/// solvable).
fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let p = x.first()?.len();
    let mut a = vec![vec![0.0; p]; p];
    let mut b = vec![0.0; p];
    for (row, &yi) in x.iter().zip(y) {
        for i in 0..p {
            b[i] += row[i] * yi;
            for j in 0..p {
                a[i][j] += row[i] * row[j];
            }
        }
    }
    for (i, r) in a.iter_mut().enumerate() {
        r[i] += 1e-10;
    }
    let l = cholesky(&a)?;
    let mut z = vec![0.0; p];
    for i in 0..p {
        z[i] = (b[i] - (0..i).map(|k| l[i][k] * z[k]).sum::<f64>()) / l[i][i];
    }
    let mut beta = vec![0.0; p];
    for i in (0..p).rev() {
        beta[i] = (z[i] - (i + 1..p).map(|k| l[k][i] * beta[k]).sum::<f64>()) / l[i][i];
    }
    Some(beta)
}

/// Days each design point of the productivity surface simulates before it counts: a
/// panel starts bolted and idle (the section study discards 3 days too).
pub const PROBE_WARMUP_DAYS: u32 = 3;

/// The section of `s` in a seam of `h` m: dry t per production shift over `days` counted
/// days (after [`PROBE_WARMUP_DAYS`]) on `streams`.
fn section_rate(s: &Scenario, days: u32, streams: StreamKey, h: f64) -> f64 {
    // With [ground], in the classes' own shares (the surface is a ratio to its base point).
    let ground = s.ground.as_ref().map(|g| Prepared::new(g, ""));
    mean_dry_t(
        &simulate_in(
            &s.section,
            &s.calendar,
            RunSpec {
                days,
                warmup_days: PROBE_WARMUP_DAYS,
                streams,
                check_invariants: false,
                stop_after_wet_t: None,
                seam_height_m: Some(h),
            },
            ground.as_ref(),
        )
        .shifts,
    )
}

/// Applies a draw to a TOML value: set, scale or add (integers stay integers, rounded).
fn change(v: &mut toml::Value, how: How, x: f64) {
    const SCALED: [&str; 9] = [
        "value", "values", "min", "mode", "max", "mean", "sd", "scale", "offset",
    ];
    match v {
        toml::Value::Integer(n) => {
            let r = match how {
                How::Set => x,
                How::Scale => *n as f64 * x,
                How::Add => *n as f64 + x,
            };
            *n = r.round() as i64;
        }
        toml::Value::Float(f) => {
            *f = match how {
                How::Set => x,
                How::Scale => *f * x,
                How::Add => *f + x,
            }
        }
        toml::Value::Table(t) => match how {
            How::Scale => {
                for (k, val) in t.iter_mut() {
                    if SCALED.contains(&k.as_str()) {
                        scale_all(val, x);
                    }
                }
            }
            How::Add => {
                let off = t
                    .get("offset")
                    .and_then(|o| o.as_float().or(o.as_integer().map(|i| i as f64)))
                    .unwrap_or(0.0);
                t.insert("offset".into(), toml::Value::Float(off + x));
            }
            How::Set => {}
        },
        _ => {}
    }
}

fn scale_all(v: &mut toml::Value, x: f64) {
    match v {
        toml::Value::Integer(n) => *v = toml::Value::Float(*n as f64 * x),
        toml::Value::Float(f) => *f *= x,
        toml::Value::Array(a) => a.iter_mut().for_each(|e| scale_all(e, x)),
        _ => {}
    }
}

/// The scenario without its risk table, as a TOML value (what draws are applied to).
fn base_doc(s: &Scenario) -> Result<toml::Value, StudyError> {
    let mut plain = s.clone();
    plain.risk = None;
    toml::Value::try_from(&plain)
        .map_err(|e| study_error(format!("cannot represent the scenario as TOML: {e}")))
}

/// The scenario's TOML value for validation of the `[risk]` table.
pub(crate) fn doc_for_validation(s: &Scenario) -> Option<toml::Value> {
    base_doc(s).ok()
}

/// Evaluates the iterations `indices` (any order, any subset): each depends only on the
/// plan and its index. Returned in the order given.
pub fn iterations(
    plan: &RiskPlan,
    indices: &[u64],
    progress: &dyn Progress,
) -> Result<Vec<IterationRecord>, StudyError> {
    if let Some(&bad) = indices.iter().find(|&&i| i >= plan.planned()) {
        return Err(StudyError::usage(
            "--iterations",
            format!("iteration {bad} is beyond the {} planned", plan.planned()),
        ));
    }
    indices
        .par_iter()
        .map(|&i| {
            let r = plan.iteration(i);
            progress.advance(1);
            r
        })
        .collect()
}

/// `manto risk`: prepares the plan, runs the iterations (in blocks when a precision stop
/// is set, stopping at the first block boundary where every listed output's 95% CI
/// half-width is within tolerance) and summarises.
pub fn run(
    s: &Scenario,
    opts: RiskOptions,
    progress: &dyn Progress,
) -> Result<RiskResult, StudyError> {
    let plan = RiskPlan::prepare(s, opts, progress)?;
    let n = plan.planned();
    progress.phase(&format!("risk: {n} iterations"), n);
    let mut records: Vec<IterationRecord> = Vec::new();
    let block = plan.config.precision.as_ref().map_or(n, |p| p.check_every);
    let mut stopped_early = false;
    while (records.len() as u64) < n {
        let start = records.len() as u64;
        let end = (start + block).min(n);
        let idx: Vec<u64> = (start..end).collect();
        records.extend(iterations(&plan, &idx, progress)?);
        if let Some(p) = &plan.config.precision {
            if end < n && summary::precise_enough(&plan, &records, p) {
                stopped_early = true;
                break;
            }
        }
    }
    summarise_with(&plan, records, stopped_early)
}
