//! The `[ground]` table: geotechnical classes with their support pattern, cut-depth limit,
//! cutting and floor effects and roof-fall hazard; where the classes are (shares, run
//! lengths, correlation between neighbouring entries); support costs; pillars.

use crate::limits;
use des::input::Invalid;
use des::Dist;
use serde::{Deserialize, Serialize};

/// Which rating the classes' `rating_min`/`rating_max` are on.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Coal Mine Roof Rating (Mark & Molinda 2003), 0-100: built for bedded, weak roof and
    /// the rating NIOSH's extended-cut and ARBS studies use.
    Cmrr,
    /// Bieniawski's Rock Mass Rating (1989), 0-100.
    Rmr,
    /// Barton's Q, mapped by the user onto 0-100.
    Q,
}

/// The `[ground]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundConfig {
    /// The rating the class ranges are given in.
    pub rating: Rating,
    /// Length of one step of the class chain along a heading.
    #[serde(default = "default_step_m")]
    pub step_m: f64,
    /// Probability that an entry of a panel follows its left neighbour's classes (the same
    /// ground), else it draws its own: the correlation of neighbouring entries' classes.
    #[serde(default)]
    pub neighbour_correlation: f64,
    /// The classes, in any order (the first is the default of a manto that declares no
    /// shares of its own).
    pub classes: Vec<GroundClass>,
    /// Class shares per manto, overriding the classes' `share`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mantos: Vec<MantoGround>,
    /// Unit costs of support consumables.
    #[serde(default)]
    pub costs: SupportCosts,
    /// Pillar design check (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pillars: Option<PillarConfig>,
}

fn default_step_m() -> f64 {
    1.0
}

fn one() -> f64 {
    1.0
}

/// One ground class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundClass {
    /// Name in reports.
    pub name: String,
    /// Lowest rating of the class (on `ground.rating`).
    pub rating_min: f64,
    /// Highest rating of the class.
    pub rating_max: f64,
    /// Long-run share of heading length in this class (the shares sum to 1).
    pub share: f64,
    /// Mean length of a run of this class along a heading.
    pub mean_run_m: f64,
    /// Deepest cut allowed before support in this class (the cut is the shallower of this
    /// and `section.geometry.cut_depth_m`).
    pub max_cut_depth_m: f64,
    /// Widest roof span allowed in this class (the entry width must not exceed it).
    pub max_span_m: f64,
    /// Factor on the miner's cutting-and-loading rate.
    #[serde(default = "one")]
    pub cutting_rate_factor: f64,
    /// The support pattern.
    pub support: SupportPattern,
    /// Floor: factor on the haulers' speeds loaded and empty.
    #[serde(default = "one")]
    pub haul_speed_factor: f64,
    /// Floor: probability that a haul trip bogs down.
    #[serde(default)]
    pub bog_probability: f64,
    /// Floor: time to recover a bogged hauler.
    #[serde(default)]
    pub bog_recovery_min: Dist,
    /// Roof falls of this class.
    #[serde(default)]
    pub falls: FallHazard,
}

/// A support pattern, from which the bolting time per metre is derived.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportPattern {
    /// Bolts per row across the entry.
    pub bolts_per_row: u32,
    /// Distance between rows along the entry.
    pub row_spacing_m: f64,
    /// Bolt length (for the consumables report; the time per bolt is the bolter's).
    pub bolt_length_m: f64,
    /// Resin cartridges per bolt (0 for mechanical bolts).
    #[serde(default)]
    pub resin_per_bolt: f64,
    /// Mesh the roof: time per metre of heading (0: no mesh).
    #[serde(default)]
    pub mesh_min_per_m: f64,
    /// Straps (W-straps, channels) per row.
    #[serde(default)]
    pub straps_per_row: f64,
    /// Time to install one strap.
    #[serde(default)]
    pub strap_min: f64,
    /// Cable bolts per intersection (a cut that crosses a crosscut line).
    #[serde(default)]
    pub cable_bolts_per_intersection: f64,
    /// Time to install one cable bolt.
    #[serde(default)]
    pub cable_bolt_min: f64,
    /// Probability that a cut needs supplementary support (as `section.bolters`' key of
    /// the same name, which the class replaces).
    #[serde(default)]
    pub extra_support_probability: f64,
    /// Time of the supplementary support.
    #[serde(default)]
    pub extra_support_min: Dist,
}

