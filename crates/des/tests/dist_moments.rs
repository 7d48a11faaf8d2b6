//! Input distributions against hand-computed answers: sample moments and analytic moments,
//! TOML forms and their error messages, bounds and determinism.

use des::Dist;
use des::{DistError, DistKind};
use manto_des as des;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

const N: usize = 200_000;

/// Draws `N` samples from stream `(1, 0, k)` and checks the sample mean and variance against
/// the hand values `mean`, `var`; `excess` is the (hand) excess kurtosis, which sets the
/// standard error of the sample variance.
///
/// Tolerances are 5 standard errors of each estimator: sd(mean) = sigma / sqrt(N) and
/// sd(sample variance) = sigma² sqrt((2 + excess) / N), i.e. sqrt((mu4 - sigma⁴) / N). The
/// chance that a correct sampler fails is below 1e-6 per check; the seeds are fixed anyway.
/// Also checks that `Dist::mean()` and `Dist::variance()` give the hand values to 1e-9.
fn check(d: &Dist, k: u64, mean: f64, var: f64, excess: f64) {
    assert!(
        (d.mean() - mean).abs() <= 1e-9 * mean.abs().max(1.0),
        "{d}: mean() = {} but by hand {mean}",
        d.mean()
    );
    assert!(
        (d.variance() - var).abs() <= 1e-9 * var.abs().max(1.0),
        "{d}: variance() = {} but by hand {var}",
        d.variance()
    );
    let mut rng = des::random::stream(1, 0, k);
    let sampler = d.sampler();
    let (mut s1, mut s2) = (0.0, 0.0);
    for _ in 0..N {
        // Shifted by the hand mean for numerically safe accumulation.
        let x = sampler.sample(&mut rng) - mean;
        s1 += x;
        s2 += x * x;
    }
    let n = N as f64;
    let m = s1 / n;
    let v = (s2 - n * m * m) / (n - 1.0);
    let se_mean = (var / n).sqrt();
    let se_var = var * ((2.0 + excess) / n).sqrt();
    assert!(
        m.abs() <= 5.0 * se_mean,
        "{d}: sample mean {} vs {mean} (se {se_mean})",
        m + mean
    );
    assert!(
        (v - var).abs() <= 5.0 * se_var,
        "{d}: sample variance {v} vs {var} (se {se_var})"
    );
}

#[test]
fn triangular() {
    // (1, 2, 6): mean (1+2+6)/3 = 3, variance (1 + 4 + 36 - 2 - 6 - 12) / 18 = 21/18,
    // excess kurtosis of any triangular -3/5.
    check(
        &Dist::triangular(1.0, 2.0, 6.0).unwrap(),
        1,
        3.0,
        21.0 / 18.0,
        -0.6,
    );
}

#[test]
fn pert() {
    // (0, 1, 4): alpha = 1 + 4·1/4 = 2, beta = 1 + 4·3/4 = 4 on [0, 4].
    // mean (0 + 4 + 4)/6 = 4/3; variance range² αβ / ((α+β)² (α+β+1)) = 16·8/(36·7) = 32/63.
    // Excess kurtosis of Beta(2, 4): 6[(α-β)²(α+β+1) - αβ(α+β+2)] / (αβ(α+β+2)(α+β+3))
    // = 6(28 - 64)/576 = -0.375.
    check(
        &Dist::pert(0.0, 1.0, 4.0).unwrap(),
        2,
        4.0 / 3.0,
        32.0 / 63.0,
        -0.375,
    );
}

#[test]
fn uniform_with_offset() {
    // (2, 4) + 10: mean 13, variance 2²/12 = 1/3, excess kurtosis -6/5.
    check(
        &Dist::uniform(2.0, 4.0).unwrap().with_offset(10.0).unwrap(),
        3,
        13.0,
        1.0 / 3.0,
        -1.2,
    );
}

