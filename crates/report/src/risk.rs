//! Tables of the risk study ([`study::risk::RiskResult`]): the outputs' distributions, the
//! lenders' probabilities, the inputs as drawn, sensitivity (rank correlation and share of
//! variance), the tornado, fan-chart data by year, histogram and S-curve data and
//! convergence; and the per-iteration table (`--iterations-csv`). Money in US$ millions
//! (`_musd`) in the tables, full USD in the JSON and the per-iteration table.

use crate::export::Output;
use crate::{Cell, Table};
use study::risk::RiskResult;

/// Money outputs are shown in US$ millions.
fn is_money(name: &str) -> bool {
    name.ends_with("_usd")
}

fn shown_name(name: &str) -> String {
    if is_money(name) {
        format!("{}_musd", name.trim_end_matches("_usd"))
    } else {
        name.to_string()
    }
}

fn scale(name: &str) -> f64 {
    if is_money(name) {
        1e6
    } else {
        1.0
    }
}

fn decimals(name: &str) -> usize {
    if is_money(name) {
        1
    } else if name.ends_with("_t") || name.ends_with("_quarters") {
        0
    } else if name.ends_with("_pct") || name.ends_with("_years") {
        1
    } else {
        3
    }
}

fn num(v: f64, name: &str) -> Cell {
    if v.is_finite() {
        Cell::Num(v / scale(name), decimals(name))
    } else {
        Cell::Text(String::new())
    }
}

/// Outputs the terminal shows.
const HEADLINE: [&str; 10] = [
    "project_irr_pct",
    "equity_irr_pct",
    "min_dscr",
    "min_llcr",
    "funding_shortfall_usd",
    "sponsor_support_usd",
    "overrun_facility_drawn_usd",
    "plant_feed_dry_t",
    "cu_cathode_t",
    "section_productivity_factor",
];

fn outputs_table(r: &RiskResult, only: Option<&[&str]>) -> Table {
    let mut t = Table::new(
        "outputs",
        &format!(
            "Risk: {} ({} of {} iterations, {}, mine {}, seed {}{}); debt sized once on the banking case and held fixed; {}",
            r.scenario,
            r.iterations,
            r.iterations_planned,
            r.sampling,
            r.mine_path,
            r.seed,
            if r.dated.is_empty() { String::new() } else { format!(", dated {}", r.dated) },
            r.sampling_note
        ),
        &[
            "output", "mean", "ci95_low", "ci95_high", "sd", "p5", "p10", "p50", "p90", "p95",
            "base", "defined",
        ],
    );
    for o in &r.outputs {
        let keep = match only {
            Some(list) => o.name.starts_with("npv") || list.contains(&o.name.as_str()),
            None => true,
        };
        if !keep {
            continue;
        }
        let n = o.name.as_str();
        t.push(vec![
            Cell::Text(shown_name(n)),
            num(o.mean.mean, n),
            num(o.mean.ci95_low, n),
            num(o.mean.ci95_high, n),
            num(o.sd, n),
            num(o.p5, n),
            num(o.p10, n),
            num(o.p50, n),
            num(o.p90, n),
            num(o.p95, n),
            num(o.base, n),
            Cell::Num(o.defined as f64, 0),
        ]);
    }
    t
}

fn probability_table(r: &RiskResult) -> Table {
    let mut t = Table::new(
        "probabilities",
        "What a lender asks: probability of each event (Wilson 95% interval)",
        &[
            "event",
            "probability_pct",
            "ci95_low_pct",
            "ci95_high_pct",
            "iterations",
            "description",
        ],
    );
    for p in &r.probabilities {
        t.push(vec![
            Cell::Text(p.name.clone()),
            Cell::Num(100.0 * p.p, 1),
            Cell::Num(100.0 * p.ci95_low, 1),
            Cell::Num(100.0 * p.ci95_high, 1),
            Cell::Num(p.count as f64, 0),
            Cell::Text(p.description.clone()),
        ]);
    }
    t
}

