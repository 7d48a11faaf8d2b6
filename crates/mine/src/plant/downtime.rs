//! Plant downtime simulated instead of assumed: planned shutdowns (the same days every
//! year) and unplanned stops per plant area (leach, CCD washing, SX-EW, ...), each area
//! failing after a drawn time between failures and down for a drawn time to repair. The
//! plant is a series system: it treats ore only while no area is down and no shutdown is
//! on. The run-of-mine stockpile keeps taking the mine's ore while the plant is down, so
//! it buffers between the two. With this table the plant's `availability_pct` is not
//! applied: availability is an output (`plant_up_h` of each period over its hours).
//!
//! Times between failures run on calendar time (an area can fail while another is under
//! repair), a simplification stated in docs/ore-plant.md.

use crate::limits;
use des::input::Invalid;
use des::{Dist, Stream, StreamKey};
use serde::{Deserialize, Serialize};

/// Stream family of the plant's downtime: area `a` of trial `k` draws from
/// `StreamKey::root(seed).child(PLANT_STREAMS).child(k).child(a)`.
pub const PLANT_STREAMS: u64 = 0x91A7_D0E1;

/// A shutdown planned every year.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shutdown {
    /// First day of the shutdown in each operating year (0 to 364).
    pub start_day: u32,
    /// Days it lasts (whole days; it may not run past day 364).
    pub days: u32,
}

/// One plant area and its unplanned stops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlantArea {
    /// Area name (leach, CCD, SX-EW, acid plant, ...).
    pub name: String,
    /// Calendar hours between failures (its mean is the MTBF).
    pub tbf_h: Dist,
    /// Hours to repair (its mean is the MTTR).
    pub ttr_h: Dist,
}

/// Planned shutdowns and unplanned stops by area.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DowntimeConfig {
    /// Shutdowns planned every year.
    #[serde(default)]
    pub planned: Vec<Shutdown>,
    /// Areas that stop the plant when they fail.
    #[serde(default)]
    pub areas: Vec<PlantArea>,
}

impl DowntimeConfig {
    /// Problems with the downtime inputs, under `path`.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        let ok = limits::check_len(
            &mut out,
            format!("{path}.planned"),
            self.planned.len(),
            limits::MAX_LIST_LEN,
        ) & limits::check_len(
            &mut out,
            format!("{path}.areas"),
            self.areas.len(),
            limits::MAX_FAILURE_MODES,
        );
        if !ok {
            return out;
        }
        for (i, s) in self.planned.iter().enumerate() {
            if s.start_day > 364 || s.days == 0 || s.start_day + s.days > 365 {
                out.push(Invalid::new(
                    format!("{path}.planned[{i}]"),
                    "a shutdown needs start_day 0 to 364 and at least one day, ending by day 364",
                ));
            }
        }
        for (i, a) in self.areas.iter().enumerate() {
            let p = format!("{path}.areas[{i}]");
            match a.tbf_h.validate_non_negative() {
                Err(e) => out.push(Invalid::new(format!("{p}.tbf_h"), e.to_string())),
                Ok(()) => limits::check_range(
                    &mut out,
                    format!("{p}.tbf_h"),
                    "mean time between failures",
                    a.tbf_h.mean(),
                    limits::MTBF_H,
                    " h",
                ),
            }
            match a.ttr_h.validate_non_negative() {
                Err(e) => out.push(Invalid::new(format!("{p}.ttr_h"), e.to_string())),
                Ok(()) => {
                    if !(a.ttr_h.mean() <= limits::MAX_MEAN_DURATION_H) {
                        out.push(Invalid::new(
                            format!("{p}.ttr_h"),
                            format!(
                                "mean {} is outside the plausible 0 to {} h (a year)",
                                limits::fmt_num(a.ttr_h.mean()),
                                limits::MAX_MEAN_DURATION_H
                            ),
                        ));
                    }
                }
            }
        }
        out
    }

    /// True when a shutdown is on in `day_of_year` (0-364).
    pub fn shut(&self, day_of_year: u32) -> bool {
        self.planned
            .iter()
            .any(|s| day_of_year >= s.start_day && day_of_year < s.start_day + s.days)
    }
}

/// One area's failures as the schedule walks through time.
struct AreaRun<'a> {
    area: &'a PlantArea,
    rng: Stream,
    /// The current or next down interval, calendar hours from the start of operations.
    down: (f64, f64),
}

impl AreaRun<'_> {
    fn next_after(&mut self, t: f64) {
        let start = t + self.area.tbf_h.sample(&mut self.rng).max(0.0);
        let end = start + self.area.ttr_h.sample(&mut self.rng).max(0.0);
        self.down = (start, end);
    }
}

