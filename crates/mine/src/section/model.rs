//! The event-driven model of one section: machines as resources with states, the cut cycle
//! as processes, breakdowns and shift pauses as pre-emptions.
//!
//! Processes: the miner trams to a bolted place, then cuts, loading each car spotted under
//! its conveyor; a full car (or the last of a cut) hauls to the feeder, queues, dumps, and
//! returns empty to wherever the miner now is (battery haulers change batteries on the way).
//! A cut place waits for a bolter; once bolted it can be cut again, never deeper than one
//! cut at a time. Crosscuts open between neighbouring entries once both have passed the
//! crosscut line, and entries may not run more than one crosscut beyond an unholed one.
//!
//! Pre-emption: every machine has at most one activity of its own under way. A breakdown,
//! the end of a working window (meal, end of shift) or, for the feeder, a stopped belt
//! cancels the activity's completion event and keeps the remaining duration; the activity
//! resumes with it. Failure clocks count operating time only: they run while the machine
//! performs an activity of its own (the belt's whenever the section works), and stop when it
//! waits. Repairs take elapsed time and go on between shifts.

use super::config::{BoltingKind, SectionConfig};
use super::network::{Network, Route};
use super::plan::{CutOrder, Phase, PlaceRef};
use crate::calendar::{CalendarEvent, WEEK};
use crate::ground::{poisson, ClassTally, GroundRun, GroundShift, Prepared};
use des::random::{Stream, StreamKey};
use des::{EventId, EventQueue, SimTime};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Tonnes below this are treated as zero when deciding a cut or a car is finished.
const EPS_T: f64 = 1e-9;

/// What a machine is doing, for the time-in-state breakdown.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Cutting/loading, bolting, spotting, dumping.
    Working,
    /// Moving between places, or hauling.
    Tramming,
    /// Miner waiting for a bolted place, or bolter for a cut one.
    WaitingForPlace,
    /// Miner waiting for a car to load.
    WaitingForCar,
    /// Car queued at the miner, or under it while the miner is stopped.
    WaitingForMiner,
    /// Car queued at the feeder, or on it while the feeder is stopped.
    WaitingAtFeeder,
    /// Feeder stopped by the belt.
    Blocked,
    /// Battery change, feeder move.
    Servicing,
    /// Broken down, waiting for or under repair.
    BrokenDown,
    /// Scheduled but not working: travel, meal break, nothing to do.
    Idle,
}

/// Number of [`State`]s.
pub const N_STATES: usize = 10;

impl State {
    /// All states in report order.
    pub const ALL: [State; N_STATES] = [
        State::Working,
        State::Tramming,
        State::WaitingForPlace,
        State::WaitingForCar,
        State::WaitingForMiner,
        State::WaitingAtFeeder,
        State::Blocked,
        State::Servicing,
        State::BrokenDown,
        State::Idle,
    ];

    /// The snake_case name used in JSON and CSV.
    pub fn name(self) -> &'static str {
        match self {
            State::Working => "working",
            State::Tramming => "tramming",
            State::WaitingForPlace => "waiting_for_place",
            State::WaitingForCar => "waiting_for_car",
            State::WaitingForMiner => "waiting_for_miner",
            State::WaitingAtFeeder => "waiting_at_feeder",
            State::Blocked => "blocked",
            State::Servicing => "servicing",
            State::BrokenDown => "broken_down",
            State::Idle => "idle",
        }
    }
}

/// The kind of machine, for reports and bottleneck grouping.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MachineKind {
    /// Continuous miner.
    ContinuousMiner,
    /// Roof bolter.
    RoofBolter,
    /// Shuttle car or battery hauler.
    Hauler,
    /// Feeder-breaker.
    Feeder,
    /// Section belt.
    Belt,
}

impl MachineKind {
    /// The snake_case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            MachineKind::ContinuousMiner => "continuous_miner",
            MachineKind::RoofBolter => "roof_bolter",
            MachineKind::Hauler => "hauler",
            MachineKind::Feeder => "feeder_breaker",
            MachineKind::Belt => "belt",
        }
    }
    /// A plural label for the group, as a planner says it.
    pub fn group_label(self) -> &'static str {
        match self {
            MachineKind::ContinuousMiner => "continuous miner",
            MachineKind::RoofBolter => "roof bolting",
            MachineKind::Hauler => "haulage",
            MachineKind::Feeder => "feeder-breaker",
            MachineKind::Belt => "section belt",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq)]
enum Act {
    Tram { to: usize },
    Load { car: usize, wet_t: f64 },
    Bolt { place: usize, bolts: u32 },
    Spot,
    HaulLoaded,
    HaulEmpty,
    Battery,
    Dump { car: usize },
    FeederMove,
}

impl Act {
    fn state(self) -> State {
        match self {
            Act::Tram { .. } | Act::HaulLoaded | Act::HaulEmpty => State::Tramming,
            Act::Battery | Act::FeederMove => State::Servicing,
            _ => State::Working,
        }
    }
    /// Does this activity run the machine's failure clock?
    fn operating(self) -> bool {
        !matches!(self, Act::Battery | Act::FeederMove)
    }
}

/// An event of the section. Machines are indexed by `u32`: a `u16` index wrapped past
/// 65,535 machines and sent a completion to the wrong machine ("done without activity").
#[derive(Copy, Clone, Debug)]
enum Ev {
    Done(u32),
    Fail(u32),
    Repaired(u32),
    Calendar(CalendarEvent),
    /// A place held for roof-fall clean-up is free again (ground only).
    PlaceFree(u32),
}

struct Mode {
    ttf_left: SimTime,
}

struct Machine {
    kind: MachineKind,
    state: State,
    since: SimTime,
    state_ms: [u64; N_STATES],
    act: Option<Act>,
    act_event: Option<EventId>,
    act_end: SimTime,
    paused_left: Option<SimTime>,
    broken: bool,
    modes: Vec<Mode>,
    failing_mode: usize,
    clock_since: Option<SimTime>,
    fail_event: Option<EventId>,
    resume_state: State,
    rng: Stream,
    frng: Stream,
    /// Place the machine is at (miner, bolters), or usize::MAX.
    place: usize,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum PlaceStatus {
    /// Bolted: may be cut.
    Ready,
    /// Reserved by or under the miner.
    Cutting,
    /// Cut, waiting for a bolter.
    Unbolted,
    /// Reserved by or under a bolter.
    Bolting,
    /// A holed crosscut: nothing left to do.
    Done,
}

#[derive(Clone, Debug)]
struct Place {
    /// Entry index, or the left entry of a crosscut.
    entry: usize,
    crosscut: bool,
    /// Face position across the panel.
    x_m: f64,
    /// Face position along the panel.
    y_m: f64,
    /// Length still to cut (crosscuts), infinite for entries.
    left_m: f64,
    /// Depth of the last cut, which is what the bolter must support.
    last_cut_m: f64,
    status: PlaceStatus,
    /// Ground class of the last cut (0 without `[ground]`).
    class: u8,
    /// When the last cut was finished (its roof exposed).
    exposed: SimTime,
    /// Did the last cut cross a crosscut line (an intersection)?
    intersection: bool,
    /// Held for roof-fall clean-up until then (ground only).
    held_until: SimTime,
    /// The last cut's falls have been drawn (once per cut).
    falls_drawn: bool,
}

/// Production counted in one production shift.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShiftTally {
    /// Wet tonnes dumped on the feeder (delivered to the belt).
    pub wet_t: f64,
    /// Dry tonnes dumped on the feeder.
    pub dry_t: f64,
    /// Cuts completed.
    pub cuts: u32,
    /// Metres of entry and crosscut advanced.
    pub advance_m: f64,
    /// Roof bolts installed.
    pub bolts: u32,
    /// Car loads dumped.
    pub loads: u32,
    /// Ground: falls, time lost, waste, ore lost, consumables (zero without `[ground]`).
    #[serde(default, skip_serializing_if = "GroundShift::is_zero")]
    pub ground: GroundShift,
}

/// Time in each state of one machine over the counted scheduled time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MachineTally {
    /// Display name ("CM", "Bolter 1", "Car 2", ...).
    pub name: String,
    /// Kind.
    pub kind: MachineKind,
    /// Milliseconds in each state, indexed like [`State::ALL`].
    pub state_ms: [u64; N_STATES],
}

/// Mass accounting of a replication, from time zero (warm-up included).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MassBalance {
    /// Wet tonnes cut by the miner and loaded into cars.
    pub cut_wet_t: f64,
    /// Wet tonnes dumped on the feeder.
    pub dumped_wet_t: f64,
    /// Wet tonnes in cars (travelling, queued or on the feeder) at the end.
    pub in_cars_wet_t: f64,
}

/// Everything one replication produces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replication {
    /// One tally per production shift started after the warm-up.
    pub shifts: Vec<ShiftTally>,
    /// Per machine, time in state over the counted scheduled time.
    pub machines: Vec<MachineTally>,
    /// Mass accounting.
    pub mass: MassBalance,
    /// Events processed (for the benchmark).
    pub events: u64,
    /// Largest number of machines found in one place at any event (1 when the rule holds).
    pub max_machines_per_place: u32,
    /// Ground totals by class over the counted shifts (`None` without `[ground]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground: Option<Vec<ClassTally>>,
    /// With a mining plan: per phase, its name, when it ended (hours from time zero, `None`
    /// if it did not) and every machine's counted time in state during it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseTally>,
    /// With a plan whose last phase has an end: hours from time zero until the block was
    /// mined (its last load dumped); `None` if the run ended first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_mined_h: Option<f64>,
    /// Per haul unit, its cycle broken into legs (counted time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub haul_cycles: Vec<HaulCycle>,
    /// With `[section.costs]`: the cost of the counted scheduled time, US$.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Report the details (haul cycles, phases, block, cost): the scenario uses a plan, a
    /// network, costs or a bolting system other than separate bolters.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub detail: bool,
    /// Feeder and belt moves done on the maintenance shift (from time zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub moves_off_shift: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// One phase of a plan in one replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseTally {
    /// The phase's name.
    pub name: String,
    /// Hours from time zero when the phase ended, if it did.
    pub ended_h: Option<f64>,
    /// Per machine (as in [`Replication::machines`]), milliseconds in each state during the
    /// phase, counted scheduled time only.
    pub state_ms: Vec<[u64; N_STATES]>,
}

