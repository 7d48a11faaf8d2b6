//! The schedule Monte Carlo: per iteration, the drivers' factors (correlated through a
//! Gaussian copula), the register's events, the market window and every activity's
//! duration are drawn from the iteration's own keyed stream; the network is scheduled
//! (forward and backward pass) and its costs phased by month.

use super::config::{Model, DAYS_PER_MONTH};
use des::{Sampler, StreamKey};
use rand::Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{ContinuousCDF, Normal};

/// Domain tag of the schedule's streams: iteration `i` draws from
/// `StreamKey::root(seed).child(BUILD_STREAMS).child(i)`, so `manto build` and `manto risk`
/// (which runs schedule iteration `i` in its own iteration `i`) see the same schedules.
pub const BUILD_STREAMS: u64 = 0xB01D_0021;

/// One iteration's schedule: what the coupling to the risk study and the per-iteration CSV
/// need.
#[derive(Clone, Debug, PartialEq)]
pub struct IterationSchedule {
    /// Finish of each named milestone, elapsed days from day 0 (model order).
    pub milestone_days: Vec<f64>,
    /// Project finish, days.
    pub finish_days: f64,
    /// Commercial production (the milestone, else the finish), days.
    pub cod_days: f64,
    /// Financial close, days (None without the milestone).
    pub fc_days: Option<f64>,
    /// Total cost, USD.
    pub cost_usd: f64,
    /// Cost by month from day 0, USD.
    pub cost_by_month: Vec<f64>,
}

/// Working buffers reused across iterations.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    /// Elapsed durations.
    pub d: Vec<f64>,
    /// Early starts.
    pub es: Vec<f64>,
    /// Early finishes.
    pub ef: Vec<f64>,
    /// Late starts.
    pub ls: Vec<f64>,
    /// Late finishes.
    pub lf: Vec<f64>,
    pub(super) factor: Vec<f64>,
    pub(super) add: Vec<f64>,
    /// Whether each risk event occurred.
    pub occurred: Vec<bool>,
    /// Each driver's factor (1 when it did not occur).
    pub driver_factor: Vec<f64>,
    /// Suspension drawn, days (0 when the window stayed open).
    pub suspension_days: f64,
    pub(super) event_cost: Vec<(Option<usize>, f64)>,
}

/// Samplers of the model's distributions, built once.
pub struct Samplers {
    durations: Vec<Sampler>,
    fixed: Vec<Option<f64>>,
}

impl Samplers {
    /// Pre-computes every activity's sampler.
    pub fn new(m: &Model) -> Samplers {
        Samplers {
            durations: m.durations.iter().map(|d| d.sampler()).collect(),
            fixed: m
                .durations
                .iter()
                .map(|d| d.is_fixed().then(|| d.mean()))
                .collect(),
        }
    }
}

/// Draws iteration `i` into `s`: durations (elapsed days) and the register's outcomes.
/// The order of draws is fixed: drivers (normals, then occurrences), events, the market
/// window, then each activity's duration.
pub fn draw(m: &Model, sm: &Samplers, seed: u64, i: u64, s: &mut Scratch) {
    let n = m.network.activities.len();
    let mut rng = StreamKey::root(seed).child(BUILD_STREAMS).child(i).stream();
    s.factor.clear();
    s.factor.resize(n, 1.0);
    s.add.clear();
    s.add.resize(n, 0.0);
    s.d.resize(n, 0.0);
    s.es.resize(n, 0.0);
    s.ef.resize(n, 0.0);
    s.ls.resize(n, 0.0);
    s.lf.resize(n, 0.0);
    // Drivers: correlated standard normals -> uniforms -> the factor's quantile.
    let k = m.drivers.len();
    s.driver_factor.clear();
    if k > 0 {
        let z: Vec<f64> = (0..k).map(|_| rng.sample(StandardNormal)).collect();
        let normal = Normal::new(0.0, 1.0).expect("standard normal");
        for (j, d) in m.drivers.iter().enumerate() {
            let zj = match &m.driver_chol {
                Some(l) => (0..=j).map(|t| l[j][t] * z[t]).sum(),
                None => z[j],
            };
            let occurs = d.probability >= 1.0 || rng.random::<f64>() < d.probability;
            let f = if occurs {
                d.factor.quantile(normal.cdf(zj))
            } else {
                1.0
            };
            s.driver_factor.push(f);
            for &a in &d.activities {
                s.factor[a] *= f;
            }
        }
    }
    s.occurred.clear();
    s.event_cost.clear();
    for r in &m.risks {
        let occurs = rng.random::<f64>() < r.probability;
        s.occurred.push(occurs);
        if !occurs {
            continue;
        }
        if let Some(f) = &r.factor {
            let f = f.sample(&mut rng);
            for &a in &r.activities {
                s.factor[a] *= f;
            }
        }
        if let Some(add) = &r.add_days {
            let x = add.sample(&mut rng);
            for &a in &r.activities {
                s.add[a] += x;
            }
        }
        if let Some(c) = &r.cost_usd {
            s.event_cost
                .push((r.activities.first().copied(), c.sample(&mut rng)));
        }
    }
    s.suspension_days = 0.0;
    if let Some(f) = &m.financing {
        if rng.random::<f64>() < f.probability {
            s.suspension_days = f.suspension_days.sample(&mut rng);
        }
    }
    for a in 0..n {
        let base = match sm.fixed[a] {
            Some(v) => v,
            None => sm.durations[a].sample(&mut rng),
        };
        s.d[a] = (base * s.factor[a] + s.add[a]) * m.prepared.stretch[a];
    }
    if let Some(f) = &m.financing {
        s.d[f.activity] += s.suspension_days;
    }
}

