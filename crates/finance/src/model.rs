//! The model run: wires the calculation modules together (time base → capital →
//! revenue and operating cost → duty and tax depreciation → unlevered taxes → financing
//! and waterfall → book accounts → statements → metrics) and assembles the outputs.

use crate::capex;
use crate::config::{FacilityKind, FinanceConfig};
use crate::corkscrew::Corkscrew;
use crate::financing::{self, Financing, Schedule};
use crate::operating;
use crate::production::ProductionProfile;
use crate::sizing::SizedDebt;
use crate::statements;
use crate::tax::{self, LossPool};
use crate::timeline::Timeline;
use crate::tvm;

pub use crate::result::FinanceResult;
use crate::result::*;

/// Series shared by the statements and the tables (full time base, USD).
pub(crate) struct Calc {
    pub tl: Timeline,
    pub feed: Vec<f64>,
    pub capex: capex::CapexSchedule,
    pub rev: operating::RevenueLines,
    pub opex: operating::OpexLines,
    pub wc: operating::WorkingCapitalLines,
    pub wc_increase: Vec<f64>,
    pub vat: operating::VatLines,
    pub vat_facility: operating::VatFacilityLines,
    pub duty: Vec<f64>,
    pub ebitda: Vec<f64>,
    pub tax_dep_capital: Vec<f64>,
    pub fin: Financing,
    pub book_dep: Vec<f64>,
    pub fixed_assets: Corkscrew,
    pub tax_wdv: Vec<Corkscrew>,
    pub ietu_credits: Corkscrew,
    pub project_pre_tax: Vec<f64>,
    pub tax_unlevered: Vec<f64>,
    pub project_after_tax: Vec<f64>,
    pub equity_flow: Vec<f64>,
    pub llcr: Vec<Option<f64>>,
    pub plcr: Vec<Option<f64>>,
}

fn zip_map(n: usize, f: impl Fn(usize) -> f64) -> Vec<f64> {
    (0..n).map(f).collect()
}

/// Runs the finance model on a production schedule (one entry per operating quarter) as
/// the sizing case: sizes the sculpted debt on this production ([`crate::size_debt`]) and
/// runs with it ([`run_with_debt`]). Inputs are assumed valid
/// ([`FinanceConfig::validate`] returns no problem).
pub fn run(cfg: &FinanceConfig, production: &ProductionProfile) -> FinanceResult {
    let sized = crate::sizing::size_debt(cfg, production);
    run_with_debt(cfg, production, &sized)
}

/// Runs the finance model with debt sized beforehand (on the base case): each sized
/// facility is signed at its sized amount and repaid on the fixed profile of the sizing
/// case (a share of its balance at the first operating quarter, quarter by quarter from
/// its first repayment; what is left is due at maturity). The DSCR of this case follows.
pub fn run_with_debt(
    cfg: &FinanceConfig,
    production: &ProductionProfile,
    sized: &SizedDebt,
) -> FinanceResult {
    let (cfg2, schedules) = sized.apply(cfg);
    let c = calculate(&cfg2, production, &schedules);
    let mut r = assemble(&cfg2, production, c);
    r.debt_sizing = sized.clone();
    r
}

