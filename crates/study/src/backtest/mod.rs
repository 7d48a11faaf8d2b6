//! Back-testing: what happened placed on a risk study's distribution, as a weather forecast
//! is checked against the weather.
//!
//! Inputs: the risk study's records (one [`IterationRecord`] per iteration, index order:
//! from [`crate::risk::iterations`] or merged from shards) and an actuals file
//! ([`actuals`]: each actual names a quantity the study reports, its period, value, unit,
//! source and the date it became known). For each actual: its **percentile** (mid-rank,
//! ties counted half), said plainly to be outside the support when no iteration reaches
//! it, with the nearest iteration's value; the ensemble **CRPS** and, where a kernel
//! density is defined at the actual, the **log score**. Over all actuals jointly: the
//! **iterations nearest the actual path** (root-mean-square standardised distance) and
//! what their drawn inputs had in common against the population; and a **calibration**
//! summary: the PIT histogram, the count outside P1–P99 and P5–P95 against a calibrated
//! model's binomial, a chi-square test of a flat PIT. Before anything, the **hindsight
//! lint** ([`lint`]): a study dated `YYYY-MM` that cites or builds in later knowledge is
//! refused unless the caller allows it, and the result then says so.
//!
//! docs/backtest.md gives the method, the scoring rules and the file format.

pub mod actuals;
pub mod lint;
pub mod score;

pub use actuals::{Actual, Catalogue, Quantity, FIRST_COPPER, SERIES};
pub use lint::{Hindsight, Kind};

use crate::error::StudyError;
use crate::risk::{IterationRecord, RiskPlan};
use serde::{Deserialize, Serialize};

/// The bundled El Boleo actuals (`scenarios/actuals-boleo.toml`).
pub const BUNDLED_ACTUALS: &str = include_str!("../../../../scenarios/actuals-boleo.toml");

/// Its name in messages.
pub const BUNDLED_ACTUALS_NAME: &str = "<bundled actuals-boleo.toml>";

/// The study `manto backtest` runs when none is named.
pub const DEFAULT_SCENARIO: &str = "boleo-risk";

/// What the back-test is run on besides its records.
#[derive(Clone, Debug, Default)]
pub struct Setting {
    /// Scenario name.
    pub scenario: String,
    /// The study's date (`risk.dated`).
    pub dated: String,
    /// Base seed.
    pub seed: u64,
    /// Drawn inputs' names (the records' `inputs` order).
    pub input_names: Vec<String>,
    /// Price processes' products (the records' `avg_prices` order).
    pub price_names: Vec<String>,
    /// The actuals file as named.
    pub actuals_file: String,
    /// The hindsight the lint found.
    pub hindsight: Vec<Hindsight>,
    /// True when run with hindsight allowed.
    pub allow_hindsight: bool,
}

impl Setting {
    /// The setting of `plan`'s study.
    pub fn of(
        plan: &RiskPlan,
        actuals_file: &str,
        hindsight: Vec<Hindsight>,
        allow: bool,
    ) -> Setting {
        Setting {
            scenario: plan.scenario.name.clone(),
            dated: plan.config.dated.clone(),
            seed: plan.seed,
            input_names: plan.config.inputs.iter().map(|i| i.name.clone()).collect(),
            price_names: plan
                .config
                .prices
                .iter()
                .map(|p| format!("{} price", p.product))
                .collect(),
            actuals_file: actuals_file.to_string(),
            hindsight,
            allow_hindsight: allow,
        }
    }
}

/// Where an actual falls when no iteration reaches it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outside {
    /// `below` or `above` every iteration.
    pub side: String,
    /// The nearest iteration's value.
    pub nearest: f64,
    /// That iteration's index.
    pub nearest_iteration: u64,
}

/// A fan-chart year of a series: its percentiles over the iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FanPoint {
    /// Calendar year.
    pub year: i32,
    /// P5, P25, P50, P75, P95.
    pub p: [f64; 5],
}

