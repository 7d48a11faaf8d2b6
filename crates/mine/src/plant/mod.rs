//! The processing plant: nameplate capacity, availability and utilisation, feed targets by
//! year with a ramp-up, the run-of-mine stockpile between mine and plant, and recoveries of
//! each metal to its product; how the plant ramps up ([`rampup`]) and what it does with
//! the ore by its clay content ([`metallurgy`]).

pub mod downtime;
pub mod metallurgy;
pub mod rampup;

use crate::limits;
use des::input::Invalid;
pub use downtime::DowntimeConfig;
pub use metallurgy::MetallurgyConfig;
pub use rampup::RampUpConfig;
use serde::{Deserialize, Serialize};

/// Molar-mass ratio of zinc sulphate monohydrate (ZnSO4·H2O, 179.47 g/mol) to zinc (65.38).
pub const ZNSO4_H2O_PER_ZN: f64 = 179.47 / 65.38;
/// Molar-mass ratio of manganese carbonate (MnCO3, 114.95 g/mol) to manganese (54.94).
pub const MNCO3_PER_MN: f64 = 114.95 / 54.94;

/// A feed target from an operating year on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedTarget {
    /// First operating year (1-based) of this target.
    pub from_year: u32,
    /// Dry tonnes per year to feed.
    pub dry_t_per_year: f64,
}

/// Recoveries from feed to product, % of the metal fed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recoveries {
    /// Copper to cathode.
    pub cu_pct: f64,
    /// Cobalt to cathode.
    pub co_pct: f64,
    /// Zinc to zinc sulphate monohydrate.
    pub zn_pct: f64,
    /// Manganese to manganese carbonate (0 when no Mn circuit).
    pub mn_pct: f64,
}

/// The plant and its stockpile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlantConfig {
    /// Nameplate feed rate, dry t per operating hour.
    pub nameplate_dry_t_per_h: f64,
    /// Share of calendar time the plant is available.
    pub availability_pct: f64,
    /// Share of available time it runs at nameplate.
    pub utilisation_pct: f64,
    /// Feed targets by operating year (the latest `from_year` not after the year applies).
    pub feed_targets: Vec<FeedTarget>,
    /// Ramp-up: % of the target reachable in operating years 1, 2, ...; 100 after the list.
    pub ramp_up_pct: Vec<f64>,
    /// Run-of-mine stockpile capacity, dry t (the mine stops when it is full).
    pub stockpile_capacity_dry_t: f64,
    /// Stockpile at the start of operations, dry t (at the first manto's grades).
    #[serde(default)]
    pub stockpile_initial_dry_t: f64,
    /// Metal recoveries to products.
    pub recovery: Recoveries,
    /// What the plant can do while it ramps up (a McNulty series or curves by month);
    /// absent, the plant is at design from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_up: Option<RampUpConfig>,
    /// Recovery, acid and throughput by the clay content of the feed; absent, the fixed
    /// `recovery` and the finance model's acid rate apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metallurgy: Option<MetallurgyConfig>,
    /// Planned shutdowns and unplanned stops by plant area, simulated; with it
    /// `availability_pct` is not applied (availability becomes an output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime: Option<DowntimeConfig>,
}

