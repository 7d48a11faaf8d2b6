//! Mining plans: the cut cycles the named rules generate, the section working a two-phase
//! plan (development of the central entries, then rooms from the flanks) to a block whose
//! tonnage is worked out by hand, and impossible plans refused at file, line and key.

use manto_mine as mine;

use mine::calendar::CalendarConfig;
use mine::section::plan::{generate, CutOrder, PlaceRef};
use mine::section::{simulate, simulate_logged, RunSpec, SectionConfig};
use proptest::prelude::*;

/// A panel of `entries` entries with fixed times, quick bolting and a one-minute miner
/// move. One full cut: 4.2 m x 2.5 m x 4 m x 2 t/m3 = 84 wet t.
fn panel(entries: u32, plan: &str) -> String {
    format!(
        r#"
[section.geometry]
entries = {entries}
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
move_time_min = 1
place_change_min = 0

[section.bolters]
count = 1
booms = 1
bolts_per_row = 4
row_spacing_m = 1.0
drill_time_min = 0.1
install_time_min = 0.1
place_change_min = 0
tram_speed_m_per_min = 200

[section.haulage]
kind = "shuttle_car"
count = 2
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
{plan}
"#
    )
}

#[derive(serde::Deserialize)]
struct Doc {
    section: SectionConfig,
}

fn parse(src: &str) -> SectionConfig {
    toml::from_str::<Doc>(src)
        .expect("test section parses")
        .section
}

/// The problems of a scenario, located as the program reports them.
fn refusals(src: &str) -> Vec<String> {
    let cfg = parse(src);
    let problems = cfg.validate("section");
    des::input::locate_all(src, "plan.toml", &problems)
        .iter()
        .map(|e| e.to_string())
        .collect()
}

fn line_of(src: &str, needle: &str) -> usize {
    src[..src.find(needle).expect("needle")].lines().count() + 1
}

fn calendar() -> CalendarConfig {
    toml::from_str(
        "shift_length_h = 8\nshifts = [\"production\", \"production\", \"production\"]\ndays_per_week = 7\n\
         travel_in_min = 0\nmeal_break_min = 0\ntravel_out_min = 0\n",
    )
    .unwrap()
}

