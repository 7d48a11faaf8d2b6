//! Microsoft Project XML files (MSPDI, the Microsoft Project Data Interchange schema,
//! `http://schemas.microsoft.com/project`; Microsoft, *XML Schema for the Project Element*,
//! Office developer reference "Project XML Data Interchange"): read and write.
//!
//! The file is parsed with `quick-xml` into a small element tree and every field is found
//! by its element name, never by position (namespace prefixes are ignored). Read:
//!
//! - `Project/Name` (or `Title`), `StartDate` (day 0), `MinutesPerDay` and
//!   `MinutesPerWeek` (the project's default calendar: 480 and 2400, MS Project's defaults,
//!   when absent), `CalendarUID` (the project calendar);
//! - `Calendars/Calendar`: `UID`, `Name`, `BaseCalendarUID`, `WeekDays/WeekDay` with
//!   `DayType` 1 (Sunday) to 7 (Saturday), `DayWorking` and `WorkingTimes/WorkingTime`
//!   (`FromTime`, `ToTime`; a `ToTime` at or before `FromTime` runs to midnight or past it,
//!   so `00:00:00`-`00:00:00` is 24 hours). Days per week = working week days; hours per
//!   day = their mean working hours. A calendar without week days inherits its base
//!   calendar's (exceptions, `DayType` 0, are not modelled: see [`super::cpm`]);
//! - `Tasks/Task`: `UID` (the activity id), `Name`, `Duration` (ISO 8601 `PT…H…M…S`, working
//!   time), `DurationFormat` (an elapsed format, 4, 6, 8, 10, 12 or 36 to 44 even, puts the
//!   task on the elapsed calendar), `Milestone`, `Summary` and `IsNull` (summary and null
//!   tasks are skipped), `CalendarUID` (absent or -1: the project calendar),
//!   `PredecessorLink` (`PredecessorUID`, `Type` 0 FF, 1 FS, 2 SF, 3 SS, `LinkLag` in tenths
//!   of a minute, `LagFormat`: elapsed formats count elapsed time, percentages are refused,
//!   `CrossProject` links are refused), and the three-point estimate in the extended
//!   attributes `Duration1`, `Duration2` and `Duration3` (`ExtendedAttribute` with `FieldID`
//!   188743783, 188743784, 188743785: optimistic, most likely, pessimistic, the fields MS
//!   Project's PERT analysis and Primavera Risk Analysis use), read as a triangular
//!   distribution.
//!
//! Hours become working days by the task's calendar's hours per day; a lag by its
//! successor's calendar (as for P6 files). Anything malformed is refused naming the line and
//! the element (`Task.Duration`, `PredecessorLink.Type`, ...).

use super::config::{FileNetwork, MAX_ACTIVITIES, MAX_RELATIONS};
use super::cpm::{Activity, Calendar, Network, RelKind, Relation};
use des::input::InputError;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::HashMap;

/// Deepest element nesting accepted (MSPDI needs 6).
const MAX_DEPTH: usize = 32;

/// Extended-attribute field ids of `Duration1`, `Duration2`, `Duration3` (MSPDI FieldID).
pub const THREE_POINT_FIELD_IDS: [&str; 3] = ["188743783", "188743784", "188743785"];

/// One element: its local name, text (leaf elements), line and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    line: usize,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

fn err(file: &str, line: usize, path: impl Into<String>, message: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line: Some(line),
        path: path.into(),
        message: message.into(),
    }
}