impl PlantConfig {
    /// Problems with the plant inputs, under `path`.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        let p = |k: &str| format!("{path}.{k}");
        if !(self.nameplate_dry_t_per_h > 0.0) {
            out.push(Invalid::new(p("nameplate_dry_t_per_h"), "must be positive"));
        } else {
            limits::check_range(
                &mut out,
                p("nameplate_dry_t_per_h"),
                "nameplate",
                self.nameplate_dry_t_per_h,
                (0.0, limits::MAX_NAMEPLATE_DRY_T_PER_H),
                " dry t/h",
            );
        }
        let lists_ok = limits::check_len(
            &mut out,
            p("feed_targets"),
            self.feed_targets.len(),
            limits::MAX_LIST_LEN,
        ) & limits::check_len(
            &mut out,
            p("ramp_up_pct"),
            self.ramp_up_pct.len(),
            limits::MAX_SCHEDULE_YEARS as usize,
        );
        if !lists_ok {
            return out;
        }
        for (k, v) in [
            ("availability_pct", self.availability_pct),
            ("utilisation_pct", self.utilisation_pct),
        ] {
            if !(v > 0.0 && v <= 100.0) {
                out.push(Invalid::new(p(k), "must be above 0 and at most 100"));
            }
        }
        if self.feed_targets.is_empty() {
            out.push(Invalid::new(p("feed_targets"), "needs at least one target"));
        } else if self.feed_targets[0].from_year != 1 {
            out.push(Invalid::new(
                p("feed_targets[0].from_year"),
                "the first target must start in year 1",
            ));
        }
        for (i, t) in self.feed_targets.iter().enumerate() {
            if !(t.dry_t_per_year > 0.0) {
                out.push(Invalid::new(
                    format!("{path}.feed_targets[{i}].dry_t_per_year"),
                    "must be positive",
                ));
            } else {
                limits::check_range(
                    &mut out,
                    format!("{path}.feed_targets[{i}].dry_t_per_year"),
                    "feed target",
                    t.dry_t_per_year,
                    (0.0, limits::MAX_TONNES),
                    " dry t/y",
                );
            }
            if t.from_year > limits::MAX_SCHEDULE_YEARS {
                out.push(Invalid::new(
                    format!("{path}.feed_targets[{i}].from_year"),
                    format!(
                        "year {} is outside the allowed 1 to {}",
                        limits::fmt_num(f64::from(t.from_year)),
                        limits::MAX_SCHEDULE_YEARS
                    ),
                ));
            }
            if i > 0 && t.from_year <= self.feed_targets[i - 1].from_year {
                out.push(Invalid::new(
                    format!("{path}.feed_targets[{i}].from_year"),
                    "targets must be in increasing year order",
                ));
            }
        }
        for (i, r) in self.ramp_up_pct.iter().enumerate() {
            if !(*r > 0.0 && *r <= 100.0) {
                out.push(Invalid::new(
                    format!("{path}.ramp_up_pct[{i}]"),
                    "must be above 0 and at most 100",
                ));
            }
        }
        if !(self.stockpile_capacity_dry_t > 0.0) {
            out.push(Invalid::new(
                p("stockpile_capacity_dry_t"),
                "must be positive",
            ));
        } else {
            limits::check_range(
                &mut out,
                p("stockpile_capacity_dry_t"),
                "stockpile capacity",
                self.stockpile_capacity_dry_t,
                (0.0, limits::MAX_TONNES),
                " dry t",
            );
        }
        if !(self.stockpile_initial_dry_t >= 0.0
            && self.stockpile_initial_dry_t <= self.stockpile_capacity_dry_t)
        {
            out.push(Invalid::new(
                p("stockpile_initial_dry_t"),
                "must be between 0 and the capacity",
            ));
        }
        if let Some(r) = &self.ramp_up {
            out.extend(r.validate(&p("ramp_up")));
        }
        if let Some(m) = &self.metallurgy {
            out.extend(m.validate(&p("metallurgy")));
        }
        if let Some(d) = &self.downtime {
            out.extend(d.validate(&p("downtime")));
        }
        let r = &self.recovery;
        for (k, v) in [
            ("cu_pct", r.cu_pct),
            ("co_pct", r.co_pct),
            ("zn_pct", r.zn_pct),
            ("mn_pct", r.mn_pct),
        ] {
            if !(0.0..=100.0).contains(&v) {
                out.push(Invalid::new(
                    format!("{path}.recovery.{k}"),
                    "a recovery must be between 0 and 100 %",
                ));
            }
        }
        out
    }

    /// Design feed rate for operating year `year` (1-based), before the plan's ramp-up,
    /// dry t/y: what a ramp-up curve's 100% means.
    pub fn design_dry_t(&self, year: u32) -> f64 {
        self.feed_targets
            .iter()
            .rev()
            .find(|t| t.from_year <= year)
            .map_or(0.0, |t| t.dry_t_per_year)
    }

    /// The ramp-up in force, if it changes anything.
    pub fn active_ramp_up(&self) -> Option<&RampUpConfig> {
        self.ramp_up.as_ref().filter(|r| r.active())
    }

    /// Feed target for operating year `year` (1-based), ramp-up applied, dry t/y.
    pub fn target_dry_t(&self, year: u32) -> f64 {
        let base = self.design_dry_t(year);
        let ramp = self
            .ramp_up_pct
            .get(year as usize - 1)
            .copied()
            .unwrap_or(100.0);
        base * ramp / 100.0
    }

    /// Dry tonnes the plant can treat per hour of calendar time.
    pub fn capacity_dry_t_per_h(&self) -> f64 {
        self.nameplate_dry_t_per_h * self.availability_pct / 100.0 * self.utilisation_pct / 100.0
    }

    /// Products `[cu cathode, co cathode, ZnSO4·H2O, MnCO3]` in tonnes from metal already
    /// recovered `[cu, co, zn, mn]` in tonnes (a metallurgy table's recoveries applied).
    pub fn recovered_products_t(&self, recovered_t: [f64; 4]) -> [f64; 4] {
        [
            recovered_t[0],
            recovered_t[1],
            recovered_t[2] * ZNSO4_H2O_PER_ZN,
            recovered_t[3] * MNCO3_PER_MN,
        ]
    }

    /// Products `[cu cathode, co cathode, ZnSO4·H2O, MnCO3]` in tonnes from metal fed
    /// `[cu, co, zn, mn]` in tonnes.
    pub fn products_t(&self, metal_fed_t: [f64; 4]) -> [f64; 4] {
        let r = &self.recovery;
        [
            metal_fed_t[0] * r.cu_pct / 100.0,
            metal_fed_t[1] * r.co_pct / 100.0,
            metal_fed_t[2] * r.zn_pct / 100.0 * ZNSO4_H2O_PER_ZN,
            metal_fed_t[3] * r.mn_pct / 100.0 * MNCO3_PER_MN,
        ]
    }
}

