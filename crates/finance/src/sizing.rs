//! Debt sizing as a bank does it: on the base case (the sizing case), the sculpted senior
//! loans are sized to the lowest of their commitment, the gearing cap and the debt the
//! target DSCR supports over the tenor, and no more than the funding they are needed for;
//! their repayment profile is then fixed as a share of the balance at the first operating
//! quarter, quarter by quarter from the first repayment. Every other case runs with that
//! [`SizedDebt`] ([`crate::run_with_debt`]), so its DSCR follows from the fixed profile.
//!
//! The sizing is a fixed-point iteration (the spreadsheet's goal seek): run the model with
//! a candidate loan amount sculpted at a candidate DSCR; from that run take the funding
//! need (balance at the first operating quarter + contingent equity and shortfall of
//! construction), the gearing cap (`max_gearing_pct` × total funding − other debt) and
//! the DSCR capacity (PV over the repayment window of CFADS ÷ target − other senior debt
//! service, at the loan's rate); the next amount is the lowest of them and the
//! commitment, and the next sculpting DSCR is the one that repays that amount exactly over
//! the tenor, PV(CFADS) ÷ (amount + PV(other senior debt service)), never below the
//! target ("sculpt to the tenor"). Interest changes taxes and fees change the uses, so a
//! few passes are needed; they contract quickly.

use crate::config::{FinanceConfig, Repayment};
use crate::financing::Schedule;
use crate::model::{calculate, Calc};
use crate::production::ProductionProfile;
use serde::{Deserialize, Serialize};

/// Which constraint sets the size of the sculpted debt.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The facilities' commitment.
    Commitment,
    /// The gearing cap (`funding.max_gearing_pct`).
    Gearing,
    /// The debt the target DSCR supports over the tenor.
    Dscr,
    /// The funding the project needs after equity and the other facilities (the debt
    /// capacity is larger; the loan is cut to the need and sculpted to its tenor).
    FundingNeed,
}

/// One sized facility.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SizedFacility {
    /// Index in `FinanceConfig::facilities`.
    pub index: usize,
    /// Name.
    pub name: String,
    /// Commitment as input, USD.
    pub commitment_usd: f64,
    /// Sized amount, USD (the signed commitment: cash drawn plus interest capitalised).
    pub sized_usd: f64,
    /// Principal of the k-th quarter from the first repayment as a share of the balance at
    /// the first operating quarter (the fixed profile; sums to 1 in the sizing case).
    pub repayment_share: Vec<f64>,
}

/// The result of sizing the sculpted debt on the sizing case.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SizedDebt {
    /// The sized facilities (senior loans with `repayment = "sculpted"`).
    pub facilities: Vec<SizedFacility>,
    /// Target (minimum sculpting) DSCR.
    pub target_dscr: Option<f64>,
    /// DSCR at which the sized amount is sculpted over its tenor in the sizing case
    /// (≥ target; = target when the DSCR binds).
    pub sculpting_dscr: Option<f64>,
    /// Sum of the commitments, USD.
    pub commitment_usd: f64,
    /// Gearing cap: max gearing × total funding − other debt, USD.
    pub gearing_cap_usd: f64,
    /// Debt the target DSCR supports over the tenor, USD.
    pub dscr_capacity_usd: f64,
    /// Debt capacity: the lowest of commitment, gearing cap and DSCR capacity, USD.
    pub debt_capacity_usd: f64,
    /// Funding the sculpted loans are needed for in the sizing case, USD.
    pub funding_need_usd: f64,
    /// Sized amount (min of capacity and need), USD.
    pub sized_usd: f64,
    /// What sets the size.
    pub binding: Option<Binding>,
    /// Gearing cap input, %.
    pub max_gearing_pct: f64,
    /// All debt at the first operating quarter ÷ total funding, in the sizing case, %.
    pub gearing_pct: f64,
    /// Total funding to the first operating quarter in the sizing case, USD.
    pub total_funding_usd: f64,
    /// Passes of the sizing iteration.
    pub iterations: usize,
    /// The case the debt was sized on, in words (set by the caller that chose it, e.g.
    /// "the banking case (the scenario's production table)"); empty when not said.
    #[serde(default)]
    pub sized_on: String,
}

impl SizedDebt {
    /// The configuration and repayment schedules a run with this sizing uses: each sized
    /// facility's commitment becomes its sized amount and its principal follows the fixed
    /// profile; other facilities repay as configured.
    pub(crate) fn apply(&self, cfg: &FinanceConfig) -> (FinanceConfig, Vec<Schedule>) {
        let mut c = cfg.clone();
        let mut sch = vec![Schedule::AsConfigured; cfg.facilities.len()];
        for f in &self.facilities {
            if let Some(fc) = c.facilities.get_mut(f.index) {
                if fc.name == f.name {
                    fc.commitment_usd = f.sized_usd;
                    sch[f.index] = Schedule::Fixed(f.repayment_share.clone());
                }
            }
        }
        (c, sch)
    }
}

