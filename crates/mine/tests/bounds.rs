//! The findings of the hardening issue (a catalogue of bad inputs and mutation fuzzing):
//! each absurd value is refused with a message naming its key and the allowed range, the
//! model no longer panics with many machines, and a section that produces almost nothing
//! reports no number of sections rather than an overflowed one.

use manto_mine as mine;

use des::input::Invalid;
use mine::calendar::CalendarConfig;
use mine::fleet::SizingRequest;
use mine::layout::LayoutConfig;
use mine::limits;
use mine::schedule::ScheduleConfig;
use mine::section::summarise;
use mine::section::{simulate, Replication, RunOptions, RunSpec, SectionConfig, Targets};
use mine::section::{MassBalance, ShiftTally};
use serde::Deserialize;

#[derive(Deserialize)]
struct SectionPart {
    simulation: RunOptions,
    targets: Targets,
    calendar: CalendarConfig,
    section: SectionConfig,
}

#[derive(Deserialize)]
struct MinePart {
    schedule: ScheduleConfig,
    deposit: LayoutConfig,
}

const SECTION: &str = include_str!("../../../scenarios/boleo.toml");
const MINE: &str = include_str!("../../../scenarios/boleo-mine.toml");

fn boleo() -> SectionPart {
    toml::from_str(SECTION).unwrap()
}

/// The single problem found at `key`, failing if there is none.
fn problem_at(problems: &[Invalid], key: &str) -> String {
    let found: Vec<&Invalid> = problems.iter().filter(|p| p.path == key).collect();
    assert!(!found.is_empty(), "nothing at {key}: {problems:?}");
    found[0].message.clone()
}

/// Replaces the first `from` in the section text, parses and validates it, and returns the
/// message at `key`.
fn refused(from: &str, to: &str, key: &str) -> String {
    assert!(SECTION.contains(from), "{from}");
    let p: SectionPart = toml::from_str(&SECTION.replacen(from, to, 1)).unwrap();
    let mut problems = p.simulation.validate("simulation");
    problems.extend(p.targets.validate("targets"));
    problems.extend(p.calendar.validate("calendar"));
    problems.extend(p.section.validate("section"));
    problem_at(&problems, key)
}

#[test]
fn bundled_values_pass() {
    let p = boleo();
    assert!(p.section.validate("section").is_empty());
    assert!(p.simulation.validate("simulation").is_empty());
    assert!(p.targets.validate("targets").is_empty());
    assert!(p.calendar.validate("calendar").is_empty());
    let m: MinePart = toml::from_str(MINE).unwrap();
    assert!(m.schedule.validate("schedule").is_empty());
    assert!(m.deposit.validate("deposit").is_empty());
}