impl Replication {
    /// Mean of `f` over the replication's counted shifts (0 when none was counted).
    pub fn mean_per_shift(&self, f: impl Fn(&ShiftTally) -> f64) -> f64 {
        self.shifts.iter().map(f).sum::<f64>() / self.shifts.len().max(1) as f64
    }
}

/// Options of one run.
#[derive(Copy, Clone, Debug)]
pub struct RunSpec {
    /// Days counted after the warm-up.
    pub days: u32,
    /// Days simulated and discarded before counting.
    pub warmup_days: u32,
    /// The node of the stream tree this run draws from: machine `m` uses its children
    /// `2m + 1` (failures) and `2m + 2` (activities).
    pub streams: StreamKey,
    /// Check invariants after every event (slower; for tests).
    pub check_invariants: bool,
    /// Stop once this many wet tonnes have been cut and dumped (a panel's tonnage); the
    /// last shift is kept even though it is cut short. `None` runs for `days`.
    pub stop_after_wet_t: Option<f64>,
    /// Seam height to mine instead of the geometry's (a panel in another manto).
    pub seam_height_m: Option<f64>,
}

struct Sim<'a> {
    cfg: &'a SectionConfig,
    q: EventQueue<Ev>,
    m: Vec<Machine>,
    places: Vec<Place>,
    /// Places with work left (entries, and crosscuts not yet holed and bolted), so the
    /// place searches do not grow with the panel.
    active: Vec<usize>,
    /// Per neighbouring-entry pair: the next crosscut line to hole, and its open place.
    next_line: Vec<u32>,
    open_xc: Vec<Option<usize>>,
    open: bool,
    in_shift: bool,
    counting: bool,
    warmup_end: SimTime,
    cut_left_t: f64,
    cut_depth_now_m: f64,
    car_queue: VecDeque<usize>,
    loading_car: Option<usize>,
    spotted: bool,
    feeder_queue: VecDeque<usize>,
    car_load_t: Vec<f64>,
    car_battery_ms: Vec<u64>,
    feeder_y_m: f64,
    move_pending: bool,
    first_car: usize,
    feeder: usize,
    belt: usize,
    shifts: Vec<ShiftTally>,
    mass: MassBalance,
    dry_fraction: f64,
    seam_height_m: f64,
    /// Wet tonnes committed to cuts so far, and the limit (a panel's tonnage).
    planned_wet_t: f64,
    limit_wet_t: f64,
    exhausted: bool,
    in_shift_cut_short: bool,
    events: u64,
    check: bool,
    max_per_place: u32,
    /// Opt-in trace of counted state spells (`None`: not traced, and nothing recorded).
    trace: Option<Vec<TraceSegment>>,
    /// The ground model (`None`: no `[ground]`, the section as without one).
    ground: Option<GroundRun<'a>>,
    /// Ground class of the cut under way and its cutting-rate and haul-speed factors.
    cut_class: usize,
    cut_factor: f64,
    /// The mining plan's phases (one phase of every entry without a plan), the phase under
    /// way (`phases.len()` once the block is mined) and the cycle index of the last place
    /// cut.
    phases: Vec<Phase>,
    phase: usize,
    cycle_pos: usize,
    /// With a plan: when each phase ended, and time in state per phase and machine.
    phase_end: Vec<SimTime>,
    phase_ms: Vec<Vec<[u64; N_STATES]>>,
    block_done: Option<SimTime>,
    /// Opt-in log of the cuts (`None`: not logged).
    cut_log: Option<Vec<CutRecord>>,
    /// The haul-road network (`None`: the haul follows the face or is fixed).
    net: Option<Network>,
    /// Per segment: the unit on it (single-lane segments only) and the units waiting.
    seg_holder: Vec<Option<usize>>,
    seg_queue: Vec<VecDeque<usize>>,
    /// Per unit: the trip leg under way on the network.
    trips: Vec<Trip>,
    /// Per unit: counted time in each leg of the haul cycle, and trips dumped.
    car_legs: Vec<[u64; N_LEGS]>,
    car_trips: Vec<u32>,
    /// The miner's time at the face (working or waiting for a car) in the cut under way,
    /// for a bolter-miner's bolting that runs alongside the cutting.
    cut_busy_ms: u64,
    /// The calendar's week (for moves on the maintenance shift), a drawn move duration
    /// waiting for a gap long enough, and the moves done off shift.
    week: Vec<(SimTime, CalendarEvent)>,
    pending_move_h: Option<f64>,
    maintenance_moves: u32,
}

/// Which route of the network a leg follows.
#[derive(Copy, Clone, Debug, PartialEq)]
enum RouteRef {
    Loaded(usize),
    Empty(usize),
    ToStation,
    FromStation(usize),
}

#[derive(Copy, Clone, Debug, PartialEq)]
enum Dest {
    Feeder,
    Face,
    Station,
}

/// A unit's leg on the network: the route, the step reached, this trip's speed, where it
/// goes, and whether it is waiting for a single-lane road.
#[derive(Copy, Clone, Debug)]
struct Trip {
    route: RouteRef,
    pos: usize,
    loaded: bool,
    speed_m_per_min: f64,
    dest: Dest,
    road_wait: bool,
}

/// Legs of a haul cycle, in report order.
pub const LEGS: [&str; N_LEGS] = [
    "load",
    "haul",
    "dump",
    "travel",
    "wait_at_miner",
    "wait_at_feeder",
    "wait_for_road",
    "battery",
    "broken_down",
    "idle",
];

/// Number of [`LEGS`].
pub const N_LEGS: usize = 10;

/// One haul unit's cycle in one replication: counted time in each leg and trips dumped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HaulCycle {
    /// Display name of the unit.
    pub name: String,
    /// Loads dumped in counted time.
    pub trips: u32,
    /// Milliseconds in each leg ([`LEGS`] order): spotting and loading under the miner,
    /// hauling loaded, dumping, travelling empty, queued at the miner, queued at the
    /// feeder, waiting for a single-lane road, battery change, broken down, idle.
    pub leg_ms: [u64; N_LEGS],
}

/// One cut, as logged by [`simulate_logged`].
#[derive(Clone, Debug, PartialEq)]
pub struct CutRecord {
    /// The place cut.
    pub place: PlaceRef,
    /// The plan phase it was cut in (0 without a plan).
    pub phase: usize,
    /// Depth of the cut, m.
    pub depth_m: f64,
    /// Wet tonnes of the cut.
    pub wet_t: f64,
    /// When it was finished.
    pub at: SimTime,
}

/// Runs one replication of a section for `spec.warmup_days + spec.days` days.
pub fn simulate(
    cfg: &SectionConfig,
    calendar: &crate::calendar::CalendarConfig,
    spec: RunSpec,
) -> Replication {
    run_sim(Sim::new(cfg, spec, None), calendar, spec).0
}

/// [`simulate`] in a manto's ground (`None`: exactly [`simulate`]). The class of each cut
/// sets its depth, cutting rate, support pattern (bolting time), haul speed and bogging;
/// roof falls hold the bolter and the place for clean-up and re-support, add fallen waste
/// and may abandon a heading (ore lost). Ground draws come from their own streams
/// ([`crate::ground::GROUND_STREAMS`]), so the machines' draws are unchanged.
pub fn simulate_in(
    cfg: &SectionConfig,
    calendar: &crate::calendar::CalendarConfig,
    spec: RunSpec,
    ground: Option<&Prepared<'_>>,
) -> Replication {
    run_sim(Sim::new(cfg, spec, ground), calendar, spec).0
}

/// [`simulate`] with a trace of every machine's state over the counted scheduled time:
/// one [`TraceSegment`] per spell in a state (zero-length spells left out), in the order the
/// spells end. Per machine and state the segments add up to the replication's
/// [`MachineTally::state_ms`] exactly. The same random streams are drawn as by
/// [`simulate`], so the replication is identical; [`simulate`] itself records nothing.
pub fn simulate_traced(
    cfg: &SectionConfig,
    calendar: &crate::calendar::CalendarConfig,
    spec: RunSpec,
) -> (Replication, Vec<TraceSegment>) {
    let mut sim = Sim::new(cfg, spec, None);
    sim.trace = Some(Vec::new());
    run_sim(sim, calendar, spec)
}

/// [`simulate`] with a log of every cut in the order cut (place, phase, depth, tonnes,
/// time), for checking a mining plan; the replication is identical to [`simulate`]'s.
pub fn simulate_logged(
    cfg: &SectionConfig,
    calendar: &crate::calendar::CalendarConfig,
    spec: RunSpec,
) -> (Replication, Vec<CutRecord>) {
    let mut sim = Sim::new(cfg, spec, None);
    sim.cut_log = Some(Vec::new());
    let mut log = Vec::new();
    let (r, _) = run_sim_with(sim, calendar, spec, &mut log);
    (r, log)
}

/// One spell of one machine in one state, in counted scheduled time.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSegment {
    /// Machine index, as in [`Replication::machines`].
    pub machine: usize,
    /// The state held.
    pub state: State,
    /// Start of the spell (simulation clock from time zero).
    pub start: SimTime,
    /// End of the spell.
    pub end: SimTime,
    /// Counted production shift the spell belongs to: index into [`Replication::shifts`].
    pub shift: usize,
}

fn push_segment(
    trace: &mut Vec<TraceSegment>,
    machine: usize,
    state: State,
    start: SimTime,
    end: SimTime,
    shifts_counted: usize,
) {
    if end > start {
        trace.push(TraceSegment {
            machine,
            state,
            start,
            end,
            shift: shifts_counted.saturating_sub(1),
        });
    }
}

fn run_sim(
    sim: Sim<'_>,
    calendar: &crate::calendar::CalendarConfig,
    spec: RunSpec,
) -> (Replication, Vec<TraceSegment>) {
    run_sim_with(sim, calendar, spec, &mut Vec::new())
}

