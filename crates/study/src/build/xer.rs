//! Primavera P6 XER files: the tab-separated export of P6 (`ERMHDR` header line, then per
//! table a `%T` line naming it, a `%F` line naming its fields and `%R` rows, ending `%E`).
//! Fields are found by their names in each table's `%F` line, never by position.
//!
//! Read: `CALENDAR` (`clndr_id`, `clndr_name`, `day_hr_cnt`, `week_hr_cnt`), `PROJECT`
//! (`plan_start_date`), `TASK` (`task_id`, `task_code`, `task_name`, `task_type`,
//! `clndr_id`, `target_drtn_hr_cnt`) and `TASKPRED` (`task_id`, `pred_task_id`,
//! `pred_type` `PR_FS`/`PR_SS`/`PR_FF`/`PR_SF`, `lag_hr_cnt`); other tables and fields are
//! skipped. Hours become working days by the calendar's hours per day (a lag by its
//! successor's calendar, P6's default). Activities are identified by `task_code`;
//! `TT_Mile` and `TT_FinMile` tasks are milestones.

use super::config::{FileNetwork, MAX_ACTIVITIES, MAX_RELATIONS};
use super::cpm::{Activity, Calendar, Network, RelKind, Relation};
use des::input::InputError;
use std::collections::HashMap;

/// Labels (case-insensitive) of the task user-defined fields read as a three-point
/// estimate, in hours: minimum, most likely, maximum (a manto convention: P6 has no native
/// three-point fields).
pub const THREE_POINT_LABELS: [&[&str]; 3] = [
    &["min duration", "minimum duration", "optimistic duration"],
    &["most likely duration", "likely duration"],
    &["max duration", "maximum duration", "pessimistic duration"],
];

struct Table {
    name: String,
    fields: Vec<String>,
    line: usize,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    fn col(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == field)
    }
}

fn err(file: &str, line: usize, path: String, message: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line: Some(line),
        path,
        message: message.into(),
    }
}

