//! Haulage networks: the section's haul roads as nodes (face places, the feeder, passing
//! points, a battery-change station, points along a road) and links with lengths, speeds
//! and lanes, with shortest-path routing.
//!
//! **Single-lane roads without deadlock, by construction.** A *segment* is a two-lane link
//! on its own, or a maximal chain of single-lane links joined at `point` nodes (where units
//! can neither pass nor wait). A single-lane segment carries one unit at a time, in either
//! direction, and is seized as a whole from the stop at one end (face, feeder, passing
//! point, station) to the stop at the other; it is released when the unit reaches that
//! stop. A unit asks for a segment only while standing at a stop, and it holds no segment
//! then (it released the one it came by on arriving). Stops hold any number of units. So
//! no unit ever holds one road while waiting for another: without hold-and-wait there is
//! no circular wait and no deadlock, whatever the number of units and the layout. Units
//! queue for a segment first come, first served, and each traversal takes finite time, so
//! none waits for ever either (a breakdown on the road holds it until repaired).

use crate::limits;
use des::input::Invalid;
use des::Dist;
use serde::{Deserialize, Serialize};
use std::collections::BinaryHeap;

/// What a node of the network is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// Where the miner loads the units (serves the entries in `entries`, or all).
    Face,
    /// The feeder-breaker, where loaded units dump.
    Feeder,
    /// A place where units may wait and pass one another.
    Passing,
    /// The battery-change station (battery haulers go there when a change is due).
    Station,
    /// A point along a single-lane road (a bend, a change of grade): no passing, no
    /// waiting; it joins exactly two single-lane links.
    Point,
}

/// A node, as written in a scenario (`[[section.network.nodes]]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Unique name, used by the links.
    pub name: String,
    /// What it is.
    pub kind: NodeKind,
    /// For a face node: the entries (numbered from 1 at the left) whose places are loaded
    /// here, crosscuts by their left entry; empty for every entry (one face node only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<u32>,
}

/// A link, as written in a scenario (`[[section.network.links]]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// One end (a node name).
    pub from: String,
    /// The other end.
    pub to: String,
    /// Length, m.
    pub length_m: f64,
    /// One unit at a time (in either direction) instead of two-way traffic.
    #[serde(default)]
    pub single_lane: bool,
    /// Loaded speed on this link, sampled per traversal; default the haulage's, sampled
    /// once per trip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loaded_speed_m_per_min: Option<Dist>,
    /// Empty speed on this link, likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_speed_m_per_min: Option<Dist>,
}

/// The haul-road network (`[section.network]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// The nodes.
    pub nodes: Vec<NodeConfig>,
    /// The links.
    pub links: Vec<LinkConfig>,
}

/// One step of a route: a segment traversed in one direction, its links in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Segment index.
    pub segment: usize,
    /// Single-lane (seized as a whole)?
    pub single_lane: bool,
    /// The links crossed, in order.
    pub links: Vec<usize>,
}

/// A route between two stops.
pub type Route = Vec<Step>;

/// The network resolved for the model: segments and the routes the units take.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The links as configured.
    pub links: Vec<LinkConfig>,
    /// Number of segments.
    pub segments: usize,
    /// Per entry, its face node's index among the face nodes.
    pub face_of_entry: Vec<usize>,
    /// Per face node: loaded route to the feeder, empty route back.
    pub loaded: Vec<Route>,
    /// Per face node: the empty route from the feeder.
    pub empty: Vec<Route>,
    /// With a station: feeder to station, and per face node station to face.
    pub to_station: Option<Route>,
    /// Per face node: the route from the station.
    pub from_station: Vec<Route>,
}

impl Network {
    /// Length of a route, m.
    pub fn length_m(&self, r: &Route) -> f64 {
        r.iter()
            .flat_map(|s| &s.links)
            .map(|&l| self.links[l].length_m)
            .sum()
    }
}

fn is_stop(k: NodeKind) -> bool {
    k != NodeKind::Point
}