#[test]
fn exponential() {
    // mean 3: variance 9, excess kurtosis 6.
    check(&Dist::exponential(3.0).unwrap(), 4, 3.0, 9.0, 6.0);
}

#[test]
fn erlang() {
    // k = 3, mean 6: three phases of mean 2, variance 3·2² = 12, excess kurtosis 6/3 = 2.
    check(&Dist::erlang(3, 6.0).unwrap(), 5, 6.0, 12.0, 2.0);
    // With an offset the variance is unchanged: 28 + Erlang(2, mean 4): mean 32, var 8.
    check(
        &Dist::erlang(2, 4.0).unwrap().with_offset(28.0).unwrap(),
        6,
        32.0,
        8.0,
        3.0,
    );
}

#[test]
fn gamma() {
    // shape 2, scale 1.5: mean 3, variance 2·2.25 = 4.5, excess kurtosis 6/2 = 3.
    check(&Dist::gamma(2.0, 1.5).unwrap(), 7, 3.0, 4.5, 3.0);
    // shape 0.5 (below 1, another algorithm), scale 2: mean 1, variance 2, excess 12.
    check(&Dist::gamma(0.5, 2.0).unwrap(), 8, 1.0, 2.0, 12.0);
}

#[test]
fn weibull() {
    // shape 2, scale 1 (Rayleigh): mean Γ(1.5) = sqrt(pi)/2 = 0.886226925452758,
    // variance Γ(2) - Γ(1.5)² = 1 - pi/4 = 0.214601836602552, excess kurtosis 0.2450893.
    check(
        &Dist::weibull(2.0, 1.0).unwrap(),
        9,
        0.886_226_925_452_758,
        0.214_601_836_602_552,
        0.245,
    );
    // shape 1 is the exponential: scale 10 gives mean 10, variance 100, excess 6.
    check(&Dist::weibull(1.0, 10.0).unwrap(), 10, 10.0, 100.0, 6.0);
}

#[test]
fn lognormal() {
    // Mean 5 and sd 2 of the value itself. Excess kurtosis w⁴ + 2w³ + 3w² - 6 with
    // w = 1 + (2/5)² = 1.16: 1.81063936 + 3.121792 + 4.0368 - 6 = 2.96923136.
    check(
        &Dist::lognormal(5.0, 2.0).unwrap(),
        11,
        5.0,
        4.0,
        2.969_231_36,
    );
}

#[test]
fn normal_truncated_at_zero() {
    // N(5, 1): alpha = -5, hazard phi(5)/Phi(5) = 1.4867195e-6, so the mean is
    // 5.0000014867199 and the variance 1 - 5·1.48672e-6 - (...)² = 0.99999256639809:
    // essentially the untruncated normal (excess kurtosis ~0).
    check(
        &Dist::normal(5.0, 1.0).unwrap(),
        12,
        5.000_001_486_719_941,
        0.999_992_566_398_085,
        0.0,
    );
    // N(0, 1) truncated at 0 is the half-normal: mean sqrt(2/pi) = 0.797884560802865,
    // variance 1 - 2/pi = 0.363380227632419, excess kurtosis 0.869177.
    check(
        &Dist::normal(0.0, 1.0).unwrap(),
        13,
        0.797_884_560_802_865,
        0.363_380_227_632_419,
        0.869,
    );
    // N(1, 1) truncated at 0: alpha = -1, lambda = phi(1)/Phi(1) = 0.2419707245/0.8413447461
    // = 0.2875999709; mean 1 + lambda = 1.2875999709392; variance 1 + alpha·lambda - lambda²
    // = 1 - 0.2875999709 - 0.0827137042 = 0.6296862858 (published formula for the truncated
    // normal, e.g. Johnson, Kotz & Balakrishnan); excess kurtosis 0.0014.
    check(
        &Dist::normal(1.0, 1.0).unwrap(),
        14,
        1.287_599_970_939_178,
        0.629_686_285_776_605,
        0.0,
    );
    // N(-3, 1) truncated at 0 (the tail sampler): alpha = 3, lambda = phi(3)/(1 - Phi(3)) =
    // 0.0044318484/0.0013498980 = 3.2830986549; mean lambda - alpha = 0.2830986549,
    // variance 1 - lambda (lambda - alpha) = 1 - 3.2830986549·0.2830986549 = 0.0705591868;
    // excess kurtosis 3.80.
    check(
        &Dist::normal(-3.0, 1.0).unwrap(),
        15,
        0.283_098_654_930_436_5,
        0.070_559_186_785_268_1,
        3.8,
    );
}