pub(crate) fn calculate(
    cfg: &FinanceConfig,
    prod: &ProductionProfile,
    schedules: &[Schedule],
) -> Calc {
    let tl = Timeline::new(&cfg.timing, prod.len());
    let n = tl.len();
    let feed = tl.place_operations(&prod.series(|p| p.plant_feed_dry_t));
    let esc = &cfg.escalation;
    let usd_index: Vec<f64> = tl.year.iter().map(|&y| esc.usd(y)).collect();
    let mxn_index: Vec<f64> = tl.year.iter().map(|&y| esc.mxn(y)).collect();
    let mut cx = capex::schedule(&cfg.capex, &tl, &feed);
    cx.escalate(&usd_index);
    let rev = operating::revenue(&cfg.revenue, &tl, prod, &usd_index);
    let opex = operating::opex(&cfg.opex, &tl, prod, &usd_index, &mxn_index);
    let wc = operating::working_capital(&cfg.working_capital, &rev.net, &opex.total);
    let wc_bal = zip_map(n, |i| wc.receivables[i] + wc.inventory[i] - wc.payables[i]);
    let wc_increase = zip_map(n, |i| wc_bal[i] - if i > 0 { wc_bal[i - 1] } else { 0.0 });
    let rates = tax::rates(&cfg.tax, &tl);
    let duty_base = zip_map(n, |i| {
        rev.net[i] - rev.royalty[i] - opex.total[i] - cx.closure[i]
    });
    let duty = tax::mining_duty(&duty_base, &rates.duty);
    // EBITDA = net revenue − royalty − opex − closure, which is also the duty base.
    let ebitda = duty_base.clone();

    // Tax depreciation of the capital, class by class.
    let class_rate = |name: &str| {
        cfg.tax
            .depreciation_classes
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.rate_pct)
    };
    let mut tax_dep_capital = vec![0.0; n];
    let mut tax_wdv: Vec<Corkscrew> = Vec::new();
    for (name, adds) in &cx.by_tax_class {
        let (dep, ck) = tax::depreciation(
            &format!("tax_wdv:{name}"),
            adds,
            class_rate(name).unwrap_or(0.0),
            &tl,
        );
        tax_dep_capital
            .iter_mut()
            .zip(&dep)
            .for_each(|(a, d)| *a += d);
        tax_wdv.push(ck);
    }
    // IVA on purchases: paid and refunded after the lag; the net is a cash flow of the
    // project (construction: a use of the construction sources).
    let capital = zip_map(n, |i| cx.initial[i] + cx.sustaining[i] + cx.closure[i]);
    let vat = operating::vat(&cfg.vat, &tl, &capital, &opex.total);
    let vat_net = zip_map(n, |i| vat.paid[i] - vat.refund[i]);
    let vat_facility = operating::vat_facility(&cfg.vat, &vat);
    let cfbt = zip_map(n, |i| {
        ebitda[i] - duty[i] - cx.sustaining[i] - wc_increase[i] - vat_net[i]
    });
    let pbi = zip_map(n, |i| ebitda[i] - duty[i] - tax_dep_capital[i]);
    // IETU on its cash-flow base (capital deducted when spent; no interest).
    let ietu_base = zip_map(n, |i| ebitda[i] - cx.initial[i] - cx.sustaining[i]);
    let (ietu, ietu_credits) = tax::ietu(&ietu_base, &rates.ietu, cfg.tax.ietu_credit_years);

    // Unlevered taxes: the same regime without interest or financing costs.
    let mut pool = LossPool::new("tax_losses_unlevered", cfg.tax.loss_carry_forward_years);
    let mut prov =
        tax::Provisional::new(cfg.tax.payments == crate::config::TaxPayments::ProfitCoefficient);
    let unlev: Vec<f64> = (0..n)
        .map(|t| {
            let base = if t >= tl.cod { pbi[t] } else { 0.0 };
            let open = pool.balance();
            let w = tax::When {
                year: tl.year[t],
                quarter: tl.quarter[t],
                last: t + 1 == n,
            };
            let mut s = pool.step(w, base, rates.cit[t], rates.ptu[t], cfg.tax.ptu_deductible);
            tax::add_ietu(&mut s, ietu[t]);
            let (paid, _) = prov.step(
                tl.year[t],
                s.income_tax_usd,
                s.taxable_before_losses_usd,
                if t >= tl.cod { rev.net[t] } else { 0.0 },
                open,
                rates.cit[t],
                t + 1 == n,
            );
            s.ptu_paid_usd + paid
        })
        .collect();
    let project_pre_tax = zip_map(n, |i| cfbt[i] + duty[i] - cx.initial[i]);
    let project_after_tax = zip_map(n, |i| cfbt[i] - unlev[i] - cx.initial[i]);

    let inputs = financing::Inputs {
        tl: &tl,
        facilities: &cfg.facilities,
        initial_capex: &cx.initial,
        budget_capex: &cx.budget,
        leased_capex: &cx.leased,
        cash_flow_before_tax: &cfbt,
        profit_before_interest: &pbi,
        rates: &rates,
        tax: &cfg.tax,
        financing_costs_rate_pct: class_rate(&cfg.tax.financing_costs_class),
        covenants: &cfg.covenants,
        funding: &cfg.funding,
        schedules,
        closure_cost: &cx.closure,
        dsra_at_completion: cfg.dsra.funded_at_completion,
        feed: &feed,
        ietu: &ietu,
        vat_paid: &vat.paid,
        vat_refund: &vat.refund,
        vat_facility: &vat_facility,
        dsra_lc: (cfg.dsra.letter_of_credit && cfg.dsra.debt_service_quarters > 0).then(|| {
            (
                cfg.dsra.lc_fee_pct / 400.0,
                cfg.dsra.lc_drawn_rate_pct / 400.0,
            )
        }),
        sustaining: &cx.sustaining,
        maintenance: &cfg.maintenance_reserve,
        revenue: &rev.net,
    };
    // The DSRA target is the scheduled debt service of a pass without a reserve (the
    // spreadsheet's copy-paste step). Funded at completion the reserve is a use of
    // construction funds, which changes the debt drawn and so its own target: the step is
    // repeated (four passes bring the target within cents).
    let mut fin = financing::run(&inputs, None);
    if cfg.dsra.debt_service_quarters > 0 {
        let (from, passes) = if cfg.dsra.funded_at_completion {
            (tl.cod.saturating_sub(1), 4)
        } else {
            (tl.cod, 1)
        };
        for _ in 0..passes {
            let target = financing::dsra_target(&fin, cfg.dsra.debt_service_quarters, from);
            fin = financing::run(&inputs, Some(&target));
        }
    }

    // Book fixed assets: units of production on plant feed from COD.
    let additions = zip_map(n, |i| {
        cx.initial[i] + fin.capitalised_financing[i] + cx.sustaining[i]
    });
    let mut fa = Corkscrew {
        name: "fixed_assets_book".into(),
        ..Default::default()
    };
    let mut book_dep = vec![0.0; n];
    let mut nbv = 0.0;
    let mut remaining_feed: f64 = feed.iter().sum();
    for t in 0..n {
        let dep = if t < tl.cod {
            0.0
        } else if remaining_feed <= 1e-9 {
            nbv
        } else {
            nbv * feed[t] / remaining_feed
        };
        remaining_feed -= feed[t];
        book_dep[t] = dep;
        fa.opening.push(nbv);
        fa.additions.push(additions[t]);
        fa.reductions.push(dep);
        nbv += additions[t] - dep;
        fa.closing.push(nbv);
    }

    let equity_flow = zip_map(n, |t| {
        let contributed: f64 = cfg
            .facilities
            .iter()
            .zip(&fin.facilities)
            .filter(|(f, _)| f.kind == FacilityKind::Equity)
            .map(|(_, g)| g.drawdown[t])
            .sum();
        fin.distributions[t] - contributed - fin.sponsor_support[t] - fin.funding_shortfall[t]
    });
    let (llcr, plcr) = cover_ratios(cfg, &tl, &fin);
    Calc {
        tl,
        feed,
        capex: cx,
        rev,
        opex,
        wc,
        wc_increase,
        vat,
        vat_facility,
        duty,
        ebitda,
        tax_dep_capital,
        fin,
        book_dep,
        fixed_assets: fa,
        tax_wdv,
        ietu_credits,
        project_pre_tax,
        tax_unlevered: unlev,
        project_after_tax,
        equity_flow,
        llcr,
        plcr,
    }
}

