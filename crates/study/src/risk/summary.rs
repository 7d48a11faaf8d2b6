//! The risk study's statistics, from the iteration records in index order: each output's
//! mean (95% CI), spread and percentiles; the probabilities a lender asks for; histogram,
//! S-curve and fan-chart data; rank-correlation sensitivity with shares of variance; the
//! tornado; convergence. Percentiles interpolate linearly between order statistics (Excel's
//! PERCENTILE.INC); undefined values (no IRR, no DSCR) are left out and counted.

use super::sample::{percentile_sorted, spearman, Sampling};
use super::{IterationRecord, Precision, RiskPlan, FIXED_OUTPUTS};
use crate::error::StudyError;
use des::Summary;
use serde::{Deserialize, Serialize};

/// One output's distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputStats {
    /// Output name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Iterations where it is defined.
    pub defined: usize,
    /// Mean and its 95% CI.
    pub mean: Summary,
    /// Standard deviation.
    pub sd: f64,
    /// Percentiles P5, P10, P50, P90, P95.
    pub p5: f64,
    /// P10.
    pub p10: f64,
    /// P50.
    pub p50: f64,
    /// P90.
    pub p90: f64,
    /// P95.
    pub p95: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    /// The deterministic base case's value.
    pub base: f64,
}

/// A probability a lender asks for, with its Wilson 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probability {
    /// Short name.
    pub name: String,
    /// The event.
    pub description: String,
    /// Iterations where it happened.
    pub count: usize,
    /// Share of iterations.
    pub p: f64,
    /// Wilson 95% interval, low.
    pub ci95_low: f64,
    /// Wilson 95% interval, high.
    pub ci95_high: f64,
}

/// Histogram of one output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Output name.
    pub output: String,
    /// (low edge, high edge, count) per bin; 20 equal bins from min to max.
    pub bins: Vec<(f64, f64, usize)>,
}

/// S-curve (cumulative distribution) of one output: its percentiles 0, 1, ..., 100.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SCurve {
    /// Output name.
    pub output: String,
    /// (cumulative %, value).
    pub points: Vec<(f64, f64)>,
}

/// Fan-chart data of one calendar year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FanYear {
    /// Calendar year.
    pub year: i32,
    /// Plant feed P10, P50, P90, dry t.
    pub feed_dry_t: [f64; 3],
    /// Copper cathode P10, P50, P90, t.
    pub cu_t: [f64; 3],
    /// CFADS P10, P50, P90, USD.
    pub cfads_usd: [f64; 3],
    /// Annual DSCR P10, P50, P90 (over iterations with debt service that year).
    pub dscr: [f64; 3],
}

/// One input's rank correlation with an output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityEntry {
    /// Input (or `<product> price`, the average over the operating years).
    pub input: String,
    /// Spearman rank correlation with the output.
    pub spearman: f64,
    /// ρ² / Σρ², %: the share of the output's variance attributed to the input (the
    /// rank-correlation approximation @RISK's "contribution to variance" uses).
    pub share_of_variance_pct: f64,
}

/// Sensitivity of one output, largest |ρ| first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Output name.
    pub output: String,
    /// Inputs.
    pub entries: Vec<SensitivityEntry>,
}

/// One tornado bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// Input (or [`price_deck_label`]: a price process's whole deck).
    pub input: String,
    /// Unit of `input_p10` and `input_p90` (`× base` for a scaled input; a price deck's
    /// unit for its first year's price).
    pub input_unit: String,
    /// The input at its P10 (for a price: the first year's P10 price).
    pub input_p10: f64,
    /// The input at its P90.
    pub input_p90: f64,
    /// Output with the input at its P10, the others at base.
    pub output_at_p10: f64,
    /// Output with the input at its P90.
    pub output_at_p90: f64,
    /// |P90 − P10| of the output.
    pub swing: f64,
}

/// Tornado of one output, largest swing first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tornado {
    /// Output name.
    pub output: String,
    /// The output at the base case.
    pub base: f64,
    /// Bars.
    pub bars: Vec<TornadoBar>,
}

