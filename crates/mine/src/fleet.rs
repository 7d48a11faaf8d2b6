//! Fleet sizing: the smallest fleet (sections, and bolters and haulers per section) whose
//! simulated annual dry feed meets a target with a given probability.
//!
//! Method. For every per-section fleet (bolters 1..=`max_bolters`, haulers
//! 1..=`max_haulers`) the section DES is replicated for a year: those are simulated
//! section-years. A fleet-year of S sections adds S section-years drawn at random from them
//! (sections are independent: they share only the plant, and the stockpile decouples
//! them), and the probability that the fleet meets the target is the share of 2,000 such
//! fleet-years that reach it. The chosen fleet has the fewest sections (continuous miners
//! and crews); ties go to the fewest machines, then the highest probability. Marginal
//! tonnes compare the chosen fleet's mean with one more section, one more bolter or one
//! more hauler in one section.
//!
//! Split for sharding: the section-years are independent *units*, one per (fleet,
//! replication), numbered fleet-major ([`section_year`], [`section_years_for`]); the search
//! is a pure function of all of them in unit order ([`size_from_section_years`]), which the
//! unsharded [`size_for_targets`] calls too.

use crate::calendar::CalendarConfig;
use crate::limits;
use crate::plant::CrewConfig;
use crate::section::{simulate, RunSpec, SectionConfig};
use des::input::Invalid;
use des::random::{stream, StreamKey};
use des::Summary;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;

/// What to size for.
#[derive(Clone, Debug, PartialEq)]
pub struct SizingRequest {
    /// Plant feed to supply, dry t/y.
    pub plant_feed_dry_t_per_year: f64,
    /// Share of the feed from underground, %.
    pub underground_share_pct: f64,
    /// Probability the fleet must meet the target with, 0-1.
    pub confidence: f64,
    /// Largest number of bolters per section tried.
    pub max_bolters: u32,
    /// Largest number of haulers per section tried.
    pub max_haulers: u32,
    /// Section-years simulated per per-section fleet.
    pub replications: u32,
    /// Days simulated per section-year sample (after the warm-up); the sample is the mean
    /// dry t per production shift over them, times the calendar's production shifts per
    /// year. 365 by default.
    pub days: u32,
    /// Warm-up days discarded before each sample (3 by default: the first panel is opened).
    pub warmup_days: u32,
    /// Base seed.
    pub seed: u64,
}

impl SizingRequest {
    /// Days simulated per section-year sample unless the user asks otherwise.
    pub const DEFAULT_DAYS: u32 = 365;
    /// Warm-up days before each sample unless the user asks otherwise.
    pub const DEFAULT_WARMUP_DAYS: u32 = 3;

    /// Every problem with the request, with keys under `path` (`"{path}.max_haulers"`, or
    /// just `"max_haulers"` when `path` is empty; the keys are the field names, the
    /// command line maps them to `--max-haulers` and so on): a positive target of at most
    /// [`limits::MAX_TONNES`] a year, an underground share above 0 and at most 100 %, a
    /// confidence strictly between 0 and 1, bolters 1 to [`limits::MAX_BOLTERS`], haulers 1
    /// to [`limits::MAX_HAULERS`], replications 2 to [`limits::MAX_SIZING_REPLICATIONS`],
    /// and `max_bolters × max_haulers × replications` section-years at most
    /// [`limits::MAX_SIZING_SECTION_YEARS`].
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let key = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        let mut out = Vec::new();
        let t = self.plant_feed_dry_t_per_year;
        if !(t > 0.0 && t <= limits::MAX_TONNES) {
            out.push(Invalid::new(
                key("plant_feed_dry_t_per_year"),
                format!(
                    "target {} dry t/y must be above 0 and at most {}",
                    limits::fmt_num(t),
                    limits::fmt_num(limits::MAX_TONNES)
                ),
            ));
        }
        if !(self.underground_share_pct > 0.0 && self.underground_share_pct <= 100.0) {
            out.push(Invalid::new(
                key("underground_share_pct"),
                "must be above 0 and at most 100",
            ));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            out.push(Invalid::new(
                key("confidence"),
                format!(
                    "confidence {} must be between 0 and 1 (exclusive)",
                    limits::fmt_num(self.confidence)
                ),
            ));
        }
        limits::check_count(
            &mut out,
            key("max_bolters"),
            "bolters",
            u64::from(self.max_bolters),
            1,
            u64::from(limits::MAX_BOLTERS),
        );
        limits::check_count(
            &mut out,
            key("max_haulers"),
            "haulers",
            u64::from(self.max_haulers),
            1,
            u64::from(limits::MAX_HAULERS),
        );
        if self.replications < 2 {
            out.push(Invalid::new(
                key("replications"),
                "must be at least 2 for sizing (fleet-years are drawn from the simulated section-years)",
            ));
        } else {
            limits::check_count(
                &mut out,
                key("replications"),
                "replications",
                u64::from(self.replications),
                2,
                u64::from(limits::MAX_SIZING_REPLICATIONS),
            );
        }
        limits::check_count(
            &mut out,
            key("days"),
            "days",
            u64::from(self.days),
            1,
            u64::from(limits::MAX_DAYS),
        );
        limits::check_count(
            &mut out,
            key("warmup_days"),
            "warm-up days",
            u64::from(self.warmup_days),
            0,
            u64::from(limits::MAX_WARMUP_DAYS),
        );
        // Section-years of simulation: fleets x replications x (days + warm-up) / 365.
        let years = (u64::from(self.max_bolters)
            * u64::from(self.max_haulers)
            * u64::from(self.replications)
            * (u64::from(self.days) + u64::from(self.warmup_days)))
        .div_ceil(365);
        if out.is_empty() && years > limits::MAX_SIZING_SECTION_YEARS {
            out.push(Invalid::new(
                key("replications"),
                format!(
                    "{} fleets x {} replications are {} section-years to simulate; at most {} are allowed: fewer replications, bolters or haulers",
                    self.max_bolters * self.max_haulers,
                    self.replications,
                    limits::fmt_num(years as f64),
                    limits::fmt_num(limits::MAX_SIZING_SECTION_YEARS as f64)
                ),
            ));
        }
        out
    }
}

