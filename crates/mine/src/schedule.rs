//! The life-of-mine schedule: every section simulated with the DES panel after panel, the
//! open pit, the run-of-mine stockpile and the plant, reported by quarter and by year.
//!
//! How it runs (one replication):
//! 1. Each section works one panel at a time: the next panel of its own mine, or, once its
//!    mine is worked out, the next panel of the first mine in the list that has one left
//!    (the section moves there). A panel is simulated with the section DES until its
//!    tonnage is mined, in the seam height of its manto, which gives the section's next
//!    production shifts; a move of `panel_move_days` (no production) comes before every
//!    panel but the first. A section with no panel left anywhere retires.
//! 2. The calendar is walked shift by shift. In each production shift on a working day,
//!    every section that has started takes its next production shift and the open pit
//!    delivers its rate, unless the stockpile is full (then the mine stops: sections keep
//!    their place in the sequence, so reserves and panel order are untouched). In every
//!    shift the plant draws its target rate, limited by its capacity and by the stockpile
//!    (it starves when the stockpile is empty). The stockpile is perfectly mixed, so head
//!    grade is the blend of what was fed.
//!
//! Invariants (tested): mined = fed + change in stockpile, per quarter and in total; metal
//! in products = feed x head grade x recovery; no manto below zero.

use crate::calendar::{CalendarConfig, ShiftKind};
use crate::ground::{GroundConfig, GroundShift, Prepared};
use crate::layout::{Grades, LayoutConfig};
use crate::limits;
use crate::plant::{CrewConfig, PlantConfig};
use crate::section::{simulate_in, RunSpec, SectionConfig, ShiftTally};
use des::input::Invalid;
use des::{StreamKey, Summary};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Run options of the schedule.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Operating years to schedule.
    pub years: u32,
    /// Replications of the whole life of mine.
    pub replications: u32,
}

impl ScheduleConfig {
    /// Problems with the schedule options, under `path` (keys `years` and `replications`;
    /// the command line maps them to `--years` and `--replications`): years 1 to
    /// [`limits::MAX_SCHEDULE_YEARS`], replications 1 to
    /// [`limits::MAX_SCHEDULE_REPLICATIONS`].
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        limits::check_count(
            &mut out,
            format!("{path}.years"),
            "years",
            u64::from(self.years),
            1,
            u64::from(limits::MAX_SCHEDULE_YEARS),
        );
        limits::check_count(
            &mut out,
            format!("{path}.replications"),
            "replications",
            u64::from(self.replications),
            1,
            u64::from(limits::MAX_SCHEDULE_REPLICATIONS),
        );
        out
    }

    /// [`validate`](Self::validate), plus the cost of the whole study with this layout:
    /// replications × years × sections at most [`limits::MAX_SCHEDULE_SECTION_YEARS`]
    /// (reported at `{path}.replications`). Call it after command-line overrides.
    pub fn validate_with_layout(&self, path: &str, layout: &LayoutConfig) -> Vec<Invalid> {
        let mut out = self.validate(path);
        let sections = layout.sections() as u64;
        let total = u64::from(self.replications) * u64::from(self.years) * sections;
        if out.is_empty() && total > limits::MAX_SCHEDULE_SECTION_YEARS {
            out.push(Invalid::new(
                format!("{path}.replications"),
                format!(
                    "{} replications x {} years x {} sections are {} section-years to simulate; at most {} are allowed: fewer replications or years",
                    self.replications,
                    self.years,
                    sections,
                    limits::fmt_num(total as f64),
                    limits::fmt_num(limits::MAX_SCHEDULE_SECTION_YEARS as f64)
                ),
            ));
        }
        out
    }
}

/// Everything the schedule needs, borrowed from the scenario.
#[derive(Copy, Clone)]
pub struct MineModel<'a> {
    /// Shift calendar of the underground sections.
    pub calendar: &'a CalendarConfig,
    /// The section design (fleet per section included).
    pub section: &'a SectionConfig,
    /// Deposit, mines, open pit.
    pub layout: &'a LayoutConfig,
    /// Plant and stockpile.
    pub plant: &'a PlantConfig,
    /// Crews.
    pub crew: &'a CrewConfig,
    /// Ground classes, support and falls (`None`: no `[ground]`).
    pub ground: Option<&'a GroundConfig>,
}

/// One production shift of one section, as the DES delivered it.
#[derive(Copy, Clone, Debug, Default)]
struct SectionShift {
    dry_t: f64,
    /// Grades of the panel it mines (its manto's without `[deposit.grade]`).
    grades: Grades,
    manto: u16,
    mine: u16,
    cuts: u32,
    advance_m: f64,
    bolts: u32,
    /// False during a panel move.
    working: bool,
    /// Ground: fallen waste, ore lost, falls, time, consumables.
    ground: GroundShift,
}

