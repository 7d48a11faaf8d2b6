//! Tables of a section study: production with confidence intervals, machine time in
//! state, sections needed.

use crate::export::Output;
use crate::{Cell, Table};
use des::units::UnitSystem;
use des::Summary;
use mine::section::SectionReport;
use mine::section::State;

fn ci_row(label: &str, s: &Summary, decimals: usize, k: f64) -> Vec<Cell> {
    vec![
        label.into(),
        Cell::Num(s.mean * k, decimals),
        Cell::Num(s.ci95_low * k, decimals),
        Cell::Num(s.ci95_high * k, decimals),
    ]
}

/// A section report shown in a chosen unit system (`manto section --units imperial`): the
/// production and sections-needed tables' lengths, tonnages and rates in feet and short tons.
/// The JSON stays metric (its field names carry metric units); so does the ground table.
pub struct SectionInUnits<'a> {
    /// The report (computed in metric units).
    pub report: &'a SectionReport,
    /// The unit system of the tables.
    pub units: UnitSystem,
}

impl Output for SectionInUnits<'_> {
    fn json(&self) -> serde_json::Value {
        self.report.json()
    }

    fn tables(&self) -> Vec<Table> {
        tables_in(self.report, self.units)
    }
}

impl Output for SectionReport {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("section report serialises")
    }

    fn tables(&self) -> Vec<Table> {
        tables_in(self, UnitSystem::Metric)
    }
}

/// The section report's tables with masses per tonne scaled by `u.per_t()` and lengths per
/// metre by `u.per_m()` (labels say which).
fn tables_in(r: &SectionReport, u: UnitSystem) -> Vec<Table> {
    r.tables_with(u)
}

trait TablesWith {
    fn tables_with(&self, u: UnitSystem) -> Vec<Table>;
}

impl TablesWith for SectionReport {
    fn tables_with(&self, u: UnitSystem) -> Vec<Table> {
        let imperial = u == UnitSystem::Imperial;
        let (kt, km) = (u.per_t(), u.per_m());
        let tonnes = if imperial { "short tons" } else { "tonnes" };
        let mut prod = Table::new(
            "production",
            &format!(
                "Section production: {} ({} replication(s) x {} days after {} warm-up days, seed {}){}",
                self.scenario,
                self.replications,
                self.days,
                self.warmup_days,
                self.seed,
                if imperial { "; in feet and short tons" } else { "" }
            ),
            &["per production shift", "mean", "ci95_low", "ci95_high"],
        );
        prod.push(ci_row(
            &format!("dry {tonnes}"),
            &self.dry_tonnes_per_shift,
            1,
            kt,
        ));
        prod.push(ci_row(
            &format!("wet {tonnes}"),
            &self.wet_tonnes_per_shift,
            1,
            kt,
        ));
        prod.push(ci_row("cuts", &self.cuts_per_shift, 2, 1.0));
        prod.push(ci_row(
            &format!("advance ({})", u.length()),
            &self.advance_m_per_shift,
            1,
            km,
        ));
        prod.push(ci_row("roof bolts", &self.bolts_per_shift, 1, 1.0));
        prod.push(ci_row("car loads", &self.loads_per_shift, 1, 1.0));
        prod.push(ci_row(
            &format!("dry {tonnes} per year"),
            &self.dry_tonnes_per_year,
            0,
            kt,
        ));
        let p = &self.dry_tonnes_per_shift_percentiles;
        prod.push(vec![
            format!("single shifts, dry {}: median (P10, P90)", u.mass()).into(),
            Cell::Num(p.p50 * kt, 1),
            Cell::Num(p.p10 * kt, 1),
            Cell::Num(p.p90 * kt, 1),
        ]);

        let mut cols = vec!["machine", "utilization"];
        cols.extend(State::ALL.iter().map(|s| s.name()));
        let mut mach = Table::new(
            "machines",
            &format!(
                "Fraction of scheduled time by state; bottleneck: {} (active {:.0}% of scheduled time)",
                self.bottleneck.label,
                self.bottleneck.active_fraction * 100.0
            ),
            &cols,
        );
        for m in &self.machines {
            let mut row: Vec<Cell> = vec![m.name.clone().into(), Cell::Num(m.utilization, 3)];
            row.extend(
                State::ALL
                    .iter()
                    .map(|s| Cell::Num(m.state_fractions[s.name()], 3)),
            );
            mach.push(row);
        }

        let feed = format!("plant feed dry {}/y", u.mass());
        let under = format!("underground dry {}/y", u.mass());
        let mut need = Table::new(
            "sections_needed",
            "Sections needed for the plant feed (underground share of it, at the simulated rate)",
            &[
                feed.as_str(),
                under.as_str(),
                "sections (mean rate)",
                "sections (95% low rate)",
            ],
        );
        for s in &self.sections_needed {
            need.push(vec![
                Cell::Num(s.plant_feed_dry_t_per_year * kt, 0),
                Cell::Num(s.underground_dry_t_per_year * kt, 0),
                s.sections
                    .map_or("n/a".into(), |n| Cell::Num(f64::from(n), 0)),
                s.sections_at_ci95_low
                    .map_or("n/a".into(), |n| Cell::Num(f64::from(n), 0)),
            ]);
        }
        let mut out = vec![prod, mach];
        // A section-only scenario without [targets] has no plant feed to size against.
        if !self.sections_needed.is_empty() {
            out.push(need);
        }
        if let Some(g) = &self.ground {
            out.push(ground_table(g));
        }
        out.extend(detail_tables(self, u));
        out
    }
}