/// People by role: per section per shift, per machine per shift, and fixed staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrewConfig {
    /// Rotating crews needed to man the production shifts (e.g. 4 for a 3-shift,
    /// 7-day roster).
    pub crews: f64,
    /// Roles on every section in every crew.
    pub per_section: Vec<Role>,
    /// Operators per roof bolter per crew.
    pub per_bolter: f64,
    /// Operators per hauler per crew.
    pub per_hauler: f64,
    /// Mine staff independent of the fleet (engineering, geology, maintenance planning).
    pub fixed: Vec<Role>,
}

/// A role and how many people fill it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Role name.
    pub role: String,
    /// People in it (per section per crew, or in total for fixed staff).
    pub count: f64,
}

impl CrewConfig {
    /// Problems with the crew inputs, under `path`.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        if !(self.crews > 0.0) {
            out.push(Invalid::new(format!("{path}.crews"), "must be positive"));
        } else {
            limits::check_range(
                &mut out,
                format!("{path}.crews"),
                "crews",
                self.crews,
                (0.0, limits::MAX_PEOPLE),
                "",
            );
        }
        for (k, v) in [
            ("per_bolter", self.per_bolter),
            ("per_hauler", self.per_hauler),
        ] {
            if !(v >= 0.0) {
                out.push(Invalid::new(
                    format!("{path}.{k}"),
                    "must be zero or positive",
                ));
            } else {
                limits::check_range(
                    &mut out,
                    format!("{path}.{k}"),
                    "operators",
                    v,
                    (0.0, limits::MAX_PEOPLE),
                    "",
                );
            }
        }
        for (list, name) in [(&self.per_section, "per_section"), (&self.fixed, "fixed")] {
            if !limits::check_len(
                &mut out,
                format!("{path}.{name}"),
                list.len(),
                limits::MAX_LIST_LEN,
            ) {
                continue;
            }
            for (i, r) in list.iter().enumerate() {
                if !(r.count >= 0.0) {
                    out.push(Invalid::new(
                        format!("{path}.{name}[{i}].count"),
                        "must be zero or positive",
                    ));
                } else {
                    limits::check_range(
                        &mut out,
                        format!("{path}.{name}[{i}].count"),
                        "people",
                        r.count,
                        (0.0, limits::MAX_PEOPLE),
                        "",
                    );
                }
            }
        }
        out
    }

    /// Headcount by role for `sections` sections with `bolters` and `haulers` each.
    pub fn headcount(&self, sections: f64, bolters: f64, haulers: f64) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .per_section
            .iter()
            .map(|r| (r.role.clone(), r.count * sections * self.crews))
            .collect();
        out.push((
            "roof bolter operator".into(),
            self.per_bolter * bolters * sections * self.crews,
        ));
        out.push((
            "hauler operator".into(),
            self.per_hauler * haulers * sections * self.crews,
        ));
        out.extend(self.fixed.iter().map(|r| (r.role.clone(), r.count)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_conversions_use_molar_masses() {
        // 1 t of Zn makes 179.47/65.38 = 2.745 t of ZnSO4·H2O; 1 t of Mn, 2.092 t of MnCO3.
        assert!((ZNSO4_H2O_PER_ZN - 2.744_99).abs() < 1e-4);
        assert!((MNCO3_PER_MN - 2.092_28).abs() < 1e-4);
    }
}