#[test]
fn absurd_section_values_are_refused_with_the_range() {
    for (from, to, key, says) in [
        (
            "count = 1 ",
            "count = 65533 ",
            "section.bolters.count",
            "bolters 65,533 is outside the allowed 1 to 10",
        ),
        (
            "count = 2 ",
            "count = 65534 ",
            "section.haulage.count",
            "haulers 65,534 is outside the allowed 1 to 20",
        ),
        (
            "count = 2 ",
            "count = 2000000000 ",
            "section.haulage.count",
            "haulers 2,000,000,000 is outside the allowed 1 to 20",
        ),
        (
            "entries = 5 ",
            "entries = 100000 ",
            "section.geometry.entries",
            "entries 100,000 is outside the allowed 1 to 40",
        ),
        (
            "booms = 2 ",
            "booms = 2000000000 ",
            "section.bolters.booms",
            "booms 2,000,000,000 is outside the allowed 1 to 8",
        ),
        (
            "row_spacing_m = 1.2 ",
            "row_spacing_m = 1e-9 ",
            "section.bolters.row_spacing_m",
            "row spacing 1e-9 m is outside the plausible 0.3 to 5 m",
        ),
        (
            "payload_t = 12 ",
            "payload_t = 1e-9 ",
            "section.haulage.payload_t",
            "payload 1e-9 t is outside the plausible 1 to 100 t",
        ),
        (
            "seam_height_m = 2.5 ",
            "seam_height_m = 1e300 ",
            "section.geometry.seam_height_m",
            "seam height 1e300 m is outside the plausible 0.5 to 10 m",
        ),
        (
            "tram_speed_m_per_min = 12 ",
            "tram_speed_m_per_min = 1e-300 ",
            "section.miner.tram_speed_m_per_min",
            "outside the plausible 1 to 200 m/min",
        ),
        (
            "tbf_h = { dist = \"exponential\", mean = 25 }",
            "tbf_h = { dist = \"exponential\", mean = 1e-9 }",
            "section.miner.failures[0].tbf_h",
            "mean time between failures 1e-9 h is outside the plausible 0.1 to",
        ),
        (
            "drill_time_min = { dist = \"triangular\", min = 0.6, mode = 0.8, max = 1.0 }",
            "drill_time_min = 1e300",
            "section.bolters.drill_time_min",
            "outside the plausible 0 to 525,600 (a year)",
        ),
        (
            "days = 60 ",
            "days = 10000000 ",
            "simulation.days",
            "days 10,000,000 is outside the allowed 1 to 36,500",
        ),
        (
            "warmup_days = 3 ",
            "warmup_days = 1000000000 ",
            "simulation.warmup_days",
            "warm-up days 1,000,000,000 is outside the allowed 0 to 3,650",
        ),
        (
            "replications = 10 ",
            "replications = 1000000 ",
            "simulation.replications",
            "replications 1,000,000 is outside the allowed 1 to 10,000",
        ),
        (
            "shift_length_h = 8 ",
            "shift_length_h = 1e-9 ",
            "calendar.shift_length_h",
            "shift length 1e-9 h is outside the plausible 2 to 24 h",
        ),
    ] {
        let msg = refused(from, to, key);
        assert!(msg.contains(says), "{key}: `{msg}` lacks `{says}`");
    }
}

#[test]
fn run_size_is_bounded_in_total() {
    let opts = RunOptions {
        days: limits::MAX_DAYS,
        warmup_days: 0,
        replications: limits::MAX_REPLICATIONS,
        seed: 1,
    };
    let msg = problem_at(&opts.validate("simulation"), "simulation.replications");
    assert!(msg.contains("section-days"), "{msg}");
    let ok = RunOptions {
        days: limits::MAX_DAYS,
        warmup_days: limits::MAX_WARMUP_DAYS,
        replications: 1,
        seed: u64::MAX,
    };
    assert!(ok.validate("simulation").is_empty());
}

#[test]
fn schedule_and_sizing_requests_are_bounded() {
    let s = ScheduleConfig {
        years: 101,
        replications: 1_000_000,
    };
    let p = s.validate("schedule");
    assert!(problem_at(&p, "schedule.years").contains("1 to 100"));
    assert!(problem_at(&p, "schedule.replications").contains("1 to 1,000"));

    let m: MinePart = toml::from_str(MINE).unwrap();
    assert!(m
        .schedule
        .validate_with_layout("schedule", &m.deposit)
        .is_empty());
    let big = ScheduleConfig {
        years: 100,
        replications: 1_000,
    };
    assert!(big.validate("schedule").is_empty());
    let p = big.validate_with_layout("schedule", &m.deposit);
    assert!(problem_at(&p, "schedule.replications").contains("600,000 section-years"));

    let req = SizingRequest {
        plant_feed_dry_t_per_year: 2.6e6,
        underground_share_pct: 94.0,
        confidence: 0.9,
        max_bolters: 3,
        max_haulers: 100_000,
        replications: 10,
        days: SizingRequest::DEFAULT_DAYS,
        warmup_days: SizingRequest::DEFAULT_WARMUP_DAYS,
        seed: 1,
    };
    let p = req.validate("");
    assert!(
        problem_at(&p, "max_haulers").contains("haulers 100,000 is outside the allowed 1 to 20")
    );
    let p = SizingRequest {
        confidence: 1.0,
        max_haulers: 4,
        replications: 1,
        ..req.clone()
    }
    .validate("size");
    assert!(problem_at(&p, "size.confidence").contains("between 0 and 1"));
    assert!(problem_at(&p, "size.replications").contains("at least 2"));
    let p = SizingRequest {
        max_bolters: 10,
        max_haulers: 20,
        replications: 1_000,
        ..req.clone()
    }
    .validate("size");
    assert!(problem_at(&p, "size.replications").contains("section-years"));
    assert!(SizingRequest {
        max_haulers: 4,
        ..req
    }
    .validate("size")
    .is_empty());
}