/// One per-section fleet evaluated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FleetOption {
    /// Roof bolters per section.
    pub bolters_per_section: u32,
    /// Haulers per section.
    pub haulers_per_section: u32,
    /// Dry t per year of one section (mean and 95% CI over section-years).
    pub section_dry_t_per_year: Summary,
    /// Sections needed to meet the target with the requested probability (None: more
    /// than 200).
    pub sections_needed: Option<u32>,
    /// Probability the fleet with that many sections meets the target.
    pub probability: f64,
}

/// One point of the fleet-sizing curve: the chosen per-section fleet with `sections`
/// sections.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Sections in the fleet.
    pub sections: u32,
    /// Probability the fleet meets the underground target (share of the fleet-years).
    pub probability: f64,
    /// Annual dry t of the fleet (mean of the fleet-years).
    pub fleet_dry_t_per_year: f64,
}

/// A change to the chosen fleet and the annual dry tonnes it adds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Marginal {
    /// The change ("one more section", ...).
    pub change: String,
    /// Mean dry t per year added (negative for a removal).
    pub dry_t_per_year: f64,
}

/// The result of sizing one scenario for one target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sizing {
    /// Scenario name.
    pub scenario: String,
    /// Plant feed target, dry t/y.
    pub plant_feed_dry_t_per_year: f64,
    /// Underground part of it, dry t/y.
    pub underground_dry_t_per_year: f64,
    /// Required probability.
    pub confidence: f64,
    /// Sections in the chosen fleet.
    pub sections: u32,
    /// Bolters per section.
    pub bolters_per_section: u32,
    /// Haulers per section.
    pub haulers_per_section: u32,
    /// Probability the chosen fleet meets the target.
    pub probability: f64,
    /// Annual dry t of the chosen fleet (mean of the fleet-years).
    pub fleet_dry_t_per_year: f64,
    /// Equipment list: (machine, count).
    pub equipment: Vec<(String, u32)>,
    /// Crew by role: (role, people).
    pub crew: Vec<(String, f64)>,
    /// Marginal tonnes of each added (or removed) machine.
    pub marginal: Vec<Marginal>,
    /// Every per-section fleet evaluated.
    pub options: Vec<FleetOption>,
    /// Probability of meeting the target against the number of sections, for the chosen
    /// per-section fleet: from two sections below the mean-tonnage answer
    /// (target / section mean, rounded down) to two above the chosen count. Each point
    /// draws its fleet-years as the search does, so the chosen count's point is the
    /// chosen fleet's probability. Empty when no fleet meets the target.
    pub curve: Vec<CurvePoint>,
}

/// The sizing curve of one per-section fleet (see [`Sizing::curve`]).
fn curve(samples: &[f64], target: f64, chosen: u32, seed: u64) -> Vec<CurvePoint> {
    let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
    if !(mean > 0.0) || chosen == 0 {
        return Vec::new();
    }
    let first = ((target / mean).floor() as u32).saturating_sub(2).max(1);
    (first.min(chosen)..=chosen.saturating_add(2).min(MAX_SECTIONS))
        .map(|s| {
            let (probability, fleet_dry_t_per_year) = fleet_probability(samples, s, target, seed);
            CurvePoint {
                sections: s,
                probability,
                fleet_dry_t_per_year,
            }
        })
        .collect()
}

