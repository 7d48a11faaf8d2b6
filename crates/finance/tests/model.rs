//! Model discipline and hand-computed cases: corkscrews, balance sheet, cash-flow
//! statement, a hand-computed loan, taxes with losses and expiry, the Mexican rates by
//! year, sculpting, repayment by maturity, the cost overrun facility, validation, and a
//! property test over random inputs.

use manto_finance::config::Repayment;
use manto_finance::{run, Corkscrew, FinanceConfig, FinanceResult};
use proptest::prelude::*;

const BOLEO: &str = include_str!("../../../scenarios/finance-boleo.toml");

fn parse(src: &str) -> FinanceConfig {
    let cfg = FinanceConfig::from_scenario_toml(src, "test.toml").expect("parses");
    let problems = cfg.validate();
    assert!(problems.is_empty(), "{problems:?}");
    cfg
}

fn run_cfg(cfg: &FinanceConfig) -> FinanceResult {
    run(cfg, &cfg.production_table().expect("table"))
}

fn boleo() -> FinanceConfig {
    parse(BOLEO)
}

#[track_caller]
fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "expected {b}, got {a} (tol {tol})");
}

/// The generic checks every run must pass: every corkscrew rolls, the balance sheet
/// balances, the cash-flow statement explains the change in cash.
fn check_discipline(r: &FinanceResult) {
    let names: Vec<&str> = r.corkscrews.iter().map(|c| c.name.as_str()).collect();
    for needed in [
        "dsra",
        "tax_losses",
        "fixed_assets_book",
        "cash",
        "tax_wdv:financing_costs",
    ] {
        assert!(
            names.contains(&needed),
            "missing corkscrew {needed}: {names:?}"
        );
    }
    for c in &r.corkscrews {
        c.check(1e-9).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.closing.len(), r.quarterly.len(), "{}", c.name);
    }
    let scale = r
        .balance_sheet
        .iter()
        .fold(1.0_f64, |m, b| m.max(b.total_assets_usd.abs()));
    for b in &r.balance_sheet {
        assert!(
            b.balance_check_usd.abs() <= 1e-9 * scale,
            "{}: assets − liabilities − equity = {}",
            b.label,
            b.balance_check_usd
        );
    }
    manto_finance::audit(r, 1e-9).unwrap_or_else(|e| panic!("{e}"));
    let mut prev = 0.0;
    for (cf, b) in r.cash_flow_statement.iter().zip(&r.balance_sheet) {
        close(cf.net_change_usd, b.cash_usd - prev, 1e-9 * scale);
        close(cf.closing_cash_usd, b.cash_usd, 1e-9 * scale);
        prev = b.cash_usd;
    }
}

#[test]
fn the_audit_catches_a_deliberately_broken_flow() {
    let good = run_cfg(&boleo());
    manto_finance::audit(&good, 1e-9).expect("the default ties");
    let t = good
        .quarterly
        .iter()
        .position(|q| q.senior_principal_usd > 0.0)
        .expect("a repayment quarter");
    let label = good.quarterly[t].label.clone();
    let broken = |edit: &dyn Fn(&mut FinanceResult)| {
        let mut r = good.clone();
        edit(&mut r);
        manto_finance::audit(&r, 1e-9).expect_err("a broken flow must fail")
    };
    // A repayment reported in the waterfall that never reduced the balance.
    let e = broken(&|r| r.quarterly[t].facilities[0].principal_usd += 1e6);
    assert!(e.balance.starts_with("facility:"), "{e}");
    assert_eq!(e.label, label);
    // A distribution that never left retained earnings.
    let e = broken(&|r| r.quarterly[t].distributions_usd += 1e6);
    assert_eq!(e.balance, "retained earnings", "{e}");
    // Capital spent that never reached fixed assets.
    let e = broken(&|r| r.quarterly[1].capex_initial_usd += 1e6);
    assert_eq!(e.balance, "fixed assets", "{e}");
    // A DSRA funding that the account never received.
    let e = broken(&|r| r.quarterly[t].dsra_funding_usd += 1e6);
    assert_eq!(e.balance, "dsra", "{e}");
    // Income tax paid that never reduced the tax payable.
    let e = broken(&|r| r.quarterly[t].income_tax_paid_usd += 1e6);
    assert_eq!(e.balance, "tax payable", "{e}");
    // PTU paid that never left the tax and PTU payable.
    let e = broken(&|r| r.quarterly[t].ptu_paid_usd += 1e6);
    assert_eq!(e.balance, "tax payable", "{e}");
    // Maintenance reserve funding the account never received.
    let e = broken(&|r| r.quarterly[t].maintenance_reserve_funding_usd += 1e6);
    assert_eq!(e.balance, "maintenance reserve", "{e}");
    // A letter-of-credit drawing that never became a liability.
    let e = broken(&|r| r.quarterly[t].dsra_lc_drawing_usd += 1e6);
    assert_eq!(e.balance, "dsra letter of credit", "{e}");
    // An IVA facility drawing that never became a liability.
    let e = broken(&|r| r.quarterly[t].vat_facility_drawing_usd += 1e6);
    assert_eq!(e.balance, "vat facility", "{e}");
    // IVA paid that never reached the receivable.
    let e = broken(&|r| r.quarterly[t].vat_paid_usd += 1e6);
    assert_eq!(e.balance, "vat receivable", "{e}");
    // A balance sheet line out of step with the rest.
    let e = broken(&|r| r.balance_sheet[t].receivables_usd += 1e6);
    assert_eq!(e.balance, "balance sheet", "{e}");
    // Cash that the cash-flow statement does not explain.
    let e = broken(&|r| r.cash_flow_statement[t].net_change_usd += 1e6);
    assert_eq!(e.balance, "cash (cash-flow statement)", "{e}");
}

#[test]
fn corkscrew_checker_catches_breaks() {
    let mut c = Corkscrew::from_flows("x", vec![10.0, 0.0, 5.0], vec![0.0, 4.0, 1.0]);
    assert!(c.check(1e-12).is_ok());
    assert_eq!(c.closing, vec![10.0, 6.0, 10.0]);
    c.opening[2] = 7.0;
    assert!(c
        .check(1e-12)
        .unwrap_err()
        .to_string()
        .contains("period 2 opens"));
    let mut d = Corkscrew::from_flows("y", vec![10.0, 0.0], vec![0.0, 4.0]);
    d.closing[1] = 5.0;
    assert!(d.check(1e-12).is_err());
}

