//! Financing calculations: sources and uses during construction (drawdown rules, interest
//! during construction, fees), then the operating cash-flow waterfall (taxes with the
//! interest deduction, CFADS, senior debt service, DSRA, subordinated debt service, cash
//! sweep, lock-up, distributions, sponsor support).
//!
//! No circular references: interest and fees of a quarter are computed on its opening
//! balances; drawdowns, repayments, prepayments and reserve movements happen at quarter
//! end; the quarter's taxes use the interest so known; a sculpted loan's principal is
//! CFADS ÷ target DSCR − interest − other senior debt service, capped by its balance.
//! The DSRA target is the scheduled senior debt service of the next N quarters taken from
//! a first pass of this same calculation run without a DSRA (the equivalent of a
//! spreadsheet's copy-paste step); the reserve never changes debt service, so the two
//! passes agree on it unless a cash sweep is active.

use crate::config::{
    CovenantTest, Covenants, DrawdownRule, Facility, FacilityKind, Funding, MaintenanceReserve,
    Repayment, SweepWhen, Tax, TaxPayments, TenorFrom,
};
use crate::corkscrew::Corkscrew;
use crate::tax::{self, LossPool, Provisional, Rates, TaxStep};
use crate::timeline::Timeline;
use crate::tvm::{ppmt, When};

/// What the financing calculation needs from the rest of the model (full time base).
pub struct Inputs<'a> {
    /// Time base.
    pub tl: &'a Timeline,
    /// Facilities.
    pub facilities: &'a [Facility],
    /// Initial capital spent.
    pub initial_capex: &'a [f64],
    /// Initial capital of the budget (no overrun).
    pub budget_capex: &'a [f64],
    /// Initial capital bought through the lease.
    pub leased_capex: &'a [f64],
    /// Operating cash flow after royalty, duty, sustaining capex, closure and working
    /// capital, before PTU and income tax.
    pub cash_flow_before_tax: &'a [f64],
    /// EBITDA − duty − tax depreciation of the capital (before interest, PTU, ISR).
    pub profit_before_interest: &'a [f64],
    /// Tax rates by period.
    pub rates: &'a Rates,
    /// Fiscal settings.
    pub tax: &'a Tax,
    /// Tax depreciation rate of capitalised financing costs, % a year (None: not deductible).
    pub financing_costs_rate_pct: Option<f64>,
    /// Covenants and sweep.
    pub covenants: &'a Covenants,
    /// Funding plan: contingent equity, sponsor support, closure reserve.
    pub funding: &'a Funding,
    /// Repayment schedule of each facility (input order).
    pub schedules: &'a [Schedule],
    /// Closure cost by period (for the closure reserve).
    pub closure_cost: &'a [f64],
    /// The DSRA is funded to its target in the last construction quarter, from
    /// construction sources.
    pub dsra_at_completion: bool,
    /// Plant feed by period, dry t (for the completion test).
    pub feed: &'a [f64],
    /// IETU after its credits by period (paid where it exceeds the quarter's ISR).
    pub ietu: &'a [f64],
    /// IVA paid by period (construction: a use of the construction sources; operations:
    /// already in `cash_flow_before_tax`).
    pub vat_paid: &'a [f64],
    /// IVA refunded by period.
    pub vat_refund: &'a [f64],
    /// The IVA facility (all zero when IVA is funded by the sources).
    pub vat_facility: &'a crate::operating::VatFacilityLines,
    /// The DSRA is a letter of credit: (fee, interest on drawings), quarterly fractions.
    pub dsra_lc: Option<(f64, f64)>,
    /// Sustaining capital by period (the maintenance reserve's purpose and target).
    pub sustaining: &'a [f64],
    /// Maintenance reserve settings.
    pub maintenance: &'a MaintenanceReserve,
    /// Net revenue by period (the base of provisional income-tax payments).
    pub revenue: &'a [f64],
}

/// How a facility's principal is scheduled in a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    /// As the facility's `repayment` says (sculpted at its `target_dscr`).
    AsConfigured,
    /// Sculpted (senior) at this DSCR.
    Sculpt(f64),
    /// Fixed: principal of the k-th quarter from the first repayment = share\[k\] × the
    /// balance at the first operating quarter (the sized profile); the balance left is due
    /// at maturity.
    Fixed(Vec<f64>),
}

