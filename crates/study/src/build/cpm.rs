//! The critical path method on an activity-on-node network: the forward pass (early
//! start and finish), the backward pass (late start and finish), total and free float and
//! the critical path, with all four precedence types and lags.
//!
//! Times are elapsed days from the data date (day 0). An activity's duration and a
//! relationship's lag are given in working days of a [`Calendar`] and stretched into
//! elapsed days by it (`elapsed = working x 7 / days_per_week`): a uniform calendar, no
//! holidays and no alignment to weekends, which is what a schedule risk model at the scale
//! of a mine project needs (a month is a month) and what keeps one pass linear.
//!
//! With durations `d`, a relationship from `i` to `j` with lag `L` constrains `j` as
//! (PMI Practice Standard for Scheduling, 3rd ed., 2019, §6; the precedence diagramming
//! method of Fondahl 1961):
//!
//! | type | forward: ES_j >= | backward: LF_i <= |
//! |---|---|---|
//! | FS | EF_i + L | LS_j - L |
//! | SS | ES_i + L | LS_j - L + d_i |
//! | FF | EF_i + L - d_j | LF_j - L |
//! | SF | ES_i + L - d_j | LF_j - L + d_i |
//!
//! and every activity starts no earlier than day 0 and finishes no later than the project
//! finish (the latest early finish). Total float is `LS - ES`; free float is how far an
//! activity can slip without delaying any successor's early dates (or the project finish,
//! for an activity without successors).

use serde::{Deserialize, Serialize};

/// Tolerance, days, under which a float counts as zero (the path as critical).
pub const FLOAT_EPS_DAYS: f64 = 1e-6;

/// The four precedence relationship types.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum RelKind {
    /// Finish-to-start: the successor starts after the predecessor finishes.
    #[default]
    #[serde(rename = "FS")]
    FinishStart,
    /// Start-to-start.
    #[serde(rename = "SS")]
    StartStart,
    /// Finish-to-finish.
    #[serde(rename = "FF")]
    FinishFinish,
    /// Start-to-finish.
    #[serde(rename = "SF")]
    StartFinish,
}

impl RelKind {
    /// The two-letter code (`FS`, `SS`, `FF`, `SF`).
    pub fn code(self) -> &'static str {
        match self {
            RelKind::FinishStart => "FS",
            RelKind::StartStart => "SS",
            RelKind::FinishFinish => "FF",
            RelKind::StartFinish => "SF",
        }
    }

    /// From a two-letter code.
    pub fn from_code(s: &str) -> Option<RelKind> {
        Some(match s {
            "FS" => RelKind::FinishStart,
            "SS" => RelKind::StartStart,
            "FF" => RelKind::FinishFinish,
            "SF" => RelKind::StartFinish,
            _ => return None,
        })
    }
}

/// A working-time calendar: working days per week and hours per working day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// Name (as in the scenario or the schedule file).
    pub name: String,
    /// Working days per week, (0, 7].
    pub days_per_week: f64,
    /// Working hours per working day, (0, 24] (converts the hours of XER and MSPDI files).
    pub hours_per_day: f64,
}

impl Calendar {
    /// Every day worked, 24 hours: working days are elapsed days.
    pub fn elapsed() -> Calendar {
        Calendar {
            name: "elapsed".into(),
            days_per_week: 7.0,
            hours_per_day: 24.0,
        }
    }

    /// Elapsed days per working day.
    pub fn stretch(&self) -> f64 {
        7.0 / self.days_per_week
    }
}

/// One activity of the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Identifier (unique; a task code in P6, a UID in MS Project).
    pub id: String,
    /// Description.
    pub name: String,
    /// Planned duration, working days of its calendar (0 for a milestone).
    pub duration_days: f64,
    /// Index of its calendar in [`Network::calendars`].
    pub calendar: usize,
}

/// A precedence relationship.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// Index of the predecessor.
    pub pred: usize,
    /// Index of the successor.
    pub succ: usize,
    /// Type.
    pub kind: RelKind,
    /// Lag, working days of the successor's calendar (negative: a lead).
    pub lag_days: f64,
}

