//! The pipeline: section study, life-of-mine trials and their schedule, the finance model
//! on the chosen production, the headline run with its plan-versus-table comparison, and
//! fleet sizing. Every function takes a validated [`Scenario`] (flags have become
//! overrides before it was loaded) and reports progress through [`Progress`].

use crate::error::StudyError;
use crate::production;
use crate::scenario::{Scenario, SectionSource};
use des::Summary;
use finance::config::ProductionSource;
use finance::{FinanceResult, ProductionProfile, SizedDebt};
use mine::fleet::{Sizing, SizingRequest};
use mine::schedule::{Schedule, ScheduleReplication};
use mine::section::{Replication, SectionReport};
use rayon::prelude::*;
use serde::Serialize;

/// Where long work reports how far it has got. Implementations must be cheap: `advance`
/// is called from worker threads.
pub trait Progress: Sync {
    /// A new phase of `total` steps starts.
    fn phase(&self, what: &str, total: u64);
    /// `n` more steps of the current phase are done.
    fn advance(&self, n: u64);
}

/// Progress that goes nowhere (tests, benches, quiet runs).
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// The section study: `simulation.replications` replications of one section. It is
/// [`section_summary`] of [`section_replications`] over every index, the split a sharded
/// run and `manto merge` use too.
pub fn section_study<S: SectionSource + ?Sized>(s: &S, progress: &dyn Progress) -> SectionReport {
    let all: Vec<u64> = (0..u64::from(s.section_parts().simulation.replications)).collect();
    section_summary(s, &section_replications(s, &all, progress))
}

/// Replications `indices` of the section study (each depends only on the scenario, the
/// seed and its index), in the order of `indices` whatever the thread count.
pub fn section_replications<S: SectionSource + ?Sized>(
    s: &S,
    indices: &[u64],
    progress: &dyn Progress,
) -> Vec<Replication> {
    let s = s.section_parts();
    progress.phase("section replications", indices.len() as u64);
    // With [ground], the section study runs in the classes' own shares (a manto's shares
    // apply to its panels in the schedule).
    let ground = s.ground.map(|g| mine::ground::Prepared::new(g, ""));
    indices
        .par_iter()
        .map(|&r| {
            let rep = mine::section::replication_in(
                s.section,
                s.calendar,
                s.simulation,
                r,
                ground.as_ref(),
            );
            progress.advance(1);
            rep
        })
        .collect()
}

/// The section report of a complete set of replications, in index order (pure).
pub fn section_summary<S: SectionSource + ?Sized>(s: &S, reps: &[Replication]) -> SectionReport {
    let s = s.section_parts();
    mine::section::summarise(s.name, reps, s.simulation, s.calendar, s.targets)
}

/// Trial `k` of the life of mine under `seed` (only its streams depend on `k`).
pub fn schedule_trial(s: &Scenario, seed: u64, k: u64) -> ScheduleReplication {
    mine::schedule::replication(&s.mine_model(), &s.schedule, seed, k)
}

/// Trials `0..schedule.replications` of the life of mine under `simulation.seed`, in
/// trial order whatever the thread count. Progress counts simulated years.
pub fn schedule_trials(s: &Scenario, progress: &dyn Progress) -> Vec<ScheduleReplication> {
    let all: Vec<u64> = (0..u64::from(s.schedule.replications)).collect();
    schedule_trials_for(s, &all, progress)
}

/// Trials `indices` of the life of mine under `simulation.seed`, in the order of `indices`
/// whatever the thread count (a shard's share; [`schedule_of`] aggregates a complete set).
pub fn schedule_trials_for(
    s: &Scenario,
    indices: &[u64],
    progress: &dyn Progress,
) -> Vec<ScheduleReplication> {
    progress.phase(
        &format!(
            "life of mine, {} replications x {} years",
            indices.len(),
            s.schedule.years
        ),
        indices.len() as u64 * u64::from(s.schedule.years),
    );
    indices
        .par_iter()
        .map(|&k| {
            mine::schedule::replication_with_progress(
                &s.mine_model(),
                &s.schedule,
                s.simulation.seed,
                k,
                &|| progress.advance(1),
            )
        })
        .collect()
}

/// The schedule of finished trials, a complete set in trial order: their means by quarter
/// and year (pure).
pub fn schedule_of(s: &Scenario, trials: &[ScheduleReplication]) -> Schedule {
    mine::schedule::aggregate(&s.mine_model(), s.simulation.seed, trials)
}

