//! Equipment systems and the section's new outputs against hand calculations: bolting
//! by separate bolters, a bolter-miner, a miner-bolter or not at all; ramcars and LHDs;
//! feeder moves on the maintenance shift; each unit's haul cycle by leg and the cost per
//! tonne.

use manto_mine as mine;

use mine::calendar::CalendarConfig;
use mine::section::{simulate, summarise, RunOptions, RunSpec, SectionConfig, Targets};

/// One entry, fixed times, one car: a load of 12 t at 6 t/min takes 2 min, the haul
/// 100 m at 100 m/min 1 min each way, a dump of 12 t at 720 t/h 1 min: loads start every
/// 5 min; a cut is 84 t (7 loads) and its last load ends 32 min after the cut starts.
/// Bolting a cut: 4 rows x 4 bolts x (drill + install).
fn lean(bolters: &str, extra: &str) -> String {
    format!(
        r#"
[section.geometry]
entries = 1
entry_width_m = 4.2
max_span_m = 4.5
seam_height_m = 2.5
cut_depth_m = 4.0
max_cut_depth_m = 4.0
pillar_centres_m = 20
crosscut_centres_m = 20
insitu_density_wet_t_per_m3 = 2.0
moisture_pct = 25
max_entry_lead_m = 20

[section.miner]
cutting_rate_t_per_min = 6
tram_speed_m_per_min = 10
place_change_min = 0

{bolters}

[section.haulage]
kind = "shuttle_car"
count = 1
payload_t = 12
loaded_speed_m_per_min = 100
empty_speed_m_per_min = 100
change_out_s = 0
dump_time_s = 0
fixed_haul_m = 100

[section.feeder]
capacity_t_per_h = 720
setback_m = 10
move_every_m = 0
move_h = 0

[section.belt]
capacity_t_per_h = 1000000
{extra}
"#
    )
}

fn bolters(kind: &str, count: u32, drill_min: f64) -> String {
    format!(
        "[section.bolters]\nkind = \"{kind}\"\ncount = {count}\nbooms = 1\nbolts_per_row = 4\nrow_spacing_m = 1.0\n\
         drill_time_min = {drill_min}\ninstall_time_min = {drill_min}\nplace_change_min = 0\ntram_speed_m_per_min = 10\n"
    )
}

#[derive(serde::Deserialize)]
struct Doc {
    section: SectionConfig,
}

fn parse(src: &str) -> SectionConfig {
    let cfg = toml::from_str::<Doc>(src)
        .expect("test section parses")
        .section;
    let problems = cfg.validate("section");
    assert!(problems.is_empty(), "{problems:?}");
    cfg
}

fn calendar(shifts: &str) -> CalendarConfig {
    toml::from_str(&format!(
        "shift_length_h = 8\nshifts = {shifts}\ndays_per_week = 7\n\
         travel_in_min = 0\nmeal_break_min = 0\ntravel_out_min = 0\n"
    ))
    .unwrap()
}

fn three() -> CalendarConfig {
    calendar("[\"production\", \"production\", \"production\"]")
}

fn spec(days: u32) -> RunSpec {
    RunSpec {
        days,
        warmup_days: 0,
        streams: des::StreamKey::root(5).child(0),
        check_invariants: true,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

/// Every counted shift after the first delivers `wet_t` with `bolts` bolts and `loads` loads.
fn every_shift(cfg: &SectionConfig, cal: &CalendarConfig, wet_t: f64, bolts: u32, loads: u32) {
    let r = simulate(cfg, cal, spec(3));
    assert_eq!(r.shifts.len(), 9);
    // (The first shift's last bolting ends on the shift boundary: from the second on.)
    for s in &r.shifts[1..] {
        assert!((s.wet_t - wet_t).abs() < 1e-6, "{s:?}");
        assert_eq!((s.bolts, s.loads), (bolts, loads), "{s:?}");
    }
}

#[test]
fn each_bolting_system_matches_its_hand_cycle() {
    // Separate bolter (1 min a bolt, 16 min a cut): the miner waits for its only place,
    // so a cut cycle is 32 + 16 = 48 min: 10 cuts a 480-min shift, 840 t, 160 bolts.
    every_shift(
        &parse(&lean(&bolters("roof_bolter", 1, 0.5), "")),
        &three(),
        840.0,
        160,
        70,
    );
    // No bolting: the miner cuts again at once and loads every 5 min, 96 loads a shift.
    every_shift(&parse(&lean("", "")), &three(), 96.0 * 12.0, 0, 96);
    // With 3 min a bolt (48 min a cut): a miner-bolter bolts after cutting, 32 + 48 = 80
    // min a cut, 6 cuts a shift (504 t, 96 bolts); a bolter-miner bolts while it cuts, so
    // a cut takes the longer cycle, 48 min: 10 cuts (840 t, 160 bolts).
    let mb = parse(&lean(&bolters("miner_bolter", 0, 1.5), ""));
    every_shift(&mb, &three(), 504.0, 96, 42);
    let bm = parse(&lean(&bolters("bolter_miner", 0, 1.5), ""));
    every_shift(&bm, &three(), 840.0, 160, 70);
    // With 1 min a bolt (16 min a cut) the bolter-miner's bolting hides entirely under its
    // cutting: the cycle is the loading's, a load every 5 min as without bolting.
    let fast = parse(&lean(&bolters("bolter_miner", 0, 0.5), ""));
    for s in &simulate(&fast, &three(), spec(3)).shifts {
        assert!((s.wet_t - 96.0 * 12.0).abs() < 1e-6, "{s:?}");
        assert_eq!(s.loads, 96);
    }
    // The miner's name says what it is; a separate bolter is refused beside it.
    let r = simulate(&bm, &three(), spec(1));
    assert_eq!(r.machines[0].name, "Bolter-miner");
    assert_eq!(r.machines.len(), 4, "miner, car, feeder, belt");
    let bad: Doc = toml::from_str(&lean(&bolters("miner_bolter", 1, 1.5), "")).unwrap();
    let e = bad.section.validate("section");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].path, "section.bolters.count");
}

