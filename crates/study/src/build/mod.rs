//! Build and financing schedule risk (`manto build`, and the schedule behind each
//! iteration of `manto risk` when the scenario has a `[construction]` table).
//!
//! A CPM network ([`cpm`]: forward and backward pass, total and free float, the critical
//! path, the four precedence types with lags, working-day calendars) carries a risk model
//! in the manner of AACE RP 57R-09 (Hulett, *Integrated Cost and Schedule Risk Analysis
//! Using Risk Drivers and Monte Carlo Simulation of a CPM Model*): duration uncertainty
//! per activity, **risk drivers** that multiply the durations of several activities at once
//! (correlated among themselves through a Gaussian copula), a **risk register** of events
//! with a probability and duration (added or multiplied) and cost impacts, and the
//! **financing close** with a market window that, when it shuts, suspends everything
//! after the close for a drawn time at a standby cost plus demobilisation and
//! remobilisation. Costs are fixed or time-dependent (USD per month of an activity's
//! duration), so a longer schedule costs more and the overrun and the delay come from the
//! same draws.
//!
//! The Monte Carlo ([`run`]) gives every milestone's P10/P50/P80/P90 date, each activity's
//! criticality index (the share of iterations in which it is critical) and cruciality
//! (the correlation of its duration with the project's), the **merge bias** at every
//! activity with two or more predecessors (the mean and median start against the CPM
//! start, and the chance of starting on time) and the cost S-curve. Iteration `i` draws
//! from its own keyed stream ([`BUILD_STREAMS`]); results are gathered in fixed blocks in
//! index order, so they do not depend on the thread count.
//!
//! Networks come inline from the scenario ([`config`]) or from a Primavera P6 XER file
//! ([`xer`]) or a Microsoft Project XML file ([`mspdi`]).

pub mod config;
pub mod cpm;
pub mod date;
mod mc;
pub mod mspdi;
pub mod xer;

pub use config::{
    read_network_file, ConstructionConfig, FileNetwork, Model, ModelError, DAYS_PER_MONTH,
    MAX_FILE_BYTES, MAX_ITERATIONS,
};
pub use cpm::{Activity, Calendar, Dates, Network, NetworkError, Prepared, RelKind, Relation};
pub use mc::{iteration, IterationSchedule, Samplers, Scratch, BUILD_STREAMS};

use crate::risk::percentile_sorted;
use crate::Progress;
use rayon::prelude::*;
use serde::Serialize;

/// The scenario `manto build` runs when none is named.
pub const DEFAULT_SCENARIO: &str = "boleo-build";

/// Iterations per block: blocks are summed in index order, whatever the threads.
const BLOCK: u64 = 64;

/// Most activity-iterations whose start and finish are kept for the Gantt's percentile
/// bars (two f64 each: 160 MB); beyond it the bars are left out (NaN).
pub const MAX_GANTT_VALUES: u64 = 10_000_000;

/// The deterministic CPM of one activity and its Monte Carlo statistics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActivityResult {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Planned duration, elapsed days.
    pub duration_days: f64,
    /// Early start, days from day 0.
    pub early_start_days: f64,
    /// Early finish.
    pub early_finish_days: f64,
    /// Late start.
    pub late_start_days: f64,
    /// Late finish.
    pub late_finish_days: f64,
    /// Total float, days.
    pub total_float_days: f64,
    /// Free float, days.
    pub free_float_days: f64,
    /// On the deterministic critical path.
    pub critical: bool,
    /// Early start date.
    pub start_date: String,
    /// Early finish date.
    pub finish_date: String,
    /// Mean drawn duration, elapsed days.
    pub mean_duration_days: f64,
    /// Criticality index: share of iterations in which it is critical, %.
    pub criticality_pct: f64,
    /// Cruciality: Pearson correlation of its duration with the project duration.
    pub cruciality: f64,
    /// Start P10 and P90 and finish P10, P50 and P90, days (for the Gantt).
    pub start_p10_days: f64,
    /// Start P90, days.
    pub start_p90_days: f64,
    /// Finish P10, days.
    pub finish_p10_days: f64,
    /// Finish P50, days.
    pub finish_p50_days: f64,
    /// Finish P90, days.
    pub finish_p90_days: f64,
}

