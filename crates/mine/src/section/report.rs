//! Replications of a section run in parallel and summarised: production per shift with 95%
//! confidence intervals, time in state per machine, the bottleneck, and a first estimate of
//! the number of sections a plant feed target needs.
//!
//! Replication `r` always uses the random streams of `(seed, r)` and results are gathered
//! in replication order, so the report is identical whatever the number of threads.

use super::config::SectionConfig;
use super::model::{MachineKind, Replication, RunSpec, State, N_STATES};
use crate::calendar::CalendarConfig;
use crate::limits;
use des::{StreamKey, Summary};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Plant feed targets the sections are sized against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Plant feed rates to meet, dry t/y.
    pub plant_feed_dry_t_per_year: Vec<f64>,
    /// Share of the feed that comes from underground (the rest from open pits).
    pub underground_share_pct: f64,
}

impl Targets {
    /// Problems with the targets, under `path`: each target positive and at most
    /// [`limits::MAX_TONNES`] a year, at most [`limits::MAX_LIST_LEN`] targets, and an
    /// underground share above 0 and at most 100 %.
    pub fn validate(&self, path: &str) -> Vec<des::input::Invalid> {
        let mut out = Vec::new();
        let key = format!("{path}.plant_feed_dry_t_per_year");
        if self.plant_feed_dry_t_per_year.is_empty() {
            out.push(des::input::Invalid::new(&key, "needs at least one target"));
        }
        if limits::check_len(
            &mut out,
            key.clone(),
            self.plant_feed_dry_t_per_year.len(),
            limits::MAX_LIST_LEN,
        ) {
            for (i, t) in self.plant_feed_dry_t_per_year.iter().enumerate() {
                if !(*t > 0.0 && t.is_finite()) {
                    out.push(des::input::Invalid::new(
                        format!("{key}[{i}]"),
                        "must be positive",
                    ));
                } else {
                    limits::check_range(
                        &mut out,
                        format!("{key}[{i}]"),
                        "plant feed",
                        *t,
                        (0.0, limits::MAX_TONNES),
                        " dry t/y",
                    );
                }
            }
        }
        if !(self.underground_share_pct > 0.0 && self.underground_share_pct <= 100.0) {
            out.push(des::input::Invalid::new(
                format!("{path}.underground_share_pct"),
                "must be above 0 and at most 100",
            ));
        }
        out
    }
}

/// How to run a section study (the scenario's `[simulation]` table; command-line flags
/// override it).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunOptions {
    /// Days counted per replication.
    pub days: u32,
    /// Days simulated first and discarded.
    pub warmup_days: u32,
    /// Number of independent replications.
    pub replications: u32,
    /// Base seed of the random streams.
    pub seed: u64,
}

/// 10th, 50th and 90th percentiles of a quantity.
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// 10th percentile: one shift in ten is at or below it.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

impl Percentiles {
    /// Percentiles of `values` by linear interpolation between order statistics (the
    /// spreadsheet PERCENTILE.INC convention); zeros when empty.
    pub fn of(values: &[f64]) -> Percentiles {
        if values.is_empty() {
            return Percentiles::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let h = q * (v.len() - 1) as f64;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            v[lo] + (h - lo as f64) * (v[hi] - v[lo])
        };
        Percentiles {
            p10: at(0.1),
            p50: at(0.5),
            p90: at(0.9),
        }
    }
}

/// One machine's summary across replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MachineReport {
    /// Display name.
    pub name: String,
    /// Kind (`continuous_miner`, `roof_bolter`, `hauler`, `feeder_breaker`, `belt`).
    pub kind: &'static str,
    /// Fraction of scheduled time working or tramming (mean of replications).
    pub utilization: f64,
    /// Fraction of scheduled time in each state (mean of replications); sums to 1.
    pub state_fractions: BTreeMap<&'static str, f64>,
}

