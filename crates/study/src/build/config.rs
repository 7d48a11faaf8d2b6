//! The `[construction]` table of a scenario: the network (inline, or a P6 XER / MS Project
//! XML file), milestones, costs, risk drivers with their correlation, the risk register and
//! the financing close's market window. Validated with dotted key paths; turned into a
//! [`Model`] once.

use super::cpm::{Activity, Calendar, Network, NetworkError, Prepared, RelKind, Relation};
use super::{date, mspdi, xer};
use des::input::{check_count, check_range, InputError, Invalid};
use des::{Dist, DistKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most activities in a network.
pub const MAX_ACTIVITIES: usize = 50_000;
/// Most relationships in a network.
pub const MAX_RELATIONS: usize = 200_000;
/// Most Monte Carlo iterations of `manto build` (the milestone dates and the monthly cost
/// of every iteration are kept: about 1 kB an iteration for El Boleo).
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// Longest duration or lag accepted, working days (a century).
pub const MAX_DAYS: f64 = 36_500.0;
/// Largest schedule file read, bytes (a P6 export of a 50,000-activity programme is
/// tens of MB).
pub const MAX_FILE_BYTES: u64 = 256 << 20;
/// Most risk drivers and most risk events.
pub const MAX_RISKS: usize = 500;
/// Largest cost of one item, USD (a US$100 billion project is beyond any mine).
pub const MAX_USD: f64 = 1e11;
/// Elapsed days in a month (365.25 / 12): the unit of the time-dependent costs and of the
/// cost S-curve.
pub const DAYS_PER_MONTH: f64 = 30.4375;

fn default_iterations() -> u64 {
    1000
}

fn default_hours() -> f64 {
    8.0
}

fn one() -> f64 {
    1.0
}

/// The `[construction]` table.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConstructionConfig {
    /// Calendar date of day 0 (the data date), `YYYY-MM-DD`.
    pub start_date: String,
    /// Monte Carlo iterations of `manto build` (`--iterations` overrides); `manto risk`
    /// draws one schedule per risk iteration instead.
    #[serde(default = "default_iterations")]
    pub iterations: u64,
    /// A Primavera P6 XER (`.xer`) or MS Project XML (`.xml`) file holding the network,
    /// instead of `activities` and `relationships` (relative to the scenario's directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Working-time calendars.
    #[serde(default)]
    pub calendars: Vec<CalendarSpec>,
    /// Activities.
    #[serde(default)]
    pub activities: Vec<ActivitySpec>,
    /// Precedence relationships.
    #[serde(default)]
    pub relationships: Vec<RelationSpec>,
    /// The project's milestones: which activity's finish each one is.
    #[serde(default)]
    pub milestones: MilestoneSpec,
    /// Costs of activities of a file's network (inline activities carry their own).
    #[serde(default)]
    pub costs: Vec<CostSpec>,
    /// Risk drivers (AACE 57R-09): factors on the durations of several activities.
    #[serde(default)]
    pub drivers: Vec<DriverSpec>,
    /// Correlation among the drivers' factors (Gaussian copula).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<crate::risk::Correlation>,
    /// The risk register: events that may happen.
    #[serde(default)]
    pub risks: Vec<RiskSpec>,
    /// The financing close and its market window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financing: Option<FinancingSpec>,
    /// Where the network comes from.
    #[serde(default)]
    pub source: String,
}

/// A working-time calendar.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// Name, as activities refer to it.
    pub name: String,
    /// Working days per week, (0, 7].
    pub days_per_week: f64,
    /// Working hours per day, (0, 24].
    #[serde(default = "default_hours")]
    pub hours_per_day: f64,
}

/// One activity.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActivitySpec {
    /// Identifier.
    pub id: String,
    /// Description.
    #[serde(default)]
    pub name: String,
    /// Duration, working days of its calendar: any manto distribution (a number is fixed).
    pub duration_days: Dist,
    /// The plan's duration (the deterministic CPM), working days; default the
    /// distribution's mode (triangular, PERT), value (fixed) or mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_days: Option<f64>,
    /// Calendar name (default: every day worked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Fixed cost, USD, spent evenly over the activity.
    #[serde(default)]
    pub fixed_usd: f64,
    /// Time-dependent cost, USD per month of the activity's elapsed duration.
    #[serde(default)]
    pub usd_per_month: f64,
    /// Where the duration and costs come from.
    #[serde(default)]
    pub source: String,
}