/// A milestone's planned and drawn dates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MilestoneResult {
    /// Role (`commercial_production`, ...) or the file's milestone id; `project_finish`.
    pub name: String,
    /// Activity whose finish it is (empty for the project finish).
    pub activity: String,
    /// Planned (CPM) days from day 0.
    pub planned_days: f64,
    /// Planned date.
    pub planned_date: String,
    /// Mean days.
    pub mean_days: f64,
    /// P10, P50, P80, P90 days.
    pub percentile_days: [f64; 4],
    /// P10, P50, P80, P90 dates.
    pub percentile_dates: [String; 4],
    /// Chance of being no later than planned, %.
    pub on_time_pct: f64,
}

/// Merge bias at an activity with two or more predecessors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MergeResult {
    /// Activity id.
    pub id: String,
    /// Predecessors merging.
    pub predecessors: usize,
    /// CPM early start, days.
    pub planned_start_days: f64,
    /// Mean drawn early start.
    pub mean_start_days: f64,
    /// Median drawn early start.
    pub p50_start_days: f64,
    /// Chance of starting no later than planned, %.
    pub on_time_pct: f64,
    /// Mean minus planned, days: the bias the single-point plan hides.
    pub bias_days: f64,
}

/// The total cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostResult {
    /// Planned (CPM durations, no event), USD.
    pub planned_usd: f64,
    /// Mean, USD.
    pub mean_usd: f64,
    /// P10, P50, P80, P90, USD.
    pub percentile_usd: [f64; 4],
}

/// One month of the cost S-curve (cumulative).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SCurvePoint {
    /// Month from day 0 (0-based).
    pub month: usize,
    /// Planned cumulative cost, USD.
    pub planned_usd: f64,
    /// P10, P50, P90 of the cumulative cost at the end of the month, USD.
    pub percentile_usd: [f64; 3],
}

/// How often a driver, event or the market window struck.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegisterResult {
    /// `driver`, `event` or `financing`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Its probability, %.
    pub probability_pct: f64,
    /// Share of iterations in which it occurred, %.
    pub occurred_pct: f64,
    /// Mean factor when it occurred (drivers), or mean suspension days (financing).
    pub mean_impact: f64,
}

/// Every iteration's milestone dates and cost (the `--iterations-csv` table).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PerIteration {
    /// Milestone names, in column order.
    pub names: Vec<String>,
    /// Per iteration: each milestone's days from day 0.
    pub days: Vec<Vec<f64>>,
    /// Per iteration: total cost, USD.
    pub cost_usd: Vec<f64>,
}

/// The result of `manto build`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BuildResult {
    /// Network name.
    pub name: String,
    /// Date of day 0.
    pub start_date: String,
    /// Iterations.
    pub iterations: u64,
    /// Seed.
    pub seed: u64,
    /// Activities (CPM and Monte Carlo).
    pub activities: Vec<ActivityResult>,
    /// The deterministic critical path, ids in order.
    pub critical_path: Vec<String>,
    /// Milestones, the project finish last.
    pub milestones: Vec<MilestoneResult>,
    /// Merge bias at every merge point.
    pub merges: Vec<MergeResult>,
    /// Total cost.
    pub cost: CostResult,
    /// Cumulative cost by month.
    pub s_curve: Vec<SCurvePoint>,
    /// Drivers, events and the market window.
    pub register: Vec<RegisterResult>,
    /// Per-iteration dates and costs (written by `--iterations-csv`, not in the JSON).
    #[serde(skip)]
    pub per_iteration: PerIteration,
}

