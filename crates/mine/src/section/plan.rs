//! Mining plans: a panel worked as a sequence of phases (development of a central set of
//! entries, rooms from the flanks, ...), each with its own entries, advance, cut order and,
//! where it differs, its own room width and cut depth.
//!
//! A phase's *places* are the faces of its entries (`E1`, `E2`, ... numbered from 1 at the
//! left of the panel) and the crosscut faces between neighbouring entries (`X3` is the
//! crosscut between entries 3 and 4). A crosscut belongs to a phase when at least one of
//! its two entries is in the phase and the other is in it or was worked in an earlier
//! phase. The *cut order* turns the places into a cycle: after cutting a place the miner
//! goes to the first place after it in the cycle that it may cut now (bolted, within the
//! entry-lead and crosscut rules, short of the phase's advance), waiting when there is
//! none. `nearest` keeps the model's original rule (the nearest place it may cut).
//!
//! A phase ends when each of its entries has reached `advance_m` from the starting face
//! line and every crosscut line it opened short of that is holed; the next phase then
//! starts. When the last phase has an `advance_m` and ends, the block is mined and the run
//! stops (the time to mine the block is reported).

use crate::limits;
use des::input::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a phase orders its places.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutOrder {
    /// The nearest place the miner may cut (the model's rule without a plan).
    #[default]
    Nearest,
    /// Across the panel from the left: `E1, X1, E2, X2, ...`.
    LeftToRight,
    /// Across the panel from the right: the reverse of `left_to_right`.
    RightToLeft,
    /// From the centre of the phase's entries outwards, alternating sides (left first at
    /// equal distance).
    CentreOut,
    /// The places as listed in `places`.
    List,
}

impl CutOrder {
    /// The name used in scenarios.
    pub fn name(self) -> &'static str {
        match self {
            CutOrder::Nearest => "nearest",
            CutOrder::LeftToRight => "left_to_right",
            CutOrder::RightToLeft => "right_to_left",
            CutOrder::CentreOut => "centre_out",
            CutOrder::List => "list",
        }
    }
}

/// One phase of a mining plan, as written in a scenario (`[[section.plan]]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseConfig {
    /// Label in reports ("development", "rooms", ...).
    pub name: String,
    /// Entries worked in this phase, numbered from 1 at the left; empty for all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<u32>,
    /// The phase ends when each of its entries is this far from the starting face line;
    /// `None` (only in the last phase): it runs until the run ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_m: Option<f64>,
    /// How the places are ordered.
    #[serde(default)]
    pub order: CutOrder,
    /// With `order = "list"`: the cycle of places (`"E3"`, `"X3"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<String>,
    /// Width of the entries and crosscuts driven in this phase (rooms may be driven wider
    /// or narrower than the development); default the geometry's `entry_width_m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_width_m: Option<f64>,
    /// Depth of one cut in this phase; default the geometry's `cut_depth_m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut_depth_m: Option<f64>,
}

/// A place of a plan: an entry face or the crosscut face between two neighbouring entries.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlaceRef {
    /// Entry `e` (0-based; written `E{e+1}`).
    Entry(usize),
    /// The crosscut between entries `k` and `k + 1` (0-based; written `X{k+1}`).
    Crosscut(usize),
}

impl fmt::Display for PlaceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlaceRef::Entry(e) => write!(f, "E{}", e + 1),
            PlaceRef::Crosscut(k) => write!(f, "X{}", k + 1),
        }
    }
}

impl PlaceRef {
    /// Reads `E3` or `X3` (case-insensitive, 1-based).
    pub fn parse(s: &str) -> Option<PlaceRef> {
        let s = s.trim();
        let (kind, num) = s.split_at_checked(1)?;
        let n: usize = num.parse().ok()?;
        if n == 0 {
            return None;
        }
        match kind {
            "E" | "e" => Some(PlaceRef::Entry(n - 1)),
            "X" | "x" => Some(PlaceRef::Crosscut(n - 1)),
            _ => None,
        }
    }

    /// Position across the panel in entry spacings (a crosscut sits half-way).
    fn x(self) -> f64 {
        match self {
            PlaceRef::Entry(e) => e as f64,
            PlaceRef::Crosscut(k) => k as f64 + 0.5,
        }
    }
}