fn run_sim_with(
    mut sim: Sim<'_>,
    calendar: &crate::calendar::CalendarConfig,
    spec: RunSpec,
    log: &mut Vec<CutRecord>,
) -> (Replication, Vec<TraceSegment>) {
    let week = calendar.week();
    sim.week = week.clone();
    let end = SimTime::from_days(u64::from(spec.warmup_days) + u64::from(spec.days));
    // Calendar events are generated one week ahead, lazily.
    let mut week_start = SimTime::ZERO;
    let mut next_cal = 0usize;
    let schedule_next_cal =
        |q: &mut EventQueue<Ev>, week_start: &mut SimTime, next_cal: &mut usize| {
            if week.is_empty() {
                return;
            }
            if *next_cal == week.len() {
                *next_cal = 0;
                *week_start += WEEK;
            }
            let (offset, ev) = week[*next_cal];
            q.schedule_at(*week_start + offset, Ev::Calendar(ev));
            *next_cal += 1;
        };
    schedule_next_cal(&mut sim.q, &mut week_start, &mut next_cal);
    while let Some(t) = sim.q.peek_time() {
        if t > end {
            break;
        }
        let (_, ev) = sim.q.pop().expect("peeked");
        sim.events += 1;
        match ev {
            Ev::Calendar(c) => {
                sim.on_calendar(c);
                schedule_next_cal(&mut sim.q, &mut week_start, &mut next_cal);
            }
            Ev::Done(i) => sim.on_done(i as usize),
            Ev::Fail(i) => sim.on_fail(i as usize),
            Ev::Repaired(i) => sim.on_repaired(i as usize),
            Ev::PlaceFree(p) => sim.on_place_free(p as usize),
        }
        if sim.check {
            sim.check_invariants();
        }
        if sim.exhausted && sim.car_load_t.iter().all(|&l| l <= EPS_T) {
            let now = sim.q.now();
            sim.in_shift_cut_short = true;
            *log = sim.cut_log.take().unwrap_or_default();
            return sim.finish_traced(now);
        }
    }
    *log = sim.cut_log.take().unwrap_or_default();
    sim.finish_traced(end)
}

