//! Section model speed: one simulated year of the bundled El Boleo section (trial-2 and
//! trial-1), counted in events, the scenarios loaded through the study library. Run with
//! `cargo bench -p manto-study --bench section`.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_study as study;
use mine::section::{simulate, RunSpec};

fn main() {
    divan::main();
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
    let s = study::load(Some(name), &[]).expect("bundled scenario loads");
    let events = simulate(&s.section, &s.calendar, spec(365)).events;
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| divan::black_box(simulate(&s.section, &s.calendar, spec(365))));
}