/// One actual on the study's distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActualResult {
    /// The actual as given.
    pub actual: Actual,
    /// Iterations where the quantity is defined.
    pub iterations: usize,
    /// Mid-rank percentile, 0–100 (ties counted half).
    pub percentile: f64,
    /// Set when no iteration reaches the actual.
    pub outside: Option<Outside>,
    /// Min, P1, P5, P50, P95, P99, max of the iterations.
    pub min: f64,
    /// P1.
    pub p1: f64,
    /// P5.
    pub p5: f64,
    /// P50.
    pub p50: f64,
    /// P95.
    pub p95: f64,
    /// P99.
    pub p99: f64,
    /// Max.
    pub max: f64,
    /// Ensemble standard deviation.
    pub sd: f64,
    /// CRPS in the quantity's unit.
    pub crps: f64,
    /// CRPS over the ensemble standard deviation (comparable across quantities).
    pub crps_per_sd: f64,
    /// −ln of the kernel density at the actual, when defined.
    pub log_score: Option<f64>,
    /// Why the log score is undefined, or the kernel bandwidth used.
    pub log_score_note: String,
    /// The ensemble's quantiles at 0, 1, ..., 100% (the S-curve).
    pub s_curve: Vec<f64>,
    /// For a series: the fan of its years.
    pub fan: Vec<FanPoint>,
}

impl ActualResult {
    /// Where the actual falls, in words: `P97.4`, or outside the support with the nearest
    /// iteration's value.
    pub fn place(&self) -> String {
        match &self.outside {
            Some(o) => format!(
                "outside the support: {} every iteration (nearest {})",
                o.side,
                des::input::fmt_num(round_sig(o.nearest))
            ),
            None => format!("P{:.1}", self.percentile),
        }
    }
}

fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let d = 4 - v.abs().log10().floor() as i32 - 1;
    let f = 10f64.powi(d.max(0));
    (v * f).round() / f
}

/// A drawn input (or average price) among the nearest iterations against the population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shared {
    /// Input or price name.
    pub name: String,
    /// Its mean over every iteration.
    pub population_mean: f64,
    /// Its mean over the nearest iterations.
    pub nearest_mean: f64,
    /// The nearest iterations' mean mid-rank percentile of it in the population (50: no
    /// different from any iterations; near 0 or 100: what they had in common).
    pub nearest_percentile: f64,
}

/// The iterations nearest the actual path over all actuals jointly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nearest {
    /// How many are kept: max(10, 1% of the iterations), at most all.
    pub k: usize,
    /// Actuals that count (those whose ensemble has spread).
    pub actuals_used: usize,
    /// (iteration, RMS standardised distance), nearest first.
    pub iterations: Vec<(u64, f64)>,
    /// Inputs and prices, most different from the population first.
    pub shared: Vec<Shared>,
}

/// A count of actuals outside a central band against what a calibrated model gives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// `P1-P99` or `P5-P95`.
    pub band: String,
    /// Actuals outside it.
    pub count: u64,
    /// Expected under calibration: actuals × the band's outside probability.
    pub expected: f64,
    /// 95% binomial interval of the count under calibration.
    pub interval: (u64, u64),
}

/// The calibration summary over all actuals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Actuals scored.
    pub actuals: usize,
    /// PIT histogram: counts in ten equal bins of [0, 1].
    pub pit_histogram: Vec<u64>,
    /// Count per bin a flat PIT gives.
    pub pit_expected_per_bin: f64,
    /// Outside P1–P99 and P5–P95.
    pub bands: Vec<Band>,
    /// Chi-square test of a flat PIT over the ten bins: statistic, df, p-value.
    pub pit_chi_square: (f64, f64, f64),
    /// True when each bin expects at least 5 actuals (the chi-square approximation holds).
    pub chi_square_valid: bool,
    /// Mean CRPS over the ensemble sd.
    pub mean_crps_per_sd: f64,
    /// Mean log score over the actuals where it is defined, and how many.
    pub mean_log_score: Option<f64>,
    /// Actuals with a defined log score.
    pub log_scored: usize,
}

