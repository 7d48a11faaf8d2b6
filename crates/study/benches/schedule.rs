//! Life-of-mine schedule speed: one trial of the bundled 25-year El Boleo schedule (six
//! sections, panel after panel, open pit, stockpile, plant) on one core, counted in section
//! DES events. Run with `cargo bench -p manto-study --bench schedule`.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_study as study;

fn main() {
    divan::main();
}

/// The whole default life of mine, one trial, in a one-thread rayon pool.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn boleo_life_of_mine(bencher: Bencher) {
    let s = study::load(None, &[]).expect("the default scenario loads");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    let once = || pool.install(|| study::schedule_trial(&s, 2007, 0));
    let events = once().events;
    bencher
        .counter(ItemsCount::new(events))
        .bench_local(|| divan::black_box(once()));
}