impl<'a> Sim<'a> {
    fn new(cfg: &'a SectionConfig, spec: RunSpec, ground: Option<&'a Prepared<'a>>) -> Sim<'a> {
        let g = &cfg.geometry;
        let mut m = Vec::new();
        let mut add = |kind: MachineKind, modes: &[super::config::FailureMode], idx: u64| {
            m.push(Machine::new(kind, modes, spec, idx));
            m.len() - 1
        };
        add(MachineKind::ContinuousMiner, &cfg.miner.failures, 0);
        for b in 0..cfg.bolters.count {
            add(MachineKind::RoofBolter, &cfg.bolters.failures, 1 + b as u64);
        }
        let first_car = cfg.bolters.count as usize + 1;
        for c in 0..cfg.haulage.count {
            add(MachineKind::Hauler, &cfg.haulage.failures, 100 + c as u64);
        }
        let feeder = add(MachineKind::Feeder, &cfg.feeder.failures, 1000);
        let belt = add(MachineKind::Belt, &cfg.belt.failures, 1001);
        let cars = cfg.haulage.count as usize;
        let entries = g.entries as usize;
        let places = (0..entries)
            .map(|e| Place {
                entry: e,
                crosscut: false,
                x_m: e as f64 * g.pillar_centres_m,
                y_m: 0.0,
                left_m: f64::INFINITY,
                last_cut_m: 0.0,
                status: PlaceStatus::Ready,
                class: 0,
                exposed: SimTime::ZERO,
                intersection: false,
                held_until: SimTime::ZERO,
                falls_drawn: false,
            })
            .collect();
        // The miner starts at the middle entry; cars start queued at it.
        m[0].place = entries / 2;
        let mut sim = Sim {
            cfg,
            q: EventQueue::new(),
            m,
            places,
            active: (0..entries).collect(),
            next_line: vec![1; entries.saturating_sub(1)],
            open_xc: vec![None; entries.saturating_sub(1)],
            open: false,
            in_shift: false,
            counting: false,
            warmup_end: SimTime::from_days(u64::from(spec.warmup_days)),
            cut_left_t: 0.0,
            cut_depth_now_m: 0.0,
            car_queue: (first_car..first_car + cars).collect(),
            loading_car: None,
            spotted: false,
            feeder_queue: VecDeque::new(),
            car_load_t: vec![0.0; cars],
            car_battery_ms: vec![0; cars],
            feeder_y_m: -cfg.feeder.setback_m,
            move_pending: false,
            first_car,
            feeder,
            belt,
            shifts: Vec::new(),
            mass: MassBalance::default(),
            dry_fraction: cfg.dry_fraction(),
            seam_height_m: spec.seam_height_m.unwrap_or(g.seam_height_m),
            planned_wet_t: 0.0,
            limit_wet_t: spec.stop_after_wet_t.unwrap_or(f64::INFINITY),
            exhausted: false,
            in_shift_cut_short: false,
            events: 0,
            check: spec.check_invariants,
            max_per_place: 0,
            trace: None,
            ground: ground.map(|p| GroundRun::new(p, entries, spec.streams)),
            cut_class: 0,
            cut_factor: 1.0,
            phases: super::plan::resolve(&cfg.plan, entries, g.entry_width_m, g.cut_depth_m),
            phase: 0,
            cycle_pos: usize::MAX,
            phase_end: Vec::new(),
            phase_ms: Vec::new(),
            block_done: None,
            cut_log: None,
            net: cfg
                .network
                .as_ref()
                .map(|n| super::network::resolve(n, g.entries)),
            seg_holder: Vec::new(),
            seg_queue: Vec::new(),
            trips: vec![
                Trip {
                    route: RouteRef::ToStation,
                    pos: 0,
                    loaded: false,
                    speed_m_per_min: 1.0,
                    dest: Dest::Face,
                    road_wait: false,
                };
                cars
            ],
            car_legs: vec![[0; N_LEGS]; cars],
            car_trips: vec![0; cars],
            cut_busy_ms: 0,
            week: Vec::new(),
            pending_move_h: None,
            maintenance_moves: 0,
        };
        if let Some(n) = &sim.net {
            sim.seg_holder = vec![None; n.segments];
            sim.seg_queue = vec![VecDeque::new(); n.segments];
        }
        if !cfg.plan.is_empty() {
            sim.phase_ms = vec![vec![[0; N_STATES]; sim.m.len()]; cfg.plan.len()];
        }
        for c in first_car..first_car + cars {
            sim.m[c].state = State::WaitingForMiner;
            sim.m[c].resume_state = State::WaitingForMiner;
        }
        sim
    }

    // ---- state accounting and failure clocks -------------------------------------------

    /// The haul-cycle leg of unit `i`'s current spell (`None` for other machines).
    fn leg(&self, i: usize) -> Option<(usize, usize)> {
        if !(self.first_car..self.feeder).contains(&i) {
            return None;
        }
        let c = i - self.first_car;
        let leg = match self.m[i].state {
            State::Working if self.loading_car == Some(i) => 0,
            State::Working => 2,
            State::Tramming if self.car_load_t[c] > EPS_T => 1,
            State::Tramming => 3,
            State::WaitingForMiner | State::WaitingAtFeeder if self.trips[c].road_wait => 6,
            State::WaitingForMiner => 4,
            State::WaitingAtFeeder => 5,
            State::Servicing => 7,
            State::BrokenDown => 8,
            _ => 9,
        };
        Some((c, leg))
    }

    fn set_state(&mut self, i: usize, s: State) {
        let now = self.q.now();
        let leg = self.leg(i);
        let mac = &mut self.m[i];
        if i == 0 && matches!(mac.state, State::Working | State::WaitingForCar) {
            self.cut_busy_ms += (now - mac.since).0;
        }
        if self.in_shift && self.counting {
            mac.state_ms[mac.state as usize] += (now - mac.since).0;
            if let Some((c, leg)) = leg {
                self.car_legs[c][leg] += (now - mac.since).0;
            }
            // Time after the block is mined (its last loads hauled) is the last phase's.
            let k = self.phase.min(self.phase_ms.len().saturating_sub(1));
            if let Some(ph) = self.phase_ms.get_mut(k) {
                ph[i][mac.state as usize] += (now - mac.since).0;
            }
            if let Some(trace) = &mut self.trace {
                push_segment(trace, i, mac.state, mac.since, now, self.shifts.len());
            }
        }
        mac.since = now;
        mac.state = s;
    }

    fn flush_all(&mut self) {
        for i in 0..self.m.len() {
            let s = self.m[i].state;
            self.set_state(i, s);
        }
    }

    /// Starts or stops machine `i`'s failure clock to match what it is doing.
    ///
    /// A stopped clock only postpones the next failure, so its pending `Fail` event is left
    /// in the queue: if it fires before the operating time has really run out, `on_fail`
    /// re-arms it for the remainder. This saves a cancel and a reschedule per activity.
    fn sync_clock(&mut self, i: usize) {
        let now = self.q.now();
        let belt = self.belt;
        let mac = &mut self.m[i];
        if mac.modes.is_empty() {
            return;
        }
        let running = !mac.broken
            && self.open
            && (i == belt || (mac.act_event.is_some() && mac.act.is_some_and(Act::operating)));
        match (running, mac.clock_since) {
            (true, None) => {
                mac.clock_since = Some(now);
                if mac.fail_event.is_none() {
                    let left = mac
                        .modes
                        .iter()
                        .map(|md| md.ttf_left)
                        .min()
                        .expect("modes not empty");
                    mac.fail_event = Some(self.q.schedule_at(now + left, Ev::Fail(i as u32)));
                }
            }
            (false, Some(since)) => {
                let ran = now - since;
                for md in &mut mac.modes {
                    md.ttf_left = md.ttf_left - ran;
                }
                mac.clock_since = None;
            }
            _ => {}
        }
    }

    // ---- activities ---------------------------------------------------------------------

    fn start(&mut self, i: usize, act: Act, dur: SimTime) {
        let now = self.q.now();
        if (self.first_car..self.feeder).contains(&i) && act.operating() {
            // Saturating: an endless activity (a haul at a vanishing speed) lasts `SimTime::NEVER`.
            let ms = &mut self.car_battery_ms[i - self.first_car];
            *ms = ms.saturating_add(dur.0);
        }
        let mac = &mut self.m[i];
        debug_assert!(
            mac.act.is_none(),
            "machine {i} already busy with {:?}",
            mac.act
        );
        mac.act = Some(act);
        mac.act_end = now + dur;
        mac.paused_left = None;
        mac.act_event = Some(self.q.schedule_at(now + dur, Ev::Done(i as u32)));
        self.set_state(i, act.state());
        self.sync_clock(i);
    }

    /// Stops machine `i`'s activity, keeping the remaining duration.
    fn preempt(&mut self, i: usize) {
        let now = self.q.now();
        let mac = &mut self.m[i];
        if let Some(id) = mac.act_event.take() {
            self.q.cancel(id);
            mac.paused_left = Some(mac.act_end - now);
        }
        self.sync_clock(i);
    }

    /// Restarts machine `i`'s pre-empted activity if nothing stops it.
    fn resume(&mut self, i: usize) -> bool {
        let Some(left) = self.m[i].paused_left else {
            return false;
        };
        if !self.can_work(i) {
            return false;
        }
        let act = self.m[i].act.expect("paused activity");
        let now = self.q.now();
        let mac = &mut self.m[i];
        mac.paused_left = None;
        mac.act_end = now + left;
        mac.act_event = Some(self.q.schedule_at(now + left, Ev::Done(i as u32)));
        self.set_state(i, act.state());
        self.sync_clock(i);
        true
    }

    fn can_work(&self, i: usize) -> bool {
        self.open && !self.m[i].broken && (i != self.feeder || !self.m[self.belt].broken)
    }

    fn busy(&self, i: usize) -> bool {
        self.m[i].act.is_some()
    }

    // ---- geometry -----------------------------------------------------------------------

    fn dist(&self, a: usize, b: usize) -> f64 {
        if a == usize::MAX || b == usize::MAX {
            return 0.0;
        }
        let (pa, pb) = (&self.places[a], &self.places[b]);
        (pa.x_m - pb.x_m).abs() + (pa.y_m - pb.y_m).abs()
    }

    fn haul_m(&self, place: usize) -> f64 {
        if let Some(d) = self.cfg.haulage.fixed_haul_m {
            return d;
        }
        let g = &self.cfg.geometry;
        let feeder_x = (g.entries as usize / 2) as f64 * g.pillar_centres_m;
        let p = &self.places[place.min(self.places.len() - 1)];
        (p.x_m - feeder_x).abs() + (p.y_m - self.feeder_y_m).max(0.0)
    }

    /// The least advanced face among the entries of the phase under way.
    fn min_entry_y(&self) -> f64 {
        let e = self.cfg.geometry.entries as usize;
        let ph = &self.phases[self.phase.min(self.phases.len() - 1)];
        self.places[..e]
            .iter()
            .zip(&ph.in_phase)
            .filter(|(_, &on)| on)
            .map(|(p, _)| p.y_m)
            .fold(f64::INFINITY, f64::min)
    }

    /// The phase under way (the last one once the block is mined).
    fn ph(&self) -> &Phase {
        &self.phases[self.phase.min(self.phases.len() - 1)]
    }

    /// Is place `p` worked in the phase under way?
    fn in_phase(&self, p: usize) -> bool {
        let pl = &self.places[p];
        let ph = self.ph();
        if pl.crosscut {
            ph.pair_active(pl.entry)
        } else {
            ph.in_phase[pl.entry]
        }
    }

    /// The place's index in the phase's cycle (`None` for `nearest`).
    fn cycle_index(&self, p: usize) -> Option<usize> {
        let pl = &self.places[p];
        let r = if pl.crosscut {
            PlaceRef::Crosscut(pl.entry)
        } else {
            PlaceRef::Entry(pl.entry)
        };
        self.ph().cycle.iter().position(|&c| c == r)
    }

    /// Has the phase under way reached its end? Then start the next one, or, after the
    /// last, mark the block mined.
    fn check_phase_end(&mut self) {
        while self.phase < self.phases.len() {
            let ph = &self.phases[self.phase];
            if !ph.advance_m.is_finite() {
                return;
            }
            let e = self.cfg.geometry.entries as usize;
            let entries_done = (0..e)
                .filter(|&k| ph.in_phase[k])
                .all(|k| self.places[k].y_m >= ph.advance_m - 1e-6);
            let crosscuts_done = (0..e.saturating_sub(1))
                .filter(|&k| ph.pair_active(k))
                .all(|k| self.open_xc[k].is_none());
            if !(entries_done && crosscuts_done) {
                return;
            }
            self.flush_all();
            self.phase_end.push(self.q.now());
            self.phase += 1;
            self.cycle_pos = usize::MAX;
            if self.phase == self.phases.len() {
                self.exhausted = true;
                self.block_done = Some(self.q.now());
                return;
            }
            self.open_crosscuts();
        }
    }

    /// May the miner start a cut at `p` now?
    fn cuttable(&self, p: usize) -> bool {
        let pl = &self.places[p];
        if pl.status != PlaceStatus::Ready || !self.in_phase(p) {
            return false;
        }
        if pl.crosscut {
            return true;
        }
        let g = &self.cfg.geometry;
        let ph = self.ph();
        if pl.y_m >= ph.advance_m - 1e-6 {
            return false;
        }
        let after = pl.y_m + ph.cut_depth_m.min(ph.advance_m - pl.y_m);
        if after - self.min_entry_y() > g.max_entry_lead_m + 1e-9 {
            return false;
        }
        // Not more than one crosscut beyond an unholed crosscut on either side.
        let e = pl.entry;
        let limit = |pair: usize| {
            (self.next_line[pair] as f64 + 1.0) * g.crosscut_centres_m + g.entry_width_m / 2.0
        };
        if e > 0 && ph.pair_active(e - 1) && after > limit(e - 1) + 1e-9 {
            return false;
        }
        if e + 1 < g.entries as usize && ph.pair_active(e) && after > limit(e) + 1e-9 {
            return false;
        }
        true
    }

    fn open_crosscuts(&mut self) {
        let g = &self.cfg.geometry;
        if self.phase >= self.phases.len() {
            return;
        }
        let width = self.ph().entry_width_m;
        for pair in 0..self.next_line.len() {
            if self.open_xc[pair].is_some() || !self.ph().pair_active(pair) {
                continue;
            }
            let line_y = self.next_line[pair] as f64 * g.crosscut_centres_m;
            let need = line_y + width / 2.0 - 1e-9;
            if self.places[pair].y_m >= need && self.places[pair + 1].y_m >= need {
                self.places.push(Place {
                    entry: pair,
                    crosscut: true,
                    x_m: pair as f64 * g.pillar_centres_m + width / 2.0,
                    y_m: line_y,
                    left_m: g.pillar_centres_m - width,
                    last_cut_m: 0.0,
                    status: PlaceStatus::Ready,
                    class: 0,
                    exposed: SimTime::ZERO,
                    intersection: false,
                    held_until: SimTime::ZERO,
                    falls_drawn: false,
                });
                self.open_xc[pair] = Some(self.places.len() - 1);
                self.active.push(self.places.len() - 1);
            }
        }
    }

    // ---- miner --------------------------------------------------------------------------

    /// The miner is free and has no cut under way: go to the nearest place it may cut.
    fn miner_next(&mut self) {
        if self.busy(0) || !self.can_work(0) || self.cut_left_t > EPS_T || self.exhausted {
            return;
        }
        if self.limit_wet_t - self.planned_wet_t <= EPS_T {
            self.exhausted = true;
            self.set_state(0, State::Idle);
            return;
        }
        let here = self.m[0].place;
        let cands = self.active.iter().copied().filter(|&p| self.cuttable(p));
        let best = if self.ph().order == CutOrder::Nearest {
            cands.min_by(|&a, &b| {
                self.dist(here, a)
                    .total_cmp(&self.dist(here, b))
                    .then(a.cmp(&b))
            })
        } else {
            // The first place after the last one cut, round the cycle.
            let n = self.ph().cycle.len().max(1);
            let from = self.cycle_pos.wrapping_add(1);
            cands.min_by_key(|&p| {
                let d = match self.cycle_index(p) {
                    Some(k) => (k + n - from % n) % n,
                    None => n,
                };
                (d, p)
            })
        };
        match best {
            Some(p) => {
                self.places[p].status = PlaceStatus::Cutting;
                if let Some(k) = self.cycle_index(p) {
                    self.cycle_pos = k;
                }
                let tram = match &self.cfg.miner.move_time_min {
                    Some(d) if p != here => d.sample(&mut self.m[0].rng),
                    Some(_) => 0.0,
                    None => self.dist(here, p) / self.cfg.miner.tram_speed_m_per_min,
                };
                let setup = self.cfg.miner.place_change_min.sample(&mut self.m[0].rng);
                self.m[0].place = p;
                self.start(0, Act::Tram { to: p }, SimTime::from_min(tram + setup));
            }
            None => {
                // A roof fall's abandoned face may have ended the phase.
                let before = self.phase;
                self.check_phase_end();
                if self.phase != before && !self.exhausted {
                    return self.miner_next();
                }
                let s = if self.exhausted {
                    State::Idle
                } else {
                    State::WaitingForPlace
                };
                self.set_state(0, s);
            }
        }
    }

    /// The miner is at a place with a cut under way: load a car if one is ready.
    fn miner_load(&mut self) {
        if self.busy(0) || !self.can_work(0) || self.cut_left_t <= EPS_T {
            return;
        }
        match self.loading_car {
            Some(car) if self.spotted => {
                let space = self.cfg.haulage.payload_t - self.car_load_t[car - self.first_car];
                let wet_t = space.min(self.cut_left_t);
                let min = match &self.cfg.miner.car_load_time_min {
                    Some(d) => {
                        d.sample(&mut self.m[0].rng) * wet_t
                            / self.cfg.haulage.payload_t
                            / self.cut_factor
                    }
                    None => {
                        let rate = self.cfg.miner.cutting_rate_t_per_min.as_ref();
                        // Validation demands the rate when no car load time replaces it.
                        let rate = rate.expect("validated: a cutting rate or a load time");
                        wet_t / (rate.sample(&mut self.m[0].rng).max(1e-9) * self.cut_factor)
                    }
                };
                self.start(0, Act::Load { car, wet_t }, SimTime::from_min(min));
                self.set_state(car, State::Working);
            }
            Some(_) => self.set_state(0, State::WaitingForCar),
            None => {
                if let Some(car) = self.car_queue.pop_front() {
                    self.loading_car = Some(car);
                    self.spotted = false;
                    let s = self.cfg.haulage.change_out_s.sample(&mut self.m[car].rng);
                    self.start(car, Act::Spot, SimTime::from_s(s));
                }
                self.set_state(0, State::WaitingForCar);
            }
        }
    }

    fn cut_finished(&mut self, p: usize) {
        let depth = self.cut_depth_now_m;
        let now = self.q.now();
        let xc = self.cfg.geometry.crosscut_centres_m;
        let counting = self.counting;
        if let Some(log) = &mut self.cut_log {
            let pl = &self.places[p];
            let g = &self.cfg.geometry;
            let w = self.phases[self.phase.min(self.phases.len() - 1)].entry_width_m;
            log.push(CutRecord {
                place: if pl.crosscut {
                    PlaceRef::Crosscut(pl.entry)
                } else {
                    PlaceRef::Entry(pl.entry)
                },
                phase: self.phase,
                depth_m: depth,
                wet_t: w * self.seam_height_m * depth * g.insitu_density_wet_t_per_m3,
                at: now,
            });
        }
        let pl = &mut self.places[p];
        pl.last_cut_m = depth;
        pl.status = PlaceStatus::Unbolted;
        if self.cfg.bolters.kind == BoltingKind::None {
            // No bolting: the place may be cut again at once.
            pl.status = PlaceStatus::Ready;
        }
        if let Some(gr) = &mut self.ground {
            pl.class = self.cut_class as u8;
            pl.exposed = now;
            pl.falls_drawn = false;
            pl.intersection = if pl.crosscut {
                pl.left_m - depth <= 1e-9
            } else {
                ((pl.y_m + depth) / xc + 1e-9).floor() > (pl.y_m / xc + 1e-9).floor()
            };
            if counting {
                let t = &mut gr.classes[self.cut_class];
                t.advance_m += depth;
                t.cuts += 1;
                t.intersections += u32::from(pl.intersection);
                let g = &self.cfg.geometry;
                let w = self.phases[self.phase.min(self.phases.len() - 1)].entry_width_m;
                t.cut_wet_t += w * self.seam_height_m * depth * g.insitu_density_wet_t_per_m3;
            }
        }
        if pl.crosscut {
            pl.x_m += depth;
            pl.left_m -= depth;
            if pl.left_m <= 1e-9 && self.cfg.bolters.kind == BoltingKind::None {
                pl.status = PlaceStatus::Done;
                self.active.retain(|&q| q != p);
            }
            let pl = &mut self.places[p];
            if pl.left_m <= 1e-9 {
                // Holed through: the next crosscut of this pair may open; this one still
                // needs its last cut bolted.
                pl.left_m = 0.0;
                let pair = pl.entry;
                self.open_xc[pair] = None;
                self.next_line[pair] += 1;
            }
        } else {
            pl.y_m += depth;
        }
        if let Some(s) = self.current_shift() {
            s.cuts += 1;
            s.advance_m += depth;
        }
        self.open_crosscuts();
        self.check_phase_end();
        let g = &self.cfg.geometry;
        if self.cfg.feeder.move_every_m > 0.0
            && !self.exhausted
            && self.min_entry_y() - self.feeder_y_m
                >= self.cfg.feeder.setback_m + self.cfg.feeder.move_every_m
            && g.entries > 0
        {
            self.move_pending = true;
            self.feeder_try();
        }
    }

    // ---- bolters ------------------------------------------------------------------------

    /// A bolter-miner or miner-bolter bolts the cut it has just made at `p` before it
    /// moves: a miner-bolter for its whole bolting cycle, a bolter-miner for what is left
    /// of it after the time it spent at the face cutting (the two run together).
    fn miner_bolt(&mut self, p: usize) {
        let (dur, bolts) = self.bolt_time(0, self.places[p].last_cut_m);
        let dur = if self.cfg.bolters.kind == BoltingKind::BolterMiner {
            let now = self.q.now();
            let mac = &self.m[0];
            let mut busy = self.cut_busy_ms;
            if matches!(mac.state, State::Working | State::WaitingForCar) {
                busy += (now - mac.since).0;
            }
            SimTime(dur.0.saturating_sub(busy))
        } else {
            dur
        };
        self.places[p].status = PlaceStatus::Bolting;
        if self.ground.is_some() {
            self.ground_support(p, dur, bolts);
        }
        self.start(0, Act::Bolt { place: p, bolts }, dur);
    }

    /// Place `place` has been bolted with `bolts` bolts.
    fn place_bolted(&mut self, place: usize, bolts: u32) {
        let pl = &mut self.places[place];
        pl.status = if pl.crosscut && pl.left_m <= 1e-9 {
            PlaceStatus::Done
        } else {
            PlaceStatus::Ready
        };
        if pl.status == PlaceStatus::Done {
            self.active.retain(|&p| p != place);
        }
        if let Some(s) = self.current_shift() {
            s.bolts += bolts;
        }
    }

    fn bolter_next(&mut self, b: usize) {
        if self.busy(b) || !self.can_work(b) {
            return;
        }
        let here = self.m[b].place;
        let now = self.q.now();
        // With a stand-up time the roof exposed longest is bolted first.
        let ground = self
            .ground
            .as_ref()
            .is_some_and(|g| g.prep.cfg.classes.iter().any(|c| c.falls.stand_up_h > 0.0));
        let best = self
            .active
            .iter()
            .copied()
            .filter(|&p| {
                self.places[p].status == PlaceStatus::Unbolted && self.places[p].held_until <= now
            })
            .min_by(|&a, &c| {
                // The roof exposed longest first (stand-up time), then the nearest.
                let age = if ground {
                    self.places[a].exposed.cmp(&self.places[c].exposed)
                } else {
                    std::cmp::Ordering::Equal
                };
                age.then(self.dist(here, a).total_cmp(&self.dist(here, c)))
                    .then(a.cmp(&c))
            });
        match best {
            Some(p) => {
                self.places[p].status = PlaceStatus::Bolting;
                let cfg = &self.cfg.bolters;
                let tram = self.dist(here, p) / cfg.tram_speed_m_per_min;
                let setup = cfg.place_change_min.sample(&mut self.m[b].rng);
                self.m[b].place = p;
                self.start(b, Act::Tram { to: p }, SimTime::from_min(tram + setup));
            }
            None => self.set_state(b, State::WaitingForPlace),
        }
    }

    fn bolt_time(&mut self, b: usize, depth_m: f64) -> (SimTime, u32) {
        let cfg = &self.cfg.bolters;
        // The pattern: the place's ground class's, else the bolters'.
        let place = self.m[b].place;
        let pattern = self.ground.as_ref().map(|gr| {
            let pl = &self.places[place];
            (
                &gr.prep.cfg.classes[pl.class as usize].support,
                pl.intersection,
            )
        });
        let (bolts_per_row, row_spacing_m, p_extra, extra) = match pattern {
            Some((s, _)) => (
                s.bolts_per_row,
                s.row_spacing_m,
                s.extra_support_probability,
                &s.extra_support_min,
            ),
            None => (
                cfg.bolts_per_row,
                cfg.row_spacing_m,
                cfg.extra_support_probability,
                &cfg.extra_support_min,
            ),
        };
        let rows = ((depth_m / row_spacing_m) - 1e-9).ceil().max(1.0) as u32;
        let booms = cfg.booms.max(1);
        let rng = &mut self.m[b].rng;
        let mut total = 0.0;
        for _ in 0..rows {
            let mut longest: f64 = 0.0;
            for boom in 0..booms {
                let mut t = 0.0;
                let mut k = boom;
                while k < bolts_per_row {
                    t += cfg.drill_time_min.sample(rng) + cfg.install_time_min.sample(rng);
                    k += booms;
                }
                longest = longest.max(t);
            }
            total += longest;
        }
        if p_extra > 0.0 && rng.random::<f64>() < p_extra {
            total += extra.sample(rng);
        }
        if let Some((s, intersection)) = pattern {
            // Straps per row, mesh per metre, cable bolts at an intersection.
            total += f64::from(rows) * s.straps_per_row * s.strap_min + depth_m * s.mesh_min_per_m;
            if intersection {
                total += s.cable_bolts_per_intersection * s.cable_bolt_min;
            }
        }
        (SimTime::from_min(total), rows * bolts_per_row)
    }

    /// Support of place `p` as bolted (`dur`, `bolts`): time and consumables, with their
    /// cost, in the shift's and the class's tallies.
    fn ground_support(&mut self, p: usize, dur: SimTime, bolts: u32) {
        let counting = self.counting;
        let g = &self.cfg.geometry;
        let gr = self.ground.as_mut().expect("ground");
        let cfg = gr.prep.cfg;
        let pl = &self.places[p];
        let c = pl.class as usize;
        let s = &cfg.classes[c].support;
        let depth = pl.last_cut_m;
        let rows = ((depth / s.row_spacing_m) - 1e-9).ceil().max(1.0);
        let mut tally = GroundShift {
            support_min: dur.as_min(),
            resin: f64::from(bolts) * s.resin_per_bolt,
            mesh_m2: if s.mesh_min_per_m > 0.0 {
                depth * g.entry_width_m
            } else {
                0.0
            },
            straps: rows * s.straps_per_row,
            cable_bolts: if pl.intersection {
                s.cable_bolts_per_intersection
            } else {
                0.0
            },
            ..GroundShift::default()
        };
        let k = &cfg.costs;
        tally.support_cost_usd = f64::from(bolts) * k.bolt_usd
            + tally.resin * k.resin_usd
            + tally.mesh_m2 * k.mesh_usd_per_m2
            + tally.straps * k.strap_usd
            + tally.cable_bolts * k.cable_bolt_usd;
        if counting {
            gr.classes[c].bolts += bolts;
            gr.classes[c].ground.add(&tally, 1.0);
            if let Some(sh) = self.shifts.last_mut() {
                sh.ground.add(&tally, 1.0);
            }
        }
    }

    /// The roof falls of place `p`'s last cut, drawn once when a bolter first reaches it:
    /// unsupported since the cut (the Weibull stand-up hazard) and supported (a Poisson
    /// count per metre and intersection). Each fall holds the place for clean-up and
    /// re-support, adds fallen waste and may abandon the heading (the face re-collared
    /// further on, the ore skipped lost). Returns when the place is free again, or `None`
    /// when nothing fell.
    fn ground_falls(&mut self, p: usize) -> Option<SimTime> {
        use rand::Rng;
        let now = self.q.now();
        let counting = self.counting;
        let g = &self.cfg.geometry;
        let dry_fraction = self.dry_fraction;
        let seam = self.seam_height_m;
        let gr = self.ground.as_mut().expect("ground");
        let cfg = gr.prep.cfg;
        self.places[p].falls_drawn = true;
        let pl = &self.places[p];
        let c = pl.class as usize;
        let f = &cfg.classes[c].falls;
        let depth = pl.last_cut_m;
        let mut falls = 0;
        if f.stand_up_h > 0.0 {
            let t_h = (now - pl.exposed).as_h();
            let p_fall = 1.0 - (-(t_h / f.stand_up_h).powf(f.shape)).exp();
            if gr.rng.random::<f64>() < p_fall {
                falls += 1;
            }
        }
        let lambda = f.per_km * depth / 1_000.0
            + if pl.intersection {
                f.per_intersection
            } else {
                0.0
            };
        falls += poisson(lambda, &mut gr.rng);
        if falls == 0 {
            return None;
        }
        let mut tally = GroundShift::default();
        let mut held_h = 0.0;
        let mut skip_m = 0.0;
        for _ in 0..falls {
            held_h += f.cleanup_h.sample(&mut gr.rng);
            tally.fallen_dry_t += f.fallen_wet_t.sample(&mut gr.rng) * dry_fraction;
            if f.abandon_probability > 0.0 && gr.rng.random::<f64>() < f.abandon_probability {
                skip_m += f.abandon_skip_m;
            }
        }
        tally.falls = f64::from(falls);
        tally.fall_min = held_h * 60.0;
        if skip_m > 0.0 {
            let pl = &mut self.places[p];
            let lost_m = if pl.crosscut {
                skip_m.min(pl.left_m)
            } else {
                skip_m
            };
            tally.ore_lost_dry_t =
                g.entry_width_m * seam * lost_m * g.insitu_density_wet_t_per_m3 * dry_fraction;
            if pl.crosscut {
                pl.x_m += lost_m;
                pl.left_m -= lost_m;
                if pl.left_m <= 1e-9 && self.open_xc[pl.entry] == Some(p) {
                    pl.left_m = 0.0;
                    let pair = pl.entry;
                    self.open_xc[pair] = None;
                    self.next_line[pair] += 1;
                }
            } else {
                pl.y_m += lost_m;
            }
        }
        if counting {
            gr.classes[c].ground.add(&tally, 1.0);
            if let Some(sh) = self.shifts.last_mut() {
                sh.ground.add(&tally, 1.0);
            }
        }
        if skip_m > 0.0 {
            self.open_crosscuts();
        }
        // The re-supported roof is fresh: its exposure starts when the place is free.
        let until = now + SimTime::from_h(held_h);
        self.places[p].exposed = until;
        Some(until)
    }

    /// A place held for clean-up is free: a bolter may re-support it.
    fn on_place_free(&mut self, p: usize) {
        if self.places[p].status == PlaceStatus::Unbolted {
            self.wake_bolters();
        }
        self.sync_partners();
    }

    fn wake_bolters(&mut self) {
        for b in 1..=self.cfg.bolters.count as usize {
            if !self.busy(b) {
                self.bolter_next(b);
            }
        }
    }

    // ---- haulage and feeder -------------------------------------------------------------

    fn car_depart_loaded(&mut self, car: usize) {
        if self.net.is_some() {
            let f = self.face_node(self.m[0].place);
            return self.car_leg(car, RouteRef::Loaded(f), true, Dest::Feeder);
        }
        let d = self.haul_m(self.m[0].place);
        let speed = self
            .cfg
            .haulage
            .loaded_speed_m_per_min
            .sample(&mut self.m[car].rng);
        let mut min = d / speed;
        if self.ground.is_some() {
            min = self.ground_haul(min);
        }
        self.start(car, Act::HaulLoaded, SimTime::from_min(min));
    }

    /// A haul of `min` minutes on the floor of the class being cut: slower by its speed
    /// factor, and perhaps bogged.
    fn ground_haul(&mut self, min: f64) -> f64 {
        let counting = self.counting;
        let Some(gr) = &mut self.ground else {
            return min;
        };
        let class = &gr.prep.cfg.classes[self.cut_class];
        let mut out = min / class.haul_speed_factor;
        if class.bog_probability > 0.0 {
            use rand::Rng;
            if gr.rng.random::<f64>() < class.bog_probability {
                let bog = class.bog_recovery_min.sample(&mut gr.rng);
                out += bog;
                if counting {
                    gr.classes[self.cut_class].ground.bog_min += bog;
                    if let Some(s) = self.shifts.last_mut() {
                        s.ground.bog_min += bog;
                    }
                }
            }
        }
        out
    }

    fn car_return(&mut self, car: usize) {
        let c = car - self.first_car;
        let every = self.cfg.haulage.battery_change_every_h;
        if every > 0.0 && self.car_battery_ms[c] as f64 >= every * 3_600_000.0 {
            self.car_battery_ms[c] = 0;
            let min = self
                .cfg
                .haulage
                .battery_change_min
                .sample(&mut self.m[car].rng);
            if self.net.as_ref().is_some_and(|n| n.to_station.is_some()) {
                // To the station first; the change starts there.
                return self.car_leg(car, RouteRef::ToStation, false, Dest::Station);
            }
            self.start(car, Act::Battery, SimTime::from_min(min));
            return;
        }
        if self.net.is_some() {
            let f = self.face_node(self.m[0].place);
            return self.car_leg(car, RouteRef::Empty(f), false, Dest::Face);
        }
        let d = self.haul_m(self.m[0].place);
        let speed = self
            .cfg
            .haulage
            .empty_speed_m_per_min
            .sample(&mut self.m[car].rng);
        let mut min = d / speed;
        if self.ground.is_some() {
            min = self.ground_haul(min);
        }
        self.start(car, Act::HaulEmpty, SimTime::from_min(min));
    }

    // ---- the haul-road network -----------------------------------------------------------

    /// The face node serving place `p`.
    fn face_node(&self, p: usize) -> usize {
        let net = self.net.as_ref().expect("network");
        let e = self.places[p.min(self.places.len() - 1)].entry;
        net.face_of_entry[e]
    }

    fn route(&self, r: RouteRef) -> &Route {
        let net = self.net.as_ref().expect("network");
        match r {
            RouteRef::Loaded(f) => &net.loaded[f],
            RouteRef::Empty(f) => &net.empty[f],
            RouteRef::ToStation => net.to_station.as_ref().expect("station"),
            RouteRef::FromStation(f) => &net.from_station[f],
        }
    }

    /// Unit `car` sets off on a leg: its speed for the trip is drawn, then it takes the
    /// route's first segment.
    fn car_leg(&mut self, car: usize, route: RouteRef, loaded: bool, dest: Dest) {
        let h = &self.cfg.haulage;
        let d = if loaded {
            &h.loaded_speed_m_per_min
        } else {
            &h.empty_speed_m_per_min
        };
        let speed = d.sample(&mut self.m[car].rng);
        self.trips[car - self.first_car] = Trip {
            route,
            pos: 0,
            loaded,
            speed_m_per_min: speed,
            dest,
            road_wait: false,
        };
        self.car_step(car);
    }

    /// Unit `car`, standing at a stop holding no road, takes the next segment of its
    /// route, or waits for it, or has arrived.
    fn car_step(&mut self, car: usize) {
        let c = car - self.first_car;
        let trip = self.trips[c];
        let Some(step) = self.route(trip.route).get(trip.pos) else {
            return self.car_arrive(car);
        };
        let (seg, single) = (step.segment, step.single_lane);
        if single {
            if self.seg_holder[seg].is_some() {
                self.seg_queue[seg].push_back(car);
                self.trips[c].road_wait = true;
                let s = if trip.loaded {
                    State::WaitingAtFeeder
                } else {
                    State::WaitingForMiner
                };
                self.set_state(car, s);
                return;
            }
            self.seg_holder[seg] = Some(car);
        }
        self.traverse(car);
    }

    /// Unit `car` drives the segment it now holds (or a two-lane one).
    fn traverse(&mut self, car: usize) {
        let c = car - self.first_car;
        let trip = self.trips[c];
        let net = self.net.as_ref().expect("network");
        let links = match trip.route {
            RouteRef::Loaded(f) => &net.loaded[f],
            RouteRef::Empty(f) => &net.empty[f],
            RouteRef::ToStation => net.to_station.as_ref().expect("station"),
            RouteRef::FromStation(f) => &net.from_station[f],
        }[trip.pos]
            .links
            .clone();
        let mut min = 0.0;
        for l in links {
            let link = &self.net.as_ref().expect("network").links[l];
            let own = if trip.loaded {
                &link.loaded_speed_m_per_min
            } else {
                &link.empty_speed_m_per_min
            };
            let speed = match own {
                Some(d) => d.sample(&mut self.m[car].rng),
                None => trip.speed_m_per_min,
            };
            min += link.length_m / speed;
        }
        if self.ground.is_some() {
            // The class's speed factor on every segment, a bogging once per leg.
            min = if trip.pos == 0 {
                self.ground_haul(min)
            } else {
                let gr = self.ground.as_ref().expect("ground");
                min / gr.prep.cfg.classes[self.cut_class].haul_speed_factor
            };
        }
        let act = if trip.loaded {
            Act::HaulLoaded
        } else {
            Act::HaulEmpty
        };
        self.start(car, act, SimTime::from_min(min));
        self.trips[c].road_wait = false;
    }

    /// Unit `car` has reached the end of a segment: it lets the road go (to the first unit
    /// waiting for it) and goes on.
    fn car_segment_done(&mut self, car: usize) {
        let c = car - self.first_car;
        let trip = self.trips[c];
        let step = &self.route(trip.route)[trip.pos];
        let (seg, single) = (step.segment, step.single_lane);
        self.trips[c].pos += 1;
        if single {
            self.seg_holder[seg] = None;
            if let Some(next) = self.seg_queue[seg].pop_front() {
                self.seg_holder[seg] = Some(next);
                self.traverse(next);
            }
        }
        self.car_step(car);
    }

    fn car_arrive(&mut self, car: usize) {
        match self.trips[car - self.first_car].dest {
            Dest::Feeder => {
                self.feeder_queue.push_back(car);
                self.set_state(car, State::WaitingAtFeeder);
                self.feeder_try();
            }
            Dest::Face => {
                self.car_queue.push_back(car);
                self.set_state(car, State::WaitingForMiner);
                self.miner_load();
            }
            Dest::Station => {
                let min = self
                    .cfg
                    .haulage
                    .battery_change_min
                    .sample(&mut self.m[car].rng);
                self.start(car, Act::Battery, SimTime::from_min(min));
            }
        }
    }

    /// A feeder and belt move due for the maintenance shift is done in the time off
    /// before the next production shift, when it fits there (its duration is drawn once
    /// per move); otherwise it waits for a longer gap (a maintenance shift, a day off).
    fn maintenance_move(&mut self) {
        let f = self.feeder;
        if !(self.move_pending && self.cfg.feeder.move_on_maintenance_shift)
            || self.busy(f)
            || self.m[f].broken
        {
            return;
        }
        let h = match self.pending_move_h {
            Some(h) => h,
            None => {
                let h = self.cfg.feeder.move_h.sample(&mut self.m[f].rng);
                self.pending_move_h = Some(h);
                h
            }
        };
        let now = self.q.now();
        let Some(next) = self.next_shift_start(now) else {
            return;
        };
        if now + SimTime::from_h(h) > next {
            return;
        }
        self.pending_move_h = None;
        self.move_pending = false;
        self.feeder_y_m += self.cfg.feeder.move_every_m;
        self.maintenance_moves += 1;
        self.start(f, Act::FeederMove, SimTime::from_h(h));
    }

    /// The start of the first production shift at or after `now`.
    fn next_shift_start(&self, now: SimTime) -> Option<SimTime> {
        let base = SimTime(now.0 / WEEK.0 * WEEK.0);
        [base, base + WEEK].into_iter().find_map(|w| {
            self.week
                .iter()
                .map(|&(off, ev)| (w + off, ev))
                .find(|&(t, ev)| matches!(ev, CalendarEvent::ShiftStart) && t >= now)
                .map(|(t, _)| t)
        })
    }

    fn feeder_try(&mut self) {
        let f = self.feeder;
        if self.busy(f) || !self.can_work(f) {
            return;
        }
        // A pending move waits until no car is on the feeder, then stops dumping (on the
        // maintenance shift: until the production shift ends).
        if self.move_pending && !self.cfg.feeder.move_on_maintenance_shift {
            self.move_pending = false;
            let h = self.cfg.feeder.move_h.sample(&mut self.m[f].rng);
            self.feeder_y_m += self.cfg.feeder.move_every_m;
            self.start(f, Act::FeederMove, SimTime::from_h(h));
            return;
        }
        match self.feeder_queue.pop_front() {
            Some(car) => {
                let load = self.car_load_t[car - self.first_car];
                let rate = self
                    .cfg
                    .feeder
                    .capacity_t_per_h
                    .min(self.cfg.belt.capacity_t_per_h);
                let fixed_s = self.cfg.haulage.dump_time_s.sample(&mut self.m[car].rng);
                let dur = SimTime::from_s(fixed_s) + SimTime::from_h(load / rate);
                self.start(f, Act::Dump { car }, dur);
                self.set_state(car, State::Working);
            }
            None => self.set_state(f, State::Idle),
        }
    }

    // ---- event handlers -----------------------------------------------------------------

    fn on_done(&mut self, i: usize) {
        let act = self.m[i].act.take().expect("done without activity");
        self.m[i].act_event = None;
        self.sync_clock(i);
        match act {
            Act::Tram { to } if i == 0 => {
                let g = &self.cfg.geometry;
                let pl = &self.places[to];
                let ph = self.ph();
                let width = ph.entry_width_m;
                let mut depth = if pl.crosscut {
                    ph.cut_depth_m.min(pl.left_m)
                } else {
                    ph.cut_depth_m.min(ph.advance_m - pl.y_m)
                };
                if let Some(gr) = &mut self.ground {
                    let c = gr.class_at(pl.entry, pl.y_m);
                    let class = &gr.prep.cfg.classes[c];
                    depth = depth.min(class.max_cut_depth_m);
                    self.cut_class = c;
                    self.cut_factor = class.cutting_rate_factor;
                }
                let full_t = width * self.seam_height_m * depth * g.insitu_density_wet_t_per_m3;
                self.cut_busy_ms = 0;
                // The panel's last cut takes only what is left of its tonnage.
                self.cut_left_t = full_t.min(self.limit_wet_t - self.planned_wet_t);
                self.cut_depth_now_m = depth * self.cut_left_t / full_t;
                self.planned_wet_t += self.cut_left_t;
                self.miner_load();
            }
            Act::Tram { to } => {
                let held = if self.ground.is_some() && !self.places[to].falls_drawn {
                    self.ground_falls(to)
                } else {
                    None
                };
                match held {
                    Some(until) => {
                        // A fall: the place is held for clean-up and the bolter moves on.
                        let pl = &mut self.places[to];
                        pl.status = PlaceStatus::Unbolted;
                        pl.held_until = until;
                        self.q.schedule_at(until, Ev::PlaceFree(to as u32));
                        self.set_state(i, State::Idle);
                        self.bolter_next(i);
                    }
                    None => {
                        let (dur, bolts) = self.bolt_time(i, self.places[to].last_cut_m);
                        if self.ground.is_some() {
                            self.ground_support(to, dur, bolts);
                        }
                        self.start(i, Act::Bolt { place: to, bolts }, dur);
                    }
                }
            }
            Act::Bolt { place, bolts } if i == 0 => {
                self.place_bolted(place, bolts);
                self.miner_next();
            }
            Act::Bolt { place, bolts } => {
                let pl = &mut self.places[place];
                pl.status = if pl.crosscut && pl.left_m <= 1e-9 {
                    PlaceStatus::Done
                } else {
                    PlaceStatus::Ready
                };
                if pl.status == PlaceStatus::Done {
                    self.active.retain(|&p| p != place);
                }
                if let Some(s) = self.current_shift() {
                    s.bolts += bolts;
                }
                self.bolter_next(i);
                if self.m[0].state == State::WaitingForPlace {
                    self.miner_next();
                }
            }
            Act::Load { car, wet_t } => {
                let c = car - self.first_car;
                self.mass.cut_wet_t += wet_t;
                self.car_load_t[c] += wet_t;
                self.cut_left_t -= wet_t;
                let full = self.car_load_t[c] >= self.cfg.haulage.payload_t - EPS_T;
                let cut_done = self.cut_left_t <= EPS_T;
                if full || cut_done {
                    // Departs before it stops being the loading car, so that its time
                    // under the miner is booked as loading.
                    self.car_depart_loaded(car);
                    self.loading_car = None;
                }
                if cut_done {
                    self.cut_left_t = 0.0;
                    let p = self.m[0].place;
                    self.cut_finished(p);
                    match self.cfg.bolters.kind {
                        BoltingKind::BolterMiner | BoltingKind::MinerBolter => self.miner_bolt(p),
                        _ => {
                            self.wake_bolters();
                            self.miner_next();
                        }
                    }
                } else {
                    self.miner_load();
                }
            }
            Act::Spot => {
                self.spotted = true;
                self.set_state(i, State::WaitingForMiner);
                self.miner_load();
            }
            Act::HaulLoaded | Act::HaulEmpty if self.net.is_some() => self.car_segment_done(i),
            Act::HaulLoaded => {
                self.feeder_queue.push_back(i);
                self.set_state(i, State::WaitingAtFeeder);
                self.feeder_try();
            }
            Act::Dump { car } => {
                let c = car - self.first_car;
                let wet = std::mem::take(&mut self.car_load_t[c]);
                self.mass.dumped_wet_t += wet;
                let dry = wet * self.dry_fraction;
                if let Some(s) = self.current_shift() {
                    s.wet_t += wet;
                    s.dry_t += dry;
                    s.loads += 1;
                }
                if self.counting {
                    self.car_trips[c] += 1;
                }
                self.car_return(car);
                self.feeder_try();
            }
            Act::Battery if self.net.is_some() => {
                let f = self.face_node(self.m[0].place);
                let r = if self.net.as_ref().is_some_and(|n| n.to_station.is_some()) {
                    RouteRef::FromStation(f)
                } else {
                    RouteRef::Empty(f)
                };
                self.car_leg(i, r, false, Dest::Face);
            }
            Act::Battery => {
                let d = self.haul_m(self.m[0].place);
                let speed = self
                    .cfg
                    .haulage
                    .empty_speed_m_per_min
                    .sample(&mut self.m[i].rng);
                let min = d / speed;
                self.start(i, Act::HaulEmpty, SimTime::from_min(min));
            }
            Act::HaulEmpty => {
                self.car_queue.push_back(i);
                self.set_state(i, State::WaitingForMiner);
                self.miner_load();
            }
            Act::FeederMove => self.feeder_try(),
        }
        self.sync_partners();
    }

    fn on_fail(&mut self, i: usize) {
        let now = self.q.now();
        let mac = &mut self.m[i];
        mac.fail_event = None;
        // Bring the clock up to date; a clock that stopped since the event was scheduled
        // means the failure is not due yet.
        let Some(since) = mac.clock_since else {
            return;
        };
        let ran = now - since;
        for md in &mut mac.modes {
            md.ttf_left = md.ttf_left - ran;
        }
        mac.clock_since = Some(now);
        let (k, left) = mac
            .modes
            .iter()
            .enumerate()
            .map(|(k, md)| (k, md.ttf_left))
            .min_by_key(|&(k, t)| (t, k))
            .expect("modes not empty");
        if left > SimTime::ZERO {
            mac.fail_event = Some(self.q.schedule_at(now + left, Ev::Fail(i as u32)));
            return;
        }
        mac.failing_mode = k;
        mac.clock_since = None;
        mac.broken = true;
        let k = mac.failing_mode;
        let modes = self.failure_modes(i);
        let ttr = modes[k].ttr_h.sample(&mut self.m[i].frng);
        let next = modes[k].tbf_h.sample(&mut self.m[i].frng);
        self.m[i].modes[k].ttf_left = SimTime::from_h(next);
        self.preempt(i);
        self.set_state(i, State::BrokenDown);
        if i == self.belt {
            self.preempt(self.feeder);
            if self.m[self.feeder].act.is_some() {
                self.set_state(self.feeder, State::Blocked);
            }
        }
        self.q
            .schedule_at(now + SimTime::from_h(ttr), Ev::Repaired(i as u32));
        self.sync_partners();
    }

    fn on_repaired(&mut self, i: usize) {
        self.m[i].broken = false;
        if !self.open {
            self.m[i].resume_state = self.m[i].resume_state_after_repair();
            self.set_state(i, State::Idle);
            return;
        }
        self.set_state(i, self.m[i].resume_state_after_repair());
        self.wake(i);
        if i == self.belt {
            self.wake(self.feeder);
        }
        self.sync_clock(i);
        self.sync_partners();
    }

    /// Gets machine `i` going again after a repair or a pause.
    fn wake(&mut self, i: usize) {
        if self.resume(i) {
            return;
        }
        if self.busy(i) {
            return;
        }
        let bolters = 1..=self.cfg.bolters.count as usize;
        if i == 0 {
            if self.cut_left_t > EPS_T {
                self.miner_load();
            } else {
                self.miner_next();
            }
        } else if bolters.contains(&i) {
            self.bolter_next(i);
        } else if i == self.feeder {
            self.feeder_try();
        } else if i == self.belt {
            self.set_state(i, State::Idle);
        }
    }

    fn on_calendar(&mut self, c: CalendarEvent) {
        match c {
            CalendarEvent::ShiftStart => {
                self.flush_all();
                self.in_shift = true;
                if self.q.now() >= self.warmup_end {
                    self.counting = true;
                    self.shifts.push(ShiftTally::default());
                }
            }
            CalendarEvent::ShiftEnd => {
                self.flush_all();
                self.in_shift = false;
                self.maintenance_move();
            }
            CalendarEvent::Close => {
                self.open = false;
                for i in 0..self.m.len() {
                    if self.m[i].broken {
                        self.sync_clock(i);
                        continue;
                    }
                    self.preempt(i);
                    self.m[i].resume_state = self.m[i].state;
                    self.set_state(i, State::Idle);
                }
            }
            CalendarEvent::Open => {
                self.open = true;
                for i in 0..self.m.len() {
                    if !self.m[i].broken {
                        let s = self.m[i].resume_state;
                        self.set_state(i, s);
                    }
                }
                for i in 0..self.m.len() {
                    if !self.m[i].broken {
                        self.wake(i);
                    }
                    self.sync_clock(i);
                }
                self.sync_partners();
            }
        }
    }

    /// Passive machines (the car under the miner or on the feeder, the belt) take their
    /// state from the machine driving them.
    fn sync_partners(&mut self) {
        if !self.open {
            return;
        }
        if let Some(car) = self.loading_car {
            if self.spotted && !self.m[car].broken {
                let s = if self.m[0].act_event.is_some()
                    && matches!(self.m[0].act, Some(Act::Load { .. }))
                {
                    State::Working
                } else {
                    State::WaitingForMiner
                };
                if self.m[car].state != s {
                    self.set_state(car, s);
                }
            }
        }
        let f = self.feeder;
        let dumping = matches!(self.m[f].act, Some(Act::Dump { .. }));
        if let Some(Act::Dump { car }) = self.m[f].act {
            let s = if self.m[f].act_event.is_some() {
                State::Working
            } else {
                State::WaitingAtFeeder
            };
            if self.m[car].state != s {
                self.set_state(car, s);
            }
        }
        if dumping
            && self.m[f].act_event.is_none()
            && !self.m[f].broken
            && self.m[f].state != State::Blocked
        {
            self.set_state(f, State::Blocked);
        }
        let b = self.belt;
        if !self.m[b].broken {
            let s = if dumping && self.m[f].act_event.is_some() {
                State::Working
            } else {
                State::Idle
            };
            if self.m[b].state != s {
                self.set_state(b, s);
            }
        }
    }

    fn failure_modes(&self, i: usize) -> &'a [super::config::FailureMode] {
        let cfg = self.cfg;
        match self.m[i].kind {
            MachineKind::ContinuousMiner => &cfg.miner.failures,
            MachineKind::RoofBolter => &cfg.bolters.failures,
            MachineKind::Hauler => &cfg.haulage.failures,
            MachineKind::Feeder => &cfg.feeder.failures,
            MachineKind::Belt => &cfg.belt.failures,
        }
    }

