//! `manto build`: the schedule risk result as tables (milestones, activities with their CPM
//! dates, floats, criticality and cruciality, merge bias, cost and its S-curve, the risk
//! register) and every iteration's milestone days as a wide CSV.

use crate::export::Output;
use crate::{Cell, Table};
use study::build::{BuildResult, DAYS_PER_MONTH};

/// Activities shown in the terminal (all go to CSV and JSON).
const TERMINAL_ACTIVITIES: usize = 25;
/// Merge points shown in the terminal.
const TERMINAL_MERGES: usize = 10;

fn milestones_table(r: &BuildResult) -> Table {
    let mut t = Table::new(
        "build_milestones",
        &format!(
            "Milestones: planned (CPM) and drawn dates, {} iterations (day 0 = {})",
            r.iterations, r.start_date
        ),
        &[
            "milestone",
            "activity",
            "planned",
            "P10",
            "P50",
            "P80",
            "P90",
            "mean delay d",
            "P80 delay d",
            "on time %",
        ],
    );
    for m in &r.milestones {
        t.push(vec![
            Cell::Text(m.name.clone()),
            Cell::Text(m.activity.clone()),
            Cell::Text(m.planned_date.clone()),
            Cell::Text(m.percentile_dates[0].clone()),
            Cell::Text(m.percentile_dates[1].clone()),
            Cell::Text(m.percentile_dates[2].clone()),
            Cell::Text(m.percentile_dates[3].clone()),
            Cell::Num(m.mean_days - m.planned_days, 0),
            Cell::Num(m.percentile_days[2] - m.planned_days, 0),
            Cell::Num(m.on_time_pct, 1),
        ]);
    }
    t
}

fn activities_table(r: &BuildResult, limit: usize) -> Table {
    let title = if limit < r.activities.len() {
        format!(
            "Activities: the {limit} with the highest criticality index (all {} in CSV and JSON); days are elapsed",
            r.activities.len()
        )
    } else {
        "Activities: CPM dates and floats, criticality index and cruciality; days are elapsed"
            .into()
    };
    let mut t = Table::new(
        "build_activities",
        &title,
        &[
            "id",
            "name",
            "duration d",
            "early start",
            "early finish",
            "ES d",
            "EF d",
            "LS d",
            "LF d",
            "total float d",
            "free float d",
            "critical",
            "mean duration d",
            "criticality %",
            "cruciality",
        ],
    );
    let mut order: Vec<usize> = (0..r.activities.len()).collect();
    if limit < r.activities.len() {
        order.sort_by(|&a, &b| {
            r.activities[b]
                .criticality_pct
                .total_cmp(&r.activities[a].criticality_pct)
                .then(a.cmp(&b))
        });
        order.truncate(limit);
        order.sort_unstable();
    }
    for a in order {
        let x = &r.activities[a];
        t.push(vec![
            Cell::Text(x.id.clone()),
            Cell::Text(x.name.clone()),
            Cell::Num(x.duration_days, 0),
            Cell::Text(x.start_date.clone()),
            Cell::Text(x.finish_date.clone()),
            Cell::Num(x.early_start_days, 0),
            Cell::Num(x.early_finish_days, 0),
            Cell::Num(x.late_start_days, 0),
            Cell::Num(x.late_finish_days, 0),
            Cell::Num(x.total_float_days, 0),
            Cell::Num(x.free_float_days, 0),
            Cell::Text(if x.critical { "yes" } else { "" }.into()),
            Cell::Num(x.mean_duration_days, 0),
            Cell::Num(x.criticality_pct, 1),
            Cell::Num(x.cruciality, 2),
        ]);
    }
    t
}

fn merges_table(r: &BuildResult, limit: usize) -> Table {
    let mut t = Table::new(
        "build_merges",
        "Merge bias: where paths join, the drawn start against the CPM start",
        &[
            "activity",
            "predecessors",
            "planned start d",
            "mean start d",
            "P50 start d",
            "bias d",
            "on time %",
        ],
    );
    let mut order: Vec<usize> = (0..r.merges.len()).collect();
    if limit < r.merges.len() {
        order.sort_by(|&a, &b| {
            r.merges[b]
                .bias_days
                .total_cmp(&r.merges[a].bias_days)
                .then(a.cmp(&b))
        });
        order.truncate(limit);
        order.sort_unstable();
    }
    for j in order {
        let m = &r.merges[j];
        t.push(vec![
            Cell::Text(m.id.clone()),
            Cell::Num(m.predecessors as f64, 0),
            Cell::Num(m.planned_start_days, 0),
            Cell::Num(m.mean_start_days, 0),
            Cell::Num(m.p50_start_days, 0),
            Cell::Num(m.bias_days, 0),
            Cell::Num(m.on_time_pct, 1),
        ]);
    }
    t
}

