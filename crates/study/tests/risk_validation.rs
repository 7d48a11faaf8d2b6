//! The risk study's fast path against the full DES: at three points of the mine inputs
//! (the base, a slow section, a thin seam with slower bolting), the life of mine composed
//! from the shift pool with the DES-probed productivity factor gives the annual plant feed
//! of the full DES life of mine within 2% in every year, and NPV8 within the Monte Carlo
//! error. Run with `--nocapture` to see the table (docs/risk.md quotes it).

use manto_study::risk::{IterationRecord, RiskOptions, RiskPlan};
use manto_study::{load, Silent};

const TRIALS: u64 = 2;

fn mean_by_year(recs: &[IterationRecord], f: fn(&IterationRecord) -> &Vec<f64>) -> Vec<f64> {
    let n = f(&recs[0]).len();
    (0..n)
        .map(|k| recs.iter().map(|r| f(r)[k]).sum::<f64>() / recs.len() as f64)
        .collect()
}

#[test]
fn fast_path_matches_the_full_des_at_three_input_points() {
    let s = load(Some("boleo-risk"), &[]).unwrap();
    let fast = RiskPlan::prepare(&s, RiskOptions { exact: false }, &Silent).unwrap();
    let exact = RiskPlan::prepare(&s, RiskOptions { exact: true }, &Silent).unwrap();
    let names: Vec<&str> = s
        .risk
        .as_ref()
        .unwrap()
        .inputs
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    let at = |edits: &[(&str, f64)]| {
        let mut v = fast.base_values().to_vec();
        for (name, x) in edits {
            v[names.iter().position(|n| n == name).unwrap()] = *x;
        }
        v
    };
    let points = [
        ("base inputs", at(&[])),
        (
            "slow section",
            at(&[
                ("bolt install time", 1.5),
                ("miner time between failures", 0.6),
                ("cutting rate", 0.85),
            ]),
        ),
        (
            "thin seam, slower bolting",
            at(&[("manto 3 seam height", -0.4), ("bolt install time", 1.25)]),
        ),
    ];
    let npv = fast.outputs().iter().position(|o| o == "npv8_usd").unwrap();
    let mut worst = 0.0f64;
    for (label, values) in &points {
        let run = |plan: &RiskPlan| -> Vec<IterationRecord> {
            (0..TRIALS)
                .map(|k| plan.evaluate_at(values, k).unwrap())
                .collect()
        };
        let (f, e) = (run(&fast), run(&exact));
        let (ff, ef) = (
            mean_by_year(&f, |r| &r.feed_dry_t),
            mean_by_year(&e, |r| &r.feed_dry_t),
        );
        println!(
            "{label}: productivity factor {:.3}",
            f[0].outputs[fast.outputs().len() - 1]
        );
        println!("  year  fast kt  full DES kt  diff %");
        for (k, (a, b)) in ff.iter().zip(&ef).enumerate() {
            if *b > 0.0 {
                let d = 100.0 * (a - b) / b;
                worst = worst.max(d.abs());
                println!(
                    "  {}  {:8.0}  {:11.0}  {:6.2}",
                    f[0].first_year + k as i32,
                    a / 1e3,
                    b / 1e3,
                    d
                );
                assert!(
                    d.abs() <= 2.0,
                    "{label}: year {} feed differs by {d:.2}%",
                    f[0].first_year + k as i32
                );
            }
        }
        let nf = f.iter().map(|r| r.outputs[npv]).sum::<f64>() / f.len() as f64;
        let ne = e.iter().map(|r| r.outputs[npv]).sum::<f64>() / e.len() as f64;
        // The Monte Carlo error of a 2,000-iteration study's mean NPV8 (sd about US$200M):
        // 1.96 x 200 / sqrt(2000) = US$8.8M.
        println!(
            "  NPV8: fast {:.1}  full DES {:.1}  US$M",
            nf / 1e6,
            ne / 1e6
        );
        assert!(
            (nf - ne).abs() < 8.8e6,
            "{label}: NPV8 fast {nf} vs full {ne}"
        );
    }
    println!("largest annual feed difference: {worst:.2}%");
}
