//! One simulated shift, spell by spell: the section DES run with its opt-in trace
//! ([`mine::section::simulate_traced`]) for the report's Gantt chart.

use crate::scenario::Scenario;
use des::StreamKey;
use mine::section::{simulate_traced, RunSpec, ShiftTally, State};

/// One machine's spell in one state, in minutes from the start of the shift.
#[derive(Clone, Debug, PartialEq)]
pub struct Spell {
    /// Index into [`ShiftTrace::machines`].
    pub machine: usize,
    /// State, as in the section JSON (`working`, `tramming`, ...).
    pub state: &'static str,
    /// Start, minutes from the start of the shift.
    pub start_min: f64,
    /// End, minutes from the start of the shift.
    pub end_min: f64,
}

/// The first counted production shift of replication 1 of the section study (same seed and
/// streams, so the same shift `manto section` counts first), spell by spell.
#[derive(Clone, Debug, PartialEq)]
pub struct ShiftTrace {
    /// Machine names, in the section report's order.
    pub machines: Vec<String>,
    /// Start of the shift, hours from the start of the simulation (after the warm-up).
    pub shift_start_h: f64,
    /// Length of the shift, minutes (travel and meal included).
    pub shift_length_min: f64,
    /// Every machine's spells, in the order they end.
    pub spells: Vec<Spell>,
    /// Production counted in this shift.
    pub tally: ShiftTally,
}

impl ShiftTrace {
    /// Minutes each machine spent in each state ([`State::ALL`] order) in this shift.
    pub fn state_minutes(&self) -> Vec<[f64; mine::section::N_STATES]> {
        let mut out = vec![[0.0; mine::section::N_STATES]; self.machines.len()];
        for s in &self.spells {
            let i = State::ALL
                .iter()
                .position(|st| st.name() == s.state)
                .expect("a state name");
            out[s.machine][i] += s.end_min - s.start_min;
        }
        out
    }
}

/// Simulates replication 1 of the section study just past its first counted production
/// shift (a day after the warm-up) with the trace on, and keeps that shift. `None` when
/// the calendar has no production shift in that day (then there is nothing to draw).
pub fn shift_trace(s: &Scenario) -> Option<ShiftTrace> {
    let o = s.simulation;
    let spec = RunSpec {
        days: 1,
        warmup_days: o.warmup_days,
        streams: StreamKey::root(o.seed).child(0),
        check_invariants: false,
        stop_after_wet_t: None,
        seam_height_m: None,
    };
    let (rep, trace) = simulate_traced(&s.section, &s.calendar, spec);
    let tally = rep.shifts.first()?.clone();
    let first: Vec<_> = trace.iter().filter(|t| t.shift == 0).collect();
    let start = first.iter().map(|t| t.start).min()?;
    let end = first.iter().map(|t| t.end).max()?;
    let min = |t: des::SimTime| (t - start).0 as f64 / 60_000.0;
    Some(ShiftTrace {
        machines: rep.machines.iter().map(|m| m.name.clone()).collect(),
        shift_start_h: start.0 as f64 / 3_600_000.0,
        shift_length_min: min(end),
        spells: first
            .iter()
            .map(|t| Spell {
                machine: t.machine,
                state: t.state.name(),
                start_min: min(t.start),
                end_min: min(t.end),
            })
            .collect(),
        tally,
    })
}

/// Everything `manto report` shows: the main job, the bank cases on the same production
/// with the same sized debt, and one traced shift.
#[derive(Clone, Debug)]
pub struct ReportStudy {
    /// The main job (`manto run`): section study, schedule, finance, trial valuations.
    pub run: crate::RunResult,
    /// The bank cases and breakevens (`manto cases`) on the production the run valued.
    pub cases: crate::CasesResult,
    /// The first counted shift of section replication 1, spell by spell.
    pub shift: Option<ShiftTrace>,
    /// The scenario's finance inputs (covenants, rates, prices) as validated.
    pub finance: finance::FinanceConfig,
    /// The scenario's one-line description.
    pub description: String,
    /// Fleet sizing of the scenario at each of its plant-feed targets, with `manto size`'s
    /// defaults (the report's fleet-sizing curve), or why it could not run (a scenario
    /// with one section replication cannot be sized).
    pub sizing: Result<Vec<mine::fleet::Sizing>, String>,
    /// Every input of the scenario (mine and finance) as validated, serialised in the
    /// scenario's own key order: the workbook's Inputs sheet lists them all.
    pub inputs: serde_json::Value,
    /// The production the run valued (one entry per operating quarter): the simulation
    /// output the workbook's Production sheet holds.
    pub production: finance::ProductionProfile,
}

/// `manto report`: the main job, then the bank cases on the production it valued (so the
/// schedule is simulated once), and the traced shift.
pub fn report_study(s: &Scenario, progress: &dyn crate::Progress) -> ReportStudy {
    let run = crate::run(s, progress);
    let production = crate::production_for(s, Some(&run.schedule));
    let cases = crate::pipeline::cases_on(s, &production);
    let sizing = crate::size(s, &crate::SizeOptions::DEFAULT, progress).map_err(|e| e.to_string());
    ReportStudy {
        run,
        cases,
        shift: shift_trace(s),
        finance: s.finance.clone(),
        description: s.description.clone(),
        sizing,
        production: production.profile,
        inputs: serde_json::to_value(s).unwrap_or_default(),
    }
}
