//! Schedule risk speed: 10,000 Monte Carlo iterations of a 500-activity network (each
//! activity after one to three of the 20 before it, all four relationship types, lags,
//! triangular durations, four drivers over 100 activities each, ten register events), on
//! one thread. Run with `cargo bench -p manto-study --bench build`; docs/build.md gives
//! the figure (target: under 1 s).

use divan::Bencher;
use manto_study as study;
use std::fmt::Write;
use study::Silent;

fn main() {
    divan::main();
}

/// The network as a `[construction]` table: a fixed pseudo-random layout (an LCG), so
/// every run benches the same network.
fn network(n: usize) -> study::build::Model {
    let mut s = String::from("[construction]\nstart_date = \"2007-06-01\"\n");
    let mut x: u64 = 12345;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    for a in 0..n {
        let mode = 10 + next(50);
        writeln!(
            s,
            "[[construction.activities]]\nid = \"A{a}\"\nduration_days = {{ dist = \"triangular\", min = {}, mode = {mode}, max = {} }}\nusd_per_month = 100000",
            mode * 8 / 10,
            mode * 15 / 10
        )
        .unwrap();
    }
    for a in 1..n {
        for _ in 0..1 + next(3) {
            let p = a - 1 - next(a.min(20) as u64) as usize;
            let kind = ["FS", "FS", "SS", "FF", "SF"][next(5) as usize];
            let lag = if kind == "SF" { 30 } else { next(5) };
            writeln!(
                s,
                "[[construction.relationships]]\nfrom = \"A{p}\"\nto = \"A{a}\"\ntype = \"{kind}\"\nlag_days = {lag}"
            )
            .unwrap();
        }
    }
    for d in 0..4 {
        let acts: Vec<String> = (0..100)
            .map(|k| format!("\"A{}\"", (d * 100 + k * 3) % n))
            .collect();
        writeln!(
            s,
            "[[construction.drivers]]\nname = \"d{d}\"\nfactor = {{ dist = \"triangular\", min = 0.9, mode = 1.0, max = 1.4 }}\nactivities = [{}]",
            acts.join(", ")
        )
        .unwrap();
    }
    for e in 0..10 {
        writeln!(
            s,
            "[[construction.risks]]\nname = \"e{e}\"\nprobability = 0.2\nactivities = [\"A{}\"]\nadd_days = {{ dist = \"triangular\", min = 5, mode = 10, max = 30 }}",
            e * 47 % n
        )
        .unwrap();
    }
    #[derive(serde::Deserialize)]
    struct Doc {
        construction: study::build::ConstructionConfig,
    }
    let d: Doc = toml::from_str(&s).expect("bench network parses");
    assert!(d.construction.validate().is_empty());
    study::build::Model::new(&d.construction, None).expect("bench network builds")
}

/// 10,000 iterations of the 500-activity network on one thread.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn ten_thousand_iterations_500_activities_one_thread(bencher: Bencher) {
    let m = network(500);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    bencher.bench_local(|| pool.install(|| study::build::run(&m, 1, 10_000, &Silent)));
}