/// An activity-on-node network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Project name.
    pub name: String,
    /// Calendars (at least one).
    pub calendars: Vec<Calendar>,
    /// Activities.
    pub activities: Vec<Activity>,
    /// Relationships.
    pub relations: Vec<Relation>,
}

/// Why a network cannot be scheduled.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkError {
    /// The relationships loop: the ids of one cycle.
    Cycle(Vec<String>),
    /// No activity.
    Empty,
}

impl std::fmt::Display for NetworkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkError::Cycle(ids) => write!(
                f,
                "the relationships form a loop ({}): a network must be acyclic",
                ids.join(" -> ")
            ),
            NetworkError::Empty => write!(f, "the network has no activity"),
        }
    }
}

/// A network prepared for repeated passes: a topological order and the relationships
/// of each activity, lags in elapsed days.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Activities in a topological order.
    pub order: Vec<usize>,
    /// Elapsed days per working day, per activity.
    pub stretch: Vec<f64>,
    /// Relationships into each activity: (pred, kind, lag in elapsed days).
    preds: Vec<Vec<(usize, RelKind, f64)>>,
    /// Relationships out of each activity: (succ, kind, lag in elapsed days).
    succs: Vec<Vec<(usize, RelKind, f64)>>,
}

/// The dates of one pass: early and late start and finish, floats, elapsed days.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Dates {
    /// Elapsed duration of each activity, days.
    pub duration: Vec<f64>,
    /// Early start.
    pub es: Vec<f64>,
    /// Early finish.
    pub ef: Vec<f64>,
    /// Late start.
    pub ls: Vec<f64>,
    /// Late finish.
    pub lf: Vec<f64>,
    /// Project finish (latest early finish).
    pub finish: f64,
}

impl Dates {
    /// Total float of activity `a`, days.
    pub fn total_float(&self, a: usize) -> f64 {
        self.ls[a] - self.es[a]
    }

    /// Is `a` critical (total float zero within [`FLOAT_EPS_DAYS`])?
    pub fn critical(&self, a: usize) -> bool {
        self.total_float(a) <= FLOAT_EPS_DAYS
    }
}