#[test]
fn default_model_discipline() {
    let r = run_cfg(&boleo());
    check_discipline(&r);
    // Every debt facility is repaid by its maturity.
    for f in &r.facilities {
        if let Some(m) = f.maturity_period {
            let k = r.facility_names.iter().position(|n| *n == f.name).unwrap();
            for row in &r.quarterly[m..] {
                assert_eq!(
                    row.facilities[k].closing_balance_usd, 0.0,
                    "{} at {}",
                    f.name, row.label
                );
            }
        }
    }
}

/// Four construction quarters (2008), then operating years (from 2009) with `cu_t` tonnes a year sold at
/// 1 USD/t, G&A `ga` USD a year, tax rates as given, plus `extra` TOML.
fn tiny(cu_t: &[f64], ga: f64, extra: &str) -> String {
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"
[finance]
production_source = "table"
[finance.timing]
start_year = 2008
construction_quarters = 4
closure_quarters = 0
[finance.production]
plant_feed_dry_t = [{feed}]
cu_cathode_t = [{cu}]
[finance.revenue.cu_cathode]
price_usd_per_t = 1.0
[finance.opex]
g_and_a_usd_per_year = {ga:?}
[finance.dsra]
debt_service_quarters = 0
{extra}
"#,
        feed = list(&vec![1.0; cu_t.len()]),
        cu = list(cu_t),
    )
}

#[test]
fn hand_computed_straight_line_loan() {
    // 1,000 USD spent in the last construction quarter (2008Q4), all from one loan at
    // 8%/yr (2% a quarter), straight line over the 4 operating quarters of 2009, maturity
    // 2 years from financial close (end of 2009Q4).
    let extra = r#"
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
tax_class = "plant"
profile = { first_quarter = 3, last_quarter = 3 }
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[[finance.facilities]]
name = "loan"
commitment_usd = 1000.0
base_rate_pct = 5.0
margin_pct = 3.0
tenor_years = 2.0
repayment = "straight_line"
"#;
    let r = run_cfg(&parse(&tiny(&[2000.0], 0.0, extra)));
    check_discipline(&r);
    let l: Vec<_> = r.quarterly[3..]
        .iter()
        .map(|q| q.facilities[0].clone())
        .collect();
    assert_eq!(l[0].drawdown_usd, 1000.0);
    assert_eq!(l[0].interest_usd, 0.0);
    let interest = [20.0, 15.0, 10.0, 5.0];
    let balance = [750.0, 500.0, 250.0, 0.0];
    for q in 0..4 {
        close(l[q + 1].interest_usd, interest[q], 1e-9);
        close(l[q + 1].principal_usd, 250.0, 1e-9);
        close(l[q + 1].closing_balance_usd, balance[q], 1e-9);
    }
    // CFADS 500 a quarter, debt service 270, 265, 260, 255.
    close(r.quarterly[4].dscr.unwrap(), 500.0 / 270.0, 1e-12);
    close(r.quarterly[7].dscr.unwrap(), 500.0 / 255.0, 1e-12);
    assert_eq!(r.facilities[0].repaid.as_deref(), Some("2009Q4"));
    assert_eq!(r.facilities[0].maturity.as_deref(), Some("2009Q4"));
}

#[test]
fn hand_computed_annuity_loan() {
    // Same loan as annuity: level payment 1000 × 0.02 / (1 − 1.02^−4) = 262.6237527.
    let extra = r#"
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
tax_class = "plant"
profile = { first_quarter = 3, last_quarter = 3 }
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[[finance.facilities]]
name = "loan"
commitment_usd = 1000.0
base_rate_pct = 8.0
tenor_years = 2.0
repayment = "annuity"
"#;
    let r = run_cfg(&parse(&tiny(&[2000.0], 0.0, extra)));
    check_discipline(&r);
    for q in 4..=7 {
        let f = &r.quarterly[q].facilities[0];
        close(f.interest_usd + f.principal_usd, 262.623_752_7, 1e-6);
    }
    close(
        r.quarterly[4].facilities[0].principal_usd,
        242.623_752_7,
        1e-6,
    );
    assert_eq!(r.quarterly[7].facilities[0].closing_balance_usd, 0.0);
}

#[test]
fn flat_tax_with_losses_carried_forward() {
    // Taxable income by year: 300 − 400 = −100, 460 − 400 = +60, 480 − 400 = +80.
    // ISR 30%: year 1 no tax (loss 100); year 2 uses 60 of it, no tax; year 3 uses the
    // remaining 40, pays 30% × 40 = 12.
    let extra = "[finance.tax]\nincome_tax_pct = 30.0\n";
    let r = run_cfg(&parse(&tiny(&[300.0, 460.0, 480.0], 400.0, extra)));
    check_discipline(&r);
    let tax: Vec<f64> = r.annual.iter().map(|a| a.income_tax_usd).collect();
    assert_eq!(tax.len(), 4, "2008 construction, then 3 years");
    close(tax[0], 0.0, 1e-9);
    close(tax[1], 0.0, 1e-9);
    close(tax[2], 0.0, 1e-9);
    close(tax[3], 12.0, 1e-9);
    let losses = r
        .corkscrews
        .iter()
        .find(|c| c.name == "tax_losses")
        .unwrap();
    close(*losses.closing.last().unwrap(), 0.0, 1e-9);
    close(losses.closing[7], 100.0, 1e-9);
}

#[test]
fn losses_expire_after_ten_years() {
    // A 100 loss in operating year 1, nothing for ten years, then +100 in year 12: the
    // loss has expired, so all of year 12 is taxed (30). If the profit comes in year 11,
    // within ten years, the loss shelters it all.
    let extra = "[finance.tax]\nincome_tax_pct = 30.0\n";
    let mut late = vec![400.0; 12];
    late[0] = 300.0;
    late[11] = 500.0;
    let r = run_cfg(&parse(&tiny(&late, 400.0, extra)));
    check_discipline(&r);
    close(r.annual.last().unwrap().income_tax_usd, 30.0, 1e-9);
    let expired: f64 = {
        let c = r
            .corkscrews
            .iter()
            .find(|c| c.name == "tax_losses")
            .unwrap();
        c.reductions.iter().sum()
    };
    close(expired, 100.0, 1e-9);
    let mut within = late.clone();
    within.truncate(11);
    within[10] = 500.0;
    let r = run_cfg(&parse(&tiny(&within, 400.0, extra)));
    close(r.annual.last().unwrap().income_tax_usd, 0.0, 1e-9);
}