/// LLCR and PLCR at the start of each operating quarter with senior debt outstanding:
/// NPV of CFADS from that quarter to the senior loans' final repayment (LLCR: the quarter
/// the senior balance is repaid to zero, or the last senior maturity if it is not) or to
/// the last operating quarter (PLCR), at the balance-weighted senior quarterly rate
/// (end of quarter), ÷ the opening senior balance.
#[allow(clippy::type_complexity)]
fn cover_ratios(
    cfg: &FinanceConfig,
    tl: &Timeline,
    fin: &Financing,
) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let n = tl.len();
    let senior: Vec<usize> = (0..cfg.facilities.len())
        .filter(|&i| cfg.facilities[i].is_senior())
        .collect();
    let closing = |t: usize| -> f64 { senior.iter().map(|&i| fin.facilities[i].closing[t]).sum() };
    let last_maturity = senior
        .iter()
        .map(|&i| fin.facilities[i].maturity)
        .max()
        .unwrap_or(0);
    let end_of_production = tl
        .end_of_operations
        .saturating_sub(1)
        .min(n.saturating_sub(1));
    let mut llcr = vec![None; n];
    let mut plcr = vec![None; n];
    for t in tl.cod..n {
        let open: f64 = senior.iter().map(|&i| fin.facilities[i].opening[t]).sum();
        if open <= 1e-6 {
            continue;
        }
        let r: f64 = senior
            .iter()
            .map(|&i| fin.facilities[i].opening[t] * fin.facilities[i].rate[t])
            .sum::<f64>()
            / open;
        let repaid = (t..n).find(|&s| closing(s) <= 1e-6);
        let last = repaid.unwrap_or(last_maturity.max(t)).min(n - 1);
        llcr[t] = Some(tvm::npv_excel(r, &fin.cfads[t..=last]) / open);
        if t <= end_of_production {
            plcr[t] = Some(tvm::npv_excel(r, &fin.cfads[t..=end_of_production]) / open);
        }
    }
    (llcr, plcr)
}

