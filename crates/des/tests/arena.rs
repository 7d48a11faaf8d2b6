//! Distributions in Arena notation against Arena's documented moments (closed forms from
//! the appendix "Statistical Distributions" of Rockwell's Arena User's Guide, and Rossetti,
//! Simulation Modeling and Arena, appendix F), a sampled check of each, and the refusals.

use des::Dist;
use manto_des as des;
use serde::{Deserialize, Serialize};

const N: usize = 200_000;

/// Checks `d`'s analytic mean and variance against Arena's closed form to 1e-12 relative,
/// then the sample mean and variance of N draws within 5 standard errors (`excess` is an
/// upper bound on the excess kurtosis, which sets the standard error of the variance).
fn check(text: &str, mean: f64, var: f64, excess: f64) {
    let d = des::arena::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let tol = |x: f64| 1e-12 * x.abs().max(1.0);
    assert!(
        (d.mean() - mean).abs() <= tol(mean),
        "{text} -> {d}: mean {} but Arena's {mean}",
        d.mean()
    );
    assert!(
        (d.variance() - var).abs() <= tol(var),
        "{text} -> {d}: variance {} but Arena's {var}",
        d.variance()
    );
    let mut rng = des::random::stream(7, 2, text.len() as u64);
    let sampler = d.sampler();
    let (mut s1, mut s2) = (0.0, 0.0);
    for _ in 0..N {
        let x = sampler.sample(&mut rng) - mean;
        s1 += x;
        s2 += x * x;
    }
    let n = N as f64;
    let m = s1 / n;
    let v = (s2 - n * m * m) / (n - 1.0);
    assert!(
        m.abs() <= 5.0 * (var / n).sqrt(),
        "{text}: sample mean {}",
        m + mean
    );
    assert!(
        (v - var).abs() <= 5.0 * var * ((2.0 + excess) / n).sqrt(),
        "{text}: sample variance {v} vs {var}"
    );
}

#[test]
fn gamm_is_beta_scale_alpha_shape() {
    // GAMM(Beta, Alpha): mean Alpha Beta, variance Alpha Beta². The study's empty speed.
    let (b, a) = (0.0987, 5.05);
    check(
        "1.86 + GAMM(0.0987, 5.05)",
        1.86 + a * b,
        a * b * b,
        6.0 / a,
    );
    // The swapped reading (shape 0.0987, scale 5.05) has the same mean but a variance
    // 51 times larger: the variance is what pins the convention.
    let d = des::arena::parse("GAMM(0.0987, 5.05)").unwrap();
    assert!((d.variance() - a * b * b).abs() < 1e-12);
    assert!((d.variance() - b * a * a).abs() > 1.0);
}

#[test]
fn erla_is_phase_mean_and_k() {
    // ERLA(ExpoMean, k): mean k ExpoMean, variance k ExpoMean². The study's loading time.
    check(
        "28 + ERLA(3.63, 3)",
        28.0 + 3.0 * 3.63,
        3.0 * 3.63 * 3.63,
        2.0,
    );
    // Not manto's own erlang (mean of the whole sum): ERLA(1.2, 3) has mean 3.6, not 1.2.
    assert!((des::arena::parse("ERLA(1.2, 3)").unwrap().mean() - 3.6).abs() < 1e-12);
}

#[test]
fn tria_unif_expo_norm() {
    // TRIA(a, m, b): mean (a+m+b)/3, variance (a²+m²+b²-am-ab-mb)/18.
    check("TRIA(5, 7, 10)", 22.0 / 3.0, 19.0 / 18.0, 0.0);
    check("UNIF(2, 8)", 5.0, 3.0, 0.0);
    check("EXPO(5)", 5.0, 25.0, 6.0);
    // NORM(797, 87.7) is 9.1 sd above zero: the truncation at zero moves nothing at 1e-12.
    check("NORM(797, 87.7)", 797.0, 87.7 * 87.7, 0.0);
}

