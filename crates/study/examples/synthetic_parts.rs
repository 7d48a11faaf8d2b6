//! Synthetic partial results, to measure merging at scale without simulating (the figures
//! in docs/cluster.md).
//!
//! ```sh
//! # 10,000 section replications (1 day each) in 10 parts, merged by the real command:
//! cargo run --release -p manto-study --example synthetic_parts -- section 10000 10 /tmp/sec
//! time target/release/manto merge /tmp/sec/part-*.json --json /dev/null > /dev/null
//! # 10^6 risk iterations (boleo-risk) in 100 parts, merged by the real command:
//! cargo run --release -p manto-study --example synthetic_parts -- risk 1000000 100 /tmp/risk
//! time target/release/manto merge /tmp/risk/part-*.json --json /dev/null > /dev/null
//! # 10^6 small per-index records (a risk iteration's size) in 100 parts, merged by the
//! # library (read, check, put in index order, summarise):
//! cargo run --release -p manto-study --example synthetic_parts -- iterations 1000000 100 /tmp/it
//! time target/release/examples/synthetic_parts merge /tmp/it/part-*.json
//! ```
//!
//! `section`, `schedule` (25-year trials) and `risk` (the bundled `boleo-risk` on the fast
//! path) parts carry copies of one real replication, trial or iteration under every index
//! (renumbered: the merge checks a record's shape and index, not its values), in a real scenario with `simulation.replications` = the
//! total, so `manto merge` accepts them. `iterations` parts carry [`Iteration`] records
//! of the size a Monte Carlo iteration's result will have (an index and eight numbers).

use manto_study as study;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;
use study::shard::{self, Partial, Shard};
use study::{Override, Silent};

/// Its index is its place.
impl shard::Record for Iteration {
    fn shape_error(&self, index: u64, _: &study::Scenario, _: &Self) -> Option<String> {
        (self.index != index).then(|| format!("index {} where {index} belongs", self.index))
    }
}

/// A small per-index record: what one risk iteration might keep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Iteration {
    index: u64,
    npv_usd: [f64; 3],
    irr_pct: Option<f64>,
    min_dscr: Option<f64>,
    copper_price_usd_per_lb: f64,
    capex_factor: f64,
    plant_feed_dry_t: f64,
}

fn iteration(i: u64) -> Iteration {
    // Deterministic, full-precision values (a cheap hash of the index).
    let x = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64;
    Iteration {
        index: i,
        npv_usd: [4.0e8 * (0.5 + x), 3.0e8 * (0.4 + x), 2.0e8 * (0.3 + x)],
        irr_pct: Some(10.0 + 20.0 * x),
        min_dscr: (x > 0.01).then_some(1.0 + x),
        copper_price_usd_per_lb: 1.5 * (0.7 + 0.6 * x),
        capex_factor: 1.0 + 0.3 * x,
        plant_feed_dry_t: 7.2e7 * (0.95 + 0.1 * x),
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: synthetic_parts section|schedule|risk|iterations TOTAL PARTS DIR\n       synthetic_parts merge PART..."
    );
    std::process::exit(2)
}

fn write_parts<R: Serialize + serde::de::DeserializeOwned>(
    command: &str,
    text: &str,
    seed: u64,
    total: u64,
    n: u32,
    dir: &Path,
    record: impl Fn(u64) -> R,
) {
    write_parts_with(command, text, "{}", seed, total, n, dir, record)
}

