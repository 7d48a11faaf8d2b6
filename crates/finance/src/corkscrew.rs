//! Corkscrews: every balance in the model (each loan, the lease, the DSRA, tax losses,
//! fixed assets, cash) is kept as opening + additions − reductions = closing, and the
//! opening of a period is the previous closing. [`Corkscrew::check`] tests both.

use serde::Serialize;

/// Why a corkscrew does not roll.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorkscrewError {
    /// Opening, additions, reductions and closing differ in length.
    #[error("{0}: vectors of different lengths")]
    Lengths(String),
    /// The first period does not open at zero.
    #[error("{name}: opening of period 0 is {opening}")]
    NonZeroStart {
        /// Balance name.
        name: String,
        /// Its opening.
        opening: f64,
    },
    /// A period does not open at the previous closing.
    #[error("{name}: period {period} opens at {opening} but period {} closed at {previous_closing}", period - 1)]
    Opening {
        /// Balance name.
        name: String,
        /// Period index.
        period: usize,
        /// Its opening.
        opening: f64,
        /// The previous period's closing.
        previous_closing: f64,
    },
    /// Opening + additions − reductions ≠ closing.
    #[error("{name}: period {period}: {opening} + {additions} - {reductions} = {} but closes at {closing}", opening + additions - reductions)]
    Roll {
        /// Balance name.
        name: String,
        /// Period index.
        period: usize,
        /// Opening.
        opening: f64,
        /// Additions.
        additions: f64,
        /// Reductions.
        reductions: f64,
        /// Closing.
        closing: f64,
    },
    /// A negative addition or reduction.
    #[error("{name}: period {period} has a negative flow")]
    NegativeFlow {
        /// Balance name.
        name: String,
        /// Period index.
        period: usize,
    },
}

/// One balance over the periods.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Corkscrew {
    /// What the balance is (e.g. `loan:Term loan`, `dsra`, `cash`).
    pub name: String,
    /// Opening balance of each period.
    pub opening: Vec<f64>,
    /// Additions in each period.
    pub additions: Vec<f64>,
    /// Reductions in each period.
    pub reductions: Vec<f64>,
    /// Closing balance of each period.
    pub closing: Vec<f64>,
}

impl Corkscrew {
    /// A corkscrew starting at zero built from additions and reductions.
    pub fn from_flows(name: &str, additions: Vec<f64>, reductions: Vec<f64>) -> Corkscrew {
        let n = additions.len();
        let (mut opening, mut closing) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut bal = 0.0;
        for i in 0..n {
            opening.push(bal);
            bal += additions[i] - reductions[i];
            closing.push(bal);
        }
        Corkscrew {
            name: name.to_string(),
            opening,
            additions,
            reductions,
            closing,
        }
    }

    /// The first period that breaks the corkscrew, with a description: opening ≠ previous
    /// closing, opening + additions − reductions ≠ closing, or a negative flow. `tol` is
    /// absolute in USD after scaling by `max(1, largest |value|)`.
    pub fn check(&self, tol: f64) -> Result<(), CorkscrewError> {
        let n = self.closing.len();
        if [&self.opening, &self.additions, &self.reductions]
            .iter()
            .any(|v| v.len() != n)
        {
            return Err(CorkscrewError::Lengths(self.name.clone()));
        }
        let scale = self
            .opening
            .iter()
            .chain(&self.additions)
            .chain(&self.reductions)
            .chain(&self.closing)
            .fold(1.0_f64, |m, v| m.max(v.abs()));
        let eps = tol * scale;
        for i in 0..n {
            if i == 0 && self.opening[0].abs() > eps {
                return Err(CorkscrewError::NonZeroStart {
                    name: self.name.clone(),
                    opening: self.opening[0],
                });
            }
            if i > 0 && (self.opening[i] - self.closing[i - 1]).abs() > eps {
                return Err(CorkscrewError::Opening {
                    name: self.name.clone(),
                    period: i,
                    opening: self.opening[i],
                    previous_closing: self.closing[i - 1],
                });
            }
            let rolled = self.opening[i] + self.additions[i] - self.reductions[i];
            if (rolled - self.closing[i]).abs() > eps {
                return Err(CorkscrewError::Roll {
                    name: self.name.clone(),
                    period: i,
                    opening: self.opening[i],
                    additions: self.additions[i],
                    reductions: self.reductions[i],
                    closing: self.closing[i],
                });
            }
            if self.additions[i] < -eps || self.reductions[i] < -eps {
                return Err(CorkscrewError::NegativeFlow {
                    name: self.name.clone(),
                    period: i,
                });
            }
        }
        Ok(())
    }
}
