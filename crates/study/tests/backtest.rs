//! The back-test against distributions whose answers are known: a hand-built ensemble
//! (percentiles, PIT, CRPS by hand), a perfectly calibrated synthetic study (flat PIT) and
//! biased or too-narrow ones (not flat); the actuals file's errors; the hindsight lint on
//! planted hindsight of each kind.

use des::StreamKey;
use manto_study as study;
use rand_distr::{Distribution, StandardNormal};
use study::backtest::{self, lint, Actual, Catalogue, Kind, Quantity, Setting};
use study::risk::IterationRecord;

fn record(i: u64, inputs: Vec<f64>, outputs: Vec<f64>) -> IterationRecord {
    IterationRecord {
        iteration: i,
        inputs,
        avg_prices: Vec::new(),
        outputs,
        first_year: 2008,
        feed_dry_t: Vec::new(),
        cu_t: Vec::new(),
        cfads_usd: Vec::new(),
        dscr: Vec::new(),
    }
}

fn actual(value: f64, resolved: Quantity) -> Actual {
    Actual {
        name: format!("a{value}"),
        quantity: "x".into(),
        period: None,
        value,
        unit: "t".into(),
        source: "test".into(),
        known: "2020-01".into(),
        resolved,
    }
}

const OUT0: Quantity = Quantity::Output { index: 0 };

#[test]
fn percentiles_pit_and_crps_on_a_hand_built_distribution() {
    // Ensemble 1, 2, 2, 3, 4 (given out of order).
    let recs: Vec<IterationRecord> = [3.0, 2.0, 4.0, 1.0, 2.0]
        .iter()
        .enumerate()
        .map(|(i, &x)| record(i as u64, vec![], vec![x]))
        .collect();
    let acts: Vec<Actual> = [2.0, 0.0, 5.0, 3.5]
        .iter()
        .map(|&y| actual(y, OUT0))
        .collect();
    let r = backtest::backtest(Setting::default(), &recs, &acts);
    let a = &r.actuals;
    // Mid-rank: 2 has one value below and two equal: (1 + 0.5 * 2) / 5 = 40%.
    assert!(
        (a[0].percentile - 40.0).abs() < 1e-12,
        "{}",
        a[0].percentile
    );
    assert!(a[0].outside.is_none());
    // 0 is below every iteration: percentile 0, nearest is 1 (iteration 3).
    assert_eq!(a[1].percentile, 0.0);
    let o = a[1].outside.as_ref().unwrap();
    assert_eq!(
        (o.side.as_str(), o.nearest, o.nearest_iteration),
        ("below", 1.0, 3)
    );
    assert!(a[1]
        .place()
        .contains("outside the support: below every iteration (nearest 1)"));
    let o = a[2].outside.as_ref().unwrap();
    assert_eq!(
        (o.side.as_str(), o.nearest, a[2].percentile),
        ("above", 4.0, 100.0)
    );
    // 3.5: four values below: 80%.
    assert!((a[3].percentile - 80.0).abs() < 1e-12);
    // CRPS at 2 by hand: E|X - 2| = 4/5 = 0.8; E|X - X'| = 28/25 = 1.12; 0.8 - 0.56.
    assert!((a[0].crps - 0.24).abs() < 1e-12, "{}", a[0].crps);
    // PIT 0.4, 0, 1, 0.8: bins 4, 0, 9, 8.
    assert_eq!(
        r.calibration.pit_histogram,
        vec![1, 0, 0, 0, 1, 0, 0, 0, 1, 1]
    );
    // Outside P1-P99 and P5-P95: the two outside the support.
    assert_eq!(r.calibration.bands[0].count, 2);
    assert_eq!(r.calibration.bands[1].count, 2);
    assert!((r.calibration.bands[1].expected - 0.4).abs() < 1e-12);
    // Quantiles of the sorted ensemble.
    assert_eq!((a[0].min, a[0].p50, a[0].max), (1.0, 2.0, 4.0));
}

