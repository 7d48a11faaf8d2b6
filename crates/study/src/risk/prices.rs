//! Metal price paths: one value per calendar year per product, from a mean-reverting
//! process in the log price (the discrete form of Schwartz's 1997 one-factor model, an
//! Ornstein–Uhlenbeck process in ln S) or a geometric Brownian motion, with the annual
//! shocks correlated across products through a Cholesky factor.
//!
//! Exact annual discretisation, x = ln S, z ~ N(0, 1):
//! - mean-reverting: x(t+1) = x(t) e^(-κ) + (1 - e^(-κ)) ln L + σ √((1 - e^(-2κ)) / 2κ) z,
//!   so ln S(t) is normal with mean ln L + (ln S0 - ln L) e^(-κt) and variance
//!   σ² (1 - e^(-2κt)) / 2κ; `long_run` L is the long-run **median** price.
//! - GBM: x(t+1) = x(t) + (μ - σ²/2) + σ z, so E[S(t)] = S0 e^(μt) and
//!   Var[S(t)] = S0² e^(2μt) (e^(σ²t) - 1).

use serde::{Deserialize, Serialize};

/// The stochastic process of one product's price.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Process {
    /// Ornstein–Uhlenbeck in the log price (Schwartz 1997, model 1).
    MeanReverting,
    /// Geometric Brownian motion.
    Gbm,
}

/// A price process for one product (`[[risk.prices]]`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceProcess {
    /// Product: `cu_cathode`, `co_cathode`, `znso4` or `mnco3`.
    pub product: String,
    /// The process.
    pub process: Process,
    /// Price at the study date, in the unit of the scenario's price deck for the product
    /// (USD per lb or per t).
    pub start: f64,
    /// Calendar year of `start`; the path gives one price per year from the next year on.
    pub start_year: i32,
    /// Mean-reverting: the long-run median price (same unit).
    #[serde(default)]
    pub long_run: f64,
    /// Mean-reverting: speed of reversion κ, per year.
    #[serde(default)]
    pub reversion_per_year: f64,
    /// Annual volatility σ of the log price, %.
    pub volatility_pct: f64,
    /// GBM: drift μ, % per year.
    #[serde(default)]
    pub drift_pct: f64,
    /// Where the parameters come from.
    #[serde(default)]
    pub source: String,
}

/// Products a price process may drive.
pub const PRODUCTS: [&str; 4] = ["cu_cathode", "co_cathode", "znso4", "mnco3"];

impl PriceProcess {
    /// One step of ln S with standard normal shock `z`.
    pub fn step(&self, x: f64, z: f64) -> f64 {
        let s = self.volatility_pct / 100.0;
        match self.process {
            Process::MeanReverting => {
                let k = self.reversion_per_year;
                let a = (-k).exp();
                let sd = if k > 0.0 {
                    s * ((1.0 - (-2.0 * k).exp()) / (2.0 * k)).sqrt()
                } else {
                    s
                };
                x * a + (1.0 - a) * self.long_run.ln() + sd * z
            }
            Process::Gbm => x + (self.drift_pct / 100.0 - 0.5 * s * s) + s * z,
        }
    }

    /// The price path for years `start_year + 1 ..= start_year + years` from annual shocks.
    pub fn path(&self, shocks: &[f64]) -> Vec<f64> {
        let mut x = self.start.ln();
        shocks
            .iter()
            .map(|&z| {
                x = self.step(x, z);
                x.exp()
            })
            .collect()
    }

    /// Mean and standard deviation of ln S after `t` years (the closed forms above).
    pub fn log_moments(&self, t: f64) -> (f64, f64) {
        let s = self.volatility_pct / 100.0;
        let x0 = self.start.ln();
        match self.process {
            Process::MeanReverting => {
                let k = self.reversion_per_year;
                let l = self.long_run.ln();
                let var = if k > 0.0 {
                    s * s * (1.0 - (-2.0 * k * t).exp()) / (2.0 * k)
                } else {
                    s * s * t
                };
                (l + (x0 - l) * (-k * t).exp(), var.sqrt())
            }
            Process::Gbm => (
                x0 + (self.drift_pct / 100.0 - 0.5 * s * s) * t,
                s * t.sqrt(),
            ),
        }
    }

