//! Tables of a back-test ([`study::backtest::BacktestResult`]): each actual on the study's
//! distribution, the hindsight the lint found (when allowed), the nearest futures and
//! what they had in common, and the calibration summary. The JSON is the result itself.

use crate::export::Output;
use crate::{Cell, Table};
use study::backtest::BacktestResult;

fn decimals(unit: &str) -> usize {
    match unit {
        "t" | "dry_t" | "wet_t" | "usd" | "year" => 0,
        "quarters" | "pct" | "years" => 1,
        _ => 3,
    }
}

fn num(v: f64, unit: &str) -> Cell {
    if v.is_finite() {
        Cell::Num(v, decimals(unit))
    } else {
        Cell::Text(String::new())
    }
}

fn title(r: &BacktestResult) -> String {
    let mut t = format!(
        "Back-test: {} (dated {}, {} iterations, seed {}) against {}",
        r.scenario,
        if r.dated.is_empty() { "-" } else { &r.dated },
        r.iterations,
        r.seed,
        r.actuals_file
    );
    if let Some(n) = r.hindsight_note() {
        t.push('\n');
        t.push_str(&n);
    }
    t
}

fn actuals_table(r: &BacktestResult) -> Table {
    let mut t = Table::new(
        "actuals",
        &title(r),
        &[
            "actual",
            "unit",
            "value",
            "percentile",
            "where",
            "p5",
            "p50",
            "p95",
            "crps",
            "known",
        ],
    );
    for a in &r.actuals {
        let u = a.actual.unit.as_str();
        t.push(vec![
            Cell::Text(a.actual.name.clone()),
            Cell::Text(u.to_string()),
            num(a.actual.value, u),
            Cell::Num(a.percentile, 1),
            Cell::Text(a.place()),
            num(a.p5, u),
            num(a.p50, u),
            num(a.p95, u),
            num(a.crps, u),
            Cell::Text(a.actual.known.clone()),
        ]);
    }
    t
}

fn scores_table(r: &BacktestResult) -> Table {
    let mut t = Table::new(
        "scores",
        "Each actual's scores and the study's spread",
        &[
            "actual",
            "quantity",
            "period",
            "iterations",
            "min",
            "p1",
            "p99",
            "max",
            "sd",
            "crps_per_sd",
            "log_score",
            "log_score_note",
            "source",
        ],
    );
    for a in &r.actuals {
        let u = a.actual.unit.as_str();
        t.push(vec![
            Cell::Text(a.actual.name.clone()),
            Cell::Text(a.actual.quantity.clone()),
            a.actual
                .period
                .map_or(Cell::Text(String::new()), |y| Cell::Text(y.to_string())),
            Cell::Num(a.iterations as f64, 0),
            num(a.min, u),
            num(a.p1, u),
            num(a.p99, u),
            num(a.max, u),
            num(a.sd, u),
            num(a.crps_per_sd, "ratio"),
            Cell::opt(a.log_score, 3),
            Cell::Text(a.log_score_note.clone()),
            Cell::Text(a.actual.source.clone()),
        ]);
    }
    t
}

fn calibration_table(r: &BacktestResult) -> Table {
    let c = &r.calibration;
    let mut t = Table::new(
        "calibration",
        &format!(
            "Calibration over {} actuals (a calibrated study puts them anywhere: a flat PIT)",
            c.actuals
        ),
        &["measure", "value", "calibrated", "note"],
    );
    for b in &c.bands {
        t.push(vec![
            Cell::Text(format!("outside {}", b.band)),
            Cell::Num(b.count as f64, 0),
            Cell::Text(format!(
                "{:.2} expected (95%: {} to {})",
                b.expected, b.interval.0, b.interval.1
            )),
            Cell::Text(if b.count > b.interval.1 {
                "more than a calibrated study gives: too narrow".into()
            } else {
                "within a calibrated study's range".into()
            }),
        ]);
    }
    let hist: Vec<String> = c.pit_histogram.iter().map(|n| n.to_string()).collect();
    t.push(vec![
        Cell::Text("PIT histogram (10 bins)".into()),
        Cell::Text(hist.join(" ")),
        Cell::Text(format!("{:.1} a bin", c.pit_expected_per_bin)),
        Cell::Text("bins of 0-10%, ..., 90-100% of the distribution".into()),
    ]);
    let (chi, df, p) = c.pit_chi_square;
    t.push(vec![
        Cell::Text("PIT chi-square".into()),
        Cell::Num(chi, 2),
        Cell::Text(format!("df {df:.0}, p = {p:.3}")),
        Cell::Text(if c.chi_square_valid {
            "flat PIT test".into()
        } else {
            "too few actuals for the test (needs 50)".into()
        }),
    ]);
    t.push(vec![
        Cell::Text("mean CRPS / sd".into()),
        Cell::Num(c.mean_crps_per_sd, 3),
        Cell::Text("0.56 for a normal actual on its own normal".into()),
        Cell::Text("lower is better; each actual's CRPS over its ensemble's sd".into()),
    ]);
    t.push(vec![
        Cell::Text("mean log score".into()),
        Cell::opt(c.mean_log_score, 3),
        Cell::Text(format!("{} of {} defined", c.log_scored, c.actuals)),
        Cell::Text("-ln kernel density at the actual; lower is better; in mixed units".into()),
    ]);
    t
}