fn correlation_table(r: &RiskResult) -> Table {
    let mut t = Table::new(
        "correlations",
        "Rank correlations of the drawn inputs: target and achieved (Spearman; ties in an empirical input keep it below its target)",
        &["input_a", "input_b", "target", "achieved"],
    );
    for c in &r.correlations {
        t.push(vec![
            Cell::Text(c.a.clone()),
            Cell::Text(c.b.clone()),
            Cell::Num(c.target, 2),
            Cell::Num(c.achieved, 3),
        ]);
    }
    t
}

fn inputs_table(r: &RiskResult) -> Table {
    let mut t = Table::new(
        "inputs",
        "Uncertain inputs as drawn",
        &[
            "input",
            "key",
            "how",
            "distribution",
            "base",
            "mean",
            "p10",
            "p50",
            "p90",
            "source",
        ],
    );
    for i in &r.inputs {
        t.push(vec![
            Cell::Text(i.name.clone()),
            Cell::Text(i.key.clone()),
            Cell::Text(i.how.clone()),
            Cell::Text(i.distribution.clone()),
            Cell::Num(i.base, 3),
            Cell::Num(i.mean, 3),
            Cell::Num(i.p10, 3),
            Cell::Num(i.p50, 3),
            Cell::Num(i.p90, 3),
            Cell::Text(i.source.clone()),
        ]);
    }
    for p in &r.prices {
        t.push(vec![
            Cell::Text(format!("{} price", p.product)),
            Cell::Text(format!("finance.revenue.{}", p.product)),
            Cell::Text("path".into()),
            Cell::Text(format!(
                "{:?} from {} in {}: long-run {}, reversion {}/y, volatility {}%, drift {}%",
                p.process,
                p.start,
                p.start_year,
                p.long_run,
                p.reversion_per_year,
                p.volatility_pct,
                p.drift_pct
            )),
            Cell::Num(p.start, 3),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(p.source.clone()),
        ]);
    }
    t
}

fn sensitivity_table(r: &RiskResult, top: usize) -> Table {
    let mut t = Table::new(
        "sensitivity",
        "Sensitivity: Spearman rank correlation with each output and share of its variance",
        &["output", "input", "spearman", "share_of_variance_pct"],
    );
    for s in &r.sensitivity {
        for e in s.entries.iter().take(top) {
            t.push(vec![
                Cell::Text(shown_name(&s.output)),
                Cell::Text(e.input.clone()),
                Cell::Num(e.spearman, 3),
                Cell::Num(e.share_of_variance_pct, 1),
            ]);
        }
    }
    t
}

fn tornado_table(r: &RiskResult, top: usize) -> Table {
    let mut t = Table::new(
        "tornado",
        "Tornado: each input at its P10 and P90, the others at base (a price deck: every year at its P10 or P90; its first year's price shown); money in US$ M",
        &[
            "output",
            "input",
            "input_p10",
            "input_p90",
            "input_unit",
            "output_at_p10",
            "output_at_p90",
            "swing",
            "base",
        ],
    );
    for tor in &r.tornado {
        let n = tor.output.as_str();
        for b in tor.bars.iter().take(top) {
            t.push(vec![
                Cell::Text(shown_name(n)),
                Cell::Text(b.input.clone()),
                Cell::Num(b.input_p10, 3),
                Cell::Num(b.input_p90, 3),
                Cell::Text(b.input_unit.clone()),
                num(b.output_at_p10, n),
                num(b.output_at_p90, n),
                num(b.swing, n),
                num(tor.base, n),
            ]);
        }
    }
    t
}

fn fan_table(r: &RiskResult) -> Table {
    let mut t = Table::new(
        "by_year",
        "By year, P10 / P50 / P90 across iterations (fan-chart data)",
        &[
            "year",
            "feed_p10_kt",
            "feed_p50_kt",
            "feed_p90_kt",
            "cu_p10_t",
            "cu_p50_t",
            "cu_p90_t",
            "cfads_p10_musd",
            "cfads_p50_musd",
            "cfads_p90_musd",
            "dscr_p10",
            "dscr_p50",
            "dscr_p90",
        ],
    );
    for y in &r.by_year {
        let mut row = vec![Cell::Text(y.year.to_string())];
        row.extend(y.feed_dry_t.iter().map(|v| Cell::Num(v / 1e3, 0)));
        row.extend(y.cu_t.iter().map(|v| Cell::Num(*v, 0)));
        row.extend(y.cfads_usd.iter().map(|v| Cell::Num(v / 1e6, 1)));
        row.extend(y.dscr.iter().map(|v| {
            if v.is_finite() {
                Cell::Num(*v, 2)
            } else {
                Cell::Text(String::new())
            }
        }));
        t.push(row);
    }
    t
}

