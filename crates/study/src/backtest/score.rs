//! Scoring one actual against an ensemble: the mid-rank percentile (the PIT), the ensemble
//! CRPS, the kernel-density log score; and the calibration statistics over many actuals
//! (the PIT histogram, counts outside central bands against the binomial, a chi-square test
//! of a flat PIT).

use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF};

/// The defined (non-NaN) values of an ensemble, sorted ascending.
pub fn sorted_defined(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Mid-rank probability integral transform of `y` on the sorted ensemble `xs`:
/// (#{x < y} + ½ #{x = y}) / n. `None` for an empty ensemble.
pub fn mid_rank(xs: &[f64], y: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let below = xs.partition_point(|&x| x < y);
    let not_above = xs.partition_point(|&x| x <= y);
    Some((below as f64 + 0.5 * (not_above - below) as f64) / xs.len() as f64)
}

/// Ensemble CRPS (Gneiting and Raftery 2007, eq. 21 with the ensemble as the forecast
/// distribution): E|X − y| − ½ E|X − X'|, on the sorted ensemble `xs`. E|X − X'| is the
/// Gini mean difference over all n² ordered pairs: (2/n²) Σ_i (2i − n + 1) x_(i), i from 0.
pub fn crps(xs: &[f64], y: f64) -> f64 {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return f64::NAN;
    }
    let e_xy = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
    let gini = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * i as f64 - n + 1.0) * x)
        .sum::<f64>()
        * 2.0
        / (n * n);
    e_xy - 0.5 * gini
}

/// Sample standard deviation (n − 1).
pub fn sd(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Linear-interpolated quantile `q` (0..1) of the sorted `xs` (as the risk study's
/// percentiles).
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    crate::risk::percentile_sorted(xs, q)
}

/// The log score −ln f(y) with f a Gaussian kernel density of the ensemble, bandwidth by
/// Silverman's rule h = 0.9 min(sd, IQR/1.34) n^(−1/5). `Err` says why it is undefined:
/// an ensemble without spread (h = 0) or a density that underflows at `y` (y far outside
/// every kernel).
pub fn log_score(xs: &[f64], y: f64) -> Result<(f64, f64), &'static str> {
    let n = xs.len();
    if n < 2 {
        return Err("fewer than two iterations");
    }
    let s = sd(xs);
    let iqr = quantile(xs, 0.75) - quantile(xs, 0.25);
    let spread = if iqr > 0.0 { s.min(iqr / 1.34) } else { s };
    let h = 0.9 * spread * (n as f64).powf(-0.2);
    if h.is_nan() || h <= 0.0 {
        return Err("the ensemble has no spread (every iteration the same)");
    }
    let norm = 1.0 / ((n as f64) * h * (2.0 * std::f64::consts::PI).sqrt());
    let f = xs
        .iter()
        .map(|x| (-0.5 * ((y - x) / h).powi(2)).exp())
        .sum::<f64>()
        * norm;
    if f > 0.0 && f.is_finite() {
        Ok((-f.ln(), h))
    } else {
        Err("the kernel density is zero at the actual (far outside every iteration)")
    }
}

/// A two-sided 95% interval of Binomial(n, p): the 2.5% and 97.5% quantiles.
pub fn binomial_interval(n: u64, p: f64) -> (u64, u64) {
    if n == 0 {
        return (0, 0);
    }
    let b = Binomial::new(p, n).expect("p in [0, 1]");
    let q = |target: f64| (0..=n).find(|&k| b.cdf(k) >= target).unwrap_or(n);
    (q(0.025), q(0.975))
}

/// Chi-square test of a flat PIT over `bins` equal bins: (statistic, degrees of freedom,
/// p-value).
pub fn pit_chi_square(pits: &[f64], bins: usize) -> (f64, f64, f64) {
    let counts = pit_counts(pits, bins);
    let e = pits.len() as f64 / bins as f64;
    let stat: f64 = counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
    let df = (bins - 1) as f64;
    let p = 1.0 - ChiSquared::new(df).expect("df > 0").cdf(stat);
    (stat, df, p)
}

/// Counts of `pits` in `bins` equal bins of [0, 1] (1 falls in the last).
pub fn pit_counts(pits: &[f64], bins: usize) -> Vec<u64> {
    let mut c = vec![0u64; bins];
    for &p in pits {
        let b = ((p * bins as f64).floor() as usize).min(bins - 1);
        c[b] += 1;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_matches_the_double_sum() {
        let xs = sorted_defined([3.0, -1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]);
        for y in [-3.0, 0.0, 2.5, 4.0, 12.0] {
            let n = xs.len() as f64;
            let a: f64 = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
            let b: f64 = xs
                .iter()
                .flat_map(|x| xs.iter().map(move |z| (x - z).abs()))
                .sum::<f64>()
                / (n * n);
            assert!((crps(&xs, y) - (a - 0.5 * b)).abs() < 1e-12);
        }
        // A one-member ensemble is the absolute error.
        assert_eq!(crps(&[2.0], 5.0), 3.0);
    }

    #[test]
    fn binomial_interval_by_hand() {
        // Binomial(4, 0.02): P(0) = 0.922, P(<=1) = 0.9977: the 95% interval is [0, 1].
        assert_eq!(binomial_interval(4, 0.02), (0, 1));
        // Binomial(100, 0.5): 40..60 covers 95.4%.
        assert_eq!(binomial_interval(100, 0.5), (40, 60));
    }

    #[test]
    fn log_score_of_a_wide_ensemble_is_near_the_normal_density() {
        // 1,001 evenly spaced normal quantiles: the KDE at 0 is close to 1/sqrt(2 pi).
        let xs: Vec<f64> = (1..=1001)
            .map(|i| {
                use statrs::distribution::Normal;
                Normal::new(0.0, 1.0)
                    .unwrap()
                    .inverse_cdf(i as f64 / 1002.0)
            })
            .collect();
        let (ls, _) = log_score(&xs, 0.0).unwrap();
        let exact = 0.5 * (2.0 * std::f64::consts::PI).ln();
        assert!((ls - exact).abs() < 0.05, "{ls} vs {exact}");
        assert!(log_score(&[1.0, 1.0, 1.0], 1.0).is_err());
        assert!(log_score(&xs, 1e6).is_err());
    }
}