/// The life-of-mine schedule: `schedule.replications` trials, averaged.
pub fn schedule(s: &Scenario, progress: &dyn Progress) -> Schedule {
    schedule_of(s, &schedule_trials(s, progress))
}

/// One trial as a value: its schedule, the production the finance model sees, and the
/// finance model's result on it.
#[derive(Clone, Debug, Serialize)]
pub struct Trial {
    /// The simulated life of mine of this trial.
    pub replication: ScheduleReplication,
    /// Its quarterly production, as the finance model reads it.
    pub production: ProductionProfile,
    /// The finance model run on that production.
    pub finance: FinanceResult,
}

/// Trial `k` of scenario `s` under `seed`: simulate, convert, value.
pub fn trial(s: &Scenario, seed: u64, k: u64) -> Trial {
    let replication = schedule_trial(s, seed, k);
    let production = production::profile(&replication.quarters);
    let sized = banking_sizing(s, &production);
    value_trial(s, replication, production, &sized)
}

/// Values a trial's production with the debt already sized (sizing runs the finance
/// model several times: it is done once per study, not once per trial).
fn value_trial(
    s: &Scenario,
    replication: ScheduleReplication,
    production: ProductionProfile,
    sized: &SizedDebt,
) -> Trial {
    let finance = value(s, &production, sized);
    Trial {
        replication,
        production,
        finance,
    }
}

/// The debt as the banks size it, once, on the banking case: the scenario's production
/// table when it has one (for El Boleo, the DFS plan the lenders sized on), otherwise
/// `fallback` (the production being valued). Every other valuation (a trial, the mean
/// schedule, a bank case) holds this sizing fixed, so its DSCR follows from its own cash
/// flows instead of being re-sculpted to the target.
///
/// With `--hold-debt` ([`hold_debt`]) the scenario carries a sizing made beforehand, and
/// that is returned as it is.
pub fn banking_sizing(s: &Scenario, fallback: &ProductionProfile) -> SizedDebt {
    if let Some(held) = &s.held_debt {
        return held.clone();
    }
    let (mut sized, on) = match s.finance.production_table() {
        Some(table) => (
            finance::size_debt(&s.finance, &table),
            "the banking case (the scenario's production table)",
        ),
        None => (
            finance::size_debt(&s.finance, fallback),
            "the production valued (the scenario has no production table)",
        ),
    };
    sized.sized_on = on.to_string();
    sized
}

/// `--hold-debt`: sizes the debt on `base` (the scenario before its `--set` overrides) as
/// [`banking_sizing`] would, and makes `s` hold it, so a run with `--set` on a price or a
/// cost keeps the base case's loan and repayment profile instead of re-sizing (the basis
/// of the breakevens of `manto cases`). Without a production table the base scenario's
/// own production is simulated for the sizing.
pub fn hold_debt(s: &mut Scenario, base: &Scenario, progress: &dyn Progress) {
    let fallback = match base.finance.production_table() {
        Some(table) => table,
        None => scenario_production(base, progress).profile,
    };
    let mut sized = banking_sizing(base, &fallback);
    sized.sized_on = format!(
        "{}, held from the scenario before --set (--hold-debt)",
        sized.sized_on
    );
    s.held_debt = Some(sized);
}

/// The finance model on `production` with the debt sized as `sized`.
fn value(s: &Scenario, production: &ProductionProfile, sized: &SizedDebt) -> FinanceResult {
    finance::run_with_debt(&s.finance, production, sized)
}

/// The production the finance model values and where it came from.
#[derive(Clone, Debug)]
pub struct Production {
    /// Quarterly production.
    pub profile: ProductionProfile,
    /// `"schedule"` (the mean of the simulated trials) or `"table"` (the scenario's own).
    pub source: &'static str,
}

/// The production `finance.production_source` asks for; `schedule` is the simulated one
/// when the source is the schedule.
pub fn production_for(s: &Scenario, schedule: Option<&Schedule>) -> Production {
    match (s.finance.production_source, schedule) {
        (ProductionSource::Schedule, Some(sched)) => Production {
            profile: production::profile(&sched.quarters),
            source: "schedule",
        },
        // Validation guarantees the table exists when it is the source.
        _ => Production {
            profile: s.finance.production_table().unwrap_or_default(),
            source: "table",
        },
    }
}

/// The production the scenario asks the finance model to value (simulating the schedule
/// only when that is the source).
fn scenario_production(s: &Scenario, progress: &dyn Progress) -> Production {
    let schedule =
        (s.finance.production_source == ProductionSource::Schedule).then(|| schedule(s, progress));
    production_for(s, schedule.as_ref())
}

