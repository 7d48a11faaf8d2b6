//! Risk study speed: iterations of the bundled El Boleo risk study (`boleo-risk`: ten
//! uncertain inputs, three price processes, the mine through the fast path, the finance
//! model with the debt held fixed), on one core and on every core; and the once-per-study
//! preparation (the shift pool and the productivity surface). Run with
//! `cargo bench -p manto-study --bench risk`; the README gives the figures and the
//! 10,000-iteration wall time.

use divan::counter::ItemsCount;
use divan::Bencher;
use manto_study as study;
use study::risk::{iterations, RiskOptions, RiskPlan};
use study::Silent;

fn main() {
    divan::main();
}

const N: u64 = 200;

fn plan() -> RiskPlan {
    let s = study::load(Some("boleo-risk"), &[]).expect("the risk study loads");
    RiskPlan::prepare(&s, RiskOptions::default(), &Silent).expect("prepares")
}

/// 200 iterations on one thread.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn iterations_one_thread(bencher: Bencher) {
    let p = plan();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let idx: Vec<u64> = (0..N).collect();
    bencher
        .counter(ItemsCount::new(N))
        .bench_local(|| pool.install(|| divan::black_box(iterations(&p, &idx, &Silent).unwrap())));
}

/// 200 iterations on every core (rayon's default pool).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn iterations_all_threads(bencher: Bencher) {
    let p = plan();
    let idx: Vec<u64> = (0..N).collect();
    bencher
        .counter(ItemsCount::new(N))
        .bench_local(|| divan::black_box(iterations(&p, &idx, &Silent).unwrap()));
}

/// The once-per-study preparation: design, shift pool, productivity surface, sizing.
#[divan::bench(sample_count = 2, sample_size = 1)]
fn prepare(bencher: Bencher) {
    let s = study::load(Some("boleo-risk"), &[]).expect("the risk study loads");
    bencher.bench_local(|| {
        divan::black_box(RiskPlan::prepare(&s, RiskOptions::default(), &Silent).unwrap())
    });
}