/// `manto backtest`'s result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestResult {
    /// Scenario name.
    pub scenario: String,
    /// The study's date.
    pub dated: String,
    /// Seed.
    pub seed: u64,
    /// Iterations.
    pub iterations: usize,
    /// The actuals file.
    pub actuals_file: String,
    /// True when the study was run with hindsight allowed (`--allow-hindsight`).
    pub hindsight_allowed: bool,
    /// The hindsight the lint found (empty: lint-clean).
    pub hindsight: Vec<Hindsight>,
    /// Each actual.
    pub actuals: Vec<ActualResult>,
    /// The nearest futures.
    pub nearest: Nearest,
    /// Calibration.
    pub calibration: Calibration,
}

impl BacktestResult {
    /// What every output says about hindsight: `None` when lint-clean.
    pub fn hindsight_note(&self) -> Option<String> {
        if self.hindsight.is_empty() {
            if self.dated.is_empty() {
                return Some(
                    "the study is undated (no risk.dated): it was not checked for hindsight".into(),
                );
            }
            return None;
        }
        Some(format!(
            "HINDSIGHT ALLOWED (--allow-hindsight): the study dated {} uses {} item(s) known only later; this back-test is not out of sample",
            self.dated,
            self.hindsight.len()
        ))
    }
}

/// The value of `q` in record `r`; NaN where undefined.
pub fn value_of(q: &Quantity, r: &IterationRecord) -> f64 {
    match q {
        Quantity::Output { index } => r.outputs.get(*index).copied().unwrap_or(f64::NAN),
        Quantity::Input { index, rounded } => {
            let x = r.inputs.get(*index).copied().unwrap_or(f64::NAN);
            if *rounded {
                x.round().max(0.0)
            } else {
                x
            }
        }
        Quantity::Series { index, year } => {
            let s = series(r, *index);
            let k = i64::from(*year) - i64::from(r.first_year);
            if k < 0 || k as usize >= s.len() {
                if *index == 3 {
                    f64::NAN
                } else {
                    0.0
                }
            } else {
                s[k as usize]
            }
        }
        Quantity::FirstCopperYear => r
            .cu_t
            .iter()
            .position(|t| *t > 0.0)
            .map_or(f64::NAN, |k| f64::from(r.first_year) + k as f64),
    }
}

fn series(r: &IterationRecord, index: usize) -> &[f64] {
    match index {
        0 => &r.cu_t,
        1 => &r.feed_dry_t,
        2 => &r.cfads_usd,
        _ => &r.dscr,
    }
}

/// Runs the study's iterations and the back-test: the library form of `manto backtest`.
/// The lint is the caller's (it runs before the actuals are read).
pub fn run(
    plan: &RiskPlan,
    actuals: &[Actual],
    setting: Setting,
    progress: &dyn crate::Progress,
) -> Result<BacktestResult, StudyError> {
    let n = plan.planned();
    progress.phase(&format!("backtest: {n} iterations"), n);
    let idx: Vec<u64> = (0..n).collect();
    let records = crate::risk::iterations(plan, &idx, progress)?;
    Ok(backtest(setting, &records, actuals))
}

/// The back-test of `actuals` on `records` (every iteration of a study, index order): a
/// pure function of its arguments, so a merged sharded study gives the same bytes.
pub fn backtest(
    setting: Setting,
    records: &[IterationRecord],
    actuals: &[Actual],
) -> BacktestResult {
    let results: Vec<ActualResult> = actuals.iter().map(|a| one(a, records)).collect();
    let nearest = nearest(&setting, records, actuals, &results);
    let calibration = calibration(&results);
    BacktestResult {
        scenario: setting.scenario,
        dated: setting.dated,
        seed: setting.seed,
        iterations: records.len(),
        actuals_file: setting.actuals_file,
        hindsight_allowed: setting.allow_hindsight,
        hindsight: setting.hindsight,
        actuals: results,
        nearest,
        calibration,
    }
}

