//! Hand-worked cases of the bank view: debt sized once (three-period sculpted loan: the
//! funding need, the DSCR and the gearing cap each binding), the fixed profile in a
//! downside, a funding shortfall, a payment default and a loan not repaid by maturity,
//! and the LLCR and PLCR by their textbook definitions.

use manto_finance::result::DefaultKind;
use manto_finance::sizing::Binding;
use manto_finance::{
    run, run_with_debt, size_debt, FinanceConfig, FinanceResult, ProductionPeriod,
    ProductionProfile,
};

#[track_caller]
fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "expected {b}, got {a} (tol {tol})");
}

fn parse(src: &str) -> FinanceConfig {
    let cfg = FinanceConfig::from_scenario_toml(src, "test.toml").expect("parses");
    let problems = cfg.validate();
    assert!(problems.is_empty(), "{problems:?}");
    cfg
}

/// Four construction quarters (2008); one operating year (2009) selling 400 t of copper
/// at `price` USD/t: CFADS 100 × price a quarter (no costs, no tax). 1,000 USD spent in
/// 2008Q4, funded by `equity` USD of equity first, then a loan at 8 %/yr (2 % a quarter)
/// sculpted at DSCR 1.25 over the first three operating quarters (tenor 1.75 years from
/// financial close: maturity 2009Q3).
fn three_period(equity: f64, price: f64, extra: &str) -> FinanceConfig {
    parse(&format!(
        r#"
[finance]
production_source = "table"
[finance.timing]
start_year = 2008
construction_quarters = 4
closure_quarters = 0
[finance.production]
plant_feed_dry_t = [1.0]
cu_cathode_t = [400.0]
[finance.revenue.cu_cathode]
price_usd_per_t = {price:?}
[finance.dsra]
debt_service_quarters = 0
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
tax_class = "plant"
profile = {{ first_quarter = 3, last_quarter = 3 }}
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
[[finance.facilities]]
name = "equity"
kind = "equity"
drawdown = "equity_first"
commitment_usd = {equity:?}
[[finance.facilities]]
name = "loan"
commitment_usd = 1000.0
base_rate_pct = 8.0
tenor_years = 1.75
repayment = "sculpted"
target_dscr = 1.25
{extra}
"#
    ))
}

/// Σ 1/1.02^k, k = 1..3 (the three repayment quarters).
fn annuity3() -> f64 {
    (1..=3).map(|k| 1.02_f64.powi(-k)).sum()
}