/// Parses the text of an XER file.
pub fn parse(text: &str, file: &str) -> Result<FileNetwork, InputError> {
    let mut tables: Vec<Table> = Vec::new();
    let mut seen_header = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let mut cells = l.split('\t');
        let tag = cells.next().unwrap_or("");
        match tag {
            "ERMHDR" => seen_header = true,
            "%T" => {
                let name = cells.next().unwrap_or("").trim().to_string();
                if name.is_empty() {
                    return Err(err(
                        file,
                        line,
                        "%T".into(),
                        "a %T line must name its table",
                    ));
                }
                tables.push(Table {
                    name,
                    fields: Vec::new(),
                    line,
                    rows: Vec::new(),
                });
            }
            "%F" => {
                let Some(t) = tables.last_mut() else {
                    return Err(err(
                        file,
                        line,
                        "%F".into(),
                        "field names before any %T table line",
                    ));
                };
                t.fields = cells.map(|c| c.trim().to_string()).collect();
                t.line = line;
            }
            "%R" => {
                let Some(t) = tables.last_mut() else {
                    return Err(err(
                        file,
                        line,
                        "%R".into(),
                        "a row before any %T table line",
                    ));
                };
                if t.fields.is_empty() {
                    return Err(err(
                        file,
                        line,
                        t.name.clone(),
                        "a row before the table's %F field names",
                    ));
                }
                let v: Vec<String> = cells.map(str::to_string).collect();
                if v.len() > t.fields.len() {
                    return Err(err(
                        file,
                        line,
                        t.name.clone(),
                        format!("{} values for {} fields", v.len(), t.fields.len()),
                    ));
                }
                t.rows.push((line, v));
            }
            "%E" => break,
            _ => {
                return Err(err(
                    file,
                    line,
                    String::new(),
                    format!(
                        "`{}` is not an XER line (ERMHDR, %T, %F, %R or %E)",
                        tag.chars().take(20).collect::<String>()
                    ),
                ))
            }
        }
    }
    if !seen_header {
        return Err(err(
            file,
            1,
            "ERMHDR".into(),
            "not a P6 XER file: no ERMHDR header line",
        ));
    }
    let find = |name: &str| tables.iter().find(|t| t.name == name);
    let need = |t: &Table, field: &str| -> Result<usize, InputError> {
        t.col(field).ok_or_else(|| {
            err(
                file,
                t.line,
                format!("{}.{field}", t.name),
                format!("the {} table has no `{field}` field", t.name),
            )
        })
    };
    let get = |_t: &Table, row: &[String], c: Option<usize>| -> String {
        c.and_then(|c| row.get(c))
            .map_or(String::new(), |s| s.trim().to_string())
    };
    let number = |t: &Table,
                  line: usize,
                  row: &[String],
                  c: usize,
                  field: &str|
     -> Result<f64, InputError> {
        let s = get(t, row, Some(c));
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(err(
                file,
                line,
                format!("{}.{field}", t.name),
                format!("`{s}` is not a number"),
            )),
        }
    };
    // Calendars.
    let mut calendars = vec![Calendar::elapsed()];
    let mut cal_of: HashMap<String, usize> = HashMap::new();
    let mut default_cal = 0;
    if let Some(t) = find("CALENDAR") {
        let id = need(t, "clndr_id")?;
        let (name, day, week) = (
            t.col("clndr_name"),
            t.col("day_hr_cnt"),
            t.col("week_hr_cnt"),
        );
        for (line, row) in &t.rows {
            let hours_per_day = match day {
                Some(c) if !get(t, row, Some(c)).is_empty() => {
                    number(t, *line, row, c, "day_hr_cnt")?
                }
                _ => 8.0,
            };
            let week_h = match week {
                Some(c) if !get(t, row, Some(c)).is_empty() => {
                    number(t, *line, row, c, "week_hr_cnt")?
                }
                _ => 5.0 * hours_per_day,
            };
            if !(hours_per_day > 0.0 && hours_per_day <= 24.0) {
                return Err(err(
                    file,
                    *line,
                    "CALENDAR.day_hr_cnt".into(),
                    format!("{hours_per_day} hours a day: must lie in (0, 24]"),
                ));
            }
            let days_per_week = week_h / hours_per_day;
            if !(days_per_week > 0.0 && days_per_week <= 7.0) {
                return Err(err(
                    file,
                    *line,
                    "CALENDAR.week_hr_cnt".into(),
                    format!("{week_h} hours a week is not 1 to 7 days of {hours_per_day} h"),
                ));
            }
            cal_of.insert(get(t, row, Some(id)), calendars.len());
            calendars.push(Calendar {
                name: get(t, row, name),
                days_per_week,
                hours_per_day,
            });
        }
        if calendars.len() > 1 {
            default_cal = 1;
        }
    }
    let start_date = find("PROJECT").and_then(|t| {
        let c = t.col("plan_start_date")?;
        let s = get(t, &t.rows.first()?.1, Some(c));
        (s.len() >= 10).then(|| s[..10].to_string())
    });
    // Tasks.
    let Some(tt) = find("TASK") else {
        return Err(err(
            file,
            text.lines().count().max(1),
            "TASK".into(),
            "the file has no TASK table",
        ));
    };
    let (c_id, c_code, c_dur) = (
        need(tt, "task_id")?,
        need(tt, "task_code")?,
        need(tt, "target_drtn_hr_cnt")?,
    );
    let (c_name, c_type, c_cal) = (tt.col("task_name"), tt.col("task_type"), tt.col("clndr_id"));
    if tt.rows.len() > MAX_ACTIVITIES {
        return Err(err(
            file,
            tt.line,
            "TASK".into(),
            format!("{} tasks; at most {MAX_ACTIVITIES}", tt.rows.len()),
        ));
    }
    let mut activities = Vec::new();
    let mut milestones = Vec::new();
    let mut by_task_id: HashMap<String, usize> = HashMap::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for (line, row) in &tt.rows {
        let code = get(tt, row, Some(c_code));
        if code.is_empty() {
            return Err(err(file, *line, "TASK.task_code".into(), "empty task code"));
        }
        if codes.insert(code.clone(), *line).is_some() {
            return Err(err(
                file,
                *line,
                "TASK.task_code".into(),
                format!("task code `{code}` appears twice"),
            ));
        }
        let calendar = match c_cal.map(|c| get(tt, row, Some(c))) {
            Some(k) if !k.is_empty() => *cal_of.get(&k).ok_or_else(|| {
                err(
                    file,
                    *line,
                    "TASK.clndr_id".into(),
                    format!("no calendar `{k}` in the CALENDAR table"),
                )
            })?,
            _ => default_cal,
        };
        let hours = number(tt, *line, row, c_dur, "target_drtn_hr_cnt")?;
        if !(0.0..=1e7).contains(&hours) {
            return Err(err(
                file,
                *line,
                "TASK.target_drtn_hr_cnt".into(),
                format!("{hours} hours must lie in [0, 1e7]"),
            ));
        }
        let kind = get(tt, row, c_type);
        if kind == "TT_Mile" || kind == "TT_FinMile" {
            milestones.push(activities.len());
        }
        by_task_id.insert(get(tt, row, Some(c_id)), activities.len());
        activities.push(Activity {
            id: code,
            name: get(tt, row, c_name),
            duration_days: hours / calendars[calendar].hours_per_day,
            calendar,
        });
    }
    // Relationships.
    let mut relations = Vec::new();
    if let Some(t) = find("TASKPRED") {
        let (c_succ, c_pred) = (need(t, "task_id")?, need(t, "pred_task_id")?);
        let (c_type, c_lag) = (t.col("pred_type"), t.col("lag_hr_cnt"));
        if t.rows.len() > MAX_RELATIONS {
            return Err(err(
                file,
                t.line,
                "TASKPRED".into(),
                format!("{} relationships; at most {MAX_RELATIONS}", t.rows.len()),
            ));
        }
        for (line, row) in &t.rows {
            let task = |c: usize, field: &str| -> Result<usize, InputError> {
                let k = get(t, row, Some(c));
                by_task_id.get(&k).copied().ok_or_else(|| {
                    err(
                        file,
                        *line,
                        format!("TASKPRED.{field}"),
                        format!("no task with task_id `{k}`"),
                    )
                })
            };
            let succ = task(c_succ, "task_id")?;
            let pred = task(c_pred, "pred_task_id")?;
            let code = get(t, row, c_type);
            let kind = match code.as_str() {
                "" | "PR_FS" => RelKind::FinishStart,
                "PR_SS" => RelKind::StartStart,
                "PR_FF" => RelKind::FinishFinish,
                "PR_SF" => RelKind::StartFinish,
                other => {
                    return Err(err(
                        file,
                        *line,
                        "TASKPRED.pred_type".into(),
                        format!("`{other}` is not PR_FS, PR_SS, PR_FF or PR_SF"),
                    ))
                }
            };
            let lag_h = match c_lag {
                Some(c) if !get(t, row, Some(c)).is_empty() => {
                    number(t, *line, row, c, "lag_hr_cnt")?
                }
                _ => 0.0,
            };
            if lag_h.abs() > 1e7 {
                return Err(err(
                    file,
                    *line,
                    "TASKPRED.lag_hr_cnt".into(),
                    format!("{lag_h} hours is out of range"),
                ));
            }
            if pred == succ {
                return Err(err(
                    file,
                    *line,
                    "TASKPRED.pred_task_id".into(),
                    "a task cannot follow itself",
                ));
            }
            relations.push(Relation {
                pred,
                succ,
                kind,
                lag_days: lag_h / calendars[activities[succ].calendar].hours_per_day,
            });
        }
    }
    // Three-point estimates: P6 has no native fields for them (its duration fields are
    // original, remaining, actual and at-completion; Primavera Risk Analysis keeps its
    // three points in its own plan), so manto reads the convention of task user-defined
    // fields: a UDFTYPE row for table TASK whose label is one of THREE_POINT_LABELS, and
    // UDFVALUE rows (udf_type_id, fk_id = task_id, udf_number in hours, like
    // target_drtn_hr_cnt).
    let mut three_point: Vec<[Option<f64>; 3]> = vec![[None; 3]; activities.len()];
    if let (Some(ut), Some(uv)) = (find("UDFTYPE"), find("UDFVALUE")) {
        let (c_tid, c_label) = (need(ut, "udf_type_id")?, need(ut, "udf_type_label")?);
        let c_table = ut.col("table_name");
        let mut point_of: HashMap<String, usize> = HashMap::new();
        for (_, row) in &ut.rows {
            if c_table.is_some() && get(ut, row, c_table) != "TASK" {
                continue;
            }
            let label = get(ut, row, Some(c_label)).to_ascii_lowercase();
            if let Some(k) = THREE_POINT_LABELS
                .iter()
                .position(|ls| ls.contains(&label.as_str()))
            {
                point_of.insert(get(ut, row, Some(c_tid)), k);
            }
        }
        if !point_of.is_empty() {
            let (c_vt, c_fk, c_num) = (
                need(uv, "udf_type_id")?,
                need(uv, "fk_id")?,
                need(uv, "udf_number")?,
            );
            for (line, row) in &uv.rows {
                let Some(&k) = point_of.get(&get(uv, row, Some(c_vt))) else {
                    continue;
                };
                let fk = get(uv, row, Some(c_fk));
                let a = *by_task_id.get(&fk).ok_or_else(|| {
                    err(
                        file,
                        *line,
                        "UDFVALUE.fk_id".into(),
                        format!("no task with task_id `{fk}`"),
                    )
                })?;
                let hours = number(uv, *line, row, c_num, "udf_number")?;
                if !(0.0..=1e7).contains(&hours) {
                    return Err(err(
                        file,
                        *line,
                        "UDFVALUE.udf_number".into(),
                        format!("{hours} hours must lie in [0, 1e7]"),
                    ));
                }
                three_point[a][k] = Some(hours / calendars[activities[a].calendar].hours_per_day);
            }
        }
    }
    let mut points = Vec::with_capacity(activities.len());
    for (a, p) in three_point.iter().enumerate() {
        points.push(match *p {
            [None, None, None] => None,
            [Some(lo), Some(ml), Some(hi)] if lo <= ml && ml <= hi => Some([lo, ml, hi]),
            _ => {
                let line = tt.rows[a].0;
                return Err(err(
                    file,
                    line,
                    "UDFVALUE.udf_number".into(),
                    format!(
                        "task `{}`: a three-point estimate needs a minimum <= most likely <= maximum (UDFs labelled {})",
                        activities[a].id,
                        THREE_POINT_LABELS.map(|l| l[0]).join(", ")
                    ),
                ));
            }
        });
    }
    let name = find("PROJECT")
        .and_then(|t| {
            t.col("proj_short_name").map(|c| {
                get(
                    t,
                    &t.rows.first().map(|r| r.1.clone()).unwrap_or_default(),
                    Some(c),
                )
            })
        })
        .unwrap_or_default();
    Ok(FileNetwork {
        network: Network {
            name,
            calendars,
            activities,
            relations,
        },
        milestones,
        start_date,
        three_point: points,
    })
}

