//! Plant ramp-up as it happens: what share of design throughput, availability and recovery
//! the plant reaches month by month from the start of operations, from McNulty's four
//! ramp-up series or from the scenario's own curves.
//!
//! The plan's `ramp_up_pct` says what the plant is *asked* to treat; a ramp-up curve says
//! what it *can* treat. The plant feeds the smaller of the two, so a plant on a slow
//! series falls short of the plan, and one on series 4 never reaches design.
//!
//! McNulty, T.P. (1998), "Developing innovative technology", Mining Engineering 50(10),
//! pp. 50–55, and McNulty (2004), "Minimization of delays in plant startups", SME: four
//! series of plants by how novel the process and how well tested the feed were. The
//! figure's numbers could not be read here, so the built-in curves are built from the
//! published descriptions of each series (docs/ore-plant.md says which point comes from
//! which description and which are assumptions).

use crate::limits;
use des::input::Invalid;
use serde::{Deserialize, Serialize};

/// Days per month in the curves (a 365-day year of twelve months).
pub const DAYS_PER_MONTH: f64 = 365.0 / 12.0;

/// Highest share of design a curve may reach, % (plants are debottlenecked above design).
pub const MAX_CURVE_PCT: f64 = 150.0;

/// Most months a curve point may sit at.
pub const MAX_CURVE_MONTH: f64 = 12.0 * limits::MAX_SCHEDULE_YEARS as f64;

/// One point of a ramp-up curve: at `month` months from the start of operations the
/// plant reaches `pct` % of design. Linear between points; before the first, the first
/// value; after the last, the last value (the plateau, which may stay under 100).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurvePoint {
    /// Months from the start of operations.
    pub month: f64,
    /// Share of design reached, %.
    pub pct: f64,
}

/// A curve of % of design by month from the start of operations.
pub type Curve = [CurvePoint];

const fn pt(month: f64, pct: f64) -> CurvePoint {
    CurvePoint { month, pct }
}

/// McNulty series 1 (mature technology, thoroughly tested feed): throughput, % of design.
/// Design within about six months of start-up (McNulty 1998, described); the start at
/// 80% and the 3-month point are assumptions read from that description.
pub const MCNULTY_1_THROUGHPUT: [CurvePoint; 3] = [pt(0.0, 80.0), pt(3.0, 95.0), pt(6.0, 100.0)];
/// McNulty series 2 (technology in use elsewhere, or adapted): design in about a year
/// (McNulty 1998, described); the start and the 6-month point are assumptions.
pub const MCNULTY_2_THROUGHPUT: [CurvePoint; 3] = [pt(0.0, 60.0), pt(6.0, 85.0), pt(12.0, 100.0)];
/// McNulty series 3 (novel process or poorly understood feed): about 60% of design after
/// a year, design after about three years (McNulty 1998, described); the start and the
/// 24-month point are assumptions.
pub const MCNULTY_3_THROUGHPUT: [CurvePoint; 4] = [
    pt(0.0, 30.0),
    pt(12.0, 60.0),
    pt(24.0, 85.0),
    pt(36.0, 100.0),
];
/// McNulty series 4 (novel, often hydrometallurgical, poorly tested): never reaches
/// design (McNulty 1998, described); the plateau at 60% and the path to it are
/// assumptions, bracketed by Murrin Murrin at 31–37% of design in its years 7–8 and
/// Murrin Murrin's break-even at 32% (ground-rampup-schedule-risk.md §3).
pub const MCNULTY_4_THROUGHPUT: [CurvePoint; 4] = [
    pt(0.0, 15.0),
    pt(12.0, 35.0),
    pt(24.0, 50.0),
    pt(36.0, 60.0),
];

/// Recovery during ramp-up, % of design recovery, for series 1 and 2: target recovery is
/// generally reached within six months (Soutex, SME: "target recovery and grades are
/// generally reached on time (within 6 months)"); the starting 90% is an assumption.
pub const RECOVERY_1_2: [CurvePoint; 2] = [pt(0.0, 90.0), pt(6.0, 100.0)];
/// Recovery for series 3: assumption, slower than Soutex's six months (a feed that is
/// poorly understood is the series' definition); design recovery after two years.
pub const RECOVERY_3: [CurvePoint; 3] = [pt(0.0, 85.0), pt(12.0, 95.0), pt(24.0, 100.0)];
/// Recovery for series 4: assumption, a plant that never reaches design throughput does
/// not reach its test-work recovery either; plateau at 92% of design recovery.
pub const RECOVERY_4: [CurvePoint; 3] = [pt(0.0, 80.0), pt(12.0, 88.0), pt(24.0, 92.0)];

