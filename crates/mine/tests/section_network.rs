//! Haul-road networks: a single-lane road with two units against a cycle worked out by
//! hand, a network of one link against the fixed-distance haul (byte for byte), many
//! units on a network of single-lane roads and passing points running without deadlock,
//! a random speed per trip against its closed-form mean, and bad networks refused at
//! file, line and key.

use manto_mine as mine;

use mine::calendar::CalendarConfig;
use mine::section::{simulate, simulate_traced, RunSpec, SectionConfig, State};

/// One entry, fixed times: a load of 12 t at 6 t/min takes 2 min, 100 m at 100 m/min
/// takes 1 min each way, a dump of 12 t at 720 t/h takes 1 min; a cut is 84 t (7 loads).
fn base(cars: u32, haul: &str) -> String {
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

[section.bolters]
count = 1
booms = 1
bolts_per_row = 4
row_spacing_m = 1.0
drill_time_min = 0.5
install_time_min = 0.5
place_change_min = 0
tram_speed_m_per_min = 10

[section.haulage]
kind = "battery_hauler"
count = {cars}
payload_t = 12
loaded_speed_m_per_min = 100
empty_speed_m_per_min = 100
change_out_s = 0
dump_time_s = 0
{haul}

[section.feeder]
capacity_t_per_h = 720
setback_m = 10
move_every_m = 0
move_h = 0

[section.belt]
capacity_t_per_h = 1000000
"#
    )
}

const ONE_LINK: &str = r#"
[section.network]
nodes = [
  { name = "face", kind = "face" },
  { name = "feeder", kind = "feeder" },
]
links = [
  { from = "face", to = "feeder", length_m = 100, single_lane = SINGLE },
]
"#;

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

fn refusals(src: &str) -> Vec<String> {
    let cfg = toml::from_str::<Doc>(src).expect("parses").section;
    let problems = cfg.validate("section");
    des::input::locate_all(src, "net.toml", &problems)
        .iter()
        .map(|e| e.to_string())
        .collect()
}

fn calendar() -> CalendarConfig {
    toml::from_str(
        "shift_length_h = 8\nshifts = [\"production\", \"production\", \"production\"]\ndays_per_week = 7\n\
         travel_in_min = 0\nmeal_break_min = 0\ntravel_out_min = 0\n",
    )
    .unwrap()
}