/// One relationship.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RelationSpec {
    /// Predecessor id.
    pub from: String,
    /// Successor id.
    pub to: String,
    /// `FS` (default), `SS`, `FF` or `SF`.
    #[serde(default, rename = "type")]
    pub kind: RelKind,
    /// Lag, working days of the successor's calendar (negative: a lead).
    #[serde(default)]
    pub lag_days: f64,
}

/// The milestones: activity ids whose finish marks each.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneSpec {
    /// Financial close (the finance model's first construction quarter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financial_close: Option<String>,
    /// Construction start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub construction_start: Option<String>,
    /// Mechanical completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanical_completion: Option<String>,
    /// Commercial production (the finance model's first operating quarter); default the
    /// project finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commercial_production: Option<String>,
}

impl MilestoneSpec {
    fn named(&self) -> [(&'static str, &Option<String>); 4] {
        [
            ("financial_close", &self.financial_close),
            ("construction_start", &self.construction_start),
            ("mechanical_completion", &self.mechanical_completion),
            ("commercial_production", &self.commercial_production),
        ]
    }
}

/// Costs of one activity of a file's network.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    /// Activity id.
    pub activity: String,
    /// Fixed cost, USD.
    #[serde(default)]
    pub fixed_usd: f64,
    /// USD per month of the activity's duration.
    #[serde(default)]
    pub usd_per_month: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// A risk driver: one factor drawn per iteration multiplies the durations of all its
/// activities (AACE 57R-09's risk-driver method).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DriverSpec {
    /// Name (the correlation refers to it).
    pub name: String,
    /// The factor on duration when the driver occurs (1 = no change).
    pub factor: Dist,
    /// Probability it occurs in an iteration (1: an uncertainty that always applies).
    #[serde(default = "one")]
    pub probability: f64,
    /// Activity ids it scales.
    pub activities: Vec<String>,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// A risk event of the register.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSpec {
    /// Name.
    pub name: String,
    /// Probability it occurs in an iteration, (0, 1].
    pub probability: f64,
    /// Activity ids it hits.
    #[serde(default)]
    pub activities: Vec<String>,
    /// Working days added to each activity hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_days: Option<Dist>,
    /// Factor on the duration of each activity hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<Dist>,
    /// Cost of the event, USD (spent over the first activity hit, or at day 0 without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<Dist>,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// The financing close and its market window.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FinancingSpec {
    /// The financing-close activity id.
    pub activity: String,
    /// Probability the credit window closes before the financing closes.
    pub window_close_probability: f64,
    /// Elapsed days the project is suspended when it does (added to the financing close).
    pub suspension_days: Dist,
    /// Standby cost during the suspension, USD per month (care and maintenance, a
    /// reduced owner's team, the EPCM core).
    #[serde(default)]
    pub standby_usd_per_month: f64,
    /// Demobilisation and remobilisation, USD, once per suspension.
    #[serde(default)]
    pub demob_remob_usd: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
}

/// The plan's duration of a distribution: the mode of a triangular or PERT, a fixed value,
/// else the mean.
pub fn planned_of(d: &Dist) -> f64 {
    match d.kind() {
        DistKind::Triangular { mode, .. } | DistKind::Pert { mode, .. } => mode + d.offset(),
        _ => d.mean(),
    }
}

