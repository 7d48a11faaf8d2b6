//! Capital-cost calculations: initial capital by area and phase spread over the
//! construction quarters, contingency, owner's costs, overrun against the budget, the
//! lease-financed share, sustaining capital and closure cost, all as period series.

use crate::config::{Capex, Curve, SpendProfile};
use crate::timeline::Timeline;

/// Capital spending by period (full time base), USD.
#[derive(Clone, Debug, Default)]
pub struct CapexSchedule {
    /// Area names, in input order.
    pub area_names: Vec<String>,
    /// Budget direct cost by area and period (before contingency and overrun).
    pub by_area: Vec<Vec<f64>>,
    /// Phase names, in input order.
    pub phase_names: Vec<String>,
    /// Budget direct cost by phase and period (areas following the phase profiles).
    pub by_phase: Vec<Vec<f64>>,
    /// Budget direct cost.
    pub direct: Vec<f64>,
    /// Contingency on the direct cost.
    pub contingency: Vec<f64>,
    /// Owner's costs.
    pub owners: Vec<f64>,
    /// Spend above the budget (`capex.overrun_pct` of the initial capital).
    pub overrun: Vec<f64>,
    /// Initial capital actually spent: direct + contingency + owner's + overrun.
    pub initial: Vec<f64>,
    /// Initial capital of the budget (no overrun).
    pub budget: Vec<f64>,
    /// Part of `initial` bought through the finance lease.
    pub leased: Vec<f64>,
    /// Sustaining capital.
    pub sustaining: Vec<f64>,
    /// Closure cost (expensed when spent).
    pub closure: Vec<f64>,
    /// Capital added to each tax depreciation class (initial and sustaining), by period.
    pub by_tax_class: Vec<(String, Vec<f64>)>,
}

impl CapexSchedule {
    /// Escalates every money series by the period's index (a real capital estimate to
    /// nominal money).
    pub fn escalate(&mut self, index: &[f64]) {
        let scale = |v: &mut Vec<f64>| v.iter_mut().zip(index).for_each(|(a, e)| *a *= e);
        for v in self.by_area.iter_mut().chain(self.by_phase.iter_mut()) {
            scale(v);
        }
        for v in [
            &mut self.direct,
            &mut self.contingency,
            &mut self.owners,
            &mut self.overrun,
            &mut self.initial,
            &mut self.budget,
            &mut self.leased,
            &mut self.sustaining,
            &mut self.closure,
        ] {
            scale(v);
        }
        for (_, v) in self.by_tax_class.iter_mut() {
            scale(v);
        }
    }
}

/// Share of a profile's total spent in each construction quarter (sums to 1).
pub fn profile_weights(p: &SpendProfile, n_con: usize) -> Vec<f64> {
    let mut w = vec![0.0; n_con];
    let first = p.first_quarter.min(n_con.saturating_sub(1));
    let last = p.last_quarter.clamp(first, n_con.saturating_sub(1));
    let n = last - first + 1;
    let s = |x: f64| 3.0 * x * x - 2.0 * x * x * x;
    for k in 0..n {
        w[first + k] = if p.weights_pct.len() == n {
            p.weights_pct[k] / 100.0
        } else {
            match p.curve {
                Curve::Uniform => 1.0 / n as f64,
                Curve::SCurve => s((k + 1) as f64 / n as f64) - s(k as f64 / n as f64),
            }
        };
    }
    w
}

/// Shares of a given phasing (by construction quarter from the first) over `n_con`
/// construction quarters, what lies beyond the last counted in the last; None when the
/// phasing is empty or sums to nothing (the profiles apply).
pub fn phasing_weights(phasing: &[f64], n_con: usize) -> Option<Vec<f64>> {
    let total: f64 = phasing.iter().sum();
    if n_con == 0 || !(total > 0.0 && total.is_finite()) {
        return None;
    }
    let mut w = vec![0.0; n_con];
    for (q, &v) in phasing.iter().enumerate() {
        w[q.min(n_con - 1)] += v / total;
    }
    Some(w)
}

fn add_to(acc: &mut [f64], v: &[f64], k: f64) {
    acc.iter_mut().zip(v).for_each(|(a, x)| *a += k * x);
}