/// `manto finance`: the finance model on the production the scenario asks for, with the
/// debt sized on the banking case ([`banking_sizing`]).
pub fn finance_study(s: &Scenario, progress: &dyn Progress) -> FinanceResult {
    let p = scenario_production(s, progress).profile;
    value(s, &p, &banking_sizing(s, &p))
}

/// `manto finance --case NAME`: the finance model on the production the scenario asks
/// for, with one bank case applied and the debt sized on the banking case.
pub fn finance_case(
    s: &Scenario,
    name: &str,
    progress: &dyn Progress,
) -> Result<FinanceResult, StudyError> {
    let specs = finance::cases::all_cases(&s.finance);
    let Some(spec) = specs.iter().find(|c| c.name == name) else {
        let names: Vec<&str> = specs.iter().map(|c| c.name.as_str()).collect();
        return Err(StudyError::usage(
            "--case",
            format!("no case `{name}` (cases: {})", names.join(", ")),
        ));
    };
    let p = scenario_production(s, progress).profile;
    Ok(finance::cases::run_case(
        spec,
        &s.finance,
        &p,
        &banking_sizing(s, &p),
    ))
}

/// The bank cases of a scenario: every standard case and the scenario's own, run with the
/// debt sized on the base case, and the breakevens.
#[derive(Clone, Debug, Serialize)]
pub struct CasesResult {
    /// Scenario name.
    pub scenario: String,
    /// Production valued: "schedule" (mean of the trials) or "table".
    pub production_source: String,
    /// The DSCR the lock-up and default covenants test: "trailing-twelve-month" or
    /// "quarterly" (`finance.covenants.test_on`).
    pub covenant_test: String,
    /// The sensitivity table, base case first.
    pub cases: Vec<finance::cases::CaseResult>,
    /// Breakevens of the base case.
    pub breakevens: finance::cases::Breakevens,
}

/// `manto cases`: the sensitivity table and the breakevens on the scenario's production,
/// every case with the debt sized once on the banking case ([`banking_sizing`]), as
/// `manto finance --case` and `manto risk` size it.
pub fn cases(s: &Scenario, progress: &dyn Progress) -> CasesResult {
    cases_on(s, &scenario_production(s, progress))
}

/// The bank cases and breakevens on a production already at hand.
pub(crate) fn cases_on(s: &Scenario, p: &Production) -> CasesResult {
    let sized = banking_sizing(s, &p.profile);
    CasesResult {
        scenario: s.name.clone(),
        production_source: p.source.to_string(),
        covenant_test: match s.finance.covenants.test_on {
            finance::config::CovenantTest::TrailingTwelveMonths => "trailing-twelve-month",
            finance::config::CovenantTest::Quarter => "quarterly",
        }
        .into(),
        cases: finance::cases::run_cases_with_debt(&s.finance, &p.profile, &sized),
        breakevens: finance::cases::breakevens_with_debt(&s.finance, &p.profile, &sized),
    }
}

/// The NPV at one rate summarised across trials.
#[derive(Clone, Debug, Serialize)]
pub struct NpvSummary {
    /// Annual discount rate, %.
    pub discount_rate_pct: f64,
    /// Project NPV after tax across trials (mean and 95% CI of the mean), USD.
    pub project_after_tax_usd: Summary,
}

/// The headline figures of one trial's valuation.
#[derive(Clone, Debug, Serialize)]
pub struct TrialValue {
    /// Trial index.
    pub trial: u64,
    /// Plant feed over the life, dry t.
    pub plant_feed_dry_t: f64,
    /// Project NPV after tax at each configured rate (order of the scenario's rates), USD.
    pub project_npv_after_tax_usd: Vec<f64>,
    /// Project IRR after tax, % (none when undefined).
    pub project_irr_after_tax_pct: Option<f64>,
    /// Minimum senior DSCR (none without debt service).
    pub min_dscr: Option<f64>,
}

/// Every trial valued on its own: the spread of NPV, IRR and DSCR that the valuation of
/// the mean schedule hides.
#[derive(Clone, Debug, Serialize)]
pub struct TrialValuations {
    /// Trials valued.
    pub trials: usize,
    /// NPV at each rate across trials.
    pub npv: Vec<NpvSummary>,
    /// Project IRR after tax across the trials that have one, %.
    pub project_irr_after_tax_pct: Option<Summary>,
    /// Trials with no IRR.
    pub trials_without_irr: usize,
    /// Minimum DSCR across the trials that have one.
    pub min_dscr: Option<Summary>,
    /// Each trial's figures, in trial order.
    pub per_trial: Vec<TrialValue>,
}

