//! Tables of the life-of-mine schedule: by year and by quarter, headcount by role,
//! reserves left.

use crate::export::Output;
use crate::{Cell, Table};
use mine::schedule::{Period, Schedule};

fn period_table(name: &str, title: &str, s: &Schedule, periods: &[Period]) -> Table {
    let mut cols: Vec<String> = [
        "period",
        "mined_wet_t",
        "mined_dry_t",
        "underground_wet_t",
        "underground_dry_t",
        "open_pit_wet_t",
        "open_pit_dry_t",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    cols.extend(s.mines.iter().map(|m| format!("{m} wet_t")));
    cols.extend(s.mines.iter().map(|m| format!("{m} dry_t")));
    cols.extend(
        [
            "plant_target_dry_t",
            "plant_feed_dry_t",
            "stockpile_closing_dry_t",
            "head_cu_pct",
            "head_co_pct",
            "head_zn_pct",
            "head_mn_pct",
            "cu_cathode_t",
            "co_cathode_t",
            "znso4_t",
            "mnco3_t",
            "sections",
            "continuous_miners",
            "roof_bolters",
            "haulers",
            "headcount",
            "section_shifts",
            "section_shifts_pad_full",
            "advance_m",
            "bolts",
        ]
        .iter()
        .map(|c| c.to_string()),
    );
    cols.extend(s.roles.iter().map(|r| format!("headcount {r}")));
    let cols_ref: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new(name, title, &cols_ref);
    for p in periods {
        let mut row: Vec<Cell> = vec![
            p.label.clone().into(),
            Cell::Num(p.mined_wet_t, 0),
            Cell::Num(p.mined_dry_t, 0),
            Cell::Num(p.underground_wet_t, 0),
            Cell::Num(p.underground_dry_t, 0),
            Cell::Num(p.open_pit_wet_t, 0),
            Cell::Num(p.open_pit_dry_t, 0),
        ];
        row.extend(p.by_mine_wet_t.iter().map(|v| Cell::Num(*v, 0)));
        row.extend(p.by_mine_dry_t.iter().map(|v| Cell::Num(*v, 0)));
        row.extend([
            Cell::Num(p.plant_target_dry_t, 0),
            Cell::Num(p.plant_feed_dry_t, 0),
            Cell::Num(p.stockpile_closing_dry_t, 0),
            Cell::Num(p.head_grade.cu_pct, 3),
            Cell::Num(p.head_grade.co_pct, 3),
            Cell::Num(p.head_grade.zn_pct, 3),
            Cell::Num(p.head_grade.mn_pct, 3),
            Cell::Num(p.cu_cathode_t, 0),
            Cell::Num(p.co_cathode_t, 0),
            Cell::Num(p.znso4_t, 0),
            Cell::Num(p.mnco3_t, 0),
            Cell::Num(p.sections, 2),
            Cell::Num(p.continuous_miners, 2),
            Cell::Num(p.roof_bolters, 2),
            Cell::Num(p.haulers, 2),
            Cell::Num(p.headcount, 0),
            Cell::Num(p.section_shifts, 0),
            Cell::Num(p.section_shifts_pad_full, 0),
            Cell::Num(p.advance_m, 0),
            Cell::Num(p.bolts, 0),
        ]);
        row.extend(p.headcount_by_role.iter().map(|v| Cell::Num(*v, 1)));
        t.push(row);
    }
    t
}

/// The compact annual view shown in the terminal.
pub fn annual_summary(s: &Schedule) -> Table {
    let mut t = Table::new(
        "annual_summary",
        &format!(
            "Life-of-mine schedule by year (mean of {} replication(s), seed {}; {} bolter(s) and {} hauler(s) per section)",
            s.replications, s.seed, s.bolters_per_section, s.haulers_per_section
        ),
        &[
            "year", "mined kt dry", "underground", "open pit", "feed kt dry", "feed 95% CI", "stockpile kt",
            "Cu %", "Co %", "Zn %", "Cu cathode t", "Co cathode t", "ZnSO4.H2O t", "sections", "headcount",
        ],
    );
    for (p, ci) in s.years.iter().zip(&s.annual_feed_dry_t) {
        t.push(vec![
            p.label.clone().into(),
            Cell::Num(p.mined_dry_t / 1e3, 0),
            Cell::Num(p.underground_dry_t / 1e3, 0),
            Cell::Num(p.open_pit_dry_t / 1e3, 0),
            Cell::Num(p.plant_feed_dry_t / 1e3, 0),
            format!("{:.0}-{:.0}", ci.ci95_low / 1e3, ci.ci95_high / 1e3).into(),
            Cell::Num(p.stockpile_closing_dry_t / 1e3, 0),
            Cell::Num(p.head_grade.cu_pct, 2),
            Cell::Num(p.head_grade.co_pct, 3),
            Cell::Num(p.head_grade.zn_pct, 2),
            Cell::Num(p.cu_cathode_t, 0),
            Cell::Num(p.co_cathode_t, 0),
            Cell::Num(p.znso4_t, 0),
            Cell::Num(p.sections, 1),
            Cell::Num(p.headcount, 0),
        ]);
    }
    t
}

fn headcount(s: &Schedule) -> Table {
    let mut t = Table::new(
        "headcount",
        "Headcount by role at full build-up",
        &["role", "people"],
    );
    for (role, n) in &s.headcount_by_role {
        t.push(vec![role.clone().into(), Cell::Num(*n, 0)]);
    }
    t
}

fn reserves(s: &Schedule) -> Table {
    let mut t = Table::new(
        "reserves_left",
        "Reserves left at the end of the schedule",
        &["source", "dry_t"],
    );
    for (name, left) in &s.reserves_left_dry_t {
        t.push(vec![name.clone().into(), Cell::Num(*left, 0)]);
    }
    t.push(vec!["open pit".into(), Cell::Num(s.open_pit_left_dry_t, 0)]);
    t
}

/// Ground by year (`[ground]` only): falls, time lost by cause, dilution, ore lost,
/// support consumables and their cost.
fn ground_by_year(s: &Schedule) -> Option<Table> {
    if s.years
        .iter()
        .all(|p| p.ground.is_zero() && p.ore_lost_t == 0.0)
    {
        return None;
    }
    let mut t = Table::new(
        "ground",
        "Ground by year: roof falls, hours lost by cause, unplanned dilution, ore lost, support consumables",
        &[
            "year",
            "falls",
            "falls/km",
            "fall clean-up h",
            "bogging h",
            "bolting h",
            "waste dilution dry t",
            "ore lost dry t",
            "resin",
            "mesh m2",
            "cable bolts",
            "support US$",
        ],
    );
    for p in &s.years {
        let g = &p.ground;
        t.push(vec![
            p.label.clone().into(),
            Cell::Num(g.falls, 1),
            Cell::Num(
                if p.advance_m > 0.0 {
                    g.falls * 1e3 / p.advance_m
                } else {
                    0.0
                },
                2,
            ),
            Cell::Num(g.fall_min / 60.0, 0),
            Cell::Num(g.bog_min / 60.0, 0),
            Cell::Num(g.support_min / 60.0, 0),
            Cell::Num(p.waste_dilution_t, 0),
            Cell::Num(p.ore_lost_t, 0),
            Cell::Num(g.resin, 0),
            Cell::Num(g.mesh_m2, 0),
            Cell::Num(g.cable_bolts, 0),
            Cell::Num(g.support_cost_usd, 0),
        ]);
    }
    Some(t)
}

/// Ore and plant by year, written when a table drives them (`[deposit.grade]`,
/// `[deposit.dilution]`, `[plant.ramp_up]`, `[plant.metallurgy]` or `[plant.downtime]`):
/// head grade, dilution, copper recovery, acid and availability.
pub(crate) fn ore_and_plant_by_year(s: &Schedule) -> Option<Table> {
    let shown = s.years.iter().any(|p| {
        p.metal_mined_t.is_some()
            || p.planned_dilution_t > 0.0
            || p.recovery_basis_t.is_some()
            || p.metal_recovered_t.is_some()
            || p.plant_up_h > 0.0
    });
    if !shown {
        return None;
    }
    let mut t = Table::new(
        "ore_plant",
        "Ore and plant by year: head grade, dilution, recovery, acid, availability (docs/ore-plant.md)",
        &[
            "year",
            "feed dry t",
            "Cu %",
            "Co %",
            "Zn %",
            "Mn %",
            "planned dilution dry t",
            "fallen waste dry t",
            "dilution %",
            "Cu recovery %",
            "Co recovery %",
            "acid t",
            "acid kg/t",
            "plant up h",
            "availability %",
        ],
    );
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
    for p in &s.years {
        let waste = p.planned_dilution_t + p.waste_dilution_t;
        let hours = 365.0 * 24.0;
        t.push(vec![
            p.label.clone().into(),
            Cell::Num(p.plant_feed_dry_t, 0),
            Cell::Num(p.head_grade.cu_pct, 3),
            Cell::Num(p.head_grade.co_pct, 4),
            Cell::Num(p.head_grade.zn_pct, 3),
            Cell::Num(p.head_grade.mn_pct, 3),
            Cell::Num(p.planned_dilution_t, 0),
            Cell::Num(p.waste_dilution_t, 0),
            Cell::Num(pct(waste, p.underground_dry_t - waste), 2),
            Cell::Num(pct(p.cu_cathode_t, p.metal_fed_t[0]), 2),
            Cell::Num(pct(p.co_cathode_t, p.metal_fed_t[1]), 2),
            Cell::Num(p.acid_t, 0),
            Cell::Num(pct(p.acid_t, p.plant_feed_dry_t) * 10.0, 1),
            Cell::Num(p.plant_up_h, 0),
            if p.plant_up_h > 0.0 {
                Cell::Num(pct(p.plant_up_h, hours), 2)
            } else {
                Cell::Missing
            },
        ]);
    }
    Some(t)
}

impl Output for Schedule {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("schedule serialises")
    }

    fn tables(&self) -> Vec<Table> {
        let mut out = vec![
            period_table("years", "Schedule by year", self, &self.years),
            period_table("quarters", "Schedule by quarter", self, &self.quarters),
            headcount(self),
            reserves(self),
        ];
        out.extend(ground_by_year(self));
        out.extend(ore_and_plant_by_year(self));
        out
    }

    fn terminal_tables(&self) -> Vec<Table> {
        let mut out = vec![annual_summary(self), headcount(self), reserves(self)];
        out.extend(ground_by_year(self));
        out.extend(ore_and_plant_by_year(self));
        out
    }
}
