//! Sampling: plain Monte Carlo and Latin hypercube designs, rank correlation imposed by
//! Iman–Conover, and the rank statistics the sensitivity analysis needs. Pure functions of
//! their inputs and a [`StreamKey`]: the design of a study depends on (seed, iterations),
//! never on threads or shards.
#![allow(clippy::needless_range_loop)] // matrix code reads best with indices

use des::StreamKey;
use rand::Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// How the uniforms behind each input are drawn.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Latin hypercube: each input's n draws fall one in each of n equal-probability
    /// strata, in a random order (as @RISK and Crystal Ball offer).
    #[default]
    LatinHypercube,
    /// Independent uniforms for every draw.
    MonteCarlo,
}

impl Sampling {
    /// The name used in files and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            Sampling::LatinHypercube => "latin_hypercube",
            Sampling::MonteCarlo => "monte_carlo",
        }
    }
}

/// A random permutation of `0..n` (Fisher–Yates) from `key`'s stream.
pub fn permutation(n: usize, key: StreamKey) -> Vec<usize> {
    let mut rng = key.stream();
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i);
        p.swap(i, j);
    }
    p
}

/// `n` uniforms in (0, 1) for one input: stratified (Latin hypercube) or independent.
pub fn uniforms(n: usize, sampling: Sampling, key: StreamKey) -> Vec<f64> {
    let mut rng = key.child(1).stream();
    let open = |u: f64| u.clamp(1e-12, 1.0 - 1e-12);
    match sampling {
        Sampling::MonteCarlo => (0..n).map(|_| open(rng.random::<f64>())).collect(),
        Sampling::LatinHypercube => {
            let p = permutation(n, key.child(0));
            p.iter()
                .map(|&stratum| open((stratum as f64 + rng.random::<f64>()) / n as f64))
                .collect()
        }
    }
}

/// Lower Cholesky factor of a symmetric matrix, or `None` when it is not positive definite.
pub fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d.is_nan() || d <= 1e-12 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// Why a matrix is not a correlation matrix, or `None` when it is one (square, symmetric,
/// unit diagonal, entries in [-1, 1], positive definite).
pub fn correlation_problem(m: &[Vec<f64>]) -> Option<String> {
    let n = m.len();
    for (i, row) in m.iter().enumerate() {
        if row.len() != n {
            return Some(format!(
                "row {} has {} entries; a {n} x {n} matrix needs {n}",
                i + 1,
                row.len()
            ));
        }
    }
    for i in 0..n {
        if (m[i][i] - 1.0).abs() > 1e-12 {
            return Some(format!("diagonal entry {} is {}, not 1", i + 1, m[i][i]));
        }
        for j in 0..n {
            let v = m[i][j];
            if !v.is_finite() || !(-1.0..=1.0).contains(&v) {
                return Some(format!(
                    "entry ({}, {}) = {v} is outside [-1, 1]",
                    i + 1,
                    j + 1
                ));
            }
            if (v - m[j][i]).abs() > 1e-12 {
                return Some(format!(
                    "not symmetric: ({}, {}) = {v} but ({}, {}) = {}",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1,
                    m[j][i]
                ));
            }
        }
    }
    if cholesky(m).is_none() {
        return Some(
            "not positive definite: no set of variables can have these correlations together"
                .into(),
        );
    }
    None
}

/// Ranks 1..n of `v` (ties share their average rank).
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation (0 when either side is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 0.0;
    }
    let ma = a[..n].iter().sum::<f64>() / n as f64;
    let mb = b[..n].iter().sum::<f64>() / n as f64;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (a[i] - ma, b[i] - mb);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Spearman rank correlation of two samples (pairs where either is NaN are dropped).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .unzip();
    pearson(&ranks(&x), &ranks(&y))
}

/// The Pearson correlation of two normal variables whose Spearman rank correlation is
/// `rho_s`: ρ_P = 2 sin(π ρ_S / 6) (Pearson 1907; Kruskal 1958). Iman–Conover imposes a
/// Pearson correlation on normal scores, whose rank correlation is then
/// (6/π) asin(ρ_P / 2), 0.58 for ρ_P = 0.6: the target is corrected by this function first
/// so that the rank correlation achieved is the one asked for.
pub fn spearman_to_pearson(rho_s: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho_s / 6.0).sin()
}

/// A rank-correlation matrix mapped entry by entry through [`spearman_to_pearson`] (the
/// unit diagonal stays 1): the Pearson matrix Iman–Conover imposes on its normal scores.
pub fn pearson_target(rank_target: &[Vec<f64>]) -> Vec<Vec<f64>> {
    rank_target
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &r)| if i == j { 1.0 } else { spearman_to_pearson(r) })
                .collect()
        })
        .collect()
}