impl TrialValuations {
    /// Summarises valued trials (in trial order).
    pub fn of(trials: &[Trial]) -> TrialValuations {
        let per_trial: Vec<TrialValue> = trials
            .iter()
            .map(|t| {
                let m = &t.finance.metrics;
                TrialValue {
                    trial: t.replication.trial,
                    plant_feed_dry_t: t.production.series(|p| p.plant_feed_dry_t).iter().sum(),
                    project_npv_after_tax_usd: m
                        .npv
                        .iter()
                        .map(|n| n.project_after_tax_usd)
                        .collect(),
                    project_irr_after_tax_pct: m.project_irr_after_tax_pct,
                    min_dscr: m.min_dscr,
                }
            })
            .collect();
        let some = |f: fn(&TrialValue) -> Option<f64>| -> Vec<f64> {
            per_trial.iter().filter_map(f).collect()
        };
        let summary = |v: Vec<f64>| (!v.is_empty()).then(|| Summary::of(&v));
        let irr = some(|t| t.project_irr_after_tax_pct);
        let rates = trials
            .first()
            .map(|t| t.finance.metrics.npv.clone())
            .unwrap_or_default();
        TrialValuations {
            trials: per_trial.len(),
            npv: rates
                .iter()
                .enumerate()
                .map(|(i, n)| NpvSummary {
                    discount_rate_pct: n.discount_rate_pct,
                    project_after_tax_usd: Summary::of(
                        &per_trial
                            .iter()
                            .map(|t| t.project_npv_after_tax_usd[i])
                            .collect::<Vec<_>>(),
                    ),
                })
                .collect(),
            trials_without_irr: per_trial.len() - irr.len(),
            project_irr_after_tax_pct: summary(irr),
            min_dscr: summary(some(|t| t.min_dscr)),
            per_trial,
        }
    }
}

/// Everything `manto run` computes.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// Scenario name.
    pub scenario: String,
    /// Where the finance model's production came from: "schedule" or "table".
    pub production_source: String,
    /// One section, replicated: rate, machine states, bottleneck.
    pub section: SectionReport,
    /// Life-of-mine schedule (mean of the trials).
    pub schedule: Schedule,
    /// The finance model on the production source: the mean schedule (labelled so in the
    /// headline) or the table.
    pub finance: FinanceResult,
    /// The same finance model run on the scenario's own production table (for El Boleo,
    /// the DFS production), when the main result used the schedule: plan against study.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finance_with_table: Option<FinanceResult>,
    /// Each schedule trial valued on its own.
    pub trial_valuations: TrialValuations,
}

/// The main job: section study, schedule trials (each valued), their mean schedule valued,
/// and the table valued beside it when the schedule is the source.
pub fn run(s: &Scenario, progress: &dyn Progress) -> RunResult {
    let section = section_study(s, progress);
    let trials = schedule_trials(s, progress);
    let schedule = schedule_of(s, &trials);
    let production = production_for(s, Some(&schedule));
    // One sizing for the whole study: the banking case, or the mean schedule without one.
    let sized = banking_sizing(s, &production.profile);
    let valued: Vec<Trial> = trials
        .into_par_iter()
        .map(|r| {
            let p = production::profile(&r.quarters);
            value_trial(s, r, p, &sized)
        })
        .collect();
    let finance = value(s, &production.profile, &sized);
    let finance_with_table = match (production.source, s.finance.production_table()) {
        ("schedule", Some(table)) => Some(value(s, &table, &sized)),
        _ => None,
    };
    RunResult {
        scenario: s.name.clone(),
        production_source: production.source.to_string(),
        section,
        schedule,
        finance,
        finance_with_table,
        trial_valuations: TrialValuations::of(&valued),
    }
}

/// Scenarios `manto size` sizes when none is named: trial-2 and trial-1 bolting.
pub const SIZE_DEFAULT_SCENARIOS: [&str; 2] = ["boleo", "boleo-trial1"];