/// Parses the XML into an element tree (the root element).
fn tree(text: &str, file: &str) -> Result<Node, InputError> {
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_at = |pos: u64| newlines.partition_point(|&n| (n as u64) < pos) + 1;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let start = reader.buffer_position();
        let ev = reader.read_event().map_err(|e| {
            err(
                file,
                line_at(reader.error_position()),
                "",
                format!("not well-formed XML: {e}"),
            )
        })?;
        let decode = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match ev {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(err(
                        file,
                        line_at(start),
                        decode(e.local_name().as_ref()),
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                stack.push(Node {
                    name: decode(e.local_name().as_ref()),
                    line: line_at(start + 1),
                    ..Node::default()
                });
            }
            Event::Empty(e) => {
                let node = Node {
                    name: decode(e.local_name().as_ref()),
                    line: line_at(start + 1),
                    ..Node::default()
                };
                stack.last_mut().expect("root").children.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().expect("balanced by quick-xml");
                let Some(parent) = stack.last_mut() else {
                    return Err(err(file, line_at(start), "", "unbalanced end tag"));
                };
                parent.children.push(node);
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    err(file, line_at(start), "", format!("bad text encoding: {e}"))
                })?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Event::CData(t) => {
                stack
                    .last_mut()
                    .expect("root")
                    .text
                    .push_str(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| {
                    err(file, line_at(start), "", format!("bad text encoding: {e}"))
                })?;
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(err(
                                file,
                                line_at(start),
                                "",
                                format!("unknown entity `&{name};`"),
                            ))
                        }
                    },
                };
                stack.last_mut().expect("root").text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|n| n.name.clone()).unwrap_or_default();
        return Err(err(
            file,
            newlines.len() + 1,
            open.clone(),
            format!("the file ends inside <{open}>"),
        ));
    }
    let mut doc = stack.pop().expect("document");
    match doc.children.len() {
        1 => Ok(doc.children.pop().expect("one root")),
        0 => Err(err(file, 1, "Project", "no XML element in the file")),
        _ => Err(err(
            file,
            doc.children[1].line,
            doc.children[1].name.clone(),
            "more than one root element",
        )),
    }
}

/// Parses an ISO 8601 duration of the form MSPDI writes (`PT8H0M0S`, `PT1.5H`; an
/// optional `nD` day part counts 24 hours) into hours.
pub fn parse_duration_hours(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut hours = 0.0;
    if !days.is_empty() {
        hours += 24.0 * days.strip_suffix('D')?.parse::<f64>().ok()?;
    }
    let mut num = String::new();
    let mut any = !days.is_empty();
    for c in time.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'H' | 'M' | 'S' => {
                let v: f64 = num.parse().ok()?;
                hours += v / match c {
                    'H' => 1.0,
                    'M' => 60.0,
                    _ => 3600.0,
                };
                num.clear();
                any = true;
            }
            _ => return None,
        }
    }
    (num.is_empty() && any && hours.is_finite() && hours >= 0.0).then_some(hours)
}

/// Formats hours as MSPDI writes durations (`PT{h}H{m}M{s}S`, seconds to the millisecond).
pub fn format_duration_hours(hours: f64) -> String {
    let total_ms = (hours * 3_600_000.0).round().max(0.0) as u64;
    let (h, rem) = (total_ms / 3_600_000, total_ms % 3_600_000);
    let (m, ms) = (rem / 60_000, rem % 60_000);
    if ms % 1000 == 0 {
        format!("PT{h}H{m}M{}S", ms / 1000)
    } else {
        format!("PT{h}H{m}M{}.{:03}S", ms / 1000, ms % 1000)
    }
}

/// `HH:MM:SS` into hours after midnight.
fn clock_hours(s: &str) -> Option<f64> {
    let mut it = s.split(':');
    let h: f64 = it.next()?.trim().parse().ok()?;
    let m: f64 = it.next().unwrap_or("0").trim().parse().ok()?;
    let sec: f64 = it.next().unwrap_or("0").trim().parse().ok()?;
    (0.0..=24.0)
        .contains(&h)
        .then_some(h + m / 60.0 + sec / 3600.0)
}

/// Is an MSPDI duration or lag format (`DurationFormat`, `LagFormat`) elapsed time?
fn elapsed_format(code: i64) -> bool {
    matches!(code, 4 | 6 | 8 | 10 | 12 | 36 | 38 | 40 | 42 | 44)
}

/// Is it a percentage (a lag as a share of the predecessor's duration)?
fn percent_format(code: i64) -> bool {
    matches!(code, 19 | 20 | 51 | 52)
}

/// A calendar read from the file, before base calendars are resolved.
struct RawCalendar {
    uid: String,
    name: String,
    base: Option<String>,
    week: Option<(f64, f64)>,
    line: usize,
}