/// One facility's flows by period, USD.
#[derive(Clone, Debug, Default)]
pub struct FacilityFlows {
    /// Balance at the start of the period (equity: contributed to date).
    pub opening: Vec<f64>,
    /// Cash drawn.
    pub drawdown: Vec<f64>,
    /// Interest added to the balance (construction).
    pub capitalised_interest: Vec<f64>,
    /// Interest accrued on the opening balance.
    pub interest: Vec<f64>,
    /// Interest paid in cash.
    pub interest_paid: Vec<f64>,
    /// Upfront and commitment fees.
    pub fees: Vec<f64>,
    /// Scheduled principal repaid.
    pub principal: Vec<f64>,
    /// Prepayment from the cash sweep.
    pub prepayment: Vec<f64>,
    /// Balance at the end of the period.
    pub closing: Vec<f64>,
    /// Quarterly interest rate by period.
    pub rate: Vec<f64>,
    /// Period of the first drawdown.
    pub first_drawdown: Option<usize>,
    /// Period of the first scheduled repayment.
    pub first_repayment: usize,
    /// Final maturity period (the balance is zero at its end).
    pub maturity: usize,
}

/// Debt service reserve account by period.
#[derive(Clone, Debug, Default)]
pub struct DsraFlows {
    /// Target balance.
    pub target: Vec<f64>,
    /// Funded from cash flow.
    pub funding: Vec<f64>,
    /// Released to cash (drawn for debt service or above target).
    pub release: Vec<f64>,
    /// Balance corkscrew.
    pub corkscrew: Corkscrew,
}

/// A letter of credit standing in for the DSRA, by period.
#[derive(Clone, Debug, Default)]
pub struct LetterOfCreditFlows {
    /// Drawn to meet senior debt service.
    pub drawing: Vec<f64>,
    /// Drawings reimbursed.
    pub repayment: Vec<f64>,
    /// Fee on the amount and interest on drawings (financing costs, tax deductible).
    pub cost: Vec<f64>,
    /// Drawings outstanding (a liability).
    pub corkscrew: Corkscrew,
}

/// Result of the financing calculation.
#[derive(Clone, Debug, Default)]
pub struct Financing {
    /// Flows of each facility, in input order.
    pub facilities: Vec<FacilityFlows>,
    /// Cash put in by the sponsor beyond the equity commitments: contingent equity in
    /// construction, support before completion in operations (within its limit).
    pub sponsor_support: Vec<f64>,
    /// Uses no committed source meets (construction) and deficits nobody funds
    /// (operations): reported, shown as an unfunded contribution so the books close.
    pub funding_shortfall: Vec<f64>,
    /// Debt service due but not paid (principal deferred, interest capitalised).
    pub unpaid_debt_service: Vec<f64>,
    /// Cash retained for the closure cost to come (not distributed).
    pub closure_reserve: Vec<f64>,
    /// Quarter at whose end completion is reached (the completion test, or
    /// `completion_quarters` after the first operating quarter).
    pub completion: Option<usize>,
    /// Completion long-stop date passed without completion (the quarter).
    pub completion_longstop_missed: Option<usize>,
    /// DSCR the covenants test (the quarter's, or trailing twelve months).
    pub covenant_dscr: Vec<Option<f64>>,
    /// Financing costs capitalised in construction (IDC and fees).
    pub capitalised_financing: Vec<f64>,
    /// Part of the capitalised financing costs paid in cash.
    pub financing_costs_paid: Vec<f64>,
    /// Tax depreciation of capitalised financing costs.
    pub financing_costs_tax_dep: Vec<f64>,
    /// Written-down tax value of capitalised financing costs.
    pub financing_costs_wdv: Corkscrew,
    /// Taxes by period (levered).
    pub tax: Vec<TaxStep>,
    /// Tax losses carried forward.
    pub losses: Option<LossPool>,
    /// Income tax paid (provisional payments and the annual true-up; as computed when
    /// provisional payments are off).
    pub tax_paid: Vec<f64>,
    /// Of `tax_paid`, the true-up of the previous year (negative: refunded).
    pub tax_true_up: Vec<f64>,
    /// Income tax computed less paid (negative: a receivable).
    pub tax_payable: Corkscrew,
    /// Cash flow available for debt service.
    pub cfads: Vec<f64>,
    /// Senior interest (operations).
    pub senior_interest: Vec<f64>,
    /// Senior scheduled principal.
    pub senior_principal: Vec<f64>,
    /// Subordinated interest + principal.
    pub sub_debt_service: Vec<f64>,
    /// Senior DSCR (CFADS ÷ scheduled senior debt service) where debt service > 0.
    pub dscr: Vec<Option<f64>>,
    /// DSRA.
    pub dsra: DsraFlows,
    /// The letter of credit that stands in for a cash DSRA (all zero otherwise).
    pub dsra_lc: LetterOfCreditFlows,
    /// Maintenance reserve account (target, funding, release, balance).
    pub maintenance: DsraFlows,
    /// Cash swept to prepay senior loans.
    pub sweep: Vec<f64>,
    /// Distributions to equity.
    pub distributions: Vec<f64>,
    /// Lock-up quarters (distributions blocked).
    pub lock_up: Vec<bool>,
    /// Quarters whose DSCR is below the minimum covenant.
    pub default_event: Vec<bool>,
    /// Cash corkscrew.
    pub cash: Corkscrew,
}

