//! The bundled El Boleo default against the DFS headline (CMJ, Northern Miner): NPV8
//! after tax about US$700M, IRR about 24.7%, about 55,750 t/y copper in the first four
//! years, US$407M capital, cash cost −US$0.07/lb net of by-products. The DFS (May 2007)
//! valued the fiscal regime it knew: the scenario's rules as known at 2007-05 (ISR 28%,
//! PTU 10%, no IETU, no special mining duty).

use manto_finance::{run, FinanceConfig, FinanceResult};

const BOLEO: &str = include_str!("../../../scenarios/finance-boleo.toml");

fn default_run() -> FinanceResult {
    let src = BOLEO.replace(
        "vintage = \"as_enacted\"",
        "vintage = \"as_known_at\"\nknown_at = \"2007-05\"",
    );
    assert_ne!(src, BOLEO, "the scenario names its vintage");
    let cfg = FinanceConfig::from_scenario_toml(&src, "finance-boleo.toml").expect("parses");
    let problems = cfg.validate();
    assert!(problems.is_empty(), "{problems:?}");
    run(
        &cfg,
        &cfg.production_table().expect("has a production table"),
    )
}

#[test]
fn default_lands_near_the_dfs_headline() {
    let r = default_run();
    let m = &r.metrics;
    let npv8 = m
        .npv
        .iter()
        .find(|n| n.discount_rate_pct == 8.0)
        .unwrap()
        .project_after_tax_usd;
    let irr = m.project_irr_after_tax_pct.unwrap();
    eprintln!(
        "NPV8 {:.1}M IRR {irr:.2}% equity IRR {:?} min DSCR {:?} Cu {:.0} t/y cash cost {:?}",
        npv8 / 1e6,
        m.equity_irr_pct,
        m.min_dscr,
        m.first_four_years_cu_t_per_year,
        m.first_four_years_cash_cost_usd_per_lb_cu
    );
    assert!((npv8 / 700e6 - 1.0).abs() < 0.05, "NPV8 {npv8}");
    assert!((irr - 24.7).abs() < 1.5, "IRR {irr}");
    assert!((m.first_four_years_cu_t_per_year / 55_750.0 - 1.0).abs() < 0.02);
    assert!((m.initial_capex_usd / 407e6 - 1.0).abs() < 0.001);
    let cc = m.first_four_years_cash_cost_usd_per_lb_cu.unwrap();
    assert!((cc + 0.07).abs() < 0.01, "cash cost {cc}");
    // Debt cover of the default: sculpted term loan at its target, no covenant breach.
    assert!(m.min_dscr.unwrap() >= 1.8 - 1e-9);
    assert!(r.covenant_events.is_empty());
    assert!(m.max_balance_check_usd < 1e-3);
}
