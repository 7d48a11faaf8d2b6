//! Validation of the life-of-mine schedule against answers known independently of the code:
//! mass and metal balances through the stockpile, product conversions by molar mass, panel
//! tonnages that exhaust a manto exactly, the stockpile capacity that stops the mine, the
//! plant limited by its target, capacity and stockpile, sections that move to another mine,
//! and determinism across thread counts.
//!
//! The bundled El Boleo scenario is loaded through the study library as it ships; the plant, open-pit
//! and moisture values the known answers below are typed from are then pinned (so tuning
//! the scenario moves no answer here), and runs are shrunk (years, panels, fleet) so the
//! whole file runs in a few seconds.

use manto_study as study;

use mine::layout::{Grades, LayoutConfig, Manto, MineConfig, OpenPitConfig, PanelRun};
use mine::plant::{FeedTarget, PlantConfig, Recoveries};
use mine::schedule::{MineModel, Period, Schedule, ScheduleConfig};
use proptest::prelude::*;
use std::sync::OnceLock;

// ---- Known answers: values of scenarios/boleo*.toml, pinned by `boleo()` -----------------

/// Underground ore moisture, % of wet mass (`section.geometry.moisture_pct`).
const UG_MOISTURE_PCT: f64 = 25.0;
/// Open-pit ore moisture, % of wet mass (`deposit.open_pit.moisture_pct`).
const OP_MOISTURE_PCT: f64 = 20.0;
/// Plant feed target of years 1-5, dry t/y.
const TARGET_DRY_T: f64 = 2_600_000.0;
/// Ramp-up, % of the target in years 1, 2, 3, 4.
const RAMP_PCT: [f64; 4] = [70.0, 85.0, 95.0, 100.0];
/// Run-of-mine stockpile capacity and opening level, dry t.
const PAD_CAPACITY_T: f64 = 150_000.0;
const PAD_INITIAL_T: f64 = 60_000.0;
/// Open-pit delivery rate and reserve, dry t.
const OP_DRY_T_PER_YEAR: f64 = 360_000.0;
const OP_RESERVE_T: f64 = 9_000_000.0;
/// Recoveries to product, %.
const REC_CU_PCT: f64 = 87.0;
const REC_CO_PCT: f64 = 60.0;
const REC_ZN_PCT: f64 = 40.0;
/// Molar masses, g/mol: ZnSO4·H2O and Zn; MnCO3 and Mn.
const M_ZNSO4_H2O: f64 = 179.47;
const M_ZN: f64 = 65.38;
const M_MNCO3: f64 = 114.95;
const M_MN: f64 = 54.94;

/// The most dry tonnes one section can dump on its feeder in one production shift, so the
/// most it can add to the stockpile in one schedule slot. The miner loads cars no faster
/// than the upper end of `cutting_rate_t_per_min` (11 wet t/min in the bundled section)
/// during the working minutes of a shift (480 - 30 - 30 - 15 = 405); on top of that, the
/// cars (two of 12 t) may carry ore loaded in the previous shift and dump it in this one.
/// Bundled: (11 x 405 + 24) x 0.75 = 3,359 dry t.
fn section_shift_max_dry_t(p: &Part) -> f64 {
    let miner = &p.section.miner;
    assert!(miner.car_load_time_min.is_none(), "the bound uses the rate");
    let max_rate = miner.cutting_rate_t_per_min.as_ref().unwrap().support().1;
    assert!(
        max_rate.is_finite(),
        "the bound needs a bounded cutting rate"
    );
    let wet = max_rate * p.calendar.productive_min_per_shift()
        + f64::from(p.section.haulage.count) * p.section.haulage.payload_t;
    wet * p.section.dry_fraction()
}

// ---- Scenario plumbing -------------------------------------------------------------------

/// The scenario, as the study library loads it.
type Part = study::Scenario;

/// The bundled El Boleo scenario, as shipped.
fn bundled() -> Part {
    let p = study::load(Some("boleo"), &[]).expect("bundled scenario loads");
    p.check();
    assert!(p.schedule.years >= 3);
    p
}