#[test]
fn empirical() {
    // [1, 2, 3, 10]: mean 4, population variance (9 + 4 + 1 + 36)/4 = 12.5,
    // fourth central moment (81 + 16 + 1 + 1296)/4 = 348.5, excess 348.5/156.25 - 3.
    check(
        &Dist::empirical(vec![1.0, 2.0, 3.0, 10.0]).unwrap(),
        16,
        4.0,
        12.5,
        348.5 / 156.25 - 3.0,
    );
}

#[test]
fn fixed_draws_no_random_numbers() {
    let d = Dist::fixed(3.0).unwrap().with_offset(1.0).unwrap();
    assert!(d.is_fixed());
    assert_eq!((d.mean(), d.variance()), (4.0, 0.0));
    let mut used = des::random::stream(9, 0, 0);
    let mut fresh = des::random::stream(9, 0, 0);
    for _ in 0..10 {
        assert_eq!(d.sample(&mut used), 4.0);
        assert_eq!(d.sampler().sample(&mut used), 4.0);
    }
    use rand::Rng;
    assert_eq!(used.random::<u64>(), fresh.random::<u64>());
    assert_eq!(Dist::default(), Dist::fixed(0.0).unwrap());
    assert!(!Dist::exponential(1.0).unwrap().is_fixed());
}

