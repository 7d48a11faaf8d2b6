//! The time base: quarterly periods from the first construction quarter to the end of
//! closure, their calendar labels, and the phase flags as 0/1 multipliers.

use crate::config::Timing;

/// Quarterly time base of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Calendar year of each period.
    pub year: Vec<i32>,
    /// Calendar quarter (1-4) of each period.
    pub quarter: Vec<u32>,
    /// 1 in construction quarters.
    pub construction: Vec<f64>,
    /// 1 in the ramp-up quarters (a subset of operations).
    pub ramp_up: Vec<f64>,
    /// 1 in operating quarters (ramp-up included).
    pub operations: Vec<f64>,
    /// 1 in closure quarters.
    pub closure: Vec<f64>,
    /// Index of the first operating quarter (commercial operation date, COD).
    pub cod: usize,
    /// Index of the first closure quarter (= number of periods if there is none).
    pub end_of_operations: usize,
}

impl Timeline {
    /// Builds the time base for `ops_quarters` operating quarters.
    pub fn new(t: &Timing, ops_quarters: usize) -> Timeline {
        let cod = t.construction_quarters;
        let eoo = cod + ops_quarters;
        let n = eoo + t.closure_quarters;
        let q0 = t.start_quarter.clamp(1, 4) as usize - 1;
        let ramp = (t.ramp_up_years as usize * 4).min(ops_quarters);
        let flag = |lo: usize, hi: usize| -> Vec<f64> {
            (0..n)
                .map(|i| f64::from(u8::from(i >= lo && i < hi)))
                .collect()
        };
        Timeline {
            year: (0..n)
                .map(|i| t.start_year + ((q0 + i) / 4) as i32)
                .collect(),
            quarter: (0..n).map(|i| ((q0 + i) % 4) as u32 + 1).collect(),
            construction: flag(0, cod),
            ramp_up: flag(cod, cod + ramp),
            operations: flag(cod, eoo),
            closure: flag(eoo, n),
            cod,
            end_of_operations: eoo,
        }
    }

    /// Number of periods.
    pub fn len(&self) -> usize {
        self.year.len()
    }

    /// Label such as `2010Q3`.
    pub fn label(&self, i: usize) -> String {
        format!("{}Q{}", self.year[i], self.quarter[i])
    }

    /// Spreads an operating-quarter series (index 0 = COD) onto the full time base.
    pub fn place_operations(&self, ops: &[f64]) -> Vec<f64> {
        (0..self.len())
            .map(|i| {
                i.checked_sub(self.cod)
                    .and_then(|k| ops.get(k))
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect()
    }
}
