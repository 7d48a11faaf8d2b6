//! Output assembly: the quarterly waterfall rows, their annual roll-up, the condensed
//! interim statements (income statement, balance sheet, cash-flow statement) and the list
//! of corkscrews. Reads the calculated series; computes only sums and presentation.

use crate::config::FinanceConfig;
use crate::corkscrew::Corkscrew;
use crate::model::Calc;
use crate::production::ProductionProfile;
use crate::result::*;

/// One row per quarter.
pub(crate) fn quarterly_rows(
    cfg: &FinanceConfig,
    prod: &ProductionProfile,
    c: &Calc,
) -> Vec<PeriodRow> {
    let tl = &c.tl;
    let f = &c.fin;
    let ops =
        |g: fn(&crate::production::ProductionPeriod) -> f64| tl.place_operations(&prod.series(g));
    let (cu, co, zn, mn) = (
        ops(|p| p.cu_cathode_t),
        ops(|p| p.co_cathode_t),
        ops(|p| p.znso4_t),
        ops(|p| p.mnco3_t),
    );
    (0..tl.len())
        .map(|t| {
            let facilities: Vec<FacilityRow> = cfg
                .facilities
                .iter()
                .zip(&f.facilities)
                .map(|(fc, g)| FacilityRow {
                    name: fc.name.clone(),
                    drawdown_usd: g.drawdown[t],
                    capitalised_interest_usd: g.capitalised_interest[t],
                    interest_usd: g.interest[t],
                    fees_usd: g.fees[t],
                    principal_usd: g.principal[t],
                    prepayment_usd: g.prepayment[t],
                    closing_balance_usd: g.closing[t],
                })
                .collect();
            let equity: f64 = cfg
                .facilities
                .iter()
                .zip(&f.facilities)
                .filter(|(fc, _)| !fc.is_debt())
                .map(|(_, g)| g.drawdown[t])
                .sum();
            let tax = &f.tax[t];
            PeriodRow {
                period: t,
                year: tl.year[t],
                quarter: tl.quarter[t],
                label: tl.label(t),
                construction: tl.construction[t],
                ramp_up: tl.ramp_up[t],
                operations: tl.operations[t],
                closure: tl.closure[t],
                plant_feed_dry_t: c.feed[t],
                cu_cathode_t: cu[t],
                co_cathode_t: co[t],
                znso4_t: zn[t],
                mnco3_t: mn[t],
                revenue_cu_usd: c.rev.cu[t],
                revenue_co_usd: c.rev.co[t],
                revenue_znso4_usd: c.rev.zn[t],
                revenue_mnco3_usd: c.rev.mn[t],
                gross_revenue_usd: c.rev.gross[t],
                refining_usd: c.rev.refining[t],
                freight_usd: c.rev.freight[t],
                insurance_usd: c.rev.insurance[t],
                net_revenue_usd: c.rev.net[t],
                opex_underground_usd: c.opex.underground[t],
                opex_open_pit_usd: c.opex.open_pit[t],
                opex_crew_labour_usd: c.opex.crew_labour[t],
                opex_bolts_usd: c.opex.bolts[t],
                opex_development_usd: c.opex.development[t],
                opex_mine_overhead_usd: c.opex.mine_overhead[t],
                opex_processing_usd: c.opex.processing[t],
                opex_acid_usd: c.opex.acid[t],
                opex_limestone_usd: c.opex.limestone[t],
                opex_power_usd: c.opex.power[t],
                opex_g_and_a_usd: c.opex.g_and_a[t],
                opex_total_usd: c.opex.total[t],
                royalty_usd: c.rev.royalty[t],
                mining_duty_usd: c.duty[t],
                closure_cost_usd: c.capex.closure[t],
                ebitda_usd: c.ebitda[t],
                working_capital_increase_usd: c.wc_increase[t],
                vat_paid_usd: c.vat.paid[t],
                vat_refund_usd: c.vat.refund[t],
                vat_receivable_usd: c.vat.receivable.closing[t],
                vat_facility_drawing_usd: c.vat_facility.drawing[t],
                vat_facility_repayment_usd: c.vat_facility.repayment[t],
                vat_facility_interest_usd: c.vat_facility.interest[t],
                vat_facility_balance_usd: c.vat_facility.corkscrew.closing[t],
                capex_direct_usd: c.capex.direct[t],
                capex_contingency_usd: c.capex.contingency[t],
                capex_owners_usd: c.capex.owners[t],
                capex_overrun_usd: c.capex.overrun[t],
                capex_initial_usd: c.capex.initial[t],
                capex_leased_usd: c.capex.leased[t],
                capex_sustaining_usd: c.capex.sustaining[t],
                capex_by_area_usd: c.capex.by_area.iter().map(|v| v[t]).collect(),
                capex_by_phase_usd: c.capex.by_phase.iter().map(|v| v[t]).collect(),
                tax_depreciation_usd: c.tax_dep_capital[t] + f.financing_costs_tax_dep[t],
                ptu_usd: tax.ptu_usd,
                ptu_paid_usd: tax.ptu_paid_usd,
                income_tax_usd: tax.income_tax_usd,
                ietu_usd: tax.ietu_usd,
                income_tax_paid_usd: f.tax_paid[t],
                tax_true_up_usd: f.tax_true_up[t],
                tax_payable_usd: f.tax_payable.closing[t],
                tax_losses_used_usd: tax.losses_used_usd,
                cfads_usd: f.cfads[t],
                facilities,
                senior_interest_usd: f.senior_interest[t],
                senior_principal_usd: f.senior_principal[t],
                senior_debt_service_usd: f.senior_interest[t] + f.senior_principal[t],
                dsra_target_usd: f.dsra.target[t],
                dsra_funding_usd: f.dsra.funding[t],
                dsra_release_usd: f.dsra.release[t],
                dsra_balance_usd: f.dsra.corkscrew.closing[t],
                dsra_lc_drawing_usd: f.dsra_lc.drawing[t],
                dsra_lc_repayment_usd: f.dsra_lc.repayment[t],
                dsra_lc_cost_usd: f.dsra_lc.cost[t],
                dsra_lc_balance_usd: f.dsra_lc.corkscrew.closing[t],
                maintenance_reserve_target_usd: f.maintenance.target[t],
                maintenance_reserve_funding_usd: f.maintenance.funding[t],
                maintenance_reserve_release_usd: f.maintenance.release[t],
                maintenance_reserve_balance_usd: f.maintenance.corkscrew.closing[t],
                sub_debt_service_usd: f.sub_debt_service[t],
                cash_sweep_usd: f.sweep[t],
                distributions_usd: f.distributions[t],
                equity_contributions_usd: equity,
                sponsor_support_usd: f.sponsor_support[t],
                funding_shortfall_usd: f.funding_shortfall[t],
                unpaid_debt_service_usd: f.unpaid_debt_service[t],
                closure_reserve_usd: f.closure_reserve[t],
                dscr: f.dscr[t],
                llcr: c.llcr[t],
                plcr: c.plcr[t],
                lock_up: f.lock_up[t],
                cash_usd: f.cash.closing[t],
                project_cash_flow_pre_tax_usd: c.project_pre_tax[t],
                tax_unlevered_usd: c.tax_unlevered[t],
                project_cash_flow_after_tax_usd: c.project_after_tax[t],
                equity_cash_flow_usd: c.equity_flow[t],
            }
        })
        .collect()
}

