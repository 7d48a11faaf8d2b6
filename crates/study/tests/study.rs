//! The study library as a caller sees it: overrides validated like the file, one trial as
//! a value that matches the trials of a schedule, and determinism whatever the threads.

use manto_study as study;
use study::{Override, Scenario, StudyError};

fn set(args: &[&str]) -> Result<Scenario, StudyError> {
    let ov: Vec<Override> = args
        .iter()
        .map(|a| Override::parse_set(a))
        .collect::<Result<_, _>>()?;
    study::load(None, &ov)
}

fn lines(e: StudyError) -> Vec<String> {
    e.lines()
}

#[test]
fn overrides_change_the_scenario_and_are_validated_like_the_file() {
    let s = set(&[
        "section.bolters.count=2",
        "finance.revenue.cu_cathode.price_usd_per_lb=3.5",
        "section.miner.failures[0].tbf_h={ dist = \"exponential\", mean = 30 }",
    ])
    .expect("valid overrides load");
    assert_eq!(s.section.bolters.count, 2);
    let text = study::text(
        None,
        &[Override::parse_set("section.bolters.count=2").unwrap()],
    )
    .unwrap();
    assert!(text.contains("count = 2"));

    // A typo gets a did-you-mean and names --set, not a line of the file.
    let e = lines(set(&["section.geometry.seam_hieght_m=2.5"]).unwrap_err());
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "--set section.geometry.seam_hieght_m=2.5: key `section.geometry.seam_hieght_m`"
        ),
        "{}",
        e[0]
    );
    assert!(e[0].contains("did you mean `seam_height_m`"), "{}", e[0]);
    // A value the validation refuses names the override and the key.
    let e = lines(set(&["section.geometry.cut_depth_m=5.5"]).unwrap_err());
    assert!(
        e[0].starts_with(
            "--set section.geometry.cut_depth_m=5.5: key `section.geometry.cut_depth_m`"
        ),
        "{}",
        e[0]
    );
    // A wrong type too.
    let e = lines(set(&["section.geometry.entries=\"five\""]).unwrap_err());
    assert!(e[0].contains("key `section.geometry.entries`"), "{}", e[0]);
    assert!(e[0].starts_with("--set"), "{}", e[0]);
    // A flag standing for a key is named as the flag.
    let e =
        lines(study::load(None, &[Override::flag("--days", "simulation.days", 0)]).unwrap_err());
    assert!(
        e[0].starts_with("--days 0: key `simulation.days`"),
        "{}",
        e[0]
    );
}

/// A small scenario: 2 years, 2 trials.
fn small() -> Scenario {
    set(&["schedule.years=2", "schedule.replications=2"]).expect("loads")
}

#[test]
fn a_trial_is_the_same_value_alone_or_inside_a_schedule_whatever_the_threads() {
    let s = small();
    let seed = s.simulation.seed;
    let alone = study::trial(&s, seed, 1);
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let all_1 = pool(1).install(|| study::schedule_trials(&s, &study::Silent));
    let all_2 = pool(2).install(|| study::schedule_trials(&s, &study::Silent));
    assert_eq!(all_1, all_2);
    assert_eq!(all_1[1], alone.replication);
    assert_eq!(alone.replication.trial, 1);
    // Different trials are different futures.
    assert_ne!(all_1[0].quarters, all_1[1].quarters);
    // The trial's production is its schedule, and its finance values that production.
    let feed: f64 = alone
        .replication
        .quarters
        .iter()
        .map(|q| q.plant_feed_dry_t)
        .sum();
    let valued: f64 = alone.production.series(|p| p.plant_feed_dry_t).iter().sum();
    assert_eq!(feed, valued);
    assert_eq!(alone.finance, finance_of(&s, &alone.production));
    manto_finance_audit(&alone.finance);
    // The schedule is the mean of its trials.
    let sched = study::schedule_of(&s, &all_1);
    let mean_feed_y1 = (all_1[0].year_sum(1, |q| q.plant_feed_dry_t)
        + all_1[1].year_sum(1, |q| q.plant_feed_dry_t))
        / 2.0;
    assert!((sched.years[0].plant_feed_dry_t - mean_feed_y1).abs() < 1e-6 * mean_feed_y1);
}