/// Writes a network as an XER file (P6's field names; calendars from the second on, as
/// P6 has no "elapsed" calendar of its own: it is written as a 7-day, 24-hour calendar),
/// with three-point estimates (when given, per activity) as task UDFs labelled `Min
/// Duration`, `Most Likely Duration` and `Max Duration`, in hours.
pub fn write(
    net: &Network,
    milestones: &[usize],
    start_date: &str,
    three_point: &[Option<[f64; 3]>],
) -> String {
    let mut s = String::from("ERMHDR\t19.12\t2007-06-01\tProject\tmanto\tmanto\tdbxDatabaseNoName\tProject Management\tUSD\n");
    s.push_str("%T\tPROJECT\n%F\tproj_id\tproj_short_name\tplan_start_date\n");
    s.push_str(&format!("%R\t1\t{}\t{start_date} 00:00\n", net.name));
    s.push_str("%T\tCALENDAR\n%F\tclndr_id\tclndr_name\tday_hr_cnt\tweek_hr_cnt\n");
    for (i, c) in net.calendars.iter().enumerate() {
        s.push_str(&format!(
            "%R\t{}\t{}\t{}\t{}\n",
            i + 1,
            c.name,
            c.hours_per_day,
            c.hours_per_day * c.days_per_week
        ));
    }
    s.push_str("%T\tTASK\n%F\ttask_id\tproj_id\tclndr_id\ttask_code\ttask_name\ttask_type\ttarget_drtn_hr_cnt\n");
    for (i, a) in net.activities.iter().enumerate() {
        let kind = if milestones.contains(&i) {
            "TT_FinMile"
        } else {
            "TT_Task"
        };
        s.push_str(&format!(
            "%R\t{}\t1\t{}\t{}\t{}\t{kind}\t{}\n",
            i + 1,
            a.calendar + 1,
            a.id,
            a.name,
            a.duration_days * net.calendars[a.calendar].hours_per_day
        ));
    }
    s.push_str("%T\tTASKPRED\n%F\ttask_pred_id\ttask_id\tpred_task_id\tproj_id\tpred_proj_id\tpred_type\tlag_hr_cnt\n");
    for (i, r) in net.relations.iter().enumerate() {
        s.push_str(&format!(
            "%R\t{}\t{}\t{}\t1\t1\tPR_{}\t{}\n",
            i + 1,
            r.succ + 1,
            r.pred + 1,
            r.kind.code(),
            r.lag_days * net.calendars[net.activities[r.succ].calendar].hours_per_day
        ));
    }
    if three_point.iter().any(Option::is_some) {
        s.push_str("%T\tUDFTYPE\n%F\tudf_type_id\ttable_name\tudf_type_name\tudf_type_label\tlogical_data_type\n");
        for (k, label) in ["Min Duration", "Most Likely Duration", "Max Duration"]
            .iter()
            .enumerate()
        {
            s.push_str(&format!(
                "%R\t{}\tTASK\tuser_field_{}\t{label}\tFT_FLOAT_2_DECIMAL\n",
                k + 1,
                k + 1
            ));
        }
        s.push_str("%T\tUDFVALUE\n%F\tudf_type_id\tfk_id\tproj_id\tudf_number\n");
        for (i, p) in three_point.iter().enumerate() {
            if let Some(p) = p {
                let hpd = net.calendars[net.activities[i].calendar].hours_per_day;
                for (k, v) in p.iter().enumerate() {
                    s.push_str(&format!("%R\t{}\t{}\t1\t{}\n", k + 1, i + 1, v * hpd));
                }
            }
        }
    }
    s.push_str("%E\n");
    s
}