#[allow(clippy::too_many_arguments)]
fn write_parts_with<R: Serialize + serde::de::DeserializeOwned>(
    command: &str,
    text: &str,
    options: &str,
    seed: u64,
    total: u64,
    n: u32,
    dir: &Path,
    record: impl Fn(u64) -> R,
) {
    std::fs::create_dir_all(dir).expect("create DIR");
    let mut bytes_total = 0usize;
    for k in 0..n {
        let shard = Shard::new(k, n).expect("valid shard");
        let records = shard.indices(total).into_iter().map(&record).collect();
        let bytes = Partial::with_options(command, text, options, seed, shard, total, records)
            .to_json()
            .expect("serialisable");
        bytes_total += bytes.len();
        std::fs::write(dir.join(format!("part-{k}.json")), bytes).expect("write part");
    }
    eprintln!(
        "{n} parts, {total} indices, {bytes_total} bytes ({:.1} kB per 1,000 indices with the scenario text, {} bytes of scenario per part)",
        bytes_total as f64 / total as f64,
        text.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some(kind @ ("section" | "schedule" | "risk" | "iterations")) if args.len() == 4 => {
            let total: u64 = args[1].parse().unwrap_or_else(|_| usage());
            let n: u32 = args[2].parse().unwrap_or_else(|_| usage());
            let dir = Path::new(&args[3]);
            if kind == "section" {
                let ov: Vec<Override> = [
                    format!("simulation.replications={total}"),
                    "simulation.days=1".into(),
                ]
                .iter()
                .map(|s| Override::parse_set(s).expect("override"))
                .collect();
                let text = study::text(None, &ov).expect("scenario");
                let s = study::parse(&text, "synthetic").expect("scenario");
                let one = study::section_replications(&s, &[0], &Silent).remove(0);
                write_parts("section", &text, s.simulation.seed, total, n, dir, |_| {
                    one.clone()
                });
            } else if kind == "risk" {
                let ov =
                    [Override::parse_set(&format!("risk.iterations={total}")).expect("override")];
                let text = study::text(Some("boleo-risk"), &ov).expect("scenario");
                let s = study::parse(&text, "synthetic").expect("scenario");
                let opts = study::risk::RiskOptions { exact: false };
                let plan = study::risk::RiskPlan::prepare(&s, opts, &Silent).expect("plan");
                let one = study::risk::iterations(&plan, &[0], &Silent)
                    .expect("iteration")
                    .remove(0);
                let options = "{\"exact\":false}";
                write_parts_with(
                    "risk",
                    &text,
                    options,
                    s.simulation.seed,
                    total,
                    n,
                    dir,
                    |i| {
                        let mut r = one.clone();
                        r.iteration = i;
                        r
                    },
                );
            } else if kind == "schedule" {
                let ov = [
                    Override::parse_set(&format!("schedule.replications={total}"))
                        .expect("override"),
                ];
                let text = study::text(None, &ov).expect("scenario");
                let s = study::parse(&text, "synthetic").expect("scenario");
                let one = study::schedule_trials_for(&s, &[0], &Silent).remove(0);
                write_parts("schedule", &text, s.simulation.seed, total, n, dir, |i| {
                    let mut t = one.clone();
                    t.trial = i;
                    t
                });
            } else {
                // The default scenario: merging parses it, as a real study's.
                let text = study::text(None, &[]).expect("scenario");
                write_parts("synthetic", &text, 0, total, n, dir, iteration);
            }
        }
        Some("merge") if args.len() > 1 => {
            let t0 = Instant::now();
            let mut parts = Vec::new();
            for p in &args[1..] {
                let bytes = shard::read_part(Path::new(p)).expect("readable part");
                let part: Partial<Iteration> = shard::parse(p, &bytes).expect("a part");
                parts.push((p.clone(), part));
            }
            let t1 = Instant::now();
            let m = shard::merge(parts).unwrap_or_else(|e| {
                eprintln!("error: {e}");
                std::process::exit(2)
            });
            let mean = m.records.iter().map(|r| r.npv_usd[0]).sum::<f64>() / m.records.len() as f64;
            let ordered = m
                .records
                .iter()
                .enumerate()
                .all(|(i, r)| r.index == i as u64);
            println!(
                "{} records in index order: {ordered}; mean NPV {mean:.6e}; read+parse {:.2} s, check+order+mean {:.2} s",
                m.records.len(),
                (t1 - t0).as_secs_f64(),
                t1.elapsed().as_secs_f64()
            );
        }
        _ => usage(),
    }
}
