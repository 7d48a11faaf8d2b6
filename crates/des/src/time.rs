//! Simulation time: an integer count of milliseconds.
//!
//! Integer time makes event ordering exact (no two floating-point sums that "should" be
//! equal compare unequal) and keeps runs byte-reproducible. A millisecond is far below any
//! duration a mine model cares about, and `u64` milliseconds cover 584 million years.

use std::ops::{Add, AddAssign, Sub};

/// An instant or a duration on the simulation clock, in whole milliseconds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// Milliseconds in one second.
pub const MS_PER_S: u64 = 1_000;
/// Milliseconds in one minute.
pub const MS_PER_MIN: u64 = 60_000;
/// Milliseconds in one hour.
pub const MS_PER_H: u64 = 3_600_000;
/// Milliseconds in one day.
pub const MS_PER_DAY: u64 = 86_400_000;

impl SimTime {
    /// Time zero, the start of every replication.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time, used as "never".
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// A duration of `min` minutes, rounded to the nearest millisecond; negative or NaN
    /// inputs become zero (a duration can not be negative).
    pub fn from_min(min: f64) -> SimTime {
        Self::from_ms_f64(min * MS_PER_MIN as f64)
    }
    /// A duration of `s` seconds, rounded to the nearest millisecond.
    pub fn from_s(s: f64) -> SimTime {
        Self::from_ms_f64(s * MS_PER_S as f64)
    }
    /// A duration of `h` hours, rounded to the nearest millisecond.
    pub fn from_h(h: f64) -> SimTime {
        Self::from_ms_f64(h * MS_PER_H as f64)
    }
    /// A duration of whole days.
    pub fn from_days(days: u64) -> SimTime {
        SimTime(days * MS_PER_DAY)
    }
    fn from_ms_f64(ms: f64) -> SimTime {
        if ms.is_nan() || ms <= 0.0 {
            SimTime(0)
        } else if ms >= u64::MAX as f64 {
            SimTime::NEVER
        } else {
            SimTime(ms.round() as u64)
        }
    }
    /// This time in minutes.
    pub fn as_min(self) -> f64 {
        self.0 as f64 / MS_PER_MIN as f64
    }
    /// This time in hours.
    pub fn as_h(self) -> f64 {
        self.0 as f64 / MS_PER_H as f64
    }
    /// `self - earlier`, or zero if `earlier` is later.
    pub fn saturating_sub(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        *self = *self + rhs;
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        self.saturating_sub(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_millisecond() {
        assert_eq!(SimTime::from_min(1.5), SimTime(90_000));
        assert_eq!(SimTime::from_s(0.0004), SimTime(0));
        assert_eq!(SimTime::from_s(0.0006), SimTime(1));
        assert_eq!(SimTime::from_h(2.0).as_min(), 120.0);
        assert_eq!(SimTime::from_min(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_days(1), SimTime::from_h(24.0));
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime(5) - SimTime(9), SimTime::ZERO);
        assert_eq!(SimTime::NEVER + SimTime(1), SimTime::NEVER);
    }
}