/// The deterministic CPM of a model: planned durations, no risk.
pub fn plan(m: &Model) -> Dates {
    let working: Vec<f64> = m
        .network
        .activities
        .iter()
        .map(|a| a.duration_days)
        .collect();
    m.prepared.schedule(&working)
}

/// The planned cost of a model at its CPM dates (no event, no suspension), USD.
pub fn planned_cost(m: &Model, det: &Dates) -> f64 {
    let s = Scratch {
        d: det.duration.clone(),
        es: det.es.clone(),
        ef: det.ef.clone(),
        ..Scratch::default()
    };
    mc::phase_costs(m, &s, &mut Vec::new())
}

/// Elapsed days in a quarter (365.25 / 4 = 3 months of [`DAYS_PER_MONTH`]).
pub const DAYS_PER_QUARTER: f64 = 91.3125;

/// The quarter (from day 0) a day falls in.
pub fn quarter_of(days: f64) -> i64 {
    (days / DAYS_PER_QUARTER).floor() as i64
}

/// A schedule's cost by quarter from the quarter of its financial close (day 0's quarter
/// without one), USD: month `m` of the cost bins lies wholly in quarter `m / 3` from day 0
/// (three months of 30.4375 days make a quarter of 91.3125); what is spent before the
/// close's quarter (engineering and advisers paid before financial close) counts in the
/// first. The finance model's capital schedule takes its phasing from it
/// (`finance::config::Capex::construction_phasing`).
pub fn capital_by_quarter(cost_by_month: &[f64], fc_days: Option<f64>) -> Vec<f64> {
    let fc_q = fc_days.map_or(0, quarter_of);
    let mut out: Vec<f64> = Vec::new();
    for (m, &usd) in cost_by_month.iter().enumerate() {
        let k = ((m / 3) as i64 - fc_q).max(0) as usize;
        if out.len() <= k {
            out.resize(k + 1, 0.0);
        }
        out[k] += usd;
    }
    out
}

/// The plan's capital phasing ([`capital_by_quarter`] at the CPM dates, no event, no
/// suspension): the deterministic case's capital schedule.
pub fn planned_capital_by_quarter(m: &Model) -> Vec<f64> {
    let det = plan(m);
    let s = Scratch {
        d: det.duration.clone(),
        es: det.es.clone(),
        ef: det.ef.clone(),
        ..Scratch::default()
    };
    let mut bins = Vec::new();
    mc::phase_costs(m, &s, &mut bins);
    capital_by_quarter(&bins, m.financial_close.map(|a| det.ef[a]))
}

/// Accumulators of one block of iterations.
#[derive(Default)]
struct Block {
    sum_d: Vec<f64>,
    sum_d2: Vec<f64>,
    sum_dt: Vec<f64>,
    sum_t: f64,
    sum_t2: f64,
    critical: Vec<u64>,
    occurred: Vec<u64>,
    driver_sum: Vec<f64>,
    driver_n: Vec<u64>,
    suspended: u64,
    suspension_sum: f64,
    /// Per iteration, in order.
    milestones: Vec<Vec<f64>>,
    cost: Vec<f64>,
    months: Vec<Vec<f64>>,
    merge_es: Vec<Vec<f64>>,
    es: Vec<Vec<f64>>,
    ef: Vec<Vec<f64>>,
}