fn histogram_table(r: &RiskResult) -> Table {
    let mut t = Table::new(
        "histograms",
        "Histograms (20 equal bins from min to max)",
        &["output", "bin", "low", "high", "count"],
    );
    for h in &r.histograms {
        let n = h.output.as_str();
        for (k, (lo, hi, c)) in h.bins.iter().enumerate() {
            t.push(vec![
                Cell::Text(shown_name(n)),
                Cell::Num(k as f64, 0),
                num(*lo, n),
                num(*hi, n),
                Cell::Num(*c as f64, 0),
            ]);
        }
    }
    t
}

fn s_curve_table(r: &RiskResult) -> Table {
    let mut t = Table::new(
        "s_curves",
        "S-curves: value at each cumulative probability",
        &["output", "cumulative_pct", "value"],
    );
    for s in &r.s_curves {
        let n = s.output.as_str();
        for (p, v) in &s.points {
            t.push(vec![
                Cell::Text(shown_name(n)),
                Cell::Num(*p, 0),
                num(*v, n),
            ]);
        }
    }
    t
}

fn convergence_table(r: &RiskResult) -> Table {
    let name = r.headline_npv.as_str();
    let mut t = Table::new(
        "convergence",
        "Convergence of the headline statistics",
        &[
            "iterations",
            &format!("{}_mean", shown_name(name)),
            "ci_half_width_pct",
            &format!("{}_p10", shown_name(name)),
            &format!("{}_p90", shown_name(name)),
            "p_npv_negative_pct",
            "min_dscr_mean",
        ],
    );
    for c in &r.convergence {
        t.push(vec![
            Cell::Num(c.iterations as f64, 0),
            num(c.npv_mean_usd, name),
            Cell::Num(c.npv_ci_half_width_pct, 2),
            num(c.npv_p10_usd, name),
            num(c.npv_p90_usd, name),
            Cell::Num(100.0 * c.p_npv_negative, 1),
            Cell::Num(c.min_dscr_mean, 3),
        ]);
    }
    t
}

/// The per-iteration table: one row per iteration, the inputs drawn, each price process's
/// average over the base case's operating years, then every output (full precision, USD).
pub fn iterations_table(r: &RiskResult) -> Table {
    let mut cols: Vec<String> = vec!["iteration".into()];
    cols.extend(r.inputs.iter().map(|i| format!("input:{}", i.name)));
    cols.extend(r.prices.iter().map(|p| format!("avg_price:{}", p.product)));
    cols.extend(r.output_names.iter().cloned());
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new("iterations", "Every iteration", &refs);
    for rec in &r.records {
        let mut row = vec![Cell::Text(rec.iteration.to_string())];
        for v in rec.inputs.iter().chain(&rec.avg_prices).chain(&rec.outputs) {
            row.push(if v.is_finite() {
                Cell::Text(format!("{v}"))
            } else {
                Cell::Text(String::new())
            });
        }
        t.push(row);
    }
    t
}

impl Output for RiskResult {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("serialisable result")
    }

    fn tables(&self) -> Vec<Table> {
        vec![
            outputs_table(self, None),
            probability_table(self),
            inputs_table(self),
            correlation_table(self),
            sensitivity_table(self, usize::MAX),
            tornado_table(self, usize::MAX),
            fan_table(self),
            histogram_table(self),
            s_curve_table(self),
            convergence_table(self),
        ]
    }

    fn terminal_tables(&self) -> Vec<Table> {
        let mut v = vec![
            outputs_table(self, Some(&HEADLINE)),
            probability_table(self),
            tornado_table(self, 6),
            sensitivity_table(self, 5),
        ];
        if !self.correlations.is_empty() {
            v.push(correlation_table(self));
        }
        v.push(convergence_table(self));
        v
    }

    fn data(&self) -> Option<Table> {
        Some(iterations_table(self))
    }
}