    fn current_shift(&mut self) -> Option<&mut ShiftTally> {
        if self.counting {
            self.shifts.last_mut()
        } else {
            None
        }
    }

    fn check_invariants(&mut self) {
        // No two machines (miner, bolters) in one place at work.
        let mut count = std::collections::HashMap::new();
        for i in 0..=self.cfg.bolters.count as usize {
            if self.m[i].act.is_some() || (i == 0 && self.cut_left_t > EPS_T) {
                *count.entry(self.m[i].place).or_insert(0u32) += 1;
            }
        }
        let worst = count.values().copied().max().unwrap_or(0);
        self.max_per_place = self.max_per_place.max(worst);
        assert!(self.cut_left_t >= -1e-6, "negative cut remainder");
        for (c, &l) in self.car_load_t.iter().enumerate() {
            assert!(
                l <= self.cfg.haulage.payload_t + 1e-6,
                "car {c} overloaded: {l}"
            );
        }
    }

    fn finish_traced(mut self, end: SimTime) -> (Replication, Vec<TraceSegment>) {
        // Close the books at the end time.
        let now = self.q.now();
        if end > now {
            // Advance the clock for accounting without firing anything.
            for i in 0..self.m.len() {
                let leg = self.leg(i);
                let mac = &mut self.m[i];
                if self.in_shift && self.counting {
                    mac.state_ms[mac.state as usize] += (end - mac.since).0;
                    if let Some((c, leg)) = leg {
                        self.car_legs[c][leg] += (end - mac.since).0;
                    }
                    let k = self.phase.min(self.phase_ms.len().saturating_sub(1));
                    if let Some(ph) = self.phase_ms.get_mut(k) {
                        ph[i][mac.state as usize] += (end - mac.since).0;
                    }
                    if let Some(trace) = &mut self.trace {
                        push_segment(trace, i, mac.state, mac.since, end, self.shifts.len());
                    }
                }
                mac.since = end;
            }
        } else {
            self.flush_all();
        }
        // The last shift may be cut short by the end of the run: drop it unless complete
        // (a panel that runs out keeps its last, short shift).
        if self.in_shift && !self.in_shift_cut_short && !self.shifts.is_empty() {
            self.shifts.pop();
        }
        self.mass.in_cars_wet_t = self.car_load_t.iter().sum();
        let names = self.names();
        let machines = self
            .m
            .iter()
            .zip(names.iter().cloned())
            .map(|(mac, name)| MachineTally {
                name,
                kind: mac.kind,
                state_ms: mac.state_ms,
            })
            .collect();
        let phases = self
            .phase_ms
            .into_iter()
            .enumerate()
            .map(|(k, state_ms)| PhaseTally {
                name: self.phases[k].name.clone(),
                ended_h: self.phase_end.get(k).map(|t| t.as_h()),
                state_ms,
            })
            .collect();
        let block_mined_h = self
            .block_done
            .filter(|_| self.in_shift_cut_short)
            .map(|_| end.as_h());
        let cost_usd = self.cfg.costs.as_ref().map(|k| {
            let h = |i: usize| self.m[i].state_ms.iter().sum::<u64>() as f64 / 3_600_000.0;
            (0..self.m.len())
                .map(|i| {
                    h(i) * match self.m[i].kind {
                        MachineKind::ContinuousMiner => k.miner_usd_per_h,
                        MachineKind::RoofBolter => k.bolter_usd_per_h,
                        MachineKind::Hauler => k.hauler_usd_per_h,
                        MachineKind::Feeder => k.feeder_usd_per_h,
                        MachineKind::Belt => k.belt_usd_per_h,
                    }
                })
                .sum::<f64>()
                + k.crew_usd_per_shift * self.shifts.len() as f64
        });
        let replication = Replication {
            shifts: self.shifts,
            machines,
            mass: self.mass,
            events: self.events,
            max_machines_per_place: self.max_per_place,
            ground: self.ground.map(|g| g.classes),
            phases,
            block_mined_h,
            moves_off_shift: self.maintenance_moves,
            cost_usd,
            detail: !self.cfg.plan.is_empty()
                || self.cfg.network.is_some()
                || self.cfg.costs.is_some()
                || self.cfg.bolters.kind != BoltingKind::RoofBolter,
            haul_cycles: (0..self.car_legs.len())
                .map(|c| HaulCycle {
                    name: names[self.first_car + c].clone(),
                    trips: self.car_trips[c],
                    leg_ms: self.car_legs[c],
                })
                .collect(),
        };
        (replication, self.trace.unwrap_or_default())
    }