/// The bundled scenario with the values the known answers of this file are typed from
/// pinned: plant, recoveries, open pit, moisture. The deposit, mines, section and calendar
/// stay as shipped.
fn boleo() -> Part {
    let mut p = bundled();
    p.section.geometry.moisture_pct = UG_MOISTURE_PCT;
    p.plant = PlantConfig {
        nameplate_dry_t_per_h: 405.0,
        availability_pct: 92.0,
        utilisation_pct: 95.0,
        feed_targets: vec![
            FeedTarget {
                from_year: 1,
                dry_t_per_year: TARGET_DRY_T,
            },
            FeedTarget {
                from_year: 6,
                dry_t_per_year: 3_100_000.0,
            },
        ],
        ramp_up_pct: RAMP_PCT.to_vec(),
        stockpile_capacity_dry_t: PAD_CAPACITY_T,
        stockpile_initial_dry_t: PAD_INITIAL_T,
        recovery: Recoveries {
            cu_pct: REC_CU_PCT,
            co_pct: REC_CO_PCT,
            zn_pct: REC_ZN_PCT,
            mn_pct: 0.0,
        },
    };
    let op = p
        .deposit
        .open_pit
        .as_mut()
        .expect("the bundled deposit has an open pit");
    op.max_dry_t_per_year = OP_DRY_T_PER_YEAR;
    op.reserve_dry_t = OP_RESERVE_T;
    op.moisture_pct = OP_MOISTURE_PCT;
    op.start_year = 1;
    p.check();
    p
}

/// The manto each underground mine works (each bundled mine has panels in one manto).
fn manto_of_mine(layout: &LayoutConfig) -> Vec<usize> {
    layout
        .mines
        .iter()
        .map(|m| {
            let k = layout.manto_index(&m.panels[0].manto).expect("manto");
            assert!(m.panels.iter().all(|r| r.manto == m.panels[0].manto));
            k
        })
        .collect()
}

/// El Boleo with panels of `panel_dry_t` (same tonnage per mine, rounded down to whole
/// panels), so a section simulates no more ore ahead than it needs.
fn boleo_with_panels(panel_dry_t: f64) -> Part {
    let mut p = boleo();
    for m in &mut p.deposit.mines {
        for run in &mut m.panels {
            let total = run.dry_t * f64::from(run.count);
            run.count = (total / panel_dry_t).floor() as u32;
            run.dry_t = panel_dry_t;
        }
    }
    p.check();
    p
}

/// Checks and runs on a (possibly edited) scenario.
trait Checked {
    fn check(&self);
    fn model(&self) -> MineModel<'_>;
    fn run(&self, years: u32, replications: u32, seed: u64) -> Schedule;
    fn pad_bound(&self, years: u32) -> f64;
}

impl Checked for Part {
    fn check(&self) {
        let mut problems = self.calendar.validate("calendar");
        problems.extend(self.section.validate("section"));
        problems.extend(self.deposit.validate("deposit"));
        problems.extend(self.plant.validate("plant"));
        problems.extend(self.crew.validate("crew"));
        problems.extend(self.schedule.validate("schedule"));
        let msgs: Vec<String> = problems
            .iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect();
        assert!(msgs.is_empty(), "{msgs:?}");
    }

    fn model(&self) -> MineModel<'_> {
        self.mine_model()
    }

    fn run(&self, years: u32, replications: u32, seed: u64) -> Schedule {
        let cfg = ScheduleConfig {
            years,
            replications,
        };
        self.check();
        assert!(cfg.validate("schedule").is_empty());
        mine::schedule::run(&self.model(), &cfg, seed, &|| {})
    }

    // The largest stockpile level the pad-full rule allows: the mine only produces in a
    // slot that starts below capacity, and then adds at most one shift of every section
    // and one slot of open-pit delivery before the plant draws. Counts the sections that
    // have started by the last of `years`.
    fn pad_bound(&self, years: u32) -> f64 {
        let sections = self
            .deposit
            .mines
            .iter()
            .flat_map(|m| &m.section_start_years)
            .filter(|&&y| y <= years)
            .count() as f64;
        let op_slot = self.deposit.open_pit.as_ref().map_or(0.0, |op| {
            op.max_dry_t_per_year / self.calendar.production_shifts_per_year()
        });
        self.plant.stockpile_capacity_dry_t + sections * section_shift_max_dry_t(self) + op_slot
    }
}

fn grades(cu_pct: f64, co_pct: f64, zn_pct: f64, mn_pct: f64) -> Grades {
    Grades {
        cu_pct,
        co_pct,
        zn_pct,
        mn_pct,
    }
}

fn manto(name: &str, reserve_dry_t: f64, g: Grades) -> Manto {
    Manto {
        name: name.into(),
        reserve_dry_t,
        thickness_m: 2.5,
        grades: g,
    }
}