/// The machine group that limits the section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    /// Machine kind of the group.
    pub kind: &'static str,
    /// Planner's name for the group ("roof bolting", "haulage", ...).
    pub label: &'static str,
    /// Mean fraction of scheduled time the group is active (working, tramming, servicing,
    /// broken down) rather than waiting or idle: the active-period bottleneck measure.
    pub active_fraction: f64,
}

/// Sections needed for a plant feed target at the simulated rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectionsNeeded {
    /// Dry tonnes per year of plant feed.
    pub plant_feed_dry_t_per_year: f64,
    /// The underground part of it, which the sections must deliver.
    pub underground_dry_t_per_year: f64,
    /// Sections needed at the mean rate, rounded up; `None` when the section produced
    /// nothing, or so little that more than `limits::MAX_SECTIONS_NEEDED` (10,000) would
    /// be needed (no practical number of sections would do).
    pub sections: Option<u32>,
    /// Sections needed at the lower 95% confidence bound of the rate; `None` when that
    /// bound is zero or below (too few replications for a useful bound).
    pub sections_at_ci95_low: Option<u32>,
}

/// Wet tonnes cut, dumped and left in cars, summed over replications (cut = dumped + in cars).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MassBalanceReport {
    /// Wet tonnes cut.
    pub cut_wet_t: f64,
    /// Wet tonnes dumped on the feeder.
    pub dumped_wet_t: f64,
    /// Wet tonnes in cars at the end of the runs.
    pub in_cars_wet_t: f64,
}

/// The result of a section study (JSON schema in docs/output.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectionReport {
    /// Scenario name.
    pub scenario: String,
    /// Days counted per replication.
    pub days: u32,
    /// Warm-up days discarded per replication.
    pub warmup_days: u32,
    /// Replications run.
    pub replications: u32,
    /// Base seed.
    pub seed: u64,
    /// Production shifts counted per replication.
    pub shifts_per_replication: f64,
    /// Dry tonnes delivered to the section belt per production shift.
    pub dry_tonnes_per_shift: Summary,
    /// Wet tonnes delivered to the section belt per production shift.
    pub wet_tonnes_per_shift: Summary,
    /// Spread of single shifts (not of the mean): percentiles of dry tonnes over every
    /// counted shift of every replication.
    pub dry_tonnes_per_shift_percentiles: Percentiles,
    /// Cuts completed per production shift.
    pub cuts_per_shift: Summary,
    /// Metres advanced (entries and crosscuts) per production shift.
    pub advance_m_per_shift: Summary,
    /// Roof bolts installed per production shift.
    pub bolts_per_shift: Summary,
    /// Car loads dumped per production shift.
    pub loads_per_shift: Summary,
    /// Dry tonnes per year at the calendar's production shifts per year.
    pub dry_tonnes_per_year: Summary,
    /// Per machine: utilisation and time in each state.
    pub machines: Vec<MachineReport>,
    /// The limiting machine group.
    pub bottleneck: Bottleneck,
    /// Sections needed for each plant feed target.
    pub sections_needed: Vec<SectionsNeeded>,
    /// Mass accounting over all replications.
    pub mass_balance: MassBalanceReport,
    /// Mean events per replication.
    pub events_per_replication: f64,
    /// Ground by class (`[ground]` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ground: Option<Vec<GroundClassReport>>,
    /// Each haul unit's cycle by leg (scenarios with a plan, a network, costs or a bolting
    /// system other than separate bolters; absent otherwise, so older outputs keep their
    /// bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub haul_cycles: Option<Vec<HaulCycleReport>>,
    /// The plan's phases: when they ended and each machine's utilisation in them (with a
    /// `[[section.plan]]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases: Option<Vec<PhaseReport>>,
    /// Time to mine the block the plan declares (its last phase has an `advance_m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<BlockReport>,
    /// Cost per tonne (with `[section.costs]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostReport>,
}