/// Runs the deterministic CPM and `iterations` Monte Carlo iterations under `seed`.
pub fn run(m: &Model, seed: u64, iterations: u64, progress: &dyn Progress) -> BuildResult {
    let n = m.network.activities.len();
    let det = plan(m);
    let merges: Vec<usize> = (0..n).filter(|&a| m.prepared.pred_count(a) >= 2).collect();
    let sm = Samplers::new(m);
    let blocks: Vec<u64> = (0..iterations.div_ceil(BLOCK)).collect();
    let keep_dates = (n as u64).saturating_mul(iterations) <= MAX_GANTT_VALUES;
    progress.phase(&format!("build: {iterations} iterations"), iterations);
    let parts: Vec<Block> = blocks
        .par_iter()
        .map(|&b| {
            let mut s = Scratch::default();
            let mut k = Block {
                sum_d: vec![0.0; n],
                sum_d2: vec![0.0; n],
                sum_dt: vec![0.0; n],
                critical: vec![0; n],
                occurred: vec![0; m.risks.len()],
                driver_sum: vec![0.0; m.drivers.len()],
                driver_n: vec![0; m.drivers.len()],
                ..Block::default()
            };
            let lo = b * BLOCK;
            let hi = (lo + BLOCK).min(iterations);
            for i in lo..hi {
                mc::draw(m, &sm, seed, i, &mut s);
                let t = m.prepared.forward(&s.d, &mut s.es, &mut s.ef);
                m.prepared.backward(&s.d, t, &mut s.ls, &mut s.lf);
                for a in 0..n {
                    let d = s.d[a];
                    k.sum_d[a] += d;
                    k.sum_d2[a] += d * d;
                    k.sum_dt[a] += d * t;
                    if s.ls[a] - s.es[a] <= cpm::FLOAT_EPS_DAYS {
                        k.critical[a] += 1;
                    }
                }
                k.sum_t += t;
                k.sum_t2 += t * t;
                for (r, &o) in s.occurred.iter().enumerate() {
                    k.occurred[r] += u64::from(o);
                }
                for (j, &f) in s.driver_factor.iter().enumerate() {
                    if f != 1.0 || m.drivers[j].probability >= 1.0 {
                        k.driver_sum[j] += f;
                        k.driver_n[j] += 1;
                    }
                }
                if s.suspension_days > 0.0 {
                    k.suspended += 1;
                    k.suspension_sum += s.suspension_days;
                }
                let mut ms: Vec<f64> = m.milestones.iter().map(|&(_, a)| s.ef[a]).collect();
                ms.push(t);
                k.milestones.push(ms);
                let mut bins = Vec::new();
                k.cost.push(mc::phase_costs(m, &s, &mut bins));
                k.months.push(bins);
                k.merge_es.push(merges.iter().map(|&a| s.es[a]).collect());
                if keep_dates {
                    k.es.push(s.es.clone());
                    k.ef.push(s.ef.clone());
                }
            }
            progress.advance(hi - lo);
            k
        })
        .collect();
    summarise(m, &det, &merges, seed, iterations, parts)
}

fn pct(v: &mut [f64], qs: &[f64]) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    qs.iter().map(|&q| percentile_sorted(v, q)).collect()
}