#[test]
fn mexican_rates_by_year() {
    // One operating year in each of 2009, 2010, 2013, 2014, 2024, 2025: revenue 1,000,
    // opex 400, no depreciation or interest, no PTU. Duty = rate × 600; ISR = rate ×
    // (600 − duty).
    let extra = r#"
[finance.tax]
income_tax_pct = [{ from_year = 2007, to_year = 2009, value = 28.0 }, { from_year = 2010, value = 30.0 }]
mining_duty_pct = [{ from_year = 2007, to_year = 2013, value = 0.0 }, { from_year = 2014, to_year = 2024, value = 7.5 }, { from_year = 2025, value = 8.5 }]
"#;
    let src = tiny(&[1000.0; 17], 400.0, extra);
    let r = run_cfg(&parse(&src));
    check_discipline(&r);
    let year = |y: i32| r.annual.iter().find(|a| a.year == y).unwrap();
    for (y, cit, duty) in [
        (2009, 0.28, 0.0),
        (2010, 0.30, 0.0),
        (2013, 0.30, 0.0),
        (2014, 0.30, 0.075),
        (2024, 0.30, 0.075),
        (2025, 0.30, 0.085),
    ] {
        let a = year(y);
        close(a.mining_duty_usd, duty * 600.0, 1e-9);
        close(a.income_tax_usd, cit * (600.0 - duty * 600.0), 1e-9);
    }
}

#[test]
fn sculpted_loan_hits_target_dscr_and_llcr() {
    // CFADS 100 a quarter in year 1 and 150 in year 2 (no tax). A loan at 8%/yr (2% a
    // quarter) sculpted to DSCR 1.25 over the 8 operating quarters, sized at the present
    // value of CFADS / 1.25, is repaid exactly at maturity.
    let r_q: f64 = 0.02;
    let cfads = [100.0, 100.0, 100.0, 100.0, 150.0, 150.0, 150.0, 150.0];
    let pv: f64 = cfads
        .iter()
        .enumerate()
        .map(|(k, c)| c / 1.25 / (1.0 + r_q).powi(k as i32 + 1))
        .sum();
    let extra = format!(
        r#"
[[finance.capex.areas]]
name = "plant"
direct_usd = {pv:?}
tax_class = "plant"
profile = {{ first_quarter = 3, last_quarter = 3 }}
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[[finance.facilities]]
name = "loan"
commitment_usd = 1000.0
base_rate_pct = 8.0
tenor_years = 3.0
repayment = "sculpted"
target_dscr = 1.25
"#
    );
    let r = run_cfg(&parse(&tiny(&[400.0, 600.0], 0.0, &extra)));
    check_discipline(&r);
    for q in &r.quarterly[4..=11] {
        let d = q.dscr.expect("repaying");
        assert!((d / 1.25 - 1.0).abs() < 1e-9, "{}: DSCR {d}", q.label);
    }
    let llcr = r.quarterly[4].llcr.unwrap();
    assert!((llcr / 1.25 - 1.0).abs() < 1e-9, "LLCR {llcr}");
    // The opening balance at the first repayment is the NPV of CFADS / target.
    close(r.quarterly[3].facilities[0].closing_balance_usd, pv, 1e-9);
    assert_eq!(r.quarterly[11].facilities[0].closing_balance_usd, 0.0);
    close(
        r.quarterly[10].facilities[0].closing_balance_usd,
        150.0 / 1.25 / 1.02,
        1e-9,
    );
}

#[test]
fn every_profile_repays_by_maturity() {
    for rep in [
        Repayment::Annuity,
        Repayment::StraightLine,
        Repayment::Sculpted,
    ] {
        let mut cfg = boleo();
        cfg.facilities[1].repayment = rep;
        cfg.facilities[1].target_dscr = Some(1.3);
        cfg.capex.overrun_pct = 10.0;
        let r = run_cfg(&cfg);
        check_discipline(&r);
        for (k, f) in r.facilities.iter().enumerate() {
            let Some(m) = f.maturity_period else { continue };
            for row in &r.quarterly[m..] {
                assert_eq!(
                    row.facilities[k].closing_balance_usd, 0.0,
                    "{rep:?} {}",
                    f.name
                );
            }
        }
        // The lease matures 7 years (28 quarters) from its first drawdown.
        let lease = &r.facilities[3];
        let first = r
            .quarterly
            .iter()
            .position(|q| q.facilities[3].drawdown_usd > 0.0)
            .unwrap();
        assert_eq!(lease.maturity_period, Some(first + 27));
        assert!(r.quarterly[first + 26].facilities[3].closing_balance_usd > 0.0);
    }
}

#[test]
fn cost_overrun_facility_draws_only_after_the_budget_is_spent() {
    // Debt sized once on the budget; each overrun case runs with that sizing.
    let base = boleo();
    let prod = base.production_table().unwrap();
    let sized = manto_finance::size_debt(&base, &prod);
    let budget = manto_finance::run_with_debt(&base, &prod, &sized);
    let cof = |r: &FinanceResult| -> f64 {
        r.quarterly
            .iter()
            .map(|q| q.facilities[2].drawdown_usd)
            .sum()
    };
    let contingent = |r: &FinanceResult| -> f64 {
        r.quarterly[..12]
            .iter()
            .map(|q| q.sponsor_support_usd)
            .sum()
    };
    assert_eq!(cof(&budget), 0.0);
    assert_eq!(contingent(&budget), 0.0);
    assert!(budget.metrics.funded);
    let initial = budget.metrics.initial_capex_usd;
    close(initial, 406_990_000.0, 1e-3);
    for pct in [5.0, 10.0, 20.0, 50.0] {
        let mut cfg = boleo();
        cfg.capex.overrun_pct = pct;
        let r = manto_finance::run_with_debt(&cfg, &prod, &sized);
        check_discipline(&r);
        // Nothing is drawn before the base sources (equity and the sized term loan)
        // are spent.
        let mut equity = 0.0;
        for q in &r.quarterly[..12] {
            equity += q.facilities[0].drawdown_usd;
            if q.facilities[2].drawdown_usd > 0.0 {
                close(equity, 150e6, 1e-3);
                close(q.facilities[1].closing_balance_usd, sized.sized_usd, 1e-3);
            }
        }
        assert!(cof(&r) > 0.0, "{pct}%");
        // The facility and the sponsor share what the base sources leave, half each; the
        // facility funds at most half of the capital overrun (cash + capitalised interest
        // within US$40M); the sponsor's contingent equity (US$40M) the rest; what neither
        // meets is the shortfall.
        let idc: f64 = r
            .quarterly
            .iter()
            .map(|q| q.facilities[2].capitalised_interest_usd)
            .sum();
        let beyond: f64 = r.quarterly[..12]
            .iter()
            .map(|q| q.facilities[2].drawdown_usd + q.sponsor_support_usd + q.funding_shortfall_usd)
            .sum();
        let overrun = pct / 100.0 * initial;
        let want = (0.5 * beyond).min(0.5 * overrun).min(40e6 - idc);
        close(cof(&r), want, 1e-3);
        close(contingent(&r), (beyond - want).min(40e6), 1e-3);
        if pct <= 10.0 {
            assert!(r.metrics.funded, "{pct}%");
        } else {
            // The facility and contingent equity are exhausted: the case is unfunded, with
            // the shortfall and its first quarter reported.
            assert!(!r.metrics.funded, "{pct}%");
            let first = r.metrics.first_shortfall.as_deref().unwrap();
            assert!(first.starts_with("2010"), "{pct}%: {first}");
            assert!(r.funding.construction_shortfall_usd > 0.0);
            assert!(r
                .metrics
                .irr_notes
                .iter()
                .any(|n| n.starts_with("unfunded")));
        }
    }
}