/// Adds the flows of `q` to `a` (a calendar-year accumulator).
fn accumulate(a: &mut PeriodRow, q: &PeriodRow) {
    for item in LINE_ITEMS {
        match item.roll_up {
            RollUp::Sum => *(item.get_mut)(a) += (item.get)(q),
            RollUp::Last => *(item.get_mut)(a) = (item.get)(q),
        }
    }
    for (x, y) in a.capex_by_area_usd.iter_mut().zip(&q.capex_by_area_usd) {
        *x += y;
    }
    for (x, y) in a.capex_by_phase_usd.iter_mut().zip(&q.capex_by_phase_usd) {
        *x += y;
    }
    for (x, y) in a.facilities.iter_mut().zip(&q.facilities) {
        x.drawdown_usd += y.drawdown_usd;
        x.capitalised_interest_usd += y.capitalised_interest_usd;
        x.interest_usd += y.interest_usd;
        x.fees_usd += y.fees_usd;
        x.principal_usd += y.principal_usd;
        x.prepayment_usd += y.prepayment_usd;
        x.closing_balance_usd = y.closing_balance_usd;
    }
    a.lock_up |= q.lock_up;
    if a.llcr.is_none() {
        a.llcr = q.llcr;
    }
    if a.plcr.is_none() {
        a.plcr = q.plcr;
    }
}

