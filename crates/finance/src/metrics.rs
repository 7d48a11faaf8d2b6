//! Headline metrics: project (unlevered, pre- and after-tax) and equity (levered) NPVs
//! and IRRs through [`crate::tvm`], payback, DSCR and LLCR statistics, capital totals,
//! funding and the first-four-years copper.
//!
//! Conventions: NPVs discount the calendar-year flows at the end of each year to the
//! start of the first model year (the start of construction when it begins in Q1), i.e.
//! Excel's `NPV` on the annual series; IRRs are those of the annual series (and, for
//! the project after tax, of the quarterly series annualised).

use crate::config::{Basis, FinanceConfig, NpvTiming};
use crate::model::Calc;
use crate::result::*;
use crate::tvm::{self, TvmError};

/// IRR in %. When the flows change sign more than once (closure costs after the
/// operating surpluses) and several rates solve NPV = 0, the reported IRR is the highest
/// root at which the NPV falls as the rate rises (the investment-type root, the one an
/// NPV-at-a-hurdle-rate decision agrees with); the others are listed in `notes`.
fn irr_pct(name: &str, flows: &[f64], notes: &mut Vec<String>) -> Option<f64> {
    match tvm::irr(flows) {
        Ok(r) => Some(100.0 * r),
        Err(TvmError::MultipleIrr(roots)) => {
            let h = 1e-5;
            let falling = roots
                .iter()
                .copied()
                .filter(|&r| tvm::npv(r + h, flows) < tvm::npv(r - h, flows))
                .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.max(r))));
            let list: Vec<String> = roots.iter().map(|r| format!("{:.2}%", 100.0 * r)).collect();
            notes.push(format!(
                "{name}: several rates give NPV = 0 ({}); reported the highest at which NPV falls with the rate",
                list.join(", ")
            ));
            falling.map(|r| 100.0 * r)
        }
        Err(e) => {
            let why = match &e {
                TvmError::NoIrr => "the cash flows never change sign".to_string(),
                other => other.to_string(),
            };
            notes.push(format!("{name}: {why}"));
            None
        }
    }
}

/// Shortfalls and unpaid amounts below this are rounding, not a shortfall, USD.
pub const SHORTFALL_TOLERANCE_USD: f64 = 1.0;

fn min_avg(v: impl Iterator<Item = f64>) -> (Option<f64>, Option<f64>) {
    let v: Vec<f64> = v.collect();
    if v.is_empty() {
        return (None, None);
    }
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    (Some(min), Some(v.iter().sum::<f64>() / v.len() as f64))
}