/// The roof-fall hazard of a class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FallHazard {
    /// Falls of supported roof per km of drivage (a Poisson count per cut).
    #[serde(default)]
    pub per_km: f64,
    /// Extra falls per intersection (a Poisson count per cut that crosses a crosscut line).
    #[serde(default)]
    pub per_intersection: f64,
    /// Stand-up time of unsupported roof: the Weibull scale of the time from cutting to
    /// bolting to a fall (0: unsupported roof does not fall).
    #[serde(default)]
    pub stand_up_h: f64,
    /// Weibull shape of that hazard (1 constant, above 1 growing with exposure).
    #[serde(default = "one")]
    pub shape: f64,
    /// Clean-up and re-support time of one fall (the bolter and the place are held).
    #[serde(default)]
    pub cleanup_h: Dist,
    /// Fallen roof per fall, wet t (waste joining the feed).
    #[serde(default)]
    pub fallen_wet_t: Dist,
    /// Probability that a fall abandons the heading: the face is re-collared beyond the
    /// fall and the ore skipped is lost.
    #[serde(default)]
    pub abandon_probability: f64,
    /// Length of heading skipped when abandoned.
    #[serde(default)]
    pub abandon_skip_m: f64,
}

impl Default for FallHazard {
    /// No falls (shape 1, a constant hazard, if a stand-up time is set).
    fn default() -> Self {
        FallHazard {
            per_km: 0.0,
            per_intersection: 0.0,
            stand_up_h: 0.0,
            shape: 1.0,
            cleanup_h: Dist::default(),
            fallen_wet_t: Dist::default(),
            abandon_probability: 0.0,
            abandon_skip_m: 0.0,
        }
    }
}

/// Class shares of one manto.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MantoGround {
    /// The manto's name (as in `[[deposit.mantos]]`).
    pub manto: String,
    /// Shares of the classes, in class order (sum to 1).
    pub shares: Vec<f64>,
}

/// Unit costs of support consumables, US$ (real terms of the finance model).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportCosts {
    /// One roof bolt (with plate).
    #[serde(default)]
    pub bolt_usd: f64,
    /// One resin cartridge.
    #[serde(default)]
    pub resin_usd: f64,
    /// Mesh per square metre of roof.
    #[serde(default)]
    pub mesh_usd_per_m2: f64,
    /// One strap.
    #[serde(default)]
    pub strap_usd: f64,
    /// One cable bolt.
    #[serde(default)]
    pub cable_bolt_usd: f64,
}

/// Which pillar-strength formula.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PillarFormula {
    /// Bieniawski (1984) square pillars: S1 (0.64 + 0.36 w/h).
    Bieniawski,
    /// Mark-Bieniawski (1997) rectangular pillars: S1 (0.64 + 0.54 w/h - 0.18 w^2/(L h)).
    MarkBieniawski,
    /// Salamon-Munro (1967): K h^-0.66 w^0.46, K = S1 (MPa, m).
    SalamonMunro,
}

/// Pillar design check, on the section geometry at each manto's thickness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PillarConfig {
    /// The strength formula.
    pub formula: PillarFormula,
    /// In-situ strength S1 of the formula (K for Salamon-Munro), MPa.
    pub strength_mpa: f64,
    /// Depth of cover of the panels.
    pub depth_of_cover_m: f64,
    /// Overburden density (vertical stress = density x g x depth).
    pub overburden_density_t_per_m3: f64,
    /// Least acceptable safety factor.
    pub min_safety_factor: f64,
    /// Size the pillars (pillar and crosscut centres) for the minimum safety factor
    /// instead of refusing a layout under it; the extraction ratio then scales panel
    /// tonnes.
    #[serde(default)]
    pub size: bool,
}