/// Calendar-year roll-up: flows summed, flags as the share of the year's quarters,
/// balances at year end, DSCR = Σ CFADS ÷ Σ senior debt service over the year's quarters
/// with debt service, LLCR of the year's first quarter that has one.
pub(crate) fn annual_rows(q: &[PeriodRow]) -> Vec<PeriodRow> {
    let mut out: Vec<PeriodRow> = Vec::new();
    let mut dscr_sums: Vec<(f64, f64)> = Vec::new();
    for r in q {
        if out.last().is_none_or(|a| a.year != r.year) {
            let mut a = r.clone();
            a.period = out.len();
            a.quarter = 0;
            a.label = r.year.to_string();
            a.dscr = None;
            a.llcr = None;
            a.plcr = None;
            a.lock_up = false;
            zero_flows(&mut a);
            out.push(a);
            dscr_sums.push((0.0, 0.0));
        }
        let a = out.last_mut().expect("pushed above");
        accumulate(a, r);
        if r.dscr.is_some() {
            let s = dscr_sums.last_mut().expect("pushed above");
            s.0 += r.cfads_usd;
            s.1 += r.senior_debt_service_usd;
        }
    }
    for (a, (cf, ds)) in out.iter_mut().zip(dscr_sums) {
        a.dscr = (ds > 1e-6).then(|| cf / ds);
        for v in [
            &mut a.construction,
            &mut a.ramp_up,
            &mut a.operations,
            &mut a.closure,
        ] {
            *v /= 4.0;
        }
    }
    out
}

fn zero_flows(a: &mut PeriodRow) {
    let keep = (a.period, a.year, a.quarter, a.label.clone());
    let areas = a.capex_by_area_usd.len();
    let phases = a.capex_by_phase_usd.len();
    let facilities: Vec<FacilityRow> = a
        .facilities
        .iter()
        .map(|f| FacilityRow {
            name: f.name.clone(),
            ..Default::default()
        })
        .collect();
    *a = PeriodRow {
        period: keep.0,
        year: keep.1,
        quarter: keep.2,
        label: keep.3,
        capex_by_area_usd: vec![0.0; areas],
        capex_by_phase_usd: vec![0.0; phases],
        facilities,
        ..Default::default()
    };
}