/// One haul unit's cycle over all replications: minutes per trip in each leg.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HaulCycleReport {
    /// Display name.
    pub name: String,
    /// Trips (loads dumped) per production shift, mean of replications.
    pub trips_per_shift: f64,
    /// Scheduled minutes per trip, all legs (= the sum of `leg_min_per_trip`).
    pub cycle_min: f64,
    /// Minutes per trip in each leg (`load`, `haul`, `dump`, `travel`, `wait_at_miner`,
    /// `wait_at_feeder`, `wait_for_road`, `battery`, `broken_down`, `idle`), pooled over
    /// the replications.
    pub leg_min_per_trip: BTreeMap<&'static str, f64>,
}

/// One phase of the plan over all replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseReport {
    /// Phase name.
    pub name: String,
    /// Replications in which the phase ended.
    pub ended_in: u32,
    /// Mean hours from time zero at which it ended, over those replications.
    pub ended_h: Option<f64>,
    /// Counted scheduled hours in the phase, mean of replications.
    pub scheduled_h: f64,
    /// Per machine: fraction of its scheduled time in the phase spent working or
    /// tramming (pooled over the replications).
    pub utilization: Vec<(String, f64)>,
}

/// The time to mine the block the plan declares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockReport {
    /// Replications that mined it within their days.
    pub mined_in: u32,
    /// Hours from time zero to its last load dumped, over those replications.
    pub hours: Summary,
    /// The same in days.
    pub days: Summary,
}

/// Cost per tonne from the machine-hour costs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    /// US$ per counted production shift.
    pub usd_per_shift: Summary,
    /// US$ per dry tonne delivered.
    pub usd_per_dry_t: Summary,
    /// US$ per wet tonne delivered.
    pub usd_per_wet_t: Summary,
}

/// The optional parts of a report: haul cycles, phases, block, cost.
type Details = (
    Option<Vec<HaulCycleReport>>,
    Option<Vec<PhaseReport>>,
    Option<BlockReport>,
    Option<CostReport>,
);

fn detail_reports(reps: &[Replication]) -> Details {
    if !reps.first().is_some_and(|r| r.detail) {
        return (None, None, None, None);
    }
    let n = reps.len().max(1) as f64;
    let first = &reps[0];
    let cycles = (0..first.haul_cycles.len())
        .map(|c| {
            let mut legs = [0u64; super::model::N_LEGS];
            let mut trips = 0u64;
            let mut per_shift = 0.0;
            for r in reps {
                let h = &r.haul_cycles[c];
                for (a, b) in legs.iter_mut().zip(&h.leg_ms) {
                    *a += b;
                }
                trips += u64::from(h.trips);
                per_shift += f64::from(h.trips) / r.shifts.len().max(1) as f64;
            }
            let per_trip = |ms: u64| ms as f64 / 60_000.0 / trips.max(1) as f64;
            HaulCycleReport {
                name: first.haul_cycles[c].name.clone(),
                trips_per_shift: per_shift / n,
                cycle_min: per_trip(legs.iter().sum()),
                leg_min_per_trip: super::model::LEGS
                    .iter()
                    .zip(legs)
                    .map(|(&l, ms)| (l, per_trip(ms)))
                    .collect(),
            }
        })
        .collect();
    let phases = (!first.phases.is_empty()).then(|| {
        (0..first.phases.len())
            .map(|k| {
                let ended: Vec<f64> = reps.iter().filter_map(|r| r.phases[k].ended_h).collect();
                let mut util = Vec::new();
                let mut scheduled = 0.0;
                for (i, m) in first.machines.iter().enumerate() {
                    let (mut act, mut tot) = (0u64, 0u64);
                    for r in reps {
                        let ms = &r.phases[k].state_ms[i];
                        act += ms[State::Working as usize] + ms[State::Tramming as usize];
                        tot += ms.iter().sum::<u64>();
                    }
                    if i == 0 {
                        scheduled = tot as f64 / 3_600_000.0 / n;
                    }
                    util.push((
                        m.name.clone(),
                        if tot > 0 {
                            act as f64 / tot as f64
                        } else {
                            0.0
                        },
                    ));
                }
                PhaseReport {
                    name: first.phases[k].name.clone(),
                    ended_in: ended.len() as u32,
                    ended_h: (!ended.is_empty())
                        .then(|| ended.iter().sum::<f64>() / ended.len() as f64),
                    scheduled_h: scheduled,
                    utilization: util,
                }
            })
            .collect()
    });
    let mined: Vec<f64> = reps.iter().filter_map(|r| r.block_mined_h).collect();
    let block = (!mined.is_empty()).then(|| BlockReport {
        mined_in: mined.len() as u32,
        hours: Summary::of(&mined),
        days: Summary::of(&mined.iter().map(|h| h / 24.0).collect::<Vec<_>>()),
    });
    let cost = first.cost_usd.map(|_| {
        let per = |f: &dyn Fn(&Replication) -> f64| {
            Summary::of(
                &reps
                    .iter()
                    .map(|r| {
                        let d = f(r);
                        if d > 0.0 {
                            r.cost_usd.unwrap_or(0.0) / d
                        } else {
                            0.0
                        }
                    })
                    .collect::<Vec<_>>(),
            )
        };
        CostReport {
            usd_per_shift: per(&|r| r.shifts.len() as f64),
            usd_per_dry_t: per(&|r| r.shifts.iter().map(|s| s.dry_t).sum()),
            usd_per_wet_t: per(&|r| r.shifts.iter().map(|s| s.wet_t).sum()),
        }
    });
    (Some(cycles), phases, block, cost)
}