/// Builds the capital schedule; `feed_dry_t` is plant feed on the full time base.
pub fn schedule(c: &Capex, tl: &Timeline, feed_dry_t: &[f64]) -> CapexSchedule {
    let n = tl.len();
    let n_con = tl.cod;
    let pad =
        |w: Vec<f64>| -> Vec<f64> { (0..n).map(|i| w.get(i).copied().unwrap_or(0.0)).collect() };
    let cont = c.contingency_pct / 100.0;
    let over = c.overrun_pct / 100.0;
    let phasing = phasing_weights(&c.construction_phasing, n_con);
    let phase_w: Vec<Vec<f64>> = c
        .phases
        .iter()
        .map(|p| match &phasing {
            Some(w) => pad(w.clone()),
            None => pad(profile_weights(&p.profile, n_con)),
        })
        .collect();
    let mut s = CapexSchedule {
        area_names: c.areas.iter().map(|a| a.name.clone()).collect(),
        phase_names: c.phases.iter().map(|p| p.name.clone()).collect(),
        by_phase: vec![vec![0.0; n]; c.phases.len()],
        direct: vec![0.0; n],
        leased: vec![0.0; n],
        ..Default::default()
    };
    let class_add = |name: &str, v: &[f64], k: f64, s: &mut CapexSchedule| match s
        .by_tax_class
        .iter_mut()
        .find(|(c, _)| c == name)
    {
        Some((_, acc)) => add_to(acc, v, k),
        None => s
            .by_tax_class
            .push((name.to_string(), v.iter().map(|x| k * x).collect())),
    };
    // Areas bought on their own delivery profile (the leased fleet) sit outside the EPCM
    // phases; they are reported as a phase of their own so the phases add up to direct cost.
    let mut own_profile = vec![0.0; n];
    for a in &c.areas {
        let mut spend = vec![0.0; n];
        match &a.profile {
            Some(p) => {
                add_to(&mut spend, &pad(profile_weights(p, n_con)), a.direct_usd);
                add_to(&mut own_profile, &spend, 1.0);
            }
            None => {
                for (j, ph) in c.phases.iter().enumerate() {
                    let part = a.direct_usd * ph.share_pct / 100.0;
                    add_to(&mut spend, &phase_w[j], part);
                    add_to(&mut s.by_phase[j], &phase_w[j], part);
                }
            }
        }
        add_to(&mut s.direct, &spend, 1.0);
        let all_in = (1.0 + cont) * (1.0 + over);
        if a.financed_by_lease {
            add_to(&mut s.leased, &spend, all_in);
        }
        class_add(&a.tax_class, &spend, all_in, &mut s);
        s.by_area.push(spend);
    }
    if c.areas.iter().any(|a| a.profile.is_some()) {
        s.phase_names
            .push("purchased on own delivery profile".to_string());
        s.by_phase.push(own_profile);
    }
    s.contingency = s.direct.iter().map(|d| d * cont).collect();
    s.owners = (0..n)
        .map(|i| tl.construction[i] * c.owners_costs_usd / n_con.max(1) as f64)
        .collect();
    if c.owners_costs_usd > 0.0 {
        let owners = s.owners.clone();
        class_add(&c.owners_costs_tax_class, &owners, 1.0 + over, &mut s);
    }
    s.budget = (0..n)
        .map(|i| s.direct[i] + s.contingency[i] + s.owners[i])
        .collect();
    s.overrun = s.budget.iter().map(|b| b * over).collect();
    s.initial = (0..n).map(|i| s.budget[i] + s.overrun[i]).collect();
    s.sustaining = (0..n)
        .map(|i| {
            tl.operations[i] * (c.sustaining_usd_per_year / 4.0)
                + c.sustaining_usd_per_dry_t * feed_dry_t[i]
        })
        .collect();
    if c.sustaining_usd_per_year > 0.0 || c.sustaining_usd_per_dry_t > 0.0 {
        let sus = s.sustaining.clone();
        class_add(&c.sustaining_tax_class, &sus, 1.0, &mut s);
    }
    let n_clo: f64 = tl.closure.iter().sum();
    s.closure = if n_clo > 0.0 {
        tl.closure
            .iter()
            .map(|f| f * c.closure_cost_usd / n_clo)
            .collect()
    } else {
        // No closure quarters: the cost falls in the last period.
        (0..n)
            .map(|i| if i + 1 == n { c.closure_cost_usd } else { 0.0 })
            .collect()
    };
    s
}

#[cfg(test)]
mod tests {
    use super::phasing_weights;

    #[test]
    fn phasing_is_shares_with_the_tail_in_the_last_quarter() {
        // 1, 3, 0, 4, 2 over four quarters: the fifth counts in the fourth; total 10.
        let w = phasing_weights(&[1.0, 3.0, 0.0, 4.0, 2.0], 4).unwrap();
        for (a, b) in w.iter().zip([0.1, 0.3, 0.0, 0.6]) {
            assert!((a - b).abs() < 1e-15, "{w:?}");
        }
        assert_eq!(phasing_weights(&[], 4), None);
        assert_eq!(phasing_weights(&[0.0, 0.0], 4), None);
    }
}