/// The three condensed statements, one entry per quarter.
pub(crate) fn statements(
    cfg: &FinanceConfig,
    c: &Calc,
) -> (
    Vec<IncomeStatement>,
    Vec<BalanceSheet>,
    Vec<CashFlowStatement>,
) {
    let tl = &c.tl;
    let f = &c.fin;
    let n = tl.len();
    let (mut is, mut bs, mut cf) = (Vec::new(), Vec::new(), Vec::new());
    let (mut contributed, mut retained, mut prev_cash) = (0.0, 0.0, 0.0);
    let (mut prev_ar, mut prev_inv, mut prev_ap, mut prev_vat) = (0.0, 0.0, 0.0, 0.0);
    let mut prev_tax_payable = 0.0;
    for t in 0..n {
        let ops = t >= tl.cod;
        let interest: f64 = if ops {
            f.facilities.iter().map(|g| g.interest[t]).sum::<f64>()
                + f.dsra_lc.cost[t]
                + c.vat_facility.interest[t]
        } else {
            0.0
        };
        let ebitda = c.ebitda[t];
        let ebit = ebitda - c.book_dep[t];
        let pbt = ebit - interest;
        let ptu = f.tax[t].ptu_usd;
        let cit = f.tax[t].income_tax_usd;
        let ni = pbt - c.duty[t] - ptu - cit;
        is.push(IncomeStatement {
            period: t,
            label: tl.label(t),
            revenue_usd: c.rev.net[t],
            operating_costs_usd: c.opex.total[t],
            royalty_usd: c.rev.royalty[t],
            mining_duty_usd: c.duty[t],
            closure_cost_usd: c.capex.closure[t],
            ebitda_usd: ebitda,
            depreciation_usd: c.book_dep[t],
            ebit_usd: ebit,
            interest_expense_usd: interest,
            profit_before_tax_usd: pbt,
            ptu_usd: ptu,
            income_tax_usd: cit,
            net_income_usd: ni,
        });

        let mut equity_in = f.sponsor_support[t] + f.funding_shortfall[t];
        let (mut drawn, mut repaid) = (0.0, 0.0);
        let mut debt = Vec::new();
        for (fc, g) in cfg.facilities.iter().zip(&f.facilities) {
            if fc.is_debt() {
                drawn += g.drawdown[t];
                repaid += g.principal[t] + g.prepayment[t];
                debt.push(g.closing[t]);
            } else {
                equity_in += g.drawdown[t];
                debt.push(0.0);
            }
        }
        contributed += equity_in;
        retained += ni - f.distributions[t];
        let cash = f.cash.closing[t];
        let dsra = f.dsra.corkscrew.closing[t];
        let (ar, inv, ap) = (c.wc.receivables[t], c.wc.inventory[t], c.wc.payables[t]);
        let fa = c.fixed_assets.closing[t];
        let vat = c.vat.receivable.closing[t];
        let mra = f.maintenance.corkscrew.closing[t];
        let lc_drawn = f.dsra_lc.corkscrew.closing[t];
        let assets = cash + dsra + ar + inv + vat + mra + fa;
        let total_debt: f64 = debt.iter().sum();
        let tax_payable = f.tax_payable.closing[t];
        let vat_facility = c.vat_facility.corkscrew.closing[t];
        let liabilities = ap + lc_drawn + tax_payable + vat_facility + total_debt;
        let equity = contributed + retained;
        bs.push(BalanceSheet {
            period: t,
            label: tl.label(t),
            cash_usd: cash,
            dsra_usd: dsra,
            receivables_usd: ar,
            inventory_usd: inv,
            vat_receivable_usd: vat,
            maintenance_reserve_usd: mra,
            fixed_assets_net_usd: fa,
            total_assets_usd: assets,
            payables_usd: ap,
            dsra_lc_drawn_usd: lc_drawn,
            tax_payable_usd: tax_payable,
            vat_facility_usd: vat_facility,
            debt_usd: debt,
            total_debt_usd: total_debt,
            total_liabilities_usd: liabilities,
            equity_contributed_usd: contributed,
            retained_earnings_usd: retained,
            total_equity_usd: equity,
            balance_check_usd: assets - liabilities - equity,
        });

        let wc = -(ar - prev_ar) - (inv - prev_inv) + (ap - prev_ap) - (vat - prev_vat);
        let interest_capitalised: f64 = if ops {
            f.facilities.iter().map(|g| g.capitalised_interest[t]).sum()
        } else {
            0.0
        };
        let tax_payable_increase = tax_payable - prev_tax_payable;
        let operating = ni + c.book_dep[t] + wc + tax_payable_increase + interest_capitalised;
        let capex = c.capex.initial[t] + c.capex.sustaining[t];
        let dsra_net = f.dsra.release[t] - f.dsra.funding[t];
        let mra_net = f.maintenance.release[t] - f.maintenance.funding[t];
        let investing = -capex - f.financing_costs_paid[t] + dsra_net + mra_net;
        drawn += f.dsra_lc.drawing[t] + c.vat_facility.drawing[t];
        repaid += f.dsra_lc.repayment[t] + c.vat_facility.repayment[t];
        let financing = drawn - repaid + equity_in - f.distributions[t];
        cf.push(CashFlowStatement {
            period: t,
            label: tl.label(t),
            net_income_usd: ni,
            depreciation_usd: c.book_dep[t],
            working_capital_usd: wc,
            tax_payable_usd: tax_payable_increase,
            interest_capitalised_usd: interest_capitalised,
            operating_usd: operating,
            capex_usd: -capex,
            capitalised_financing_costs_usd: -f.financing_costs_paid[t],
            dsra_usd: dsra_net,
            maintenance_reserve_usd: mra_net,
            investing_usd: investing,
            debt_drawn_usd: drawn,
            debt_repaid_usd: -repaid,
            equity_contributed_usd: equity_in,
            distributions_usd: -f.distributions[t],
            financing_usd: financing,
            net_change_usd: operating + investing + financing,
            opening_cash_usd: prev_cash,
            closing_cash_usd: cash,
        });
        prev_cash = cash;
        (prev_ar, prev_inv, prev_ap, prev_vat) = (ar, inv, ap, vat);
        prev_tax_payable = tax_payable;
    }
    (is, bs, cf)
}

