//! The `[ground]` table through the study: bad tables name file, line and key; the pillar
//! check refuses a layout under its safety factor (or sizes it); a scenario without
//! `[ground]` is untouched and an all-one-class ground equal to the section's own
//! parameters gives the same life of mine; the El Boleo ground costs tonnes.

use manto_study as study;
use study::Override;

fn with_ground(ground: &str) -> String {
    format!("{}\n{ground}", study::bundled("boleo").unwrap())
}

const ONE_CLASS: &str = r#"
[ground]
rating = "cmrr"

[[ground.classes]]
name = "all"
rating_min = 0
rating_max = 100
share = 1.0
mean_run_m = 50
max_cut_depth_m = 4.0
max_span_m = 4.5
[ground.classes.support]
bolts_per_row = 4
row_spacing_m = 1.2
bolt_length_m = 1.8
extra_support_probability = 0.10
extra_support_min = { dist = "triangular", min = 10, mode = 20, max = 45 }
"#;

#[test]
fn bad_ground_tables_name_file_line_and_key() {
    // A misspelt key: refused by the parser at its line, with a suggestion.
    let src = with_ground(&ONE_CLASS.replace("mean_run_m", "mean_runn_m"));
    let e = study::parse(&src, "g.toml").unwrap_err();
    let line = src
        .lines()
        .position(|l| l.starts_with("mean_runn_m"))
        .unwrap()
        + 1;
    assert_eq!(e[0].line, Some(line), "{}", e[0]);
    assert!(e[0].to_string().contains("mean_runn_m"), "{}", e[0]);
    // A value out of bounds: its key path and line.
    let src = with_ground(&ONE_CLASS.replace("row_spacing_m = 1.2", "row_spacing_m = 0.01"));
    let e = study::parse(&src, "g.toml").unwrap_err();
    assert_eq!(e[0].path, "ground.classes[0].support.row_spacing_m");
    let line = src
        .lines()
        .position(|l| l.starts_with("row_spacing_m = 0.01"))
        .unwrap()
        + 1;
    assert_eq!(e[0].line, Some(line));
    // Shares that do not add up, and a span narrower than the section's entries.
    let src = with_ground(&ONE_CLASS.replace("share = 1.0", "share = 0.9"));
    let e = study::parse(&src, "g.toml").unwrap_err();
    assert_eq!(e[0].path, "ground.classes");
    assert!(e[0].message.contains("add up to 1"), "{}", e[0]);
    let src = with_ground(&ONE_CLASS.replace("max_span_m = 4.5", "max_span_m = 4.0"));
    let e = study::parse(&src, "g.toml").unwrap_err();
    assert_eq!(e[0].path, "ground.classes[0].max_span_m");
    assert!(e[0].message.contains("entry_width_m"), "{}", e[0]);
}

#[test]
fn a_pillar_under_the_minimum_is_refused_unless_sized() {
    let deep = Override::parse_set("ground.pillars.depth_of_cover_m=400").unwrap();
    let e = study::load(Some("boleo-ground"), std::slice::from_ref(&deep)).unwrap_err();
    let lines = e.lines();
    assert!(
        lines[0].contains("ground.pillars.min_safety_factor"),
        "{lines:?}"
    );
    assert!(lines[0].contains("pillar_centres_m"), "{lines:?}");
    let size = Override::parse_set("ground.pillars.size=true").unwrap();
    let s = study::load(Some("boleo-ground"), &[deep, size]).unwrap();
    let g = s.ground.as_ref().unwrap();
    let checks = mine::ground::pillar_checks(g, &s.section, &s.deposit);
    for c in &checks {
        assert!((c.safety_factor - 1.5).abs() < 1e-3, "{c:?}");
        // Bigger pillars at depth: less extraction, fewer tonnes per panel.
        assert!(c.tonnage_factor < 1.0, "{c:?}");
    }
}

#[test]
fn an_all_one_class_ground_equal_to_the_section_gives_the_same_life_of_mine() {
    let short = ["schedule.years=2", "schedule.replications=1"];
    let ov: Vec<Override> = short
        .iter()
        .map(|a| Override::parse_set(a).unwrap())
        .collect();
    let plain = study::load(None, &ov).unwrap();
    let src = with_ground(ONE_CLASS);
    let path = std::env::temp_dir().join(format!("manto-ground-{}.toml", std::process::id()));
    std::fs::write(&path, &src).unwrap();
    let one = study::load(Some(path.to_str().unwrap()), &ov).unwrap();
    std::fs::remove_file(&path).ok();
    let a = study::schedule_trial(&plain, plain.simulation.seed, 0);
    let b = study::schedule_trial(&one, one.simulation.seed, 0);
    assert_eq!(a.quarters.len(), b.quarters.len());
    for (qa, qb) in a.quarters.iter().zip(&b.quarters) {
        assert_eq!(qa.plant_feed_dry_t, qb.plant_feed_dry_t, "{}", qa.label);
        assert_eq!(qa.mined_dry_t, qb.mined_dry_t, "{}", qa.label);
        assert_eq!(qa.advance_m, qb.advance_m, "{}", qa.label);
        assert_eq!(qb.waste_dilution_t, 0.0);
        assert!(qb.ground.support_min > 0.0 || qb.section_shifts == 0.0);
    }
    // Without [ground] no ground field reaches the trial's JSON (the shard format).
    let json = serde_json::to_string(&a).unwrap();
    assert!(!json.contains("waste_dilution_t") && !json.contains("\"panels\""));
}

#[test]
fn the_boleo_ground_dilutes_loses_ore_and_records_panels() {
    let short = ["schedule.years=3", "schedule.replications=1"];
    let ov: Vec<Override> = short
        .iter()
        .map(|a| Override::parse_set(a).unwrap())
        .collect();
    let plain = study::load(None, &ov).unwrap();
    let ground = study::load(Some("boleo-ground"), &ov).unwrap();
    let a = study::schedule_trial(&plain, plain.simulation.seed, 0);
    let b = study::schedule_trial(&ground, ground.simulation.seed, 0);
    let sum = |r: &mine::schedule::ScheduleReplication,
               f: &dyn Fn(&mine::schedule::Period) -> f64| {
        r.quarters.iter().map(f).sum::<f64>()
    };
    let waste = sum(&b, &|p| p.waste_dilution_t);
    let lost = sum(&b, &|p| p.ore_lost_t);
    let falls = sum(&b, &|p| p.ground.falls);
    assert!(
        waste > 0.0 && lost > 0.0 && falls > 0.0,
        "{waste} {lost} {falls}"
    );
    // Mined = fed + change in stockpile still holds with the waste in the run of mine.
    let mined = sum(&b, &|p| p.mined_dry_t);
    let fed = sum(&b, &|p| p.plant_feed_dry_t);
    let stock_change =
        b.quarters.last().unwrap().stockpile_closing_dry_t - ground.plant.stockpile_initial_dry_t;
    assert!(
        (mined - fed - stock_change).abs() < 1e-6 * mined,
        "{mined} {fed} {stock_change}"
    );
    // The panel records add up to the quarters' (the panels of the horizon).
    let panel_waste: f64 = b.panels.iter().map(|p| p.waste_dilution_t).sum();
    assert!(panel_waste >= waste - 1e-6, "{panel_waste} {waste}");
    // Weaker ground mines less underground ore than the plain scenario.
    let ore = |r: &mine::schedule::ScheduleReplication| {
        sum(r, &|p| p.underground_dry_t - p.waste_dilution_t)
    };
    assert!(ore(&b) < ore(&a), "{} vs {}", ore(&b), ore(&a));
}