/// Problems with a network (`path` is e.g. `section.network`) for a panel of `entries`
/// entries; `battery` says whether the units change batteries.
pub fn validate(n: &NetworkConfig, entries: u32, battery: bool, path: &str) -> Vec<Invalid> {
    let mut out = Vec::new();
    let np = format!("{path}.nodes");
    let lp = format!("{path}.links");
    let ok_n = limits::check_len(
        &mut out,
        np.clone(),
        n.nodes.len(),
        limits::MAX_NETWORK_NODES,
    );
    let ok_l = limits::check_len(
        &mut out,
        lp.clone(),
        n.links.len(),
        limits::MAX_NETWORK_LINKS,
    );
    if !(ok_n && ok_l) {
        return out;
    }
    let mut names: Vec<&str> = Vec::new();
    let mut faces = 0;
    let mut covered = vec![0u32; entries as usize];
    let mut all_face = false;
    let count = |k: NodeKind| n.nodes.iter().filter(|x| x.kind == k).count();
    for (i, node) in n.nodes.iter().enumerate() {
        let p = format!("{np}[{i}]");
        if node.name.trim().is_empty() {
            out.push(Invalid::new(format!("{p}.name"), "a node needs a name"));
        } else if names.contains(&node.name.as_str()) {
            out.push(Invalid::new(
                format!("{p}.name"),
                format!("node \"{}\" is named twice", node.name),
            ));
        }
        names.push(&node.name);
        if node.kind == NodeKind::Face {
            faces += 1;
            if node.entries.is_empty() {
                all_face = true;
            }
            for &e in &node.entries {
                if !(1..=entries).contains(&e) {
                    out.push(Invalid::new(
                        format!("{p}.entries"),
                        format!("entry {e} is not in the panel (1 to {entries})"),
                    ));
                } else {
                    covered[e as usize - 1] += 1;
                }
            }
        } else if !node.entries.is_empty() {
            out.push(Invalid::new(
                format!("{p}.entries"),
                "entries are read only on a face node",
            ));
        }
    }
    if count(NodeKind::Feeder) != 1 {
        out.push(Invalid::new(
            np.clone(),
            format!(
                "a network needs exactly one node of kind \"feeder\" (found {})",
                count(NodeKind::Feeder)
            ),
        ));
    }
    if faces == 0 {
        out.push(Invalid::new(
            np.clone(),
            "a network needs a node of kind \"face\"",
        ));
    } else if all_face && faces > 1 {
        out.push(Invalid::new(
            np.clone(),
            "with more than one face node each must list its entries",
        ));
    } else if !all_face {
        for (e, &c) in covered.iter().enumerate() {
            if c != 1 {
                out.push(Invalid::new(
                    np.clone(),
                    format!(
                        "entry {} is served by {c} face nodes: each entry needs exactly one",
                        e + 1
                    ),
                ));
                break;
            }
        }
    }
    let stations = count(NodeKind::Station);
    if stations > 1 {
        out.push(Invalid::new(
            np.clone(),
            "at most one battery-change station",
        ));
    } else if stations == 1 && !battery {
        out.push(Invalid::new(
            np.clone(),
            "a station is for battery changes, and the haulers have none (haulage.battery_change_every_h = 0)",
        ));
    }
    let idx = |s: &str| n.nodes.iter().position(|x| x.name == s);
    let mut degree = vec![(0u32, 0u32); n.nodes.len()];
    for (i, l) in n.links.iter().enumerate() {
        let p = format!("{lp}[{i}]");
        let mut ends = Vec::new();
        for (k, v) in [("from", &l.from), ("to", &l.to)] {
            match idx(v) {
                Some(j) => ends.push(j),
                None => {
                    let hint = names
                        .iter()
                        .min_by_key(|x| des::input::edit_distance(x, v))
                        .filter(|x| des::input::edit_distance(x, v) <= 2)
                        .map(|x| format!(" (did you mean \"{x}\"?)"))
                        .unwrap_or_default();
                    out.push(Invalid::new(
                        format!("{p}.{k}"),
                        format!("no node is named \"{v}\"{hint}"),
                    ));
                }
            }
        }
        if ends.len() == 2 {
            if ends[0] == ends[1] {
                out.push(Invalid::new(
                    p.clone(),
                    "a link must join two different nodes",
                ));
            }
            for &j in &ends {
                degree[j].0 += 1;
                degree[j].1 += u32::from(l.single_lane);
            }
        }
        limits::check_range(
            &mut out,
            format!("{p}.length_m"),
            "link length",
            l.length_m,
            limits::LINK_LENGTH_M,
            " m",
        );
        for (k, d) in [
            ("loaded_speed_m_per_min", &l.loaded_speed_m_per_min),
            ("empty_speed_m_per_min", &l.empty_speed_m_per_min),
        ] {
            if let Some(d) = d {
                speed(&mut out, format!("{p}.{k}"), d);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    for (i, node) in n.nodes.iter().enumerate() {
        if node.kind == NodeKind::Point && degree[i] != (2, 2) {
            out.push(Invalid::new(
                format!("{np}[{i}].kind"),
                format!(
                    "point \"{}\" must join exactly two single-lane links (it joins {} links, {} single-lane): where roads meet or units must wait, use kind = \"passing\"",
                    node.name, degree[i].0, degree[i].1
                ),
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    // Every face reaches the feeder (and the station).
    let net = resolve_unchecked(n, entries);
    for (f, r) in net.loaded.iter().enumerate() {
        if r.is_empty() {
            let name = &n.nodes[face_nodes(n)[f]].name;
            out.push(Invalid::new(
                lp.clone(),
                format!("face \"{name}\" has no road to the feeder"),
            ));
        }
    }
    if stations == 1 && (net.to_station.as_ref().is_none_or(|r| r.is_empty())) {
        out.push(Invalid::new(lp, "the station has no road from the feeder"));
    }
    out
}

/// A speed distribution: every sample above zero and a plausible mean.
pub(crate) fn speed(out: &mut Vec<Invalid>, path: String, d: &Dist) {
    if let Err(e) = d.validate_non_negative() {
        out.push(Invalid::new(path, e.to_string()));
    } else if d.support().0 <= 0.0 {
        out.push(Invalid::new(
            path,
            "every sampled speed must be above zero: use a distribution bounded away from 0 (e.g. triangular with min > 0, or an offset)",
        ));
    } else {
        limits::check_range(
            out,
            path,
            "mean haul speed",
            d.mean(),
            limits::HAUL_SPEED_M_PER_MIN,
            " m/min",
        );
    }
}

fn face_nodes(n: &NetworkConfig) -> Vec<usize> {
    (0..n.nodes.len())
        .filter(|&i| n.nodes[i].kind == NodeKind::Face)
        .collect()
}

/// Resolves a validated network for a panel of `entries` entries.
pub fn resolve(n: &NetworkConfig, entries: u32) -> Network {
    resolve_unchecked(n, entries)
}

fn resolve_unchecked(n: &NetworkConfig, entries: u32) -> Network {
    let nn = n.nodes.len();
    let idx = |s: &str| n.nodes.iter().position(|x| x.name == s).unwrap_or(0);
    let ends: Vec<(usize, usize)> = n.links.iter().map(|l| (idx(&l.from), idx(&l.to))).collect();
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); nn];
    for (l, &(a, b)) in ends.iter().enumerate() {
        adj[a].push((b, l));
        adj[b].push((a, l));
    }
    // Segments: two-lane links alone; single-lane chains through points.
    let mut seg_of = vec![usize::MAX; n.links.len()];
    let mut segments = 0;
    for l in 0..n.links.len() {
        if seg_of[l] != usize::MAX {
            continue;
        }
        seg_of[l] = segments;
        if n.links[l].single_lane {
            let mut stack = vec![l];
            while let Some(x) = stack.pop() {
                for end in [ends[x].0, ends[x].1] {
                    if is_stop(n.nodes[end].kind) {
                        continue;
                    }
                    for &(_, y) in &adj[end] {
                        if seg_of[y] == usize::MAX && n.links[y].single_lane {
                            seg_of[y] = segments;
                            stack.push(y);
                        }
                    }
                }
            }
        }
        segments += 1;
    }
    // Shortest paths (Dijkstra on lengths; ties to the lower link index, deterministic).
    let path = |from: usize, to: usize| -> Option<Vec<usize>> {
        let mut dist = vec![f64::INFINITY; nn];
        let mut prev: Vec<Option<usize>> = vec![None; nn];
        dist[from] = 0.0;
        let mut heap = BinaryHeap::new();
        heap.push(Node(0.0, from));
        while let Some(Node(d, u)) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            if u == to {
                break;
            }
            // A unit may not turn or stop at a point, but it never needs to: a point has
            // exactly two links, so a path through it goes straight on.
            for &(v, l) in &adj[u] {
                let nd = d + n.links[l].length_m;
                if nd < dist[v] {
                    dist[v] = nd;
                    prev[v] = Some(l);
                    heap.push(Node(nd, v));
                }
            }
        }
        if !dist[to].is_finite() {
            return None;
        }
        let mut links = Vec::new();
        let mut at = to;
        while at != from {
            let l = prev[at]?;
            links.push(l);
            at = if ends[l].0 == at {
                ends[l].1
            } else {
                ends[l].0
            };
        }
        links.reverse();
        Some(links)
    };
    let route = |from: usize, to: usize| -> Route {
        let Some(links) = path(from, to) else {
            return Vec::new();
        };
        let mut out: Route = Vec::new();
        for l in links {
            match out.last_mut() {
                Some(s) if s.segment == seg_of[l] => s.links.push(l),
                _ => out.push(Step {
                    segment: seg_of[l],
                    single_lane: n.links[l].single_lane,
                    links: vec![l],
                }),
            }
        }
        out
    };
    let faces = face_nodes(n);
    let feeder = n
        .nodes
        .iter()
        .position(|x| x.kind == NodeKind::Feeder)
        .unwrap_or(0);
    let station = n.nodes.iter().position(|x| x.kind == NodeKind::Station);
    let mut face_of_entry = vec![0; entries as usize];
    for (f, &i) in faces.iter().enumerate() {
        let node = &n.nodes[i];
        if node.entries.is_empty() {
            face_of_entry.iter_mut().for_each(|x| *x = f);
        }
        for &e in &node.entries {
            if let Some(x) = face_of_entry.get_mut(e as usize - 1) {
                *x = f;
            }
        }
    }
    Network {
        links: n.links.clone(),
        segments,
        face_of_entry,
        loaded: faces.iter().map(|&f| route(f, feeder)).collect(),
        empty: faces.iter().map(|&f| route(feeder, f)).collect(),
        to_station: station.map(|s| route(feeder, s)),
        from_station: faces
            .iter()
            .map(|&f| station.map(|s| route(s, f)).unwrap_or_default())
            .collect(),
    }
}

/// A heap entry ordered by smallest distance, then smallest node index.
#[derive(PartialEq)]
struct Node(f64, usize);
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Node {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}