/// Reorders the columns of `x` (one column per input, each of length n) so that their rank
/// correlations approach `target` (Iman and Conover, 1982): van der Waerden scores in a
/// random order per column, decorrelated by the inverse Cholesky factor of their own
/// correlation and recorrelated by the Cholesky factor of [`pearson_target`] of `target`
/// (so that the scores' rank correlation, not their Pearson correlation, is the target);
/// each column of `x` then takes the rank order of its score column. The marginal values of
/// every column are unchanged; ties in a column (an empirical distribution) lower the
/// rank correlations it can reach, which the study reports beside the targets.
pub fn iman_conover(x: &mut [Vec<f64>], target: &[Vec<f64>], key: StreamKey) {
    let m = x.len();
    if m < 2 {
        return;
    }
    let n = x[0].len();
    if n < 3 {
        return;
    }
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    let a: Vec<f64> = (1..=n)
        .map(|k| normal.inverse_cdf(k as f64 / (n as f64 + 1.0)))
        .collect();
    let scores: Vec<Vec<f64>> = (0..m)
        .map(|j| {
            permutation(n, key.child(j as u64))
                .into_iter()
                .map(|i| a[i])
                .collect()
        })
        .collect();
    let e: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| pearson(&scores[i], &scores[j])).collect())
        .collect();
    let (Some(q), Some(p)) = (cholesky(&e), cholesky(&pearson_target(target))) else {
        return;
    };
    // t_i = P Q^-1 s_i for every row i.
    let mut t = vec![vec![0.0; n]; m];
    let mut s = vec![0.0; m];
    let mut z = vec![0.0; m];
    for i in 0..n {
        for j in 0..m {
            s[j] = scores[j][i];
        }
        // Forward substitution: Q z = s.
        for r in 0..m {
            let acc: f64 = (0..r).map(|k| q[r][k] * z[k]).sum();
            z[r] = (s[r] - acc) / q[r][r];
        }
        for r in 0..m {
            t[r][i] = (0..=r).map(|k| p[r][k] * z[k]).sum();
        }
    }
    for j in 0..m {
        let mut sorted = x[j].clone();
        sorted.sort_by(f64::total_cmp);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| t[j][a].total_cmp(&t[j][b]).then(a.cmp(&b)));
        for (rank, &i) in order.iter().enumerate() {
            x[j][i] = sorted[rank];
        }
    }
}

/// Linear-interpolated percentile of sorted finite values (`q` in [0, 1]; the definition
/// of Excel's PERCENTILE.INC and numpy's default); NaN when empty.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_hypercube_puts_one_draw_in_each_stratum() {
        let n = 500;
        let u = uniforms(n, Sampling::LatinHypercube, StreamKey::root(1));
        let mut hit = vec![0; n];
        for x in &u {
            hit[(x * n as f64) as usize] += 1;
        }
        assert!(hit.iter().all(|&h| h == 1));
        // Broken on purpose: plain Monte Carlo leaves strata empty.
        let u = uniforms(n, Sampling::MonteCarlo, StreamKey::root(1));
        let mut hit = vec![0; n];
        for x in &u {
            hit[(x * n as f64) as usize] += 1;
        }
        assert!(hit.contains(&0));
    }

    #[test]
    fn cholesky_reproduces_its_matrix_and_refuses_non_pd() {
        let a = vec![
            vec![4.0, 2.0, 0.4],
            vec![2.0, 2.0, 0.5],
            vec![0.4, 0.5, 1.0],
        ];
        let l = cholesky(&a).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| l[i][k] * l[j][k]).sum();
                assert!((v - a[i][j]).abs() < 1e-12);
            }
        }
        let bad = vec![
            vec![1.0, 0.9, -0.9],
            vec![0.9, 1.0, 0.9],
            vec![-0.9, 0.9, 1.0],
        ];
        assert!(correlation_problem(&bad)
            .unwrap()
            .contains("positive definite"));
        assert!(correlation_problem(&[vec![1.0, 0.5], vec![0.4, 1.0]])
            .unwrap()
            .contains("symmetric"));
        assert!(correlation_problem(&[vec![1.0, 1.5], vec![1.5, 1.0]])
            .unwrap()
            .contains("outside"));
    }

    #[test]
    fn iman_conover_reaches_the_rank_correlation_asked_for() {
        // 2,000 draws of two continuous inputs at a rank-correlation target of 0.6: with
        // the Pearson-to-Spearman correction the achieved rank correlation is within 0.01
        // of the target (IC's scores have exactly the corrected Pearson correlation, so the
        // only error left is the normal scores' finite-sample rank correlation); without it
        // IC reaches (6/π) asin(0.3) = 0.582.
        let n = 2000;
        let col = |j: u64| uniforms(n, Sampling::LatinHypercube, StreamKey::root(9).child(j));
        for rho in [0.6, 0.3, -0.4, 0.9] {
            let mut x = vec![col(0), col(1)];
            let target = vec![vec![1.0, rho], vec![rho, 1.0]];
            iman_conover(&mut x, &target, StreamKey::root(9).child(7));
            let r = spearman(&x[0], &x[1]);
            assert!((r - rho).abs() < 0.01, "target {rho}, achieved {r}");
        }
        assert!((spearman_to_pearson(0.6) - 0.618).abs() < 1e-3);
        // Broken on purpose: the uncorrected target (the Pearson matrix given as is) falls
        // short by more than the tolerance.
        let mut x = vec![col(0), col(1)];
        let uncorrected = 6.0 / std::f64::consts::PI * (0.3f64).asin();
        let inverse = |r: f64| 6.0 / std::f64::consts::PI * (r / 2.0).asin();
        iman_conover(
            &mut x,
            &[vec![1.0, inverse(0.6)], vec![inverse(0.6), 1.0]],
            StreamKey::root(9).child(7),
        );
        let r = spearman(&x[0], &x[1]);
        assert!(
            (r - uncorrected).abs() < 0.01 && (r - 0.6).abs() > 0.01,
            "{r}"
        );
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 25.0]) - 1.0).abs() < 1e-15);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-15);
    }

    #[test]
    fn percentile_matches_excel_percentile_inc() {
        // PERCENTILE.INC({1,2,3,4}, 0.1) = 1.3; 0.5 -> 2.5; 0.9 -> 3.7.
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((percentile_sorted(&v, 0.1) - 1.3).abs() < 1e-12);
        assert!((percentile_sorted(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((percentile_sorted(&v, 0.9) - 3.7).abs() < 1e-12);
    }
}