/// The ground by class: where the section drove, its support, falls and time lost.
fn ground_table(g: &[mine::section::GroundClassReport]) -> Table {
    let mut t = Table::new(
        "ground",
        "Ground by class: share of advance, support, roof falls, time lost, dilution, ore lost, consumables",
        &[
            "class",
            "advance share",
            "m/shift",
            "support min/m",
            "falls/km",
            "falls/100kt",
            "fall min/shift",
            "bog min/shift",
            "waste dry t/shift",
            "ore lost dry t/shift",
            "bolts/m",
            "resin/m",
            "mesh m2/m",
            "cable bolts/m",
            "support US$/m",
        ],
    );
    for c in g {
        t.push(vec![
            c.class.clone().into(),
            Cell::Num(c.advance_share, 3),
            Cell::Num(c.advance_m_per_shift, 2),
            Cell::Num(c.support_min_per_m, 2),
            Cell::Num(c.falls_per_km, 2),
            Cell::Num(c.falls_per_100kt, 2),
            Cell::Num(c.fall_min_per_shift, 2),
            Cell::Num(c.bog_min_per_shift, 2),
            Cell::Num(c.waste_dry_t_per_shift, 2),
            Cell::Num(c.ore_lost_dry_t_per_shift, 2),
            Cell::Num(c.bolts_per_m, 2),
            Cell::Num(c.resin_per_m, 2),
            Cell::Num(c.mesh_m2_per_m, 2),
            Cell::Num(c.cable_bolts_per_m, 3),
            Cell::Num(c.support_usd_per_m, 1),
        ]);
    }
    t
}

/// The haul cycles, the plan's phases, the block and the cost, when the study has them.
fn detail_tables(r: &SectionReport, u: UnitSystem) -> Vec<Table> {
    let mut out = Vec::new();
    if let Some(cycles) = &r.haul_cycles {
        let mut cols = vec!["unit", "trips/shift", "cycle min"];
        cols.extend(mine::section::LEGS.iter().copied());
        let mut t = Table::new(
            "haul_cycles",
            "Haul cycle per unit: scheduled minutes per trip in each leg",
            &cols,
        );
        for c in cycles {
            let mut row: Vec<Cell> = vec![
                c.name.clone().into(),
                Cell::Num(c.trips_per_shift, 1),
                Cell::Num(c.cycle_min, 2),
            ];
            row.extend(
                mine::section::LEGS
                    .iter()
                    .map(|l| Cell::Num(c.leg_min_per_trip[l], 2)),
            );
            t.push(row);
        }
        out.push(t);
    }
    if let Some(phases) = &r.phases {
        let mut cols = vec!["phase", "ended in", "ended (h)", "scheduled h"];
        let names: Vec<String> = phases
            .first()
            .map(|p| p.utilization.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        cols.extend(names.iter().map(String::as_str));
        let mut t = Table::new(
            "phases",
            "Plan phases: when each ended (hours from the start, mean of the replications where it did) and machine utilisation in it",
            &cols,
        );
        for p in phases {
            let mut row: Vec<Cell> = vec![
                p.name.clone().into(),
                Cell::Num(f64::from(p.ended_in), 0),
                p.ended_h.map_or("n/a".into(), |h| Cell::Num(h, 1)),
                Cell::Num(p.scheduled_h, 1),
            ];
            row.extend(p.utilization.iter().map(|(_, u)| Cell::Num(*u, 3)));
            t.push(row);
        }
        out.push(t);
    }
    if let Some(b) = &r.block {
        let mut t = Table::new(
            "block",
            &format!(
                "Time to mine the plan's block (in {} of {} replications)",
                b.mined_in, r.replications
            ),
            &["time to mine the block", "mean", "ci95_low", "ci95_high"],
        );
        t.push(ci_row("hours", &b.hours, 1, 1.0));
        t.push(ci_row("days", &b.days, 2, 1.0));
        out.push(t);
    }
    if let Some(c) = &r.cost {
        let mut t = Table::new(
            "cost",
            "Section cost from the machine-hour and crew costs",
            &["cost", "mean", "ci95_low", "ci95_high"],
        );
        // Per short ton in imperial units: a short ton is 1 / per_t() tonnes.
        let (ton, k) = if u == UnitSystem::Imperial {
            ("short ton", 1.0 / u.per_t())
        } else {
            ("t", 1.0)
        };
        t.push(ci_row("US$ per production shift", &c.usd_per_shift, 0, 1.0));
        t.push(ci_row(
            &format!("US$ per dry {ton}"),
            &c.usd_per_dry_t,
            2,
            k,
        ));
        t.push(ci_row(
            &format!("US$ per wet {ton}"),
            &c.usd_per_wet_t,
            2,
            k,
        ));
        out.push(t);
    }
    out
}