/// What `manto size` asks beyond the scenario.
#[derive(Clone, Debug)]
pub struct SizeOptions {
    /// Plant feed target, Mt/y dry (default: each of the scenario's targets).
    pub target_dry_mtpa: Option<f64>,
    /// Probability the fleet must meet the target with.
    pub confidence: f64,
    /// Most roof bolters per section to try.
    pub max_bolters: u32,
    /// Most haulers per section to try.
    pub max_haulers: u32,
    /// Days simulated per section-year sample.
    pub days: u32,
    /// Warm-up days before each sample.
    pub warmup_days: u32,
}

impl SizeOptions {
    /// `manto size`'s defaults: each of the scenario's targets, 90% confidence, up to 3
    /// bolters and 4 haulers per section, [`SizingRequest`]'s default days and warm-up.
    pub const DEFAULT: SizeOptions = SizeOptions {
        target_dry_mtpa: None,
        confidence: 0.9,
        max_bolters: 3,
        max_haulers: 4,
        days: SizingRequest::DEFAULT_DAYS,
        warmup_days: SizingRequest::DEFAULT_WARMUP_DAYS,
    };

    /// The sizing request for scenario `s`, validated; a problem names the flag.
    pub fn request(&self, s: &Scenario) -> Result<SizingRequest, StudyError> {
        let req = SizingRequest {
            plant_feed_dry_t_per_year: self
                .target_dry_mtpa
                .map_or(s.targets.plant_feed_dry_t_per_year[0], |t| t * 1e6),
            underground_share_pct: s.targets.underground_share_pct,
            confidence: self.confidence,
            max_bolters: self.max_bolters,
            max_haulers: self.max_haulers,
            replications: s.simulation.replications,
            days: self.days,
            warmup_days: self.warmup_days,
            seed: s.simulation.seed,
        };
        match req.validate("").into_iter().next() {
            None => Ok(req),
            Some(p) => {
                let flag = match p.path.as_str() {
                    "plant_feed_dry_t_per_year" => "--target-dry-mtpa".to_string(),
                    "underground_share_pct" => "targets.underground_share_pct".to_string(),
                    other => format!("--{}", other.replace('_', "-")),
                };
                Err(StudyError::usage(flag, p.message))
            }
        }
    }
}

/// Fleet sizing of one scenario, for the target asked or each of the scenario's targets;
/// section-years come from `simulation.replications` replications under `simulation.seed`.
/// It is [`size_of`] of [`size_section_years`] over every unit ([`size_units`]), the split
/// a sharded run and `manto merge` use too.
pub fn size(
    s: &Scenario,
    o: &SizeOptions,
    progress: &dyn Progress,
) -> Result<Vec<Sizing>, StudyError> {
    let all: Vec<u64> = (0..size_units(s, o)?).collect();
    let years = size_section_years(s, o, &all, progress)?;
    size_of(s, o, &years)
}

/// Section-year units of fleet sizing `s` with `o` (checked): one per (per-section fleet,
/// replication), fleet-major ([`mine::fleet::section_year`]).
pub fn size_units(s: &Scenario, o: &SizeOptions) -> Result<u64, StudyError> {
    Ok(mine::fleet::units(&o.request(s)?))
}

/// Section-year units `indices` of fleet sizing `s` with `o` (each depends only on the
/// scenario, the seed, its fleet and its replication), in the order of `indices` whatever
/// the thread count.
pub fn size_section_years(
    s: &Scenario,
    o: &SizeOptions,
    indices: &[u64],
    progress: &dyn Progress,
) -> Result<Vec<f64>, StudyError> {
    let req = o.request(s)?;
    let total = mine::fleet::units(&req);
    if let Some(&i) = indices.iter().find(|&&i| i >= total) {
        return Err(StudyError::usage(
            "size",
            format!("section-year unit {i} of a study of {total}"),
        ));
    }
    progress.phase(&format!("sizing {}", s.name), indices.len() as u64);
    Ok(mine::fleet::section_years_for(
        &s.section,
        &s.calendar,
        &req,
        indices,
        &|| progress.advance(1),
    ))
}

/// The sizing of `s` with `o` from the complete, index-ordered section-year units
/// ([`size_section_years`] of `0..size_units`): the fleet search and the curve for each
/// target (pure, milliseconds).
pub fn size_of(s: &Scenario, o: &SizeOptions, years: &[f64]) -> Result<Vec<Sizing>, StudyError> {
    let req = o.request(s)?;
    let total = mine::fleet::units(&req);
    if years.len() as u64 != total {
        return Err(StudyError::usage(
            "size",
            format!("{} section-year units for a study of {total}", years.len()),
        ));
    }
    let targets: Vec<f64> = match o.target_dry_mtpa {
        Some(t) => vec![t * 1e6],
        None => s.targets.plant_feed_dry_t_per_year.clone(),
    };
    Ok(mine::fleet::size_from_section_years(
        &s.name, &s.section, &s.crew, &req, &targets, years,
    ))
}