const FLEET_YEARS: usize = 2_000;
const MAX_SECTIONS: u32 = 200;

/// The per-section fleets tried, in the order of their section-year units: bolters
/// 1..=`max_bolters` outer, haulers 1..=`max_haulers` inner, so fleet `c` is
/// (`c / max_haulers + 1`, `c % max_haulers + 1`).
pub fn combinations(req: &SizingRequest) -> Vec<(u32, u32)> {
    (1..=req.max_bolters)
        .flat_map(|b| (1..=req.max_haulers).map(move |h| (b, h)))
        .collect()
}

/// Section-year units of a sizing: one per (fleet, replication), `combinations(req).len()
/// × req.replications`.
pub fn units(req: &SizingRequest) -> u64 {
    u64::from(req.max_bolters) * u64::from(req.max_haulers) * u64::from(req.replications)
}

/// Section-year unit `i` (dry t in a year of one section): fleet `c = i / replications` of
/// [`combinations`], replication `r = i % replications`, an independent DES run with the
/// streams `StreamKey::root(req.seed).child(r)` (the replications of every fleet share
/// their streams: common random numbers). It depends only on (section, calendar, fleet,
/// days, warm-up, seed, `r`), so it is the same value wherever it is computed.
///
/// # Panics
/// If `i` is not below [`units`].
pub fn section_year(
    section: &SectionConfig,
    calendar: &CalendarConfig,
    req: &SizingRequest,
    i: u64,
) -> f64 {
    assert!(i < units(req), "section-year unit {i} of {}", units(req));
    let reps = u64::from(req.replications);
    let c = i / reps;
    let r = i % reps;
    let h = u64::from(req.max_haulers);
    let mut cfg = section.clone();
    cfg.bolters.count = (c / h + 1) as u32;
    cfg.haulage.count = (c % h + 1) as u32;
    let rep = simulate(
        &cfg,
        calendar,
        RunSpec {
            days: req.days,
            warmup_days: req.warmup_days,
            streams: StreamKey::root(req.seed).child(r),
            check_invariants: false,
            stop_after_wet_t: None,
            seam_height_m: None,
        },
    );
    rep.mean_per_shift(|s| s.dry_t) * calendar.production_shifts_per_year()
}

/// Section-year units `indices` ([`section_year`]), in the order of `indices` whatever
/// the thread count; `done` is called once per unit finished.
pub fn section_years_for(
    section: &SectionConfig,
    calendar: &CalendarConfig,
    req: &SizingRequest,
    indices: &[u64],
    done: &(dyn Fn() + Sync),
) -> Vec<f64> {
    indices
        .par_iter()
        .map(|&i| {
            let y = section_year(section, calendar, req, i);
            done();
            y
        })
        .collect()
}

/// Share of `FLEET_YEARS` fleet-years of `s` sections reaching `target`, and their mean.
fn fleet_probability(samples: &[f64], s: u32, target: f64, seed: u64) -> (f64, f64) {
    let mut rng = stream(seed, u64::from(s), 0xF1EE7);
    let mut hits = 0usize;
    let mut total = 0.0;
    for _ in 0..FLEET_YEARS {
        let y: f64 = (0..s)
            .map(|_| samples[rng.random_range(0..samples.len())])
            .sum();
        total += y;
        hits += usize::from(y >= target);
    }
    (hits as f64 / FLEET_YEARS as f64, total / FLEET_YEARS as f64)
}