/// The plant's ramp-up: a McNulty series and/or the scenario's own curves (each curve
/// given replaces the series' curve for that aspect).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RampUpConfig {
    /// McNulty series 1 to 4, or 0 for none (the plant at design from the start; the
    /// plan's `ramp_up_pct` alone limits the feed).
    #[serde(default)]
    pub series: u32,
    /// Throughput, % of the design feed rate, by month.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throughput: Vec<CurvePoint>,
    /// Availability, % of the plant's design availability, by month (McNulty's series
    /// measure output, so they carry no separate availability curve: 100% unless given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub availability: Vec<CurvePoint>,
    /// Recovery of every metal, % of its design recovery, by month.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery: Vec<CurvePoint>,
}

/// Linear interpolation of `curve` at `month` (flat beyond its ends); 100 when empty.
pub fn at(curve: &Curve, month: f64) -> f64 {
    let Some(first) = curve.first() else {
        return 100.0;
    };
    if month <= first.month {
        return first.pct;
    }
    for w in curve.windows(2) {
        let (a, b) = (w[0], w[1]);
        if month <= b.month {
            let span = b.month - a.month;
            if span <= 0.0 {
                return b.pct;
            }
            return a.pct + (b.pct - a.pct) * (month - a.month) / span;
        }
    }
    curve[curve.len() - 1].pct
}

impl RampUpConfig {
    /// True when the ramp-up changes anything (a series or a curve).
    pub fn active(&self) -> bool {
        self.series != 0
            || !self.throughput.is_empty()
            || !self.availability.is_empty()
            || !self.recovery.is_empty()
    }

    /// The throughput curve in force.
    pub fn throughput_curve(&self) -> &Curve {
        if !self.throughput.is_empty() {
            return &self.throughput;
        }
        match self.series {
            1 => &MCNULTY_1_THROUGHPUT,
            2 => &MCNULTY_2_THROUGHPUT,
            3 => &MCNULTY_3_THROUGHPUT,
            4 => &MCNULTY_4_THROUGHPUT,
            _ => &[],
        }
    }

    /// The availability curve in force.
    pub fn availability_curve(&self) -> &Curve {
        &self.availability
    }

    /// The recovery curve in force.
    pub fn recovery_curve(&self) -> &Curve {
        if !self.recovery.is_empty() {
            return &self.recovery;
        }
        match self.series {
            1 | 2 => &RECOVERY_1_2,
            3 => &RECOVERY_3,
            4 => &RECOVERY_4,
            _ => &[],
        }
    }

    /// `(throughput, availability, recovery)` in % of design at `month` months from the
    /// start of operations.
    pub fn factors_pct(&self, month: f64) -> (f64, f64, f64) {
        (
            at(self.throughput_curve(), month),
            at(self.availability_curve(), month),
            at(self.recovery_curve(), month),
        )
    }

