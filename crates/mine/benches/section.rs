//! Section model speed: one simulated year of the bundled El Boleo section (trial-2 and
//! trial-1), counted in events. Run with `cargo bench -p manto-mine`.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_mine::calendar::CalendarConfig;
use manto_mine::section::{simulate, RunSpec, SectionConfig};
use serde::Deserialize;

fn main() {
    divan::main();
}

#[derive(Deserialize)]
struct Part {
    calendar: CalendarConfig,
    section: SectionConfig,
}

fn load(src: &str) -> Part {
    toml::from_str(src).expect("bundled scenario parses")
}

fn spec(days: u32) -> RunSpec {
    RunSpec {
        days,
        warmup_days: 0,
        streams: des::StreamKey::root(1).child(0),
        check_invariants: false,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

#[divan::bench(args = ["boleo", "boleo-trial1"])]
fn one_year(bencher: Bencher, name: &str) {
    let src = match name {
        "boleo" => include_str!("../../../scenarios/boleo.toml"),
        _ => include_str!("../../../scenarios/boleo-trial1.toml"),
    };
    let p = load(src);
    let events = simulate(&p.section, &p.calendar, spec(365)).events;
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| divan::black_box(simulate(&p.section, &p.calendar, spec(365))));
}