fn summarise(
    m: &Model,
    det: &Dates,
    merges: &[usize],
    seed: u64,
    iterations: u64,
    parts: Vec<Block>,
) -> BuildResult {
    let n = m.network.activities.len();
    let it = iterations as f64;
    let mut sum_d = vec![0.0; n];
    let mut sum_d2 = vec![0.0; n];
    let mut sum_dt = vec![0.0; n];
    let mut critical = vec![0u64; n];
    let (mut sum_t, mut sum_t2) = (0.0, 0.0);
    let mut occurred = vec![0u64; m.risks.len()];
    let mut driver_sum = vec![0.0; m.drivers.len()];
    let mut driver_n = vec![0u64; m.drivers.len()];
    let (mut suspended, mut suspension_sum) = (0u64, 0.0);
    let mut milestones = Vec::new();
    let mut cost = Vec::new();
    let mut months = Vec::new();
    let mut merge_es = Vec::new();
    let mut es_all = Vec::new();
    let mut ef_all = Vec::new();
    for k in parts {
        for a in 0..n {
            sum_d[a] += k.sum_d[a];
            sum_d2[a] += k.sum_d2[a];
            sum_dt[a] += k.sum_dt[a];
            critical[a] += k.critical[a];
        }
        sum_t += k.sum_t;
        sum_t2 += k.sum_t2;
        for (r, o) in k.occurred.iter().enumerate() {
            occurred[r] += o;
        }
        for j in 0..m.drivers.len() {
            driver_sum[j] += k.driver_sum[j];
            driver_n[j] += k.driver_n[j];
        }
        suspended += k.suspended;
        suspension_sum += k.suspension_sum;
        milestones.extend(k.milestones);
        cost.extend(k.cost);
        months.extend(k.months);
        merge_es.extend(k.merge_es);
        es_all.extend(k.es);
        ef_all.extend(k.ef);
    }
    let day = |d: f64| date::after(m.start_day, d);
    let var_t = (sum_t2 / it - (sum_t / it).powi(2)).max(0.0);
    let activities: Vec<ActivityResult> = (0..n)
        .map(|a| {
            let act = &m.network.activities[a];
            let mean = sum_d[a] / it;
            let var_d = (sum_d2[a] / it - mean * mean).max(0.0);
            let cov = sum_dt[a] / it - mean * sum_t / it;
            let cruciality = if var_d > 1e-12 && var_t > 1e-12 {
                (cov / (var_d * var_t).sqrt()).clamp(-1.0, 1.0)
            } else {
                0.0
            };
            let mut es: Vec<f64> = es_all.iter().map(|v| v[a]).collect();
            let mut ef: Vec<f64> = ef_all.iter().map(|v| v[a]).collect();
            let (s, f) = if es.is_empty() {
                (vec![f64::NAN; 2], vec![f64::NAN; 3])
            } else {
                (pct(&mut es, &[0.1, 0.9]), pct(&mut ef, &[0.1, 0.5, 0.9]))
            };
            ActivityResult {
                id: act.id.clone(),
                name: act.name.clone(),
                duration_days: det.duration[a],
                early_start_days: det.es[a],
                early_finish_days: det.ef[a],
                late_start_days: det.ls[a],
                late_finish_days: det.lf[a],
                total_float_days: det.total_float(a),
                free_float_days: m.prepared.free_float(det, a),
                critical: det.critical(a),
                start_date: day(det.es[a]),
                finish_date: day(det.ef[a]),
                mean_duration_days: mean,
                criticality_pct: 100.0 * critical[a] as f64 / it,
                cruciality,
                start_p10_days: s[0],
                start_p90_days: s[1],
                finish_p10_days: f[0],
                finish_p50_days: f[1],
                finish_p90_days: f[2],
            }
        })
        .collect();
    let qs = [0.1, 0.5, 0.8, 0.9];
    let mut names: Vec<(String, String, f64)> = m
        .milestones
        .iter()
        .map(|(role, a)| {
            (
                role.clone(),
                m.network.activities[*a].id.clone(),
                det.ef[*a],
            )
        })
        .collect();
    names.push(("project_finish".into(), String::new(), det.finish));
    let ms: Vec<MilestoneResult> = names
        .iter()
        .enumerate()
        .map(|(j, (name, act, planned))| {
            let mut v: Vec<f64> = milestones.iter().map(|r: &Vec<f64>| r[j]).collect();
            let mean = v.iter().sum::<f64>() / it;
            let on_time = v
                .iter()
                .filter(|&&x| x <= planned + cpm::FLOAT_EPS_DAYS)
                .count();
            let p = pct(&mut v, &qs);
            MilestoneResult {
                name: name.clone(),
                activity: act.clone(),
                planned_days: *planned,
                planned_date: day(*planned),
                mean_days: mean,
                percentile_days: [p[0], p[1], p[2], p[3]],
                percentile_dates: [day(p[0]), day(p[1]), day(p[2]), day(p[3])],
                on_time_pct: 100.0 * on_time as f64 / it,
            }
        })
        .collect();
    let merge_results = merges
        .iter()
        .enumerate()
        .map(|(j, &a)| {
            let mut v: Vec<f64> = merge_es.iter().map(|r: &Vec<f64>| r[j]).collect();
            let mean = v.iter().sum::<f64>() / it;
            let on_time = v
                .iter()
                .filter(|&&x| x <= det.es[a] + cpm::FLOAT_EPS_DAYS)
                .count();
            let p = pct(&mut v, &[0.5]);
            MergeResult {
                id: m.network.activities[a].id.clone(),
                predecessors: m.prepared.pred_count(a),
                planned_start_days: det.es[a],
                mean_start_days: mean,
                p50_start_days: p[0],
                on_time_pct: 100.0 * on_time as f64 / it,
                bias_days: mean - det.es[a],
            }
        })
        .collect();
    // The planned cost: the CPM dates, no event, no suspension.
    let planned_scratch = Scratch {
        d: det.duration.clone(),
        es: det.es.clone(),
        ef: det.ef.clone(),
        ..Scratch::default()
    };
    let mut planned_bins = Vec::new();
    let planned_cost = mc::phase_costs(m, &planned_scratch, &mut planned_bins);
    let horizon = months
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(planned_bins.len());
    let cumulative = |bins: &[f64]| -> Vec<f64> {
        let mut c = Vec::with_capacity(horizon);
        let mut acc = 0.0;
        for mo in 0..horizon {
            acc += bins.get(mo).copied().unwrap_or(0.0);
            c.push(acc);
        }
        c
    };
    let planned_cum = cumulative(&planned_bins);
    let cums: Vec<Vec<f64>> = months.iter().map(|b| cumulative(b)).collect();
    let s_curve = (0..horizon)
        .map(|mo| {
            let mut v: Vec<f64> = cums.iter().map(|c| c[mo]).collect();
            let p = pct(&mut v, &[0.1, 0.5, 0.9]);
            SCurvePoint {
                month: mo,
                planned_usd: planned_cum[mo],
                percentile_usd: [p[0], p[1], p[2]],
            }
        })
        .collect();
    let mean_cost = cost.iter().sum::<f64>() / it;
    let pc = pct(&mut cost.clone(), &qs);
    let mut register: Vec<RegisterResult> = m
        .drivers
        .iter()
        .enumerate()
        .map(|(j, d)| RegisterResult {
            kind: "driver".into(),
            name: d.name.clone(),
            probability_pct: 100.0 * d.probability,
            occurred_pct: 100.0 * driver_n[j] as f64 / it,
            mean_impact: if driver_n[j] > 0 {
                driver_sum[j] / driver_n[j] as f64
            } else {
                f64::NAN
            },
        })
        .collect();
    register.extend(m.risks.iter().enumerate().map(|(r, e)| RegisterResult {
        kind: "event".into(),
        name: e.name.clone(),
        probability_pct: 100.0 * e.probability,
        occurred_pct: 100.0 * occurred[r] as f64 / it,
        mean_impact: f64::NAN,
    }));
    if let Some(f) = &m.financing {
        register.push(RegisterResult {
            kind: "financing".into(),
            name: format!("market window at {}", m.network.activities[f.activity].id),
            probability_pct: 100.0 * f.probability,
            occurred_pct: 100.0 * suspended as f64 / it,
            mean_impact: if suspended > 0 {
                suspension_sum / suspended as f64
            } else {
                f64::NAN
            },
        });
    }
    BuildResult {
        name: m.network.name.clone(),
        start_date: date::format(m.start_day),
        iterations,
        seed,
        critical_path: m
            .prepared
            .critical_path(det)
            .iter()
            .map(|&a| m.network.activities[a].id.clone())
            .collect(),
        activities,
        per_iteration: PerIteration {
            names: names.iter().map(|n| n.0.clone()).collect(),
            days: milestones,
            cost_usd: cost,
        },
        milestones: ms,
        merges: merge_results,
        cost: CostResult {
            planned_usd: planned_cost,
            mean_usd: mean_cost,
            percentile_usd: [pc[0], pc[1], pc[2], pc[3]],
        },
        s_curve,
        register,
    }
}
