//! Replication statistics: the mean of independent replications and its 95% confidence
//! interval from Student's t distribution, as Arena and SimPy users report them.

use serde::{Deserialize, Serialize};

/// Two-sided 95% quantiles of Student's t, t(0.975, df) for df = 1..=30 (standard tables,
/// e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// t(0.975, df): the table up to 30 degrees of freedom, then the Cornish-Fisher expansion
/// around the normal quantile 1.959964 (error below 1e-3 beyond df = 30).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        _ => {
            let z: f64 = 1.959_964;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// Mean of replications with its 95% confidence interval.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Sample mean across replications.
    pub mean: f64,
    /// Lower end of the 95% confidence interval of the mean (equals `mean` for one replication).
    pub ci95_low: f64,
    /// Upper end of the 95% confidence interval of the mean.
    pub ci95_high: f64,
}

impl Summary {
    /// Summarises one value per replication. With a single replication the interval
    /// collapses to the mean (no variance estimate exists); an empty slice gives zeros.
    pub fn of(values: &[f64]) -> Summary {
        let n = values.len();
        if n == 0 {
            return Summary {
                mean: 0.0,
                ci95_low: 0.0,
                ci95_high: 0.0,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Summary {
                mean,
                ci95_low: mean,
                ci95_high: mean,
            };
        }
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t975(n - 1) * (var / n as f64).sqrt();
        Summary {
            mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
        }
    }

    /// Half-width of the confidence interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }

    /// True when `x` lies inside the interval (bounds included).
    pub fn contains(&self, x: f64) -> bool {
        self.ci95_low <= x && x <= self.ci95_high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_interval() {
        // Values 1..=5: mean 3, s = sqrt(2.5), half-width = 2.776 * sqrt(2.5/5) = 1.96292.
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.mean, 3.0);
        assert!((s.half_width() - 1.962_92).abs() < 1e-4);
    }

    #[test]
    fn t_quantiles_beyond_the_table() {
        // Published: t(0.975, 40) = 2.021, t(0.975, 60) = 2.000, t(0.975, 120) = 1.980.
        assert!((t975(40) - 2.021).abs() < 1e-3);
        assert!((t975(60) - 2.000).abs() < 1e-3);
        assert!((t975(120) - 1.980).abs() < 1e-3);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(Summary::of(&[]).mean, 0.0);
        let one = Summary::of(&[4.0]);
        assert_eq!((one.ci95_low, one.ci95_high), (4.0, 4.0));
    }
}