#[test]
fn ramcars_and_lhds_haul_as_shuttle_cars_do() {
    let base = lean(&bolters("roof_bolter", 1, 0.5), "");
    for (kind, name) in [("ramcar", "Ramcar 1"), ("lhd", "LHD 1")] {
        let cfg = parse(&base.replace("kind = \"shuttle_car\"", &format!("kind = \"{kind}\"")));
        every_shift(&cfg, &three(), 840.0, 160, 70);
        let r = simulate(&cfg, &three(), spec(1));
        assert_eq!(r.machines[2].name, name);
    }
}

#[test]
fn feeder_moves_on_the_maintenance_shift_cost_no_production() {
    // Two production shifts and a maintenance shift a day; the feeder is due to move after
    // every cut (4 m), for 2 h. Stopping haulage for each move costs production; done on the
    // maintenance shift (8 h off, room for one 2 h move a day) it costs none: every
    // production shift is the hand cycle's 840 t, as with no moves at all.
    let cal = calendar("[\"production\", \"production\", \"maintenance\"]");
    let moves = |on_maintenance: bool| {
        lean(&bolters("roof_bolter", 1, 0.5), "").replace(
            "move_every_m = 0\nmove_h = 0",
            &format!("move_every_m = 4\nmove_h = 2\nmove_on_maintenance_shift = {on_maintenance}"),
        )
    };
    let off = parse(&moves(true));
    let r = simulate(&off, &cal, spec(5));
    assert_eq!(r.shifts.len(), 10);
    for s in &r.shifts {
        assert!((s.wet_t - 840.0).abs() < 1e-6, "{s:?}");
    }
    // One move a day, in the maintenance shift of each of the 5 days.
    assert_eq!(r.moves_off_shift, 5);
    let on = parse(&moves(false));
    let r = simulate(&on, &cal, spec(5));
    let t: f64 = r.shifts.iter().map(|s| s.wet_t).sum();
    assert!(t < 0.7 * 8_400.0, "{t}");
}

#[test]
fn haul_cycles_and_cost_per_tonne_match_the_hand_calculation() {
    // The lean section with costs: per 8 h shift (600 + 300 + 200 + 100 + 50) US$/h x 8 h
    // + 1,000 crew = 11,000 US$, for 630 dry t (840 wet t): 17.460 US$/dry t, 13.095
    // US$/wet t.
    let costs = "\n[section.costs]\nminer_usd_per_h = 600\nbolter_usd_per_h = 300\nhauler_usd_per_h = 200\nfeeder_usd_per_h = 100\nbelt_usd_per_h = 50\ncrew_usd_per_shift = 1000\n";
    let cfg = parse(&lean(&bolters("roof_bolter", 1, 0.5), costs));
    let cal = three();
    let opts = RunOptions {
        days: 5,
        warmup_days: 0,
        replications: 2,
        seed: 5,
    };
    let reps: Vec<_> = (0..2)
        .map(|r| mine::section::replication(&cfg, &cal, opts, r))
        .collect();
    let targets = Targets {
        plant_feed_dry_t_per_year: vec![1e6],
        underground_share_pct: 100.0,
    };
    let rep = summarise("lean", &reps, opts, &cal, &targets);
    let c = rep.cost.as_ref().expect("cost reported");
    assert!((c.usd_per_shift.mean - 11_000.0).abs() < 1e-6, "{c:?}");
    assert!(
        (c.usd_per_dry_t.mean - 11_000.0 / 630.0).abs() < 1e-9,
        "{c:?}"
    );
    assert!(
        (c.usd_per_wet_t.mean - 11_000.0 / 840.0).abs() < 1e-9,
        "{c:?}"
    );
    // The car's cycle: per 48-min cut, 7 trips of load 2, haul 1, dump 1, travel 1 min,
    // and 13 min at the miner waiting for the bolted place (back at 35, next load at 48).
    let h = &rep.haul_cycles.as_ref().expect("haul cycles reported")[0];
    assert!((h.trips_per_shift - 70.0).abs() < 1e-9, "{h:?}");
    assert!((h.cycle_min - 48.0 / 7.0).abs() < 1e-9, "{h:?}");
    for (leg, min) in [
        ("load", 2.0),
        ("haul", 1.0),
        ("dump", 1.0),
        ("travel", 1.0),
        ("wait_at_miner", 13.0 / 7.0),
        ("wait_at_feeder", 0.0),
        ("wait_for_road", 0.0),
    ] {
        assert!(
            (h.leg_min_per_trip[leg] - min).abs() < 1e-9,
            "{leg}: {} vs {min}",
            h.leg_min_per_trip[leg]
        );
    }
    // Without the new tables the report has none of these (older outputs keep their bytes).
    let plain = parse(&lean(&bolters("roof_bolter", 1, 0.5), ""));
    let reps: Vec<_> = (0..2)
        .map(|r| mine::section::replication(&plain, &cal, opts, r))
        .collect();
    let rep = summarise("lean", &reps, opts, &cal, &targets);
    assert!(rep.cost.is_none() && rep.haul_cycles.is_none() && rep.phases.is_none());
}