fn spec(days: u32, rep: u64) -> RunSpec {
    RunSpec {
        days,
        warmup_days: 0,
        streams: des::StreamKey::root(11).child(rep),
        check_invariants: true,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

/// The spells of `machine` in `state` that start before `until_min`, in minutes.
fn spells(
    trace: &[mine::section::TraceSegment],
    machine: usize,
    state: State,
    until_min: f64,
) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = trace
        .iter()
        .filter(|s| s.machine == machine && s.state == state && s.start.as_min() < until_min)
        .map(|s| (s.start.as_min(), s.end.as_min()))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

#[test]
fn a_single_lane_road_with_two_units_reproduces_the_hand_cycle() {
    // By hand, units A and B on a 100 m single-lane road (one unit at a time, no passing):
    //   A loads 0-2, hauls 2-3, dumps 3-4; B loads 2-4 and takes the road at 4 (its load
    //   finished first at 4: it was scheduled first), so A waits at the feeder 4-5,
    //   travels 5-6 and loads 6-8. B dumps 5-6, travels 6-7 and waits at the miner 7-8,
    //   loads 8-10. Then the pattern repeats every 6 min: A waits for the road 10-11 and
    //   16-17, B waits at the miner 13-14; loads at 0, 2, 6, 8, 12, 14, 18: the cut's 7th
    //   load ends at 20 min (on a two-lane road: 17 min).
    let cfg = parse(&base(2, &ONE_LINK.replace("SINGLE", "true")));
    let (r, trace) = simulate_traced(&cfg, &calendar(), spec(1, 0));
    let (cm, a, b) = (0, 2, 3);
    assert_eq!(r.machines[a].name, "Battery hauler 1");
    assert_eq!(
        spells(&trace, cm, State::Working, 20.0),
        [
            (0.0, 2.0),
            (2.0, 4.0),
            (6.0, 8.0),
            (8.0, 10.0),
            (12.0, 14.0),
            (14.0, 16.0),
            (18.0, 20.0)
        ]
    );
    assert_eq!(
        spells(&trace, a, State::WaitingForMiner, 20.0),
        [(4.0, 5.0), (10.0, 11.0), (16.0, 17.0)]
    );
    assert_eq!(
        spells(&trace, b, State::WaitingForMiner, 20.0),
        [(0.0, 2.0), (7.0, 8.0), (13.0, 14.0), (19.0, 36.0)]
    );
    // (B queues behind A at the start, and from 19 min while the cut's last place is
    // bolted: 4 rows x 4 bolts x 1 min = 16 min after the cut ends at 20.)
    // The waits for the road are booked as such in the haul cycle.
    let wait_road = mine::section::LEGS
        .iter()
        .position(|&l| l == "wait_for_road")
        .unwrap();
    assert!(r.haul_cycles[0].leg_ms[wait_road] > 0);
    // On a two-lane road nobody waits for the road and the cut ends at 17 min.
    let cfg2 = parse(&base(2, &ONE_LINK.replace("SINGLE", "false")));
    let (r2, trace2) = simulate_traced(&cfg2, &calendar(), spec(1, 0));
    let w = spells(&trace2, cm, State::Working, 17.0);
    assert_eq!(w.last(), Some(&(15.0, 17.0)));
    assert!(r2.haul_cycles.iter().all(|h| h.leg_ms[wait_road] == 0));
}

#[test]
fn a_network_of_one_link_equals_the_fixed_haul_byte_for_byte() {
    // Random times and breakdowns, a battery change: the same draws in the same order.
    let random = |src: String| {
        src.replace(
            "cutting_rate_t_per_min = 6",
            "cutting_rate_t_per_min = { dist = \"triangular\", min = 4, mode = 6, max = 9 }",
        )
        .replace(
            "change_out_s = 0",
            "change_out_s = { dist = \"uniform\", min = 10, max = 40 }\nbattery_change_every_h = 4\nbattery_change_min = 15",
        )
        .replace(
            "\n[section.feeder]",
            "\n[[section.haulage.failures]]\nname = \"general\"\ntbf_h = { dist = \"exponential\", mean = 10 }\nttr_h = { dist = \"exponential\", mean = 0.5 }\n\n[section.feeder]",
        )
    };
    for cars in [1, 3] {
        let fixed = parse(&random(base(cars, "fixed_haul_m = 100")));
        // Two-lane: the same as the fixed haul whatever the number of units.
        let net = parse(&random(base(cars, &ONE_LINK.replace("SINGLE", "false"))));
        for rep in 0..3 {
            let a = simulate(&fixed, &calendar(), spec(5, rep));
            let mut b = simulate(&net, &calendar(), spec(5, rep));
            // (The one difference: the flag that asks the report for the haul cycles.)
            assert!(b.detail && !a.detail);
            b.detail = false;
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap(),
                "{cars} units, replication {rep}"
            );
        }
    }
    // One unit on a single-lane road never waits for it: the same again.
    let fixed = parse(&random(base(1, "fixed_haul_m = 100")));
    let net = parse(&random(base(1, &ONE_LINK.replace("SINGLE", "true"))));
    let a = simulate(&fixed, &calendar(), spec(5, 0));
    let mut b = simulate(&net, &calendar(), spec(5, 0));
    b.detail = false;
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

/// Five entries served by two face nodes, single-lane roads through points and passing
/// points, a battery station on a single-lane spur.
const MANY: &str = r#"
[section.network]
nodes = [
  { name = "west face", kind = "face", entries = [1, 2] },
  { name = "east face", kind = "face", entries = [3, 4, 5] },
  { name = "bend", kind = "point" },
  { name = "p1", kind = "passing" },
  { name = "p2", kind = "passing" },
  { name = "feeder", kind = "feeder" },
  { name = "station", kind = "station" },
]
links = [
  { from = "west face", to = "bend", length_m = 40, single_lane = true },
  { from = "bend", to = "p1", length_m = 30, single_lane = true },
  { from = "east face", to = "p1", length_m = 60, single_lane = true },
  { from = "p1", to = "p2", length_m = 80, single_lane = true, loaded_speed_m_per_min = { dist = "uniform", min = 60, max = 120 } },
  { from = "p2", to = "feeder", length_m = 50, single_lane = true },
  { from = "p2", to = "station", length_m = 25, single_lane = true },
]
"#;

#[test]
fn many_units_on_single_lane_roads_never_deadlock() {
    let src = base(20, MANY)
        .replace("entries = 1\n", "entries = 5\n")
        .replace(
            "empty_speed_m_per_min = 100",
            "empty_speed_m_per_min = { dist = \"triangular\", min = 80, mode = 100, max = 140 }\nbattery_change_every_h = 2\nbattery_change_min = 10",
        )
        .replace("payload_t = 12", "payload_t = 3");
    let cfg = parse(&src);
    for rep in 0..3 {
        let r = simulate(&cfg, &calendar(), spec(10, rep));
        // Ore keeps reaching the feeder to the last shift, and every unit keeps cycling
        // (a deadlock would freeze the units on the road and stop production).
        assert_eq!(r.shifts.len(), 30);
        for (k, s) in r.shifts.iter().enumerate().skip(27) {
            assert!(s.loads > 0, "replication {rep}: shift {k} dumped nothing");
        }
        for h in &r.haul_cycles {
            assert!(h.trips > 50, "{}: {} trips", h.name, h.trips);
        }
        assert!((r.mass.cut_wet_t - r.mass.dumped_wet_t - r.mass.in_cars_wet_t).abs() < 1e-6);
        // Units queue for the single-lane roads.
        let wait_road = mine::section::LEGS
            .iter()
            .position(|&l| l == "wait_for_road")
            .unwrap();
        let battery = mine::section::LEGS
            .iter()
            .position(|&l| l == "battery")
            .unwrap();
        assert!(r.haul_cycles.iter().any(|h| h.leg_ms[wait_road] > 0));
        assert!(r.haul_cycles.iter().all(|h| h.leg_ms[battery] > 0));
    }
}

#[test]
fn a_random_speed_per_trip_gives_the_closed_form_mean_haul() {
    // One unit, loaded speed uniform on [50, 150] m/min drawn per trip over 100 m: the
    // mean haul takes 100 x E[1/v] = 100 x ln(150/50) / 100 = 1.0986 min.
    let src = base(1, "fixed_haul_m = 100").replace(
        "loaded_speed_m_per_min = 100",
        "loaded_speed_m_per_min = { dist = \"uniform\", min = 50, max = 150 }",
    );
    let cfg = parse(&src);
    let r = simulate(&cfg, &calendar(), spec(60, 0));
    let h = &r.haul_cycles[0];
    let haul_min = h.leg_ms[1] as f64 / 60_000.0 / f64::from(h.trips);
    let expect = 3f64.ln();
    assert!(h.trips > 5_000, "{}", h.trips);
    assert!(
        (haul_min - expect).abs() < 0.01 * expect,
        "{haul_min} vs {expect}"
    );
    // A speed that may be drawn as zero is refused.
    let bad = base(1, "fixed_haul_m = 100").replace(
        "loaded_speed_m_per_min = 100",
        "loaded_speed_m_per_min = { dist = \"uniform\", min = 0, max = 150 }",
    );
    let e = refusals(&bad);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains(
            "key `section.haulage.loaded_speed_m_per_min`: every sampled speed must be above zero"
        ),
        "{}",
        e[0]
    );
}

#[test]
fn bad_networks_are_refused_at_file_line_and_key() {
    let good = base(20, MANY)
        .replace("entries = 1\n", "entries = 5\n")
        .replace(
            "dump_time_s = 0",
            "dump_time_s = 0\nbattery_change_every_h = 2\nbattery_change_min = 10",
        );
    assert!(refusals(&good).is_empty(), "{:?}", refusals(&good));
    let line = |src: &str, needle: &str| src[..src.find(needle).unwrap()].matches('\n').count() + 1;
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "{ from = \"p2\", to = \"feeder\"",
            "{ from = \"p2\", to = \"feedr\"",
            "to = \"feedr\"",
            "section.network.links[4].to",
            "no node is named \"feedr\" (did you mean \"feeder\"?)",
        ),
        (
            "{ from = \"bend\", to = \"p1\", length_m = 30, single_lane = true }",
            "{ from = \"bend\", to = \"p1\", length_m = 30, single_lane = false }",
            "{ name = \"bend\"",
            "section.network.nodes[2].kind",
            "point \"bend\" must join exactly two single-lane links (it joins 2 links, 1 single-lane): where roads meet or units must wait, use kind = \"passing\"",
        ),
        (
            "length_m = 25",
            "length_m = 0",
            "length_m = 0",
            "section.network.links[5].length_m",
            "link length 0 m is outside the plausible 0.1 to 10,000 m",
        ),
        (
            "entries = [3, 4, 5]",
            "entries = [3, 4]",
            "nodes = [",
            "section.network.nodes",
            "entry 5 is served by 0 face nodes: each entry needs exactly one",
        ),
        (
            "battery_change_every_h = 2",
            "battery_change_every_h = 0",
            "nodes = [",
            "section.network.nodes",
            "a station is for battery changes, and the haulers have none (haulage.battery_change_every_h = 0)",
        ),
        (
            "dump_time_s = 0",
            "dump_time_s = 0\nfixed_haul_m = 100",
            "fixed_haul_m = 100",
            "section.haulage.fixed_haul_m",
            "a fixed haul and a haul-road network cannot both be given: the network's routes set the haul",
        ),
        (
            "{ from = \"p2\", to = \"feeder\", length_m = 50, single_lane = true },",
            "",
            "links = [",
            "section.network.links",
            "face \"west face\" has no road to the feeder",
        ),
    ];
    for (from, to, at, key, message) in cases {
        assert!(good.contains(from), "{from}");
        let src = good.replacen(from, to, 1);
        let got = refusals(&src);
        assert!(!got.is_empty(), "{to}: accepted");
        let want = format!("net.toml:{}: key `{key}`: {message}", line(&src, at));
        assert_eq!(got[0], want, "{to}");
    }
}