/// The plan of a sharded `manto size` beyond its scenario: [`SizeOptions`] and the
/// replications, recorded in every part's `options` (as JSON, keys in this order) so
/// parts of different plans never merge. `replications` is also the scenario's
/// `simulation.replications`; it is repeated here so a mismatch names it.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizePlan {
    /// `--target-dry-mtpa` (null: each of the scenario's targets).
    pub target_dry_mtpa: Option<f64>,
    /// `--confidence`.
    pub confidence: f64,
    /// `--max-bolters`.
    pub max_bolters: u32,
    /// `--max-haulers`.
    pub max_haulers: u32,
    /// `--days`.
    pub days: u32,
    /// `--warmup-days`.
    pub warmup_days: u32,
    /// Section-years per per-section fleet (`simulation.replications`).
    pub replications: u32,
}

impl SizePlan {
    /// The plan of sizing `s` with `o`.
    pub fn new(s: &Scenario, o: &SizeOptions) -> SizePlan {
        SizePlan {
            target_dry_mtpa: o.target_dry_mtpa,
            confidence: o.confidence,
            max_bolters: o.max_bolters,
            max_haulers: o.max_haulers,
            days: o.days,
            warmup_days: o.warmup_days,
            replications: s.simulation.replications,
        }
    }

    /// As a part's `options` text: one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a size plan is plain JSON")
    }

    /// Reads a part's `options` text.
    pub fn parse(text: &str) -> Result<SizePlan, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The sizing options of the plan.
    pub fn options(&self) -> SizeOptions {
        SizeOptions {
            target_dry_mtpa: self.target_dry_mtpa,
            confidence: self.confidence,
            max_bolters: self.max_bolters,
            max_haulers: self.max_haulers,
            days: self.days,
            warmup_days: self.warmup_days,
        }
    }
}

/// What a study will cost before it runs, so a long run can say so first.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Section-days the DES will simulate.
    pub section_days: f64,
    /// CPU seconds at [`SECONDS_PER_SECTION_DAY`] (or, for a study that simulates no
    /// section-days, its own rate).
    pub cpu_seconds: f64,
    /// Memory the study holds beyond the program's own, bytes (0 when small).
    pub memory_bytes: f64,
}

/// CPU time of one simulated section-day of the default section, release build: a
/// section-year takes 28-43 ms in `cargo bench -p manto-study --bench section` (README).
pub const SECONDS_PER_SECTION_DAY: f64 = 1.2e-4;

impl Estimate {
    fn of(section_days: f64) -> Estimate {
        Estimate {
            section_days,
            cpu_seconds: section_days * SECONDS_PER_SECTION_DAY,
            memory_bytes: 0.0,
        }
    }

    /// Both together.
    pub fn plus(self, other: Estimate) -> Estimate {
        Estimate::of(self.section_days + other.section_days)
    }

    /// This estimate `k` times over.
    pub fn times(self, k: f64) -> Estimate {
        Estimate::of(self.section_days * k)
    }

    /// Wall-clock seconds on `threads` workers running `units` independent pieces.
    pub fn wall_seconds(&self, threads: usize, units: u64) -> f64 {
        let parallel = (threads as u64).min(units.max(1)).max(1) as f64;
        self.cpu_seconds / parallel
    }

    /// The section study of `s`.
    pub fn section<S: SectionSource + ?Sized>(s: &S) -> Estimate {
        let o = s.section_parts().simulation;
        Estimate::of(f64::from(o.replications) * f64::from(o.days + o.warmup_days))
    }

    /// The life-of-mine trials of `s` (every section working every year: an upper bound).
    pub fn schedule(s: &Scenario) -> Estimate {
        let sections = s.deposit.sections() as f64;
        Estimate::of(
            f64::from(s.schedule.replications) * f64::from(s.schedule.years) * 365.0 * sections,
        )
    }

    /// Fleet sizing of `s` with `o`.
    pub fn size(s: &Scenario, o: &SizeOptions) -> Estimate {
        let combos = f64::from(o.max_bolters) * f64::from(o.max_haulers);
        Estimate::of(
            combos * f64::from(s.simulation.replications) * f64::from(o.days + o.warmup_days),
        )
    }
}
