//! The shift calendar: when a section is scheduled, and when within a shift it can work.
//!
//! A day is a list of shifts of equal length (production or maintenance); working days
//! repeat weekly. Inside a production shift, the crew's travel in and shift change, a meal
//! break at mid-shift and the travel out are scheduled time in which no machine works.
//! Maintenance shifts and non-working days are not scheduled production time; repairs go on
//! through them (see docs/scenario.md).

use crate::limits;
use des::input::Invalid;
use des::SimTime;
use des::{MS_PER_DAY, MS_PER_MIN};
use serde::{Deserialize, Serialize};

/// What a shift is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftKind {
    /// Coal-style production shift: the section cuts, bolts and hauls.
    Production,
    /// Maintenance shift: no production; repairs continue.
    Maintenance,
}

/// The shift pattern of a section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// Length of every shift.
    pub shift_length_h: f64,
    /// The shifts of a working day, in order from the start of the day.
    pub shifts: Vec<ShiftKind>,
    /// Working days per week (the first N days of each week).
    pub days_per_week: u32,
    /// Travel to the face and shift change at the start of a production shift.
    pub travel_in_min: f64,
    /// Meal break in the middle of a production shift.
    pub meal_break_min: f64,
    /// Travel out at the end of a production shift.
    pub travel_out_min: f64,
}

/// A calendar transition, in time order within a production shift.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CalendarEvent {
    /// A production shift starts: scheduled time begins (crew travelling in).
    ShiftStart,
    /// Machines may work.
    Open,
    /// Machines stop (meal break or travel out).
    Close,
    /// The production shift ends: scheduled time stops.
    ShiftEnd,
}

impl CalendarConfig {
    /// Checks the pattern fits in a day and leaves working time in each production shift.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        let p = |k: &str| format!("{path}.{k}");
        if !(self.shift_length_h > 0.0) {
            out.push(Invalid::new(p("shift_length_h"), "must be positive"));
        } else {
            limits::check_range(
                &mut out,
                p("shift_length_h"),
                "shift length",
                self.shift_length_h,
                limits::SHIFT_LENGTH_H,
                " h",
            );
        }
        if !limits::check_len(&mut out, p("shifts"), self.shifts.len(), 24) {
            return out;
        }
        if self.shifts.is_empty() {
            out.push(Invalid::new(p("shifts"), "needs at least one shift"));
        } else if !self.shifts.contains(&ShiftKind::Production) {
            out.push(Invalid::new(
                p("shifts"),
                "needs at least one production shift",
            ));
        }
        if self.shift_length_h * self.shifts.len() as f64 > 24.0 + 1e-9 {
            out.push(Invalid::new(
                p("shifts"),
                format!(
                    "{} shifts of {} h do not fit in a 24 h day",
                    self.shifts.len(),
                    self.shift_length_h
                ),
            ));
        }
        if self.days_per_week == 0 || self.days_per_week > 7 {
            out.push(Invalid::new(p("days_per_week"), "must be 1 to 7"));
        }
        for (k, v) in [
            ("travel_in_min", self.travel_in_min),
            ("meal_break_min", self.meal_break_min),
            ("travel_out_min", self.travel_out_min),
        ] {
            if !(v >= 0.0) || !v.is_finite() {
                out.push(Invalid::new(p(k), "must be zero or positive"));
            }
        }
        if self.productive_min_per_shift() <= 0.0 && self.shift_length_h > 0.0 {
            out.push(Invalid::new(
                p("travel_in_min"),
                "travel, meal and travel out leave no working time in the shift",
            ));
        }
        out
    }

    /// Working (machine) minutes in one production shift.
    pub fn productive_min_per_shift(&self) -> f64 {
        self.shift_length_h * 60.0 - self.travel_in_min - self.meal_break_min - self.travel_out_min
    }

    /// Production shifts in one working day.
    pub fn production_shifts_per_day(&self) -> usize {
        self.shifts
            .iter()
            .filter(|s| **s == ShiftKind::Production)
            .count()
    }

    /// Production shifts in a calendar year of 365 days (whole weeks pro rata).
    pub fn production_shifts_per_year(&self) -> f64 {
        self.production_shifts_per_day() as f64 * 365.0 * self.days_per_week as f64 / 7.0
    }

    /// One week of calendar transitions as (offset from the start of the week, event),
    /// sorted by time. The simulation walks this list cyclically.
    pub fn week(&self) -> Vec<(SimTime, CalendarEvent)> {
        let shift_ms = (self.shift_length_h * 3_600_000.0).round() as u64;
        let ms = |min: f64| (min * MS_PER_MIN as f64).round() as u64;
        let work = ms(self.productive_min_per_shift()).max(1);
        let first_half = work / 2;
        let mut out = Vec::new();
        for day in 0..self.days_per_week as u64 {
            for (i, kind) in self.shifts.iter().enumerate() {
                if *kind != ShiftKind::Production {
                    continue;
                }
                let start = day * MS_PER_DAY + i as u64 * shift_ms;
                let open1 = start + ms(self.travel_in_min);
                let close1 = open1 + first_half;
                let open2 = close1 + ms(self.meal_break_min);
                let close2 = open2 + (work - first_half);
                let end = start + shift_ms;
                out.push((SimTime(start), CalendarEvent::ShiftStart));
                out.push((SimTime(open1), CalendarEvent::Open));
                if self.meal_break_min > 0.0 {
                    out.push((SimTime(close1), CalendarEvent::Close));
                    out.push((SimTime(open2), CalendarEvent::Open));
                }
                out.push((SimTime(close2), CalendarEvent::Close));
                out.push((SimTime(end), CalendarEvent::ShiftEnd));
            }
        }
        out
    }
}