#[test]
fn validation_reports_exact_paths() {
    let mut cfg = boleo();
    cfg.facilities[1].commitment_usd = -5.0;
    cfg.facilities[2].tenor_years = 0.0;
    cfg.facilities[2].overrun_share_pct = 140.0;
    let src = BOLEO.replace(
        "ptu_pct = 10.0  #",
        "ptu_pct = [{ from_year = 2007, to_year = 2009, value = 28.0 }, { from_year = 2011, value = 30.0 }]  #",
    );
    assert_ne!(src, BOLEO);
    let gap = FinanceConfig::from_scenario_toml(&src, "x.toml").unwrap();
    cfg.tax.ptu_pct = gap.tax.ptu_pct.clone();
    cfg.escalation.usd_inflation_pct = manto_finance::config::ByYear::Flat(-80.0);
    let paths: Vec<String> = cfg.validate().into_iter().map(|i| i.path).collect();
    for p in [
        "finance.facilities[1].commitment_usd",
        "finance.facilities[2].tenor_years",
        "finance.facilities[2].overrun_share_pct",
        "finance.tax.ptu_pct[1].from_year",
        "finance.escalation.usd_inflation_pct",
    ] {
        assert!(paths.iter().any(|x| x == p), "missing {p} in {paths:?}");
    }
    assert_eq!(paths.len(), 5, "{paths:?}");
    // The location helper finds the gap's line in the file.
    let inv = gap
        .validate()
        .into_iter()
        .find(|i| i.path.contains("ptu_pct"))
        .unwrap();
    let located = des::input::locate(&src, "x.toml", &inv);
    assert!(located.line.is_some());
    // Unknown keys are rejected with a hint.
    let e = FinanceConfig::from_scenario_toml(
        &BOLEO.replace("receivable_days", "receivable_dayz"),
        "x.toml",
    )
    .unwrap_err();
    assert!(e.message.contains("did you mean"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    #[test]
    fn statements_balance_for_random_inputs(
        capex_scale in 0.5f64..2.0,
        price_scale in 0.3f64..2.0,
        prod_scale in 0.3f64..1.5,
        overrun in 0.0f64..30.0,
        sweep in 0.0f64..100.0,
        rep in 0usize..3,
        inflation in -1.0f64..8.0,
        real_decks in any::<bool>(),
        provisional in any::<bool>(),
        options in any::<bool>(),
    ) {
        let mut cfg = boleo();
        if options {
            // The DSRA as a letter of credit, IVA through a facility, a longer maintenance
            // reserve.
            cfg.dsra.letter_of_credit = true;
            cfg.dsra.lc_fee_pct = 1.5;
            cfg.dsra.lc_drawn_rate_pct = 9.0;
            cfg.vat.funding = manto_finance::config::VatFunding::Facility;
            cfg.vat.facility_limit_usd = 10e6;
            cfg.vat.facility_rate_pct = 8.0;
            cfg.maintenance_reserve.target_quarters = 4;
        }
        cfg.tax.payments = if provisional {
            manto_finance::config::TaxPayments::ProfitCoefficient
        } else {
            manto_finance::config::TaxPayments::AsComputed
        };
        if real_decks {
            cfg.escalation.decks = manto_finance::config::Basis::Real;
            cfg.escalation.usd_inflation_pct = manto_finance::config::ByYear::Flat(inflation);
            cfg.escalation.mxn_inflation_pct = manto_finance::config::ByYear::Flat(inflation + 1.0);
        }
        for a in cfg.capex.areas.iter_mut() { a.direct_usd *= capex_scale; }
        cfg.capex.overrun_pct = overrun;
        cfg.covenants.cash_sweep_pct = sweep;
        cfg.covenants.lock_up_dscr = 1.5;
        cfg.facilities[1].repayment = [Repayment::Annuity, Repayment::StraightLine, Repayment::Sculpted][rep];
        let scale = |p: &mut manto_finance::config::Product| {
            if let Some(manto_finance::config::ByYear::Flat(v)) = p.price_usd_per_lb.as_mut() { *v *= price_scale; }
            if let Some(manto_finance::config::ByYear::Flat(v)) = p.price_usd_per_t.as_mut() { *v *= price_scale; }
        };
        scale(&mut cfg.revenue.cu_cathode);
        scale(&mut cfg.revenue.co_cathode);
        scale(&mut cfg.revenue.znso4);
        let mut prod = cfg.production_table().unwrap();
        for p in prod.periods.iter_mut() {
            p.cu_cathode_t *= prod_scale;
            p.co_cathode_t *= prod_scale;
            p.plant_feed_dry_t *= prod_scale;
        }
        // Sized on this case, and run with the base case's sizing.
        let base = boleo();
        let sized = manto_finance::size_debt(&base, &base.production_table().unwrap());
        for r in [run(&cfg, &prod), manto_finance::run_with_debt(&cfg, &prod, &sized)] {
            check_discipline(&r);
            // Every loan is repaid by maturity unless a default is reported for it.
            for (k, f) in r.facilities.iter().enumerate() {
                if let Some(m) = f.maturity_period {
                    let left = r.quarterly[m].facilities[k].closing_balance_usd;
                    let reported = r.defaults.iter().any(|d| {
                        d.facility == f.name
                            && d.kind == manto_finance::result::DefaultKind::Maturity
                            && (d.amount_usd - left).abs() < 1e-6
                    });
                    prop_assert!(left <= 1e-6 * f.commitment_usd.max(1.0) || reported, "{} left {}", f.name, left);
                }
            }
            // Unpaid debt service shows as payment defaults.
            let unpaid: f64 = r.quarterly.iter().map(|q| q.unpaid_debt_service_usd).sum();
            prop_assert!((unpaid - r.metrics.unpaid_debt_service_usd).abs() < 1e-6);
        }
    }
}

#[test]
fn capex_phases_add_up_to_direct_cost() {
    // Every dollar of direct cost sits in exactly one phase, including the leased fleet
    // bought on its own delivery profile; the default's direct cost is US$360.9M before
    // contingency and owner's costs (US$407M all in).
    let r = run_cfg(&boleo());
    let phases: f64 = r
        .quarterly
        .iter()
        .map(|q| q.capex_by_phase_usd.iter().sum::<f64>())
        .sum();
    let direct: f64 = r.quarterly.iter().map(|q| q.capex_direct_usd).sum();
    close(phases, direct, 1e-6);
    close(direct, 360_900_000.0, 1.0);
    assert_eq!(
        r.phase_names.last().map(String::as_str),
        Some("purchased on own delivery profile")
    );
}

#[test]
fn line_items_list_every_numeric_line_of_a_period_row_once() {
    use manto_finance::result::LINE_ITEMS;
    let r = run_cfg(&boleo());
    let row = serde_json::to_value(&r.quarterly[20]).unwrap();
    let obj = row.as_object().unwrap();
    let not_lines = ["period", "year", "quarter", "dscr", "llcr", "plcr"];
    let keys: Vec<&str> = LINE_ITEMS.iter().map(|l| l.key).collect();
    for (k, v) in obj {
        if v.is_number() && !not_lines.contains(&k.as_str()) {
            assert!(keys.contains(&k.as_str()), "{k} is missing from LINE_ITEMS");
        }
    }
    let mut seen = std::collections::HashSet::new();
    for l in LINE_ITEMS {
        assert!(seen.insert(l.key), "{} listed twice", l.key);
        let v = obj[l.key]
            .as_f64()
            .unwrap_or_else(|| panic!("{} is not a row field", l.key));
        assert_eq!((l.get)(&r.quarterly[20]), v, "{}", l.key);
    }
    // The annual roll-up follows the list: a sum line is the sum of its quarters, a last
    // line the year's last quarter.
    let year = &r.annual[5];
    let qs: Vec<_> = r.quarterly.iter().filter(|q| q.year == year.year).collect();
    for l in LINE_ITEMS {
        let want = match l.roll_up {
            manto_finance::result::RollUp::Sum => qs.iter().map(|q| (l.get)(q)).sum::<f64>(),
            manto_finance::result::RollUp::Last => (l.get)(qs[qs.len() - 1]),
        };
        let got = (l.get)(year);
        let want = if ["construction", "ramp_up", "operations", "closure"].contains(&l.key) {
            want / 4.0
        } else {
            want
        };
        assert!(
            (got - want).abs() <= 1e-6 * want.abs().max(1.0),
            "{}: {got} vs {want}",
            l.key
        );
    }
}

#[test]
fn escalation_over_two_years_by_hand() {
    // Real decks in 2007 money. USD inflation 1 % in 2008, 2 % in 2009, 3 % in 2010:
    // index 1.01, 1.0302, 1.061106. MXN inflation 0, 4 %, 5 %: 1, 1.04, 1.092.
    // Capital 1,000 in 2008 → 1,010. Copper 1,000 t a year at 1 USD/t → 1,030.2 (2009) and
    // 1,061.106 (2010). G&A 100 a year, half in MXN estimated at 10 MXN/USD; the rate is 10
    // in 2009 and 12.5 in 2010: 2009 = 50 × 1.0302 + 50 × 10 × 1.04 ÷ 10 = 103.51;
    // 2010 = 50 × 1.061106 + 50 × 10 × 1.092 ÷ 12.5 = 96.7353. No tax, no debt.
    let extra = r#"
[finance.opex.mxn_share]
g_and_a_pct = 50.0
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
tax_class = "plant"
profile = { first_quarter = 3, last_quarter = 3 }
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[[finance.facilities]]
name = "equity"
kind = "equity"
drawdown = "equity_first"
commitment_usd = 2000.0
[finance.escalation]
decks = "real"
base_year = 2007
usd_inflation_pct = [{ from_year = 2007, to_year = 2008, value = 1.0 }, { from_year = 2009, to_year = 2009, value = 2.0 }, { from_year = 2010, value = 3.0 }]
mxn_inflation_pct = [{ from_year = 2007, to_year = 2008, value = 0.0 }, { from_year = 2009, to_year = 2009, value = 4.0 }, { from_year = 2010, value = 5.0 }]
"#;
    let src = tiny(&[1000.0, 1000.0], 100.0, extra).replace(
        "[finance.opex]\n",
        "[finance.opex]\nbase_mxn_per_usd = 10.0\nmxn_per_usd = [{ from_year = 2008, to_year = 2009, value = 10.0 }, { from_year = 2010, value = 12.5 }]\n",
    );
    let cfg = parse(&src);
    let r = run_cfg(&cfg);
    check_discipline(&r);
    let year = |y: i32| r.annual.iter().find(|a| a.year == y).unwrap().clone();
    close(year(2008).capex_initial_usd, 1010.0, 1e-9);
    close(year(2009).gross_revenue_usd, 1030.2, 1e-9);
    close(year(2010).gross_revenue_usd, 1061.106, 1e-9);
    close(year(2009).opex_g_and_a_usd, 103.51, 1e-9);
    close(year(2010).opex_g_and_a_usd, 96.7353, 1e-9);
    let flows = [-1010.0, 1030.2 - 103.51, 1061.106 - 96.7353];
    for (a, want) in r.annual.iter().zip(flows) {
        close(a.project_cash_flow_after_tax_usd, want, 1e-9);
    }
    // Nominal NPV8 at year end: Σ flow ÷ 1.08^k, k = 1, 2, 3.
    let npv8 = |f: &[f64]| {
        f.iter()
            .enumerate()
            .map(|(k, v)| v / 1.08_f64.powi(k as i32 + 1))
            .sum::<f64>()
    };
    let m = &r.metrics;
    assert_eq!(m.npv_convention.description, "nominal USD; decks real (2007 money), escalated; calendar-year flows at year end, discounted annually to 2008-01-01");
    close(m.npv[1].project_after_tax_usd, npv8(&flows), 1e-9);
    // The same deck valued in real 2007 money at mid-year: each flow ÷ its USD index, the
    // NPV × 1.08^0.5.
    let mut real = cfg.clone();
    real.metrics.npv_basis = manto_finance::config::Basis::Real;
    real.metrics.npv_timing = manto_finance::config::NpvTiming::MidYear;
    let rr = run_cfg(&real);
    let deflated = [flows[0] / 1.01, flows[1] / 1.0302, flows[2] / 1.061106];
    close(
        rr.metrics.npv[1].project_after_tax_usd,
        npv8(&deflated) * 1.08_f64.sqrt(),
        1e-9,
    );
    assert!(rr
        .metrics
        .npv_convention
        .description
        .starts_with("real USD of 2007;"));
    assert!(rr
        .metrics
        .npv_convention
        .description
        .contains("at mid-year"));
    // Nominal decks (the default) ignore the indices: 1,000 a year of revenue, G&A 100
    // re-priced at the 2010 rate only (50 + 50 × 10 ÷ 12.5 = 90).
    let mut nominal = cfg.clone();
    nominal.escalation.decks = manto_finance::config::Basis::Nominal;
    let rn = run_cfg(&nominal);
    let yn = |y: i32| rn.annual.iter().find(|a| a.year == y).unwrap().clone();
    close(yn(2010).gross_revenue_usd, 1000.0, 1e-9);
    close(yn(2010).opex_g_and_a_usd, 90.0, 1e-9);
    close(yn(2008).capex_initial_usd, 1000.0, 1e-9);
}

#[test]
fn ietu_is_paid_where_it_exceeds_isr_with_its_credits() {
    // Capital 400 spent in 2008Q4 (equity), deducted for ISR at 100 % a year (100 a
    // quarter in 2009) and for IETU when spent. Revenue 800 in 2009 (200 a quarter), no
    // cost. ISR 28 % × (200 − 100) = 28 a quarter; IETU 17.5 % × 200 = 35: the taxpayer
    // pays the greater, 35 (IETU 7 above ISR).
    let extra = |ietu: &str| {
        format!(
            r#"
[[finance.capex.areas]]
name = "plant"
direct_usd = 400.0
tax_class = "plant"
profile = {{ first_quarter = 3, last_quarter = 3 }}
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 100.0
[[finance.facilities]]
name = "equity"
kind = "equity"
drawdown = "equity_first"
commitment_usd = 400.0
[finance.tax]
income_tax_pct = 28.0
ietu_pct = {ietu}
"#
        )
    };
    let r = run_cfg(&parse(&tiny(
        &[800.0],
        0.0,
        &extra("[{ from_year = 2007, to_year = 2008, value = 0.0 }, { from_year = 2009, value = 17.5 }]"),
    )));
    check_discipline(&r);
    for q in &r.quarterly[4..8] {
        close(q.income_tax_usd, 35.0, 1e-9);
        close(q.ietu_usd, 7.0, 1e-9);
    }
    close(
        r.annual[1].project_cash_flow_after_tax_usd,
        800.0 - 140.0,
        1e-9,
    );
    // IETU at 17.5 % in 2008 too: the capital gives a credit of 17.5 % × 400 = 70 in
    // 2008Q4, which clears the IETU of 2009Q1 and Q2 (35 each, below ISR anyway); Q3 and Q4
    // pay the 7 above ISR again. Year: ISR 112 + IETU 14.
    let r = run_cfg(&parse(&tiny(&[800.0], 0.0, &extra("17.5"))));
    check_discipline(&r);
    let tax: Vec<f64> = r.quarterly[4..8].iter().map(|q| q.income_tax_usd).collect();
    for (a, b) in tax.iter().zip([28.0, 28.0, 35.0, 35.0]) {
        close(*a, b, 1e-9);
    }
    close(r.annual[1].ietu_usd, 14.0, 1e-9);
    let credits = r
        .corkscrews
        .iter()
        .find(|c| c.name == "ietu_credits")
        .unwrap();
    close(credits.closing[3], 70.0, 1e-9);
    close(credits.closing[4], 35.0, 1e-9);
    close(credits.closing[5], 0.0, 1e-9);
    // No IETU (the default key): ISR only, 28 a quarter.
    let r = run_cfg(&parse(&tiny(&[800.0], 0.0, &extra("0.0"))));
    close(r.annual[1].income_tax_usd, 112.0, 1e-9);
    close(r.annual[1].ietu_usd, 0.0, 1e-9);
}

#[test]
fn vat_paid_and_refunded_with_its_lag() {
    // Capital 1,000 in 2008Q4 and G&A 100 a quarter in 2009-2010, IVA 10 % on all the
    // capital and half the G&A (5 a quarter), refunded two quarters later; what is due
    // after the last quarter (2010Q4) is refunded in it. The equity pays the capital and
    // its IVA (1,100); the receivable is 100 at 2008Q4, 105 in 2009Q1, 10 from 2009Q2 and 0
    // at the end.
    let extra = r#"
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
tax_class = "plant"
profile = { first_quarter = 3, last_quarter = 3 }
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[[finance.facilities]]
name = "equity"
kind = "equity"
drawdown = "equity_first"
commitment_usd = 2000.0
[finance.vat]
region = "border"
border_rate_pct = 10.0
general_rate_pct = 16.0
capex_taxable_pct = 100.0
opex_taxable_pct = 50.0
refund_lag_quarters = 2
"#;
    let r = run_cfg(&parse(&tiny(&[1000.0, 1000.0], 400.0, extra)));
    check_discipline(&r);
    let q = &r.quarterly;
    close(q[3].vat_paid_usd, 100.0, 1e-9);
    for row in &q[4..12] {
        close(row.vat_paid_usd, 5.0, 1e-9);
    }
    let refunds = [0.0, 0.0, 100.0, 5.0, 5.0, 5.0, 5.0, 5.0, 15.0];
    for (row, want) in q[3..12].iter().zip(refunds) {
        close(row.vat_refund_usd, want, 1e-9);
    }
    let receivable = [100.0, 105.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 0.0];
    for (row, want) in q[3..12].iter().zip(receivable) {
        close(row.vat_receivable_usd, want, 1e-9);
    }
    close(r.balance_sheet[4].vat_receivable_usd, 105.0, 1e-9);
    close(q[3].equity_contributions_usd, 1100.0, 1e-9);
    let iva_use = r
        .funding
        .uses
        .iter()
        .find(|u| u.name.starts_with("IVA"))
        .unwrap();
    close(iva_use.usd, 100.0, 1e-9);
    // Project flows: 2008 −1,100; 2009 600 + (110 − 20) = 690; 2010 600 + (30 − 20) = 610.
    for (a, want) in r.annual.iter().zip([-1100.0, 690.0, 610.0]) {
        close(a.project_cash_flow_after_tax_usd, want, 1e-9);
    }
    // Funded by an IVA facility (limit 103, 8 % a year): it takes the 100 of 2008Q4 (the
    // equity pays the capital only), 3 of 2009Q1's 5 (the limit), is repaid 100 from the
    // 2009Q2 refund, then revolves 5 a quarter on a balance of 3 (interest 2, 2.06, then
    // 0.06 a quarter) and is repaid in full from the last refund.
    let facility = extra.to_string()
        + "funding = \"facility\"\nfacility_limit_usd = 103.0\nfacility_rate_pct = 8.0\n";
    let r = run_cfg(&parse(&tiny(&[1000.0, 1000.0], 400.0, &facility)));
    check_discipline(&r);
    let q = &r.quarterly;
    let draw = [100.0, 3.0, 0.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0];
    let repay = [0.0, 0.0, 100.0, 5.0, 5.0, 5.0, 5.0, 5.0, 8.0];
    let interest = [0.0, 2.0, 2.06, 0.06, 0.06, 0.06, 0.06, 0.06, 0.06];
    let balance = [100.0, 103.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.0];
    for k in 0..9 {
        let row = &q[3 + k];
        close(row.vat_facility_drawing_usd, draw[k], 1e-9);
        close(row.vat_facility_repayment_usd, repay[k], 1e-9);
        close(row.vat_facility_interest_usd, interest[k], 1e-9);
        close(row.vat_facility_balance_usd, balance[k], 1e-9);
    }
    close(q[3].equity_contributions_usd, 1000.0, 1e-9);
    close(r.balance_sheet[4].vat_facility_usd, 103.0, 1e-9);
    close(r.income_statement[4].interest_expense_usd, 2.0, 1e-9);
    // The general rate when the region is not the border: 16 % of the capital.
    let r = run_cfg(&parse(
        &tiny(&[1000.0, 1000.0], 400.0, extra)
            .replace("region = \"border\"", "region = \"general\""),
    ));
    check_discipline(&r);
    close(r.quarterly[3].vat_paid_usd, 160.0, 1e-9);
}

#[test]
fn maintenance_reserve_built_up_used_for_its_purpose_and_released() {
    // Revenue 250 a quarter, sustaining capital 100 a quarter in 2009-2010, no tax or debt.
    // The reserve holds the next two quarters' sustaining capital (200), built up over two
    // quarters (100 in 2009Q1). Each quarter it pays that quarter's 100 and is topped up;
    // in 2010Q3 only 2010Q4 is ahead (target 100) and at the end nothing is.
    let extra = r#"
[finance.capex]
sustaining_usd_per_year = 400.0
sustaining_tax_class = "plant"
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[finance.maintenance_reserve]
target_quarters = 2
build_up_quarters = 2
"#;
    let r = run_cfg(&parse(&tiny(&[1000.0, 1000.0], 0.0, extra)));
    check_discipline(&r);
    let q = &r.quarterly[4..12];
    let target = [100.0, 200.0, 200.0, 200.0, 200.0, 200.0, 100.0, 0.0];
    let funding = [100.0, 200.0, 100.0, 100.0, 100.0, 100.0, 0.0, 0.0];
    let release = [0.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0];
    let balance = [100.0, 200.0, 200.0, 200.0, 200.0, 200.0, 100.0, 0.0];
    let dist = [50.0, 50.0, 150.0, 150.0, 150.0, 150.0, 250.0, 250.0];
    for k in 0..8 {
        close(q[k].maintenance_reserve_target_usd, target[k], 1e-9);
        close(q[k].maintenance_reserve_funding_usd, funding[k], 1e-9);
        close(q[k].maintenance_reserve_release_usd, release[k], 1e-9);
        close(q[k].maintenance_reserve_balance_usd, balance[k], 1e-9);
        close(q[k].distributions_usd, dist[k], 1e-9);
    }
    close(r.balance_sheet[5].maintenance_reserve_usd, 200.0, 1e-9);
}

#[test]
fn provisional_payments_and_the_annual_true_up() {
    // ISR 30 %; profit 600 in 2009 (revenue 1,000), 1,000 in 2010 (revenue 1,400), 600 in
    // 2011 (revenue 1,000): tax 45, 75 and 45 a quarter.
    // 2009: no coefficient yet (first year), nothing paid; 180 payable at year end.
    // 2010: the 180 is paid with the annual return in Q1; coefficient 600 ÷ 1,000 = 0.6,
    //       provisional 30 % × 0.6 × 350 = 63 a quarter (252 for a tax of 300).
    // 2011: true-up 300 − 252 = 48 in Q1; coefficient 1,000 ÷ 1,400, provisional
    //       30 % × 250 ÷ 1.4 = 53.571… a quarter; the model ends in 2011Q4, which settles
    //       the year: 180 − 4 × 53.571… = −34.2857 refunded with it.
    let extra = "[finance.tax]\nincome_tax_pct = 30.0\npayments = \"profit_coefficient\"\n";
    let r = run_cfg(&parse(&tiny(&[1000.0, 1400.0, 1000.0], 400.0, extra)));
    check_discipline(&r);
    let q = &r.quarterly;
    let p = 0.3 * 250.0 / 1.4;
    let paid = [
        0.0,
        0.0,
        0.0,
        0.0,
        180.0 + 63.0,
        63.0,
        63.0,
        63.0,
        48.0 + p,
        p,
        p,
        p + (180.0 - 4.0 * p),
    ];
    for (row, want) in q[4..16].iter().zip(paid) {
        close(row.income_tax_paid_usd, want, 1e-9);
        close(row.cfads_usd, row.net_revenue_usd - 100.0 - want, 1e-9);
    }
    close(q[7].tax_payable_usd, 180.0, 1e-9);
    close(q[8].tax_true_up_usd, 180.0, 1e-9);
    close(q[12].tax_true_up_usd, 48.0, 1e-9);
    close(q[15].tax_payable_usd, 0.0, 1e-9);
    let accrued: Vec<f64> = r.annual.iter().map(|a| a.income_tax_usd).collect();
    for (a, want) in accrued.iter().zip([0.0, 180.0, 300.0, 180.0]) {
        close(*a, want, 1e-9);
    }
    // Paid as computed (the default): each quarter's tax in the quarter.
    let r = run_cfg(&parse(&tiny(
        &[1000.0, 1400.0, 1000.0],
        400.0,
        "[finance.tax]\nincome_tax_pct = 30.0\n",
    )));
    close(r.quarterly[4].income_tax_paid_usd, 45.0, 1e-9);
    close(r.quarterly[7].tax_payable_usd, 0.0, 1e-9);
}

/// The ISR and duty rules of the 2009 and 2013 reforms, as the bundled scenario states them.
const REFORMS: &str = r#"
[[finance.tax.rules]]
rate = "income_tax_pct"
from_year = 2007
value = 28.0
enacted = "2004-12-01"
[[finance.tax.rules]]
rate = "income_tax_pct"
from_year = 2010
to_year = 2012
value = 30.0
enacted = "2009-12-07"
[[finance.tax.rules]]
rate = "income_tax_pct"
from_year = 2013
to_year = 2013
value = 29.0
enacted = "2009-12-07"
[[finance.tax.rules]]
rate = "income_tax_pct"
from_year = 2014
value = 28.0
enacted = "2009-12-07"
[[finance.tax.rules]]
rate = "income_tax_pct"
from_year = 2014
value = 30.0
enacted = "2013-12-11"
[[finance.tax.rules]]
rate = "mining_duty_pct"
from_year = 2007
value = 0.0
enacted = "2007-01-01"
[[finance.tax.rules]]
rate = "mining_duty_pct"
from_year = 2014
value = 7.5
enacted = "2013-12-11"
"#;

#[test]
fn a_fiscal_vintage_applies_the_rules_known_at_its_date() {
    // One operating year in each of 2009 to 2015: revenue 1,000, opex 400. ISR and duty of
    // each year by hand, for three vintages of the same rules.
    let run_at = |vintage: &str| {
        let extra = format!("[finance.tax]\n{vintage}\n{REFORMS}");
        let r = run_cfg(&parse(&tiny(&[1000.0; 7], 400.0, &extra)));
        check_discipline(&r);
        (2009..=2015)
            .map(|y| {
                let a = r.annual.iter().find(|a| a.year == y).unwrap();
                (a.income_tax_usd, a.mining_duty_usd)
            })
            .collect::<Vec<_>>()
    };
    let expect = |cit: [f64; 7], duty: [f64; 7]| -> Vec<(f64, f64)> {
        cit.iter()
            .zip(duty)
            .map(|(c, d)| (c / 100.0 * (600.0 - d / 100.0 * 600.0), d / 100.0 * 600.0))
            .collect()
    };
    let check = |got: Vec<(f64, f64)>, want: Vec<(f64, f64)>| {
        for (g, w) in got.iter().zip(&want) {
            close(g.0, w.0, 1e-9);
            close(g.1, w.1, 1e-9);
        }
    };
    let none = [0.0; 7];
    // As enacted: 28% to 2009, 30% from 2010 (the 2014 law overrides the 2009 reform's
    // return to 28%, but not its 29% for 2013), duty 7.5% from 2014.
    let enacted = expect(
        [28.0, 30.0, 30.0, 30.0, 29.0, 30.0, 30.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 7.5, 7.5],
    );
    check(run_at("vintage = \"as_enacted\""), enacted.clone());
    // Known in mid-2007: 28% throughout, no duty.
    check(
        run_at("vintage = \"as_known_at\"\nknown_at = \"2007-06\""),
        expect([28.0; 7], none),
    );
    // Known in 2012: the 2009 reform only (29% in 2013, back to 28% from 2014), no duty.
    check(
        run_at("vintage = \"as_known_at\"\nknown_at = \"2012-06-30\""),
        expect([28.0, 30.0, 30.0, 30.0, 29.0, 28.0, 28.0], none),
    );
    // Known on the day the 2013 decree is published: as enacted.
    check(
        run_at("vintage = \"as_known_at\"\nknown_at = \"2013-12-11\""),
        enacted,
    );
}

#[test]
fn fiscal_rules_refuse_a_mixed_or_incomplete_vintage() {
    let err = |tax: &str| {
        FinanceConfig::from_scenario_toml(&tiny(&[1000.0; 2], 400.0, tax), "x.toml")
            .unwrap_err()
            .to_string()
    };
    // A rate stated directly and by rules.
    let e = err(&format!("[finance.tax]\nincome_tax_pct = 35.0\n{REFORMS}"));
    assert!(
        e.contains("income_tax_pct") && e.contains("not both"),
        "{e}"
    );
    // as_known_at needs its date; known_at needs as_known_at.
    let e = err(&format!(
        "[finance.tax]\nvintage = \"as_known_at\"\n{REFORMS}"
    ));
    assert!(e.contains("known_at"), "{e}");
    let e = err(&format!("[finance.tax]\nknown_at = \"2007-06\"\n{REFORMS}"));
    assert!(e.contains("finance.tax.known_at"), "{e}");
    // Nothing known yet for the model's first year.
    let e = err(&format!(
        "[finance.tax]\nvintage = \"as_known_at\"\nknown_at = \"2003-01\"\n{REFORMS}"
    ));
    assert!(e.contains("income_tax_pct"), "{e}");
    // A misspelt rate and a bad date, located at their rule.
    let bad = REFORMS.replacen("rate = \"income_tax_pct\"", "rate = \"income_tax\"", 1);
    let e = err(&format!("[finance.tax]\n{bad}"));
    assert!(e.contains("rules[0].rate") && e.contains("x.toml:"), "{e}");
    let bad = REFORMS.replacen("2004-12-01", "2004-13-01", 1);
    let e = err(&format!("[finance.tax]\n{bad}"));
    assert!(e.contains("rules[0].enacted"), "{e}");
}