/// Parses an MSPDI file.
pub fn parse(text: &str, file: &str) -> Result<FileNetwork, InputError> {
    let root = tree(text, file)?;
    if root.name != "Project" {
        return Err(err(
            file,
            root.line,
            root.name.clone(),
            format!(
                "not an MS Project XML file: the root element is <{}>, not <Project>",
                root.name
            ),
        ));
    }
    let number = |node: &Node, parent: &str, field: &str| -> Result<Option<f64>, InputError> {
        match node.child(field) {
            None => Ok(None),
            Some(c) if c.text.trim().is_empty() => Ok(None),
            Some(c) => match c.text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(err(
                    file,
                    c.line,
                    format!("{parent}.{field}"),
                    format!("`{}` is not a number", c.text.trim()),
                )),
            },
        }
    };
    let flag = |node: &Node, parent: &str, field: &str| -> Result<bool, InputError> {
        match node.text_of(field) {
            None | Some("") | Some("0") => Ok(false),
            Some("1") => Ok(true),
            Some(v) => Err(err(
                file,
                node.child(field).map_or(node.line, |c| c.line),
                format!("{parent}.{field}"),
                format!("`{v}` is not 0 or 1"),
            )),
        }
    };
    let minutes_per_day = number(&root, "Project", "MinutesPerDay")?.unwrap_or(480.0);
    let minutes_per_week = number(&root, "Project", "MinutesPerWeek")?.unwrap_or(2400.0);
    if !(minutes_per_day > 0.0 && minutes_per_day <= 1440.0) {
        return Err(err(
            file,
            root.child("MinutesPerDay").map_or(root.line, |c| c.line),
            "Project.MinutesPerDay",
            format!("{minutes_per_day} minutes a day: must lie in (0, 1440]"),
        ));
    }
    let project_days = minutes_per_week / minutes_per_day;
    if !(project_days > 0.0 && project_days <= 7.0) {
        return Err(err(
            file,
            root.child("MinutesPerWeek").map_or(root.line, |c| c.line),
            "Project.MinutesPerWeek",
            format!(
                "{minutes_per_week} minutes a week is not 1 to 7 days of {minutes_per_day} min"
            ),
        ));
    }
    // Calendars.
    let mut raw = Vec::new();
    if let Some(cals) = root.child("Calendars") {
        for c in cals.all("Calendar") {
            let Some(uid) = c.text_of("UID").filter(|u| !u.is_empty()) else {
                return Err(err(
                    file,
                    c.line,
                    "Calendar.UID",
                    "a calendar without a UID",
                ));
            };
            let mut worked = 0usize;
            let mut hours = 0.0;
            let mut any_day = false;
            if let Some(wd) = c.child("WeekDays") {
                for d in wd.all("WeekDay") {
                    let Some(t) = number(d, "WeekDay", "DayType")? else {
                        continue;
                    };
                    if t == 0.0 {
                        continue; // an exception (a holiday period): not modelled
                    }
                    if !(1.0..=7.0).contains(&t) {
                        return Err(err(
                            file,
                            d.child("DayType").map_or(d.line, |c| c.line),
                            "WeekDay.DayType",
                            format!("{t} is not 0 (exception) or 1 (Sunday) to 7 (Saturday)"),
                        ));
                    }
                    any_day = true;
                    if !flag(d, "WeekDay", "DayWorking")? {
                        continue;
                    }
                    worked += 1;
                    let mut h = 0.0;
                    if let Some(wt) = d.child("WorkingTimes") {
                        for w in wt.all("WorkingTime") {
                            let clock = |f: &str| -> Result<Option<f64>, InputError> {
                                match w.text_of(f) {
                                    None | Some("") => Ok(None),
                                    Some(s) => clock_hours(s).map(Some).ok_or_else(|| {
                                        err(
                                            file,
                                            w.child(f).map_or(w.line, |c| c.line),
                                            format!("WorkingTime.{f}"),
                                            format!("`{s}` is not a time HH:MM:SS"),
                                        )
                                    }),
                                }
                            };
                            if let (Some(from), Some(to)) = (clock("FromTime")?, clock("ToTime")?) {
                                h += if to > from {
                                    to - from
                                } else {
                                    to + 24.0 - from
                                };
                            }
                        }
                    }
                    hours += if h > 0.0 { h } else { minutes_per_day / 60.0 };
                }
            }
            raw.push(RawCalendar {
                uid: uid.to_string(),
                name: c.text_of("Name").unwrap_or(uid).to_string(),
                base: c
                    .text_of("BaseCalendarUID")
                    .filter(|b| !b.is_empty() && *b != "-1")
                    .map(str::to_string),
                week: (any_day && worked > 0).then(|| (worked as f64, hours / worked as f64)),
                line: c.line,
            });
        }
    }
    let mut calendars = vec![Calendar::elapsed()];
    let mut cal_of: HashMap<String, usize> = HashMap::new();
    for (k, c) in raw.iter().enumerate() {
        let mut week = c.week;
        let mut base = c.base.clone();
        let mut hops = 0;
        while week.is_none() && hops < raw.len() {
            let Some(b) = base.as_ref().and_then(|b| raw.iter().find(|r| &r.uid == b)) else {
                break;
            };
            week = b.week;
            base = b.base.clone();
            hops += 1;
        }
        let (days_per_week, hours_per_day) = week.unwrap_or((project_days, minutes_per_day / 60.0));
        if !(hours_per_day > 0.0 && hours_per_day <= 24.0) {
            return Err(err(
                file,
                c.line,
                "Calendar.WeekDays",
                format!("{hours_per_day} working hours a day: must lie in (0, 24]"),
            ));
        }
        if cal_of.insert(c.uid.clone(), calendars.len()).is_some() {
            return Err(err(
                file,
                raw[k].line,
                "Calendar.UID",
                format!("calendar UID `{}` appears twice", c.uid),
            ));
        }
        calendars.push(Calendar {
            name: c.name.clone(),
            days_per_week,
            hours_per_day,
        });
    }
    let project_cal = match root.text_of("CalendarUID") {
        Some(u) if cal_of.contains_key(u) => Some(cal_of[u]),
        _ => None,
    };
    let mut default_cal = project_cal;
    // Tasks.
    let tasks: Vec<&Node> = root
        .child("Tasks")
        .map(|t| t.all("Task").collect())
        .unwrap_or_default();
    if tasks.len() > MAX_ACTIVITIES {
        return Err(err(
            file,
            root.child("Tasks").map_or(1, |t| t.line),
            "Tasks",
            format!("{} tasks; at most {MAX_ACTIVITIES}", tasks.len()),
        ));
    }
    let mut activities: Vec<Activity> = Vec::new();
    let mut three_point: Vec<Option<[f64; 3]>> = Vec::new();
    let mut milestones = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    let mut skipped: HashMap<String, &'static str> = HashMap::new();
    let mut kept: Vec<&Node> = Vec::new();
    for t in &tasks {
        let Some(uid) = t.text_of("UID").filter(|u| !u.is_empty()) else {
            return Err(err(file, t.line, "Task.UID", "a task without a UID"));
        };
        if by_uid.contains_key(uid) || skipped.contains_key(uid) {
            return Err(err(
                file,
                t.child("UID").map_or(t.line, |c| c.line),
                "Task.UID",
                format!("task UID `{uid}` appears twice"),
            ));
        }
        if flag(t, "Task", "Summary")? {
            skipped.insert(uid.to_string(), "a summary task");
            continue;
        }
        if flag(t, "Task", "IsNull")? {
            skipped.insert(uid.to_string(), "a null task");
            continue;
        }
        let elapsed =
            number(t, "Task", "DurationFormat")?.is_some_and(|f| elapsed_format(f as i64));
        let calendar = if elapsed {
            0
        } else {
            match t.text_of("CalendarUID") {
                None | Some("") | Some("-1") => match default_cal {
                    Some(c) => c,
                    None => {
                        // The project's default calendar, from MinutesPerDay and -PerWeek.
                        calendars.push(Calendar {
                            name: "project".into(),
                            days_per_week: project_days,
                            hours_per_day: minutes_per_day / 60.0,
                        });
                        default_cal = Some(calendars.len() - 1);
                        calendars.len() - 1
                    }
                },
                Some(u) => *cal_of.get(u).ok_or_else(|| {
                    err(
                        file,
                        t.child("CalendarUID").map_or(t.line, |c| c.line),
                        "Task.CalendarUID",
                        format!("no calendar with UID `{u}` in Calendars"),
                    )
                })?,
            }
        };
        let hpd = calendars[calendar].hours_per_day;
        let duration = |node: &Node, path: &str, s: &str| -> Result<f64, InputError> {
            match parse_duration_hours(s) {
                Some(h) if h <= 1e7 => Ok(h / hpd),
                _ => Err(err(
                    file,
                    node.line,
                    path.to_string(),
                    format!("`{s}` is not an ISO 8601 duration PT…H…M…S of at most 1e7 hours"),
                )),
            }
        };
        let days = match t.child("Duration") {
            Some(d) if !d.text.trim().is_empty() => duration(d, "Task.Duration", d.text.trim())?,
            _ => 0.0,
        };
        let mut points: [Option<f64>; 3] = [None; 3];
        for ea in t.all("ExtendedAttribute") {
            let Some(k) = ea
                .text_of("FieldID")
                .and_then(|f| THREE_POINT_FIELD_IDS.iter().position(|&id| id == f))
            else {
                continue;
            };
            let v = ea
                .child("Value")
                .ok_or_else(|| err(file, ea.line, "ExtendedAttribute.Value", "no Value"))?;
            points[k] = Some(duration(
                v,
                &format!("ExtendedAttribute.Duration{}", k + 1),
                v.text.trim(),
            )?);
        }
        let tp = match points {
            [None, None, None] => None,
            [Some(lo), Some(ml), Some(hi)] => {
                if !(lo <= ml && ml <= hi) {
                    return Err(err(
                        file,
                        t.line,
                        "Task.ExtendedAttribute",
                        format!(
                            "task `{uid}`: Duration1 {lo} <= Duration2 {ml} <= Duration3 {hi} working days is false"
                        ),
                    ));
                }
                Some([lo, ml, hi])
            }
            _ => {
                return Err(err(
                    file,
                    t.line,
                    "Task.ExtendedAttribute",
                    format!(
                        "task `{uid}` has part of a three-point estimate: give Duration1, Duration2 and Duration3 together"
                    ),
                ))
            }
        };
        if flag(t, "Task", "Milestone")? {
            milestones.push(activities.len());
        }
        by_uid.insert(uid.to_string(), activities.len());
        kept.push(t);
        three_point.push(tp);
        activities.push(Activity {
            id: uid.to_string(),
            name: t.text_of("Name").unwrap_or_default().to_string(),
            duration_days: days,
            calendar,
        });
    }
    // Relationships.
    let mut relations = Vec::new();
    for (succ, t) in kept.iter().enumerate() {
        for l in t.all("PredecessorLink") {
            if relations.len() >= MAX_RELATIONS {
                return Err(err(
                    file,
                    l.line,
                    "PredecessorLink",
                    format!("more than {MAX_RELATIONS} relationships"),
                ));
            }
            if flag(l, "PredecessorLink", "CrossProject")? {
                return Err(err(
                    file,
                    l.line,
                    "PredecessorLink.CrossProject",
                    "a link to another project: consolidate the projects into one file",
                ));
            }
            let Some(uid_node) = l.child("PredecessorUID") else {
                return Err(err(
                    file,
                    l.line,
                    "PredecessorLink.PredecessorUID",
                    "a link without a PredecessorUID",
                ));
            };
            let uid = uid_node.text.trim();
            let pred = match by_uid.get(uid) {
                Some(&p) => p,
                None => {
                    let why = skipped.get(uid).map_or_else(
                        || format!("no task with UID `{uid}`"),
                        |k| format!("task `{uid}` is {k}: link its activities instead"),
                    );
                    return Err(err(
                        file,
                        uid_node.line,
                        "PredecessorLink.PredecessorUID",
                        why,
                    ));
                }
            };
            if pred == succ {
                return Err(err(
                    file,
                    uid_node.line,
                    "PredecessorLink.PredecessorUID",
                    "a task cannot follow itself",
                ));
            }
            let kind = match number(l, "PredecessorLink", "Type")? {
                None | Some(1.0) => RelKind::FinishStart,
                Some(0.0) => RelKind::FinishFinish,
                Some(2.0) => RelKind::StartFinish,
                Some(3.0) => RelKind::StartStart,
                Some(v) => {
                    return Err(err(
                        file,
                        l.child("Type").map_or(l.line, |c| c.line),
                        "PredecessorLink.Type",
                        format!("{v} is not 0 (FF), 1 (FS), 2 (SF) or 3 (SS)"),
                    ))
                }
            };
            let tenths = number(l, "PredecessorLink", "LinkLag")?.unwrap_or(0.0);
            let format = number(l, "PredecessorLink", "LagFormat")?.unwrap_or(7.0) as i64;
            if percent_format(format) && tenths != 0.0 {
                return Err(err(
                    file,
                    l.child("LagFormat").map_or(l.line, |c| c.line),
                    "PredecessorLink.LagFormat",
                    "a lag as a percentage of the predecessor's duration is not supported: give it in time",
                ));
            }
            let hours = tenths / 600.0;
            if hours.abs() > 1e7 {
                return Err(err(
                    file,
                    l.child("LinkLag").map_or(l.line, |c| c.line),
                    "PredecessorLink.LinkLag",
                    format!("{tenths} tenths of a minute is out of range"),
                ));
            }
            let cal = &calendars[activities[succ].calendar];
            let lag_days = if elapsed_format(format) {
                // Elapsed hours into working days of the successor's calendar.
                hours / 24.0 / cal.stretch()
            } else {
                hours / cal.hours_per_day
            };
            relations.push(Relation {
                pred,
                succ,
                kind,
                lag_days,
            });
        }
    }
    let start_date = root
        .text_of("StartDate")
        .filter(|s| s.len() >= 10)
        .map(|s| s[..10].to_string());
    let name = root
        .text_of("Name")
        .or_else(|| root.text_of("Title"))
        .unwrap_or_default()
        .to_string();
    Ok(FileNetwork {
        network: Network {
            name,
            calendars,
            activities,
            relations,
        },
        milestones,
        start_date,
        three_point,
    })
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Writes a network as an MSPDI file: calendars from the second on as base calendars (the
/// first working days of the week from Monday, each `hours_per_day` long from 08:00, or
/// from midnight when longer than 16 h), tasks on the built-in elapsed calendar with an
/// elapsed-days `DurationFormat` (8), every other task with its `CalendarUID`, links with
/// `LinkLag` in tenths of a minute (`LagFormat` 7, days, or 8, elapsed days), three-point
/// estimates (when given, per activity) in `Duration1`-`Duration3`. Task UIDs are the
/// activity ids when all are distinct positive integers, else 1, 2, ... in order.
pub fn write(
    net: &Network,
    milestones: &[usize],
    start_date: &str,
    three_point: &[Option<[f64; 3]>],
) -> String {
    let numeric = net.activities.iter().all(|a| {
        a.id.parse::<u64>()
            .is_ok_and(|v| v > 0 && v.to_string() == a.id)
    });
    let distinct = {
        let mut ids: Vec<&str> = net.activities.iter().map(|a| a.id.as_str()).collect();
        ids.sort_unstable();
        ids.windows(2).all(|w| w[0] != w[1])
    };
    let uid = |i: usize| {
        if numeric && distinct {
            net.activities[i].id.clone()
        } else {
            (i + 1).to_string()
        }
    };
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Project xmlns=\"http://schemas.microsoft.com/project\">\n",
    );
    s.push_str(&format!("  <Name>{}</Name>\n", escape(&net.name)));
    s.push_str(&format!("  <StartDate>{start_date}T08:00:00</StartDate>\n"));
    let first = net.calendars.get(1);
    let (mpd, mpw) = first.map_or((480.0, 2400.0), |c| {
        (
            c.hours_per_day * 60.0,
            c.hours_per_day * 60.0 * c.days_per_week,
        )
    });
    if first.is_some() {
        s.push_str("  <CalendarUID>1</CalendarUID>\n");
    }
    s.push_str(&format!("  <MinutesPerDay>{mpd}</MinutesPerDay>\n"));
    s.push_str(&format!("  <MinutesPerWeek>{mpw}</MinutesPerWeek>\n"));
    if first.is_some() {
        s.push_str("  <Calendars>\n");
        for (k, c) in net.calendars.iter().enumerate().skip(1) {
            s.push_str(&format!(
                "    <Calendar>\n      <UID>{k}</UID>\n      <Name>{}</Name>\n      <IsBaseCalendar>1</IsBaseCalendar>\n      <WeekDays>\n",
                escape(&c.name)
            ));
            let worked = c.days_per_week.round().clamp(1.0, 7.0) as usize;
            let from = if c.hours_per_day > 16.0 { 0.0 } else { 8.0 };
            let clock = |h: f64| {
                let m = (h * 60.0).round() as u64 % (24 * 60);
                format!("{:02}:{:02}:00", m / 60, m % 60)
            };
            // DayType 1 is Sunday; the working days run Monday (2) onwards.
            for day in 1..=7usize {
                let working = (day + 5) % 7 < worked;
                s.push_str(&format!(
                    "        <WeekDay>\n          <DayType>{day}</DayType>\n          <DayWorking>{}</DayWorking>\n",
                    u8::from(working)
                ));
                if working {
                    s.push_str(&format!(
                        "          <WorkingTimes>\n            <WorkingTime>\n              <FromTime>{}</FromTime>\n              <ToTime>{}</ToTime>\n            </WorkingTime>\n          </WorkingTimes>\n",
                        clock(from),
                        clock(from + c.hours_per_day)
                    ));
                }
                s.push_str("        </WeekDay>\n");
            }
            s.push_str("      </WeekDays>\n    </Calendar>\n");
        }
        s.push_str("  </Calendars>\n");
    }
    s.push_str("  <Tasks>\n");
    for (i, a) in net.activities.iter().enumerate() {
        let cal = &net.calendars[a.calendar];
        s.push_str(&format!(
            "    <Task>\n      <UID>{}</UID>\n      <ID>{}</ID>\n      <Name>{}</Name>\n      <Duration>{}</Duration>\n      <DurationFormat>{}</DurationFormat>\n      <Milestone>{}</Milestone>\n      <Summary>0</Summary>\n",
            uid(i),
            i + 1,
            escape(&a.name),
            format_duration_hours(a.duration_days * cal.hours_per_day),
            if a.calendar == 0 { 8 } else { 7 },
            u8::from(milestones.contains(&i)),
        ));
        if a.calendar != 0 {
            s.push_str(&format!(
                "      <CalendarUID>{}</CalendarUID>\n",
                a.calendar
            ));
        }
        for r in net.relations.iter().filter(|r| r.succ == i) {
            let (tenths, format) = if a.calendar == 0 {
                (r.lag_days * 24.0 * 600.0, 8)
            } else {
                (r.lag_days * cal.hours_per_day * 600.0, 7)
            };
            let kind = match r.kind {
                RelKind::FinishFinish => 0,
                RelKind::FinishStart => 1,
                RelKind::StartFinish => 2,
                RelKind::StartStart => 3,
            };
            s.push_str(&format!(
                "      <PredecessorLink>\n        <PredecessorUID>{}</PredecessorUID>\n        <Type>{kind}</Type>\n        <CrossProject>0</CrossProject>\n        <LinkLag>{}</LinkLag>\n        <LagFormat>{format}</LagFormat>\n      </PredecessorLink>\n",
                uid(r.pred),
                tenths.round() as i64
            ));
        }
        if let Some(Some(p)) = three_point.get(i) {
            for (k, v) in p.iter().enumerate() {
                s.push_str(&format!(
                    "      <ExtendedAttribute>\n        <FieldID>{}</FieldID>\n        <Value>{}</Value>\n      </ExtendedAttribute>\n",
                    THREE_POINT_FIELD_IDS[k],
                    format_duration_hours(v * cal.hours_per_day)
                ));
            }
        }
        s.push_str("    </Task>\n");
    }
    s.push_str("  </Tasks>\n</Project>\n");
    s
}