/// The plant's up time, slot by slot, for one trial.
pub struct DowntimeRun<'a> {
    cfg: &'a DowntimeConfig,
    areas: Vec<AreaRun<'a>>,
    spans: Vec<(f64, f64)>,
}

impl<'a> DowntimeRun<'a> {
    /// A trial's run: area `a` draws from `key.child(a)`.
    pub fn new(cfg: &'a DowntimeConfig, key: StreamKey) -> DowntimeRun<'a> {
        let areas = cfg
            .areas
            .iter()
            .enumerate()
            .map(|(a, area)| {
                let mut r = AreaRun {
                    area,
                    rng: key.child(a as u64).stream(),
                    down: (0.0, 0.0),
                };
                r.next_after(0.0);
                r
            })
            .collect();
        DowntimeRun {
            cfg,
            areas,
            spans: Vec::new(),
        }
    }

    /// Hours the plant is up in `[t0_h, t1_h)` of day `day_of_year` (0-364): none during a
    /// planned shutdown, else the slot less the union of the areas' down intervals. Must be
    /// called for consecutive slots (it consumes the intervals that end in the slot).
    pub fn up_h(&mut self, day_of_year: u32, t0_h: f64, t1_h: f64) -> f64 {
        self.spans.clear();
        for a in &mut self.areas {
            loop {
                let (s, e) = a.down;
                if s >= t1_h {
                    break;
                }
                if e > t0_h {
                    self.spans.push((s.max(t0_h), e.min(t1_h)));
                }
                if e <= t1_h {
                    a.next_after(e);
                } else {
                    break;
                }
            }
        }
        if self.cfg.shut(day_of_year) {
            return 0.0;
        }
        self.spans.sort_by(|x, y| x.0.total_cmp(&y.0));
        let (mut down, mut reach) = (0.0, t0_h);
        for &(s, e) in &self.spans {
            let s = s.max(reach);
            if e > s {
                down += e - s;
                reach = e;
            }
        }
        (t1_h - t0_h - down).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(mtbf: f64, mttr: f64) -> PlantArea {
        PlantArea {
            name: "a".into(),
            tbf_h: Dist::exponential(mtbf).unwrap(),
            ttr_h: Dist::exponential(mttr).unwrap(),
        }
    }

    /// Long-run availability of `cfg` over `years`, slots of 8 h.
    fn availability(cfg: &DowntimeConfig, years: u32, seed: u64) -> f64 {
        let mut run = DowntimeRun::new(cfg, StreamKey::root(seed));
        let mut up = 0.0;
        for day in 0..365 * years {
            for s in 0..3 {
                let t0 = f64::from(day) * 24.0 + f64::from(s) * 8.0;
                up += run.up_h(day % 365, t0, t0 + 8.0);
            }
        }
        up / (f64::from(years) * 8760.0)
    }

    #[test]
    fn one_area_has_the_renewal_availability() {
        // Alternating renewal process: availability = MTBF / (MTBF + MTTR) = 100/110.
        // Over 200 years (about 16,000 cycles) the estimate's standard error is about
        // 0.1 points; 0.5 points is five of them.
        let cfg = DowntimeConfig {
            planned: vec![],
            areas: vec![area(100.0, 10.0)],
        };
        let a = availability(&cfg, 200, 7);
        assert!((a - 100.0 / 110.0).abs() < 0.005, "{a}");
    }

    #[test]
    fn independent_areas_in_series_multiply_and_shutdowns_subtract() {
        // Two independent areas on calendar time: each up 100/110 and 50/55 of the time,
        // both up (1/1.1)^2 = 0.8264; a 10-day shutdown every year leaves 355/365 of that
        // (the areas' clocks keep running through it).
        let cfg = DowntimeConfig {
            planned: vec![Shutdown {
                start_day: 100,
                days: 10,
            }],
            areas: vec![area(100.0, 10.0), area(50.0, 5.0)],
        };
        let a = availability(&cfg, 200, 11);
        let want = (1.0f64 / 1.1).powi(2) * 355.0 / 365.0;
        assert!((a - want).abs() < 0.006, "{a} against {want}");
        let none = DowntimeConfig::default();
        assert_eq!(availability(&none, 2, 1), 1.0);
    }

    #[test]
    fn bad_tables_are_refused_by_key() {
        let cfg = DowntimeConfig {
            planned: vec![Shutdown {
                start_day: 360,
                days: 10,
            }],
            areas: vec![area(0.01, 10.0)],
        };
        let paths: Vec<String> = cfg
            .validate("plant.downtime")
            .into_iter()
            .map(|i| i.path)
            .collect();
        assert_eq!(
            paths,
            ["plant.downtime.planned[0]", "plant.downtime.areas[0].tbf_h"]
        );
    }
}