/// Computes the metrics from the calculated series and the tables.
pub(crate) fn metrics(
    cfg: &FinanceConfig,
    c: &Calc,
    q: &[PeriodRow],
    annual: &[PeriodRow],
    bs: &[BalanceSheet],
) -> Metrics {
    let tl = &c.tl;
    let f = &c.fin;
    // Real valuation: each calendar year's flow in money of the escalation base year.
    let esc = &cfg.escalation;
    let deflator: Vec<f64> = annual
        .iter()
        .map(|r| match cfg.metrics.npv_basis {
            Basis::Nominal => 1.0,
            Basis::Real => 1.0 / esc.inflation_index(&esc.usd_inflation_pct, r.year),
        })
        .collect();
    let col = |g: fn(&PeriodRow) -> f64| -> Vec<f64> {
        annual
            .iter()
            .zip(&deflator)
            .map(|(r, d)| g(r) * d)
            .collect()
    };
    let pre = col(|r| r.project_cash_flow_pre_tax_usd);
    let post = col(|r| r.project_cash_flow_after_tax_usd);
    let equity = col(|r| r.equity_cash_flow_usd);
    let timing = |r: f64| match cfg.metrics.npv_timing {
        NpvTiming::EndOfYear => 1.0,
        NpvTiming::MidYear => (1.0 + r).sqrt(),
    };
    let npv = cfg
        .metrics
        .discount_rates_pct
        .iter()
        .map(|&r| {
            let k = timing(r / 100.0);
            NpvAtRate {
                discount_rate_pct: r,
                project_pre_tax_usd: k * tvm::npv_excel(r / 100.0, &pre),
                project_after_tax_usd: k * tvm::npv_excel(r / 100.0, &post),
                equity_usd: k * tvm::npv_excel(r / 100.0, &equity),
            }
        })
        .collect();
    let mut notes = Vec::new();
    let quarterly_post: Vec<f64> = q
        .iter()
        .map(|r| {
            r.project_cash_flow_after_tax_usd
                * match cfg.metrics.npv_basis {
                    Basis::Nominal => 1.0,
                    Basis::Real => 1.0 / esc.inflation_index(&esc.usd_inflation_pct, r.year),
                }
        })
        .collect();
    let q_irr = irr_pct(
        "project IRR after tax (quarterly; roots per quarter)",
        &quarterly_post,
        &mut notes,
    )
    .map(|r| 100.0 * ((1.0 + r / 100.0).powi(4) - 1.0));
    // Payback: flows accrue through their year; a leading zero puts t = 0 at the start.
    let payback = tvm::payback_period(&[&[0.0][..], &post].concat());
    let first_op_year = tl.cod as f64 / 4.0;

    let repaying: Vec<usize> = (0..tl.len())
        .filter(|&t| f.dscr[t].is_some() && f.senior_principal[t] > 0.0)
        .collect();
    let (min_dscr, avg_dscr) = min_avg(repaying.iter().filter_map(|&t| f.dscr[t]));
    let (min_llcr, avg_llcr) = min_avg(c.llcr.iter().flatten().copied());
    let (min_plcr, _) = min_avg(c.plcr.iter().flatten().copied());
    let shortfall_total: f64 = f.funding_shortfall.iter().sum();
    let funded = shortfall_total <= SHORTFALL_TOLERANCE_USD;
    let first_shortfall = f
        .funding_shortfall
        .iter()
        .position(|s| *s > SHORTFALL_TOLERANCE_USD)
        .map(|i| tl.label(i));
    let unpaid: Vec<usize> = (0..tl.len())
        .filter(|&t| f.unpaid_debt_service[t] > SHORTFALL_TOLERANCE_USD)
        .collect();
    let outstanding_at_maturity: f64 = cfg
        .facilities
        .iter()
        .zip(&f.facilities)
        .filter(|(fc, _)| fc.is_debt())
        .map(|(_, g)| g.closing.get(g.maturity).copied().unwrap_or(0.0))
        .sum();
    if !funded {
        notes.push(format!(
            "unfunded: a funding shortfall of US${:.1}M from {}; the metrics count it as if contributed",
            shortfall_total / 1e6,
            first_shortfall.as_deref().unwrap_or("?")
        ));
    }

    let senior_bal: Vec<f64> = (0..tl.len())
        .map(|t| {
            cfg.facilities
                .iter()
                .zip(&f.facilities)
                .filter(|(fc, _)| fc.is_senior())
                .map(|(_, g)| g.closing[t])
                .sum()
        })
        .collect();
    let first_senior_draw = cfg
        .facilities
        .iter()
        .zip(&f.facilities)
        .filter(|(fc, _)| fc.is_senior())
        .filter_map(|(_, g)| g.first_drawdown)
        .min();
    let repaid = senior_bal.iter().rposition(|b| *b > 1e-6).map(|i| i + 1);
    let loan_life_years = match (first_senior_draw, repaid) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 4.0),
        _ => None,
    };
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let pre_cod = |v: &[f64]| v[..tl.cod.min(v.len())].iter().sum::<f64>();
    let peak_funding = f
        .facilities
        .iter()
        .map(|g| pre_cod(&g.drawdown) + pre_cod(&g.capitalised_interest))
        .sum::<f64>()
        + pre_cod(&f.sponsor_support);
    let cu: Vec<f64> = q[tl.cod.min(q.len())..]
        .iter()
        .map(|r| r.cu_cathode_t)
        .collect();
    let first16 = &cu[..cu.len().min(16)];
    let first_four = if first16.is_empty() {
        0.0
    } else {
        sum(first16) * 4.0 / first16.len() as f64
    };
    let ops_rows = &q[tl.cod.min(q.len())..];
    let early = &ops_rows[..ops_rows.len().min(16)];
    let cost: f64 = early
        .iter()
        .map(|r| {
            r.opex_total_usd + r.royalty_usd + r.refining_usd + r.freight_usd + r.insurance_usd
                - r.revenue_co_usd
                - r.revenue_znso4_usd
                - r.revenue_mnco3_usd
        })
        .sum();
    let cu_lb: f64 = early.iter().map(|r| r.cu_cathode_t).sum::<f64>() * crate::operating::LB_PER_T;
    let first_year = tl.year.first().copied().unwrap_or(cfg.timing.start_year);
    let npv_convention = NpvConvention {
        basis: cfg.metrics.npv_basis,
        decks: esc.decks,
        base_year: esc.base_year,
        timing: cfg.metrics.npv_timing,
        discounted_to: format!("{first_year}-01-01"),
        fiscal_rules: cfg.tax.vintage_label(),
        description: format!(
            "{} USD{}; decks {}; calendar-year flows at {}, discounted annually to {first_year}-01-01{}",
            match cfg.metrics.npv_basis {
                Basis::Nominal => "nominal",
                Basis::Real => "real",
            },
            match cfg.metrics.npv_basis {
                Basis::Nominal => String::new(),
                Basis::Real => format!(" of {}", esc.base_year),
            },
            match esc.decks {
                Basis::Nominal => "nominal as typed".to_string(),
                Basis::Real => format!("real ({} money), escalated", esc.base_year),
            },
            match cfg.metrics.npv_timing {
                NpvTiming::EndOfYear => "year end",
                NpvTiming::MidYear => "mid-year",
            },
            // The fiscal vintage, when the rates come from dated rules.
            cfg.tax
                .vintage_label()
                .map_or(String::new(), |v| format!("; fiscal rules {v}")),
        ),
    };
    Metrics {
        npv_convention,
        first_four_years_cash_cost_usd_per_lb_cu: (cu_lb > 0.0).then(|| cost / cu_lb),
        npv,
        project_irr_pre_tax_pct: irr_pct("project IRR before tax", &pre, &mut notes),
        project_irr_after_tax_pct: irr_pct("project IRR after tax", &post, &mut notes),
        project_irr_after_tax_quarterly_pct: q_irr,
        equity_irr_pct: irr_pct("equity IRR", &equity, &mut notes),
        irr_notes: notes,
        payback_years: payback,
        payback_from_first_production_years: payback.map(|p| p - first_op_year),
        min_dscr,
        avg_dscr,
        min_llcr,
        avg_llcr,
        min_plcr,
        funded,
        funding_shortfall_usd: shortfall_total,
        first_shortfall,
        unpaid_debt_service_usd: f.unpaid_debt_service.iter().sum(),
        payment_default_quarters: unpaid.len(),
        first_payment_default: unpaid.first().map(|&t| tl.label(t)),
        debt_outstanding_at_maturity_usd: outstanding_at_maturity,
        completion: f.completion.map(|t| tl.label(t)),
        initial_capex_usd: sum(&c.capex.initial),
        sustaining_capex_usd: sum(&c.capex.sustaining),
        total_capex_usd: sum(&c.capex.initial) + sum(&c.capex.sustaining),
        closure_cost_usd: sum(&c.capex.closure),
        peak_funding_usd: peak_funding,
        peak_senior_debt_usd: senior_bal.iter().fold(0.0, |m, b| m.max(*b)),
        loan_life_years,
        senior_debt_repaid: repaid.filter(|&i| i < tl.len()).map(|i| tl.label(i)),
        first_four_years_cu_t_per_year: first_four,
        life_of_mine_cu_t: sum(&cu),
        sponsor_support_usd: sum(&f.sponsor_support),
        lock_up_quarters: f.lock_up.iter().filter(|x| **x).count(),
        default_quarters: f.default_event.iter().filter(|x| **x).count(),
        max_balance_check_usd: bs.iter().fold(0.0, |m, b| m.max(b.balance_check_usd.abs())),
    }
}