impl CalendarConfig {
    /// Production shifts a section run counts: those starting in the counted days, after
    /// `warmup_days` and before `warmup_days + days` (the section simulation starts on the
    /// first day of a week and walks [`CalendarConfig::week`] cyclically). Every
    /// replication of a run counts this many, whatever its draws.
    pub fn counted_shifts(&self, warmup_days: u32, days: u32) -> u64 {
        let from = u64::from(warmup_days) * MS_PER_DAY;
        let to = (u64::from(warmup_days) + u64::from(days)) * MS_PER_DAY;
        let starts: Vec<u64> = self
            .week()
            .iter()
            .filter(|(_, e)| *e == CalendarEvent::ShiftStart)
            .map(|(t, _)| t.0)
            .collect();
        let mut n = 0;
        let mut week = from / WEEK.0 * WEEK.0;
        while week < to {
            n += starts
                .iter()
                .filter(|&&t| (from..to).contains(&(week + t)))
                .count() as u64;
            week += WEEK.0;
        }
        n
    }
}

/// Length of a calendar week.
pub const WEEK: SimTime = SimTime(7 * MS_PER_DAY);

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> CalendarConfig {
        CalendarConfig {
            shift_length_h: 8.0,
            shifts: vec![
                ShiftKind::Production,
                ShiftKind::Production,
                ShiftKind::Maintenance,
            ],
            days_per_week: 6,
            travel_in_min: 30.0,
            meal_break_min: 30.0,
            travel_out_min: 15.0,
        }
    }

    #[test]
    fn week_has_the_right_working_time() {
        let c = cal();
        assert_eq!(c.productive_min_per_shift(), 405.0);
        let week = c.week();
        // 6 days x 2 production shifts x (start, open, close, open, close, end).
        assert_eq!(week.len(), 72);
        let mut open_ms = 0;
        let mut opened = None;
        for (t, e) in &week {
            match e {
                CalendarEvent::Open => opened = Some(t.0),
                CalendarEvent::Close => open_ms += t.0 - opened.take().unwrap(),
                _ => {}
            }
        }
        assert_eq!(open_ms, 12 * 405 * 60_000);
        assert!(week.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!((c.production_shifts_per_year() - 625.714).abs() < 1e-3);
    }

    #[test]
    fn impossible_patterns_are_rejected() {
        let mut c = cal();
        c.shifts = vec![ShiftKind::Production; 4];
        c.travel_in_min = 500.0;
        let paths: Vec<String> = c.validate("calendar").into_iter().map(|i| i.path).collect();
        assert!(paths.contains(&"calendar.shifts".to_string()));
        assert!(paths.contains(&"calendar.travel_in_min".to_string()));
    }
}