/// One ground class over all replications of a section study.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroundClassReport {
    /// Class name.
    pub class: String,
    /// Share of the metres advanced.
    pub advance_share: f64,
    /// Metres advanced per production shift (in this class).
    pub advance_m_per_shift: f64,
    /// Roof falls per km driven in the class.
    pub falls_per_km: f64,
    /// Roof falls per 100,000 dry t cut in the class.
    pub falls_per_100kt: f64,
    /// Bolting (support) minutes per metre.
    pub support_min_per_m: f64,
    /// Minutes per production shift lost to fall clean-up and re-support.
    pub fall_min_per_shift: f64,
    /// Minutes per production shift haulers spent bogged.
    pub bog_min_per_shift: f64,
    /// Fallen waste (unplanned dilution) per production shift, dry t.
    pub waste_dry_t_per_shift: f64,
    /// Ore lost in abandoned headings per production shift, dry t.
    pub ore_lost_dry_t_per_shift: f64,
    /// Roof bolts per metre.
    pub bolts_per_m: f64,
    /// Resin cartridges per metre.
    pub resin_per_m: f64,
    /// Mesh per metre, m2.
    pub mesh_m2_per_m: f64,
    /// Cable bolts per metre.
    pub cable_bolts_per_m: f64,
    /// Support consumables per metre, US$.
    pub support_usd_per_m: f64,
}

fn ground_report(reps: &[Replication], dry_fraction: f64) -> Option<Vec<GroundClassReport>> {
    let first = reps.first()?.ground.as_ref()?;
    let shifts: f64 = reps
        .iter()
        .map(|r| r.shifts.len() as f64)
        .sum::<f64>()
        .max(1.0);
    let mut total: Vec<crate::ground::ClassTally> = first
        .iter()
        .map(|c| crate::ground::ClassTally {
            name: c.name.clone(),
            ..Default::default()
        })
        .collect();
    for r in reps {
        for (t, c) in total.iter_mut().zip(r.ground.iter().flatten()) {
            t.advance_m += c.advance_m;
            t.cut_wet_t += c.cut_wet_t;
            t.cuts += c.cuts;
            t.intersections += c.intersections;
            t.bolts += c.bolts;
            t.ground.add(&c.ground, 1.0);
        }
    }
    let all_m: f64 = total.iter().map(|t| t.advance_m).sum::<f64>().max(1e-12);
    let per_m = |v: f64, m: f64| if m > 0.0 { v / m } else { 0.0 };
    Some(
        total
            .iter()
            .map(|t| GroundClassReport {
                class: t.name.clone(),
                advance_share: t.advance_m / all_m,
                advance_m_per_shift: t.advance_m / shifts,
                falls_per_km: per_m(t.ground.falls * 1_000.0, t.advance_m),
                falls_per_100kt: per_m(t.ground.falls * 1e5, t.cut_wet_t * dry_fraction),
                support_min_per_m: per_m(t.ground.support_min, t.advance_m),
                fall_min_per_shift: t.ground.fall_min / shifts,
                bog_min_per_shift: t.ground.bog_min / shifts,
                waste_dry_t_per_shift: t.ground.fallen_dry_t / shifts,
                ore_lost_dry_t_per_shift: t.ground.ore_lost_dry_t / shifts,
                bolts_per_m: per_m(f64::from(t.bolts), t.advance_m),
                resin_per_m: per_m(t.ground.resin, t.advance_m),
                mesh_m2_per_m: per_m(t.ground.mesh_m2, t.advance_m),
                cable_bolts_per_m: per_m(t.ground.cable_bolts, t.advance_m),
                support_usd_per_m: per_m(t.ground.support_cost_usd, t.advance_m),
            })
            .collect(),
    )
}