fn spec(days: u32) -> RunSpec {
    RunSpec {
        days,
        warmup_days: 0,
        streams: des::StreamKey::root(7).child(0),
        check_invariants: true,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

fn all(n: usize) -> Vec<bool> {
    vec![true; n]
}

/// Every place of a full-width phase exactly once: n entry faces and n - 1 crosscuts.
fn assert_every_place_once(order: CutOrder, n: usize) {
    let cycle = generate(order, &all(n), &all(n));
    assert_eq!(cycle.len(), 2 * n - 1, "{order:?} {n}: {cycle:?}");
    let mut seen = std::collections::BTreeSet::new();
    for p in &cycle {
        assert!(seen.insert(*p), "{order:?} {n}: {p} twice");
        match *p {
            PlaceRef::Entry(e) => assert!(e < n),
            PlaceRef::Crosscut(k) => assert!(k + 1 < n),
        }
    }
}

#[test]
fn plans_for_3_12_and_21_entries_visit_every_place_once() {
    for n in [3, 12, 21] {
        for order in [
            CutOrder::LeftToRight,
            CutOrder::RightToLeft,
            CutOrder::CentreOut,
        ] {
            assert_every_place_once(order, n);
        }
    }
    // By hand: left to right across three entries; centre out across five.
    let l2r: Vec<String> = generate(CutOrder::LeftToRight, &all(3), &all(3))
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(l2r, ["E1", "X1", "E2", "X2", "E3"]);
    let co: Vec<String> = generate(CutOrder::CentreOut, &all(5), &all(5))
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(co, ["E3", "X2", "X3", "E2", "E4", "X1", "X4", "E1", "E5"]);
    // Rooms on the flanks of a developed centre (entries 3 to 5 of 7 open before): the
    // crosscuts to the developed entries belong to the rooms, those between them do not.
    let rooms = [true, true, false, false, false, true, true];
    let r2l: Vec<String> = generate(CutOrder::RightToLeft, &rooms, &all(7))
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(r2l, ["E7", "X6", "E6", "X5", "X2", "E2", "X1", "E1"]);
}

proptest! {
    /// For any width up to the limit and any phase (a random set of entries worked now,
    /// with a random set worked before), each rule's cycle is a permutation of the
    /// phase's places.
    #[test]
    fn every_rule_visits_every_place_of_any_phase_once(
        n in 1usize..=40,
        bits in proptest::collection::vec((any::<bool>(), any::<bool>()), 40),
    ) {
        let in_phase: Vec<bool> = bits[..n].iter().map(|b| b.0).collect();
        let open: Vec<bool> = bits[..n].iter().map(|b| b.0 || b.1).collect();
        let expect: usize = in_phase.iter().filter(|&&b| b).count()
            + (0..n.saturating_sub(1))
                .filter(|&k| (in_phase[k] || in_phase[k + 1]) && open[k] && open[k + 1])
                .count();
        for order in [CutOrder::LeftToRight, CutOrder::RightToLeft, CutOrder::CentreOut] {
            let cycle = generate(order, &in_phase, &open);
            prop_assert_eq!(cycle.len(), expect);
            let set: std::collections::BTreeSet<_> = cycle.iter().collect();
            prop_assert_eq!(set.len(), expect);
        }
    }
}

const TWO_PHASES: &str = r#"
[[section.plan]]
name = "development"
entries = [2, 3, 4]
advance_m = 60
order = "left_to_right"

[[section.plan]]
name = "rooms"
entries = [1, 5]
advance_m = 60
order = "list"
places = ["E1", "X1", "X4", "E5"]
"#;

#[test]
fn a_two_phase_plan_is_worked_phase_by_phase_to_the_block_tonnage() {
    let cfg = parse(&panel(5, TWO_PHASES));
    assert!(cfg.validate("section").is_empty());
    let (r, cuts) = simulate_logged(&cfg, &calendar(), spec(30));
    // By hand: development drives entries 2-4 to 60 m (3 x 60 = 180 m) and the crosscuts
    // X2, X3 at the 20 and 40 m lines (the 60 m line would need the entries at 62.1 m),
    // each 20 - 4.2 = 15.8 m: 4 x 15.8 = 63.2 m. Rooms drive entries 1 and 5 to 60 m
    // (120 m) and X1, X4 at the same two lines (63.2 m). 426.4 m x 4.2 x 2.5 x 2 t/m3
    // = 8,954.4 wet t.
    let t: f64 = cuts.iter().map(|c| c.wet_t).sum();
    assert!((t - 8_954.4).abs() < 1e-6, "{t}");
    assert!((r.mass.dumped_wet_t - 8_954.4).abs() < 1e-6, "{:?}", r.mass);
    let dev = ["E2", "E3", "E4", "X2", "X3"];
    let rooms = ["E1", "E5", "X1", "X4"];
    let first_room = cuts.iter().position(|c| c.phase == 1).expect("rooms cut");
    for (k, c) in cuts.iter().enumerate() {
        let name = c.place.to_string();
        if k < first_room {
            assert_eq!(c.phase, 0);
            assert!(dev.contains(&name.as_str()), "{name} in development");
        } else {
            assert_eq!(c.phase, 1, "phases run in turn");
            assert!(rooms.contains(&name.as_str()), "{name} in rooms");
        }
    }
    // Every entry ends exactly at 60 m: 15 cuts of 4 m each.
    for e in 0..5 {
        let m: f64 = cuts
            .iter()
            .filter(|c| c.place == PlaceRef::Entry(e))
            .map(|c| c.depth_m)
            .sum();
        assert!((m - 60.0).abs() < 1e-9, "E{}: {m}", e + 1);
    }
    // Each crosscut is 2 x 15.8 m.
    for k in 0..4 {
        let m: f64 = cuts
            .iter()
            .filter(|c| c.place == PlaceRef::Crosscut(k))
            .map(|c| c.depth_m)
            .sum();
        assert!((m - 31.6).abs() < 1e-9, "X{}: {m}", k + 1);
    }
    // The block is mined, the run stops with it, and the phases end in turn before it.
    let h = r.block_mined_h.expect("block mined");
    let last_cut = cuts.last().unwrap().at.as_h();
    assert!(h >= last_cut && h < last_cut + 1.0, "{h} vs {last_cut}");
    assert_eq!(r.phases.len(), 2);
    let end0 = r.phases[0].ended_h.unwrap();
    let end1 = r.phases[1].ended_h.unwrap();
    assert!(end0 < end1 && end1 <= h, "{end0} {end1} {h}");
    assert!((end0 - cuts[first_room - 1].at.as_h()).abs() < 1e-12);
    // The miner's moves take move_time_min = 1 min whatever the distance: tramming time
    // is one minute per change of place (it starts at the middle entry, E3).
    let mut here = PlaceRef::Entry(2);
    let mut moves = 0u64;
    for c in &cuts {
        if c.place != here {
            moves += 1;
            here = c.place;
        }
    }
    let tram = r.machines[0].state_ms[mine::section::State::Tramming as usize];
    assert_eq!(tram, moves * 60_000);
    // The phases' machine times add up to the machine totals.
    for (m, tally) in r.machines.iter().enumerate() {
        for s in 0..mine::section::N_STATES {
            let by_phase: u64 = r.phases.iter().map(|p| p.state_ms[m][s]).sum();
            assert_eq!(by_phase, tally.state_ms[s], "{} state {s}", tally.name);
        }
    }
}

#[test]
fn a_left_to_right_cycle_is_followed_where_the_rules_allow() {
    // Three entries, instant-ish bolting: the miner goes E1, E2, E3 round (X1 and X2 do
    // not exist until both their entries pass the 20 m line at 22.1 m, i.e. 24 m after
    // six cuts each), then the cycle takes in the crosscuts as they open: after E2's
    // sixth cut X1 is open (E1 is at 24 m), after E3's sixth X2 is.
    let cfg = parse(&panel(
        3,
        "[[section.plan]]\nname = \"all\"\norder = \"left_to_right\"\n",
    ));
    let (_, cuts) = simulate_logged(&cfg, &calendar(), spec(1));
    let names: Vec<String> = cuts.iter().take(23).map(|c| c.place.to_string()).collect();
    // Rounds 1 to 6 take the entries to 24 m. In round 6, after E2 X1 opens but the
    // cycle has passed it, and X2 is not open yet (E3 at 20 m), so E3; then the cycle
    // wraps to E1 and takes in both crosscuts.
    let mut expect: Vec<&str> = Vec::new();
    for _ in 0..6 {
        expect.extend(["E1", "E2", "E3"]);
    }
    expect.extend(["E1", "X1", "E2", "X2", "E3"]);
    assert_eq!(names, expect);
}

#[test]
fn without_a_plan_the_section_is_unchanged_and_one_nearest_phase_matches_it() {
    // An explicit one-phase plan of every entry, nearest first and without end, is the
    // model without a plan: the same replication to the byte (the plan's per-phase tally
    // and the flag asking the report for it aside).
    let base = parse(&panel(5, ""));
    let planned = parse(&panel(5, "[[section.plan]]\nname = \"panel\"\n"));
    let a = simulate(&base, &calendar(), spec(3));
    let mut b = simulate(&planned, &calendar(), spec(3));
    assert_eq!(b.phases.len(), 1);
    b.phases.clear();
    b.detail = false;
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn forty_entries_are_accepted_and_41_refused() {
    let cfg = parse(&panel(40, ""));
    assert!(cfg.validate("section").is_empty());
    let r = simulate(&cfg, &calendar(), spec(2));
    assert!(r.mass.dumped_wet_t > 0.0);
    let src = panel(41, "");
    let e = refusals(&src);
    assert_eq!(
        e,
        [format!(
            "plan.toml:{}: key `section.geometry.entries`: entries 41 is outside the allowed 1 to 40",
            line_of(&src, "entries = 41")
        )]
    );
}

#[test]
fn impossible_plans_are_refused_at_file_line_and_key() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "places = [\"E1\", \"X1\", \"X4\", \"E5\"]",
            "places = [\"E1\", \"X1\", \"X4\"]",
            "section.plan[1].places",
            "E5 is in the phase but not in the cut order: the entry would never advance, and the phase's other entries would stop max_entry_lead_m = 20 m ahead of it, so the phase could never end",
        ),
        (
            "places = [\"E1\", \"X1\", \"X4\", \"E5\"]",
            "places = [\"E1\", \"X1\", \"X3\", \"E5\"]",
            "section.plan[1].places[2]",
            "X3: the crosscut between entries 3 and 4 is not driven in this phase (one of them must be in the phase and the other in it or worked before)",
        ),
        (
            "places = [\"E1\", \"X1\", \"X4\", \"E5\"]",
            "places = [\"E1\", \"X1\", \"E1\", \"X4\", \"E5\"]",
            "section.plan[1].places[2]",
            "E1 is listed twice: a cycle visits each place once",
        ),
        (
            "places = [\"E1\", \"X1\", \"X4\", \"E5\"]",
            "places = [\"E1\", \"cross 1\", \"X4\", \"E5\"]",
            "section.plan[1].places[1]",
            "\"cross 1\" is not a place: write \"E3\" for entry 3, \"X3\" for the crosscut between entries 3 and 4",
        ),
        (
            "entries = [2, 3, 4]",
            "entries = [2, 3, 9]",
            "section.plan[0].entries",
            "entry 9 is not in the panel: entries are numbered 1 to 5 from the left",
        ),
        (
            "order = \"left_to_right\"",
            "order = \"left_to_right\"\nentry_width_m = 6",
            "section.plan[0].entry_width_m",
            "span 6 m is over the limit max_span_m = 4.5 m",
        ),
        (
            "order = \"left_to_right\"",
            "order = \"left_to_right\"\ncut_depth_m = 6",
            "section.plan[0].cut_depth_m",
            "cut 6 m is deeper than allowed (max_cut_depth_m = 4 m)",
        ),
        (
            "order = \"left_to_right\"",
            "order = \"left_to_right\"\nplaces = [\"E2\"]",
            "section.plan[0].places",
            "places are read only with order = \"list\" (this phase has order = \"left_to_right\")",
        ),
        (
            "entries = [1, 5]\nadvance_m = 60\norder = \"list\"\nplaces",
            "entries = [1, 5, 4]\nadvance_m = 60\norder = \"nearest\"\n# places",
            "section.plan[1].advance_m",
            "entry E4 already reached 60 m in phase \"development\": a later phase must take it further",
        ),
        (
            "entries = [2, 3, 4]\nadvance_m = 60\n",
            "entries = [2, 3, 4]\n",
            "section.plan[0]",
            "phase \"development\" has no advance_m, so it would never end and the phases after it would never start: give advance_m (only the last phase may run without one)",
        ),
    ];
    let good = panel(5, TWO_PHASES);
    assert!(refusals(&good).is_empty());
    for (from, to, key, message) in cases {
        assert!(good.contains(from), "{from}");
        let src = good.replacen(from, to, 1);
        let got = refusals(&src);
        assert_eq!(got.len(), 1, "{to}: {got:?}");
        assert!(got[0].starts_with("plan.toml:"), "{}", got[0]);
        assert!(
            got[0].ends_with(&format!(": key `{key}`: {message}")),
            "{to}: {}",
            got[0]
        );
        // The line is the key's own line (the table's for a whole phase).
        let line: usize = got[0]["plan.toml:".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let leaf = key.rsplit('.').next().unwrap();
        let needle = if leaf.starts_with("plan[") {
            "[[section.plan]]".to_string()
        } else {
            leaf.split('[').next().unwrap().to_string()
        };
        assert!(
            src.lines().nth(line - 1).unwrap().contains(&needle),
            "{key} at line {line}: {:?}",
            src.lines().nth(line - 1)
        );
    }
}
