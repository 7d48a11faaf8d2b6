//! `--hold-debt`: a breakeven of `manto cases` is reproduced by re-running the base case
//! at the breakeven price with the base case's debt held, and is not reproduced when the
//! run re-sizes its debt (the broken input the test must fail on).

use manto_study as study;
use study::{Scenario, Silent};

/// The default scenario valued on its production table (no mine needed), with the copper
/// price `price` when given.
fn boleo_table(price: Option<f64>) -> Scenario {
    let mut text = study::bundled("boleo").unwrap().replace(
        "production_source = \"schedule\"",
        "production_source = \"table\"",
    );
    if let Some(p) = price {
        let old = "price_usd_per_lb = 1.50  # DFS price deck";
        assert!(text.contains(old), "the bundled copper price moved");
        text = text.replace(old, &format!("price_usd_per_lb = {p}  # breakeven"));
    }
    study::parse(&text, "hold-debt-test.toml").unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn a_breakeven_is_reproduced_with_the_debt_held_and_not_without() {
    let base = boleo_table(None);
    let cases = study::cases(&base, &Silent);
    let b = &cases.breakevens;
    let lock = b.lock_up_dscr;
    let price = b.cu_price_lock_up_usd_per_lb.expect("a lock-up breakeven");
    assert!(price > 0.3 && price < 1.5, "{price}");
    // The debt every breakeven held is the base case's, and the table says so.
    let sized = study::banking_sizing(&base, &Default::default());
    assert_eq!(b.debt_held_usd, sized.sized_usd);
    assert!(
        b.debt_sized_on.contains("banking case"),
        "{}",
        b.debt_sized_on
    );

    // Held: the base case at the breakeven price has its minimum DSCR at the lock-up.
    let mut held = boleo_table(Some(price));
    study::hold_debt(&mut held, &base, &Silent);
    let r = study::finance_study(&held, &Silent);
    let dscr = r.metrics.min_dscr.unwrap();
    assert!(
        (dscr - lock).abs() < 1e-4,
        "held: min DSCR {dscr} vs {lock}"
    );
    assert_eq!(r.debt_sizing.sized_usd, sized.sized_usd);
    assert!(r.debt_sizing.sized_on.contains("--hold-debt"));

    // Re-sized on the overridden scenario (what a plain --set does): another loan and
    // another DSCR, so the breakeven is not reproduced.
    let resized = study::finance_study(&boleo_table(Some(price)), &Silent);
    assert!(
        (resized.debt_sizing.sized_usd - sized.sized_usd).abs() > 1e6,
        "the debt should re-size: {} vs {}",
        resized.debt_sizing.sized_usd,
        sized.sized_usd
    );
    let d2 = resized.metrics.min_dscr.unwrap();
    assert!((d2 - lock).abs() > 0.01, "re-sized: min DSCR {d2}");
}