fn one(a: &Actual, records: &[IterationRecord]) -> ActualResult {
    let xs = score::sorted_defined(records.iter().map(|r| value_of(&a.resolved, r)));
    let y = a.value;
    let pit = score::mid_rank(&xs, y).unwrap_or(f64::NAN);
    let (min, max) = (
        xs.first().copied().unwrap_or(f64::NAN),
        xs.last().copied().unwrap_or(f64::NAN),
    );
    let outside = if xs.is_empty() || (y >= min && y <= max) {
        None
    } else {
        let nearest = if y < min { min } else { max };
        let it = records
            .iter()
            .find(|r| value_of(&a.resolved, r) == nearest)
            .map_or(0, |r| r.iteration);
        Some(Outside {
            side: if y < min { "below" } else { "above" }.into(),
            nearest,
            nearest_iteration: it,
        })
    };
    let sd = score::sd(&xs);
    let crps = score::crps(&xs, y);
    let (log_score, note) = match score::log_score(&xs, y) {
        Ok((s, h)) => (
            Some(s),
            format!(
                "Gaussian kernel, bandwidth {}",
                des::input::fmt_num(round_sig(h))
            ),
        ),
        Err(why) => (None, why.to_string()),
    };
    let fan = match &a.resolved {
        Quantity::Series { index, .. } => fan(records, *index),
        _ => Vec::new(),
    };
    ActualResult {
        actual: a.clone(),
        iterations: xs.len(),
        percentile: 100.0 * pit,
        outside,
        min,
        p1: score::quantile(&xs, 0.01),
        p5: score::quantile(&xs, 0.05),
        p50: score::quantile(&xs, 0.5),
        p95: score::quantile(&xs, 0.95),
        p99: score::quantile(&xs, 0.99),
        max,
        sd,
        crps,
        crps_per_sd: if sd > 0.0 { crps / sd } else { f64::NAN },
        log_score,
        log_score_note: note,
        s_curve: (0..=100)
            .map(|p| score::quantile(&xs, p as f64 / 100.0))
            .collect(),
        fan,
    }
}

fn fan(records: &[IterationRecord], index: usize) -> Vec<FanPoint> {
    let (Some(y0), Some(y1)) = (
        records.iter().map(|r| r.first_year).min(),
        records
            .iter()
            .map(|r| r.first_year + series(r, index).len() as i32 - 1)
            .max(),
    ) else {
        return Vec::new();
    };
    (y0..=y1)
        .map(|year| {
            let q = Quantity::Series { index, year };
            let xs = score::sorted_defined(records.iter().map(|r| value_of(&q, r)));
            FanPoint {
                year,
                p: [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| score::quantile(&xs, p)),
            }
        })
        .collect()
}

fn nearest(
    setting: &Setting,
    records: &[IterationRecord],
    actuals: &[Actual],
    results: &[ActualResult],
) -> Nearest {
    let used: Vec<usize> = (0..actuals.len())
        .filter(|&j| results[j].sd > 0.0 && results[j].sd.is_finite())
        .collect();
    let mut dist: Vec<(u64, f64)> = records
        .iter()
        .filter_map(|r| {
            let mut s = 0.0;
            let mut m = 0;
            for &j in &used {
                let x = value_of(&actuals[j].resolved, r);
                if x.is_nan() {
                    continue;
                }
                s += ((x - actuals[j].value) / results[j].sd).powi(2);
                m += 1;
            }
            (m > 0).then(|| (r.iteration, (s / m as f64).sqrt()))
        })
        .collect();
    dist.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let k = (records.len() / 100).max(10).min(dist.len());
    dist.truncate(k);
    let pos: std::collections::HashMap<u64, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.iteration, i))
        .collect();
    let chosen: Vec<&IterationRecord> = dist.iter().map(|(i, _)| &records[pos[i]]).collect();
    let mut shared = Vec::new();
    let columns = setting
        .input_names
        .iter()
        .enumerate()
        .map(|(j, n)| (n.clone(), false, j))
        .chain(
            setting
                .price_names
                .iter()
                .enumerate()
                .map(|(j, n)| (n.clone(), true, j)),
        );
    for (name, price, j) in columns {
        let get = |r: &IterationRecord| {
            if price {
                r.avg_prices.get(j).copied().unwrap_or(f64::NAN)
            } else {
                r.inputs.get(j).copied().unwrap_or(f64::NAN)
            }
        };
        let all = score::sorted_defined(records.iter().map(get));
        if all.is_empty() || chosen.is_empty() {
            continue;
        }
        let near: Vec<f64> = chosen.iter().map(|r| get(r)).collect();
        let pct = near
            .iter()
            .map(|&x| score::mid_rank(&all, x).unwrap_or(f64::NAN))
            .sum::<f64>()
            / near.len() as f64;
        shared.push(Shared {
            name,
            population_mean: all.iter().sum::<f64>() / all.len() as f64,
            nearest_mean: near.iter().sum::<f64>() / near.len() as f64,
            nearest_percentile: 100.0 * pct,
        });
    }
    shared.sort_by(|a, b| {
        (b.nearest_percentile - 50.0)
            .abs()
            .total_cmp(&(a.nearest_percentile - 50.0).abs())
            .then(a.name.cmp(&b.name))
    });
    Nearest {
        k,
        actuals_used: used.len(),
        iterations: dist,
        shared,
    }
}