#[test]
fn the_nearest_iterations_are_those_closest_on_every_actual_and_their_inputs_are_compared() {
    // 100 iterations: output 0 = i, input 0 = i as well, input 1 = alternating 0/1.
    let recs: Vec<IterationRecord> = (0..100)
        .map(|i| record(i, vec![i as f64, (i % 2) as f64], vec![i as f64]))
        .collect();
    let acts = vec![actual(97.0, OUT0)];
    let setting = Setting {
        input_names: vec!["grows".into(), "alternates".into()],
        ..Setting::default()
    };
    let r = backtest::backtest(setting, &recs, &acts);
    let n = &r.nearest;
    assert_eq!(n.k, 10);
    // Nearest to 97: 97, then 96 and 98 (tie broken by index), 95, 99, ...
    let ids: Vec<u64> = n.iterations.iter().map(|x| x.0).collect();
    assert_eq!(&ids[..5], &[97, 96, 98, 95, 99]);
    // What they had in common: a high `grows` (first), nothing in `alternates`.
    assert_eq!(n.shared[0].name, "grows");
    assert!(n.shared[0].nearest_percentile > 85.0);
    assert!((n.shared[1].nearest_percentile - 50.0).abs() < 10.0);
}

/// An ensemble of `n` standard normal draws, and `m` actuals drawn from N(shift, scale).
fn synthetic(n: u64, m: usize, shift: f64, scale: f64) -> backtest::BacktestResult {
    let mut rng = StreamKey::root(23).child(1).stream();
    let recs: Vec<IterationRecord> = (0..n)
        .map(|i| {
            let x: f64 = StandardNormal.sample(&mut rng);
            record(i, vec![], vec![x])
        })
        .collect();
    let mut rng = StreamKey::root(23).child(2).stream();
    let acts: Vec<Actual> = (0..m)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            actual(shift + scale * z, OUT0)
        })
        .collect();
    backtest::backtest(Setting::default(), &recs, &acts)
}

#[test]
fn a_calibrated_study_has_a_flat_pit_and_a_biased_or_narrow_one_does_not() {
    // Calibrated: actuals drawn from the model itself. The chi-square test of a flat PIT
    // (10 bins, 500 actuals) does not reject at the 1% level (seed fixed).
    let good = synthetic(2000, 500, 0.0, 1.0);
    let c = &good.calibration;
    assert!(c.chi_square_valid);
    assert!(c.pit_chi_square.2 > 0.01, "{:?}", c.pit_chi_square);
    for b in &c.bands {
        assert!(b.count >= b.interval.0 && b.count <= b.interval.1, "{b:?}");
    }
    // CRPS of a normal actual on its own normal: 1/sqrt(pi) = 0.564 sd on average.
    assert!(
        (c.mean_crps_per_sd - 0.564).abs() < 0.06,
        "{}",
        c.mean_crps_per_sd
    );
    // Biased by half a standard deviation: rejected.
    let biased = synthetic(2000, 500, 0.5, 1.0);
    assert!(
        biased.calibration.pit_chi_square.2 < 1e-6,
        "{:?}",
        biased.calibration.pit_chi_square
    );
    assert!(biased.calibration.mean_crps_per_sd > c.mean_crps_per_sd);
    // Too narrow (what happened is twice as spread as the model): too many outside P5-P95.
    let narrow = synthetic(2000, 500, 0.0, 2.0);
    let b = &narrow.calibration.bands[1];
    assert!(b.count > b.interval.1, "{b:?}");
    assert!(narrow.calibration.pit_chi_square.2 < 1e-6);
}

fn risk_study() -> (study::Scenario, String) {
    let text = study::text(Some("boleo-risk"), &[]).unwrap();
    (study::load(Some("boleo-risk"), &[]).unwrap(), text)
}

fn parse(text: &str) -> Result<Vec<Actual>, Vec<String>> {
    let (s, _) = risk_study();
    backtest::actuals::parse(text, "a.toml", &Catalogue::of(&s)).map_err(|e| e.lines())
}

const GOOD: &str = r#"
[[actual]]
quantity = "cu_cathode_t"
period = 2016
value = 14284
unit = "t"
source = "BNamericas"
known = "2017-03"
"#;

#[test]
fn the_bundled_actuals_parse_and_resolve() {
    let (s, _) = risk_study();
    let a = backtest::actuals::parse(
        backtest::BUNDLED_ACTUALS,
        backtest::BUNDLED_ACTUALS_NAME,
        &Catalogue::of(&s),
    )
    .unwrap();
    assert_eq!(a.len(), 4);
    let ok = parse(GOOD).unwrap();
    assert_eq!(
        ok[0].resolved,
        Quantity::Series {
            index: 0,
            year: 2016
        }
    );
    assert_eq!(ok[0].name, "cu_cathode_t 2016");
}