/// The fewest sections meeting `target` with probability `p`, with that probability.
fn sections_needed(samples: &[f64], target: f64, p: f64, seed: u64) -> Option<(u32, f64, f64)> {
    if samples.is_empty() {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    if !(mean > 0.0) {
        return None;
    }
    let first = (target / mean).floor().max(1.0);
    if !(first <= f64::from(MAX_SECTIONS)) {
        return None;
    }
    let mut s = first as u32;
    while s <= MAX_SECTIONS {
        let (prob, fleet_mean) = fleet_probability(samples, s, target, seed);
        if prob >= p {
            return Some((s, prob, fleet_mean));
        }
        s += 1;
    }
    None
}

/// Sizes the fleet of one scenario for one target.
pub fn size(
    name: &str,
    section: &SectionConfig,
    calendar: &CalendarConfig,
    crew: &CrewConfig,
    req: &SizingRequest,
) -> Sizing {
    size_for_targets(
        name,
        section,
        calendar,
        crew,
        req,
        &[req.plant_feed_dry_t_per_year],
    )
    .remove(0)
}

/// Sizes the fleet of one scenario for several plant feed targets (dry t/y), simulating
/// the section-years once for all of them; `req.plant_feed_dry_t_per_year` is ignored.
/// It is [`size_from_section_years`] of [`section_years_for`] over every unit, the split
/// a sharded `manto size` and `manto merge` use too.
pub fn size_for_targets(
    name: &str,
    section: &SectionConfig,
    calendar: &CalendarConfig,
    crew: &CrewConfig,
    req: &SizingRequest,
    targets: &[f64],
) -> Vec<Sizing> {
    let all: Vec<u64> = (0..units(req)).collect();
    let years = section_years_for(section, calendar, req, &all, &|| {});
    size_from_section_years(name, section, crew, req, targets, &years)
}

/// The sizing for each target (dry t/y) from the complete, index-ordered section-year
/// units ([`section_year`] of `0..units(req)`): pure, milliseconds; the fleet-years are
/// drawn from streams of `req.seed`.
///
/// # Panics
/// If `years` does not hold [`units`]`(req)` values.
pub fn size_from_section_years(
    name: &str,
    section: &SectionConfig,
    crew: &CrewConfig,
    req: &SizingRequest,
    targets: &[f64],
    years: &[f64],
) -> Vec<Sizing> {
    assert_eq!(years.len() as u64, units(req), "section-year units");
    let combos = combinations(req);
    let samples: Vec<Vec<f64>> = years
        .chunks(req.replications.max(1) as usize)
        .map(<[f64]>::to_vec)
        .collect();
    targets
        .iter()
        .map(|&plant_feed| {
            let req = SizingRequest {
                plant_feed_dry_t_per_year: plant_feed,
                ..req.clone()
            };
            choose(name, section, crew, &req, &combos, &samples)
        })
        .collect()
}

/// Picks the fleet for one target from the simulated section-years of every combination.
fn choose(
    name: &str,
    section: &SectionConfig,
    crew: &CrewConfig,
    req: &SizingRequest,
    combos: &[(u32, u32)],
    samples: &[Vec<f64>],
) -> Sizing {
    let target = req.plant_feed_dry_t_per_year * req.underground_share_pct / 100.0;
    let results: Vec<Option<(u32, f64, f64)>> = samples
        .iter()
        .map(|x| sections_needed(x, target, req.confidence, req.seed))
        .collect();
    let options: Vec<FleetOption> = combos
        .iter()
        .zip(samples)
        .zip(&results)
        .map(|((&(b, h), x), r)| FleetOption {
            bolters_per_section: b,
            haulers_per_section: h,
            section_dry_t_per_year: Summary::of(x),
            sections_needed: r.map(|r| r.0),
            probability: r.map_or(0.0, |r| r.1),
        })
        .collect();
    // Fewest sections, then fewest machines, then the highest probability.
    let best = (0..combos.len())
        .filter(|&i| results[i].is_some())
        .min_by(|&i, &j| {
            let (ri, rj) = (results[i].unwrap(), results[j].unwrap());
            let machines = |k: usize, s: u32| s * (combos[k].0 + combos[k].1);
            (ri.0, machines(i, ri.0))
                .cmp(&(rj.0, machines(j, rj.0)))
                .then(rj.1.total_cmp(&ri.1))
        });
    let mean_of = |b: u32, h: u32| -> Option<f64> {
        combos
            .iter()
            .position(|&c| c == (b, h))
            .map(|k| samples[k].iter().sum::<f64>() / samples[k].len() as f64)
    };
    let (sections, bolters, haulers, probability, fleet_mean, curve) = match best {
        Some(i) => {
            let r = results[i].unwrap();
            let c = curve(&samples[i], target, r.0, req.seed);
            (r.0, combos[i].0, combos[i].1, r.1, r.2, c)
        }
        None => (
            0,
            section.bolters.count,
            section.haulage.count,
            0.0,
            0.0,
            Vec::new(),
        ),
    };
    let mut marginal = Vec::new();
    if let Some(base) = mean_of(bolters, haulers) {
        marginal.push(Marginal {
            change: "one more section (miner, its bolters, haulers, feeder and crews)".into(),
            dry_t_per_year: base,
        });
        if sections > 1 {
            marginal.push(Marginal {
                change: "one section fewer".into(),
                dry_t_per_year: -base,
            });
        }
        if let Some(m) = mean_of(bolters + 1, haulers) {
            marginal.push(Marginal {
                change: "one more roof bolter in one section".into(),
                dry_t_per_year: m - base,
            });
        }
        if let Some(m) = mean_of(bolters, haulers + 1) {
            marginal.push(Marginal {
                change: "one more hauler in one section".into(),
                dry_t_per_year: m - base,
            });
        }
        if let Some(m) = bolters
            .checked_sub(1)
            .filter(|&b| b > 0)
            .and_then(|b| mean_of(b, haulers))
        {
            marginal.push(Marginal {
                change: "one roof bolter fewer in one section".into(),
                dry_t_per_year: m - base,
            });
        }
        if let Some(m) = haulers
            .checked_sub(1)
            .filter(|&h| h > 0)
            .and_then(|h| mean_of(bolters, h))
        {
            marginal.push(Marginal {
                change: "one hauler fewer in one section".into(),
                dry_t_per_year: m - base,
            });
        }
    }
    let equipment = vec![
        ("continuous miner".to_string(), sections),
        ("roof bolter".to_string(), sections * bolters),
        (
            match section.haulage.kind {
                crate::section::HaulerKind::ShuttleCar => "shuttle car".to_string(),
                crate::section::HaulerKind::BatteryHauler => "battery hauler".to_string(),
                crate::section::HaulerKind::Ramcar => "ramcar".to_string(),
                crate::section::HaulerKind::Lhd => "LHD".to_string(),
            },
            sections * haulers,
        ),
        ("feeder-breaker".to_string(), sections),
        ("section belt".to_string(), sections),
    ];
    Sizing {
        scenario: name.to_string(),
        plant_feed_dry_t_per_year: req.plant_feed_dry_t_per_year,
        underground_dry_t_per_year: target,
        confidence: req.confidence,
        sections,
        bolters_per_section: bolters,
        haulers_per_section: haulers,
        probability,
        fleet_dry_t_per_year: fleet_mean,
        equipment,
        crew: crew.headcount(f64::from(sections), f64::from(bolters), f64::from(haulers)),
        marginal,
        options,
        curve,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_probability_of_constant_sections_is_a_step() {
        // Every section-year is exactly 100 t: 3 sections give 300 t, always.
        let samples = vec![100.0; 5];
        assert_eq!(fleet_probability(&samples, 3, 300.0, 1), (1.0, 300.0));
        assert_eq!(fleet_probability(&samples, 2, 300.0, 1).0, 0.0);
        assert_eq!(
            sections_needed(&samples, 250.0, 0.9, 1),
            Some((3, 1.0, 300.0))
        );
    }

    #[test]
    fn curve_runs_through_the_chosen_fleet() {
        // Section-years of 90 or 110 t with equal chance, target 500 t: the mean answer is
        // 5 sections (P = 1/2, below), 6 sections always make 540 t or more, so 6 are
        // chosen. The curve starts at 5 - 2 = 3 and ends at 6 + 2.
        let samples = vec![90.0, 110.0];
        let (chosen, p, _) = sections_needed(&samples, 500.0, 0.9, 3).unwrap();
        assert_eq!(chosen, 6);
        assert_eq!(p, 1.0);
        let c = curve(&samples, 500.0, chosen, 3);
        let s: Vec<u32> = c.iter().map(|x| x.sections).collect();
        assert_eq!(s, vec![3, 4, 5, 6, 7, 8]);
        // 3 and 4 sections can never make 500 t (at most 440 t).
        assert_eq!((c[0].probability, c[1].probability), (0.0, 0.0));
        // 5 sections meet 500 t when at least 3 of 5 are 110 t: 16/32 (2,000 draws, se 0.011).
        assert!(
            (c[2].probability - 0.5).abs() < 0.045,
            "{}",
            c[2].probability
        );
        assert!((c[2].fleet_dry_t_per_year - 500.0).abs() < 5.0);
        assert_eq!(c[3].probability, p);
        assert_eq!(c[5].probability, 1.0);
        assert!(curve(&[0.0], 500.0, 3, 1).is_empty());
    }

    #[test]
    fn fleet_probability_matches_the_binomial_answer() {
        // Section-years are 0 or 100 t with equal chance; 4 sections meet 300 t when at
        // least 3 are 100 t: P = (4 + 1) / 16 = 0.3125 (standard error 0.010 at 2,000 draws).
        let samples = vec![0.0, 100.0];
        let (p, mean) = fleet_probability(&samples, 4, 300.0, 7);
        assert!((p - 0.3125).abs() < 0.04, "{p}");
        assert!((mean - 200.0).abs() < 10.0, "{mean}");
    }
}
