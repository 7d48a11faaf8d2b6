//! The main job's result: the section study, the life-of-mine schedule and the finance
//! model of one scenario, with a one-screen headline for the terminal.

use crate::export::Output;
use crate::finance::{metric_list, rate_name, Metric};
use crate::{Cell, Table};
use des::Summary;
use study::RunResult;

/// `mean (low-high)` of a summary shown with `decimals` after scaling by `scale`.
fn mean_ci(s: &Summary, scale: f64, decimals: usize) -> Cell {
    Cell::Text(format!(
        "{:.d$} ({:.d$} to {:.d$})",
        s.mean / scale,
        s.ci95_low / scale,
        s.ci95_high / scale,
        d = decimals
    ))
}

/// Finance metrics the headline shows after the NPVs, by key of the one metric list.
const HEADLINE_METRICS: [&str; 11] = [
    "npv_convention",
    "fiscal_rules",
    "project_irr_after_tax",
    "equity_irr",
    "payback_from_first_production",
    "min_dscr",
    "avg_dscr",
    "min_llcr",
    "initial_capex",
    "peak_funding",
    "default_quarters",
];

/// Finance metrics of the production-table valuation shown beside it.
const TABLE_COMPARISON_METRICS: [&str; 4] = [
    "project_npv_after_tax_8pct",
    "project_irr_after_tax",
    "first_four_years_cu_cathode",
    "min_dscr",
];

/// A metric as the headline shows it: money in US$ millions, the rest as the metrics
/// table shows it.
fn metric_cells(list: &[Metric], key: &str) -> Option<(String, Cell, &'static str)> {
    let x = list.iter().find(|x| x.key == key)?;
    Some(match x.usd {
        Some(v) => (x.label.clone(), Cell::Num(v / 1e6, 1), "US$ M"),
        None => (x.label.clone(), x.value.clone(), x.unit),
    })
}

/// The headline of `manto run` (a table, in the terminal and the CSV).
pub struct Headline<'a>(pub &'a RunResult);

impl Headline<'_> {
    /// The headline: fleet, production, metal, bottleneck, returns and debt cover.
    pub fn table(&self) -> Table {
        let r = self.0;
        let s = &r.schedule;
        let m = &r.finance.metrics;
        let mut t = Table::new(
            "headline",
            &format!("manto: {} (headline)", r.scenario),
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
            Cell::Num(r.section.dry_tonnes_per_shift.mean, 0),
            "dry t per shift",
        );
        row(
            "section bottleneck",
            format!(
                "{} (active {:.0}%)",
                r.section.bottleneck.label,
                100.0 * r.section.bottleneck.active_fraction
            )
            .into(),
            "",
        );
        let source = if r.production_source == "schedule" {
            format!("mean schedule of {} replications", s.replications)
        } else {
            r.production_source.clone()
        };
        row("finance valued on", source.into(), "production source");
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
        let headline_keys = m
            .npv
            .iter()
            .map(|n| {
                format!(
                    "project_npv_after_tax_{}pct",
                    rate_name(n.discount_rate_pct)
                )
            })
            .chain(HEADLINE_METRICS.iter().map(|k| k.to_string()));
        let metrics = metric_list(m);
        for key in headline_keys {
            if let Some((label, value, unit)) = metric_cells(&metrics, &key) {
                row(&label, value, unit);
            }
        }
        let sizing = &r.finance.debt_sizing;
        if !sizing.sized_on.is_empty() {
            row("debt sized on", sizing.sized_on.clone().into(), "");
        }
        let v = &r.trial_valuations;
        if v.trials > 1 {
            row(
                &format!("each of the {} replications valued on its own:", v.trials),
                "".into(),
                "mean (95% CI)",
            );
            for n in &v.npv {
                row(
                    &format!("  project NPV after tax at {}%", n.discount_rate_pct),
                    mean_ci(&n.project_after_tax_usd, 1e6, 1),
                    "US$ M",
                );
            }
            if let Some(irr) = &v.project_irr_after_tax_pct {
                row("  project IRR after tax", mean_ci(irr, 1.0, 1), "%");
            }
            if let Some(d) = &v.min_dscr {
                row("  minimum DSCR", mean_ci(d, 1.0, 2), "x");
            }
        }
        if let Some(f) = &r.finance_with_table {
            row(
                "for comparison, on the scenario's production table:",
                "".into(),
                "",
            );
            let table_metrics = metric_list(&f.metrics);
            for key in TABLE_COMPARISON_METRICS {
                if let Some((label, value, unit)) = metric_cells(&table_metrics, key) {
                    row(&format!("  {label}"), value, unit);
                }
            }
        }
        t
    }
}

impl Output for RunResult {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("run report serialises")
    }

    fn tables(&self) -> Vec<Table> {
        let mut out = vec![Headline(self).table()];
        out.extend(self.section.tables());
        out.extend(self.schedule.tables());
        out.extend(self.finance.tables());
        out.push(trial_table(self));
        out
    }

    fn terminal_tables(&self) -> Vec<Table> {
        vec![
            Headline(self).table(),
            crate::schedule::annual_summary(&self.schedule),
        ]
    }
}

/// Each schedule replication valued on its own, one row per trial.
fn trial_table(r: &RunResult) -> Table {
    let v = &r.trial_valuations;
    let mut cols = vec!["trial".to_string(), "plant_feed_dry_t".to_string()];
    for n in &v.npv {
        let rate = format!("{}", n.discount_rate_pct).replace('.', "_");
        cols.push(format!("project_npv_after_tax_{rate}pct_usd"));
    }
    cols.extend(["project_irr_after_tax_pct".into(), "min_dscr".into()]);
    let names: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new(
        "trial_valuations",
        "Each life-of-mine replication valued on its own",
        &names,
    );
    for tv in &v.per_trial {
        let mut row = vec![
            Cell::Num(tv.trial as f64, 0),
            Cell::Num(tv.plant_feed_dry_t, 0),
        ];
        row.extend(
            tv.project_npv_after_tax_usd
                .iter()
                .map(|&x| Cell::Num(x, 0)),
        );
        row.push(Cell::opt(tv.project_irr_after_tax_pct, 2));
        row.push(Cell::opt(tv.min_dscr, 3));
        t.push(row);
    }
    t
}