#[test]
fn same_stream_same_samples() {
    let dists = [
        Dist::triangular(0.6, 0.8, 1.2).unwrap(),
        Dist::pert(0.6, 0.8, 1.2).unwrap(),
        Dist::normal(1.0, 2.0).unwrap(),
        Dist::lognormal(5.0, 2.0).unwrap(),
        Dist::erlang(3, 2.0).unwrap().with_offset(0.5).unwrap(),
        Dist::weibull(1.5, 10.0).unwrap(),
        Dist::empirical(vec![1.0, 2.5, 3.0]).unwrap(),
    ];
    let draw = |seed| {
        let mut rng = des::random::stream(seed, 2, 7);
        dists
            .iter()
            .flat_map(|d| (0..50).map(|_| d.sample(&mut rng)).collect::<Vec<_>>())
            .collect::<Vec<f64>>()
    };
    assert_eq!(draw(42), draw(42));
    assert_ne!(draw(42), draw(43));
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Inputs {
    drill_time_min: Dist,
    whole: Dist,
    fixed_table: Dist,
    tri: Dist,
    pert: Dist,
    uni: Dist,
    norm: Dist,
    logn: Dist,
    expo: Dist,
    gam: Dist,
    erl: Dist,
    weib: Dist,
    emp: Dist,
}

const INPUTS: &str = r#"
drill_time_min = 0.9
whole = 2
fixed_table = { dist = "fixed", value = 3, offset = 1 }
tri = { dist = "triangular", min = 0.6, mode = 0.8, max = 1.2 }
pert = { min = 1, mode = 2, max = 4, dist = "pert" }
uni = { dist = "uniform", min = 1, max = 2 }
norm = { dist = "normal", mean = 5, sd = 1 }
logn = { dist = "lognormal", mean = 5, sd = 2 }
expo = { dist = "exponential", mean = 3, offset = 28 }
gam = { dist = "gamma", shape = 2, scale = 1.5 }
erl = { dist = "erlang", k = 3, mean = 2.0, offset = 0.5 }
weib = { dist = "weibull", shape = 1.5, scale = 10 }
emp = { dist = "empirical", values = [1.0, 2.5, 3] }
"#;

#[test]
fn toml_forms_and_round_trip() {
    let x: Inputs = toml::from_str(INPUTS).unwrap();
    assert_eq!(x.drill_time_min, Dist::fixed(0.9).unwrap());
    assert_eq!(x.whole, Dist::fixed(2.0).unwrap());
    assert_eq!(
        x.fixed_table,
        Dist::fixed(3.0).unwrap().with_offset(1.0).unwrap()
    );
    assert_eq!(x.tri, Dist::triangular(0.6, 0.8, 1.2).unwrap());
    assert_eq!(x.pert, Dist::pert(1.0, 2.0, 4.0).unwrap());
    assert_eq!(x.uni, Dist::uniform(1.0, 2.0).unwrap());
    assert_eq!(x.norm, Dist::normal(5.0, 1.0).unwrap());
    assert_eq!(x.logn, Dist::lognormal(5.0, 2.0).unwrap());
    assert_eq!(
        x.expo,
        Dist::exponential(3.0).unwrap().with_offset(28.0).unwrap()
    );
    assert_eq!(x.gam, Dist::gamma(2.0, 1.5).unwrap());
    assert_eq!(
        x.erl,
        Dist::new(DistKind::Erlang { k: 3, mean: 2.0 }, 0.5).unwrap()
    );
    assert_eq!(x.weib, Dist::weibull(1.5, 10.0).unwrap());
    assert_eq!(x.emp, Dist::empirical(vec![1.0, 2.5, 3.0]).unwrap());

    let text = toml::to_string(&x).unwrap();
    assert!(text.contains("drill_time_min = 0.9"), "{text}");
    let back: Inputs = toml::from_str(&text).unwrap();
    assert_eq!(back, x);
}

#[derive(Debug, Deserialize)]
struct One {
    #[allow(dead_code)]
    d: Dist,
}

fn error_of(text: &str) -> String {
    match toml::from_str::<One>(text) {
        Ok(one) => panic!("{text} parsed as {:?}", one.d),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_toml_names_the_problem() {
    let cases: &[(&str, &[&str])] = &[
        (
            r#"d = { dist = "triangular", min = 1, mode = 2, max = 3, sdev = 1 }"#,
            &["unknown key `sdev`", "dist, min, mode, max, offset"],
        ),
        (
            r#"d = { dist = "normal", mean = 1, sd = 1, max = 3 }"#,
            &["unknown key `max`", "dist, mean, sd, offset"],
        ),
        (
            r#"d = { dist = "tri", min = 1, mode = 2, max = 3 }"#,
            &[
                "unknown distribution `tri`",
                "triangular",
                "weibull",
                "empirical",
            ],
        ),
        (
            r#"d = { min = 1, max = 3 }"#,
            &["missing key `dist`", "uniform"],
        ),
        (
            r#"d = { dist = "triangular", min = 1, max = 3 }"#,
            &["missing key `mode`"],
        ),
        (
            r#"d = { dist = "uniform", min = 5, max = 3 }"#,
            &["min (5) must not exceed max (3)"],
        ),
        (
            r#"d = { dist = "triangular", min = 1, mode = 4, max = 3 }"#,
            &["mode (4) must lie between min (1) and max (3)"],
        ),
        (
            r#"d = { dist = "normal", mean = 5, sd = -1 }"#,
            &["sd (-1) must not be negative"],
        ),
        (
            r#"d = { dist = "erlang", k = 0, mean = 2 }"#,
            &["k (0) must be at least 1"],
        ),
        (r#"d = { dist = "erlang", k = -2, mean = 2 }"#, &["`k`"]),
        (
            r#"d = { dist = "empirical", values = [] }"#,
            &["values must not be empty"],
        ),
        (
            r#"d = { dist = "exponential", mean = "three" }"#,
            &["a number for `mean`"],
        ),
        (r#"d = "fast""#, &["unknown distribution `fast`"]),
        (r#"d = true"#, &["a number (a fixed value) or a table"]),
        (r#"d = nan"#, &["value (NaN) must be a finite number"]),
    ];
    for (text, needles) in cases {
        let err = error_of(text);
        for needle in *needles {
            assert!(
                err.contains(needle),
                "{text}\n gave: {err}\n lacks: {needle}"
            );
        }
    }
}

#[test]
fn validate_messages() {
    let err = |d: Result<Dist, DistError>| d.unwrap_err().to_string();
    assert_eq!(
        err(Dist::uniform(5.0, 3.0)),
        "min (5) must not exceed max (3)"
    );
    assert!(err(Dist::pert(2.0, 2.0, 2.0)).contains("min < max"));
    assert!(err(Dist::normal(1.0, -0.5)).contains("sd (-0.5)"));
    assert!(err(Dist::exponential(0.0)).contains("mean (0) must be positive"));
    assert!(err(Dist::lognormal(-1.0, 1.0)).contains("mean (-1) must be positive"));
    assert!(err(Dist::gamma(0.0, 1.0)).contains("shape (0)"));
    assert!(err(Dist::weibull(1.0, -2.0)).contains("scale (-2)"));
    assert!(err(Dist::erlang(0, 1.0)).contains("k (0)"));
    assert!(err(Dist::empirical(vec![])).contains("values must not be empty"));
    assert!(err(Dist::empirical(vec![1.0, f64::NAN])).contains("values[1]"));
    assert!(err(Dist::fixed(1.0).unwrap().with_offset(f64::INFINITY)).contains("offset (inf)"));
    assert!(Dist::normal(0.0, 0.0).unwrap().validate().is_ok());

    // Durations.
    let neg = |d: Dist| d.validate_non_negative().unwrap_err().to_string();
    assert!(Dist::triangular(0.0, 1.0, 2.0)
        .unwrap()
        .validate_non_negative()
        .is_ok());
    assert!(Dist::uniform(-1.0, 2.0)
        .unwrap()
        .with_offset(1.0)
        .unwrap()
        .validate_non_negative()
        .is_ok());
    assert!(neg(Dist::uniform(-1.0, 2.0).unwrap()).contains("min (-1) must not be negative"));
    assert!(neg(Dist::triangular(1.0, 2.0, 3.0)
        .unwrap()
        .with_offset(-1.5)
        .unwrap())
    .contains("min + offset"));
    assert!(Dist::normal(-3.0, 1.0)
        .unwrap()
        .validate_non_negative()
        .is_ok());
    assert!(
        neg(Dist::normal(5.0, 1.0).unwrap().with_offset(-0.1).unwrap()).contains("offset (-0.1)")
    );
    assert!(
        neg(Dist::exponential(1.0).unwrap().with_offset(-1.0).unwrap()).contains("offset (-1)")
    );
    assert!(neg(Dist::empirical(vec![3.0, -2.0]).unwrap()).contains("smallest value (-2)"));
    assert!(Dist::empirical(vec![3.0, -2.0])
        .unwrap()
        .with_offset(2.0)
        .unwrap()
        .validate_non_negative()
        .is_ok());
    assert!(neg(Dist::fixed(-1.0).unwrap()).contains("value (-1)"));
    // validate() problems are found at construction.
    assert!(err(Dist::uniform(3.0, 1.0)).contains("must not exceed"));
}

proptest! {
    #[test]
    fn bounded_samples_stay_in_bounds(
        min in -1e3f64..1e3,
        w in 1e-6f64..1e3,
        f in 0.0f64..=1.0,
        offset in 0.0f64..1e3,
        seed in any::<u64>(),
    ) {
        let max = min + w;
        let mode = (min + f * w).clamp(min, max);
        let mut rng = des::random::stream(seed, 0, 0);
        for d in [
            Dist::uniform(min, max).and_then(|d| d.with_offset(offset)),
            Dist::triangular(min, mode, max).and_then(|d| d.with_offset(offset)),
            Dist::pert(min, mode, max).and_then(|d| d.with_offset(offset)),
        ] {
            prop_assume!(d.is_ok());
            let d = d.unwrap();
            let s = d.sampler();
            for _ in 0..64 {
                let x = s.sample(&mut rng);
                prop_assert!(min + offset <= x && x <= max + offset, "{d}: {x}");
            }
        }
    }

    #[test]
    fn truncated_normal_never_below_offset(
        mean in -50.0f64..50.0,
        sd in 1e-3f64..20.0,
        offset in 0.0f64..100.0,
        seed in any::<u64>(),
    ) {
        let d = Dist::normal(mean, sd).unwrap().with_offset(offset).unwrap();
        prop_assert!(d.validate_non_negative().is_ok());
        let mut rng = des::random::stream(seed, 0, 1);
        for _ in 0..64 {
            let x = d.sample(&mut rng);
            prop_assert!(x >= offset, "{d}: {x}");
        }
    }
}

/// `Dist::quantile` against closed forms, and for every family against the samples the same
/// distribution draws: P(X <= Q(p)) within the binomial error of p.
#[test]
fn quantiles_match_closed_forms_and_the_sampler() {
    use manto_des::Dist;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    let e = Dist::exponential(2.0).unwrap();
    assert!(close(e.quantile(0.5), 2.0 * std::f64::consts::LN_2));
    let u = Dist::uniform(3.0, 7.0).unwrap().with_offset(1.0).unwrap();
    assert!(close(u.quantile(0.25), 5.0));
    let t = Dist::triangular(0.0, 1.0, 4.0).unwrap();
    // F(1) = 1/4; F(x) = x^2 / 4 below the mode.
    assert!(close(t.quantile(0.25), 1.0) && close(t.quantile(0.0625), 0.5));
    let w = Dist::weibull(2.0, 3.0).unwrap();
    assert!(close(w.quantile(1.0 - (-1.0f64).exp()), 3.0));
    let ln = Dist::lognormal(10.0, 5.0).unwrap();
    let s2 = (1.0f64 + 0.25).ln();
    assert!((ln.quantile(0.5) - (10f64.ln() - 0.5 * s2).exp()).abs() < 1e-6);
    // A normal far from its truncation point is the plain normal: mean + 1.2816 sd at P90.
    let n = Dist::normal(100.0, 10.0).unwrap();
    assert!((n.quantile(0.9) - 112.815_515_655).abs() < 1e-4);
    let emp = Dist::empirical(vec![5.0, 1.0, 3.0, 2.0]).unwrap();
    assert_eq!(
        (emp.quantile(0.25), emp.quantile(0.26), emp.quantile(1.0)),
        (1.0, 2.0, 5.0)
    );
    let families = [
        Dist::pert(1.0, 2.0, 6.0).unwrap(),
        Dist::gamma(2.5, 1.5).unwrap(),
        Dist::erlang(3, 6.0).unwrap(),
        Dist::normal(1.0, 2.0).unwrap(),
        Dist::lognormal(3.0, 2.0)
            .unwrap()
            .with_offset(-1.0)
            .unwrap(),
        t.clone(),
        w.clone(),
    ];
    let mut rng = manto_des::StreamKey::root(3).stream();
    for d in &families {
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        for p in [0.05, 0.25, 0.5, 0.9] {
            let q = d.quantile(p);
            let f = xs.iter().filter(|&&x| x <= q).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((f - p).abs() < 4.5 * se, "{d}: P(X <= Q({p}) = {q}) = {f}");
        }
        // Monotone.
        assert!(d.quantile(0.2) <= d.quantile(0.8));
    }
}