fn mine_of(name: &str, starts: &[u32], panels: &[(&str, u32, f64)]) -> MineConfig {
    MineConfig {
        name: name.into(),
        section_start_years: starts.to_vec(),
        panel_move_days: 7.0,
        panels: panels
            .iter()
            .map(|&(m, count, dry_t)| PanelRun {
                manto: m.into(),
                count,
                dry_t,
            })
            .collect(),
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

fn sum(ps: &[Period], f: impl Fn(&Period) -> f64) -> f64 {
    ps.iter().map(f).sum()
}

/// The shipped scenario over 3 years (ramp-up, open pit, three mines), 2 replications,
/// shared by the tests that only read it.
fn boleo_3y() -> &'static (Part, Schedule) {
    static S: OnceLock<(Part, Schedule)> = OnceLock::new();
    S.get_or_init(|| {
        let p = boleo();
        let s = p.run(3, 2, 2007);
        (p, s)
    })
}

/// Mined = fed + change in stockpile, every quarter and in total; the sub-totals add up.
fn assert_mass_balance(s: &Schedule, initial: f64) -> Result<(), String> {
    let mut opening = initial;
    for q in &s.quarters {
        let d = q.plant_feed_dry_t + q.stockpile_closing_dry_t - opening;
        if !close(q.mined_dry_t, d, 1e-6) {
            return Err(format!(
                "{}: mined {} but feed + change in stockpile = {d}",
                q.label, q.mined_dry_t
            ));
        }
        if !close(q.underground_dry_t + q.open_pit_dry_t, q.mined_dry_t, 1e-9) {
            return Err(format!("{}: underground + open pit != mined", q.label));
        }
        if !close(q.by_mine_dry_t.iter().sum(), q.underground_dry_t, 1e-9) {
            return Err(format!("{}: sum by mine != underground", q.label));
        }
        opening = q.stockpile_closing_dry_t;
    }
    let last = s.quarters.last().expect("quarters").stockpile_closing_dry_t;
    let mined = sum(&s.quarters, |q| q.mined_dry_t);
    let fed = sum(&s.quarters, |q| q.plant_feed_dry_t);
    if !close(mined, fed + last - initial, 1e-6) {
        return Err(format!(
            "total: mined {mined}, fed {fed}, stockpile {initial} -> {last}"
        ));
    }
    Ok(())
}

// ---- 1. Mass balance ---------------------------------------------------------------------

#[test]
fn ore_is_conserved_through_the_stockpile() {
    let (p, s) = boleo_3y();
    assert_eq!(s.quarters.len(), 12);
    assert_eq!(s.years.len(), 3);
    assert_mass_balance(s, p.plant.stockpile_initial_dry_t).unwrap();
    assert_eq!(p.plant.stockpile_initial_dry_t, PAD_INITIAL_T);
    // The same by year; a year is its four quarters, its closing level that of Q4.
    let mut opening = PAD_INITIAL_T;
    for (y, yr) in s.years.iter().enumerate() {
        let qs = &s.quarters[y * 4..y * 4 + 4];
        assert!(close(
            yr.mined_dry_t,
            yr.plant_feed_dry_t + yr.stockpile_closing_dry_t - opening,
            1e-6
        ));
        assert_eq!(yr.stockpile_closing_dry_t, qs[3].stockpile_closing_dry_t);
        for (a, b) in [
            (yr.mined_dry_t, sum(qs, |q| q.mined_dry_t)),
            (yr.plant_feed_dry_t, sum(qs, |q| q.plant_feed_dry_t)),
            (yr.underground_dry_t, sum(qs, |q| q.underground_dry_t)),
            (yr.open_pit_dry_t, sum(qs, |q| q.open_pit_dry_t)),
            (yr.metal_fed_t[0], sum(qs, |q| q.metal_fed_t[0])),
            (yr.plant_feed_dry_t, s.annual_feed_dry_t[y].mean),
            (yr.cu_cathode_t, s.annual_cu_cathode_t[y].mean),
        ] {
            assert!(close(a, b, 1e-9), "{}: {a} vs {b}", yr.label);
        }
        opening = yr.stockpile_closing_dry_t;
    }
    // Wet tonnes carry each source's own moisture: 25% underground, 20% open pit.
    let (ug_wet, op_wet) = (
        1.0 / (1.0 - UG_MOISTURE_PCT / 100.0),
        1.0 / (1.0 - OP_MOISTURE_PCT / 100.0),
    );
    for q in s.quarters.iter().chain(&s.years) {
        assert!(q.underground_dry_t > 0.0 && q.open_pit_dry_t > 0.0);
        let wet = q.underground_dry_t * ug_wet + q.open_pit_dry_t * op_wet;
        assert!(close(q.mined_wet_t, wet, 1e-9), "{}", q.label);
        assert!(close(
            q.underground_wet_t,
            q.underground_dry_t * ug_wet,
            1e-9
        ));
        assert!(close(q.open_pit_wet_t, q.open_pit_dry_t * op_wet, 1e-9));
        assert_eq!(q.by_mine_wet_t.len(), q.by_mine_dry_t.len());
        for (w, d) in q.by_mine_wet_t.iter().zip(&q.by_mine_dry_t) {
            assert!(close(*w, d * ug_wet, 1e-9), "{}", q.label);
        }
        // Headcount by role adds up to the headcount.
        assert_eq!(q.headcount_by_role.len(), s.roles.len());
        assert!(close(q.headcount_by_role.iter().sum(), q.headcount, 1e-12));
    }
    // Reserves left = reserve - what was mined from the manto of each mine (no mine runs
    // out in 3 years, so no section moves).
    let mut mined_from = vec![0.0; p.deposit.mantos.len()];
    for (mi, k) in manto_of_mine(&p.deposit).into_iter().enumerate() {
        mined_from[k] += sum(&s.years, |y| y.by_mine_dry_t[mi]);
    }
    for (k, (name, left)) in s.reserves_left_dry_t.iter().enumerate() {
        let expected = p.deposit.mantos[k].reserve_dry_t - mined_from[k];
        assert!(close(*left, expected, 1e-9), "{name}: {left} vs {expected}");
        assert!(*left >= 0.0);
    }
    let op_mined = sum(&s.years, |y| y.open_pit_dry_t);
    assert!(close(s.open_pit_left_dry_t, OP_RESERVE_T - op_mined, 1e-9));
}

// ---- 2. Metal ----------------------------------------------------------------------------

#[test]
fn products_follow_feed_head_grade_and_recovery() {
    let (p, s) = boleo_3y();
    let layout = &p.deposit;
    let op = layout.open_pit.as_ref().expect("open pit");
    let cu_sources = layout.mantos.iter().map(|m| m.grades.cu_pct);
    let cu_sources: Vec<f64> = cu_sources.chain([op.grades.cu_pct]).collect();
    let cu_lo = cu_sources.iter().copied().fold(f64::INFINITY, f64::min);
    let cu_hi = cu_sources.iter().copied().fold(0.0, f64::max);
    for q in s.quarters.iter().chain(&s.years) {
        let fed = q.metal_fed_t;
        assert!(close(q.cu_cathode_t, fed[0] * REC_CU_PCT / 100.0, 1e-12));
        assert!(close(q.co_cathode_t, fed[1] * REC_CO_PCT / 100.0, 1e-12));
        let zn = fed[2] * REC_ZN_PCT / 100.0 * M_ZNSO4_H2O / M_ZN;
        assert!(close(q.znso4_t, zn, 1e-12), "{}", q.label);
        assert_eq!(q.mnco3_t, 0.0, "no Mn circuit in the base case");
        let hg = q.head_grade;
        for (g, m) in [hg.cu_pct, hg.co_pct, hg.zn_pct, hg.mn_pct].iter().zip(fed) {
            assert!(
                close(g * q.plant_feed_dry_t / 100.0, m, 1e-9),
                "{}",
                q.label
            );
        }
        // A blend of its sources: between the poorest (the open pit's 0.73% Cu) and the
        // richest (manto 3's 2.4%).
        assert!(
            hg.cu_pct >= cu_lo - 1e-9 && hg.cu_pct <= cu_hi + 1e-9,
            "{hg:?}"
        );
    }
}

#[test]
fn metal_mined_is_fed_or_left_on_the_pad() {
    // Metal in = stockpile at the start (manto 3 grades) + every source's tonnes x its
    // grade; metal out = fed. What is left on the pad is the closing tonnage at a grade
    // between the poorest and richest source.
    let (p, s) = boleo_3y();
    let layout = &p.deposit;
    let op = layout.open_pit.as_ref().expect("open pit");
    let g = |m: &Grades| [m.cu_pct, m.co_pct, m.zn_pct, m.mn_pct];
    let mut metal_in = g(&layout.mantos[0].grades).map(|x| x * PAD_INITIAL_T / 100.0);
    for y in &s.years {
        for (mi, manto) in manto_of_mine(layout).into_iter().enumerate() {
            for (k, gk) in g(&layout.mantos[manto].grades).iter().enumerate() {
                metal_in[k] += y.by_mine_dry_t[mi] * gk / 100.0;
            }
        }
        for (k, gk) in g(&op.grades).iter().enumerate() {
            metal_in[k] += y.open_pit_dry_t * gk / 100.0;
        }
    }
    let left = s.years[2].stockpile_closing_dry_t;
    for (k, metal_in_k) in metal_in.iter().enumerate() {
        let fed: f64 = sum(&s.years, |y| y.metal_fed_t[k]);
        let sources: Vec<f64> = layout
            .mantos
            .iter()
            .map(|m| g(&m.grades)[k])
            .chain([g(&op.grades)[k]])
            .collect();
        let lo = sources.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = sources.iter().copied().fold(0.0, f64::max);
        let on_pad = metal_in_k - fed;
        assert!(
            on_pad >= left * lo / 100.0 * (1.0 - 1e-9) - 1e-6
                && on_pad <= left * hi / 100.0 * (1.0 + 1e-9) + 1e-6,
            "metal {k}: in {metal_in_k} fed {fed} -> {on_pad} t on a pad of {left} t"
        );
    }
}

#[test]
fn a_single_manto_gives_its_grade_as_head_grade() {
    // One manto at 2.0% Cu, 0.1% Co, 0.5% Zn, 3.0% Mn, no open pit; the opening stockpile
    // is at the first manto's grades too. Every period's head grade is that grade, and
    // cathode = 0.02 x feed x 87%; with a 50% Mn circuit, MnCO3 = 0.03 x feed x 50% x
    // 114.95/54.94.
    let mut p = boleo();
    p.deposit = LayoutConfig {
        mantos: vec![manto("only", 5e6, grades(2.0, 0.1, 0.5, 3.0))],
        mines: vec![mine_of("M", &[1, 1], &[("only", 20, 100_000.0)])],
        open_pit: None,
    };
    p.plant.recovery.mn_pct = 50.0;
    let s = p.run(2, 1, 11);
    assert_mass_balance(&s, PAD_INITIAL_T).unwrap();
    for q in s.quarters.iter().chain(&s.years) {
        let f = q.plant_feed_dry_t;
        assert!(f > 0.0);
        let hg = q.head_grade;
        for (got, want) in [
            (hg.cu_pct, 2.0),
            (hg.co_pct, 0.1),
            (hg.zn_pct, 0.5),
            (hg.mn_pct, 3.0),
        ] {
            assert!(close(got, want, 1e-9), "{}: {hg:?}", q.label);
        }
        assert!(close(q.cu_cathode_t, 0.02 * f * 0.87, 1e-9));
        assert!(close(q.co_cathode_t, 0.001 * f * 0.60, 1e-9));
        assert!(close(q.znso4_t, 0.005 * f * 0.40 * 179.47 / 65.38, 1e-9));
        assert!(close(q.mnco3_t, 0.03 * f * 0.50 * M_MNCO3 / M_MN, 1e-9));
    }
}

// ---- 3. Reserves -------------------------------------------------------------------------

#[test]
fn a_small_deposit_is_mined_out_exactly_then_the_plant_starves() {
    // One manto of 1.5 Mt in three 0.5 Mt panels, three sections, no open pit, a plant
    // asking 2.6 Mt/y for 3 years (7.8 Mt): the deposit runs out in the first year.
    let mut p = boleo();
    p.deposit = LayoutConfig {
        mantos: vec![manto("small", 1_500_000.0, grades(1.5, 0.07, 0.6, 2.9))],
        mines: vec![mine_of("M", &[1, 1, 1], &[("small", 3, 500_000.0)])],
        open_pit: None,
    };
    p.plant.ramp_up_pct.clear();
    let s = p.run(3, 2, 5);
    assert_mass_balance(&s, PAD_INITIAL_T).unwrap();
    let ug = sum(&s.quarters, |q| q.underground_dry_t);
    assert!(close(ug, 1_500_000.0, 1e-6), "mined {ug}");
    let left = s.reserves_left_dry_t[0].1;
    assert!((0.0..=1e-6 * 1.5e6).contains(&left), "left {left}");
    // Everything mined plus the opening pad went to the plant; the pad ends empty.
    let fed = sum(&s.quarters, |q| q.plant_feed_dry_t);
    assert!(close(fed, 1_560_000.0, 1e-6), "fed {fed}");
    assert_eq!(s.quarters[0].sections, 3.0);
    for q in &s.quarters[8..] {
        assert_eq!(q.sections, 0.0, "{}: sections retired", q.label);
        assert_eq!(q.underground_dry_t, 0.0);
        assert_eq!(q.plant_feed_dry_t, 0.0);
        assert!(q.plant_feed_dry_t < q.plant_target_dry_t);
        assert!(q.stockpile_closing_dry_t.abs() < 1e-6);
    }
}

// ---- 4. Stockpile and plant limits --------------------------------------------------------

#[test]
fn stockpile_stays_within_its_bounds_and_plant_within_target() {
    let (p, s) = boleo_3y();
    let bound = p.pad_bound(3);
    // With the five sections the bundled mines start in years 1-3:
    // 150,000 + 5 x 3,359.25 + 360,000 / 730 = 167,289 t.
    for q in s.quarters.iter().chain(&s.years) {
        assert!(q.stockpile_closing_dry_t >= 0.0, "{}", q.label);
        assert!(q.stockpile_closing_dry_t <= bound, "{}", q.label);
        assert!(q.plant_feed_dry_t <= q.plant_target_dry_t * (1.0 + 1e-12));
    }
    // Targets with the ramp-up: 70%, 85%, 95% of 2.6 Mt/y; the plant's own capacity
    // (405 t/h x 92% x 95% x 8,760 h = 3.10 Mt/y) is above them.
    let capacity_y = 405.0 * 0.92 * 0.95 * 8760.0;
    for (y, yr) in s.years.iter().enumerate() {
        let target = TARGET_DRY_T * RAMP_PCT[y] / 100.0;
        assert!(close(yr.plant_target_dry_t, target, 1e-9), "{}", yr.label);
        assert!(yr.plant_feed_dry_t <= target * (1.0 + 1e-12));
        assert!(yr.plant_feed_dry_t <= capacity_y);
    }
    assert!(s.years[0].plant_feed_dry_t <= 2.6e6 * 0.70 * (1.0 + 1e-12));
}

#[test]
fn plant_draws_the_least_of_target_capacity_and_stockpile() {
    // No underground production (the only section starts in year 99), so the known answers
    // need no DES.
    let idle_mine = |p: &mut Part, open_pit: Option<OpenPitConfig>| {
        p.deposit = LayoutConfig {
            mantos: vec![manto("rich", 1e6, grades(3.0, 0.1, 0.5, 3.0))],
            mines: vec![mine_of("M", &[99], &[("rich", 1, 100_000.0)])],
            open_pit,
        };
    };

    // Capacity-bound: 50 t/h x 90% x 90% = 40.5 t/h, so 354,780 t a year against a target
    // of 1.82 Mt (70% of 2.6); a 1 Mt pad plus the open pit's 500 kt (360 kt in year 1,
    // the remaining 140 kt in year 2) never run dry.
    let mut p = boleo();
    let mut op = p.deposit.open_pit.clone().expect("open pit");
    op.reserve_dry_t = 500_000.0;
    idle_mine(&mut p, Some(op));
    p.plant.nameplate_dry_t_per_h = 50.0;
    p.plant.availability_pct = 90.0;
    p.plant.utilisation_pct = 90.0;
    p.plant.stockpile_capacity_dry_t = 1e9;
    p.plant.stockpile_initial_dry_t = 1e6;
    let s = p.run(2, 1, 1);
    assert_mass_balance(&s, 1e6).unwrap();
    for (yr, op_t) in s.years.iter().zip([OP_DRY_T_PER_YEAR, 140_000.0]) {
        assert!(close(yr.plant_feed_dry_t, 40.5 * 8760.0, 1e-9), "{yr:?}");
        assert!(close(yr.open_pit_dry_t, op_t, 1e-9), "{}", yr.label);
        assert_eq!(yr.underground_dry_t, 0.0);
        assert_eq!(yr.sections, 0.0);
    }
    assert!(s.open_pit_left_dry_t.abs() < 1e-6);
    let closing = 1e6 + 500_000.0 - 2.0 * 354_780.0;
    assert!(close(s.years[1].stockpile_closing_dry_t, closing, 1e-9));

    // Stockpile-bound: a 100 kt pad and nothing else; it goes to the plant at the first
    // manto's grade (3% Cu) in the first quarter (target 2.6 Mt x 92/365 = 655 kt), then
    // the plant starves.
    let mut p = boleo();
    idle_mine(&mut p, None);
    p.plant.ramp_up_pct.clear();
    p.plant.stockpile_initial_dry_t = 100_000.0;
    let s = p.run(1, 1, 1);
    assert_mass_balance(&s, 100_000.0).unwrap();
    let q1 = &s.quarters[0];
    assert!(close(q1.plant_feed_dry_t, 100_000.0, 1e-9));
    assert!(close(
        q1.plant_target_dry_t,
        TARGET_DRY_T * 92.0 / 365.0,
        1e-9
    ));
    assert!(close(q1.head_grade.cu_pct, 3.0, 1e-9));
    assert!(close(q1.cu_cathode_t, 3_000.0 * 0.87, 1e-9));
    for q in &s.quarters[1..] {
        assert_eq!(q.plant_feed_dry_t, 0.0);
        assert_eq!(q.stockpile_closing_dry_t, 0.0);
    }
}

#[test]
fn open_pit_never_exceeds_its_annual_rate() {
    // `max_dry_t_per_year` is the largest delivery rate. With a 6-day week the schedule
    // spreads it over 365 x 6/7 = 312.857 working days, but year 1 (days 0-364, day % 7 < 6)
    // has 313, so the pit delivers 360,000 x 313 / 312.857 = 360,164 t. Years 1-6 have 313
    // working days and year 7 has 312 (360,000 x 312 / 312.857 = 359,014 t): right on
    // average over seven years, over the limit in six of them.
    let mut p = boleo();
    p.calendar.days_per_week = 6;
    let op = p.deposit.open_pit.clone();
    p.deposit = LayoutConfig {
        mantos: vec![manto("m", 1e6, grades(1.0, 0.1, 0.5, 3.0))],
        mines: vec![mine_of("M", &[99], &[("m", 1, 100_000.0)])],
        open_pit: op,
    };
    p.plant.stockpile_capacity_dry_t = 1e9;
    let s = p.run(7, 1, 1);
    for yr in &s.years {
        assert!(
            yr.open_pit_dry_t <= OP_DRY_T_PER_YEAR * (1.0 + 1e-9),
            "{}: open pit delivered {:.1} t, more than its {OP_DRY_T_PER_YEAR} t/y",
            yr.label,
            yr.open_pit_dry_t
        );
    }
}

// ---- 5. A full pad stops the mine ---------------------------------------------------------

#[test]
fn a_full_pad_stops_the_mine() {
    // Five sections (about 2.5 Mt/y) and the open pit against a plant that takes 0.2 Mt/y:
    // the pad fills within weeks and the mine works only as fast as the plant draws.
    let mut p = boleo_with_panels(50_000.0);
    p.plant.feed_targets = vec![FeedTarget {
        from_year: 1,
        dry_t_per_year: 200_000.0,
    }];
    p.plant.ramp_up_pct.clear();
    let s = p.run(3, 1, 3);
    assert_mass_balance(&s, PAD_INITIAL_T).unwrap();
    let bound = p.pad_bound(3);
    let pad_full = sum(&s.years, |y| y.section_shifts_pad_full);
    let worked = sum(&s.years, |y| y.section_shifts);
    assert!(pad_full > 0.0);
    // Sections stand most of the time: 0.2 Mt/y is under a tenth of their capacity.
    assert!(
        pad_full > 5.0 * worked,
        "pad full {pad_full}, worked {worked}"
    );
    // The plant never starves and the pad stays near capacity after the first quarter:
    // never more than a day of plant draw (548 t) below it, never above the bound.
    for q in &s.quarters {
        assert!(close(q.plant_feed_dry_t, q.plant_target_dry_t, 1e-9));
        let c = q.stockpile_closing_dry_t;
        assert!(
            c <= bound && c >= PAD_CAPACITY_T - 548.0,
            "{}: {c}",
            q.label
        );
    }
    // So mined = feed + what the capacity-bounded pad gained: 0.6 Mt + 90 kt, give or take
    // one slot of mine output.
    let mined = sum(&s.years, |y| y.mined_dry_t);
    let fed = sum(&s.years, |y| y.plant_feed_dry_t);
    assert!(close(fed, 600_000.0, 1e-9));
    assert!(
        mined >= fed + PAD_CAPACITY_T - 548.0 - PAD_INITIAL_T
            && mined <= fed + bound - PAD_INITIAL_T,
        "mined {mined}, fed {fed}"
    );
    // After year 1 (pad already full) each year mines what the plant took, to within the
    // slack of the pad level.
    for y in &s.years[1..] {
        assert!(
            (y.mined_dry_t - y.plant_feed_dry_t).abs() <= bound - PAD_CAPACITY_T + 548.0,
            "{y:?}"
        );
    }
}

// ---- 6. Sections move between mines -------------------------------------------------------

#[test]
fn sections_move_to_the_next_mine_when_theirs_is_worked_out() {
    // Mine A: one 0.3 Mt panel and two sections; mines B and C: thirty panels and one
    // section each. The second section of A finds A empty at once and starts in B, the
    // first mine in the list with panels left; the first follows when A's only panel is
    // done, so B ends with three sections and C keeps one. The control run gives A thirty
    // panels, so B and C keep one section each.
    let run = |a_panels: u32| {
        let mut p = boleo();
        p.deposit = LayoutConfig {
            mantos: vec![
                manto("a", 9e6, grades(2.0, 0.1, 0.5, 3.0)),
                manto("b", 9e6, grades(1.0, 0.1, 0.5, 3.0)),
                manto("c", 9e6, grades(1.0, 0.1, 0.5, 3.0)),
            ],
            mines: vec![
                mine_of("A", &[1, 1], &[("a", a_panels, 300_000.0)]),
                mine_of("B", &[1], &[("b", 30, 300_000.0)]),
                mine_of("C", &[1], &[("c", 30, 300_000.0)]),
            ],
            open_pit: None,
        };
        p.plant.stockpile_capacity_dry_t = 1e9; // the pad never stops the mine
        let s = p.run(3, 1, 9);
        assert_mass_balance(&s, PAD_INITIAL_T).unwrap();
        s
    };
    let moved = run(1);
    let control = run(30);
    let by_mine = |ps: &[Period], m: usize| sum(ps, |q| q.by_mine_dry_t[m]);
    // Mine A gave exactly its one panel, and its manto exactly that.
    assert!(close(by_mine(&moved.years, 0), 300_000.0, 1e-6));
    assert!(close(moved.reserves_left_dry_t[0].1, 8_700_000.0, 1e-9));
    // No section retired: all four kept working.
    for q in &moved.quarters {
        assert!(close(q.sections, 4.0, 1e-12), "{}: {}", q.label, q.sections);
    }
    // First quarter: two sections in B against one; C unchanged.
    let ratio = |ps: &[Period], cs: &[Period], m: usize| by_mine(ps, m) / by_mine(cs, m);
    let r_q1 = ratio(&moved.quarters[..1], &control.quarters[..1], 1);
    assert!((1.7..2.3).contains(&r_q1), "B Q1 ratio {r_q1}");
    // Years 2 and 3: three sections in B against one; C still one.
    for y in 1..3 {
        let (ms, cs) = (&moved.years[y..=y], &control.years[y..=y]);
        let rb = ratio(ms, cs, 1);
        assert!((2.5..3.5).contains(&rb), "year {} B ratio {rb}", y + 1);
        let rc = ratio(ms, cs, 2);
        assert!((0.8..1.2).contains(&rc), "year {} C ratio {rc}", y + 1);
    }
}

// ---- 7. Determinism ----------------------------------------------------------------------

#[test]
fn same_seed_gives_identical_schedule_on_one_and_two_threads() {
    let p = boleo_with_panels(250_000.0);
    let json_with = |threads: usize, seed: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| serde_json::to_string(&p.run(2, 3, seed)).unwrap())
    };
    let one = json_with(1, 42);
    assert_eq!(one, json_with(2, 42));
    // Replications are independent draws: the three differ, so the interval has width.
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    let cu = &v["annual_cu_cathode_t"][0];
    let ci = |k: &str| cu[k].as_f64().unwrap();
    assert!(ci("ci95_high") - ci("ci95_low") > 1e-6 * ci("mean"), "{cu}");
    // A different seed changes the simulated quarters, not just the recorded seed.
    let quarters = |json: &str| {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["quarters"].to_string()
    };
    assert_ne!(quarters(&one), quarters(&json_with(2, 43)));
}