impl Prepared {
    /// Orders the network (Kahn's algorithm; ties in input order) or names a cycle.
    pub fn new(net: &Network) -> Result<Prepared, NetworkError> {
        let n = net.activities.len();
        if n == 0 {
            return Err(NetworkError::Empty);
        }
        let stretch: Vec<f64> = net
            .activities
            .iter()
            .map(|a| net.calendars[a.calendar].stretch())
            .collect();
        let mut preds = vec![Vec::new(); n];
        let mut succs = vec![Vec::new(); n];
        for r in &net.relations {
            let lag = r.lag_days * stretch[r.succ];
            preds[r.succ].push((r.pred, r.kind, lag));
            succs[r.pred].push((r.succ, r.kind, lag));
        }
        let mut indeg: Vec<usize> = preds.iter().map(Vec::len).collect();
        let mut queue: std::collections::VecDeque<usize> =
            (0..n).filter(|&a| indeg[a] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(a) = queue.pop_front() {
            order.push(a);
            for &(s, _, _) in &succs[a] {
                indeg[s] -= 1;
                if indeg[s] == 0 {
                    queue.push_back(s);
                }
            }
        }
        if order.len() < n {
            return Err(NetworkError::Cycle(cycle(net, &indeg, &preds)));
        }
        Ok(Prepared {
            order,
            stretch,
            preds,
            succs,
        })
    }

    /// Number of activities.
    pub fn len(&self) -> usize {
        self.stretch.len()
    }

    /// Always false: a prepared network has activities.
    pub fn is_empty(&self) -> bool {
        self.stretch.is_empty()
    }

    /// Predecessor count of each activity (merge points have two or more).
    pub fn pred_count(&self, a: usize) -> usize {
        self.preds[a].len()
    }

    /// Forward pass over elapsed durations `d`: fills `es`, `ef`; returns the finish.
    pub fn forward(&self, d: &[f64], es: &mut [f64], ef: &mut [f64]) -> f64 {
        let mut finish = 0.0f64;
        for &j in &self.order {
            let mut s = 0.0f64;
            for &(i, kind, lag) in &self.preds[j] {
                let c = match kind {
                    RelKind::FinishStart => ef[i] + lag,
                    RelKind::StartStart => es[i] + lag,
                    RelKind::FinishFinish => ef[i] + lag - d[j],
                    RelKind::StartFinish => es[i] + lag - d[j],
                };
                s = s.max(c);
            }
            es[j] = s;
            ef[j] = s + d[j];
            finish = finish.max(ef[j]);
        }
        finish
    }

    /// Backward pass from `finish`: fills `ls`, `lf`.
    pub fn backward(&self, d: &[f64], finish: f64, ls: &mut [f64], lf: &mut [f64]) {
        for &i in self.order.iter().rev() {
            let mut f = finish;
            for &(j, kind, lag) in &self.succs[i] {
                let c = match kind {
                    RelKind::FinishStart => ls[j] - lag,
                    RelKind::StartStart => ls[j] - lag + d[i],
                    RelKind::FinishFinish => lf[j] - lag,
                    RelKind::StartFinish => lf[j] - lag + d[i],
                };
                f = f.min(c);
            }
            lf[i] = f;
            ls[i] = f - d[i];
        }
    }

    /// Both passes over working durations `working` (stretched by each calendar).
    pub fn schedule(&self, working: &[f64]) -> Dates {
        let n = self.len();
        let duration: Vec<f64> = working
            .iter()
            .zip(&self.stretch)
            .map(|(w, s)| w * s)
            .collect();
        let mut d = Dates {
            es: vec![0.0; n],
            ef: vec![0.0; n],
            ls: vec![0.0; n],
            lf: vec![0.0; n],
            duration,
            finish: 0.0,
        };
        d.finish = self.forward(&d.duration, &mut d.es, &mut d.ef);
        self.backward(&d.duration, d.finish, &mut d.ls, &mut d.lf);
        d
    }

    /// Free float of activity `a` in `dates`: the least slack to any successor's early
    /// dates (to the project finish when it has none).
    pub fn free_float(&self, dates: &Dates, a: usize) -> f64 {
        let (es, ef) = (&dates.es, &dates.ef);
        // Every activity finishes by the project finish, whatever its successors.
        let mut ff = dates.finish - ef[a];
        for &(j, kind, lag) in &self.succs[a] {
            let slack = match kind {
                RelKind::FinishStart => es[j] - lag - ef[a],
                RelKind::StartStart => es[j] - lag - es[a],
                RelKind::FinishFinish => ef[j] - lag - ef[a],
                RelKind::StartFinish => ef[j] - lag - es[a],
            };
            ff = ff.min(slack);
        }
        ff.max(0.0)
    }

    /// The critical path: critical activities in topological order.
    pub fn critical_path(&self, dates: &Dates) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|&a| dates.critical(a))
            .collect()
    }
}

/// One cycle among the activities Kahn's algorithm could not order.
fn cycle(net: &Network, indeg: &[usize], preds: &[Vec<(usize, RelKind, f64)>]) -> Vec<String> {
    let start = (0..indeg.len()).find(|&a| indeg[a] > 0).unwrap_or(0);
    // Walk predecessors that are themselves stuck until a node repeats.
    let mut seen = vec![usize::MAX; indeg.len()];
    let mut path = Vec::new();
    let mut a = start;
    while seen[a] == usize::MAX {
        seen[a] = path.len();
        path.push(a);
        a = preds[a]
            .iter()
            .map(|p| p.0)
            .find(|&p| indeg[p] > 0)
            .unwrap_or(a);
    }
    let mut ids: Vec<String> = path[seen[a]..]
        .iter()
        .rev()
        .map(|&i| net.activities[i].id.clone())
        .collect();
    ids.push(net.activities[a].id.clone());
    ids
}