/// Sizes the sculpted senior loans on `production` (the base case). See the module docs.
pub fn size_debt(cfg: &FinanceConfig, production: &ProductionProfile) -> SizedDebt {
    let group: Vec<usize> = (0..cfg.facilities.len())
        .filter(|&i| {
            let f = &cfg.facilities[i];
            f.is_senior() && f.repayment == Repayment::Sculpted && f.commitment_usd > 0.0
        })
        .collect();
    let max_gearing_pct = cfg.funding.max_gearing_pct;
    if group.is_empty() {
        return SizedDebt {
            max_gearing_pct,
            ..Default::default()
        };
    }
    let c0: f64 = group
        .iter()
        .map(|&i| cfg.facilities[i].commitment_usd)
        .sum();
    let target = cfg.facilities[group[0]]
        .target_dscr
        .unwrap_or(1.0)
        .max(1e-9);
    let mut k = c0;
    let mut d = target;
    let mut iterations = 0;
    let mut obs;
    loop {
        iterations += 1;
        let calc = run_at(cfg, production, &group, c0, k, d);
        obs = observe(cfg, &calc, &group, target);
        let capacity = c0.min(obs.gearing_cap).min(obs.dscr_cap).max(0.0);
        let k_new = capacity.min(obs.need).max(0.0);
        let d_new = if k_new > 1e-6 && obs.pv_cfads > 0.0 {
            (obs.pv_cfads / (k_new.min(obs.need) + obs.pv_other)).max(target)
        } else {
            target
        };
        let done = (k_new - k).abs() <= 1e-6 * c0.max(1.0) * 1e-6
            && (d_new - d).abs() <= 1e-12 * d.max(1.0);
        k = k_new;
        d = d_new;
        if done || iterations >= 60 {
            break;
        }
    }
    // The final pass at the converged amount and DSCR gives the fixed profile.
    let calc = run_at(cfg, production, &group, c0, k, d);
    let obs_final = observe(cfg, &calc, &group, target);
    let capacity = c0.min(obs.gearing_cap).min(obs.dscr_cap).max(0.0);
    let binding = if obs.need < capacity {
        Binding::FundingNeed
    } else if capacity >= c0 {
        Binding::Commitment
    } else if obs.dscr_cap <= obs.gearing_cap {
        Binding::Dscr
    } else {
        Binding::Gearing
    };
    let cod = calc.tl.cod;
    let facilities = group
        .iter()
        .map(|&i| {
            let g = &calc.fin.facilities[i];
            let b = g.opening.get(cod).copied().unwrap_or(0.0);
            let repayment_share = (g.first_repayment..=g.maturity)
                .map(|t| if b > 0.0 { g.principal[t] / b } else { 0.0 })
                .collect();
            SizedFacility {
                index: i,
                name: cfg.facilities[i].name.clone(),
                commitment_usd: cfg.facilities[i].commitment_usd,
                sized_usd: k * cfg.facilities[i].commitment_usd / c0,
                repayment_share,
            }
        })
        .collect();
    SizedDebt {
        facilities,
        target_dscr: Some(target),
        sculpting_dscr: Some(d),
        commitment_usd: c0,
        gearing_cap_usd: obs.gearing_cap,
        dscr_capacity_usd: obs.dscr_cap,
        debt_capacity_usd: capacity,
        funding_need_usd: obs.need,
        sized_usd: k,
        binding: Some(binding),
        max_gearing_pct,
        gearing_pct: obs_final.gearing_pct,
        total_funding_usd: obs_final.total_funding,
        iterations,
        sized_on: String::new(),
    }
}

fn run_at(
    cfg: &FinanceConfig,
    production: &ProductionProfile,
    group: &[usize],
    c0: f64,
    k: f64,
    d: f64,
) -> Calc {
    let mut c = cfg.clone();
    let mut sch = vec![Schedule::AsConfigured; cfg.facilities.len()];
    for &i in group {
        c.facilities[i].commitment_usd = k * cfg.facilities[i].commitment_usd / c0;
        sch[i] = Schedule::Sculpt(d);
    }
    calculate(&c, production, &sch)
}

struct Observed {
    need: f64,
    gearing_cap: f64,
    dscr_cap: f64,
    pv_cfads: f64,
    pv_other: f64,
    gearing_pct: f64,
    total_funding: f64,
}

fn observe(cfg: &FinanceConfig, c: &Calc, group: &[usize], target: f64) -> Observed {
    let cod = c.tl.cod;
    let f = &c.fin;
    let pre = |v: &[f64]| v[..cod.min(v.len())].iter().sum::<f64>();
    let bal_cod = |i: usize| f.facilities[i].opening.get(cod).copied().unwrap_or(0.0);
    let b: f64 = group.iter().map(|&i| bal_cod(i)).sum();
    let unmet = pre(&f.sponsor_support) + pre(&f.funding_shortfall);
    let total_funding: f64 = f
        .facilities
        .iter()
        .map(|g| pre(&g.drawdown) + pre(&g.capitalised_interest))
        .sum::<f64>()
        + unmet;
    let all_debt: f64 = (0..cfg.facilities.len())
        .filter(|&i| cfg.facilities[i].is_debt())
        .map(bal_cod)
        .sum();
    let other_debt = all_debt - b;
    let gearing_cap = cfg.funding.max_gearing_pct / 100.0 * total_funding - other_debt;
    // Repayment window of the group (its first facility's) and discounting at its rate.
    let g0 = &f.facilities[group[0]];
    let (fr, mat) = (g0.first_repayment, g0.maturity);
    let other_ds = |t: usize| -> f64 {
        (0..cfg.facilities.len())
            .filter(|&i| cfg.facilities[i].is_senior() && !group.contains(&i))
            .map(|i| f.facilities[i].interest[t] + f.facilities[i].principal[t])
            .sum()
    };
    let (mut pv_cfads, mut pv_other, mut disc) = (0.0, 0.0, 1.0);
    for t in fr..=mat.min(f.cfads.len().saturating_sub(1)) {
        disc /= 1.0 + g0.rate[t];
        pv_cfads += f.cfads[t] * disc;
        pv_other += other_ds(t) * disc;
    }
    Observed {
        need: b + unmet,
        gearing_cap,
        dscr_cap: pv_cfads / target - pv_other,
        pv_cfads,
        pv_other,
        gearing_pct: if total_funding > 0.0 {
            100.0 * all_debt / total_funding
        } else {
            0.0
        },
        total_funding,
    }
}