impl ConstructionConfig {
    /// Checks that do not need the network file: ranges, names, references among inline
    /// activities.
    pub fn validate(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        let p = "construction";
        if date::parse(&self.start_date).is_none() {
            out.push(Invalid::new(
                format!("{p}.start_date"),
                format!("`{}` is not a date YYYY-MM-DD", self.start_date),
            ));
        }
        check_count(
            &mut out,
            format!("{p}.iterations"),
            "iterations",
            self.iterations,
            1,
            MAX_ITERATIONS,
        );
        let inline = !self.activities.is_empty() || !self.relationships.is_empty();
        match (&self.file, inline) {
            (Some(_), true) => out.push(Invalid::new(
                format!("{p}.file"),
                "give the network either as a file or as activities and relationships, not both",
            )),
            (None, false) => out.push(Invalid::new(
                format!("{p}.activities"),
                "no network: give activities (and relationships), or a file (.xer or .xml)",
            )),
            _ => {}
        }
        if let Some(f) = &self.file {
            if !(f.ends_with(".xer") || f.ends_with(".xml")) {
                out.push(Invalid::new(
                    format!("{p}.file"),
                    format!("`{f}`: a network file is a P6 export (.xer) or MS Project XML (.xml)"),
                ));
            }
            if !self.calendars.is_empty() {
                out.push(Invalid::new(
                    format!("{p}.calendars"),
                    "a network file brings its own calendars",
                ));
            }
        }
        if self.activities.len() > MAX_ACTIVITIES {
            out.push(Invalid::new(
                format!("{p}.activities"),
                format!(
                    "{} activities; at most {MAX_ACTIVITIES}",
                    self.activities.len()
                ),
            ));
            return out;
        }
        if self.relationships.len() > MAX_RELATIONS {
            out.push(Invalid::new(
                format!("{p}.relationships"),
                format!(
                    "{} relationships; at most {MAX_RELATIONS}",
                    self.relationships.len()
                ),
            ));
            return out;
        }
        for (i, c) in self.calendars.iter().enumerate() {
            let q = format!("{p}.calendars[{i}]");
            if c.name.trim().is_empty() {
                out.push(Invalid::new(format!("{q}.name"), "needs a name"));
            }
            if self.calendars[..i].iter().any(|o| o.name == c.name) {
                out.push(Invalid::new(
                    format!("{q}.name"),
                    format!("`{}` is named twice", c.name),
                ));
            }
            if !(c.days_per_week > 0.0 && c.days_per_week <= 7.0) {
                out.push(Invalid::new(
                    format!("{q}.days_per_week"),
                    format!("{} must lie in (0, 7]", c.days_per_week),
                ));
            }
            if !(c.hours_per_day > 0.0 && c.hours_per_day <= 24.0) {
                out.push(Invalid::new(
                    format!("{q}.hours_per_day"),
                    format!("{} must lie in (0, 24]", c.hours_per_day),
                ));
            }
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (i, a) in self.activities.iter().enumerate() {
            let q = format!("{p}.activities[{i}]");
            if a.id.trim().is_empty() {
                out.push(Invalid::new(format!("{q}.id"), "needs an id"));
            } else if ids.insert(a.id.as_str(), i).is_some() {
                out.push(Invalid::new(
                    format!("{q}.id"),
                    format!("`{}` is already the id of an earlier activity", a.id),
                ));
            }
            if let Err(e) = a.duration_days.validate_non_negative() {
                out.push(Invalid::new(format!("{q}.duration_days"), e.to_string()));
            } else if a.duration_days.support().1 > MAX_DAYS {
                check_range(
                    &mut out,
                    format!("{q}.duration_days"),
                    "the longest duration",
                    a.duration_days.support().1,
                    (0.0, MAX_DAYS),
                    " days",
                );
            }
            if let Some(d) = a.planned_days {
                check_range(
                    &mut out,
                    format!("{q}.planned_days"),
                    "planned duration",
                    d,
                    (0.0, MAX_DAYS),
                    " days",
                );
            }
            if let Some(c) = &a.calendar {
                if !self.calendars.iter().any(|k| &k.name == c) {
                    out.push(Invalid::new(
                        format!("{q}.calendar"),
                        format!("no calendar `{c}` in construction.calendars"),
                    ));
                }
            }
            check_range(
                &mut out,
                format!("{q}.fixed_usd"),
                "fixed cost",
                a.fixed_usd,
                (0.0, MAX_USD),
                " USD",
            );
            check_range(
                &mut out,
                format!("{q}.usd_per_month"),
                "time-dependent cost",
                a.usd_per_month,
                (0.0, MAX_USD),
                " USD",
            );
        }
        for (i, r) in self.relationships.iter().enumerate() {
            let q = format!("{p}.relationships[{i}]");
            for (key, id) in [("from", &r.from), ("to", &r.to)] {
                if !ids.contains_key(id.as_str()) {
                    out.push(unknown(format!("{q}.{key}"), id, &ids));
                }
            }
            if r.from == r.to {
                out.push(Invalid::new(
                    format!("{q}.to"),
                    "an activity cannot follow itself",
                ));
            }
            check_range(
                &mut out,
                format!("{q}.lag_days"),
                "lag",
                r.lag_days,
                (-MAX_DAYS, MAX_DAYS),
                " days",
            );
        }
        for (i, c) in self.costs.iter().enumerate() {
            let q = format!("{p}.costs[{i}]");
            check_range(
                &mut out,
                format!("{q}.fixed_usd"),
                "fixed cost",
                c.fixed_usd,
                (0.0, MAX_USD),
                " USD",
            );
            check_range(
                &mut out,
                format!("{q}.usd_per_month"),
                "time-dependent cost",
                c.usd_per_month,
                (0.0, MAX_USD),
                " USD",
            );
        }
        if self.drivers.len() > MAX_RISKS || self.risks.len() > MAX_RISKS {
            out.push(Invalid::new(
                format!("{p}.risks"),
                format!("at most {MAX_RISKS} drivers and {MAX_RISKS} risks"),
            ));
            return out;
        }
        for (i, d) in self.drivers.iter().enumerate() {
            let q = format!("{p}.drivers[{i}]");
            if d.name.trim().is_empty() {
                out.push(Invalid::new(format!("{q}.name"), "needs a name"));
            }
            if self.drivers[..i].iter().any(|o| o.name == d.name) {
                out.push(Invalid::new(
                    format!("{q}.name"),
                    format!("`{}` is named twice", d.name),
                ));
            }
            if let Err(e) = d.factor.validate_non_negative() {
                out.push(Invalid::new(format!("{q}.factor"), e.to_string()));
            } else if d.factor.support().1 > 100.0 {
                out.push(Invalid::new(
                    format!("{q}.factor"),
                    "a factor above 100 is not a duration risk",
                ));
            }
            probability(&mut out, format!("{q}.probability"), d.probability);
            if d.activities.is_empty() {
                out.push(Invalid::new(
                    format!("{q}.activities"),
                    "name the activities it scales",
                ));
            }
        }
        if let Some(c) = &self.correlation {
            let names: Vec<&str> = self.drivers.iter().map(|d| d.name.as_str()).collect();
            crate::risk::validate_correlation(
                c,
                &format!("{p}.correlation"),
                "driver",
                &names,
                &mut out,
            );
        }
        for (i, r) in self.risks.iter().enumerate() {
            let q = format!("{p}.risks[{i}]");
            if r.name.trim().is_empty() {
                out.push(Invalid::new(format!("{q}.name"), "needs a name"));
            }
            probability(&mut out, format!("{q}.probability"), r.probability);
            if r.add_days.is_none() && r.factor.is_none() && r.cost_usd.is_none() {
                out.push(Invalid::new(
                    q.clone(),
                    "give an impact: add_days, factor or cost_usd",
                ));
            }
            if (r.add_days.is_some() || r.factor.is_some()) && r.activities.is_empty() {
                out.push(Invalid::new(
                    format!("{q}.activities"),
                    "a duration impact needs the activities it hits",
                ));
            }
            for (key, d) in [
                ("add_days", &r.add_days),
                ("factor", &r.factor),
                ("cost_usd", &r.cost_usd),
            ] {
                if let Some(d) = d {
                    if let Err(e) = d.validate_non_negative() {
                        out.push(Invalid::new(format!("{q}.{key}"), e.to_string()));
                    }
                }
            }
        }
        if let Some(f) = &self.financing {
            let q = format!("{p}.financing");
            let pr = f.window_close_probability;
            if !(0.0..=1.0).contains(&pr) {
                out.push(Invalid::new(
                    format!("{q}.window_close_probability"),
                    format!("{pr} must lie in [0, 1]"),
                ));
            }
            if let Err(e) = f.suspension_days.validate_non_negative() {
                out.push(Invalid::new(format!("{q}.suspension_days"), e.to_string()));
            } else if f.suspension_days.support().1 > MAX_DAYS {
                out.push(Invalid::new(
                    format!("{q}.suspension_days"),
                    format!("longer than {MAX_DAYS} days"),
                ));
            }
            check_range(
                &mut out,
                format!("{q}.standby_usd_per_month"),
                "standby cost",
                f.standby_usd_per_month,
                (0.0, MAX_USD),
                " USD",
            );
            check_range(
                &mut out,
                format!("{q}.demob_remob_usd"),
                "demobilisation cost",
                f.demob_remob_usd,
                (0.0, MAX_USD),
                " USD",
            );
        }
        if self.file.is_none() {
            self.check_references(&ids.keys().copied().collect::<Vec<_>>(), &mut out);
        }
        out
    }

    /// Every reference to an activity (milestones, costs, drivers, risks, financing) names
    /// one of `known`.
    fn check_references(&self, known: &[&str], out: &mut Vec<Invalid>) {
        let p = "construction";
        let map: HashMap<&str, usize> = known.iter().map(|&k| (k, 0)).collect();
        let mut check = |path: String, id: &str| {
            if !map.contains_key(id) {
                out.push(unknown(path, id, &map));
            }
        };
        for (role, id) in self.milestones.named() {
            if let Some(id) = id {
                check(format!("{p}.milestones.{role}"), id);
            }
        }
        for (i, c) in self.costs.iter().enumerate() {
            check(format!("{p}.costs[{i}].activity"), &c.activity);
        }
        for (i, d) in self.drivers.iter().enumerate() {
            for (k, a) in d.activities.iter().enumerate() {
                check(format!("{p}.drivers[{i}].activities[{k}]"), a);
            }
        }
        for (i, r) in self.risks.iter().enumerate() {
            for (k, a) in r.activities.iter().enumerate() {
                check(format!("{p}.risks[{i}].activities[{k}]"), a);
            }
        }
        if let Some(f) = &self.financing {
            check(format!("{p}.financing.activity"), &f.activity);
        }
    }
}

fn probability(out: &mut Vec<Invalid>, path: String, p: f64) {
    if !(p > 0.0 && p <= 1.0) {
        out.push(Invalid::new(
            path,
            format!("probability {p} must lie in (0, 1]"),
        ));
    }
}

fn unknown(path: String, id: &str, ids: &HashMap<&str, usize>) -> Invalid {
    let near = ids
        .keys()
        .filter(|k| des::input::edit_distance(k, id) <= 2)
        .min_by_key(|k| (des::input::edit_distance(k, id), **k));
    let hint = near.map_or(String::new(), |k| format!(" (did you mean `{k}`?)"));
    Invalid::new(path, format!("no activity `{id}`{hint}"))
}

/// A risk driver, resolved.
#[derive(Clone, Debug)]
pub struct Driver {
    /// Name.
    pub name: String,
    /// Factor on duration.
    pub factor: Dist,
    /// Probability of occurring.
    pub probability: f64,
    /// Activities scaled.
    pub activities: Vec<usize>,
}

/// A risk event, resolved.
#[derive(Clone, Debug)]
pub struct RiskEvent {
    /// Name.
    pub name: String,
    /// Probability.
    pub probability: f64,
    /// Activities hit.
    pub activities: Vec<usize>,
    /// Working days added.
    pub add_days: Option<Dist>,
    /// Factor on duration.
    pub factor: Option<Dist>,
    /// Cost, USD.
    pub cost_usd: Option<Dist>,
}

/// The financing close's market window, resolved.
#[derive(Clone, Debug)]
pub struct Financing {
    /// The financing-close activity.
    pub activity: usize,
    /// Probability the window closes.
    pub probability: f64,
    /// Suspension, elapsed days.
    pub suspension_days: Dist,
    /// Standby, USD per month.
    pub standby_usd_per_month: f64,
    /// Demobilisation and remobilisation, USD.
    pub demob_remob_usd: f64,
}

/// Everything the CPM and the Monte Carlo need, resolved to indices.
#[derive(Clone, Debug)]
pub struct Model {
    /// The network (planned durations).
    pub network: Network,
    /// Its topological order and relationship lists.
    pub prepared: Prepared,
    /// Day number (since 1970-01-01) of day 0.
    pub start_day: i64,
    /// Duration distribution of each activity, working days.
    pub durations: Vec<Dist>,
    /// Fixed cost of each activity, USD.
    pub fixed_usd: Vec<f64>,
    /// Time-dependent cost of each activity, USD per month.
    pub usd_per_month: Vec<f64>,
    /// Named milestones: (role, activity).
    pub milestones: Vec<(String, usize)>,
    /// The commercial-production milestone (None: the project finish).
    pub commercial_production: Option<usize>,
    /// The financial-close milestone.
    pub financial_close: Option<usize>,
    /// Risk drivers.
    pub drivers: Vec<Driver>,
    /// Lower Cholesky factor of the drivers' correlation (None: independent).
    pub driver_chol: Option<Vec<Vec<f64>>>,
    /// Risk events.
    pub risks: Vec<RiskEvent>,
    /// The market window.
    pub financing: Option<Financing>,
    /// Iterations of `manto build`.
    pub iterations: u64,
}

/// A network read from a schedule file, with its milestone activities.
#[derive(Clone, Debug, PartialEq)]
pub struct FileNetwork {
    /// The network.
    pub network: Network,
    /// Activities that are milestones in the file (P6 TT_Mile/TT_FinMile, MS Project
    /// Milestone), in file order.
    pub milestones: Vec<usize>,
    /// The file's project start date, `YYYY-MM-DD`, when it gives one.
    pub start_date: Option<String>,
    /// Per activity, a three-point estimate (minimum, most likely, maximum working days)
    /// when the file gives one (MSPDI `Duration1`-`Duration3`, P6 task UDFs by the
    /// convention of [`super::xer`]); empty or `None`: the duration is fixed.
    pub three_point: Vec<Option<[f64; 3]>>,
}

impl FileNetwork {
    /// The duration distribution of each activity: triangular on its three-point estimate
    /// (the default shape of Primavera Risk Analysis), else fixed at its planned duration.
    pub fn durations(&self) -> Vec<Dist> {
        self.network
            .activities
            .iter()
            .enumerate()
            .map(|(i, a)| match self.three_point.get(i).copied().flatten() {
                Some([lo, ml, hi]) if hi > lo => {
                    Dist::triangular(lo, ml, hi).expect("validated by the reader")
                }
                Some([_, ml, _]) => Dist::fixed(ml).expect("a finite duration"),
                None => Dist::fixed(a.duration_days).expect("a finite duration"),
            })
            .collect()
    }
}

/// Why a model could not be built: a bad network file (located in that file) or problems
/// in the scenario (located by key path).
#[derive(Debug)]
pub enum ModelError {
    /// The network file is unreadable or malformed.
    File(InputError),
    /// Problems in the `[construction]` table.
    Invalid(Vec<Invalid>),
}

/// Reads a network file by its extension (`.xer` or `.xml`), at most `max_bytes`.
pub fn read_network_file(
    path: &std::path::Path,
    max_bytes: u64,
) -> Result<FileNetwork, InputError> {
    let name = path.display().to_string();
    let text = des::input::read_file(path, max_bytes)?;
    if name.ends_with(".xer") {
        xer::parse(&text, &name)
    } else {
        mspdi::parse(&text, &name)
    }
}

impl Model {
    /// Resolves a validated `[construction]` table (reading its file, relative to
    /// `base_dir`, when it names one).
    pub fn new(
        cfg: &ConstructionConfig,
        base_dir: Option<&std::path::Path>,
    ) -> Result<Model, ModelError> {
        let mut fixed_usd;
        let mut usd_per_month;
        let durations: Vec<Dist>;
        let network = match &cfg.file {
            Some(f) => {
                let path = match base_dir {
                    Some(d) if std::path::Path::new(f).is_relative() => d.join(f),
                    _ => std::path::PathBuf::from(f),
                };
                let fnet = read_network_file(&path, MAX_FILE_BYTES).map_err(ModelError::File)?;
                let ids: Vec<&str> = fnet
                    .network
                    .activities
                    .iter()
                    .map(|a| a.id.as_str())
                    .collect();
                let mut out = Vec::new();
                cfg.check_references(&ids, &mut out);
                if !out.is_empty() {
                    return Err(ModelError::Invalid(out));
                }
                durations = fnet.durations();
                fixed_usd = vec![0.0; ids.len()];
                usd_per_month = vec![0.0; ids.len()];
                fnet.network
            }
            None => {
                let mut calendars = vec![Calendar::elapsed()];
                calendars.extend(cfg.calendars.iter().map(|c| Calendar {
                    name: c.name.clone(),
                    days_per_week: c.days_per_week,
                    hours_per_day: c.hours_per_day,
                }));
                let index: HashMap<&str, usize> = cfg
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.id.as_str(), i))
                    .collect();
                let activities = cfg
                    .activities
                    .iter()
                    .map(|a| Activity {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        duration_days: a
                            .planned_days
                            .unwrap_or_else(|| planned_of(&a.duration_days)),
                        calendar: a
                            .calendar
                            .as_ref()
                            .and_then(|c| cfg.calendars.iter().position(|k| &k.name == c))
                            .map_or(0, |k| k + 1),
                    })
                    .collect();
                let relations = cfg
                    .relationships
                    .iter()
                    .map(|r| Relation {
                        pred: index[r.from.as_str()],
                        succ: index[r.to.as_str()],
                        kind: r.kind,
                        lag_days: r.lag_days,
                    })
                    .collect();
                durations = cfg
                    .activities
                    .iter()
                    .map(|a| a.duration_days.clone())
                    .collect();
                fixed_usd = cfg.activities.iter().map(|a| a.fixed_usd).collect();
                usd_per_month = cfg.activities.iter().map(|a| a.usd_per_month).collect();
                Network {
                    name: String::new(),
                    calendars,
                    activities,
                    relations,
                }
            }
        };
        let index: HashMap<&str, usize> = network
            .activities
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        for c in &cfg.costs {
            let a = index[c.activity.as_str()];
            fixed_usd[a] += c.fixed_usd;
            usd_per_month[a] += c.usd_per_month;
        }
        let prepared = Prepared::new(&network).map_err(|e| {
            ModelError::Invalid(vec![Invalid::new(
                if cfg.file.is_some() {
                    "construction.file"
                } else {
                    "construction.relationships"
                },
                e.to_string(),
            )])
        })?;
        let milestones: Vec<(String, usize)> = cfg
            .milestones
            .named()
            .iter()
            .filter_map(|(role, id)| id.as_ref().map(|id| (role.to_string(), index[id.as_str()])))
            .collect();
        let find = |role: &str| milestones.iter().find(|m| m.0 == role).map(|m| m.1);
        let resolve = |ids: &[String]| ids.iter().map(|a| index[a.as_str()]).collect::<Vec<_>>();
        let driver_chol = cfg.correlation.as_ref().map(|c| {
            let n = cfg.drivers.len();
            let mut m: Vec<Vec<f64>> = (0..n)
                .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
                .collect();
            let pos: Vec<usize> = c
                .names
                .iter()
                .map(|nm| {
                    cfg.drivers
                        .iter()
                        .position(|d| &d.name == nm)
                        .expect("validated")
                })
                .collect();
            for (a, &i) in pos.iter().enumerate() {
                for (b, &j) in pos.iter().enumerate() {
                    m[i][j] = c.matrix[a][b];
                }
            }
            crate::risk::cholesky(&m).expect("validated positive definite")
        });
        let mut model = Model {
            start_day: date::parse(&cfg.start_date).expect("validated date"),
            durations,
            fixed_usd,
            usd_per_month,
            commercial_production: find("commercial_production"),
            financial_close: find("financial_close"),
            milestones,
            drivers: cfg
                .drivers
                .iter()
                .map(|d| Driver {
                    name: d.name.clone(),
                    factor: d.factor.clone(),
                    probability: d.probability,
                    activities: resolve(&d.activities),
                })
                .collect(),
            driver_chol,
            risks: cfg
                .risks
                .iter()
                .map(|r| RiskEvent {
                    name: r.name.clone(),
                    probability: r.probability,
                    activities: resolve(&r.activities),
                    add_days: r.add_days.clone(),
                    factor: r.factor.clone(),
                    cost_usd: r.cost_usd.clone(),
                })
                .collect(),
            financing: cfg.financing.as_ref().map(|f| Financing {
                activity: index[f.activity.as_str()],
                probability: f.window_close_probability,
                suspension_days: f.suspension_days.clone(),
                standby_usd_per_month: f.standby_usd_per_month,
                demob_remob_usd: f.demob_remob_usd,
            }),
            iterations: cfg.iterations,
            network,
            prepared,
        };
        if model.network.name.is_empty() {
            model.network.name = "construction".into();
        }
        Ok(model)
    }

    /// A model of a bare network (a schedule file): planned durations fixed (or triangular
    /// on the file's three-point estimates), no costs or
    /// risks, its milestone activities as milestones (the last of them, else the project
    /// finish, as commercial production).
    pub fn from_file(
        f: FileNetwork,
        start_date: &str,
        iterations: u64,
    ) -> Result<Model, NetworkError> {
        let prepared = Prepared::new(&f.network)?;
        let n = f.network.activities.len();
        let milestones: Vec<(String, usize)> = f
            .milestones
            .iter()
            .map(|&a| (f.network.activities[a].id.clone(), a))
            .collect();
        Ok(Model {
            start_day: date::parse(start_date).unwrap_or(0),
            durations: f.durations(),
            fixed_usd: vec![0.0; n],
            usd_per_month: vec![0.0; n],
            commercial_production: None,
            financial_close: None,
            milestones,
            drivers: Vec::new(),
            driver_chol: None,
            risks: Vec::new(),
            financing: None,
            iterations,
            network: f.network,
            prepared,
        })
    }
}