    /// Problems with the ramp-up inputs, under `path`.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.series > 4 {
            out.push(Invalid::new(
                format!("{path}.series"),
                "must be 0 (none) or a McNulty series 1 to 4",
            ));
        }
        for (name, curve) in [
            ("throughput", &self.throughput),
            ("availability", &self.availability),
            ("recovery", &self.recovery),
        ] {
            let key = format!("{path}.{name}");
            if !limits::check_len(&mut out, key.clone(), curve.len(), limits::MAX_LIST_LEN) {
                continue;
            }
            for (i, p) in curve.iter().enumerate() {
                if !(p.month >= 0.0 && p.month <= MAX_CURVE_MONTH) {
                    out.push(Invalid::new(
                        format!("{key}[{i}].month"),
                        format!("must be between 0 and {MAX_CURVE_MONTH} months"),
                    ));
                }
                if i > 0 && !(p.month > curve[i - 1].month) {
                    out.push(Invalid::new(
                        format!("{key}[{i}].month"),
                        "points must be in increasing month order",
                    ));
                }
                if !(p.pct > 0.0 && p.pct <= MAX_CURVE_PCT) {
                    out.push(Invalid::new(
                        format!("{key}[{i}].pct"),
                        format!("must be above 0 and at most {MAX_CURVE_PCT} % of design"),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: u32) -> RampUpConfig {
        RampUpConfig {
            series: n,
            ..Default::default()
        }
    }

    /// The first month at which the throughput curve reaches `pct`, searched by day.
    fn months_to(r: &RampUpConfig, pct: f64) -> Option<f64> {
        (0..=12 * 30 * 10)
            .map(|d| f64::from(d) / 30.0)
            .find(|&m| r.factors_pct(m).0 >= pct - 1e-12)
    }

    #[test]
    fn mcnulty_series_reach_design_when_their_descriptions_say() {
        // Series 1: design in about six months; 2: about a year; 3: about 60% after a
        // year and design after about three years; 4: never.
        assert_eq!(months_to(&series(1), 100.0), Some(6.0));
        assert_eq!(months_to(&series(2), 100.0), Some(12.0));
        assert_eq!(series(3).factors_pct(12.0).0, 60.0);
        assert_eq!(months_to(&series(3), 100.0), Some(36.0));
        assert_eq!(months_to(&series(4), 100.0), None);
        assert_eq!(series(4).factors_pct(1200.0).0, 60.0);
        // Slower series are never ahead of faster ones.
        for d in 0..(12 * 30 * 6) {
            let m = f64::from(d) / 30.0;
            let t: Vec<f64> = (1..=4).map(|s| series(s).factors_pct(m).0).collect();
            assert!(t.windows(2).all(|w| w[0] >= w[1]), "month {m}: {t:?}");
        }
    }

    /// The mean of the throughput curve over months 0 to 12 (trapezoids on whole months,
    /// exact for these curves, whose breakpoints in the first year are whole months).
    fn first_year_mean(r: &RampUpConfig) -> f64 {
        (0..12)
            .map(|m| (r.factors_pct(f64::from(m)).0 + r.factors_pct(f64::from(m + 1)).0) / 2.0)
            .sum::<f64>()
            / 12.0
    }

    #[test]
    fn first_year_averages_split_the_series_at_70_pct_of_design() {
        // The 2007 study's probabilities read "below 70% of design in the first year"
        // (the World Bank and CRA survey) as series 3 or 4: by hand from the points,
        // series 1: (87.5·3 + 97.5·3 + 100·6)/12; 2: (72.5·6 + 92.5·6)/12; 3: (30+60)/2;
        // 4: (15+35)/2.
        let means: Vec<f64> = (1..=4).map(|s| first_year_mean(&series(s))).collect();
        for (got, want) in means.iter().zip([96.25, 82.5, 45.0, 25.0]) {
            assert!((got - want).abs() < 1e-12, "{means:?}");
        }
        assert!(means[1] > 70.0 && means[2] < 70.0);
    }

    #[test]
    fn recovery_reaches_design_within_six_months_on_series_1_and_2() {
        // Soutex (SME): target recovery generally within six months.
        for s in [1, 2] {
            assert_eq!(series(s).factors_pct(6.0).2, 100.0);
            assert!(series(s).factors_pct(5.9).2 < 100.0);
        }
        assert!(series(4).factors_pct(600.0).2 < 100.0);
    }

    #[test]
    fn interpolation_is_linear_and_flat_beyond_the_ends() {
        let c = [pt(2.0, 40.0), pt(6.0, 80.0)];
        assert_eq!(at(&c, 0.0), 40.0);
        assert_eq!(at(&c, 4.0), 60.0);
        assert_eq!(at(&c, 5.0), 70.0);
        assert_eq!(at(&c, 60.0), 80.0);
        assert_eq!(at(&[], 3.0), 100.0);
    }

    #[test]
    fn user_curves_replace_the_series_and_none_is_inactive() {
        let mut r = series(3);
        r.throughput = vec![pt(0.0, 50.0), pt(24.0, 90.0)];
        assert_eq!(r.factors_pct(12.0).0, 70.0);
        assert_eq!(r.factors_pct(12.0).2, 95.0); // the series' recovery stays
        assert!(!series(0).active());
        assert_eq!(series(0).factors_pct(0.0), (100.0, 100.0, 100.0));
    }

    #[test]
    fn bad_curves_are_refused_by_key() {
        let mut r = series(5);
        r.recovery = vec![pt(3.0, 90.0), pt(3.0, 95.0), pt(4.0, 0.0)];
        let msgs: Vec<String> = r
            .validate("plant.ramp_up")
            .iter()
            .map(|i| i.path.clone())
            .collect();
        assert_eq!(
            msgs,
            [
                "plant.ramp_up.series",
                "plant.ramp_up.recovery[1].month",
                "plant.ramp_up.recovery[2].pct"
            ]
        );
    }
}
