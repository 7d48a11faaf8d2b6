//! Ground: geotechnical classes along the headings, the support they need, roof falls and
//! pillars (the `[ground]` table; docs/ground.md).
//!
//! - [`GroundConfig`] (`config`): classes with a rating range, support pattern (bolting
//!   time per metre derived from it), deepest cut, widest span, cutting-rate factor, floor
//!   (haul speed factor, bogging) and roof-fall hazard; class shares per manto; support
//!   costs; the pillar check.
//! - [`Chain`] (`markov`): where the classes are, a Markov chain along every heading with
//!   the declared shares and mean run lengths.
//! - [`pillar`]: strength formulas, safety factor, extraction ratio, sizing.
//!
//! The section DES takes a [`Prepared`] ground (one manto's chain) through
//! [`crate::section::simulate_in`]; without one it runs exactly as before.

mod config;
mod markov;
pub mod pillar;

pub use config::{
    FallHazard, GroundClass, GroundConfig, MantoGround, PillarConfig, PillarFormula, Rating,
    SupportCosts, SupportPattern,
};
pub use markov::Chain;

use des::random::{Stream, StreamKey};
use serde::{Deserialize, Serialize};

/// Domain tag of the ground's streams under a section run's node: heading `e` draws its
/// classes from `streams.child(GROUND_STREAMS).child(e)`, the falls and bogging from
/// `streams.child(GROUND_STREAMS + 1)` (machines use children below 2,100).
pub const GROUND_STREAMS: u64 = 0x6_0000_0000;

/// One manto's ground, ready for the section DES.
#[derive(Clone, Debug)]
pub struct Prepared<'a> {
    /// The table.
    pub cfg: &'a GroundConfig,
    /// The class chain with the manto's shares.
    pub chain: Chain,
}

impl<'a> Prepared<'a> {
    /// The ground of manto `manto` (its shares, else the classes'). The configuration
    /// must have passed [`GroundConfig::validate`].
    pub fn new(cfg: &'a GroundConfig, manto: &str) -> Prepared<'a> {
        let chain = Chain::new(cfg, &cfg.shares_of(manto)).expect("validated ground shares");
        Prepared { cfg, chain }
    }
}

/// Ground quantities of one production shift (all zero without `[ground]`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroundShift {
    /// Roof falls (a count; fractional once averaged over trials).
    pub falls: f64,
    /// Minutes of fall clean-up and re-support.
    pub fall_min: f64,
    /// Minutes of bolting (the support cycle).
    pub support_min: f64,
    /// Minutes haulers spent bogged.
    pub bog_min: f64,
    /// Fallen roof, dry t (waste joining the feed).
    pub fallen_dry_t: f64,
    /// Ore left in abandoned headings, dry t.
    pub ore_lost_dry_t: f64,
    /// Resin cartridges used.
    pub resin: f64,
    /// Mesh, m2.
    pub mesh_m2: f64,
    /// Straps.
    pub straps: f64,
    /// Cable bolts.
    pub cable_bolts: f64,
    /// Cost of the support consumables (bolts included), US$.
    pub support_cost_usd: f64,
}

impl GroundShift {
    /// True when nothing was recorded (so outputs without `[ground]` keep their bytes).
    pub fn is_zero(&self) -> bool {
        *self == GroundShift::default()
    }

    /// Adds `w` times `o`.
    pub fn add(&mut self, o: &GroundShift, w: f64) {
        self.falls += o.falls * w;
        self.fall_min += o.fall_min * w;
        self.support_min += o.support_min * w;
        self.bog_min += o.bog_min * w;
        self.fallen_dry_t += o.fallen_dry_t * w;
        self.ore_lost_dry_t += o.ore_lost_dry_t * w;
        self.resin += o.resin * w;
        self.mesh_m2 += o.mesh_m2 * w;
        self.straps += o.straps * w;
        self.cable_bolts += o.cable_bolts * w;
        self.support_cost_usd += o.support_cost_usd * w;
    }
}

/// Ground totals of one class over a run's counted shifts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassTally {
    /// Class name.
    pub name: String,
    /// Metres advanced in the class.
    pub advance_m: f64,
    /// Wet tonnes cut in the class.
    pub cut_wet_t: f64,
    /// Cuts taken.
    pub cuts: u32,
    /// Intersections (cuts through a crosscut line).
    pub intersections: u32,
    /// Roof bolts installed.
    pub bolts: u32,
    /// Falls, clean-up, support, bogging, fallen waste, ore lost and consumables.
    pub ground: GroundShift,
}

/// The ground's per-heading class cells and its random streams, inside one DES run.
pub(crate) struct GroundRun<'a> {
    pub(crate) prep: &'a Prepared<'a>,
    cells: Vec<Vec<u8>>,
    rngs: Vec<Stream>,
    /// The heading whose classes heading `e` follows (itself, or a left neighbour).
    source: Vec<usize>,
    /// Falls and bogging.
    pub(crate) rng: Stream,
    pub(crate) classes: Vec<ClassTally>,
}