/// A headline statistic after the first `iterations` iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Convergence {
    /// Iterations counted.
    pub iterations: usize,
    /// Headline NPV mean.
    pub npv_mean_usd: f64,
    /// Its 95% CI half-width, % of |mean|.
    pub npv_ci_half_width_pct: f64,
    /// Headline NPV P10.
    pub npv_p10_usd: f64,
    /// Headline NPV P90.
    pub npv_p90_usd: f64,
    /// P(headline NPV < 0).
    pub p_npv_negative: f64,
    /// Mean minimum DSCR.
    pub min_dscr_mean: f64,
}

/// One input as drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSummary {
    /// Name.
    pub name: String,
    /// Key.
    pub key: String,
    /// set, scale or add.
    pub how: String,
    /// The distribution as written.
    pub distribution: String,
    /// Source.
    pub source: String,
    /// Base value.
    pub base: f64,
    /// Mean of the draws.
    pub mean: f64,
    /// P10 of the draws.
    pub p10: f64,
    /// P50.
    pub p50: f64,
    /// P90.
    pub p90: f64,
}

/// A rank correlation asked for in `[risk.correlation]` and the one the draws reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankCorrelation {
    /// First input.
    pub a: String,
    /// Second input.
    pub b: String,
    /// The target (Spearman rank correlation).
    pub target: f64,
    /// Spearman rank correlation of the drawn values over the iterations run (ties in an
    /// empirical distribution keep it below the target).
    pub achieved: f64,
}

/// The tornado's label of a price process's bars: the whole deck at one quantile.
pub fn price_deck_label(product: &str) -> String {
    format!("{product} price, every year at P10 / P90")
}

/// The sensitivity's label of a price process: the average price an iteration drew over
/// the base case's operating years.
pub fn price_average_label(product: &str) -> String {
    format!("{product} price, operating-years average")
}

/// Everything `manto risk` reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RiskResult {
    /// Scenario name.
    pub scenario: String,
    /// The date the study stands at.
    pub dated: String,
    /// Base seed.
    pub seed: u64,
    /// `latin_hypercube` or `monte_carlo`.
    pub sampling: String,
    /// What the sampling stratifies and what it does not, in words.
    pub sampling_note: String,
    /// Each target of `[risk.correlation]` beside the rank correlation achieved.
    pub correlations: Vec<RankCorrelation>,
    /// `fast` (shift pool + DES probe) or `exact` (full DES per iteration).
    pub mine_path: String,
    /// Iterations planned.
    pub iterations_planned: u64,
    /// Iterations run.
    pub iterations: usize,
    /// True when the precision stop ended the run early.
    pub stopped_early: bool,
    /// The headline NPV's name (8% when the scenario has it).
    pub headline_npv: String,
    /// The debt as sized once on the banking case, USD per facility.
    pub sized_debt_usd: Vec<(String, f64)>,
    /// Inputs.
    pub inputs: Vec<InputSummary>,
    /// Price processes.
    pub prices: Vec<super::PriceProcess>,
    /// Outputs.
    pub outputs: Vec<OutputStats>,
    /// Probabilities.
    pub probabilities: Vec<Probability>,
    /// Histograms of the headline NPV and the minimum DSCR.
    pub histograms: Vec<Histogram>,
    /// S-curves of the same.
    pub s_curves: Vec<SCurve>,
    /// Fan-chart data by calendar year.
    pub by_year: Vec<FanYear>,
    /// Rank-correlation sensitivity of the headline NPV and the minimum DSCR.
    pub sensitivity: Vec<Sensitivity>,
    /// Tornado of the headline NPV and the minimum DSCR.
    pub tornado: Vec<Tornado>,
    /// Convergence of the headline statistics.
    pub convergence: Vec<Convergence>,
    /// The fast path's set-up (absent with --exact or a production table).
    pub fast_path: Option<super::FastPathInfo>,
    /// Every iteration (written by `--iterations-csv`, not in the JSON).
    #[serde(skip)]
    pub records: Vec<IterationRecord>,
    /// Input names then price names, the columns of `records` (for the CSV).
    #[serde(skip)]
    pub output_names: Vec<String>,
}