#[test]
fn panel_counts_are_bounded() {
    let src = MINE.replacen("count = 20,", "count = 1000000000,", 1);
    assert_ne!(src, MINE);
    let m: MinePart = toml::from_str(&src).unwrap();
    let p = m.deposit.validate("deposit");
    let msg = problem_at(&p, "deposit.mines[0].panels[0].count");
    assert!(
        msg.contains("panels 1,000,000,000 is outside the allowed 1 to 10,000"),
        "{msg}"
    );
}

/// The panic "done without activity" came from machine indices stored in 16 bits: with
/// 65,533 bolters (or 65,534 haulers) the index of a later machine wrapped and a completion
/// event reached a machine with nothing under way. Validation now refuses such fleets, and
/// the model itself no longer wraps.
#[test]
fn many_machines_do_not_panic_the_model() {
    let p = boleo();
    for (bolters, haulers) in [(65_533, 2), (1, 65_534)] {
        let mut cfg = p.section.clone();
        cfg.bolters.count = bolters;
        cfg.haulage.count = haulers;
        assert!(!cfg.validate("section").is_empty());
        let rep = simulate(
            &cfg,
            &p.calendar,
            RunSpec {
                days: 1,
                warmup_days: 0,
                streams: des::StreamKey::root(1).child(0),
                check_invariants: false,
                stop_after_wet_t: None,
                seam_height_m: None,
            },
        );
        assert_eq!(rep.machines.len() as u32, 1 + bolters + haulers + 2);
        assert!(rep.mass.cut_wet_t > 0.0);
    }
}

/// A section that delivers almost nothing used to report 4,294,967,295 sections (a
/// saturated cast); it now reports none, as a section that delivers nothing does.
#[test]
fn tiny_output_reports_no_sections_needed() {
    let p = boleo();
    let rep = |dry_t: f64| Replication {
        shifts: vec![
            ShiftTally {
                dry_t,
                wet_t: dry_t,
                ..ShiftTally::default()
            };
            4
        ],
        machines: Vec::new(),
        mass: MassBalance::default(),
        events: 0,
        max_machines_per_place: 0,
        ground: None,
        phases: Vec::new(),
        block_mined_h: None,
        haul_cycles: Vec::new(),
        cost_usd: None,
        detail: false,
        moves_off_shift: 0,
    };
    let opts = p.simulation;
    for dry_t in [1e-9, 0.0] {
        let s = summarise(
            "x",
            &[rep(dry_t), rep(dry_t)],
            opts,
            &p.calendar,
            &p.targets,
        );
        for n in &s.sections_needed {
            assert_eq!(n.sections, None, "{dry_t}");
            assert_eq!(n.sections_at_ci95_low, None, "{dry_t}");
        }
    }
    let s = summarise(
        "x",
        &[rep(1000.0), rep(1000.0)],
        opts,
        &p.calendar,
        &p.targets,
    );
    assert!(s.sections_needed.iter().all(|n| n.sections.is_some()));
}