#[test]
fn bad_actuals_name_file_line_and_key() {
    let cases: [(&str, &str, &str); 7] = [
        ("\"cu_cathode_t\"", "\"cu_cathod_t\"", "a.toml:3: key `actual[0].quantity`: unknown quantity `cu_cathod_t` (did you mean `cu_cathode_t`?)"),
        ("unit = \"t\"", "unit = \"kt\"", "a.toml:6: key `actual[0].unit`: `cu_cathode_t` is in `t`, not `kt`"),
        ("period = 2016", "period = 1990", "a.toml:4: key `actual[0].period`: the period is outside the study"),
        ("period = 2016", "", "key `actual[0].period`: `cu_cathode_t` is a series by calendar year"),
        ("2017-03", "2007-05", "a.toml:8: key `actual[0].known`: known 2007-05 is not after the study's date 2007-06"),
        ("2017-03", "March 2017", "a.toml:8: key `actual[0].known`: `March 2017` is not a date"),
        ("value = 14284", "value = 14284\nvalu = 1", "a.toml:6: key `actual[0].valu`"),
    ];
    for (from, to, want) in cases {
        let text = GOOD.replacen(from, to, 1);
        let e = parse(&text).unwrap_err();
        assert!(e.iter().any(|l| l.contains(want)), "{want}\n{e:?}");
    }
    // A life-total output takes no period.
    let e = parse(&GOOD.replace("cu_cathode_t", "cu_op_year2_t")).unwrap_err();
    assert!(e[0].contains("has no period"), "{e:?}");
}

#[test]
fn csv_actuals_give_line_and_column() {
    let (s, _) = risk_study();
    let cat = Catalogue::of(&s);
    let ok = "quantity,period,value,unit,source,known\ncu_cathode_t,2016,14284,t,BNamericas,2017-03\nplant_feed_dry_t,2016,1400000,dry_t,BNamericas,2017-03\n";
    let a = backtest::actuals::parse(ok, "a.csv", &cat).unwrap();
    assert_eq!(a.len(), 2);
    let bad = ok.replace("dry_t,BN", "wet_t,BN");
    let e = backtest::actuals::parse(&bad, "a.csv", &cat)
        .unwrap_err()
        .lines();
    assert!(
        e[0].starts_with("a.csv:3: key `unit`: `plant_feed_dry_t` is in `dry_t`"),
        "{e:?}"
    );
    let e = backtest::actuals::parse(&ok.replace(",2016,1400000", ",2016,lots"), "a.csv", &cat)
        .unwrap_err()
        .lines();
    assert!(e[0].starts_with("a.csv:3: key `value`"), "{e:?}");
}

fn lint_of(edit: &dyn Fn(&str) -> String) -> Vec<study::backtest::Hindsight> {
    let (_, text) = risk_study();
    // The rebuilt study is lint-clean: every finding comes from the edit.
    let s = study::parse(&edit(&text), "planted.toml").unwrap();
    lint::lint(&s).unwrap()
}

#[test]
fn the_lint_finds_planted_hindsight_of_each_kind() {
    let clean = lint_of(&|t| t.to_string());
    assert!(clean.is_empty(), "{clean:?}");
    // A citation from after the study's date.
    let h = lint_of(&|t| t.replacen("source = \"", "source = \"Bertisen and Davis (2008); ", 1));
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].kind, h[0].year), (Kind::Citation, 2008));
    assert!(h[0].message().contains("after the study's date 2007-06"));
    // A fiscal rule in force only later: the 2014 special mining duty.
    let h = lint_of(&|t| {
        t.replacen(
            "mining_duty_pct = 0.0",
            "mining_duty_pct = [{ from_year = 2007, to_year = 2013, value = 0.0 }, { from_year = 2014, value = 7.5 }]",
            1,
        )
    });
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].kind, h[0].year), (Kind::FiscalRule, 2014));
    assert_eq!(h[0].key, "finance.tax.mining_duty_pct");
    // A price deck that knows when prices moved.
    let h = lint_of(&|t| {
        t.replacen(
            "price_usd_per_lb = 1.50",
            "price_usd_per_lb = [{ from_year = 2008, to_year = 2010, value = 1.50 }, { from_year = 2011, value = 4.00 }]",
            1,
        )
    });
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].kind, h[0].year), (Kind::PriceDeck, 2011));
    // An actual-based parameter: a price process starting from a 2010 price.
    let h = lint_of(&|t| t.replacen("start_year = 2007", "start_year = 2010", 1));
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].kind, h[0].year), (Kind::ActualBased, 2010));
    // Same year, no month: flagged; with an earlier month: clean.
    let h = lint_of(&|t| t.replacen("source = \"", "source = \"CMJ 2007; ", 1));
    assert_eq!(h.len(), 1);
    assert!(lint_of(&|t| t.replacen("source = \"", "source = \"CMJ, May 2007; ", 1)).is_empty());
}