fn pro_rata(
    need: f64,
    idx: &[usize],
    headroom: &mut [f64],
    weight: &[f64],
    draws: &mut [f64],
) -> f64 {
    let mut need = need;
    for _ in 0..=idx.len() {
        let active: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| headroom[i] > 1e-9)
            .collect();
        let total: f64 = active.iter().map(|&i| weight[i]).sum();
        if need <= 1e-9 || total <= 0.0 {
            break;
        }
        let mut given = 0.0;
        for &i in &active {
            let a = (need * weight[i] / total).min(headroom[i]);
            headroom[i] -= a;
            draws[i] += a;
            given += a;
        }
        need -= given;
    }
    need.max(0.0)
}

/// Runs sources and uses and the waterfall. `dsra_target` is the reserve target by period
/// (None: no reserve, the planning pass).
pub fn run(inp: &Inputs, dsra_target: Option<&[f64]>) -> Financing {
    let tl = inp.tl;
    let n = tl.len();
    let cod = tl.cod;
    let fac = inp.facilities;
    let nf = fac.len();
    let fund_cfg = inp.funding;
    let mut ff: Vec<FacilityFlows> = fac
        .iter()
        .map(|f| FacilityFlows {
            rate: tl
                .year
                .iter()
                .map(|&y| {
                    if f.is_debt() {
                        (f.base_rate_pct.at(y) + f.margin_pct) / 400.0
                    } else {
                        0.0
                    }
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    let mut out = Financing {
        sponsor_support: vec![0.0; n],
        funding_shortfall: vec![0.0; n],
        unpaid_debt_service: vec![0.0; n],
        closure_reserve: vec![0.0; n],
        capitalised_financing: vec![0.0; n],
        financing_costs_paid: vec![0.0; n],
        ..Default::default()
    };
    let commit: Vec<f64> = fac.iter().map(|f| f.commitment_usd).collect();
    let mut bal = vec![0.0; nf];
    let mut cash = 0.0_f64;
    let (mut cum_spend, mut cum_budget) = (0.0_f64, 0.0_f64);
    let mut cof_drawn = vec![0.0; nf];
    let mut contingent_left = fund_cfg.contingent_equity_usd;
    let mut cash_ck = Corkscrew {
        name: "cash".into(),
        ..Default::default()
    };

    // The DSRA funded at financial completion: a use of the last construction quarter.
    let dsra_initial = match dsra_target {
        Some(d) if inp.dsra_at_completion && cod > 0 && inp.dsra_lc.is_none() => {
            d.get(cod - 1).copied().unwrap_or(0.0)
        }
        _ => 0.0,
    };
    let dsra_use = |t: usize| if t + 1 == cod { dsra_initial } else { 0.0 };

    // ---- Construction: sources and uses ----
    for t in 0..cod {
        let mut draws = vec![0.0; nf];
        let mut cap_int = vec![0.0; nf];
        let mut interest = vec![0.0; nf];
        let mut fees = vec![0.0; nf];
        let mut headroom: Vec<f64> = (0..nf).map(|i| (commit[i] - bal[i]).max(0.0)).collect();
        let vat_net = inp.vat_paid[t] - inp.vat_refund[t];
        let vf = inp.vat_facility;
        let vat_fin = vf.drawing[t] - vf.repayment[t];
        let mut uses = inp.initial_capex[t] + dsra_use(t) + vat_net - vat_fin + vf.interest[t];
        for (i, f) in fac.iter().enumerate().filter(|(_, f)| f.is_debt()) {
            interest[i] = ff[i].rate[t] * bal[i];
            fees[i] = f.commitment_fee_pct / 400.0 * headroom[i]
                + if t == 0 {
                    f.upfront_fee_pct / 100.0 * commit[i]
                } else {
                    0.0
                };
            if f.capitalise_idc {
                cap_int[i] = interest[i].min(headroom[i]);
                headroom[i] -= cap_int[i];
            }
            uses += interest[i] - cap_int[i] + fees[i];
        }
        // IVA refunds above the quarter's uses stay in cash.
        let mut need = uses.max(0.0);
        let mut contingent = 0.0;
        // The lease pays for the leased equipment as delivered.
        let mut leased = inp.leased_capex[t];
        for (i, f) in fac.iter().enumerate() {
            if f.drawdown == DrawdownRule::LeasedEquipment {
                let d = leased.min(headroom[i]).min(need);
                draws[i] += d;
                headroom[i] -= d;
                leased -= d;
                need -= d;
            }
        }
        for (i, f) in fac.iter().enumerate() {
            if f.drawdown == DrawdownRule::EquityFirst {
                let d = need.min(headroom[i]);
                draws[i] += d;
                headroom[i] -= d;
                need -= d;
            }
        }
        let group: Vec<usize> = (0..nf)
            .filter(|&i| fac[i].drawdown == DrawdownRule::ProRata)
            .collect();
        need = pro_rata(need, &group, &mut headroom, &commit, &mut draws);
        // An overrun is declared when the base sources are spent and capital spent to
        // date exceeds the budget to date: the cost overrun facility then funds its share
        // of what is left (up to its share of the overrun to date) and the sponsor the
        // rest of it from contingent equity.
        cum_spend += inp.initial_capex[t];
        cum_budget += inp.budget_capex[t];
        let overrun_to_date = (cum_spend - cum_budget).max(0.0);
        if need > 1e-9 && overrun_to_date > 1e-9 {
            let base_need = need;
            let mut share_total = 0.0;
            for (i, f) in fac.iter().enumerate() {
                if f.drawdown == DrawdownRule::OverrunOnly {
                    let share = f.overrun_share_pct / 100.0;
                    share_total += share;
                    let cap = (share * overrun_to_date - cof_drawn[i]).max(0.0);
                    let d = (share * base_need).min(cap).min(headroom[i]).min(need);
                    draws[i] += d;
                    cof_drawn[i] += d;
                    headroom[i] -= d;
                    need -= d;
                }
            }
            let sponsor = ((1.0 - share_total).max(0.0) * base_need)
                .min(contingent_left)
                .min(need);
            contingent += sponsor;
            contingent_left -= sponsor;
            need -= sponsor;
        }
        // Then contingent equity; what is left is a funding shortfall (reported, not a
        // commitment of anybody).
        let more = need.min(contingent_left);
        contingent += more;
        contingent_left -= more;
        need -= more;
        out.sponsor_support[t] = contingent;
        out.funding_shortfall[t] = need.max(0.0);
        let cash_in: f64 = draws.iter().sum::<f64>() + contingent + need.max(0.0);
        let paid: f64 = (0..nf)
            .map(|i| interest[i] - cap_int[i] + fees[i])
            .sum::<f64>()
            + vf.interest[t];
        out.financing_costs_paid[t] = paid;
        out.capitalised_financing[t] = paid + cap_int.iter().sum::<f64>();
        cash_ck.opening.push(cash);
        cash_ck
            .additions
            .push(cash_in + inp.vat_refund[t] + vf.drawing[t]);
        cash_ck
            .reductions
            .push(inp.initial_capex[t] + paid + dsra_use(t) + inp.vat_paid[t] + vf.repayment[t]);
        cash += cash_in - inp.initial_capex[t] - paid - dsra_use(t) - vat_net + vat_fin;
        cash_ck.closing.push(cash);
        for i in 0..nf {
            let g = &mut ff[i];
            g.opening.push(bal[i]);
            bal[i] += draws[i] + cap_int[i];
            if draws[i] > 0.0 && g.first_drawdown.is_none() {
                g.first_drawdown = Some(t);
            }
            g.drawdown.push(draws[i]);
            g.capitalised_interest.push(cap_int[i]);
            g.interest.push(interest[i]);
            g.interest_paid.push(interest[i] - cap_int[i]);
            g.fees.push(fees[i]);
            g.principal.push(0.0);
            g.prepayment.push(0.0);
            g.closing.push(bal[i]);
        }
    }
    let bal_cod = bal.clone();

    // ---- Repayment windows ----
    for (i, f) in fac.iter().enumerate() {
        let g = &mut ff[i];
        g.first_repayment = (cod + f.grace_quarters).min(n.saturating_sub(1));
        let start = match f.tenor_from {
            TenorFrom::FinancialClose => 0,
            TenorFrom::FirstDrawdown => g.first_drawdown.unwrap_or(0),
        };
        let end = (start + (f.tenor_years * 4.0).round() as usize).saturating_sub(1);
        g.maturity = end.max(g.first_repayment).min(n.saturating_sub(1));
    }

    // ---- Tax depreciation of capitalised financing costs ----
    let (fin_dep, fin_ck) = match inp.financing_costs_rate_pct {
        Some(r) => tax::depreciation("tax_wdv:financing_costs", &out.capitalised_financing, r, tl),
        None => tax::depreciation("tax_wdv:financing_costs", &vec![0.0; n], 100.0, tl),
    };
    let mut losses = LossPool::new("tax_losses", inp.tax.loss_carry_forward_years);
    let mut prov = Provisional::new(inp.tax.payments == TaxPayments::ProfitCoefficient);
    out.tax_paid = vec![0.0; n];
    out.tax_true_up = vec![0.0; n];
    let mut payable_ck = Corkscrew {
        name: "tax_payable".into(),
        ..Default::default()
    };
    let mut payable = 0.0_f64;
    // PTU accrued and not yet paid (it is paid in May of the following year).
    let mut ptu_owed = 0.0_f64;
    for t in 0..cod {
        let w = tax::When {
            year: tl.year[t],
            quarter: tl.quarter[t],
            last: false,
        };
        out.tax.push(losses.step(w, 0.0, 0.0, 0.0, true));
        prov.step(tl.year[t], 0.0, 0.0, 0.0, 0.0, 0.0, false);
        payable_ck.opening.push(0.0);
        payable_ck.additions.push(0.0);
        payable_ck.reductions.push(0.0);
        payable_ck.closing.push(0.0);
    }
    let v0 = || vec![0.0; n];
    out.cfads = v0();
    out.senior_interest = v0();
    out.senior_principal = v0();
    out.sub_debt_service = v0();
    out.dscr = vec![None; n];
    out.sweep = v0();
    out.distributions = v0();
    out.lock_up = vec![false; n];
    out.default_event = vec![false; n];
    let mut dsra = DsraFlows {
        target: dsra_target.map_or_else(v0, |d| d.to_vec()),
        funding: v0(),
        release: v0(),
        corkscrew: Corkscrew {
            name: "dsra".into(),
            ..Default::default()
        },
    };
    let mut lc = LetterOfCreditFlows {
        drawing: v0(),
        repayment: v0(),
        cost: v0(),
        corkscrew: Corkscrew {
            name: "dsra_lc".into(),
            ..Default::default()
        },
    };
    let mut lc_bal = 0.0_f64;
    let mr = inp.maintenance;
    let mut maint = DsraFlows {
        target: (0..n)
            .map(|t| {
                if mr.target_quarters == 0 || t < cod || t >= tl.end_of_operations {
                    return 0.0;
                }
                let ramp = if mr.build_up_quarters <= 1 {
                    1.0
                } else {
                    ((t - cod + 1) as f64 / mr.build_up_quarters as f64).min(1.0)
                };
                let ahead = (t + 1 + mr.target_quarters).min(n);
                ramp * inp.sustaining[(t + 1).min(n)..ahead].iter().sum::<f64>()
            })
            .collect(),
        funding: v0(),
        release: v0(),
        corkscrew: Corkscrew {
            name: "maintenance_reserve".into(),
            ..Default::default()
        },
    };
    let mut mra_bal = 0.0_f64;
    for t in 0..cod {
        for ck in [&mut lc.corkscrew, &mut maint.corkscrew] {
            ck.opening.push(0.0);
            ck.additions.push(0.0);
            ck.reductions.push(0.0);
            ck.closing.push(0.0);
        }
        dsra.funding[t] = dsra_use(t);
        dsra.corkscrew.opening.push(0.0);
        dsra.corkscrew.additions.push(dsra_use(t));
        dsra.corkscrew.reductions.push(0.0);
        dsra.corkscrew.closing.push(dsra_use(t));
    }
    let mut dsra_bal = dsra_initial;
    let cov = inp.covenants;
    let fixed_completion = cod + fund_cfg.completion_quarters;
    let mut completed_at: Option<usize> = None;
    let mut streak = 0_usize;
    out.covenant_dscr = vec![None; n];
    let mut support_left = fund_cfg.sponsor_support_limit_usd;
    let eoo = tl.end_of_operations.min(n);
    let closure_after: Vec<f64> = (0..n)
        .map(|t| inp.closure_cost[(t + 1).min(n)..].iter().sum())
        .collect();

    // ---- Operations and closure: the waterfall ----
    #[allow(clippy::needless_range_loop)] // t indexes a dozen parallel period series
    for t in cod..n {
        let interest: Vec<f64> = (0..nf).map(|i| ff[i].rate[t] * bal[i]).collect();
        // A letter of credit for the DSRA: fee on its amount, interest on its drawings.
        let lc_cost = inp
            .dsra_lc
            .map_or(0.0, |(fee, rate)| fee * dsra.target[t] + rate * lc_bal);
        lc.cost[t] = lc_cost;
        let vf = inp.vat_facility;
        let base = inp.profit_before_interest[t]
            - interest.iter().sum::<f64>()
            - fin_dep[t]
            - lc_cost
            - vf.interest[t];
        let losses_open = losses.balance();
        let w = tax::When {
            year: tl.year[t],
            quarter: tl.quarter[t],
            last: t + 1 == n,
        };
        let mut step = losses.step(
            w,
            base,
            inp.rates.cit[t],
            inp.rates.ptu[t],
            inp.tax.ptu_deductible,
        );
        tax::add_ietu(&mut step, inp.ietu[t]);
        let (paid, true_up) = prov.step(
            tl.year[t],
            step.income_tax_usd,
            step.taxable_before_losses_usd,
            inp.revenue[t],
            losses_open,
            inp.rates.cit[t],
            t + 1 == n,
        );
        out.tax_paid[t] = paid;
        out.tax_true_up[t] = true_up;
        // The payable holds the income tax and the PTU owed and not yet paid.
        payable_ck.opening.push(payable);
        payable_ck
            .additions
            .push(step.income_tax_usd + step.ptu_usd + (-paid).max(0.0));
        payable_ck
            .reductions
            .push(paid.max(0.0) + step.ptu_paid_usd);
        payable += step.income_tax_usd + step.ptu_usd - paid - step.ptu_paid_usd;
        ptu_owed += step.ptu_usd - step.ptu_paid_usd;
        payable_ck.closing.push(payable);
        // The IVA facility funds the IVA paid and takes the refunds: its net flow is part
        // of CFADS (IVA it funds is neutral for the DSCR); its interest is paid beside
        // senior debt service.
        let cfads = inp.cash_flow_before_tax[t] - step.ptu_paid_usd - paid + vf.drawing[t]
            - vf.repayment[t];
        out.tax.push(step);
        out.cfads[t] = cfads;

        // Scheduled principal: amortising and fixed-profile facilities first, then the
        // sculpted ones.
        let mut principal = vec![0.0; nf];
        let in_window = |i: usize| t >= ff[i].first_repayment && bal[i] > 0.0;
        let sculpt_dscr = |i: usize| match &inp.schedules[i] {
            Schedule::Sculpt(d) => Some(*d),
            Schedule::AsConfigured if fac[i].repayment == Repayment::Sculpted => {
                Some(fac[i].target_dscr.unwrap_or(1.0))
            }
            _ => None,
        };
        for (i, f) in fac.iter().enumerate() {
            if !f.is_debt() || !in_window(i) {
                continue;
            }
            let g = &ff[i];
            let left = g.maturity.saturating_sub(t) + 1;
            principal[i] = if t >= g.maturity {
                bal[i]
            } else if let Schedule::Fixed(pct) = &inp.schedules[i] {
                let k = t - g.first_repayment;
                (pct.get(k).copied().unwrap_or(0.0) * bal_cod[i]).min(bal[i])
            } else if f.is_senior() && sculpt_dscr(i).is_some() {
                // Filled in below from CFADS.
                0.0
            } else {
                match f.repayment {
                    Repayment::StraightLine => bal[i] / left as f64,
                    _ => -ppmt(g.rate[t], 1.0, left as f64, bal[i], 0.0, When::End),
                }
            };
        }
        let sculpted: Vec<usize> = (0..nf)
            .filter(|&i| fac[i].is_senior() && sculpt_dscr(i).is_some() && in_window(i))
            .collect();
        let other_senior_ds: f64 = (0..nf)
            .filter(|&i| fac[i].is_senior() && !sculpted.contains(&i))
            .map(|i| interest[i] + principal[i])
            .sum();
        let sculpted_bal: f64 = sculpted.iter().map(|&i| bal[i]).sum();
        for &i in &sculpted {
            if t >= ff[i].maturity {
                continue;
            }
            let target = sculpt_dscr(i).unwrap_or(1.0).max(1e-9);
            let share = bal[i] / sculpted_bal;
            principal[i] =
                (share * (cfads / target - other_senior_ds) - interest[i]).clamp(0.0, bal[i]);
        }
        let senior = |i: usize| fac[i].is_senior();
        let s_int: f64 = (0..nf).filter(|&i| senior(i)).map(|i| interest[i]).sum();
        let s_pri: f64 = (0..nf).filter(|&i| senior(i)).map(|i| principal[i]).sum();
        let senior_ds = s_int + s_pri;
        out.senior_interest[t] = s_int;
        out.senior_principal[t] = s_pri;
        let dscr = (senior_ds > 1e-6).then(|| cfads / senior_ds);
        out.dscr[t] = dscr;

        let mut c = cash + cfads - senior_ds - lc_cost - vf.interest[t];
        // The maintenance reserve pays the quarter's sustaining capital (its purpose).
        let open_mra = mra_bal;
        let for_purpose = mra_bal.min(inp.sustaining[t]);
        mra_bal -= for_purpose;
        c += for_purpose;
        // DSRA: drawn to meet senior debt service (or the letter of credit, up to its
        // amount).
        let open_dsra = dsra_bal;
        let used = open_dsra.min((-c).max(0.0));
        c += used;
        dsra_bal -= used;
        let open_lc = lc_bal;
        let lc_draw = if inp.dsra_lc.is_some() {
            (-c).max(0.0).min((dsra.target[t] - lc_bal).max(0.0))
        } else {
            0.0
        };
        c += lc_draw;
        lc_bal += lc_draw;
        // Sponsor support before completion, within its limit.
        let mut support = 0.0;
        let before_completion = match &fund_cfg.completion_test {
            Some(_) => completed_at.is_none(),
            None => t < fixed_completion,
        };
        if c < 0.0 && before_completion {
            support = (-c).min(support_left);
            support_left -= support;
            c += support;
        }
        // Debt service that cash cannot meet is not paid: principal first, then
        // interest, which is capitalised (a payment default).
        let mut cap_int = vec![0.0; nf];
        if c < -1e-9 && senior_ds > 1e-9 {
            let unpaid = (-c).min(senior_ds);
            defer(
                unpaid,
                &(0..nf).filter(|&i| senior(i)).collect::<Vec<_>>(),
                &mut principal,
                &interest,
                &mut cap_int,
            );
            out.unpaid_debt_service[t] += unpaid;
            c += unpaid;
        }
        // A letter of credit holds no cash.
        let target = if inp.dsra_lc.is_some() {
            0.0
        } else {
            dsra.target[t]
        };
        let (mut fund, mut release) = (0.0, used);
        if dsra_bal > target {
            release += dsra_bal - target;
            c += dsra_bal - target;
            dsra_bal = target;
        } else {
            fund = (target - dsra_bal).min(c.max(0.0));
            c -= fund;
            dsra_bal += fund;
        }
        dsra.funding[t] = fund;
        dsra.release[t] = release;
        let ck = &mut dsra.corkscrew;
        ck.opening.push(open_dsra);
        ck.additions.push(fund);
        ck.reductions.push(release);
        ck.closing.push(dsra_bal);
        // Letter-of-credit drawings reimbursed from what is left.
        let lc_repay = lc_bal.min(c.max(0.0));
        c -= lc_repay;
        lc_bal -= lc_repay;
        lc.drawing[t] = lc_draw;
        lc.repayment[t] = lc_repay;
        let ck = &mut lc.corkscrew;
        ck.opening.push(open_lc);
        ck.additions.push(lc_draw);
        ck.reductions.push(lc_repay);
        ck.closing.push(lc_bal);
        // Maintenance reserve: released above its target, or funded up to it.
        let m_target = maint.target[t];
        let (mut m_fund, mut m_release) = (0.0, for_purpose);
        if mra_bal > m_target {
            m_release += mra_bal - m_target;
            c += mra_bal - m_target;
            mra_bal = m_target;
        } else {
            m_fund = (m_target - mra_bal).min(c.max(0.0));
            c -= m_fund;
            mra_bal += m_fund;
        }
        maint.funding[t] = m_fund;
        maint.release[t] = m_release;
        let ck = &mut maint.corkscrew;
        ck.opening.push(open_mra);
        ck.additions.push(m_fund);
        ck.reductions.push(m_release);
        ck.closing.push(mra_bal);

        // Subordinated debt service, from what is left.
        let subs: Vec<usize> = (0..nf)
            .filter(|&i| fac[i].is_debt() && !senior(i))
            .collect();
        let sub_due: f64 = subs.iter().map(|&i| interest[i] + principal[i]).sum();
        let sub_unpaid = (sub_due - c.max(0.0)).max(0.0);
        if sub_unpaid > 1e-9 {
            defer(sub_unpaid, &subs, &mut principal, &interest, &mut cap_int);
            out.unpaid_debt_service[t] += sub_unpaid;
        }
        let sub_ds = sub_due - sub_unpaid;
        c -= sub_ds;
        out.sub_debt_service[t] = sub_ds;
        // Any other deficit (negative CFADS with no debt service to withhold) is a
        // funding shortfall: reported, never silently plugged.
        if c < 0.0 {
            out.funding_shortfall[t] = -c;
            c = 0.0;
        }

        // Completion test at the quarter's end.
        if let (Some(ct), None) = (&fund_cfg.completion_test, completed_at) {
            let output_ok = t < eoo
                && inp.feed[t] >= ct.output_pct / 100.0 * ct.design_feed_dry_t_per_year / 4.0;
            let ratio_ok = dscr.is_none_or(|d| d >= ct.min_dscr);
            streak = if output_ok && ratio_ok { streak + 1 } else { 0 };
            if streak >= ct.consecutive_quarters.max(1) {
                completed_at = Some(t);
            } else if t == cod + ct.longstop_quarters {
                out.completion_longstop_missed = Some(t);
            }
        }

        // Covenants, sweep and distributions.
        let tested = match cov.test_on {
            CovenantTest::Quarter => dscr,
            CovenantTest::TrailingTwelveMonths => {
                let from = t.saturating_sub(3).max(cod);
                let (mut cf, mut ds) = (0.0, 0.0);
                for s in from..=t {
                    let d = out.senior_interest[s] + out.senior_principal[s];
                    if d > 1e-6 {
                        cf += out.cfads[s];
                        ds += d;
                    }
                }
                (senior_ds > 1e-6).then(|| cf / ds)
            }
        };
        out.covenant_dscr[t] = tested;
        let lock = tested.is_some_and(|d| d < cov.lock_up_dscr);
        out.lock_up[t] = lock;
        out.default_event[t] = tested.is_some_and(|d| d < cov.min_dscr);
        let mut prepay = vec![0.0; nf];
        let sweepable: Vec<usize> = (0..nf)
            .filter(|&i| {
                matches!(
                    fac[i].kind,
                    FacilityKind::SeniorTermLoan | FacilityKind::CostOverrun
                )
            })
            .collect();
        let left_after: f64 = sweepable.iter().map(|&i| bal[i] - principal[i]).sum();
        let sweep_on = match cov.cash_sweep_when {
            SweepWhen::Always => true,
            SweepWhen::LockUp => lock,
        };
        if sweep_on && c > 0.0 && left_after > 1e-6 {
            let amount = (cov.cash_sweep_pct / 100.0 * c).min(left_after);
            for &i in &sweepable {
                prepay[i] = amount * (bal[i] - principal[i]) / left_after;
            }
            c -= amount;
            out.sweep[t] = amount;
        }
        // Closure reserve: cash retained for the closure cost still to come, built up
        // evenly over the last `closure_reserve_quarters` operating quarters, and for the
        // PTU owed in those quarters and after (paid the next May, when no revenue may
        // come to pay it).
        let nq = fund_cfg.closure_reserve_quarters;
        let retain = if nq == 0 {
            0.0
        } else if t >= eoo {
            closure_after[t] + ptu_owed
        } else if t + nq >= eoo {
            closure_after[t] * (t + nq + 1 - eoo) as f64 / nq as f64 + ptu_owed
        } else {
            0.0
        };
        out.closure_reserve[t] = retain;
        let in_default = out.unpaid_debt_service[t] > 0.0
            || (0..nf).any(|i| fac[i].is_debt() && t > ff[i].maturity && bal[i] > 1e-6);
        let dist = if (!lock && !in_default || t + 1 == n) && c > retain {
            if t + 1 == n {
                c
            } else {
                c - retain
            }
        } else {
            0.0
        };
        c -= dist;
        out.distributions[t] = dist;
        out.sponsor_support[t] = support;

        let inflow =
            cfads.max(0.0) + release + support + out.funding_shortfall[t] + lc_draw + m_release;
        let outflow = (-cfads).max(0.0)
            + vf.interest[t]
            + lc_cost
            + lc_repay
            + m_fund
            + (senior_ds - out.unpaid_debt_service[t] + sub_unpaid)
            + fund
            + sub_ds
            + out.sweep[t]
            + dist;
        cash_ck.opening.push(cash);
        cash_ck.additions.push(inflow);
        cash_ck.reductions.push(outflow);
        cash = c;
        cash_ck.closing.push(cash);

        for i in 0..nf {
            let g = &mut ff[i];
            g.opening.push(bal[i]);
            bal[i] += cap_int[i];
            bal[i] -= principal[i] + prepay[i];
            if bal[i].abs() < 1e-12 * commit[i].max(1.0) {
                bal[i] = 0.0;
            }
            g.drawdown.push(0.0);
            g.capitalised_interest.push(cap_int[i]);
            g.interest.push(interest[i]);
            g.interest_paid.push(interest[i] - cap_int[i]);
            g.fees.push(0.0);
            g.principal.push(principal[i]);
            g.prepayment.push(prepay[i]);
            g.closing.push(bal[i]);
        }
    }
    out.completion = match &fund_cfg.completion_test {
        Some(_) => completed_at,
        None => (fixed_completion > cod && fixed_completion <= n).then(|| fixed_completion - 1),
    };
    out.facilities = ff;
    out.financing_costs_tax_dep = fin_dep;
    out.financing_costs_wdv = fin_ck;
    out.losses = Some(losses);
    out.tax_payable = payable_ck;
    out.dsra = dsra;
    out.dsra_lc = lc;
    out.maintenance = maint;
    out.cash = cash_ck;
    out
}

/// Withholds `unpaid` of the debt service of facilities `idx`: scheduled principal first
/// (pro rata), then interest, which is capitalised (`cap_int`).
fn defer(unpaid: f64, idx: &[usize], principal: &mut [f64], interest: &[f64], cap_int: &mut [f64]) {
    let pri: f64 = idx.iter().map(|&i| principal[i]).sum();
    let int: f64 = idx.iter().map(|&i| interest[i]).sum();
    let from_pri = unpaid.min(pri);
    if pri > 0.0 {
        for &i in idx {
            principal[i] -= from_pri * principal[i] / pri;
        }
    }
    let from_int = (unpaid - from_pri).min(int);
    if int > 0.0 {
        for &i in idx {
            cap_int[i] += from_int * interest[i] / int;
        }
    }
}

/// Scheduled senior debt service (interest + scheduled principal) of a planning pass, and
/// the DSRA target it implies: the sum over the next `quarters` periods.
/// Targets start at period `from` (the first operating quarter, or the last construction
/// quarter when the reserve is funded at completion).
pub fn dsra_target(plan: &Financing, quarters: usize, from: usize) -> Vec<f64> {
    let ds: Vec<f64> = (0..plan.cfads.len())
        .map(|t| plan.senior_interest[t] + plan.senior_principal[t])
        .collect();
    (0..ds.len())
        .map(|t| {
            if t < from {
                0.0
            } else {
                ds.iter().skip(t + 1).take(quarters).sum()
            }
        })
        .collect()
}
