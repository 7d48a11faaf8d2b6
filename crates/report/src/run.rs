//! The main job's result: the section study, the life-of-mine schedule and the finance
//! model of one scenario, with a one-screen headline for the terminal.

use crate::export::Output;
use crate::{Cell, Table};
use finance::FinanceResult;
use mine::schedule::Schedule;
use mine::section::SectionReport;
use serde::Serialize;

/// Everything `manto run` computes.
#[derive(Serialize)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// Where the finance model's production came from: "schedule" or "table".
    pub production_source: String,
    /// One section, replicated: rate, machine states, bottleneck.
    pub section: SectionReport,
    /// Life-of-mine schedule.
    pub schedule: Schedule,
    /// Cash flows, debt, returns and statements.
    pub finance: FinanceResult,
    /// The same finance model run on the scenario's own production table (for El Boleo,
    /// the DFS production), when the main result used the schedule: plan against study.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finance_with_table: Option<FinanceResult>,
}

impl RunReport {
    /// The headline: fleet, production, metal, bottleneck, returns and debt cover.
    pub fn headline(&self) -> Table {
        let s = &self.schedule;
        let m = &self.finance.metrics;
        let mut t = Table::new(
            "headline",
            &format!("manto: {} (headline)", self.scenario),
            &["item", "value", "unit"],
        );
        let mut row =
            |item: &str, value: Cell, unit: &str| t.push(vec![item.into(), value, unit.into()]);
        let peak_sections = s.years.iter().map(|p| p.sections).fold(0.0, f64::max);
        row(
            "sections at peak (continuous miners)",
            Cell::Num(peak_sections, 1),
            "sections",
        );
        row(
            "roof bolters per section",
            Cell::Num(f64::from(s.bolters_per_section), 0),
            "machines",
        );
        row(
            "haulers per section",
            Cell::Num(f64::from(s.haulers_per_section), 0),
            "machines",
        );
        let headcount: f64 = s.headcount_by_role.iter().map(|r| r.1).sum();
        row(
            "mine headcount at full build-up",
            Cell::Num(headcount, 0),
            "people",
        );
        row(
            "section rate",
            Cell::Num(self.section.dry_tonnes_per_shift.mean, 0),
            "dry t per shift",
        );
        row(
            "section bottleneck",
            format!(
                "{} (active {:.0}%)",
                self.section.bottleneck.label,
                100.0 * self.section.bottleneck.active_fraction
            )
            .into(),
            "",
        );
        row(
            "finance valued on",
            self.production_source.clone().into(),
            "production source",
        );
        let years = s.years.len().max(1) as f64;
        let feed: f64 = s.years.iter().map(|p| p.plant_feed_dry_t).sum();
        row(
            "plant feed, life of mine",
            Cell::Num(feed / 1e6, 2),
            "Mt dry",
        );
        row(
            "plant feed, average",
            Cell::Num(feed / years / 1e6, 2),
            "Mt dry per year",
        );
        let n4 = s.years.len().clamp(1, 4) as f64;
        let first4 = s.years.iter().take(4).map(|p| p.cu_cathode_t).sum::<f64>() / n4;
        row(
            "copper cathode, first four years",
            Cell::Num(first4, 0),
            "t per year",
        );
        let cu: f64 = s.years.iter().map(|p| p.cu_cathode_t).sum();
        row("copper cathode, life of mine", Cell::Num(cu, 0), "t");
        let starved: f64 = s
            .years
            .iter()
            .map(|p| p.plant_target_dry_t - p.plant_feed_dry_t)
            .sum();
        row(
            "plant feed short of target",
            Cell::Num(starved / 1e3, 0),
            "kt dry",
        );
        for n in &m.npv {
            row(
                &format!("project NPV after tax at {}%", n.discount_rate_pct),
                Cell::Num(n.project_after_tax_usd / 1e6, 1),
                "US$ M",
            );
        }
        row(
            "project IRR after tax",
            Cell::opt(m.project_irr_after_tax_pct, 1),
            "%",
        );
        row("equity IRR", Cell::opt(m.equity_irr_pct, 1), "%");
        row(
            "payback from first production",
            Cell::opt(m.payback_from_first_production_years, 1),
            "years",
        );
        row("minimum DSCR", Cell::opt(m.min_dscr, 2), "x");
        row("average DSCR", Cell::opt(m.avg_dscr, 2), "x");
        row("minimum LLCR", Cell::opt(m.min_llcr, 2), "x");
        row(
            "initial capex",
            Cell::Num(m.initial_capex_usd / 1e6, 1),
            "US$ M",
        );
        row(
            "peak funding",
            Cell::Num(m.peak_funding_usd / 1e6, 1),
            "US$ M",
        );
        row(
            "covenant default quarters",
            Cell::Num(m.default_quarters as f64, 0),
            "quarters",
        );
        if let Some(f) = &self.finance_with_table {
            let tm = &f.metrics;
            row(
                "for comparison, on the scenario's production table:",
                "".into(),
                "",
            );
            if let Some(n) = tm
                .npv
                .iter()
                .find(|n| (n.discount_rate_pct - 8.0).abs() < 1e-9)
            {
                row(
                    "  project NPV after tax at 8%",
                    Cell::Num(n.project_after_tax_usd / 1e6, 1),
                    "US$ M",
                );
            }
            row(
                "  project IRR after tax",
                Cell::opt(tm.project_irr_after_tax_pct, 1),
                "%",
            );
            row(
                "  copper cathode, first four years",
                Cell::Num(tm.first_four_years_cu_t_per_year, 0),
                "t per year",
            );
            row("  minimum DSCR", Cell::opt(tm.min_dscr, 2), "x");
        }
        t
    }
}

impl Output for RunReport {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("run report serialises")
    }

    fn tables(&self) -> Vec<Table> {
        let mut out = vec![self.headline()];
        out.extend(self.section.tables());
        out.extend(self.schedule.tables());
        out.extend(self.finance.tables());
        out
    }

    fn terminal_tables(&self) -> Vec<Table> {
        vec![
            self.headline(),
            crate::schedule::annual_summary(&self.schedule),
        ]
    }
}