/// Replication `r` of the section under `opts` (its days, warm-up and seed; `opts.replications`
/// is not used): depends only on (cfg, calendar, days, warm-up, seed, r).
pub fn replication(
    cfg: &SectionConfig,
    calendar: &CalendarConfig,
    opts: RunOptions,
    r: u64,
) -> Replication {
    replication_in(cfg, calendar, opts, r, None)
}

/// [`replication`] in a ground (`None`: the same run).
pub fn replication_in(
    cfg: &SectionConfig,
    calendar: &CalendarConfig,
    opts: RunOptions,
    r: u64,
    ground: Option<&crate::ground::Prepared<'_>>,
) -> Replication {
    super::model::simulate_in(
        cfg,
        calendar,
        RunSpec {
            days: opts.days,
            warmup_days: opts.warmup_days,
            streams: StreamKey::root(opts.seed).child(r),
            check_invariants: false,
            stop_after_wet_t: None,
            seam_height_m: None,
        },
        ground,
    )
}

/// Runs `opts.replications` replications in parallel and summarises them. `progress` is
/// called once per finished replication (from worker threads).
pub fn run(
    name: &str,
    cfg: &SectionConfig,
    calendar: &CalendarConfig,
    opts: RunOptions,
    targets: &Targets,
    progress: &(dyn Fn() + Sync),
) -> SectionReport {
    let reps: Vec<Replication> = (0..opts.replications)
        .into_par_iter()
        .map(|r| {
            let rep = replication(cfg, calendar, opts, u64::from(r));
            progress();
            rep
        })
        .collect();
    summarise(name, &reps, opts, calendar, targets)
}