fn duration(out: &mut Vec<Invalid>, path: String, d: &Dist, per_h: f64) {
    if let Err(e) = d.validate_non_negative() {
        out.push(Invalid::new(path, e.to_string()));
        return;
    }
    let max = limits::MAX_MEAN_DURATION_H * per_h;
    let mean = d.mean();
    if !(mean <= max) {
        out.push(Invalid::new(
            path,
            format!(
                "mean {} is outside the plausible 0 to {} (a year)",
                limits::fmt_num(mean),
                limits::fmt_num(max)
            ),
        ));
    }
}

fn probability(out: &mut Vec<Invalid>, path: String, p: f64) {
    if !(0.0..=1.0).contains(&p) {
        out.push(Invalid::new(
            path,
            format!("a probability must be between 0 and 1 (got {p})"),
        ));
    }
}

fn non_negative(out: &mut Vec<Invalid>, path: String, what: &str, v: f64, max: f64, unit: &str) {
    limits::check_range(out, path, what, v, (0.0, max), unit);
}

impl GroundConfig {
    /// Every problem with the table, under `path` ("ground"). `entry_width_m` is the
    /// section's span (checked against each class's widest span) and `mantos` the
    /// deposit's manto names.
    pub fn validate(&self, path: &str, entry_width_m: f64, mantos: &[String]) -> Vec<Invalid> {
        use limits::check_range;
        let mut out = Vec::new();
        check_range(
            &mut out,
            format!("{path}.step_m"),
            "chain step",
            self.step_m,
            limits::GROUND_STEP_M,
            " m",
        );
        probability(
            &mut out,
            format!("{path}.neighbour_correlation"),
            self.neighbour_correlation,
        );
        if self.classes.is_empty() {
            out.push(Invalid::new(
                format!("{path}.classes"),
                "needs at least one [[ground.classes]]",
            ));
            return out;
        }
        if !limits::check_len(
            &mut out,
            format!("{path}.classes"),
            self.classes.len(),
            limits::MAX_GROUND_CLASSES,
        ) {
            return out;
        }
        for (i, c) in self.classes.iter().enumerate() {
            let p = |k: &str| format!("{path}.classes[{i}].{k}");
            if c.name.trim().is_empty() {
                out.push(Invalid::new(p("name"), "must not be empty"));
            }
            if self.classes[..i].iter().any(|o| o.name == c.name) {
                out.push(Invalid::new(
                    p("name"),
                    format!("class {:?} is declared twice", c.name),
                ));
            }
            for (k, v) in [("rating_min", c.rating_min), ("rating_max", c.rating_max)] {
                check_range(&mut out, p(k), "rating", v, limits::GROUND_RATING, "");
            }
            if c.rating_min > c.rating_max {
                out.push(Invalid::new(p("rating_min"), "must not exceed rating_max"));
            }
            probability(&mut out, p("share"), c.share);
            let before = out.len();
            check_range(
                &mut out,
                p("mean_run_m"),
                "mean run",
                c.mean_run_m,
                limits::GROUND_RUN_M,
                " m",
            );
            if out.len() == before && c.mean_run_m < self.step_m {
                out.push(Invalid::new(
                    p("mean_run_m"),
                    format!(
                        "must be at least one chain step (ground.step_m = {} m)",
                        self.step_m
                    ),
                ));
            }
            check_range(
                &mut out,
                p("max_cut_depth_m"),
                "cut limit",
                c.max_cut_depth_m,
                limits::CUT_DEPTH_M,
                " m",
            );
            let before = out.len();
            check_range(
                &mut out,
                p("max_span_m"),
                "span limit",
                c.max_span_m,
                limits::MAX_SPAN_M,
                " m",
            );
            if out.len() == before && entry_width_m > c.max_span_m {
                out.push(Invalid::new(
                    p("max_span_m"),
                    format!(
                        "the section's entry_width_m = {entry_width_m} m is wider than this class allows: narrow the entries or widen the class's span"
                    ),
                ));
            }
            for (k, v) in [
                ("cutting_rate_factor", c.cutting_rate_factor),
                ("haul_speed_factor", c.haul_speed_factor),
            ] {
                check_range(&mut out, p(k), "factor", v, limits::GROUND_FACTOR, "");
            }
            probability(&mut out, p("bog_probability"), c.bog_probability);
            duration(&mut out, p("bog_recovery_min"), &c.bog_recovery_min, 60.0);
            let s = &c.support;
            let sp = |k: &str| format!("{path}.classes[{i}].support.{k}");
            if s.bolts_per_row == 0 {
                out.push(Invalid::new(sp("bolts_per_row"), "must be at least 1"));
            } else {
                limits::check_count(
                    &mut out,
                    sp("bolts_per_row"),
                    "bolts per row",
                    u64::from(s.bolts_per_row),
                    1,
                    u64::from(limits::MAX_BOLTS_PER_ROW),
                );
            }
            check_range(
                &mut out,
                sp("row_spacing_m"),
                "row spacing",
                s.row_spacing_m,
                limits::ROW_SPACING_M,
                " m",
            );
            check_range(
                &mut out,
                sp("bolt_length_m"),
                "bolt length",
                s.bolt_length_m,
                limits::BOLT_LENGTH_M,
                " m",
            );
            for (k, v) in [
                ("resin_per_bolt", s.resin_per_bolt),
                ("straps_per_row", s.straps_per_row),
                (
                    "cable_bolts_per_intersection",
                    s.cable_bolts_per_intersection,
                ),
            ] {
                non_negative(&mut out, sp(k), "count", v, limits::MAX_SUPPORT_UNITS, "");
            }
            for (k, v) in [
                ("mesh_min_per_m", s.mesh_min_per_m),
                ("strap_min", s.strap_min),
                ("cable_bolt_min", s.cable_bolt_min),
            ] {
                non_negative(
                    &mut out,
                    sp(k),
                    "time",
                    v,
                    limits::MAX_MEAN_DURATION_H * 60.0,
                    " min",
                );
            }
            probability(
                &mut out,
                sp("extra_support_probability"),
                s.extra_support_probability,
            );
            duration(
                &mut out,
                sp("extra_support_min"),
                &s.extra_support_min,
                60.0,
            );
            let f = &c.falls;
            let fp = |k: &str| format!("{path}.classes[{i}].falls.{k}");
            check_range(
                &mut out,
                fp("per_km"),
                "falls per km",
                f.per_km,
                limits::FALLS_PER_KM,
                "",
            );
            non_negative(
                &mut out,
                fp("per_intersection"),
                "falls per intersection",
                f.per_intersection,
                10.0,
                "",
            );
            if f.stand_up_h != 0.0 {
                check_range(
                    &mut out,
                    fp("stand_up_h"),
                    "stand-up time",
                    f.stand_up_h,
                    limits::STAND_UP_H,
                    " h",
                );
            }
            check_range(
                &mut out,
                fp("shape"),
                "Weibull shape",
                f.shape,
                limits::HAZARD_SHAPE,
                "",
            );
            duration(&mut out, fp("cleanup_h"), &f.cleanup_h, 1.0);
            if let Err(e) = f.fallen_wet_t.validate_non_negative() {
                out.push(Invalid::new(fp("fallen_wet_t"), e.to_string()));
            } else {
                non_negative(
                    &mut out,
                    fp("fallen_wet_t"),
                    "mean fallen tonnage",
                    f.fallen_wet_t.mean(),
                    10_000.0,
                    " t",
                );
            }
            probability(&mut out, fp("abandon_probability"), f.abandon_probability);
            non_negative(
                &mut out,
                fp("abandon_skip_m"),
                "skipped length",
                f.abandon_skip_m,
                1_000.0,
                " m",
            );
        }
        // Shares: the classes' own, then each manto's.
        let own: Vec<f64> = self.classes.iter().map(|c| c.share).collect();
        if out.is_empty() {
            if let Err(m) = super::markov::Chain::new(self, &own) {
                out.push(Invalid::new(format!("{path}.classes"), m));
            }
        }
        if limits::check_len(
            &mut out,
            format!("{path}.mantos"),
            self.mantos.len(),
            limits::MAX_MANTOS,
        ) {
            for (i, m) in self.mantos.iter().enumerate() {
                let p = |k: &str| format!("{path}.mantos[{i}].{k}");
                if !mantos.contains(&m.manto) {
                    out.push(Invalid::new(
                        p("manto"),
                        format!(
                            "no manto {:?} in [[deposit.mantos]] ({})",
                            m.manto,
                            mantos.join(", ")
                        ),
                    ));
                }
                if self.mantos[..i].iter().any(|o| o.manto == m.manto) {
                    out.push(Invalid::new(p("manto"), "declared twice"));
                }
                if m.shares.len() != self.classes.len() {
                    out.push(Invalid::new(
                        p("shares"),
                        format!(
                            "has {} shares for {} classes",
                            m.shares.len(),
                            self.classes.len()
                        ),
                    ));
                    continue;
                }
                for (k, &s) in m.shares.iter().enumerate() {
                    probability(&mut out, format!("{path}.mantos[{i}].shares[{k}]"), s);
                }
                if out.is_empty() {
                    if let Err(e) = super::markov::Chain::new(self, &m.shares) {
                        out.push(Invalid::new(p("shares"), e));
                    }
                }
            }
        }
        let c = &self.costs;
        for (k, v) in [
            ("bolt_usd", c.bolt_usd),
            ("resin_usd", c.resin_usd),
            ("mesh_usd_per_m2", c.mesh_usd_per_m2),
            ("strap_usd", c.strap_usd),
            ("cable_bolt_usd", c.cable_bolt_usd),
        ] {
            check_range(
                &mut out,
                format!("{path}.costs.{k}"),
                "unit cost",
                v,
                limits::SUPPORT_UNIT_USD,
                " US$",
            );
        }
        if let Some(pc) = &self.pillars {
            let p = |k: &str| format!("{path}.pillars.{k}");
            check_range(
                &mut out,
                p("strength_mpa"),
                "pillar strength",
                pc.strength_mpa,
                limits::PILLAR_STRENGTH_MPA,
                " MPa",
            );
            check_range(
                &mut out,
                p("depth_of_cover_m"),
                "depth of cover",
                pc.depth_of_cover_m,
                limits::DEPTH_OF_COVER_M,
                " m",
            );
            check_range(
                &mut out,
                p("overburden_density_t_per_m3"),
                "overburden density",
                pc.overburden_density_t_per_m3,
                limits::OVERBURDEN_DENSITY_T_PER_M3,
                " t/m3",
            );
            check_range(
                &mut out,
                p("min_safety_factor"),
                "safety factor",
                pc.min_safety_factor,
                limits::PILLAR_SAFETY_FACTOR,
                "",
            );
        }
        out
    }

