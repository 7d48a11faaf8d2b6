//! The deposit and how it is mined: mantos (ore beds) with reserves and grades, the small
//! mines that work them through panels in sequence, and the open pit.
//!
//! All reserve tonnages are dry. A panel draws its tonnage from its manto's reserve; the
//! sum of panels can never exceed the reserve, so reserves never go negative.

use crate::limits;
use des::input::Invalid;
use serde::{Deserialize, Serialize};

/// Grades of the four payable metals, in percent of dry mass.
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    /// Copper, % of dry mass.
    pub cu_pct: f64,
    /// Cobalt, % of dry mass.
    pub co_pct: f64,
    /// Zinc, % of dry mass.
    pub zn_pct: f64,
    /// Manganese, % of dry mass.
    pub mn_pct: f64,
}

impl Grades {
    fn validate(&self, path: &str, out: &mut Vec<Invalid>) {
        for (k, v) in [
            ("cu_pct", self.cu_pct),
            ("co_pct", self.co_pct),
            ("zn_pct", self.zn_pct),
            ("mn_pct", self.mn_pct),
        ] {
            if !(0.0..=100.0).contains(&v) {
                out.push(Invalid::new(
                    format!("{path}.{k}"),
                    "a grade must be between 0 and 100 %",
                ));
            }
        }
        if self.cu_pct + self.co_pct + self.zn_pct + self.mn_pct > 100.0 {
            out.push(Invalid::new(
                format!("{path}.cu_pct"),
                "grades add up to more than 100 %",
            ));
        }
    }

    /// Metal tonnes `[cu, co, zn, mn]` in `dry_t` of ore.
    pub fn metal_t(&self, dry_t: f64) -> [f64; 4] {
        [self.cu_pct, self.co_pct, self.zn_pct, self.mn_pct].map(|g| dry_t * g / 100.0)
    }
}

fn check_clay(out: &mut Vec<Invalid>, path: &str, clay_pct: Option<f64>) {
    if let Some(c) = clay_pct {
        if !(0.0..=100.0).contains(&c) {
            out.push(Invalid::new(
                format!("{path}.clay_pct"),
                "must be between 0 and 100 % of dry ore",
            ));
        }
    }
}

/// Problems with ore attributes a plant table reads: with a `[plant.metallurgy]` every
/// manto and the open pit need `clay_pct`. `path` is the deposit's.
pub fn validate_attributes(layout: &LayoutConfig, needs_clay: bool, path: &str) -> Vec<Invalid> {
    let mut out = Vec::new();
    if !needs_clay {
        return out;
    }
    for (i, m) in layout.mantos.iter().enumerate() {
        if m.clay_pct.is_none() {
            out.push(Invalid::new(
                format!("{path}.mantos[{i}].clay_pct"),
                "is needed by [plant.metallurgy] (recovery, acid and throughput by clay content)",
            ));
        }
    }
    if let Some(op) = &layout.open_pit {
        if op.clay_pct.is_none() {
            out.push(Invalid::new(
                format!("{path}.open_pit.clay_pct"),
                "is needed by [plant.metallurgy] (recovery, acid and throughput by clay content)",
            ));
        }
    }
    out
}

/// One ore bed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manto {
    /// Name, referred to by panels.
    pub name: String,
    /// Mineable reserve, dry tonnes.
    pub reserve_dry_t: f64,
    /// Mining thickness: the seam height the sections cut in this manto.
    pub thickness_m: f64,
    /// Reserve grades.
    #[serde(flatten)]
    pub grades: Grades,
    /// Clay content, % of dry ore (read by `[plant.metallurgy]`, which needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clay_pct: Option<f64>,
}

/// A run of identical panels in one manto.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelRun {
    /// Manto mined.
    pub manto: String,
    /// Number of panels in this run.
    #[serde(default = "one")]
    pub count: u32,
    /// Dry tonnes in each panel.
    pub dry_t: f64,
}

fn one() -> u32 {
    1
}

/// A small underground mine (an adit) with its sections and panel sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MineConfig {
    /// Name in reports.
    pub name: String,
    /// Operating year (1 = first year of production) in which each section starts; the
    /// list's length is the number of sections.
    pub section_start_years: Vec<u32>,
    /// Days to move a section to its next panel (production lost).
    pub panel_move_days: f64,
    /// Panels in mining order; a mine's panels are dealt to its sections in turn.
    pub panels: Vec<PanelRun>,
}