#[test]
fn logn_takes_the_moments_of_the_value_itself() {
    // LOGN(LogMean, LogStd): the mean and standard deviation of the lognormal variable.
    // Excess kurtosis w⁴ + 2w³ + 3w² - 6 with w = 1 + 0.4² = 1.16: 2.97.
    check("LOGN(10, 4)", 10.0, 16.0, 3.0);
}

#[test]
fn weib_is_beta_scale_alpha_shape() {
    // WEIB(Beta, Alpha): mean (Beta/Alpha) Γ(1/Alpha), variance
    // (Beta²/Alpha) (2 Γ(2/Alpha) - (1/Alpha) Γ(1/Alpha)²). Beta = 2, Alpha = 1.5:
    // Γ(2/3) = 1.3541179394264004169, Γ(4/3) = 0.89297951156924921122 (mpmath).
    let (b, a) = (2.0f64, 1.5f64);
    let g1 = 1.354_117_939_426_400_4_f64;
    let g2 = 0.892_979_511_569_249_2_f64;
    let mean = b / a * g1;
    let var = b * b / a * (2.0 * g2 - g1 * g1 / a);
    check("WEIB(2, 1.5)", mean, var, 1.5);
}

#[test]
fn beta_and_scaled_beta() {
    // BETA(Beta, Alpha) on [0, 1]: mean Beta / (Beta + Alpha), variance
    // Beta Alpha / ((Beta + Alpha)² (Beta + Alpha + 1)).
    check("BETA(2, 3)", 0.4, 6.0 / (25.0 * 6.0), 0.0);
    // The Input Analyzer's shifted, scaled form a + w BETA: mean -0.5 + 4 × 1.5/4,
    // variance 16 × 1.5 × 2.5 / (16 × 5).
    check("-0.5 + 4 * BETA(1.5, 2.5)", 1.0, 0.75, 0.0);
}

#[test]
fn pois_disc_cont() {
    check("POIS(4)", 4.0, 4.0, 0.25);
    // DISC(0.3,50, 0.75,80, 1.0,100): Arena's own example. Probabilities 0.3, 0.45, 0.25:
    // mean 76, second moment 6130, variance 354.
    check("DISC(0.3,50, 0.75,80, 1.0,100)", 76.0, 354.0, 1.0);
    // CONT(0,1, 0.4,2, 1,5): 0.4 uniform on [1, 2] and 0.6 on [2, 5]: mean 0.6 + 2.1,
    // second moment 0.4 × 7/3 + 0.6 × 39/3.
    let m2 = 0.4 * 7.0 / 3.0 + 0.6 * 39.0 / 3.0;
    check("CONT(0, 1, 0.4, 2, 1.0, 5)", 2.7, m2 - 2.7 * 2.7, 1.0);
    // A first cumulative probability above 0 is a mass at the first value (Arena's rule).
    // Here 0.2 at 1, then 0.8 uniform on [1, 3] (mean 2, second moment (1 + 3 + 9) / 3).
    let m = 0.2 * 1.0 + 0.8 * 2.0;
    let m2 = 0.2 * 1.0 + 0.8 * 13.0 / 3.0;
    check("CONT(0.2, 1, 1, 3)", m, m2 - m * m, 1.0);
}