fn spec(days: u32) -> RunSpec {
    RunSpec {
        days,
        warmup_days: 0,
        streams: des::StreamKey::root(3).child(0),
        check_invariants: true,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

/// A haul at a vanishing speed lasts `SimTime::NEVER`; adding it to the car's battery
/// clock overflowed ("attempt to add with overflow", found by fuzzing). Such speeds are
/// refused, and the model survives them anyway.
#[test]
fn endless_activities_do_not_overflow() {
    let p = boleo();
    for set in [
        |c: &mut SectionConfig| c.haulage.empty_speed_m_per_min = des::Dist::fixed(1e-300).unwrap(),
        |c: &mut SectionConfig| {
            c.haulage.loaded_speed_m_per_min = des::Dist::fixed(1e-300).unwrap()
        },
        |c: &mut SectionConfig| c.miner.tram_speed_m_per_min = 1e-300,
        |c: &mut SectionConfig| c.bolters.tram_speed_m_per_min = 1e-300,
    ] {
        let mut cfg = p.section.clone();
        set(&mut cfg);
        assert!(!cfg.validate("section").is_empty());
        simulate(&cfg, &p.calendar, spec(3));
    }
}

/// Most events two simulated days may take at any edge of the ranges: about ten times the
/// busiest edge measured (the El Boleo section takes about 10,000 events in two days), so a
/// range that lets the event count explode (a vanishing duration repeated without end)
/// fails, whatever the machine's load.
const EDGE_EVENT_BUDGET: u64 = 2_000_000;

/// Every value at either end of its allowed range runs, with the invariants checked after
/// every event, without a panic and in bounded work (events).
#[test]
fn the_edges_of_every_range_run() {
    let p = boleo();
    type Set = fn(&mut SectionConfig, bool);
    let edges: &[(&str, Set)] = &[
        ("entries", |c, hi| {
            c.geometry.entries = if hi { 40 } else { 1 }
        }),
        ("bolters", |c, hi| c.bolters.count = if hi { 10 } else { 1 }),
        ("haulers", |c, hi| c.haulage.count = if hi { 20 } else { 1 }),
        ("booms", |c, hi| c.bolters.booms = if hi { 8 } else { 1 }),
        ("bolts per row", |c, hi| {
            c.bolters.bolts_per_row = if hi { 20 } else { 1 }
        }),
        ("row spacing", |c, hi| {
            c.bolters.row_spacing_m = if hi { 5.0 } else { 0.3 }
        }),
        ("payload", |c, hi| {
            c.haulage.payload_t = if hi { 100.0 } else { 1.0 }
        }),
        ("haul speeds", |c, hi| {
            let v = if hi { 1000.0 } else { 1.0 };
            c.haulage.loaded_speed_m_per_min = des::Dist::fixed(v).unwrap();
            c.haulage.empty_speed_m_per_min = des::Dist::fixed(v).unwrap();
        }),
        ("tram speeds", |c, hi| {
            let v = if hi { 200.0 } else { 1.0 };
            c.miner.tram_speed_m_per_min = v;
            c.bolters.tram_speed_m_per_min = v;
        }),
        ("cutting rate", |c, hi| {
            c.miner.cutting_rate_t_per_min =
                Some(des::Dist::fixed(if hi { 200.0 } else { 0.1 }).unwrap())
        }),
        ("capacities", |c, hi| {
            let v = if hi { 1e12 } else { 10.0 };
            c.feeder.capacity_t_per_h = v;
            c.belt.capacity_t_per_h = v;
        }),
        ("feeder moves", |c, hi| {
            c.feeder.move_every_m = if hi { 10_000.0 } else { 1e-9 }
        }),
        ("failures", |c, hi| {
            for f in &mut c.miner.failures {
                f.tbf_h = des::Dist::fixed(if hi { 1e9 } else { 0.1 }).unwrap();
                f.ttr_h = des::Dist::fixed(0.0).unwrap();
            }
        }),
        ("fixed haul", |c, hi| {
            c.haulage.fixed_haul_m = Some(if hi { 10_000.0 } else { 0.0 })
        }),
        ("instant activities", |c, _| {
            let zero = des::Dist::fixed(0.0).unwrap();
            c.miner.place_change_min = zero.clone();
            c.bolters.place_change_min = zero.clone();
            c.bolters.drill_time_min = zero.clone();
            c.bolters.install_time_min = zero.clone();
            c.haulage.change_out_s = zero.clone();
            c.haulage.dump_time_s = zero;
            c.miner.cutting_rate_t_per_min = Some(des::Dist::fixed(200.0).unwrap());
            c.feeder.capacity_t_per_h = 1e12;
            c.belt.capacity_t_per_h = 1e12;
            c.geometry.entries = 1;
        }),
    ];
    for (name, set) in edges {
        for hi in [false, true] {
            let mut cfg = p.section.clone();
            set(&mut cfg, hi);
            let problems = cfg.validate("section");
            assert!(problems.is_empty(), "{name} {hi}: {problems:?}");
            let rep = simulate(&cfg, &p.calendar, spec(2));
            assert!(rep.max_machines_per_place <= 1, "{name} {hi}");
            // Work done, not wall-clock time (a loaded machine is slow, not wrong): the
            // events of two days bound the run's time on any machine.
            assert!(
                rep.events <= EDGE_EVENT_BUDGET,
                "{name} {hi}: {} events in two days",
                rep.events
            );
        }
    }
}