/// The open pit: a rate-limited supply of ore with its own grades.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenPitConfig {
    /// Mineable reserve, dry tonnes.
    pub reserve_dry_t: f64,
    /// Largest delivery rate, dry t per year (spread over production shifts).
    pub max_dry_t_per_year: f64,
    /// Operating year in which delivery starts.
    pub start_year: u32,
    /// Moisture of open-pit ore, % of wet mass.
    pub moisture_pct: f64,
    /// Reserve grades.
    #[serde(flatten)]
    pub grades: Grades,
    /// Clay content, % of dry ore (read by `[plant.metallurgy]`, which needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clay_pct: Option<f64>,
}

/// Deposit and mines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutConfig {
    /// Ore beds.
    pub mantos: Vec<Manto>,
    /// Underground mines.
    pub mines: Vec<MineConfig>,
    /// The open pit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_pit: Option<OpenPitConfig>,
    /// The spatial model of grade (`[deposit.grade]`); absent: every panel at its manto's
    /// grades.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<crate::grade::GradeConfig>,
    /// Planned dilution (`[deposit.dilution]`); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dilution: Option<crate::grade::DilutionConfig>,
}

impl LayoutConfig {
    /// Problems with the layout, under `path` (e.g. "deposit").
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.mantos.is_empty() {
            out.push(Invalid::new(
                format!("{path}.mantos"),
                "needs at least one manto",
            ));
        }
        let lists_ok = limits::check_len(
            &mut out,
            format!("{path}.mantos"),
            self.mantos.len(),
            limits::MAX_MANTOS,
        ) & limits::check_len(
            &mut out,
            format!("{path}.mines"),
            self.mines.len(),
            limits::MAX_MINES,
        );
        if !lists_ok {
            return out;
        }
        for (i, m) in self.mantos.iter().enumerate() {
            let p = format!("{path}.mantos[{i}]");
            if !(m.reserve_dry_t >= 0.0 && m.reserve_dry_t.is_finite()) {
                out.push(Invalid::new(
                    format!("{p}.reserve_dry_t"),
                    "must be zero or positive",
                ));
            } else {
                limits::check_range(
                    &mut out,
                    format!("{p}.reserve_dry_t"),
                    "reserve",
                    m.reserve_dry_t,
                    (0.0, limits::MAX_TONNES),
                    " dry t",
                );
            }
            if !(m.thickness_m > 0.0) {
                out.push(Invalid::new(format!("{p}.thickness_m"), "must be positive"));
            } else {
                limits::check_range(
                    &mut out,
                    format!("{p}.thickness_m"),
                    "mining thickness",
                    m.thickness_m,
                    limits::SEAM_HEIGHT_M,
                    " m",
                );
            }
            m.grades.validate(&p, &mut out);
            check_clay(&mut out, &p, m.clay_pct);
            if self.mantos[..i].iter().any(|o| o.name == m.name) {
                out.push(Invalid::new(
                    format!("{p}.name"),
                    format!("manto `{}` is defined twice", m.name),
                ));
            }
        }
        let mut drawn = vec![0.0; self.mantos.len()];
        let mut panels_total: u64 = 0;
        for (i, mine) in self.mines.iter().enumerate() {
            let p = format!("{path}.mines[{i}]");
            if !(limits::check_len(
                &mut out,
                format!("{p}.section_start_years"),
                mine.section_start_years.len(),
                limits::MAX_SECTIONS_PER_MINE,
            ) & limits::check_len(
                &mut out,
                format!("{p}.panels"),
                mine.panels.len(),
                limits::MAX_PANELS as usize,
            )) {
                continue;
            }
            if let Some(k) = mine
                .section_start_years
                .iter()
                .position(|&y| y > limits::MAX_SCHEDULE_YEARS)
            {
                out.push(Invalid::new(
                    format!("{p}.section_start_years[{k}]"),
                    format!(
                        "year {} is outside the allowed 1 to {}",
                        limits::fmt_num(f64::from(mine.section_start_years[k])),
                        limits::MAX_SCHEDULE_YEARS
                    ),
                ));
            }
            if mine.section_start_years.is_empty() {
                out.push(Invalid::new(
                    format!("{p}.section_start_years"),
                    "needs at least one section",
                ));
            }
            if mine.section_start_years.contains(&0) {
                out.push(Invalid::new(
                    format!("{p}.section_start_years"),
                    "years count from 1 (the first year of production)",
                ));
            }
            if !(mine.panel_move_days >= 0.0) {
                out.push(Invalid::new(
                    format!("{p}.panel_move_days"),
                    "must be zero or positive",
                ));
            } else {
                limits::check_range(
                    &mut out,
                    format!("{p}.panel_move_days"),
                    "panel move",
                    mine.panel_move_days,
                    limits::PANEL_MOVE_DAYS,
                    " days",
                );
            }
            for (j, run) in mine.panels.iter().enumerate() {
                let pp = format!("{p}.panels[{j}]");
                match self.mantos.iter().position(|m| m.name == run.manto) {
                    Some(k) => drawn[k] += run.dry_t * f64::from(run.count),
                    None => {
                        let names: Vec<&str> =
                            self.mantos.iter().map(|m| m.name.as_str()).collect();
                        out.push(Invalid::new(
                            format!("{pp}.manto"),
                            format!("no manto `{}` (mantos: {})", run.manto, names.join(", ")),
                        ));
                    }
                }
                if !(run.dry_t > 0.0) {
                    out.push(Invalid::new(format!("{pp}.dry_t"), "must be positive"));
                } else {
                    limits::check_range(
                        &mut out,
                        format!("{pp}.dry_t"),
                        "panel tonnage",
                        run.dry_t,
                        (limits::MIN_PANEL_DRY_T, limits::MAX_TONNES),
                        " dry t",
                    );
                }
                if run.count == 0 {
                    out.push(Invalid::new(format!("{pp}.count"), "must be at least 1"));
                } else {
                    limits::check_count(
                        &mut out,
                        format!("{pp}.count"),
                        "panels",
                        u64::from(run.count),
                        1,
                        limits::MAX_PANELS,
                    );
                }
                panels_total = panels_total.saturating_add(u64::from(run.count));
            }
        }
        let sections = self.sections();
        if sections > limits::MAX_SECTIONS_TOTAL {
            out.push(Invalid::new(
                format!("{path}.mines"),
                format!(
                    "the mines have {sections} sections in all; at most {} are allowed",
                    limits::MAX_SECTIONS_TOTAL
                ),
            ));
        }
        if panels_total > limits::MAX_PANELS {
            out.push(Invalid::new(
                format!("{path}.mines"),
                format!(
                    "the mines have {} panels in all; at most {} are allowed",
                    limits::fmt_num(panels_total as f64),
                    limits::fmt_num(limits::MAX_PANELS as f64)
                ),
            ));
        }
        for (k, m) in self.mantos.iter().enumerate() {
            if drawn[k] > m.reserve_dry_t * (1.0 + 1e-9) {
                out.push(Invalid::new(
                    format!("{path}.mantos[{k}].reserve_dry_t"),
                    format!(
                        "panels take {:.0} dry t from manto `{}`, more than its reserve of {:.0} t",
                        drawn[k], m.name, m.reserve_dry_t
                    ),
                ));
            }
        }
        if let Some(op) = &self.open_pit {
            let p = format!("{path}.open_pit");
            check_clay(&mut out, &p, op.clay_pct);
            for (k, what, v) in [
                ("reserve_dry_t", "reserve", op.reserve_dry_t),
                ("max_dry_t_per_year", "rate", op.max_dry_t_per_year),
            ] {
                if !(v >= 0.0) {
                    out.push(Invalid::new(format!("{p}.{k}"), "must be zero or positive"));
                } else {
                    limits::check_range(
                        &mut out,
                        format!("{p}.{k}"),
                        what,
                        v,
                        (0.0, limits::MAX_TONNES),
                        " dry t",
                    );
                }
            }
            if op.start_year == 0 {
                out.push(Invalid::new(
                    format!("{p}.start_year"),
                    "years count from 1",
                ));
            } else {
                limits::check_count(
                    &mut out,
                    format!("{p}.start_year"),
                    "start year",
                    u64::from(op.start_year),
                    1,
                    u64::from(limits::MAX_SCHEDULE_YEARS),
                );
            }
            if !(0.0..100.0).contains(&op.moisture_pct) {
                out.push(Invalid::new(
                    format!("{p}.moisture_pct"),
                    "must be at least 0 and below 100",
                ));
            }
            op.grades.validate(&p, &mut out);
        }
        if let Some(g) = &self.grade {
            out.extend(g.validate(&format!("{path}.grade")));
        }
        if let Some(d) = &self.dilution {
            out.extend(d.validate(&format!("{path}.dilution")));
        }
        out
    }

    /// Index of the manto called `name`.
    pub fn manto_index(&self, name: &str) -> Option<usize> {
        self.mantos.iter().position(|m| m.name == name)
    }

    /// Total underground sections (at full build-up).
    pub fn sections(&self) -> usize {
        self.mines.iter().map(|m| m.section_start_years.len()).sum()
    }
}