/// Summarises finished replications (in replication order).
pub fn summarise(
    name: &str,
    reps: &[Replication],
    opts: RunOptions,
    calendar: &CalendarConfig,
    targets: &Targets,
) -> SectionReport {
    let dry_fraction = reps
        .iter()
        .flat_map(|r| r.shifts.iter())
        .find(|s| s.wet_t > 0.0)
        .map_or(1.0, |s| s.dry_t / s.wet_t);
    let per_shift = |f: &dyn Fn(&super::model::ShiftTally) -> f64| -> Summary {
        let means: Vec<f64> = reps.iter().map(|r| r.mean_per_shift(f)).collect();
        Summary::of(&means)
    };
    let dry = per_shift(&|s| s.dry_t);
    let shifts_per_year = calendar.production_shifts_per_year();
    let scale = |s: Summary, k: f64| Summary {
        mean: s.mean * k,
        ci95_low: s.ci95_low * k,
        ci95_high: s.ci95_high * k,
    };
    let dry_year = scale(dry, shifts_per_year);

    let machines = machine_reports(reps);
    let bottleneck = bottleneck(reps);
    let share = targets.underground_share_pct / 100.0;
    let sections_needed = targets
        .plant_feed_dry_t_per_year
        .iter()
        .map(|&t| SectionsNeeded {
            plant_feed_dry_t_per_year: t,
            underground_dry_t_per_year: t * share,
            sections: sections_for(t * share, dry_year.mean),
            sections_at_ci95_low: sections_for(t * share, dry_year.ci95_low),
        })
        .collect();
    let mut mass = MassBalanceReport::default();
    for r in reps {
        mass.cut_wet_t += r.mass.cut_wet_t;
        mass.dumped_wet_t += r.mass.dumped_wet_t;
        mass.in_cars_wet_t += r.mass.in_cars_wet_t;
    }
    let n = reps.len().max(1) as f64;
    let (haul_cycles, phases, block, cost) = detail_reports(reps);
    SectionReport {
        scenario: name.to_string(),
        days: opts.days,
        warmup_days: opts.warmup_days,
        replications: opts.replications,
        seed: opts.seed,
        shifts_per_replication: reps.iter().map(|r| r.shifts.len() as f64).sum::<f64>() / n,
        dry_tonnes_per_shift: dry,
        wet_tonnes_per_shift: per_shift(&|s| s.wet_t),
        dry_tonnes_per_shift_percentiles: Percentiles::of(
            &reps
                .iter()
                .flat_map(|r| r.shifts.iter().map(|s| s.dry_t))
                .collect::<Vec<_>>(),
        ),
        cuts_per_shift: per_shift(&|s| f64::from(s.cuts)),
        advance_m_per_shift: per_shift(&|s| s.advance_m),
        bolts_per_shift: per_shift(&|s| f64::from(s.bolts)),
        loads_per_shift: per_shift(&|s| f64::from(s.loads)),
        dry_tonnes_per_year: dry_year,
        machines,
        bottleneck,
        sections_needed,
        mass_balance: mass,
        events_per_replication: reps.iter().map(|r| r.events as f64).sum::<f64>() / n,
        ground: ground_report(reps, dry_fraction),
        haul_cycles,
        phases,
        block,
        cost,
    }
}

impl RunOptions {
    /// Problems with the run options, under `path` (keys `days`, `warmup_days`,
    /// `replications`; the command line maps them to `--days`, `--warmup-days` and
    /// `--replications`): days 1 to [`limits::MAX_DAYS`], warm-up 0 to
    /// [`limits::MAX_WARMUP_DAYS`], replications 1 to [`limits::MAX_REPLICATIONS`], and
    /// replications × (warm-up + days) at most [`limits::MAX_SECTION_DAYS_TOTAL`]. Any
    /// `u64` seed is valid.
    pub fn validate(&self, path: &str) -> Vec<des::input::Invalid> {
        let mut out = Vec::new();
        if self.days == 0 {
            out.push(des::input::Invalid::new(
                format!("{path}.days"),
                "must be at least 1",
            ));
        } else {
            limits::check_count(
                &mut out,
                format!("{path}.days"),
                "days",
                u64::from(self.days),
                1,
                u64::from(limits::MAX_DAYS),
            );
        }
        limits::check_count(
            &mut out,
            format!("{path}.warmup_days"),
            "warm-up days",
            u64::from(self.warmup_days),
            0,
            u64::from(limits::MAX_WARMUP_DAYS),
        );
        if self.replications == 0 {
            out.push(des::input::Invalid::new(
                format!("{path}.replications"),
                "must be at least 1",
            ));
        } else {
            limits::check_count(
                &mut out,
                format!("{path}.replications"),
                "replications",
                u64::from(self.replications),
                1,
                u64::from(limits::MAX_REPLICATIONS),
            );
        }
        let total =
            u64::from(self.replications) * (u64::from(self.warmup_days) + u64::from(self.days));
        if out.is_empty() && total > limits::MAX_SECTION_DAYS_TOTAL {
            out.push(des::input::Invalid::new(
                format!("{path}.replications"),
                format!(
                    "{} replications of {} days (warm-up included) are {} section-days; at most {} are allowed: fewer replications or days",
                    limits::fmt_num(f64::from(self.replications)),
                    limits::fmt_num((u64::from(self.warmup_days) + u64::from(self.days)) as f64),
                    limits::fmt_num(total as f64),
                    limits::fmt_num(limits::MAX_SECTION_DAYS_TOTAL as f64)
                ),
            ));
        }
        out
    }
}