impl<'a> GroundRun<'a> {
    pub(crate) fn new(prep: &'a Prepared<'a>, entries: usize, streams: StreamKey) -> Self {
        let base = streams.child(GROUND_STREAMS);
        let mut rngs: Vec<Stream> = (0..entries)
            .map(|e| base.child(e as u64).stream())
            .collect();
        let mut source: Vec<usize> = (0..entries).collect();
        let rho = prep.cfg.neighbour_correlation;
        for e in 1..entries {
            use rand::Rng;
            if rho > 0.0 && rngs[e].random::<f64>() < rho {
                source[e] = source[e - 1];
            }
        }
        GroundRun {
            prep,
            cells: vec![Vec::new(); entries],
            rngs,
            source,
            rng: streams.child(GROUND_STREAMS + 1).stream(),
            classes: prep
                .cfg
                .classes
                .iter()
                .map(|c| ClassTally {
                    name: c.name.clone(),
                    ..ClassTally::default()
                })
                .collect(),
        }
    }

    /// The class of heading `entry` at `y_m` along the panel.
    pub(crate) fn class_at(&mut self, entry: usize, y_m: f64) -> usize {
        let e = self.source[entry.min(self.source.len() - 1)];
        let k = (y_m.max(0.0) / self.prep.cfg.step_m + 1e-9).floor() as usize;
        let cells = &mut self.cells[e];
        let rng = &mut self.rngs[e];
        while cells.len() <= k {
            let c = match cells.last() {
                None => self.prep.chain.start(rng),
                Some(&c) => self.prep.chain.next(c, rng),
            };
            cells.push(c);
        }
        cells[k] as usize
    }
}

/// A Poisson count of mean `lambda` (inversion; `lambda` is small: falls of one cut).
pub(crate) fn poisson<R: rand::Rng + ?Sized>(lambda: f64, rng: &mut R) -> u32 {
    if !(lambda > 0.0) {
        return 0;
    }
    let limit = (-lambda).exp();
    let mut p: f64 = rng.random();
    let mut k = 0;
    while p > limit && k < 10_000 {
        p *= rng.random::<f64>();
        k += 1;
    }
    k
}

/// The pillar check of every manto (none without `[ground.pillars]`): the section's
/// entries and centres, at the manto's thickness.
pub fn pillar_checks(
    cfg: &GroundConfig,
    section: &crate::SectionConfig,
    layout: &crate::layout::LayoutConfig,
) -> Vec<pillar::PillarCheck> {
    let Some(pc) = &cfg.pillars else {
        return Vec::new();
    };
    let g = &section.geometry;
    layout
        .mantos
        .iter()
        .map(|m| {
            pillar::check(
                pc,
                &m.name,
                g.entry_width_m,
                g.pillar_centres_m,
                g.crosscut_centres_m,
                m.thickness_m,
            )
        })
        .collect()
}

/// Problems with the pillars, under `path` ("ground"): a pillar under the minimum safety
/// factor when the table does not ask for sizing.
pub fn validate_pillars(
    cfg: &GroundConfig,
    path: &str,
    section: &crate::SectionConfig,
    layout: &crate::layout::LayoutConfig,
) -> Vec<des::input::Invalid> {
    let Some(pc) = &cfg.pillars else {
        return Vec::new();
    };
    if pc.size {
        return Vec::new();
    }
    pillar_checks(cfg, section, layout)
        .into_iter()
        .filter(|c| !(c.safety_factor >= pc.min_safety_factor))
        .map(|c| {
            des::input::Invalid::new(
                format!("{path}.pillars.min_safety_factor"),
                format!(
                    "the pillars of {} ({:.1} m x {:.1} m, {} m high: section.geometry.pillar_centres_m, crosscut_centres_m, entry_width_m and the manto's thickness_m) have a safety factor of {:.2} ({:.2} MPa strength by {}.strength_mpa against {:.2} MPa at {}.pillars.depth_of_cover_m = {} m), under the minimum {}: widen the centres, or set {path}.pillars.size = true to size them",
                    c.manto,
                    c.width_m,
                    c.length_m,
                    c.height_m,
                    c.safety_factor,
                    c.strength_mpa,
                    format_args!("{path}.pillars"),
                    c.stress_mpa,
                    path,
                    pc.depth_of_cover_m,
                    pc.min_safety_factor
                ),
            )
        })
        .collect()
}

/// Factor on each manto's panel tonnes (scenario order): the sized pillars' extraction
/// ratio over the declared one, 1 unless `[ground.pillars]` asks for sizing.
pub fn tonnage_factors(
    cfg: Option<&GroundConfig>,
    section: &crate::SectionConfig,
    layout: &crate::layout::LayoutConfig,
) -> Vec<f64> {
    match cfg {
        Some(g) if g.pillars.as_ref().is_some_and(|p| p.size) => pillar_checks(g, section, layout)
            .iter()
            .map(|c| c.tonnage_factor)
            .collect(),
        _ => vec![1.0; layout.mantos.len()],
    }
}