/// Quantities of one period (quarter or year); flows unless noted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// "Y01Q1" for a quarter, "Y01" for a year.
    pub label: String,
    /// Operating year, 1-based.
    pub year: u32,
    /// Quarter 1-4, or 0 for a year.
    pub quarter: u32,
    /// Ore mined, wet t (underground at in-situ moisture, open pit at its own).
    pub mined_wet_t: f64,
    /// Ore mined, dry t.
    pub mined_dry_t: f64,
    /// Underground ore, dry t.
    pub underground_dry_t: f64,
    /// Underground ore, wet t (at the section's in-situ moisture).
    pub underground_wet_t: f64,
    /// Open-pit ore, dry t.
    pub open_pit_dry_t: f64,
    /// Open-pit ore, wet t (at the open pit's moisture).
    pub open_pit_wet_t: f64,
    /// Dry t by underground mine, in scenario order.
    pub by_mine_dry_t: Vec<f64>,
    /// Wet t by underground mine, in scenario order.
    pub by_mine_wet_t: Vec<f64>,
    /// Plant feed, dry t.
    pub plant_feed_dry_t: f64,
    /// Plant feed target (ramp-up applied), dry t.
    pub plant_target_dry_t: f64,
    /// Stockpile at the end of the period, dry t (a level, not a flow).
    pub stockpile_closing_dry_t: f64,
    /// Head grade of the plant feed, %.
    pub head_grade: Grades,
    /// Metal fed `[cu, co, zn, mn]`, t.
    pub metal_fed_t: [f64; 4],
    /// Metal fed weighted by the recovery reached, as a share of design recovery (the
    /// ramp-up's recovery curve), t; the products are this times the design recoveries.
    /// `None` (and not written) when no ramp-up curve applies: then it is `metal_fed_t`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_basis_t: Option<[f64; 4]>,
    /// Metal recovered `[cu, co, zn, mn]`, t, at the recoveries of a metallurgy table (and
    /// the ramp-up's recovery curve); `None` (and not written) without the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metal_recovered_t: Option<[f64; 4]>,
    /// Clay fed to the plant, dry t (with a metallurgy table; 0 and not written otherwise).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clay_fed_t: f64,
    /// Sulphuric acid consumed, t (with a metallurgy table; 0 and not written otherwise).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub acid_t: f64,
    /// Hours the plant was up (with a simulated `[plant.downtime]`; 0 and not written
    /// otherwise): availability = this ÷ the period's hours.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub plant_up_h: f64,
    /// Copper cathode, t.
    pub cu_cathode_t: f64,
    /// Cobalt cathode, t.
    pub co_cathode_t: f64,
    /// Zinc sulphate monohydrate, t.
    pub znso4_t: f64,
    /// Manganese carbonate, t.
    pub mnco3_t: f64,
    /// Sections producing (average over the period's production shifts).
    pub sections: f64,
    /// Continuous miners in service (one per active section).
    pub continuous_miners: f64,
    /// Roof bolters in service.
    pub roof_bolters: f64,
    /// Haulers in service.
    pub haulers: f64,
    /// Mine headcount (average), all roles.
    pub headcount: f64,
    /// Headcount by role (average), in the order of `Schedule::roles`.
    pub headcount_by_role: Vec<f64>,
    /// Section production shifts worked.
    pub section_shifts: f64,
    /// Section shifts lost because the stockpile was full.
    pub section_shifts_pad_full: f64,
    /// Metres advanced.
    pub advance_m: f64,
    /// Roof bolts installed.
    pub bolts: f64,
    /// Cuts.
    pub cuts: f64,
    /// Unplanned dilution: fallen roof joining the feed at zero grade, dry t (included in
    /// the mined and underground tonnes). Zero without `[ground]`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waste_dilution_t: f64,
    /// Ore left behind in abandoned headings, dry t (taken from the manto's reserve, never
    /// mined). Zero without `[ground]`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ore_lost_t: f64,
    /// Planned dilution: waste cut with the ore at its declared grades, dry t (included in
    /// the mined and underground tonnes). Zero (and not written) without
    /// `[deposit.dilution]`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub planned_dilution_t: f64,
    /// Metal into the stockpile `[cu, co, zn, mn]`, t (ore, planned waste and the open pit;
    /// fallen roof carries none). Written only with `[deposit.dilution]` or a
    /// `[deposit.grade]` whose sill exceeds its nugget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metal_mined_t: Option<[f64; 4]>,
    /// Metal in the stockpile at the end of the period, t (a level; written when
    /// `metal_mined_t` is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stockpile_closing_metal_t: Option<[f64; 4]>,
    /// Ground: falls, time lost by cause, consumables and their cost.
    #[serde(default, skip_serializing_if = "GroundShift::is_zero")]
    pub ground: GroundShift,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// One panel of one trial, as mined: where, when, and what the ground did to it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PanelRecord {
    /// Section index (scenario order of the mines' section start years).
    pub section: u32,
    /// Mine index.
    pub mine: u32,
    /// Manto index.
    pub manto: u32,
    /// Quarter (0-based) in which the section started it.
    pub start_quarter: u32,
    /// Ore mined, dry t (what the DES delivered; the walk may stop earlier).
    pub ore_dry_t: f64,
    /// Fallen roof joining the feed, dry t.
    pub waste_dilution_t: f64,
    /// Ore left in abandoned headings, dry t.
    pub ore_lost_t: f64,
    /// Roof falls.
    pub falls: f64,
    /// Support consumables, US$.
    pub support_cost_usd: f64,
}

impl Period {
    /// Metal fed weighted by the share of design recovery reached (the metal fed itself
    /// when no ramp-up curve applies), t.
    pub fn recovery_basis(&self) -> [f64; 4] {
        self.recovery_basis_t.unwrap_or(self.metal_fed_t)
    }
}

/// The schedule result: means of the replications by quarter and by year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Schedule {
    /// Replications averaged.
    pub replications: u32,
    /// Base seed.
    pub seed: u64,
    /// Names of the underground mines (the order of `by_mine_dry_t`).
    pub mines: Vec<String>,
    /// Fleet per section.
    pub bolters_per_section: u32,
    /// Fleet per section.
    pub haulers_per_section: u32,
    /// Headcount by role at full build-up.
    pub headcount_by_role: Vec<(String, f64)>,
    /// Role names, the order of `Period::headcount_by_role`.
    pub roles: Vec<String>,
    /// Quarterly periods.
    pub quarters: Vec<Period>,
    /// Annual periods.
    pub years: Vec<Period>,
    /// Annual plant feed across replications (mean and 95% CI), dry t.
    pub annual_feed_dry_t: Vec<Summary>,
    /// Annual copper cathode across replications, t.
    pub annual_cu_cathode_t: Vec<Summary>,
    /// Reserves left per manto at the end, dry t (mean).
    pub reserves_left_dry_t: Vec<(String, f64)>,
    /// Open-pit reserve left, dry t (mean).
    pub open_pit_left_dry_t: f64,
    /// DES events simulated per replication (mean).
    pub events_per_replication: f64,
}

