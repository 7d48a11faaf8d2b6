//! Bank cases on the El Boleo default: every case runs with the base case's sizing, the
//! minimum DSCR falls in every adverse revenue, cost and timing case, capex +50 % reports
//! its funding shortfall and quarter, the audit ties every case, and the breakevens are
//! solved (and checked by re-running at the solved price).

use manto_finance::cases::{self, CaseSpec};
use manto_finance::{size_debt, FinanceConfig};

const BOLEO: &str = include_str!("../../../scenarios/finance-boleo.toml");

fn boleo() -> FinanceConfig {
    FinanceConfig::from_scenario_toml(BOLEO, "finance-boleo.toml").expect("parses")
}

#[test]
fn sensitivity_table_of_the_default() {
    let cfg = boleo();
    let prod = cfg.production_table().unwrap();
    let table = cases::run_cases(&cfg, &prod);
    let get = |n: &str| table.iter().find(|c| c.name == n).expect(n);
    let base = get("base");
    assert!(base.funded);
    assert_eq!(table.len(), 1 + cases::standard_cases().len());
    for name in [
        "price_-10",
        "price_-20",
        "opex_+10",
        "production_-10",
        "delay_1y",
        "slow_ramp_up",
        "combined_downside",
    ] {
        let c = get(name);
        assert!(
            c.min_dscr.unwrap() < base.min_dscr.unwrap(),
            "{name}: {:?}",
            c.min_dscr
        );
        assert!(c.npv_usd < base.npv_usd, "{name}");
    }
    assert!(get("price_-20").min_dscr < get("price_-10").min_dscr);
    // Capex: +10 % is absorbed by the overrun facility and contingent equity; +20 % and
    // +50 % are not: the shortfall and its first quarter are reported.
    assert!(get("capex_+10").funded);
    for name in ["capex_+20", "capex_+50"] {
        let c = get(name);
        assert!(!c.funded, "{name}");
        assert!(c.funding_shortfall_usd > 0.0);
        assert!(c.first_shortfall.as_deref().unwrap().starts_with("2010"));
    }
    assert!(get("capex_+50").funding_shortfall_usd > 100e6);
}

#[test]
fn every_case_ties_and_scenario_cases_extend_the_standard_ones() {
    let mut cfg = boleo();
    cfg.cases.push(CaseSpec {
        name: "price_-10".into(),
        description: "replaced".into(),
        price_factor: 0.85,
        ..Default::default()
    });
    cfg.cases.push(CaseSpec {
        name: "cobalt_collapse".into(),
        price_factor: 1.0,
        ..Default::default()
    });
    let all = cases::all_cases(&cfg);
    assert_eq!(all.len(), cases::standard_cases().len() + 1);
    assert_eq!(all[0].price_factor, 0.85);
    let prod = cfg.production_table().unwrap();
    let sized = size_debt(&cfg, &prod);
    for spec in &all {
        let r = cases::run_case(spec, &cfg, &prod, &sized);
        manto_finance::audit(&r, 1e-9).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        for c in &r.corkscrews {
            c.check(1e-9)
                .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        }
        assert_eq!(r.debt_sizing, sized);
    }
}

#[test]
fn breakevens_are_solved() {
    let cfg = boleo();
    let prod = cfg.production_table().unwrap();
    let b = cases::breakevens(&cfg, &prod);
    let npv0 = b.cu_price_npv_zero_usd_per_lb.unwrap();
    let d1 = b.cu_price_min_dscr_1_usd_per_lb.unwrap();
    let lock = b.cu_price_lock_up_usd_per_lb.unwrap();
    assert!(d1 < lock && lock < 1.5, "{b:?}");
    assert!(npv0 > 0.0 && npv0 < 1.5, "{b:?}");
    // Re-run at the solved price: the minimum DSCR is 1.0.
    let sized = size_debt(&cfg, &prod);
    let at = |p: f64| {
        let spec = CaseSpec {
            cu_price_factor: p / 1.5,
            ..Default::default()
        };
        cases::run_case(&spec, &cfg, &prod, &sized)
    };
    assert!((at(d1).metrics.min_dscr.unwrap() - 1.0).abs() < 1e-4);
    let npv = at(npv0)
        .metrics
        .npv
        .iter()
        .find(|n| n.discount_rate_pct == 8.0)
        .unwrap()
        .project_after_tax_usd;
    assert!(npv.abs() < 1e3, "{npv}");
    let absorbed = b.capex_overrun_absorbed_pct.unwrap();
    assert!(absorbed > 10.0 && absorbed < 20.0, "{absorbed}");
}