fn nearest_table(r: &BacktestResult) -> Table {
    let n = &r.nearest;
    let ids: Vec<String> = n
        .iterations
        .iter()
        .take(10)
        .map(|(i, d)| format!("{i} ({d:.2})"))
        .collect();
    let mut t = Table::new(
        "nearest",
        &format!(
            "The {} iterations nearest what happened (RMS standardised distance over {} actuals: {}{}); what they had in common",
            n.k,
            n.actuals_used,
            ids.join(", "),
            if n.iterations.len() > 10 { ", ..." } else { "" }
        ),
        &[
            "input",
            "population_mean",
            "nearest_mean",
            "nearest_percentile",
        ],
    );
    for s in &n.shared {
        t.push(vec![
            Cell::Text(s.name.clone()),
            Cell::Num(s.population_mean, 3),
            Cell::Num(s.nearest_mean, 3),
            Cell::Num(s.nearest_percentile, 1),
        ]);
    }
    t
}

fn hindsight_table(r: &BacktestResult) -> Table {
    let mut t = Table::new(
        "hindsight",
        &format!(
            "Hindsight in a study dated {} (allowed by --allow-hindsight)",
            r.dated
        ),
        &["kind", "key", "year", "what"],
    );
    for h in &r.hindsight {
        t.push(vec![
            Cell::Text(h.kind.label().into()),
            Cell::Text(h.key.clone()),
            Cell::Text(match h.month {
                Some(m) => format!("{}-{m:02}", h.year),
                None => h.year.to_string(),
            }),
            Cell::Text(h.what.clone()),
        ]);
    }
    t
}

/// The fan of every series actual by year (CSV and JSON only).
fn fan_table(r: &BacktestResult) -> Table {
    let mut t = Table::new(
        "fan",
        "Series actuals: the study's fan by calendar year",
        &["actual", "year", "p5", "p25", "p50", "p75", "p95"],
    );
    for a in &r.actuals {
        let u = a.actual.unit.as_str();
        for f in &a.fan {
            let mut row = vec![
                Cell::Text(a.actual.name.clone()),
                Cell::Text(f.year.to_string()),
            ];
            row.extend(f.p.iter().map(|v| num(*v, u)));
            t.push(row);
        }
    }
    t
}

impl Output for BacktestResult {
    fn json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("serialisable result");
        if let Some(n) = self.hindsight_note() {
            v["note"] = serde_json::Value::String(n);
        }
        v
    }

    fn tables(&self) -> Vec<Table> {
        let mut t = Vec::new();
        if let Some(n) = self.hindsight_note() {
            let mut note = Table::new("note", "Note", &["item", "note"]);
            note.push(vec![Cell::Text("hindsight".into()), Cell::Text(n)]);
            t.push(note);
        }
        t.extend([
            actuals_table(self),
            scores_table(self),
            calibration_table(self),
            nearest_table(self),
        ]);
        if !self.hindsight.is_empty() {
            t.push(hindsight_table(self));
        }
        if self.actuals.iter().any(|a| !a.fan.is_empty()) {
            t.push(fan_table(self));
        }
        t
    }

    fn terminal_tables(&self) -> Vec<Table> {
        let mut t = vec![
            actuals_table(self),
            calibration_table(self),
            nearest_table(self),
        ];
        if !self.hindsight.is_empty() {
            t.push(hindsight_table(self));
        }
        t
    }
}