/// The calibration summary of scored actuals.
pub fn calibration(results: &[ActualResult]) -> Calibration {
    let pits: Vec<f64> = results
        .iter()
        .filter(|r| r.iterations > 0)
        .map(|r| r.percentile / 100.0)
        .collect();
    let m = pits.len() as u64;
    let band = |name: &str, lo: f64, hi: f64| {
        let p = lo + (1.0 - hi);
        Band {
            band: name.into(),
            count: pits.iter().filter(|&&x| x < lo || x > hi).count() as u64,
            expected: m as f64 * p,
            interval: score::binomial_interval(m, p),
        }
    };
    let logs: Vec<f64> = results.iter().filter_map(|r| r.log_score).collect();
    let crps: Vec<f64> = results
        .iter()
        .map(|r| r.crps_per_sd)
        .filter(|c| c.is_finite())
        .collect();
    Calibration {
        actuals: pits.len(),
        pit_histogram: score::pit_counts(&pits, 10),
        pit_expected_per_bin: m as f64 / 10.0,
        bands: vec![band("P1-P99", 0.01, 0.99), band("P5-P95", 0.05, 0.95)],
        pit_chi_square: if pits.is_empty() {
            (f64::NAN, 9.0, f64::NAN)
        } else {
            score::pit_chi_square(&pits, 10)
        },
        chi_square_valid: m >= 50,
        mean_crps_per_sd: if crps.is_empty() {
            f64::NAN
        } else {
            crps.iter().sum::<f64>() / crps.len() as f64
        },
        mean_log_score: (!logs.is_empty()).then(|| logs.iter().sum::<f64>() / logs.len() as f64),
        log_scored: logs.len(),
    }
}

/// The lint's findings as one located error per item (exit 2): each names its key's line in
/// the scenario `text` (`file` in messages), its year and the study's date.
pub fn refusal(items: &[Hindsight], text: &str, file: &str) -> StudyError {
    let problems: Vec<des::input::Invalid> = items
        .iter()
        .map(|h| {
            des::input::Invalid::new(
                h.key.clone(),
                format!(
                    "{} (refused: a back-test must know only what its date allowed; --allow-hindsight runs it anyway and says so)",
                    h.message()
                ),
            )
        })
        .collect();
    StudyError::Input(des::input::locate_all(text, file, &problems))
}

/// The options a sharded back-test records (every part must carry the same): the mine
/// path, whether hindsight is allowed, and the actuals file's name and text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardOptions {
    /// Full DES per iteration.
    pub exact: bool,
    /// `--allow-hindsight`.
    pub allow_hindsight: bool,
    /// The actuals file as named.
    pub actuals_file: String,
    /// Its text.
    pub actuals: String,
}

impl ShardOptions {
    /// As JSON text (a partial's `options`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serialisable options")
    }

    /// From a partial's `options` (`file` names the part in messages).
    pub fn parse(text: &str, file: &str) -> Result<ShardOptions, StudyError> {
        serde_json::from_str(text)
            .map_err(|e| StudyError::usage(file, format!("unknown backtest options: {e}")))
    }
}

/// Reads an actuals file (at most [`actuals::MAX_ACTUALS_BYTES`]).
pub fn read_actuals(path: &std::path::Path) -> Result<String, StudyError> {
    des::input::read_file(path, actuals::MAX_ACTUALS_BYTES).map_err(|e| StudyError::Input(vec![e]))
}