/// Adds `usd` spread evenly over days `[from, to]` into monthly bins.
fn spread(bins: &mut Vec<f64>, from: f64, to: f64, usd: f64) {
    if usd == 0.0 {
        return;
    }
    let last = (to / DAYS_PER_MONTH).floor().max(0.0) as usize;
    if bins.len() <= last {
        bins.resize(last + 1, 0.0);
    }
    if to <= from {
        bins[last] += usd;
        return;
    }
    let first = (from / DAYS_PER_MONTH).floor().max(0.0) as usize;
    let rate = usd / (to - from);
    for (m, bin) in bins.iter_mut().enumerate().take(last + 1).skip(first) {
        let lo = (m as f64 * DAYS_PER_MONTH).max(from);
        let hi = ((m + 1) as f64 * DAYS_PER_MONTH).min(to);
        if hi > lo {
            *bin += rate * (hi - lo);
        }
    }
}

/// The monthly cost of the schedule in `s` (forward pass done): fixed and time-dependent
/// costs over each activity, event costs over the first activity they hit, standby and
/// demobilisation over the suspension.
pub fn phase_costs(m: &Model, s: &Scratch, bins: &mut Vec<f64>) -> f64 {
    bins.clear();
    let mut total = 0.0;
    let susp_at = m.financing.as_ref().map(|f| f.activity);
    for a in 0..s.d.len() {
        let own = if Some(a) == susp_at {
            s.d[a] - s.suspension_days
        } else {
            s.d[a]
        };
        let usd = m.fixed_usd[a] + m.usd_per_month[a] * own / DAYS_PER_MONTH;
        if usd > 0.0 {
            spread(bins, s.es[a], s.ef[a], usd);
            total += usd;
        }
    }
    for &(a, usd) in &s.event_cost {
        match a {
            Some(a) => spread(bins, s.es[a], s.ef[a], usd),
            None => spread(bins, 0.0, 0.0, usd),
        }
        total += usd;
    }
    if let (Some(f), true) = (&m.financing, s.suspension_days > 0.0) {
        let end = s.ef[f.activity];
        let usd = f.standby_usd_per_month * s.suspension_days / DAYS_PER_MONTH + f.demob_remob_usd;
        spread(bins, end - s.suspension_days, end, usd);
        total += usd;
    }
    total
}

/// Iteration `i` of the schedule under `seed`: what `manto risk` couples to its own
/// iteration `i`.
pub fn iteration(
    m: &Model,
    sm: &Samplers,
    seed: u64,
    i: u64,
    s: &mut Scratch,
) -> IterationSchedule {
    draw(m, sm, seed, i, s);
    let finish = m.prepared.forward(&s.d, &mut s.es, &mut s.ef);
    let mut bins = Vec::new();
    let cost = phase_costs(m, s, &mut bins);
    IterationSchedule {
        milestone_days: m.milestones.iter().map(|&(_, a)| s.ef[a]).collect(),
        finish_days: finish,
        cod_days: m.commercial_production.map_or(finish, |a| s.ef[a]),
        fc_days: m.financial_close.map(|a| s.ef[a]),
        cost_usd: cost,
        cost_by_month: bins,
    }
}