/// A phase resolved against the geometry, as the model works it.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    /// Label in reports.
    pub name: String,
    /// Per entry: worked in this phase.
    pub in_phase: Vec<bool>,
    /// Per entry: worked in this phase or an earlier one.
    pub open: Vec<bool>,
    /// Advance at which the phase's entries stop, m (infinite: no end).
    pub advance_m: f64,
    /// Cut order.
    pub order: CutOrder,
    /// The cycle of places (empty for `nearest`).
    pub cycle: Vec<PlaceRef>,
    /// Entry and crosscut width, m.
    pub entry_width_m: f64,
    /// Cut depth, m.
    pub cut_depth_m: f64,
}

impl Phase {
    /// Does crosscut pair `k` belong to the phase?
    pub fn pair_active(&self, k: usize) -> bool {
        k + 1 < self.in_phase.len()
            && (self.in_phase[k] || self.in_phase[k + 1])
            && self.open[k]
            && self.open[k + 1]
    }

    /// Every place of the phase: its entries and its crosscuts, left to right.
    pub fn places(&self) -> Vec<PlaceRef> {
        places_of(&self.in_phase, &self.open)
    }
}

fn places_of(in_phase: &[bool], open: &[bool]) -> Vec<PlaceRef> {
    let n = in_phase.len();
    let mut out = Vec::new();
    for e in 0..n {
        if in_phase[e] {
            out.push(PlaceRef::Entry(e));
        }
        if e + 1 < n && (in_phase[e] || in_phase[e + 1]) && open[e] && open[e + 1] {
            out.push(PlaceRef::Crosscut(e));
        }
    }
    out
}

/// The cycle of places a named rule generates for a phase whose entries are `in_phase`
/// and whose open entries (this phase's and earlier phases') are `open`: every place of
/// the phase exactly once. `nearest` and `list` generate nothing (they do not cycle by a
/// rule).
pub fn generate(order: CutOrder, in_phase: &[bool], open: &[bool]) -> Vec<PlaceRef> {
    let mut places = places_of(in_phase, open);
    match order {
        CutOrder::Nearest | CutOrder::List => Vec::new(),
        CutOrder::LeftToRight => places,
        CutOrder::RightToLeft => {
            places.reverse();
            places
        }
        CutOrder::CentreOut => {
            let ent: Vec<f64> = (0..in_phase.len())
                .filter(|&e| in_phase[e])
                .map(|e| e as f64)
                .collect();
            let centre = ent.iter().sum::<f64>() / ent.len().max(1) as f64;
            places.sort_by(|a, b| {
                (a.x() - centre)
                    .abs()
                    .total_cmp(&(b.x() - centre).abs())
                    .then(a.x().total_cmp(&b.x()))
            });
            places
        }
    }
}

/// Resolves a plan against a panel of `entries` entries with the geometry's width and cut
/// depth; an empty plan is one phase of every entry, nearest first, without end (the
/// model's behaviour without a plan). Assumes the plan has been validated.
pub fn resolve(
    plan: &[PhaseConfig],
    entries: usize,
    entry_width_m: f64,
    cut_depth_m: f64,
) -> Vec<Phase> {
    if plan.is_empty() {
        return vec![Phase {
            name: "panel".into(),
            in_phase: vec![true; entries],
            open: vec![true; entries],
            advance_m: f64::INFINITY,
            order: CutOrder::Nearest,
            cycle: Vec::new(),
            entry_width_m,
            cut_depth_m,
        }];
    }
    let mut open = vec![false; entries];
    let mut out = Vec::new();
    for p in plan {
        let in_phase = phase_entries(p, entries);
        for e in 0..entries {
            open[e] |= in_phase[e];
        }
        let cycle = match p.order {
            CutOrder::List => p.places.iter().filter_map(|s| PlaceRef::parse(s)).collect(),
            o => generate(o, &in_phase, &open),
        };
        out.push(Phase {
            name: p.name.clone(),
            in_phase,
            open: open.clone(),
            advance_m: p.advance_m.unwrap_or(f64::INFINITY),
            order: p.order,
            cycle,
            entry_width_m: p.entry_width_m.unwrap_or(entry_width_m),
            cut_depth_m: p.cut_depth_m.unwrap_or(cut_depth_m),
        });
    }
    out
}