fn column(records: &[IterationRecord], k: usize) -> Vec<f64> {
    records.iter().map(|r| r.outputs[k]).collect()
}

fn sorted_finite(v: &[f64]) -> Vec<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    s
}

fn stats(name: &str, description: &str, v: &[f64], base: f64) -> OutputStats {
    let s = sorted_finite(v);
    let n = s.len();
    let mean = Summary::of(&s);
    let sd = if n > 1 {
        (s.iter().map(|x| (x - mean.mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let p = |q| percentile_sorted(&s, q);
    OutputStats {
        name: name.into(),
        description: description.into(),
        defined: n,
        mean,
        sd,
        p5: p(0.05),
        p10: p(0.10),
        p50: p(0.50),
        p90: p(0.90),
        p95: p(0.95),
        min: s.first().copied().unwrap_or(f64::NAN),
        max: s.last().copied().unwrap_or(f64::NAN),
        base,
    }
}

/// Wilson score interval of `k` successes in `n`.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.959_963_984_540_054);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

fn headline_index(names: &[String]) -> usize {
    names.iter().position(|n| n == "npv8_usd").unwrap_or(0)
}

fn idx(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).expect("known output")
}

/// True when every output of `p` has a 95% CI half-width within tolerance (and at least
/// `min_iterations` have run).
pub(crate) fn precise_enough(plan: &RiskPlan, records: &[IterationRecord], p: &Precision) -> bool {
    if (records.len() as u64) < p.min_iterations {
        return false;
    }
    p.outputs.iter().all(|name| {
        let k = idx(&plan.outputs, name);
        let s = Summary::of(&sorted_finite(&column(records, k)));
        let half = 0.5 * (s.ci95_high - s.ci95_low);
        s.mean != 0.0 && half <= p.tolerance_pct / 100.0 * s.mean.abs()
    })
}

/// The study's statistics from its records (index order), as a complete run gives them.
pub fn summarise(plan: &RiskPlan, records: Vec<IterationRecord>) -> Result<RiskResult, StudyError> {
    summarise_with(plan, records, false)
}

/// [`summarise`], saying whether the precision stop ended the run.
pub fn summarise_with(
    plan: &RiskPlan,
    records: Vec<IterationRecord>,
    stopped_early: bool,
) -> Result<RiskResult, StudyError> {
    let names = &plan.outputs;
    let n_rates = names.len() - FIXED_OUTPUTS.len();
    let describe = |k: usize| -> String {
        if k < n_rates {
            format!(
                "project NPV after tax at {}",
                names[k]
                    .trim_start_matches("npv")
                    .trim_end_matches("_usd")
                    .to_string()
                    + "%"
            )
        } else {
            FIXED_OUTPUTS[k - n_rates].1.to_string()
        }
    };
    let base = plan.base()?;
    let outputs: Vec<OutputStats> = (0..names.len())
        .map(|k| {
            stats(
                &names[k],
                &describe(k),
                &column(&records, k),
                base.outputs[k],
            )
        })
        .collect();
    let h = headline_index(names);
    let n = records.len();
    let count = |f: &dyn Fn(&IterationRecord) -> bool| records.iter().filter(|r| f(r)).count();
    let o = |r: &IterationRecord, name: &str| r.outputs[idx(names, name)];
    let lock_up = plan.scenario.finance.covenants.lock_up_dscr;
    let ttm = plan.scenario.finance.covenants.test_on
        == finance::config::CovenantTest::TrailingTwelveMonths;
    let basis = if ttm {
        "trailing twelve months"
    } else {
        "the quarter's"
    };
    let overrun_commitment: f64 = plan
        .scenario
        .finance
        .facilities
        .iter()
        .filter(|f| f.kind == finance::config::FacilityKind::CostOverrun)
        .map(|f| f.commitment_usd)
        .sum();
    let events: Vec<(&str, String, usize)> = vec![
        (
            "npv_negative",
            format!("{} below zero", describe(h)),
            count(&|r| r.outputs[h] < 0.0),
        ),
        (
            "dscr_below_lock_up",
            format!(
                "distributions locked up: the covenant's DSCR ({basis}) below the lock-up level ({lock_up}) in at least one quarter"
            ),
            count(&|r| o(r, "lock_up_quarters") > 0.0),
        ),
        (
            "quarter_dscr_below_lock_up",
            format!(
                "a single quarter's DSCR below the lock-up level ({lock_up}){}",
                if ttm { " (not the covenant's test: it tests trailing twelve months)" } else { " (the covenant's test)" }
            ),
            count(&|r| o(r, "min_dscr") < lock_up),
        ),
        (
            "event_of_default",
            format!("an event of default: the covenant's DSCR ({basis}) below the minimum or debt service unpaid"),
            count(&|r| o(r, "default_quarters") > 0.0 || o(r, "payment_default_quarters") > 0.0),
        ),
        (
            "overrun_facility_exhausted",
            "the cost overrun facility drawn in full".into(),
            count(&|r| {
                overrun_commitment > 0.0
                    && o(r, "overrun_facility_drawn_usd") >= overrun_commitment - 1.0
            }),
        ),
        (
            "funding_shortfall",
            "a funding shortfall (uses beyond all committed sources)".into(),
            count(&|r| o(r, "funding_shortfall_usd") > 1.0),
        ),
        (
            "loan_not_repaid",
            "a loan not repaid by its maturity".into(),
            count(&|r| o(r, "debt_outstanding_at_maturity_usd") > 1.0),
        ),
    ];
    let probabilities = events
        .into_iter()
        .map(|(name, description, k)| {
            let (lo, hi) = wilson(k, n);
            Probability {
                name: name.into(),
                description,
                count: k,
                p: if n > 0 { k as f64 / n as f64 } else { 0.0 },
                ci95_low: lo,
                ci95_high: hi,
            }
        })
        .collect();
    let key_outputs = [h, idx(names, "min_dscr")];
    let histograms = key_outputs
        .iter()
        .map(|&k| {
            let s = sorted_finite(&column(&records, k));
            let (lo, hi) = (
                s.first().copied().unwrap_or(0.0),
                s.last().copied().unwrap_or(0.0),
            );
            let w = (hi - lo) / 20.0;
            let mut bins: Vec<(f64, f64, usize)> = (0..20)
                .map(|b| (lo + w * b as f64, lo + w * (b + 1) as f64, 0))
                .collect();
            for x in &s {
                let b = if w > 0.0 {
                    (((x - lo) / w) as usize).min(19)
                } else {
                    0
                };
                bins[b].2 += 1;
            }
            Histogram {
                output: names[k].clone(),
                bins,
            }
        })
        .collect();
    let s_curves = key_outputs
        .iter()
        .map(|&k| {
            let s = sorted_finite(&column(&records, k));
            SCurve {
                output: names[k].clone(),
                points: (0..=100)
                    .map(|q| (q as f64, percentile_sorted(&s, q as f64 / 100.0)))
                    .collect(),
            }
        })
        .collect();
    let by_year = fan(&records);
    let mut sources: Vec<(String, Vec<f64>)> = plan
        .config
        .inputs
        .iter()
        .enumerate()
        .map(|(j, i)| {
            (
                i.name.clone(),
                records.iter().map(|r| r.inputs[j]).collect(),
            )
        })
        .collect();
    for (k, p) in plan.config.prices.iter().enumerate() {
        sources.push((
            price_average_label(&p.product),
            records.iter().map(|r| r.avg_prices[k]).collect(),
        ));
    }
    let sensitivity = key_outputs
        .iter()
        .map(|&k| {
            let y = column(&records, k);
            let rho: Vec<f64> = sources.iter().map(|(_, x)| spearman(x, &y)).collect();
            let total: f64 = rho.iter().map(|r| r * r).sum();
            let mut entries: Vec<SensitivityEntry> = sources
                .iter()
                .zip(&rho)
                .map(|((name, _), &r)| SensitivityEntry {
                    input: name.clone(),
                    spearman: r,
                    share_of_variance_pct: if total > 0.0 {
                        100.0 * r * r / total
                    } else {
                        0.0
                    },
                })
                .collect();
            entries.sort_by(|a, b| b.spearman.abs().total_cmp(&a.spearman.abs()));
            Sensitivity {
                output: names[k].clone(),
                entries,
            }
        })
        .collect();
    let runs = plan.tornado_runs()?;
    let tornado = key_outputs
        .iter()
        .map(|&k| {
            let mut bars: Vec<TornadoBar> = runs
                .iter()
                .map(|(name, xl, xh, rl, rh)| TornadoBar {
                    input: name.clone(),
                    input_unit: unit_of_input(plan, name),
                    input_p10: *xl,
                    input_p90: *xh,
                    output_at_p10: rl.outputs[k],
                    output_at_p90: rh.outputs[k],
                    swing: (rh.outputs[k] - rl.outputs[k]).abs(),
                })
                .collect();
            bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
            Tornado {
                output: names[k].clone(),
                base: base.outputs[k],
                bars,
            }
        })
        .collect();
    let convergence = convergence_points(n)
        .into_iter()
        .map(|m| {
            let part = &records[..m];
            let npv = sorted_finite(&column(part, h));
            let s = Summary::of(&npv);
            let dscr = sorted_finite(&column(part, idx(names, "min_dscr")));
            Convergence {
                iterations: m,
                npv_mean_usd: s.mean,
                npv_ci_half_width_pct: if s.mean != 0.0 {
                    100.0 * 0.5 * (s.ci95_high - s.ci95_low) / s.mean.abs()
                } else {
                    f64::NAN
                },
                npv_p10_usd: percentile_sorted(&npv, 0.1),
                npv_p90_usd: percentile_sorted(&npv, 0.9),
                p_npv_negative: npv.iter().filter(|x| **x < 0.0).count() as f64
                    / npv.len().max(1) as f64,
                min_dscr_mean: Summary::of(&dscr).mean,
            }
        })
        .collect();
    let inputs = plan
        .config
        .inputs
        .iter()
        .enumerate()
        .map(|(j, i)| {
            let s = sorted_finite(&records.iter().map(|r| r.inputs[j]).collect::<Vec<_>>());
            InputSummary {
                name: i.name.clone(),
                key: i.key.clone(),
                how: format!("{:?}", i.how).to_lowercase(),
                distribution: i.value.to_string(),
                source: i.source.clone(),
                base: plan.base_values[j],
                mean: Summary::of(&s).mean,
                p10: percentile_sorted(&s, 0.1),
                p50: percentile_sorted(&s, 0.5),
                p90: percentile_sorted(&s, 0.9),
            }
        })
        .collect();
    let correlations = match &plan.config.correlation {
        Some(c) => {
            let drawn = |name: &str| -> Vec<f64> {
                let j = plan
                    .config
                    .inputs
                    .iter()
                    .position(|i| i.name == name)
                    .expect("validated");
                records.iter().map(|r| r.inputs[j]).collect()
            };
            let mut v = Vec::new();
            for a in 0..c.names.len() {
                for b in a + 1..c.names.len() {
                    v.push(RankCorrelation {
                        a: c.names[a].clone(),
                        b: c.names[b].clone(),
                        target: c.matrix[a][b],
                        achieved: spearman(&drawn(&c.names[a]), &drawn(&c.names[b])),
                    });
                }
            }
            v
        }
        None => Vec::new(),
    };
    let n_inputs = plan.config.inputs.len();
    let sampling_note = match (plan.config.sampling, plan.config.prices.is_empty()) {
        (Sampling::LatinHypercube, false) => format!(
            "Latin hypercube stratifies the {n_inputs} drawn inputs; the metal price paths' annual shocks are not stratified (independent normal draws per iteration, plain Monte Carlo)"
        ),
        (Sampling::LatinHypercube, true) => {
            format!("Latin hypercube stratifies the {n_inputs} drawn inputs")
        }
        (Sampling::MonteCarlo, _) => {
            "plain Monte Carlo: independent draws for every input and price shock".into()
        }
    };
    Ok(RiskResult {
        scenario: plan.scenario.name.clone(),
        dated: plan.config.dated.clone(),
        seed: plan.seed,
        sampling: plan.config.sampling.as_str().into(),
        sampling_note,
        correlations,
        mine_path: if plan.exact {
            "exact"
        } else if plan.fast_path_info().is_some() {
            "fast"
        } else {
            "table"
        }
        .into(),
        iterations_planned: plan.planned(),
        iterations: n,
        stopped_early,
        headline_npv: names[h].clone(),
        sized_debt_usd: plan.sized_amounts(),
        inputs,
        prices: plan.config.prices.clone(),
        outputs,
        probabilities,
        histograms,
        s_curves,
        by_year,
        sensitivity,
        tornado,
        convergence,
        fast_path: plan.fast_path_info(),
        output_names: names.clone(),
        records,
    })
}

/// The unit of a drawn input (by its key and how it is applied) or of a price deck.
fn unit_of_input(plan: &RiskPlan, name: &str) -> String {
    if let Some(k) = plan
        .config
        .prices
        .iter()
        .position(|p| price_deck_label(&p.product) == name)
    {
        return match plan.price_keys[k] {
            "price_usd_per_lb" => "US$/lb, first year",
            _ => "US$/t, first year",
        }
        .into();
    }
    let Some(inp) = plan.config.inputs.iter().find(|i| i.name == name) else {
        return String::new();
    };
    if inp.how == super::How::Scale {
        return "× base".into();
    }
    let leaf = inp.key.rsplit('.').next().unwrap_or(&inp.key);
    const UNITS: [(&str, &str); 12] = [
        ("mxn_per_usd", "MXN/US$"),
        ("_t_per_min", "t/min"),
        ("_factor", "factor"),
        ("_quarters", "quarters"),
        ("_pct", "%"),
        ("_usd", "US$"),
        ("_min", "min"),
        ("_days", "days"),
        ("_h", "h"),
        ("_m", "m"),
        ("_t", "t"),
        ("_kg", "kg"),
    ];
    UNITS
        .iter()
        .find(|(suffix, _)| leaf.ends_with(suffix))
        .map_or(String::new(), |(_, u)| (*u).to_string())
}

/// 50, 100, 200, ... up to n, and n itself.
fn convergence_points(n: usize) -> Vec<usize> {
    let mut v = Vec::new();
    let mut m = 50;
    while m < n {
        v.push(m);
        m *= 2;
    }
    if n > 0 {
        v.push(n);
    }
    v
}

fn fan(records: &[IterationRecord]) -> Vec<FanYear> {
    let (Some(y0), Some(y1)) = (
        records.iter().map(|r| r.first_year).min(),
        records
            .iter()
            .map(|r| r.first_year + r.feed_dry_t.len() as i32 - 1)
            .max(),
    ) else {
        return Vec::new();
    };
    (y0..=y1)
        .map(|y| {
            let at = |f: &dyn Fn(&IterationRecord) -> &Vec<f64>, missing: f64| -> Vec<f64> {
                records
                    .iter()
                    .map(|r| {
                        let k = y - r.first_year;
                        if k < 0 {
                            missing
                        } else {
                            f(r).get(k as usize).copied().unwrap_or(missing)
                        }
                    })
                    .collect()
            };
            let q3 = |v: Vec<f64>| {
                let s = sorted_finite(&v);
                [
                    percentile_sorted(&s, 0.1),
                    percentile_sorted(&s, 0.5),
                    percentile_sorted(&s, 0.9),
                ]
            };
            FanYear {
                year: y,
                feed_dry_t: q3(at(&|r| &r.feed_dry_t, 0.0)),
                cu_t: q3(at(&|r| &r.cu_t, 0.0)),
                cfads_usd: q3(at(&|r| &r.cfads_usd, 0.0)),
                dscr: q3(at(&|r| &r.dscr, f64::NAN)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_a_published_value() {
        // Wilson (1927) as tabulated by Newcombe (1998), example: 81 of 263 ->
        // 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263);
        assert!((lo - 0.2553).abs() < 5e-4, "{lo}");
        assert!((hi - 0.3662).abs() < 5e-4, "{hi}");
    }
}