fn cost_table(r: &BuildResult) -> Table {
    let mut t = Table::new(
        "build_cost",
        "Cost of the schedule (fixed, time-dependent, risk events, standby), USD M",
        &[
            "planned",
            "mean",
            "P10",
            "P50",
            "P80",
            "P90",
            "P80 over plan %",
        ],
    );
    let c = &r.cost;
    let m = |v: f64| Cell::Num(v / 1e6, 1);
    let over = if c.planned_usd > 0.0 {
        Cell::Num(100.0 * (c.percentile_usd[2] / c.planned_usd - 1.0), 1)
    } else {
        Cell::Missing
    };
    t.push(vec![
        m(c.planned_usd),
        m(c.mean_usd),
        m(c.percentile_usd[0]),
        m(c.percentile_usd[1]),
        m(c.percentile_usd[2]),
        m(c.percentile_usd[3]),
        over,
    ]);
    t
}

fn s_curve_table(r: &BuildResult) -> Table {
    let mut t = Table::new(
        "build_s_curve",
        &format!(
            "Cost S-curve: cumulative USD at the end of each month ({DAYS_PER_MONTH} days) from day 0"
        ),
        &["month", "planned usd", "P10 usd", "P50 usd", "P90 usd"],
    );
    for p in &r.s_curve {
        t.push(vec![
            Cell::Num(p.month as f64, 0),
            Cell::Num(p.planned_usd, 0),
            Cell::Num(p.percentile_usd[0], 0),
            Cell::Num(p.percentile_usd[1], 0),
            Cell::Num(p.percentile_usd[2], 0),
        ]);
    }
    t
}

fn register_table(r: &BuildResult) -> Table {
    let mut t = Table::new(
        "build_register",
        "Risk drivers, events and the market window: how often each struck",
        &[
            "kind",
            "name",
            "probability %",
            "occurred %",
            "mean factor or suspension d",
        ],
    );
    for x in &r.register {
        t.push(vec![
            Cell::Text(x.kind.clone()),
            Cell::Text(x.name.clone()),
            Cell::Num(x.probability_pct, 1),
            Cell::Num(x.occurred_pct, 1),
            if x.mean_impact.is_finite() {
                Cell::Num(x.mean_impact, 2)
            } else {
                Cell::Missing
            },
        ]);
    }
    t
}

fn critical_path_table(r: &BuildResult) -> Table {
    let mut t = Table::new(
        "build_critical_path",
        "Critical path (CPM)",
        &["order", "activity"],
    );
    for (i, id) in r.critical_path.iter().enumerate() {
        t.push(vec![Cell::Num(i as f64 + 1.0, 0), Cell::Text(id.clone())]);
    }
    t
}

/// Every iteration's milestone days (from day 0) and cost: the `--iterations-csv` table.
pub fn build_iterations_table(r: &BuildResult) -> Table {
    let p = &r.per_iteration;
    let mut cols: Vec<String> = vec!["iteration".into()];
    cols.extend(p.names.iter().map(|n| format!("{n}_days")));
    cols.extend(p.names.iter().map(|n| format!("{n}_date")));
    cols.push("cost_usd".into());
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new("build_iterations", "Every iteration", &refs);
    let start = study::build::date::parse(&r.start_date).unwrap_or(0);
    for (i, (days, cost)) in p.days.iter().zip(&p.cost_usd).enumerate() {
        let mut row = vec![Cell::Text(i.to_string())];
        row.extend(days.iter().map(|d| Cell::Text(format!("{d}"))));
        row.extend(
            days.iter()
                .map(|d| Cell::Text(study::build::date::after(start, *d))),
        );
        row.push(Cell::Text(format!("{cost}")));
        t.push(row);
    }
    t
}

impl Output for BuildResult {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("serialisable result")
    }

    fn tables(&self) -> Vec<Table> {
        vec![
            milestones_table(self),
            cost_table(self),
            activities_table(self, usize::MAX),
            critical_path_table(self),
            merges_table(self, usize::MAX),
            register_table(self),
            s_curve_table(self),
        ]
    }

    fn terminal_tables(&self) -> Vec<Table> {
        let mut v = vec![
            milestones_table(self),
            cost_table(self),
            activities_table(self, TERMINAL_ACTIVITIES),
            merges_table(self, TERMINAL_MERGES),
        ];
        if !self.register.is_empty() {
            v.push(register_table(self));
        }
        v
    }

    fn data(&self) -> Option<Table> {
        Some(build_iterations_table(self))
    }
}