/// A section's home mine and start year.
struct SectionPlan {
    mine: usize,
    start_year: u32,
}

fn section_plans(layout: &LayoutConfig) -> Vec<SectionPlan> {
    layout
        .mines
        .iter()
        .enumerate()
        .flat_map(|(mi, mine)| {
            mine.section_start_years.iter().map(move |&y| SectionPlan {
                mine: mi,
                start_year: y,
            })
        })
        .collect()
}

/// The panels not yet taken, per mine, in mining order: (manto, dry t, grades).
struct PanelPool(Vec<std::collections::VecDeque<(usize, f64, Grades)>>);

impl PanelPool {
    /// The pool, each panel at its manto's grades or at `grades` (per mine, in mining
    /// order: [`crate::grade::panel_grades`]).
    fn new(layout: &LayoutConfig, factors: &[f64], grades: Option<Vec<Vec<Grades>>>) -> PanelPool {
        let specs = crate::grade::panel_specs(layout);
        PanelPool(
            specs
                .iter()
                .enumerate()
                .map(|(mi, panels)| {
                    panels
                        .iter()
                        .enumerate()
                        .map(|(p, spec)| {
                            let g = match &grades {
                                Some(g) => g[mi][p],
                                None => layout.mantos[spec.manto].grades,
                            };
                            (spec.manto, spec.dry_t * factors[spec.manto], g)
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// The next panel for a section of mine `home`: its own mine's, else the first mine
    /// with one left. Returns (mine, manto, dry t, grades).
    fn take(&mut self, home: usize) -> Option<(usize, usize, f64, Grades)> {
        let mine = if self.0[home].is_empty() {
            self.0.iter().position(|q| !q.is_empty())?
        } else {
            home
        };
        self.0[mine]
            .pop_front()
            .map(|(manto, t, g)| (mine, manto, t, g))
    }
}

/// Where a section's production shifts come from, panel by panel. The exact path is
/// [`Des`] (every panel simulated with the section DES); the risk study's fast path is a
/// [`ShiftPool`] (shifts drawn from a pool simulated once). The calendar walk that turns
/// shifts into a life of mine is the same for both.
pub trait ShiftSource: Sync {
    /// The production shifts of one panel of `dry_t` dry tonnes in manto `manto` (the
    /// last shift may run past the panel's tonnage; the walk takes what is left), drawing
    /// only from streams under `key` (unique to trial, section and panel), and the DES
    /// events that cost. `days_left` bounds the simulated horizon.
    fn panel(
        &self,
        model: &MineModel,
        manto: usize,
        dry_t: f64,
        days_left: u32,
        key: StreamKey,
    ) -> (Vec<ShiftTally>, u64);
}

/// The exact path: each panel simulated with the section DES, in its manto's seam height,
/// until its tonnage is mined.
#[derive(Copy, Clone, Debug, Default)]
pub struct Des;

impl ShiftSource for Des {
    fn panel(
        &self,
        model: &MineModel,
        manto: usize,
        dry_t: f64,
        days_left: u32,
        key: StreamKey,
    ) -> (Vec<ShiftTally>, u64) {
        let prepared = model
            .ground
            .map(|g| Prepared::new(g, &model.layout.mantos[manto].name));
        let rep = simulate_in(
            model.section,
            model.calendar,
            RunSpec {
                days: days_left + 7,
                warmup_days: 0,
                streams: key,
                check_invariants: false,
                stop_after_wet_t: Some(dry_t / model.section.dry_fraction()),
                seam_height_m: Some(model.layout.mantos[manto].thickness_m),
            },
            prepared.as_ref(),
        );
        (rep.shifts, rep.events)
    }
}

/// The fast path: production shifts of each manto simulated once (a pool per manto, from a
/// long DES run at the base inputs), each scaled by a productivity factor (the ratio of
/// the section's rate at the drawn inputs to its rate at the base inputs, both measured
/// with the DES), and drawn for a panel as a contiguous run from a random start in the
/// pool (wrapping round), so breakdown spells that span shifts stay together.
#[derive(Clone, Debug)]
pub struct ShiftPool {
    /// Per manto (scenario order): the pooled shifts and the factor applied to their dry
    /// and wet tonnes, advance, cuts and bolts.
    pub by_manto: Vec<(std::sync::Arc<PooledShifts>, f64)>,
}

/// Shifts simulated once, with their mean (computed once, not per panel).
#[derive(Clone, Debug)]
pub struct PooledShifts {
    /// The production shifts, in simulated order.
    pub shifts: Vec<ShiftTally>,
    /// Their mean dry t per shift.
    pub mean_dry_t: f64,
}

impl PooledShifts {
    /// Pools `shifts`.
    pub fn new(shifts: Vec<ShiftTally>) -> PooledShifts {
        let mean_dry_t = mean_dry_t(&shifts);
        PooledShifts { shifts, mean_dry_t }
    }
}

/// Mean dry t per shift (0 for no shifts).
pub fn mean_dry_t(shifts: &[ShiftTally]) -> f64 {
    if shifts.is_empty() {
        0.0
    } else {
        shifts.iter().map(|s| s.dry_t).sum::<f64>() / shifts.len() as f64
    }
}

impl ShiftSource for ShiftPool {
    fn panel(
        &self,
        _model: &MineModel,
        manto: usize,
        dry_t: f64,
        _days_left: u32,
        key: StreamKey,
    ) -> (Vec<ShiftTally>, u64) {
        use rand::Rng;
        let (pooled, f) = &self.by_manto[manto];
        let (pool, mean) = (&pooled.shifts, pooled.mean_dry_t);
        if pool.is_empty() || mean.is_nan() || mean <= 0.0 || f.is_nan() || *f <= 0.0 {
            return (Vec::new(), 0);
        }
        let mut rng = key.stream();
        let mut i = rng.random_range(0..pool.len());
        // Counts are scaled and rounded half up (non-negative, so a cast suffices).
        let count = |n: u32| (f64::from(n) * f + 0.5) as u32;
        let expected = (dry_t / (mean * f)).ceil() as usize + 1;
        let mut out = Vec::with_capacity(expected.min(1 << 20));
        let mut cum = 0.0;
        while cum < dry_t {
            let s = &pool[i];
            let scaled = ShiftTally {
                wet_t: s.wet_t * f,
                dry_t: s.dry_t * f,
                cuts: count(s.cuts),
                advance_m: s.advance_m * f,
                bolts: count(s.bolts),
                loads: count(s.loads),
                ground: if s.ground.is_zero() {
                    crate::ground::GroundShift::default()
                } else {
                    let mut g = crate::ground::GroundShift::default();
                    g.add(&s.ground, *f);
                    g
                },
            };
            cum += scaled.dry_t;
            out.push(scaled);
            i += 1;
            if i == pool.len() {
                i = 0;
            }
        }
        (out, 0)
    }
}

/// One section during a replication: its shifts still to be worked, generated a panel at
/// a time.
struct SectionRun {
    shifts: std::collections::VecDeque<SectionShift>,
    panels: u64,
    retired: bool,
    events: u64,
    /// Panels taken, with their ground (kept only with `[ground]`).
    records: Vec<PanelRecord>,
}

impl SectionRun {
    /// Makes sure the section has a shift to work (generating its next panel if needed);
    /// false once no panel is left anywhere.
    #[allow(clippy::too_many_arguments)]
    fn ensure(
        &mut self,
        model: &MineModel,
        source: &dyn ShiftSource,
        home: usize,
        pool: &mut PanelPool,
        days_left: u32,
        key: StreamKey,
        quarter: u32,
        section: u32,
    ) -> bool {
        while self.shifts.is_empty() && !self.retired {
            let Some((mine, manto, dry_t, grades)) = pool.take(home) else {
                self.retired = true;
                break;
            };
            let cal = model.calendar;
            let per_day = cal.production_shifts_per_year() / 365.0;
            if self.panels > 0 {
                let move_shifts =
                    (model.layout.mines[mine].panel_move_days * per_day).round() as usize;
                self.shifts.extend(std::iter::repeat_n(
                    SectionShift {
                        mine: mine as u16,
                        ..SectionShift::default()
                    },
                    move_shifts,
                ));
            }
            let (shifts, events) =
                source.panel(model, manto, dry_t, days_left, key.child(self.panels));
            self.panels += 1;
            self.events += events;
            self.shifts.extend(shifts.iter().map(|s| SectionShift {
                dry_t: s.dry_t,
                grades,
                manto: manto as u16,
                mine: mine as u16,
                cuts: s.cuts,
                advance_m: s.advance_m,
                bolts: s.bolts,
                working: true,
                ground: s.ground,
            }));
            if model.ground.is_some() {
                let mut g = GroundShift::default();
                for s in &shifts {
                    g.add(&s.ground, 1.0);
                }
                self.records.push(PanelRecord {
                    section,
                    mine: mine as u32,
                    manto: manto as u32,
                    start_quarter: quarter,
                    ore_dry_t: shifts.iter().map(|s| s.dry_t).sum(),
                    waste_dilution_t: g.fallen_dry_t,
                    ore_lost_t: g.ore_lost_dry_t,
                    falls: g.falls,
                    support_cost_usd: g.support_cost_usd,
                });
            }
        }
        !self.retired || !self.shifts.is_empty()
    }
}

/// Per-replication accumulator of one quarter.
#[derive(Clone, Debug, Default)]
struct Acc {
    p: Period,
    active_section_slots: f64,
    production_slots: f64,
}

/// Domain tag of the schedule's random streams: section `s`'s panel `p` in trial `k` draws
/// from `StreamKey::root(seed).child(SCHEDULE_STREAMS).child(k).child(s).child(p)`.
pub const SCHEDULE_STREAMS: u64 = 0x5C4E_D01E;

/// One replication (trial) of the life of mine: what a single simulated future gives,
/// quarter by quarter, before any averaging.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleReplication {
    /// Trial index: selects the random streams, nothing else.
    pub trial: u64,
    /// Quarterly periods of this trial.
    pub quarters: Vec<Period>,
    /// Reserves left per manto at the end, dry t (scenario order).
    pub reserves_left_dry_t: Vec<f64>,
    /// Open-pit reserve left, dry t.
    pub open_pit_left_dry_t: f64,
    /// DES events simulated.
    pub events: u64,
    /// Every panel taken, in the order taken, with its ground (empty without `[ground]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<PanelRecord>,
}

impl ScheduleReplication {
    /// Sum of `f` over the quarters of operating year `year` (1-based).
    pub fn year_sum(&self, year: usize, f: impl Fn(&Period) -> f64) -> f64 {
        self.quarters[(year - 1) * 4..year * 4].iter().map(f).sum()
    }
}

/// Runs trial `trial` of the life of mine: `cfg.years` years (its `replications` is not
/// used). Depends only on (model, years, seed, trial), never on the thread that runs it.
pub fn replication(
    model: &MineModel,
    cfg: &ScheduleConfig,
    seed: u64,
    trial: u64,
) -> ScheduleReplication {
    replication_with_progress(model, cfg, seed, trial, &|| {})
}

/// [`replication`], calling `year_done` after each simulated year (for progress bars: the
/// panels are simulated as the calendar walk reaches them, so years are even steps).
pub fn replication_with_progress(
    model: &MineModel,
    cfg: &ScheduleConfig,
    seed: u64,
    trial: u64,
    year_done: &(dyn Fn() + Sync),
) -> ScheduleReplication {
    replication_from(model, cfg, seed, trial, &Des, year_done)
}

/// [`replication_with_progress`] with the production shifts taken from `source` (the DES,
/// or a [`ShiftPool`] for the risk study's fast path); the calendar walk, stockpile and
/// plant are the same.
pub fn replication_from(
    model: &MineModel,
    cfg: &ScheduleConfig,
    seed: u64,
    trial: u64,
    source: &dyn ShiftSource,
    year_done: &(dyn Fn() + Sync),
) -> ScheduleReplication {
    let streams = StreamKey::root(seed).child(SCHEDULE_STREAMS).child(trial);
    let layout = model.layout;
    let cal = model.calendar;
    let plans = section_plans(layout);
    // A panel's tonnes with planned dilution are its ore and its skin of waste.
    let factors: Vec<f64> = crate::ground::tonnage_factors(model.ground, model.section, layout)
        .into_iter()
        .zip(&layout.mantos)
        .map(|(f, m)| match &layout.dilution {
            Some(d) if d.ratio(m.thickness_m) > 0.0 => f * (1.0 + d.ratio(m.thickness_m)),
            _ => f,
        })
        .collect();
    let grades = layout.grade.as_ref().map(|g| {
        let dry_density =
            model.section.geometry.insitu_density_wet_t_per_m3 * model.section.dry_fraction();
        crate::grade::panel_grades(g, layout, dry_density, seed, trial)
    });
    let mut pool = PanelPool::new(layout, &factors, grades);
    let mut runs: Vec<SectionRun> = plans
        .iter()
        .map(|_| SectionRun {
            shifts: std::collections::VecDeque::new(),
            panels: 0,
            retired: false,
            events: 0,
            records: Vec::new(),
        })
        .collect();
    let section_keys: Vec<StreamKey> = (0..plans.len()).map(|s| streams.child(s as u64)).collect();
    let mut reserves: Vec<f64> = layout.mantos.iter().map(|m| m.reserve_dry_t).collect();
    let ug_wet_per_dry = 1.0 / model.section.dry_fraction();

    let plant = model.plant;
    let slots_per_day = cal.shifts.len();
    // With simulated downtime the plant's capacity is nameplate x utilisation while it is
    // up; its availability comes from the simulation instead of `availability_pct`.
    let mut downtime = plant.downtime.as_ref().map(|d| {
        crate::plant::downtime::DowntimeRun::new(
            d,
            StreamKey::root(seed)
                .child(crate::plant::downtime::PLANT_STREAMS)
                .child(trial),
        )
    });
    let slot_h = 24.0 / slots_per_day as f64;
    let plant_cap_slot = if downtime.is_some() {
        plant.nameplate_dry_t_per_h * plant.utilisation_pct / 100.0 * slot_h
    } else {
        plant.capacity_dry_t_per_h() * 24.0 / slots_per_day as f64
    };
    let ramp = plant.active_ramp_up();
    let met = plant.metallurgy.as_ref();
    // Clay, dry t, in the stockpile: a mass balance like the metals'.
    let clay_of_manto: Vec<f64> = layout
        .mantos
        .iter()
        .map(|m| m.clay_pct.unwrap_or(0.0) / 100.0)
        .collect();
    let op_clay = layout
        .open_pit
        .as_ref()
        .and_then(|o| o.clay_pct)
        .unwrap_or(0.0)
        / 100.0;
    // Stockpile: dry t and metal t, perfectly mixed.
    let first_grades = layout.mantos.first().map(|m| m.grades).unwrap_or_default();
    let mut stock_dry = plant.stockpile_initial_dry_t;
    let mut stock_metal = first_grades.metal_t(stock_dry);
    let mut stock_clay = stock_dry * clay_of_manto.first().copied().unwrap_or(0.0);
    let (mut op_left, op_rate_slot, op_wet_per_dry) = match &layout.open_pit {
        Some(op) => (
            op.reserve_dry_t,
            op.max_dry_t_per_year / cal.production_shifts_per_year(),
            1.0 / (1.0 - op.moisture_pct / 100.0),
        ),
        None => (0.0, 0.0, 1.0),
    };
    let n_quarters = cfg.years as usize * 4;
    let mut acc: Vec<Acc> = (0..n_quarters).map(|_| Acc::default()).collect();
    // The stockpile's metal is written (and its inflow counted) with a grade or dilution
    // table, so its balance can be checked from the outputs.
    // (A grade table without a structure draws nothing and changes nothing, not even this.)
    let track_metal =
        layout.grade.as_ref().is_some_and(|g| g.structure() > 0.0) || layout.dilution.is_some();
    for a in &mut acc {
        a.p.by_mine_dry_t = vec![0.0; layout.mines.len()];
        a.p.by_mine_wet_t = vec![0.0; layout.mines.len()];
        if track_metal {
            a.p.metal_mined_t = Some([0.0; 4]);
        }
    }
    let dilution_ratio: Vec<f64> = layout
        .mantos
        .iter()
        .map(|m| {
            layout
                .dilution
                .as_ref()
                .map_or(0.0, |d| d.ratio(m.thickness_m))
        })
        .collect();
    let (bolters, haulers) = (
        f64::from(model.section.bolters.count),
        f64::from(model.section.haulage.count),
    );

    // (year, open-pit dry t delivered in it)
    let mut op_this_year = (0u32, 0.0f64);
    for day in 0..(cfg.years as usize * 365) {
        let year = (day / 365) as u32 + 1;
        if op_this_year.0 != year {
            if day > 0 {
                year_done();
            }
            op_this_year = (year, 0.0);
        }
        let q = (year as usize - 1) * 4 + (day % 365) * 4 / 365;
        let working_day = (day % 7) < cal.days_per_week as usize;
        let target_slot = plant.target_dry_t(year) / (365.0 * slots_per_day as f64);
        // What the plant can treat while it ramps up (at mid-day of the day's month
        // position): design x throughput, capacity x availability, and the share of design
        // recovery reached.
        let (feed_cap_slot, rec_factor) = match ramp {
            Some(r) => {
                let (thr, avail, rec) =
                    r.factors_pct((day as f64 + 0.5) / crate::plant::rampup::DAYS_PER_MONTH);
                let design_slot = plant.design_dry_t(year) / (365.0 * slots_per_day as f64);
                (
                    (design_slot * thr / 100.0).min(plant_cap_slot * avail / 100.0),
                    rec / 100.0,
                )
            }
            None => (plant_cap_slot, 1.0),
        };
        for slot in 0..slots_per_day {
            let a = &mut acc[q];
            if working_day && cal.shifts[slot] == ShiftKind::Production {
                a.production_slots += 1.0;
                let pad_full = stock_dry >= plant.stockpile_capacity_dry_t;
                for (s, plan) in plans.iter().enumerate() {
                    if plan.start_year > year {
                        continue;
                    }
                    if runs[s].shifts.is_empty() {
                        let days_left = (cfg.years as usize * 365 - day) as u32;
                        let key = section_keys[s];
                        if !runs[s].ensure(
                            model, source, plan.mine, &mut pool, days_left, key, q as u32, s as u32,
                        ) {
                            continue;
                        }
                    }
                    a.active_section_slots += 1.0;
                    if pad_full {
                        a.p.section_shifts_pad_full += 1.0;
                        continue;
                    }
                    let sh = runs[s].shifts.pop_front().expect("ensured");
                    if sh.working {
                        a.p.section_shifts += 1.0;
                    }
                    let manto = sh.manto as usize;
                    // With planned dilution the section's tonnes are ore and its skin of
                    // waste, in the ratio d: ore = tonnes ÷ (1 + d).
                    let d = dilution_ratio[manto];
                    let take = if d > 0.0 {
                        (sh.dry_t / (1.0 + d)).min(reserves[manto])
                    } else {
                        sh.dry_t.min(reserves[manto])
                    };
                    reserves[manto] -= take;
                    if d > 0.0 {
                        let dil = model.layout.dilution.as_ref().expect("a ratio");
                        let waste = take * d;
                        a.p.planned_dilution_t += waste;
                        a.p.mined_dry_t += waste;
                        a.p.mined_wet_t += waste * ug_wet_per_dry;
                        a.p.underground_dry_t += waste;
                        a.p.underground_wet_t += waste * ug_wet_per_dry;
                        a.p.by_mine_dry_t[sh.mine as usize] += waste;
                        a.p.by_mine_wet_t[sh.mine as usize] += waste * ug_wet_per_dry;
                        stock_dry += waste;
                        stock_clay += waste * dil.clay_pct.unwrap_or(0.0) / 100.0;
                        let metal = dil.grades.metal_t(waste);
                        for (m, t) in stock_metal.iter_mut().zip(metal) {
                            *m += t;
                        }
                        if let Some(mm) = a.p.metal_mined_t.as_mut() {
                            for (m, t) in mm.iter_mut().zip(metal) {
                                *m += t;
                            }
                        }
                    }
                    if !sh.ground.is_zero() {
                        // Fallen roof joins the run of mine at zero grade; ore left in an
                        // abandoned heading leaves the reserve unmined.
                        let waste = sh.ground.fallen_dry_t;
                        let lost = sh.ground.ore_lost_dry_t.min(reserves[manto]);
                        reserves[manto] -= lost;
                        a.p.waste_dilution_t += waste;
                        a.p.ore_lost_t += lost;
                        a.p.ground.add(&sh.ground, 1.0);
                        a.p.mined_dry_t += waste;
                        a.p.mined_wet_t += waste * ug_wet_per_dry;
                        a.p.underground_dry_t += waste;
                        a.p.underground_wet_t += waste * ug_wet_per_dry;
                        a.p.by_mine_dry_t[sh.mine as usize] += waste;
                        a.p.by_mine_wet_t[sh.mine as usize] += waste * ug_wet_per_dry;
                        stock_dry += waste;
                    }
                    a.p.mined_dry_t += take;
                    a.p.mined_wet_t += take * ug_wet_per_dry;
                    a.p.underground_dry_t += take;
                    a.p.underground_wet_t += take * ug_wet_per_dry;
                    a.p.by_mine_dry_t[sh.mine as usize] += take;
                    a.p.by_mine_wet_t[sh.mine as usize] += take * ug_wet_per_dry;
                    a.p.advance_m += sh.advance_m;
                    a.p.bolts += f64::from(sh.bolts);
                    a.p.cuts += f64::from(sh.cuts);
                    stock_dry += take;
                    stock_clay += take * clay_of_manto[manto];
                    let metal = sh.grades.metal_t(take);
                    for (m, t) in stock_metal.iter_mut().zip(metal) {
                        *m += t;
                    }
                    if let Some(mm) = a.p.metal_mined_t.as_mut() {
                        for (m, t) in mm.iter_mut().zip(metal) {
                            *m += t;
                        }
                    }
                }
                if let Some(op) = &layout.open_pit {
                    if year >= op.start_year && !pad_full && op_left > 0.0 {
                        // The annual cap holds even when a 365-day year has one more
                        // working day than 52 weeks.
                        let cap_left = (op.max_dry_t_per_year - op_this_year.1).max(0.0);
                        let take = op_rate_slot.min(op_left).min(cap_left);
                        op_left -= take;
                        op_this_year.1 += take;
                        a.p.mined_dry_t += take;
                        a.p.mined_wet_t += take * op_wet_per_dry;
                        a.p.open_pit_dry_t += take;
                        a.p.open_pit_wet_t += take * op_wet_per_dry;
                        stock_dry += take;
                        stock_clay += take * op_clay;
                        let metal = op.grades.metal_t(take);
                        for (m, t) in stock_metal.iter_mut().zip(metal) {
                            *m += t;
                        }
                        if let Some(mm) = a.p.metal_mined_t.as_mut() {
                            for (m, t) in mm.iter_mut().zip(metal) {
                                *m += t;
                            }
                        }
                    }
                }
            }
            // The plant draws from the perfectly mixed stockpile.
            a.p.plant_target_dry_t += target_slot;
            // The metallurgy of what the perfectly mixed stockpile holds now.
            let now = met.map(|m| {
                let clay_pct = if stock_dry > 0.0 {
                    100.0 * stock_clay / stock_dry
                } else {
                    0.0
                };
                m.at(clay_pct)
            });
            let mut cap_slot = match &now {
                Some(x) => feed_cap_slot * x.throughput_pct / 100.0,
                None => feed_cap_slot,
            };
            if let Some(d) = downtime.as_mut() {
                let t0 = day as f64 * 24.0 + slot as f64 * slot_h;
                let up = d.up_h((day % 365) as u32, t0, t0 + slot_h);
                a.p.plant_up_h += up;
                cap_slot *= up / slot_h;
            }
            let feed = target_slot.min(cap_slot).min(stock_dry);
            if feed > 0.0 {
                let f = feed / stock_dry;
                if let Some(x) = &now {
                    let rec = a.p.metal_recovered_t.get_or_insert([0.0; 4]);
                    for (k, m) in stock_metal.iter().enumerate() {
                        rec[k] += *m * f * rec_factor * x.recovery_pct[k] / 100.0;
                    }
                    let clay = stock_clay * f;
                    a.p.clay_fed_t += clay;
                    stock_clay -= clay;
                    a.p.acid_t += feed * x.acid_kg_per_dry_t / 1000.0;
                }
                if ramp.is_some() {
                    let basis = a.p.recovery_basis_t.get_or_insert([0.0; 4]);
                    for (b, m) in basis.iter_mut().zip(&stock_metal) {
                        *b += *m * f * rec_factor;
                    }
                }
                for (fed, m) in a.p.metal_fed_t.iter_mut().zip(stock_metal.iter_mut()) {
                    let t = *m * f;
                    *fed += t;
                    *m -= t;
                }
                stock_dry -= feed;
                a.p.plant_feed_dry_t += feed;
            }
            a.p.stockpile_closing_dry_t = stock_dry;
            if track_metal {
                a.p.stockpile_closing_metal_t = Some(stock_metal);
            }
        }
    }
    year_done();
    let events = runs.iter().map(|r| r.events).sum();
    let quarters = acc
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let mut p = a.p;
            p.year = i as u32 / 4 + 1;
            p.quarter = i as u32 % 4 + 1;
            p.label = format!("Y{:02}Q{}", p.year, p.quarter);
            p.sections = if a.production_slots > 0.0 {
                a.active_section_slots / a.production_slots
            } else {
                0.0
            };
            finish_period(&mut p, model, bolters, haulers);
            p
        })
        .collect();
    ScheduleReplication {
        trial,
        quarters,
        reserves_left_dry_t: reserves,
        open_pit_left_dry_t: op_left,
        events,
        panels: runs.into_iter().flat_map(|r| r.records).collect(),
    }
}

/// Derived quantities of a period from its flows.
fn finish_period(p: &mut Period, model: &MineModel, bolters: f64, haulers: f64) {
    let [cu, co, zn, mn] = if model.plant.metallurgy.is_some() {
        model
            .plant
            .recovered_products_t(p.metal_recovered_t.unwrap_or_default())
    } else {
        model.plant.products_t(p.recovery_basis())
    };
    p.cu_cathode_t = cu;
    p.co_cathode_t = co;
    p.znso4_t = zn;
    p.mnco3_t = mn;
    let g = |t: f64| {
        if p.plant_feed_dry_t > 0.0 {
            100.0 * t / p.plant_feed_dry_t
        } else {
            0.0
        }
    };
    p.head_grade = Grades {
        cu_pct: g(p.metal_fed_t[0]),
        co_pct: g(p.metal_fed_t[1]),
        zn_pct: g(p.metal_fed_t[2]),
        mn_pct: g(p.metal_fed_t[3]),
    };
    p.continuous_miners = p.sections;
    p.roof_bolters = p.sections * bolters;
    p.haulers = p.sections * haulers;
    p.headcount_by_role = model
        .crew
        .headcount(p.sections, bolters, haulers)
        .iter()
        .map(|r| r.1)
        .collect();
    p.headcount = p.headcount_by_role.iter().sum();
}

/// Adds `w` times `b`'s flows into `a` (levels and labels are not touched).
fn add_flows(a: &mut Period, b: &Period, w: f64) {
    a.mined_wet_t += w * b.mined_wet_t;
    a.mined_dry_t += w * b.mined_dry_t;
    a.underground_dry_t += w * b.underground_dry_t;
    a.open_pit_dry_t += w * b.open_pit_dry_t;
    a.underground_wet_t += w * b.underground_wet_t;
    a.open_pit_wet_t += w * b.open_pit_wet_t;
    for (mine_a, mine_b) in [
        (&mut a.by_mine_dry_t, &b.by_mine_dry_t),
        (&mut a.by_mine_wet_t, &b.by_mine_wet_t),
    ] {
        if mine_a.len() < mine_b.len() {
            mine_a.resize(mine_b.len(), 0.0);
        }
        for (x, y) in mine_a.iter_mut().zip(mine_b) {
            *x += w * y;
        }
    }
    a.plant_feed_dry_t += w * b.plant_feed_dry_t;
    a.plant_target_dry_t += w * b.plant_target_dry_t;
    // The basis and the recovered metal exist only with their tables; a side without
    // them stands for its metal fed (basis) or nothing recovered.
    if a.recovery_basis_t.is_some() || b.recovery_basis_t.is_some() {
        let mut x = a.recovery_basis();
        for (x, y) in x.iter_mut().zip(b.recovery_basis()) {
            *x += w * y;
        }
        a.recovery_basis_t = Some(x);
    }
    if a.metal_recovered_t.is_some() || b.metal_recovered_t.is_some() {
        let mut x = a.metal_recovered_t.unwrap_or_default();
        for (x, y) in x.iter_mut().zip(b.metal_recovered_t.unwrap_or_default()) {
            *x += w * y;
        }
        a.metal_recovered_t = Some(x);
    }
    for (x, y) in a.metal_fed_t.iter_mut().zip(b.metal_fed_t) {
        *x += w * y;
    }
    a.clay_fed_t += w * b.clay_fed_t;
    a.acid_t += w * b.acid_t;
    a.plant_up_h += w * b.plant_up_h;
    a.section_shifts += w * b.section_shifts;
    a.section_shifts_pad_full += w * b.section_shifts_pad_full;
    a.advance_m += w * b.advance_m;
    a.bolts += w * b.bolts;
    a.cuts += w * b.cuts;
    a.waste_dilution_t += w * b.waste_dilution_t;
    a.ore_lost_t += w * b.ore_lost_t;
    a.planned_dilution_t += w * b.planned_dilution_t;
    if let Some(y) = b.metal_mined_t {
        let x = a.metal_mined_t.get_or_insert([0.0; 4]);
        for (x, y) in x.iter_mut().zip(y) {
            *x += w * y;
        }
    }
    a.ground.add(&b.ground, w);
}

/// Runs `cfg.replications` replications of the life of mine and averages them.
pub fn run(
    model: &MineModel,
    cfg: &ScheduleConfig,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Schedule {
    let reps: Vec<ScheduleReplication> = (0..cfg.replications)
        .into_par_iter()
        .map(|r| {
            let out = replication(model, cfg, seed, u64::from(r));
            progress();
            out
        })
        .collect();
    aggregate(model, seed, &reps)
}

/// The schedule of several finished trials: means by quarter and year, and the spread of
/// annual feed and copper across them. `reps` must be non-empty, of equal length, and in
/// trial order (the result depends on the order only through float summation).
pub fn aggregate(model: &MineModel, seed: u64, reps: &[ScheduleReplication]) -> Schedule {
    let n_quarters = reps[0].quarters.len();
    let cfg = ScheduleConfig {
        years: (n_quarters / 4) as u32,
        replications: reps.len() as u32,
    };
    let n = reps.len() as f64;
    let (bolters, haulers) = (
        f64::from(model.section.bolters.count),
        f64::from(model.section.haulage.count),
    );
    // Means of the quarters across replications.
    let quarters: Vec<Period> = (0..cfg.years as usize * 4)
        .map(|i| {
            let mut p = Period {
                label: reps[0].quarters[i].label.clone(),
                year: reps[0].quarters[i].year,
                quarter: reps[0].quarters[i].quarter,
                ..Period::default()
            };
            for r in reps {
                let q = &r.quarters[i];
                add_flows(&mut p, q, 1.0 / n);
                p.stockpile_closing_dry_t += q.stockpile_closing_dry_t / n;
                if let Some(y) = q.stockpile_closing_metal_t {
                    let x = p.stockpile_closing_metal_t.get_or_insert([0.0; 4]);
                    for (x, y) in x.iter_mut().zip(y) {
                        *x += y / n;
                    }
                }
                p.sections += q.sections / n;
            }
            finish_period(&mut p, model, bolters, haulers);
            p
        })
        .collect();
    let years: Vec<Period> = (0..cfg.years as usize)
        .map(|y| {
            let mut p = Period {
                label: format!("Y{:02}", y + 1),
                year: y as u32 + 1,
                quarter: 0,
                ..Period::default()
            };
            for q in &quarters[y * 4..y * 4 + 4] {
                add_flows(&mut p, q, 1.0);
                p.sections += q.sections / 4.0;
            }
            p.stockpile_closing_dry_t = quarters[y * 4 + 3].stockpile_closing_dry_t;
            p.stockpile_closing_metal_t = quarters[y * 4 + 3].stockpile_closing_metal_t;
            finish_period(&mut p, model, bolters, haulers);
            p
        })
        .collect();
    let per_year = |f: &dyn Fn(&Period) -> f64| -> Vec<Summary> {
        (0..cfg.years as usize)
            .map(|y| {
                let v: Vec<f64> = reps.iter().map(|r| r.year_sum(y + 1, f)).collect();
                Summary::of(&v)
            })
            .collect()
    };
    let plant = model.plant;
    let annual_cu = per_year(&|p: &Period| {
        if plant.metallurgy.is_some() {
            p.metal_recovered_t.unwrap_or_default()[0]
        } else {
            p.recovery_basis()[0] * plant.recovery.cu_pct / 100.0
        }
    });
    let max_sections = model.layout.sections() as f64;
    Schedule {
        replications: cfg.replications,
        seed,
        mines: model.layout.mines.iter().map(|m| m.name.clone()).collect(),
        bolters_per_section: model.section.bolters.count,
        haulers_per_section: model.section.haulage.count,
        headcount_by_role: model.crew.headcount(max_sections, bolters, haulers),
        roles: model
            .crew
            .headcount(0.0, 0.0, 0.0)
            .into_iter()
            .map(|r| r.0)
            .collect(),
        annual_feed_dry_t: per_year(&|p: &Period| p.plant_feed_dry_t),
        annual_cu_cathode_t: annual_cu,
        reserves_left_dry_t: model
            .layout
            .mantos
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let left: f64 = reps.iter().map(|r| r.reserves_left_dry_t[k]).sum();
                (m.name.clone(), left / n)
            })
            .collect(),
        open_pit_left_dry_t: reps.iter().map(|r| r.open_pit_left_dry_t).sum::<f64>() / n,
        events_per_replication: reps.iter().map(|r| r.events as f64).sum::<f64>() / n,
        quarters,
        years,
    }
}