// ---- 8. Any plant and pad -----------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Whatever the plant target, pad size, fleet and week: ore is conserved every
    /// quarter, the pad stays between 0 and its bound, the plant within its target, and no
    /// manto goes below zero.
    #[test]
    fn balances_and_bounds_hold_for_any_plant_and_pad(
        target in 100_000.0f64..4_000_000.0,
        capacity in 20_000.0f64..400_000.0,
        initial_share in 0.0f64..1.0,
        sections_a in 1usize..4,
        b_start in 1u32..4,
        open_pit in any::<bool>(),
        days_per_week in 5u32..8,
        seed in 0u64..1_000,
    ) {
        let mut p = boleo_with_panels(200_000.0);
        p.calendar.days_per_week = days_per_week;
        p.plant.feed_targets = vec![FeedTarget { from_year: 1, dry_t_per_year: target }];
        p.plant.stockpile_capacity_dry_t = capacity;
        p.plant.stockpile_initial_dry_t = capacity * initial_share;
        p.deposit.mines[0].section_start_years = vec![1; sections_a];
        p.deposit.mines[1].section_start_years = vec![b_start];
        p.deposit.mines.truncate(2);
        if !open_pit {
            p.deposit.open_pit = None;
        }
        let s = p.run(2, 1, seed);
        let r = assert_mass_balance(&s, p.plant.stockpile_initial_dry_t);
        prop_assert!(r.is_ok(), "{:?}", r);
        let bound = p.pad_bound(2);
        for q in s.quarters.iter().chain(&s.years) {
            let c = q.stockpile_closing_dry_t;
            prop_assert!(c >= 0.0 && c <= bound, "{}: pad {} bound {}", q.label, c, bound);
            prop_assert!(q.plant_feed_dry_t <= q.plant_target_dry_t * (1.0 + 1e-12));
        }
        for (name, left) in &s.reserves_left_dry_t {
            prop_assert!(*left >= 0.0, "{} left {}", name, left);
        }
    }
}