    fn names(&self) -> Vec<String> {
        let car = match self.cfg.haulage.kind {
            super::config::HaulerKind::ShuttleCar => "Shuttle car",
            super::config::HaulerKind::BatteryHauler => "Battery hauler",
            super::config::HaulerKind::Ramcar => "Ramcar",
            super::config::HaulerKind::Lhd => "LHD",
        };
        let miner = match self.cfg.bolters.kind {
            BoltingKind::BolterMiner => "Bolter-miner",
            BoltingKind::MinerBolter => "Miner-bolter",
            _ => "Continuous miner",
        };
        let mut out = vec![miner.to_string()];
        out.extend((1..=self.cfg.bolters.count).map(|b| format!("Roof bolter {b}")));
        out.extend((1..=self.cfg.haulage.count).map(|c| format!("{car} {c}")));
        out.push("Feeder-breaker".into());
        out.push("Section belt".into());
        out
    }
}

impl Machine {
    fn new(
        kind: MachineKind,
        modes: &[super::config::FailureMode],
        spec: RunSpec,
        idx: u64,
    ) -> Machine {
        let mut frng = spec.streams.child(2 * idx + 1).stream();
        let modes = modes
            .iter()
            .map(|f| Mode {
                ttf_left: SimTime::from_h(f.tbf_h.sample(&mut frng)),
            })
            .collect();
        Machine {
            kind,
            state: State::Idle,
            since: SimTime::ZERO,
            state_ms: [0; N_STATES],
            act: None,
            act_event: None,
            act_end: SimTime::ZERO,
            paused_left: None,
            broken: false,
            modes,
            failing_mode: 0,
            clock_since: None,
            fail_event: None,
            resume_state: State::Idle,
            rng: spec.streams.child(2 * idx + 2).stream(),
            frng,
            place: usize::MAX,
        }
    }

    fn resume_state_after_repair(&self) -> State {
        match self.act {
            Some(a) => a.state(),
            None => State::Idle,
        }
    }
}