fn phase_entries(p: &PhaseConfig, entries: usize) -> Vec<bool> {
    if p.entries.is_empty() {
        return vec![true; entries];
    }
    let mut v = vec![false; entries];
    for &e in &p.entries {
        if (1..=entries).contains(&(e as usize)) {
            v[e as usize - 1] = true;
        }
    }
    v
}

/// Problems with a plan (`path` is e.g. `section.plan`), for a panel with the geometry
/// `g`. Besides each key's bounds the plan must be one the section can work to its end:
/// every place of a listed cycle exists in its phase and every place of the phase is in
/// the cycle (a missing entry would hold the others back at the entry-lead limit for ever,
/// a missing crosscut would stop its entries one crosscut beyond it), a phase's rooms are
/// no wider than the span limit and its cuts no deeper than the cut limit, entries worked
/// again advance beyond where they stopped, and only the last phase runs without an end.
pub fn validate(plan: &[PhaseConfig], g: &super::Geometry, path: &str) -> Vec<Invalid> {
    let mut out = Vec::new();
    if !limits::check_len(
        &mut out,
        path.to_string(),
        plan.len(),
        limits::MAX_PLAN_PHASES,
    ) {
        return out;
    }
    let n = g.entries as usize;
    let mut reached = vec![0.0_f64; n];
    let mut reached_in: Vec<Option<usize>> = vec![None; n];
    let mut open = vec![false; n];
    for (i, p) in plan.iter().enumerate() {
        let pp = |k: &str| format!("{path}[{i}].{k}");
        if p.name.trim().is_empty() {
            out.push(Invalid::new(
                pp("name"),
                "a phase needs a name for the reports",
            ));
        }
        let mut seen = vec![false; n];
        let mut entries_ok = true;
        for &e in &p.entries {
            if !(1..=n).contains(&(e as usize)) {
                out.push(Invalid::new(
                    pp("entries"),
                    format!("entry {e} is not in the panel: entries are numbered 1 to {n} from the left"),
                ));
                entries_ok = false;
            } else if std::mem::replace(&mut seen[e as usize - 1], true) {
                out.push(Invalid::new(
                    pp("entries"),
                    format!("entry {e} is listed twice"),
                ));
                entries_ok = false;
            }
        }
        if !entries_ok {
            // The later phases' places depend on this one's entries.
            break;
        }
        let in_phase = phase_entries(p, n);
        for e in 0..n {
            open[e] |= in_phase[e];
        }
        let width = p.entry_width_m.unwrap_or(g.entry_width_m);
        if let Some(w) = p.entry_width_m {
            let before = out.len();
            limits::check_range(
                &mut out,
                pp("entry_width_m"),
                "room width",
                w,
                limits::ENTRY_WIDTH_M,
                " m",
            );
            if out.len() == before && w > g.max_span_m {
                out.push(Invalid::new(
                    pp("entry_width_m"),
                    format!(
                        "span {w} m is over the limit max_span_m = {} m",
                        g.max_span_m
                    ),
                ));
            } else if out.len() == before && n > 1 && w >= g.pillar_centres_m {
                out.push(Invalid::new(
                    pp("entry_width_m"),
                    format!(
                        "must be narrower than pillar_centres_m = {} m (pillars need width)",
                        g.pillar_centres_m
                    ),
                ));
            }
        }
        if let Some(d) = p.cut_depth_m {
            let before = out.len();
            limits::check_range(
                &mut out,
                pp("cut_depth_m"),
                "cut depth",
                d,
                limits::CUT_DEPTH_M,
                " m",
            );
            if out.len() == before {
                if d > g.max_cut_depth_m {
                    out.push(Invalid::new(
                        pp("cut_depth_m"),
                        format!(
                            "cut {d} m is deeper than allowed (max_cut_depth_m = {} m)",
                            g.max_cut_depth_m
                        ),
                    ));
                } else if d > g.max_entry_lead_m {
                    out.push(Invalid::new(
                        pp("cut_depth_m"),
                        format!("cut {d} m is more than the entry lead allows (max_entry_lead_m = {} m): no entry could be cut", g.max_entry_lead_m),
                    ));
                } else if n > 1 && d > g.crosscut_centres_m - width {
                    out.push(Invalid::new(
                        pp("cut_depth_m"),
                        format!("cut {d} m is longer than the pillar (crosscut_centres_m - entry_width_m = {} m)", g.crosscut_centres_m - width),
                    ));
                }
            }
        }
        match p.advance_m {
            None if i + 1 < plan.len() => out.push(Invalid::new(
                format!("{path}[{i}]"),
                format!("phase \"{}\" has no advance_m, so it would never end and the phases after it would never start: give advance_m (only the last phase may run without one)", p.name),
            )),
            None => {}
            Some(a) => {
                let before = out.len();
                limits::check_range(&mut out, pp("advance_m"), "phase advance", a, limits::PLAN_ADVANCE_M, " m");
                if out.len() == before {
                    for e in (0..n).filter(|&e| in_phase[e]) {
                        if a <= reached[e] + 1e-9 {
                            let j = reached_in[e].unwrap_or(0);
                            out.push(Invalid::new(
                                pp("advance_m"),
                                format!(
                                    "entry E{} already reached {} m in phase \"{}\": a later phase must take it further",
                                    e + 1,
                                    limits::fmt_num(reached[e]),
                                    plan[j].name
                                ),
                            ));
                            break;
                        }
                    }
                    for e in (0..n).filter(|&e| in_phase[e]) {
                        reached[e] = a;
                        reached_in[e] = Some(i);
                    }
                }
            }
        }
        let all = places_of(&in_phase, &open);
        match p.order {
            CutOrder::List => {
                if p.places.is_empty() {
                    out.push(Invalid::new(pp("places"), "order = \"list\" needs the list of places (\"E3\" for entry 3, \"X3\" for the crosscut between entries 3 and 4)"));
                    continue;
                }
                if !limits::check_len(
                    &mut out,
                    pp("places"),
                    p.places.len(),
                    2 * limits::MAX_ENTRIES as usize,
                ) {
                    continue;
                }
                let mut listed = Vec::new();
                let mut bad = false;
                for (k, s) in p.places.iter().enumerate() {
                    let Some(r) = PlaceRef::parse(s) else {
                        out.push(Invalid::new(
                            format!("{}[{k}]", pp("places")),
                            format!("\"{s}\" is not a place: write \"E3\" for entry 3, \"X3\" for the crosscut between entries 3 and 4"),
                        ));
                        bad = true;
                        continue;
                    };
                    if !all.contains(&r) {
                        let why = match r {
                            PlaceRef::Entry(_) => "that entry is not worked in this phase".to_string(),
                            PlaceRef::Crosscut(k) => format!(
                                "the crosscut between entries {} and {} is not driven in this phase (one of them must be in the phase and the other in it or worked before)",
                                k + 1,
                                k + 2
                            ),
                        };
                        out.push(Invalid::new(
                            format!("{}[{k}]", pp("places")),
                            format!("{r}: {why}"),
                        ));
                        bad = true;
                    } else if listed.contains(&r) {
                        out.push(Invalid::new(
                            format!("{}[{k}]", pp("places")),
                            format!("{r} is listed twice: a cycle visits each place once"),
                        ));
                        bad = true;
                    } else {
                        listed.push(r);
                    }
                }
                if !bad {
                    if let Some(r) = all.iter().find(|r| !listed.contains(r)) {
                        let why = match r {
                            PlaceRef::Entry(_) => format!("the entry would never advance, and the phase's other entries would stop max_entry_lead_m = {} m ahead of it", g.max_entry_lead_m),
                            PlaceRef::Crosscut(_) => "the crosscut would never be holed, and its entries would stop one crosscut beyond it".to_string(),
                        };
                        out.push(Invalid::new(
                            pp("places"),
                            format!("{r} is in the phase but not in the cut order: {why}, so the phase could never end"),
                        ));
                    }
                }
            }
            _ if !p.places.is_empty() => out.push(Invalid::new(
                pp("places"),
                format!(
                    "places are read only with order = \"list\" (this phase has order = \"{}\")",
                    p.order.name()
                ),
            )),
            _ => {}
        }
    }
    out
}