fn assemble(cfg: &FinanceConfig, prod: &ProductionProfile, c: Calc) -> FinanceResult {
    let quarterly = statements::quarterly_rows(cfg, prod, &c);
    let annual = statements::annual_rows(&quarterly);
    let (income_statement, balance_sheet, cash_flow_statement) = statements::statements(cfg, &c);
    let corkscrews = statements::corkscrews(cfg, &c);
    let facilities = statements::facility_summaries(cfg, &c);
    let covenant_events = (0..c.tl.len())
        .flat_map(|t| {
            let d = c.fin.covenant_dscr[t].unwrap_or(f64::NAN);
            let ev = |kind| CovenantEvent {
                period: t,
                label: c.tl.label(t),
                kind,
                dscr: d,
            };
            let mut v = Vec::new();
            if c.fin.default_event[t] {
                v.push(ev(CovenantKind::Default));
            }
            if c.fin.lock_up[t] {
                v.push(ev(CovenantKind::LockUp));
            }
            v
        })
        .collect();
    let metrics = crate::metrics::metrics(cfg, &c, &quarterly, &annual, &balance_sheet);
    let funding = funding_summary(cfg, &c, &metrics);
    let tol = crate::metrics::SHORTFALL_TOLERANCE_USD;
    let mut defaults: Vec<DebtDefault> = (0..c.tl.len())
        .filter(|&t| c.fin.unpaid_debt_service[t] > tol)
        .map(|t| DebtDefault {
            facility: "all debt".into(),
            kind: DefaultKind::Payment,
            period: t,
            label: c.tl.label(t),
            amount_usd: c.fin.unpaid_debt_service[t],
        })
        .collect();
    if let Some(t) = c.fin.completion_longstop_missed {
        defaults.push(DebtDefault {
            facility: "all debt".into(),
            kind: DefaultKind::CompletionLongstop,
            period: t,
            label: c.tl.label(t),
            amount_usd: 0.0,
        });
    }
    for (fc, g) in cfg.facilities.iter().zip(&c.fin.facilities) {
        let left = g.closing.get(g.maturity).copied().unwrap_or(0.0);
        if fc.is_debt() && left > tol {
            defaults.push(DebtDefault {
                facility: fc.name.clone(),
                kind: DefaultKind::Maturity,
                period: g.maturity,
                label: c.tl.label(g.maturity),
                amount_usd: left,
            });
        }
    }
    FinanceResult {
        area_names: c.capex.area_names.clone(),
        phase_names: c.capex.phase_names.clone(),
        facility_names: cfg.facilities.iter().map(|f| f.name.clone()).collect(),
        quarterly,
        annual,
        income_statement,
        balance_sheet,
        cash_flow_statement,
        corkscrews,
        facilities,
        metrics,
        covenant_events,
        debt_sizing: SizedDebt::default(),
        funding,
        defaults,
    }
}

/// Sources and uses from financial close to the first operating quarter.
fn funding_summary(cfg: &FinanceConfig, c: &Calc, m: &Metrics) -> FundingSummary {
    let cod = c.tl.cod;
    let f = &c.fin;
    let pre = |v: &[f64]| v[..cod.min(v.len())].iter().sum::<f64>();
    let capitalised_interest: f64 = f
        .facilities
        .iter()
        .map(|g| pre(&g.capitalised_interest))
        .sum();
    let uses = vec![
        FundingLine {
            name: "initial capital".into(),
            usd: pre(&c.capex.initial),
        },
        FundingLine {
            name: "interest capitalised".into(),
            usd: capitalised_interest,
        },
        FundingLine {
            name: "interest and fees paid".into(),
            usd: pre(&f.financing_costs_paid),
        },
        FundingLine {
            name: "DSRA funded at completion".into(),
            usd: pre(&f.dsra.funding),
        },
        FundingLine {
            name: "IVA paid less refunds".into(),
            usd: pre(&c.vat.paid) - pre(&c.vat.refund),
        },
    ];
    let mut sources: Vec<FundingLine> = cfg
        .facilities
        .iter()
        .zip(&f.facilities)
        .map(|(fc, g)| FundingLine {
            name: fc.name.clone(),
            usd: pre(&g.drawdown) + pre(&g.capitalised_interest),
        })
        .collect();
    sources.push(FundingLine {
        name: "IVA facility (drawn less repaid)".into(),
        usd: pre(&c.vat_facility.drawing) - pre(&c.vat_facility.repayment),
    });
    sources.push(FundingLine {
        name: "contingent equity".into(),
        usd: pre(&f.sponsor_support),
    });
    let construction_shortfall = pre(&f.funding_shortfall);
    sources.push(FundingLine {
        name: "funding shortfall (unfunded)".into(),
        usd: construction_shortfall,
    });
    let total: f64 = uses.iter().map(|u| u.usd).sum();
    let debt: f64 = cfg
        .facilities
        .iter()
        .zip(&f.facilities)
        .filter(|(fc, _)| fc.is_debt())
        .map(|(_, g)| g.opening.get(cod).copied().unwrap_or(0.0))
        .sum();
    FundingSummary {
        uses,
        sources,
        total_usd: total,
        gearing_pct: if total > 0.0 {
            100.0 * debt / total
        } else {
            0.0
        },
        funded: m.funded,
        construction_shortfall_usd: construction_shortfall,
        operations_shortfall_usd: m.funding_shortfall_usd - construction_shortfall,
        first_shortfall: m.first_shortfall.clone(),
    }
}