/// Sections needed to deliver `target` at `per_section` each, rounded up; `None` when the
/// section produced nothing or so little that more than [`limits::MAX_SECTIONS_NEEDED`]
/// would be needed (the count would be meaningless, and past `u32` it used to saturate).
fn sections_for(target: f64, per_section: f64) -> Option<u32> {
    if !(per_section > 0.0) {
        return None;
    }
    let n = (target / per_section - 1e-9).ceil().max(1.0);
    if !(n <= f64::from(limits::MAX_SECTIONS_NEEDED)) {
        return None;
    }
    Some(n as u32)
}

/// Fractions of scheduled time in each state for machine `i` of replication `r`.
fn fractions(r: &Replication, i: usize) -> [f64; N_STATES] {
    let ms = &r.machines[i].state_ms;
    let total: u64 = ms.iter().sum();
    let mut out = [0.0; N_STATES];
    if total > 0 {
        for (o, &v) in out.iter_mut().zip(ms) {
            *o = v as f64 / total as f64;
        }
    }
    out
}

fn mean_fractions(reps: &[Replication], i: usize) -> [f64; N_STATES] {
    let mut acc = [0.0; N_STATES];
    for r in reps {
        for (a, f) in acc.iter_mut().zip(fractions(r, i)) {
            *a += f;
        }
    }
    acc.map(|a| a / reps.len().max(1) as f64)
}

fn machine_reports(reps: &[Replication]) -> Vec<MachineReport> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    (0..first.machines.len())
        .map(|i| {
            let f = mean_fractions(reps, i);
            MachineReport {
                name: first.machines[i].name.clone(),
                kind: first.machines[i].kind.name(),
                utilization: f[State::Working as usize] + f[State::Tramming as usize],
                state_fractions: State::ALL
                    .iter()
                    .map(|s| (s.name(), f[*s as usize]))
                    .collect(),
            }
        })
        .collect()
}

/// Active fraction: working, tramming, servicing or broken down (not waiting, not idle).
fn active(f: &[f64; N_STATES]) -> f64 {
    [
        State::Working,
        State::Tramming,
        State::Servicing,
        State::BrokenDown,
    ]
    .iter()
    .map(|s| f[*s as usize])
    .sum()
}

fn bottleneck(reps: &[Replication]) -> Bottleneck {
    let kinds = [
        MachineKind::ContinuousMiner,
        MachineKind::RoofBolter,
        MachineKind::Hauler,
        MachineKind::Feeder,
        MachineKind::Belt,
    ];
    let mut best = (MachineKind::ContinuousMiner, -1.0);
    if let Some(first) = reps.first() {
        for kind in kinds {
            let idx: Vec<usize> = (0..first.machines.len())
                .filter(|&i| first.machines[i].kind == kind)
                .collect();
            if idx.is_empty() {
                continue;
            }
            let a = idx
                .iter()
                .map(|&i| active(&mean_fractions(reps, i)))
                .sum::<f64>()
                / idx.len() as f64;
            if a > best.1 + 1e-12 {
                best = (kind, a);
            }
        }
    }
    Bottleneck {
        kind: best.0.name(),
        label: best.0.group_label(),
        active_fraction: best.1.max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::Percentiles;

    #[test]
    fn percentiles_follow_percentile_inc() {
        // Excel: PERCENTILE.INC({1,2,3,4,5,6,7,8,9,10}, 0.1) = 1.9, 0.5 -> 5.5, 0.9 -> 9.1.
        let v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let p = Percentiles::of(&v);
        assert!(
            (p.p10 - 1.9).abs() < 1e-12
                && (p.p50 - 5.5).abs() < 1e-12
                && (p.p90 - 9.1).abs() < 1e-12
        );
        assert_eq!(Percentiles::of(&[]), Percentiles::default());
        assert_eq!(Percentiles::of(&[7.0]).p90, 7.0);
    }
}