    /// The price after `t` years at probability `p` of its marginal distribution (ln S is
    /// normal): the P10 or P90 "price deck" of the tornado.
    pub fn quantile_at(&self, t: f64, p: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        let (m, sd) = self.log_moments(t);
        let z = Normal::new(0.0, 1.0)
            .expect("standard normal")
            .inverse_cdf(p);
        (m + sd * z).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use des::StreamKey;
    use rand_distr::{Distribution, StandardNormal};

    fn ou() -> PriceProcess {
        PriceProcess {
            product: "cu_cathode".into(),
            process: Process::MeanReverting,
            start: 3.4,
            start_year: 2007,
            long_run: 1.5,
            reversion_per_year: 0.369,
            volatility_pct: 23.3,
            drift_pct: 0.0,
            source: String::new(),
        }
    }

    /// Simulated ln S at a horizon reproduces the closed-form mean and variance (and the
    /// GBM's E[S] and Var[S]) within the Monte Carlo error.
    #[test]
    fn processes_reproduce_their_analytic_moments() {
        let gbm = PriceProcess {
            process: Process::Gbm,
            drift_pct: 3.0,
            volatility_pct: 20.0,
            ..ou()
        };
        let n = 40_000;
        let t = 5usize;
        for p in [ou(), gbm.clone()] {
            let mut rng = StreamKey::root(9).stream();
            let finals: Vec<f64> = (0..n)
                .map(|_| {
                    let z: Vec<f64> = (0..t).map(|_| StandardNormal.sample(&mut rng)).collect();
                    *p.path(&z).last().unwrap()
                })
                .collect();
            let logs: Vec<f64> = finals.iter().map(|s| s.ln()).collect();
            let mean = logs.iter().sum::<f64>() / n as f64;
            let var = logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let (m, sd) = p.log_moments(t as f64);
            let se = sd / (n as f64).sqrt();
            assert!(
                (mean - m).abs() < 4.0 * se,
                "{:?}: mean {mean} vs {m}",
                p.process
            );
            // Var of the sample variance of a normal: 2 sd^4 / (n - 1).
            let se_var = (2.0 / (n - 1) as f64).sqrt() * sd * sd;
            assert!(
                (var - sd * sd).abs() < 4.0 * se_var,
                "var {var} vs {}",
                sd * sd
            );
            if p.process == Process::Gbm {
                let (mu, s) = (0.03, 0.2);
                let e = 3.4 * (mu * t as f64).exp();
                let v =
                    3.4f64.powi(2) * (2.0 * mu * t as f64).exp() * ((s * s * t as f64).exp() - 1.0);
                let m_s = finals.iter().sum::<f64>() / n as f64;
                assert!(
                    (m_s - e).abs() < 4.0 * (v / n as f64).sqrt(),
                    "E[S] {m_s} vs {e}"
                );
            }
        }
        // Broken on purpose: without mean reversion the horizon variance is larger and the
        // check above would fail.
        let no_rev = PriceProcess {
            reversion_per_year: 0.0,
            ..ou()
        };
        assert!(no_rev.log_moments(5.0).1 > 1.5 * ou().log_moments(5.0).1);
    }

    #[test]
    fn mean_reversion_pulls_the_median_to_the_long_run_price() {
        let p = ou();
        let near = p.quantile_at(1.0, 0.5);
        let far = p.quantile_at(40.0, 0.5);
        assert!(near > 2.5 && near < 3.4, "{near}");
        assert!((far - 1.5).abs() < 1e-4, "{far}");
        assert!(p.quantile_at(40.0, 0.1) < 1.5 && p.quantile_at(40.0, 0.9) > 1.5);
    }
}
