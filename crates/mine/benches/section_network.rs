//! Section model speed with a drawn panel: one simulated section-year of a 21-entry panel
//! worked by a plan (development of the seven central entries centre out, then rooms
//! from both flanks left to right, then the whole panel nearest first) with four battery
//! haulers on a 50-link haul-road network (21 single-lane spurs, a main road with passing
//! points, single-lane stretches, points and a battery station), counted in events. Run
//! with `cargo bench -p manto-mine --bench section_network`.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_mine as mine;
use mine::calendar::CalendarConfig;
use mine::section::{simulate, RunSpec, SectionConfig};

fn main() {
    divan::main();
}

/// The 21-entry, 50-link section.
pub fn section() -> SectionConfig {
    let mut nodes = vec![
        "{ name = \"feeder\", kind = \"feeder\" }".to_string(),
        "{ name = \"station\", kind = \"station\" }".to_string(),
    ];
    let mut links = vec![
        // The station spur (1 link).
        "{ from = \"m1\", to = \"station\", length_m = 30, single_lane = true }".to_string(),
    ];
    // The main road m1..m28 from the feeder (28 links): passing points where a spur
    // joins, points between them on single-lane stretches.
    for k in 1..=28 {
        let spur = k % 4 != 3;
        let kind = if spur || k == 1 { "passing" } else { "point" };
        nodes.push(format!("{{ name = \"m{k}\", kind = \"{kind}\" }}"));
        let from = if k == 1 {
            "feeder".to_string()
        } else {
            format!("m{}", k - 1)
        };
        // Stretches next to a point are single lane; the rest two-lane.
        let single = k % 4 == 3 || k % 4 == 0;
        links.push(format!(
            "{{ from = \"{from}\", to = \"m{k}\", length_m = 25, single_lane = {single}, loaded_speed_m_per_min = {{ dist = \"triangular\", min = 70, mode = 90, max = 110 }} }}"
        ));
    }
    // 21 faces, one per entry, each on a single-lane spur to a passing point (21 links).
    let spurs: Vec<usize> = (1..=28).filter(|k| k % 4 != 3).collect();
    for e in 1..=21 {
        nodes.push(format!(
            "{{ name = \"face{e}\", kind = \"face\", entries = [{e}] }}"
        ));
        links.push(format!(
            "{{ from = \"face{e}\", to = \"m{}\", length_m = 40, single_lane = true }}",
            spurs[e - 1]
        ));
    }
    assert_eq!(links.len(), 50);
    let src = format!(
        r#"
[geometry]
entries = 21
entry_width_m = 6.0
max_span_m = 6.5
seam_height_m = 2.0
cut_depth_m = 6.0
max_cut_depth_m = 6.0
pillar_centres_m = 24
crosscut_centres_m = 24
insitu_density_wet_t_per_m3 = 1.4
moisture_pct = 8
max_entry_lead_m = 30

[miner]
cutting_rate_t_per_min = {{ dist = "triangular", min = 8, mode = 12, max = 15 }}
tram_speed_m_per_min = 15
move_time_min = {{ dist = "triangular", min = 2, mode = 3, max = 6 }}
place_change_min = {{ dist = "triangular", min = 2, mode = 4, max = 8 }}

[[miner.failures]]
name = "general"
tbf_h = {{ dist = "exponential", mean = 25 }}
ttr_h = {{ dist = "lognormal", mean = 1.0, sd = 0.8 }}

[bolters]
count = 2
booms = 2
bolts_per_row = 5
row_spacing_m = 1.2
drill_time_min = {{ dist = "triangular", min = 0.8, mode = 1.0, max = 1.6 }}
install_time_min = {{ dist = "triangular", min = 0.5, mode = 0.7, max = 1.0 }}
place_change_min = {{ dist = "triangular", min = 2, mode = 3, max = 6 }}
tram_speed_m_per_min = 15

[haulage]
kind = "battery_hauler"
count = 4
payload_t = 10
loaded_speed_m_per_min = {{ dist = "uniform", min = 80, max = 110 }}
empty_speed_m_per_min = {{ dist = "uniform", min = 100, max = 140 }}
change_out_s = {{ dist = "triangular", min = 15, mode = 25, max = 45 }}
dump_time_s = {{ dist = "triangular", min = 10, mode = 20, max = 40 }}
battery_change_every_h = 4
battery_change_min = 15

[[haulage.failures]]
name = "general"
tbf_h = {{ dist = "exponential", mean = 50 }}
ttr_h = {{ dist = "lognormal", mean = 0.5, sd = 0.4 }}

[feeder]
capacity_t_per_h = 900
setback_m = 15
move_every_m = 0
move_h = 0

[belt]
capacity_t_per_h = 1200

[[plan]]
name = "development"
entries = [8, 9, 10, 11, 12, 13, 14]
advance_m = 240
order = "centre_out"

[[plan]]
name = "rooms"
entries = [1, 2, 3, 4, 5, 6, 7, 15, 16, 17, 18, 19, 20, 21]
advance_m = 240
order = "left_to_right"

[[plan]]
name = "panel"
order = "nearest"

[network]
nodes = [
{}
]
links = [
{}
]
"#,
        nodes.join(",\n"),
        links.join(",\n")
    );
    let cfg: SectionConfig = toml::from_str(&src).expect("bench section parses");
    let problems = cfg.validate("section");
    assert!(problems.is_empty(), "{problems:?}");
    cfg
}

fn calendar() -> CalendarConfig {
    toml::from_str(
        "shift_length_h = 8\nshifts = [\"production\", \"production\", \"maintenance\"]\ndays_per_week = 7\n\
         travel_in_min = 30\nmeal_break_min = 30\ntravel_out_min = 30\n",
    )
    .expect("calendar parses")
}

fn spec() -> RunSpec {
    RunSpec {
        days: 365,
        warmup_days: 0,
        streams: des::StreamKey::root(1).child(0),
        check_invariants: false,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

#[divan::bench]
fn section_year_21_entries_50_links(bencher: Bencher) {
    let cfg = section();
    let cal = calendar();
    let events = simulate(&cfg, &cal, spec()).events;
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| divan::black_box(simulate(&cfg, &cal, spec())));
}