    /// The class shares of manto `name` (its own row in `mantos`, else the classes').
    pub fn shares_of(&self, name: &str) -> Vec<f64> {
        match self.mantos.iter().find(|m| m.manto == name) {
            Some(m) => m.shares.clone(),
            None => self.classes.iter().map(|c| c.share).collect(),
        }
    }
}

impl SupportPattern {
    /// Mean bolting time per metre of heading, min, derived from the pattern and the
    /// bolter's mean drill and install times per bolt with `booms` drilling in parallel:
    /// rows per metre x (bolts per boom x (drill + install) + straps x strap time), plus
    /// the mesh time and the expected supplementary support per metre of a `cut_m` cut;
    /// cable bolts at intersections are extra, per intersection.
    pub fn minutes_per_m(&self, drill_min: f64, install_min: f64, booms: u32, cut_m: f64) -> f64 {
        let per_boom = f64::from(self.bolts_per_row.div_ceil(booms.max(1)));
        let row = per_boom * (drill_min + install_min) + self.straps_per_row * self.strap_min;
        let extra = if cut_m > 0.0 {
            self.extra_support_probability * self.extra_support_min.mean() / cut_m
        } else {
            0.0
        };
        row / self.row_spacing_m + self.mesh_min_per_m + extra
    }
}