/// Every balance of the model as a corkscrew.
pub(crate) fn corkscrews(cfg: &FinanceConfig, c: &Calc) -> Vec<Corkscrew> {
    let f = &c.fin;
    let mut out = Vec::new();
    for (fc, g) in cfg.facilities.iter().zip(&f.facilities) {
        let n = g.closing.len();
        out.push(Corkscrew {
            name: format!(
                "{}:{}",
                if fc.is_debt() { "debt" } else { "equity" },
                fc.name
            ),
            opening: g.opening.clone(),
            additions: (0..n)
                .map(|t| g.drawdown[t] + g.capitalised_interest[t])
                .collect(),
            reductions: (0..n).map(|t| g.principal[t] + g.prepayment[t]).collect(),
            closing: g.closing.clone(),
        });
    }
    out.push(f.tax_payable.clone());
    out.push(f.dsra.corkscrew.clone());
    out.push(f.dsra_lc.corkscrew.clone());
    out.push(f.maintenance.corkscrew.clone());
    if let Some(l) = &f.losses {
        out.push(l.corkscrew.clone());
    }
    out.push(c.fixed_assets.clone());
    out.extend(c.tax_wdv.iter().cloned());
    out.push(f.financing_costs_wdv.clone());
    out.push(c.ietu_credits.clone());
    out.push(c.vat.receivable.clone());
    out.push(c.vat_facility.corkscrew.clone());
    out.push(f.cash.clone());
    out
}

/// One summary per facility.
pub(crate) fn facility_summaries(cfg: &FinanceConfig, c: &Calc) -> Vec<FacilitySummary> {
    let tl = &c.tl;
    cfg.facilities
        .iter()
        .zip(&c.fin.facilities)
        .map(|(fc, g)| {
            let debt = fc.is_debt();
            let repaid = (debt && g.first_drawdown.is_some())
                .then(|| {
                    g.closing
                        .iter()
                        .rposition(|b| *b > 1e-6)
                        .map(|i| i + 1)
                        .unwrap_or(0)
                })
                .filter(|&i| i < tl.len())
                .map(|i| tl.label(i));
            FacilitySummary {
                name: fc.name.clone(),
                kind: fc.kind.as_str().to_string(),
                commitment_usd: fc.commitment_usd,
                drawn_usd: g.drawdown.iter().sum(),
                capitalised_interest_usd: g.capitalised_interest.iter().sum(),
                peak_balance_usd: g.closing.iter().fold(0.0, |m, b| m.max(*b)),
                first_drawdown: g.first_drawdown.map(|i| tl.label(i)),
                first_repayment: debt.then(|| tl.label(g.first_repayment)),
                maturity: debt.then(|| tl.label(g.maturity)),
                maturity_period: debt.then_some(g.maturity),
                repaid,
            }
        })
        .collect()
}