fn check(r: &FinanceResult) {
    manto_finance::audit(r, 1e-9).unwrap_or_else(|e| panic!("{e}"));
    for c in &r.corkscrews {
        c.check(1e-9).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn sized_three_period_loan_funding_need_binds() {
    // Need 1000 − 800 = 200; the DSCR capacity is 80 × 2.883883 = 230.71 and the
    // commitment 1,000, so the loan is cut to the need and sculpted to its tenor at
    // DSCR = PV(CFADS) / 200 = 1.44194.
    let cfg = three_period(800.0, 1.0, "");
    let prod = cfg.production_table().unwrap();
    let s = size_debt(&cfg, &prod);
    close(s.dscr_capacity_usd, 80.0 * annuity3(), 1e-9);
    close(s.funding_need_usd, 200.0, 1e-9);
    close(s.sized_usd, 200.0, 1e-9);
    assert_eq!(s.binding, Some(Binding::FundingNeed));
    let d = 100.0 * annuity3() / 200.0;
    close(s.sculpting_dscr.unwrap(), d, 1e-9);
    // The fixed profile: debt service 100 / d each quarter on a 200 balance at 2 %.
    let ds = 100.0 / d;
    let mut b = 200.0;
    let f = &s.facilities[0];
    assert_eq!(f.repayment_share.len(), 3);
    for k in 0..3 {
        let p = ds - 0.02 * b;
        close(f.repayment_share[k], p / 200.0, 1e-9);
        b -= p;
    }
    close(b, 0.0, 1e-9);
    let r = run(&cfg, &prod);
    check(&r);
    assert!(r.metrics.funded);
    for t in 4..=6 {
        close(r.quarterly[t].dscr.unwrap(), d, 1e-9);
    }
    assert_eq!(r.facilities[1].repaid.as_deref(), Some("2009Q3"));
    // Cover ratios at the first operating quarter: LLCR to the final repayment (2009Q3)
    // = PV of three CFADS / 200 = d; PLCR to the end of production (2009Q4) adds the
    // fourth quarter: 100 × (2.883883 + 1/1.02^4) / 200.
    close(r.quarterly[4].llcr.unwrap(), d, 1e-9);
    close(
        r.quarterly[4].plcr.unwrap(),
        100.0 * (annuity3() + 1.02_f64.powi(-4)) / 200.0,
        1e-9,
    );
    // One quarter later: two CFADS to go on the balance left after the first payment.
    let b1 = 200.0 - (ds - 4.0);
    let pv2 = 100.0 / 1.02 + 100.0 / 1.02_f64.powi(2);
    close(r.quarterly[5].llcr.unwrap(), pv2 / b1, 1e-9);
    close(
        r.quarterly[5].plcr.unwrap(),
        (pv2 + 100.0 / 1.02_f64.powi(3)) / b1,
        1e-9,
    );
    close(r.metrics.min_llcr.unwrap(), d, 1e-9);

    // A downside (price −20 %) with the base sizing: the same principal, so every DSCR is
    // 0.8 × d; re-sizing on the downside would have hidden it.
    let down = three_period(800.0, 0.8, "");
    let rd = run_with_debt(&down, &prod, &s);
    check(&rd);
    for t in 4..=6 {
        close(rd.quarterly[t].dscr.unwrap(), 0.8 * d, 1e-9);
    }
    // (Re-sized on the downside the loan would shrink to its DSCR capacity and show the
    // target 1.25: the old plug behaviour.)
    let resized = run(&down, &prod);
    close(resized.metrics.min_dscr.unwrap(), 1.25, 1e-9);
    assert!(rd.metrics.min_dscr.unwrap() < d);
}

#[test]
fn sized_three_period_loan_dscr_binds_and_the_rest_is_a_shortfall() {
    // Need 300 > DSCR capacity 230.71: the loan is the capacity, sculpted at the target,
    // and 69.29 of the 2008Q4 spend has no source: a funding shortfall, the case unfunded.
    let cfg = three_period(700.0, 1.0, "");
    let prod = cfg.production_table().unwrap();
    let s = size_debt(&cfg, &prod);
    let cap = 80.0 * annuity3();
    close(s.sized_usd, cap, 1e-9);
    assert_eq!(s.binding, Some(Binding::Dscr));
    close(s.sculpting_dscr.unwrap(), 1.25, 1e-9);
    let r = run(&cfg, &prod);
    check(&r);
    for t in 4..=6 {
        close(r.quarterly[t].dscr.unwrap(), 1.25, 1e-9);
    }
    assert!(!r.metrics.funded);
    close(r.metrics.funding_shortfall_usd, 300.0 - cap, 1e-9);
    assert_eq!(r.metrics.first_shortfall.as_deref(), Some("2008Q4"));
    close(r.quarterly[3].funding_shortfall_usd, 300.0 - cap, 1e-9);
    close(r.funding.construction_shortfall_usd, 300.0 - cap, 1e-9);
    assert!(!r.funding.funded);
    // Contingent equity of 50 covers part of it; the shortfall is what is left.
    let with_standby = three_period(
        700.0,
        1.0,
        "[finance.funding]\ncontingent_equity_usd = 50.0\n",
    );
    let r = run(&with_standby, &prod);
    check(&r);
    close(r.quarterly[3].sponsor_support_usd, 50.0, 1e-9);
    close(r.metrics.funding_shortfall_usd, 250.0 - cap, 1e-9);
}

#[test]
fn sized_three_period_loan_gearing_binds() {
    // Gearing cap 20 % of total funding (1,000): the loan is 200; 100 is short.
    let cfg = three_period(700.0, 1.0, "[finance.funding]\nmax_gearing_pct = 20.0\n");
    let prod = cfg.production_table().unwrap();
    let s = size_debt(&cfg, &prod);
    close(s.sized_usd, 200.0, 1e-9);
    assert_eq!(s.binding, Some(Binding::Gearing));
    close(s.gearing_pct, 20.0, 1e-9);
    let r = run(&cfg, &prod);
    check(&r);
    close(r.metrics.funding_shortfall_usd, 100.0, 1e-9);
}

#[test]
fn a_downside_that_cannot_pay_defaults_and_is_never_plugged() {
    // Base sized at 200 (DSCR 1.44); at half the price CFADS is 50 a quarter against
    // debt service of about 69: the shortfall of each quarter is unpaid (principal
    // deferred), the loan is not repaid at its 2009Q3 maturity and the balance left is
    // reported; nobody puts money in.
    let cfg = three_period(800.0, 1.0, "");
    let prod = cfg.production_table().unwrap();
    let s = size_debt(&cfg, &prod);
    let r = run_with_debt(&three_period(800.0, 0.5, ""), &prod, &s);
    check(&r);
    for t in 4..=5 {
        let q = &r.quarterly[t];
        close(q.cfads_usd, 50.0, 1e-9);
        close(
            q.unpaid_debt_service_usd,
            q.senior_debt_service_usd - 50.0,
            1e-9,
        );
        assert_eq!(q.sponsor_support_usd, 0.0);
        assert_eq!(q.distributions_usd, 0.0);
    }
    let at_maturity = r.quarterly[6].facilities[1].closing_balance_usd;
    assert!(at_maturity > 0.0);
    let m = r
        .defaults
        .iter()
        .find(|d| d.kind == DefaultKind::Maturity)
        .expect("maturity default");
    assert_eq!((m.facility.as_str(), m.label.as_str()), ("loan", "2009Q3"));
    close(m.amount_usd, at_maturity, 1e-9);
    assert_eq!(r.metrics.first_payment_default.as_deref(), Some("2009Q1"));
    assert_eq!(r.metrics.sponsor_support_usd, 0.0);
    close(
        r.metrics.debt_outstanding_at_maturity_usd,
        at_maturity,
        1e-9,
    );
    // Balance bookkeeping: drawn − principal repaid = balance left.
    let repaid: f64 = r
        .quarterly
        .iter()
        .map(|q| q.facilities[1].principal_usd)
        .sum();
    let last = r.quarterly.last().unwrap().facilities[1].closing_balance_usd;
    close(200.0 - repaid, last, 1e-9);

    // With sponsor support of 30 before completion (two operating quarters), the first
    // two quarters are met up to the limit; nothing after completion.
    let supported = three_period(
        800.0,
        0.5,
        "[finance.funding]\nsponsor_support_limit_usd = 30.0\ncompletion_quarters = 2\n",
    );
    let r = run_with_debt(&supported, &prod, &s);
    check(&r);
    close(r.metrics.sponsor_support_usd, 30.0, 1e-9);
    assert_eq!(r.quarterly[6].sponsor_support_usd, 0.0);
}

#[test]
fn dsra_funded_at_completion_from_construction_sources() {
    // The straight-line loan of tests/model.rs (1,000 at 2 % a quarter over 2009: debt
    // service 270, 265, 260, 255). A two-quarter DSRA funded at completion needs
    // 270 + 265 = 535 in 2008Q4, a use of funds: the loan (1,000) is spent on the plant,
    // so contingent equity pays it. Then the target steps down (525, 515, 255, 0) and the
    // excess is released.
    let src = r#"
[finance]
production_source = "table"
[finance.timing]
start_year = 2008
construction_quarters = 4
closure_quarters = 0
[finance.production]
plant_feed_dry_t = [1.0]
cu_cathode_t = [2000.0]
[finance.revenue.cu_cathode]
price_usd_per_t = 1.0
[finance.dsra]
debt_service_quarters = 2
funded_at_completion = true
[finance.funding]
contingent_equity_usd = 1000.0
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
repayment = "straight_line"
"#;
    let cfg = parse(src);
    let r = run(&cfg, &cfg.production_table().unwrap());
    check(&r);
    let q = &r.quarterly;
    close(q[3].dsra_funding_usd, 535.0, 1e-9);
    close(q[3].dsra_balance_usd, 535.0, 1e-9);
    close(q[3].sponsor_support_usd, 535.0, 1e-9);
    close(q[3].facilities[0].drawdown_usd, 1000.0, 1e-9);
    for (t, bal) in [(4, 525.0), (5, 515.0), (6, 255.0), (7, 0.0)] {
        close(q[t].dsra_balance_usd, bal, 1e-9);
    }
    assert!(r.metrics.funded);
    assert!(r
        .funding
        .uses
        .iter()
        .any(|u| u.name.starts_with("DSRA") && (u.usd - 535.0).abs() < 1e-9));
}

/// A straight-line loan of 1,000 at 2 % a quarter over eight quarters (debt service
/// 125 + 2 % of the opening balance: 145, 142.5, ..., 127.5), CFADS per quarter as given
/// (copper at 1 USD/t, no costs, no tax), plant feed per quarter as given.
fn quarterly_case(cfads: &[f64], feed: &[f64], extra: &str) -> (FinanceConfig, ProductionProfile) {
    let cfg = parse(&format!(
        r#"
[finance]
[finance.timing]
start_year = 2008
construction_quarters = 4
closure_quarters = 0
[finance.revenue.cu_cathode]
price_usd_per_t = 1.0
[finance.dsra]
debt_service_quarters = 0
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
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
repayment = "straight_line"
{extra}
"#
    ));
    let prod = ProductionProfile {
        periods: cfads
            .iter()
            .zip(feed)
            .map(|(&c, &f)| ProductionPeriod {
                cu_cathode_t: c,
                plant_feed_dry_t: f,
                ..Default::default()
            })
            .collect(),
    };
    (cfg, prod)
}

#[test]
fn trailing_twelve_month_covenants_and_the_completion_test() {
    // One weak quarter (CFADS 200 in the fourth repayment quarter, debt service 137.5: DSCR
    // 1.45). Tested quarter by quarter it locks up (< 1.60) and defaults (< 1.50); on the
    // trailing twelve months it is (500 × 3 + 200) ÷ (145 + 142.5 + 140 + 137.5) = 3.01.
    let cfads = [500.0, 500.0, 500.0, 200.0, 500.0, 500.0, 500.0, 500.0];
    let feed = [0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let cov = "[finance.covenants]\nlock_up_dscr = 1.6\nmin_dscr = 1.5\n";
    let (cfg, prod) = quarterly_case(&cfads, &feed, cov);
    let r = run(&cfg, &prod);
    check(&r);
    close(r.quarterly[7].dscr.unwrap(), 200.0 / 137.5, 1e-12);
    assert_eq!(r.metrics.lock_up_quarters, 1);
    assert_eq!(r.metrics.default_quarters, 1);
    assert!(r.quarterly[7].lock_up);
    let (cfg, prod) = quarterly_case(
        &cfads,
        &feed,
        &format!("{cov}test_on = \"trailing_twelve_months\"\n"),
    );
    let r = run(&cfg, &prod);
    check(&r);
    assert_eq!(r.metrics.lock_up_quarters, 0);
    assert_eq!(r.metrics.default_quarters, 0);
    // Completion: two quarters in a row at 90 % of a 4 t/y design (1 t a quarter) with
    // DSCR ≥ 1.2: feed is 0.5 in the first two quarters, so the test is met at the end of
    // the fourth operating quarter (2009Q4).
    let test = "[finance.funding.completion_test]\nconsecutive_quarters = 2\ndesign_feed_dry_t_per_year = 4.0\noutput_pct = 90.0\nmin_dscr = 1.2\nlongstop_quarters = 6\n";
    let (cfg, prod) = quarterly_case(&cfads, &feed, test);
    let r = run(&cfg, &prod);
    check(&r);
    assert_eq!(r.metrics.completion.as_deref(), Some("2009Q4"));
    assert!(r.defaults.is_empty());
    // A design the plant never reaches: no completion, the long-stop (2010Q3) is missed.
    let (cfg, prod) = quarterly_case(&cfads, &feed, &test.replace("4.0", "8.0"));
    let r = run(&cfg, &prod);
    assert_eq!(r.metrics.completion, None);
    let d = &r.defaults[0];
    assert_eq!(
        (d.kind, d.label.as_str()),
        (DefaultKind::CompletionLongstop, "2010Q3")
    );
}

#[test]
fn dsra_letter_of_credit_carries_a_fee_no_cash_and_is_drawn_when_cash_falls_short() {
    // The straight-line loan above (debt service 270, 265, 260, 255 in 2009), its
    // two-quarter DSRA a letter of credit (fee 4 % a year on the target: 525, 515, 255, 0;
    // drawings at 8 % a year). Nothing is funded at completion. Copper at 0.4 USD/t gives
    // CFADS 200 a quarter:
    //   2009Q1: fee 5.25; 200 − 270 − 5.25 = −75.25, drawn;
    //   2009Q2: cost 5.15 + 2 % × 75.25 = 6.655; 200 − 265 − 6.655 = −71.655, drawn (146.905);
    //   2009Q3: cost 2.55 + 2 % × 146.905 = 5.4881; −65.4881 drawn (212.3931 of 255);
    //   2009Q4: the letter is gone (target 0): cost 2 % × 212.3931 = 4.247862 and
    //           200 − 255 − 4.247862 = −59.247862 of debt service unpaid.
    let src = r#"
[finance]
production_source = "table"
[finance.timing]
start_year = 2008
construction_quarters = 4
closure_quarters = 0
[finance.production]
plant_feed_dry_t = [1.0]
cu_cathode_t = [800.0]
[finance.revenue.cu_cathode]
price_usd_per_t = 1.0
[finance.dsra]
debt_service_quarters = 2
funded_at_completion = true
letter_of_credit = true
lc_fee_pct = 4.0
lc_drawn_rate_pct = 8.0
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
repayment = "straight_line"
"#;
    let cfg = parse(src);
    let r = run(&cfg, &cfg.production_table().unwrap());
    check(&r);
    let q = &r.quarterly;
    close(q[3].dsra_funding_usd, 0.0, 1e-12);
    assert!(r
        .funding
        .uses
        .iter()
        .all(|u| !u.name.starts_with("DSRA") || u.usd == 0.0));
    for (t, target, cost, draw, bal) in [
        (4, 525.0, 5.25, 75.25, 75.25),
        (5, 515.0, 6.655, 71.655, 146.905),
        (6, 255.0, 5.4881, 65.4881, 212.3931),
        (7, 0.0, 4.247862, 0.0, 212.3931),
    ] {
        close(q[t].dsra_target_usd, target, 1e-9);
        close(q[t].dsra_lc_cost_usd, cost, 1e-9);
        close(q[t].dsra_lc_drawing_usd, draw, 1e-9);
        close(q[t].dsra_lc_balance_usd, bal, 1e-9);
        close(q[t].dsra_balance_usd, 0.0, 1e-12);
    }
    close(q[7].unpaid_debt_service_usd, 59.247862, 1e-9);
    close(r.balance_sheet[7].dsra_lc_drawn_usd, 212.3931, 1e-9);
    // The fee and interest are financing costs of the income statement.
    close(
        r.income_statement[4].interest_expense_usd,
        20.0 + 5.25,
        1e-9,
    );
    // At 1 USD/t (CFADS 500) nothing is drawn: the fee alone, 1 % a quarter of the target.
    let r = run(
        &parse(&src.replace("price_usd_per_t = 1.0", "price_usd_per_t = 2.5")),
        &cfg.production_table().unwrap(),
    );
    check(&r);
    for (t, fee) in [(4, 5.25), (5, 5.15), (6, 2.55), (7, 0.0)] {
        close(r.quarterly[t].dsra_lc_cost_usd, fee, 1e-9);
        close(r.quarterly[t].dsra_lc_drawing_usd, 0.0, 1e-12);
    }
}

#[test]
fn acid_the_mine_computed_is_priced_instead_of_the_flat_rate() {
    // One operating year of 4 quarters feeding 1,000 dry t each. The flat rate, 100 kg/t at
    // US$200/t, costs 1,000 x 0.1 x 200 = 20,000 a quarter; a metallurgy table's own acid
    // (50 t a quarter, say a feed poorer in clay) costs 50 x 200 = 10,000 a quarter.
    let cfg = parse(
        r#"
[finance]
[finance.timing]
start_year = 2008
construction_quarters = 4
closure_quarters = 0
[finance.revenue.cu_cathode]
price_usd_per_t = 1.0
[finance.opex]
acid_kg_per_dry_t = 100.0
acid_usd_per_t = 200.0
[[finance.capex.areas]]
name = "plant"
direct_usd = 1000.0
tax_class = "plant"
profile = { first_quarter = 3, last_quarter = 3 }
[[finance.tax.depreciation_classes]]
name = "plant"
rate_pct = 10.0
"#,
    );
    let prod = |acid_t: Option<f64>| ProductionProfile {
        periods: vec![
            ProductionPeriod {
                plant_feed_dry_t: 1000.0,
                acid_t,
                ..Default::default()
            };
            4
        ],
    };
    let acid = |r: &FinanceResult| -> Vec<f64> {
        r.quarterly
            .iter()
            .filter(|q| q.year == 2009)
            .map(|q| q.opex_acid_usd)
            .collect()
    };
    let flat = run(&cfg, &prod(None));
    let own = run(&cfg, &prod(Some(50.0)));
    assert_eq!(acid(&flat).len(), 4);
    for (a, b) in acid(&flat).iter().zip(acid(&own)) {
        close(*a, 20_000.0, 1e-6);
        close(b, 10_000.0, 1e-6);
    }
}