fn finance_of(s: &Scenario, p: &finance::ProductionProfile) -> finance::FinanceResult {
    finance::run_with_debt(&s.finance, p, &study::banking_sizing(s, p))
}

fn manto_finance_audit(r: &finance::FinanceResult) {
    finance::audit(r, 1e-9).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn run_values_each_trial_and_summarises_them() {
    let s = set(&[
        "schedule.years=3",
        "schedule.replications=3",
        "simulation.days=5",
        "simulation.replications=2",
    ])
    .unwrap();
    let r = study::run(&s, &study::Silent);
    let v = &r.trial_valuations;
    assert_eq!(v.trials, 3);
    let npv8: Vec<f64> = v
        .per_trial
        .iter()
        .map(|t| t.project_npv_after_tax_usd[1])
        .collect();
    assert_eq!(v.npv[1].discount_rate_pct, 8.0);
    let mean = npv8.iter().sum::<f64>() / 3.0;
    assert!((v.npv[1].project_after_tax_usd.mean - mean).abs() < 1e-6);
    assert!(v.npv[1].project_after_tax_usd.ci95_low <= mean);
    // Each trial's NPV is that trial valued alone.
    let t2 = study::trial(&s, s.simulation.seed, 2);
    assert_eq!(
        t2.finance.metrics.npv[1].project_after_tax_usd,
        v.per_trial[2].project_npv_after_tax_usd[1]
    );
}

#[test]
fn every_valuation_holds_the_banking_case_sizing_fixed() {
    // El Boleo has a production table: the banks' case. The mean schedule and each trial
    // are valued with the debt sized on it, so a trial's DSCR follows from its own cash
    // flows and no longer equals the sculpting target.
    let s = set(&["schedule.years=25", "schedule.replications=2"]).unwrap();
    let sized = study::banking_sizing(&s, &Default::default());
    let table = s
        .finance
        .production_table()
        .expect("the bundled scenario has a table");
    let on_table = finance::SizedDebt {
        sized_on: "the banking case (the scenario's production table)".into(),
        ..finance::size_debt(&s.finance, &table)
    };
    assert_eq!(sized, on_table);
    let t0 = study::trial(&s, s.simulation.seed, 0);
    let fixed = finance::run_with_debt(&s.finance, &t0.production, &sized);
    assert_eq!(t0.finance, fixed);
    // Sizing on the trial itself would give a different loan (the trial's cash flows
    // differ from the table's), so the fixed sizing is really used.
    assert_ne!(
        finance::size_debt(&s.finance, &t0.production).sized_usd,
        sized.sized_usd
    );
    assert_ne!(finance::run(&s.finance, &t0.production), t0.finance);
}

#[test]
fn bank_cases_run_on_the_scenario_production_and_name_bad_cases() {
    let s = set(&["finance.production_source=\"table\""]).unwrap();
    let r = study::cases(&s, &study::Silent);
    assert_eq!(r.production_source, "table");
    assert_eq!(r.cases[0].name, "base");
    let base = &r.cases[0];
    for c in &r.cases[1..] {
        if c.name.starts_with("price_")
            || c.name.starts_with("opex")
            || c.name.starts_with("production")
        {
            assert!(
                c.min_dscr < base.min_dscr,
                "{}: {:?} vs {:?}",
                c.name,
                c.min_dscr,
                base.min_dscr
            );
            assert!(c.npv_usd < base.npv_usd, "{}", c.name);
        }
    }
    let one = study::finance_case(&s, "price_-10", &study::Silent).unwrap();
    let row = r.cases.iter().find(|c| c.name == "price_-10").unwrap();
    assert_eq!(one.metrics.min_dscr, row.min_dscr);
    let e = study::finance_case(&s, "no_such_case", &study::Silent).unwrap_err();
    assert!(
        e.to_string().starts_with("--case: no case `no_such_case`"),
        "{e}"
    );
}