#[test]
fn offsets_scales_and_names() {
    let d = des::arena::parse("  2*(1 + expo(3)) - 0.5 ").unwrap();
    assert_eq!(d, Dist::exponential(6.0).unwrap().with_offset(1.5).unwrap());
    let d = des::arena::parse("EXPONENTIAL(3) / 2").unwrap();
    assert_eq!(d, Dist::exponential(1.5).unwrap());
    let d = des::arena::parse("TR(1, 2, 4)").unwrap();
    assert_eq!(d, Dist::triangular(1.0, 2.0, 4.0).unwrap());
    assert_eq!(des::arena::parse("3.5").unwrap(), Dist::fixed(3.5).unwrap());
    assert_eq!(
        des::arena::parse("1e1 + UNIF(0, 1)").unwrap(),
        Dist::uniform(0.0, 1.0).unwrap().with_offset(10.0).unwrap()
    );
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Section {
    load_time_s: Dist,
    speed_m_per_s: Dist,
}

#[test]
fn strings_in_toml_and_their_round_trip() {
    let text =
        "load_time_s = \"28 + ERLA(3.63, 3)\"\nspeed_m_per_s = \"1.86 + GAMM(0.0987, 5.05)\"\n";
    let s: Section = des::input::parse(text, "x.toml").unwrap();
    assert_eq!(
        s.load_time_s,
        Dist::erlang(3, 3.0 * 3.63)
            .unwrap()
            .with_offset(28.0)
            .unwrap()
    );
    // Written back as manto's table form, which reads back equal.
    let back: Section = toml::from_str(&toml::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn malformed_strings_name_file_line_key_and_a_hint() {
    let cases: &[(&str, &[&str])] = &[
        (
            "GAMM(0.0987)",
            &["GAMM takes 2 parameter(s) (Beta, Alpha); got 1"],
        ),
        ("EXPO(5, 2)", &["random-number stream", "drop it"]),
        (
            "GAMA(1, 2)",
            &["unknown distribution `GAMA`", "did you mean `GAMM`"],
        ),
        ("ERLA(1.2, 2.5)", &["whole number k >= 1; got 2.5"]),
        (
            "TRIA(1, 5, 4)",
            &["mode (5) must lie between min (1) and max (4)"],
        ),
        ("EXPO(5) + EXPO(3)", &["sum of two distributions"]),
        ("5 - EXPO(3)", &["negated distribution"]),
        ("-1 * EXPO(3)", &["positive number"]),
        ("2 * POIS(3)", &["not a Poisson count"]),
        ("JOHN(1, 2, 3, 4)", &["no manto equivalent"]),
        (
            "DISC(0.3, 1, 0.9, 2)",
            &["last cumulative probability is 0.9"],
        ),
        ("CONT(0, 5, 1, 2)", &["must not decrease"]),
        ("DISC(0.3, 1, 1)", &["pairs"]),
        ("NORM(10, 2", &["expected `)`", "at character 11"]),
        (
            "fast",
            &["unknown distribution `fast`", "28 + ERLA(3.63, 3)"],
        ),
        ("", &["expected a number or a distribution"]),
        ("1 + 2 $", &["unexpected `$`"]),
    ];
    for (expr, needles) in cases {
        let text = format!("# a comment\nload_time_s = \"{expr}\"\nspeed_m_per_s = 1\n");
        let err = des::input::parse::<Section>(&text, "study.toml").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("study.toml:2: key `load_time_s`: "),
            "{expr}: {msg}"
        );
        for needle in *needles {
            assert!(
                msg.contains(needle),
                "{expr}\n gave: {msg}\n lacks: {needle}"
            );
        }
    }
}

#[test]
fn scaled_scales_mean_by_factor_and_variance_by_its_square() {
    let ft = 0.3048;
    for text in [
        "1.86 + GAMM(0.0987, 5.05)",
        "28 + ERLA(3.63, 3)",
        "TRIA(5, 7, 10)",
        "NORM(797, 87.7)",
        "LOGN(10, 4)",
        "WEIB(2, 1.5)",
        "-0.5 + 4 * BETA(1.5, 2.5)",
        "DISC(0.3,50, 0.75,80, 1.0,100)",
        "CONT(0, 1, 0.4, 2, 1.0, 5)",
        "UNIF(2, 8)",
        "EXPO(5)",
    ] {
        let d = des::arena::parse(text).unwrap();
        let s = d.scaled(ft).unwrap();
        assert!(
            (s.mean() - ft * d.mean()).abs() < 1e-12 * d.mean().abs().max(1.0),
            "{text}"
        );
        assert!(
            (s.variance() - ft * ft * d.variance()).abs() < 1e-12 * d.variance().max(1.0),
            "{text}"
        );
    }
}
