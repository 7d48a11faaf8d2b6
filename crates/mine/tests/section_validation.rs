//! Validation of the section model against answers known independently of the code:
//! a deterministic cycle worked out by hand, alternating-renewal availability, the
//! finite-source (machine-repairman) queue, mass conservation, place exclusivity and
//! determinism across thread counts.

use manto_mine as mine;

use des::Summary;
use mine::calendar::CalendarConfig;
use mine::section::{simulate, Replication, RunSpec, SectionConfig, State};
use mine::section::{summarise, RunOptions, Targets};
use proptest::prelude::*;

/// A lean section with fixed times: one entry, one car, no failures.
/// Cut = 4.2 m x 2.5 m x 4.0 m x 2.0 t/m3 = 84 wet t = 7 loads of 12 t.
fn lean() -> String {
    r#"
[geometry]
entries = 1
entry_width_m = 4.2
max_span_m = 4.5
seam_height_m = 2.5
cut_depth_m = 4.0
max_cut_depth_m = 4.0
pillar_centres_m = 20
crosscut_centres_m = 20
insitu_density_wet_t_per_m3 = 2.0
moisture_pct = 25
max_entry_lead_m = 20

[miner]
cutting_rate_t_per_min = 6
tram_speed_m_per_min = 10
place_change_min = 0

[bolters]
count = 1
booms = 1
bolts_per_row = 4
row_spacing_m = 1.0
drill_time_min = 0.5
install_time_min = 0.5
place_change_min = 0
tram_speed_m_per_min = 10

[haulage]
kind = "shuttle_car"
count = 1
payload_t = 12
loaded_speed_m_per_min = 100
empty_speed_m_per_min = 100
change_out_s = 0
dump_time_s = 0
fixed_haul_m = 100

[feeder]
capacity_t_per_h = 720
setback_m = 10
move_every_m = 0
move_h = 0

[belt]
capacity_t_per_h = 1000000
"#
    .to_string()
}

fn section(src: &str) -> SectionConfig {
    let cfg: SectionConfig = toml::from_str(src).expect("test section parses");
    let problems = cfg.validate("section");
    assert!(problems.is_empty(), "{problems:?}");
    cfg
}

/// Three 8 h production shifts a day, seven days, with the given breaks.
fn calendar(travel_in_min: f64, meal_min: f64, travel_out_min: f64) -> CalendarConfig {
    toml::from_str(&format!(
        "shift_length_h = 8\nshifts = [\"production\", \"production\", \"production\"]\ndays_per_week = 7\n\
         travel_in_min = {travel_in_min}\nmeal_break_min = {meal_min}\ntravel_out_min = {travel_out_min}\n"
    ))
    .unwrap()
}

fn run_one(cfg: &SectionConfig, cal: &CalendarConfig, days: u32, rep: u64) -> Replication {
    simulate(
        cfg,
        cal,
        RunSpec {
            days,
            warmup_days: 1,
            streams: des::StreamKey::root(42).child(rep),
            check_invariants: true,
            stop_after_wet_t: None,
            seam_height_m: None,
        },
    )
}

#[test]
fn deterministic_cycle_matches_the_hand_calculation() {
    // By hand: a load of 12 t at 6 t/min takes 2 min; the car then hauls 100 m at
    // 100 m/min (1 min), dumps 12 t at 720 t/h (1 min) and returns (1 min), so loads start
    // every 5 min and the 7th ends at 6 x 5 + 2 = 32 min. Bolting 4 rows x 4 bolts x
    // (0.5 + 0.5) min = 16 min follows, so a cut cycle is 48 min for 84 wet t.
    // A 480 min shift with no breaks holds exactly 10 cycles: 840 wet t, 630 dry t,
    // 10 cuts, 40 m, 160 bolts, 70 loads, in every shift.
    let cfg = section(&lean());
    let r = run_one(&cfg, &calendar(0.0, 0.0, 0.0), 5, 0);
    assert_eq!(r.shifts.len(), 15);
    for s in &r.shifts {
        assert!((s.wet_t - 840.0).abs() < 1e-6, "{s:?}");
        assert!((s.dry_t - 630.0).abs() < 1e-6, "{s:?}");
        assert_eq!((s.cuts, s.bolts, s.loads), (10, 160, 70));
        assert!((s.advance_m - 40.0).abs() < 1e-9);
    }
    // The miner cuts 7 x 2 = 14 min of each 48: working fraction 14/48.
    let cm = &r.machines[0];
    let total: u64 = cm.state_ms.iter().sum();
    let working = cm.state_ms[State::Working as usize] as f64 / total as f64;
    assert!((working - 14.0 / 48.0).abs() < 1e-9, "{working}");
    // Between loads it waits 3 min for the car, 6 times a cut (18 min), then 16 min for
    // the bolted place: 18/48 and 16/48.
    let wait_car = cm.state_ms[State::WaitingForCar as usize] as f64 / total as f64;
    let wait_place = cm.state_ms[State::WaitingForPlace as usize] as f64 / total as f64;
    assert!((wait_car - 18.0 / 48.0).abs() < 1e-9, "{wait_car}");
    assert!((wait_place - 16.0 / 48.0).abs() < 1e-9, "{wait_place}");
}

#[test]
fn breaks_pause_the_cycle_without_losing_work() {
    // With 30 min travel in and a 30 min meal, 420 working min per shift: the 48 min cycle
    // runs on across the pauses, so the long-run rate is 420/48 x 84 = 735 wet t/shift.
    // Counting whole loads over 30 days (90 shifts) can miss at most one cut at each end
    // of the window: 2 x 84 / 90 = 1.87 t.
    let cfg = section(&lean());
    let r = run_one(&cfg, &calendar(30.0, 30.0, 0.0), 30, 0);
    assert_eq!(r.shifts.len(), 90);
    let wet = r.mean_per_shift(|s| s.wet_t);
    assert!((wet - 735.0).abs() < 1.87, "{wet}");
    // Idle (travel and meal) is 60 of 480 scheduled minutes for every machine.
    for m in &r.machines {
        let total: u64 = m.state_ms.iter().sum();
        assert_eq!(total, 90 * 480 * 60_000, "{}", m.name);
        let idle = m.state_ms[State::Idle as usize] as f64 / total as f64;
        assert!(idle >= 60.0 / 480.0 - 1e-9, "{} idle {idle}", m.name);
    }
}

fn standard_error(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn availability_matches_mtbf_over_mtbf_plus_mttr() {
    // The belt's failure clock runs whenever the section works (here all the time) and
    // repairs take elapsed time: an alternating renewal process whose long-run broken-down
    // fraction is MTTR / (MTBF + MTTR) = 2 / (10 + 2) = 1/6, whatever the distributions.
    let src = lean().replace(
        "capacity_t_per_h = 1000000\n",
        "capacity_t_per_h = 1000000\n[[belt.failures]]\nname = \"splice\"\n\
         tbf_h = { dist = \"exponential\", mean = 10 }\nttr_h = { dist = \"lognormal\", mean = 2, sd = 1 }\n",
    );
    let cfg = section(&src);
    let cal = calendar(0.0, 0.0, 0.0);
    let fractions: Vec<f64> = (0..10)
        .map(|rep| {
            let r = run_one(&cfg, &cal, 200, rep);
            let belt = r.machines.last().unwrap();
            let total: u64 = belt.state_ms.iter().sum();
            belt.state_ms[State::BrokenDown as usize] as f64 / total as f64
        })
        .collect();
    let (mean, se) = standard_error(&fractions);
    assert!((mean - 1.0 / 6.0).abs() < 4.0 * se, "broken {mean} +- {se}");
    assert!(se < 0.01, "{se}");
}

/// Throughput of the finite-source queue with one exponential server (rate mu) and K
/// customers thinking for a mean time 1/lambda (any distribution: the infinite-server
/// station is insensitive): X = mu (1 - p0), p0 = 1 / sum_n K!/(K-n)! (lambda/mu)^n.
#[test]
fn miner_and_cars_match_the_machine_repairman_queue() {
    // Miner loads a car in an exponential time of mean 1 min (car_load_time_min); bolting
    // and tramming take no time, so the miner is a single exponential server. Each car's
    // cycle away from the miner is fixed: 100 m at 100 m/min loaded, an instant dump,
    // 100 m empty = 2 min, so lambda/mu = 0.5.
    // By hand for K = 3: sum = 1 + 3(0.5) + 6(0.25) + 6(0.125) = 4.75, p0 = 0.2105263,
    // X = 0.7894737 loads/min = 378.947 loads per 480 min shift.
    // For K = 1: X = 1/(1 + 2) = 0.3333 loads/min = 160 loads/shift.
    for (k, expected_per_shift) in [(3u32, 378.947_368), (1, 160.0)] {
        let src = lean()
            .replace("count = 1\npayload_t", &format!("count = {k}\npayload_t"))
            .replace(
                "cutting_rate_t_per_min = 6\n",
                "cutting_rate_t_per_min = 6\ncar_load_time_min = { dist = \"exponential\", mean = 1 }\n",
            )
            .replace("drill_time_min = 0.5", "drill_time_min = 0")
            .replace("install_time_min = 0.5", "install_time_min = 0")
            .replace("capacity_t_per_h = 720", "capacity_t_per_h = 1e12");
        let cfg = section(&src);
        let cal = calendar(0.0, 0.0, 0.0);
        let loads: Vec<f64> = (0..8)
            .map(|rep| run_one(&cfg, &cal, 60, rep).mean_per_shift(|s| f64::from(s.loads)))
            .collect();
        let (mean, se) = standard_error(&loads);
        assert!(
            (mean - expected_per_shift).abs() < 4.0 * se,
            "K={k}: {mean} +- {se} vs {expected_per_shift}"
        );
        assert!(
            se / expected_per_shift < 0.01,
            "K={k}: CI too wide to test anything"
        );
    }
}

fn boleo_like(entries: u32, bolters: u32, cars: u32, failures: bool) -> SectionConfig {
    let fail = |mean: f64| {
        if failures {
            format!("\n[[{{}}.failures]]\nname = \"general\"\ntbf_h = {{ dist = \"exponential\", mean = {mean} }}\nttr_h = {{ dist = \"exponential\", mean = 0.7 }}\n")
        } else {
            String::new()
        }
    };
    let src = format!(
        r#"
[geometry]
entries = {entries}
entry_width_m = 4.2
max_span_m = 4.5
seam_height_m = 2.5
cut_depth_m = 3.5
max_cut_depth_m = 4.0
pillar_centres_m = 18
crosscut_centres_m = 18
insitu_density_wet_t_per_m3 = 2.0
moisture_pct = 25
max_entry_lead_m = 18

[miner]
cutting_rate_t_per_min = {{ dist = "triangular", min = 6, mode = 9, max = 11 }}
tram_speed_m_per_min = 12
place_change_min = {{ dist = "triangular", min = 3, mode = 5, max = 10 }}
{fm}
[bolters]
count = {bolters}
booms = 2
bolts_per_row = 4
row_spacing_m = 1.2
drill_time_min = {{ dist = "triangular", min = 0.6, mode = 0.8, max = 1.0 }}
install_time_min = {{ dist = "triangular", min = 1.5, mode = 2.1, max = 3.0 }}
place_change_min = {{ dist = "triangular", min = 4, mode = 6, max = 10 }}
tram_speed_m_per_min = 15
extra_support_probability = 0.1
extra_support_min = 20
{fb}
[haulage]
kind = "battery_hauler"
count = {cars}
payload_t = 12
loaded_speed_m_per_min = 100
empty_speed_m_per_min = 120
change_out_s = {{ dist = "triangular", min = 20, mode = 30, max = 60 }}
dump_time_s = 30
battery_change_every_h = 4
battery_change_min = 15
{fh}
[feeder]
capacity_t_per_h = 900
setback_m = 15
move_every_m = 54
move_h = 4
{ff}
[belt]
capacity_t_per_h = 1200
{fl}"#,
        fm = fail(25.0).replace("{}", "miner"),
        fb = fail(40.0).replace("{}", "bolters"),
        fh = fail(50.0).replace("{}", "haulage"),
        ff = fail(80.0).replace("{}", "feeder"),
        fl = fail(60.0).replace("{}", "belt"),
    );
    section(&src)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the layout and fleet: ore is conserved (cut = dumped + in cars), no two
    /// machines work one place, state fractions cover the scheduled time exactly, and
    /// the face keeps advancing.
    #[test]
    fn invariants_hold_for_any_section(
        entries in 1u32..7, bolters in 1u32..3, cars in 1u32..4,
        failures in any::<bool>(), rep in 0u64..1000,
    ) {
        let cfg = boleo_like(entries, bolters, cars, failures);
        let cal = calendar(30.0, 30.0, 15.0);
        let r = run_one(&cfg, &cal, 4, rep);
        let m = &r.mass;
        prop_assert!((m.cut_wet_t - m.dumped_wet_t - m.in_cars_wet_t).abs() < 1e-6 * m.cut_wet_t.max(1.0),
            "cut {} dumped {} in cars {}", m.cut_wet_t, m.dumped_wet_t, m.in_cars_wet_t);
        prop_assert!(m.in_cars_wet_t <= f64::from(cars) * 12.0 + 1e-9);
        prop_assert!(r.max_machines_per_place <= 1);
        let scheduled = r.shifts.len() as u64 * 480 * 60_000;
        for mac in &r.machines {
            prop_assert_eq!(mac.state_ms.iter().sum::<u64>(), scheduled, "{}", &mac.name);
        }
        let cuts: u32 = r.shifts.iter().map(|s| s.cuts).sum();
        prop_assert!(cuts > 0);
    }
}

#[test]
fn same_seed_gives_identical_json_on_one_and_two_threads() {
    let cfg = boleo_like(5, 1, 2, true);
    let cal = calendar(30.0, 30.0, 15.0);
    let targets = Targets {
        plant_feed_dry_t_per_year: vec![2.6e6],
        underground_share_pct: 94.0,
    };
    let opts = RunOptions {
        days: 10,
        warmup_days: 1,
        replications: 6,
        seed: 7,
    };
    let json_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let r = mine::section::run("t", &cfg, &cal, opts, &targets, &|| {});
            serde_json::to_string(&r).unwrap()
        })
    };
    let one = json_with(1);
    assert_eq!(one, json_with(2));
    // A different seed gives a different answer (the seed is really used).
    let other = mine::section::run(
        "t",
        &cfg,
        &cal,
        RunOptions { seed: 8, ..opts },
        &targets,
        &|| {},
    );
    assert_ne!(one, serde_json::to_string(&other).unwrap());
}

#[test]
fn summaries_carry_confidence_intervals() {
    let cfg = boleo_like(5, 1, 2, true);
    let cal = calendar(30.0, 30.0, 15.0);
    let opts = RunOptions {
        days: 10,
        warmup_days: 1,
        replications: 5,
        seed: 1,
    };
    let reps: Vec<Replication> = (0..5).map(|r| run_one(&cfg, &cal, 10, r)).collect();
    let targets = Targets {
        plant_feed_dry_t_per_year: vec![2.6e6],
        underground_share_pct: 100.0,
    };
    let s = summarise("t", &reps, opts, &cal, &targets);
    let per_rep: Vec<f64> = reps.iter().map(|r| r.mean_per_shift(|t| t.dry_t)).collect();
    assert_eq!(s.dry_tonnes_per_shift, Summary::of(&per_rep));
    assert!(s.dry_tonnes_per_shift.ci95_low < s.dry_tonnes_per_shift.mean);
    // Dry is exactly 75% of wet at 25% moisture.
    assert!((s.dry_tonnes_per_shift.mean - 0.75 * s.wet_tonnes_per_shift.mean).abs() < 1e-9);
    for m in &s.machines {
        let sum: f64 = m.state_fractions.values().sum();
        assert!((sum - 1.0).abs() < 1e-9, "{}: {sum}", m.name);
    }
    // Sections needed: target / annual rate per section, rounded up.
    let per_year = s.dry_tonnes_per_year.mean;
    assert_eq!(
        s.sections_needed[0].sections,
        Some((2.6e6_f64 / per_year).ceil() as u32)
    );
}

/// The opt-in trace (the report's Gantt chart of one shift) is the model's own state
/// accounting spell by spell: per machine and state its segments add up to the state times
/// of the replication, the replication is the one `simulate` gives, and the segments of a
/// machine never overlap.
#[test]
fn trace_segments_sum_to_the_machine_state_times() {
    let cfg = boleo_like(5, 2, 2, true);
    let cal = calendar(30.0, 30.0, 30.0);
    let spec = RunSpec {
        days: 3,
        warmup_days: 1,
        streams: des::StreamKey::root(7).child(0),
        check_invariants: false,
        stop_after_wet_t: None,
        seam_height_m: None,
    };
    let (rep, trace) = mine::section::simulate_traced(&cfg, &cal, spec);
    assert_eq!(rep, simulate(&cfg, &cal, spec), "tracing changed the run");
    assert!(!trace.is_empty());
    let mut sums = vec![[0u64; mine::section::N_STATES]; rep.machines.len()];
    for s in &trace {
        assert!(s.end > s.start);
        assert!(
            s.shift < rep.shifts.len() + 1,
            "shift {} of {}",
            s.shift,
            rep.shifts.len()
        );
        sums[s.machine][s.state as usize] += (s.end - s.start).0;
    }
    for (m, sum) in rep.machines.iter().zip(&sums) {
        assert_eq!(&m.state_ms, sum, "{}", m.name);
        let total: u64 = sum.iter().sum();
        assert!(total > 0, "{} has no counted time", m.name);
    }
    // Spells of one machine follow each other without overlap.
    for i in 0..rep.machines.len() {
        let mut spells: Vec<_> = trace.iter().filter(|s| s.machine == i).collect();
        spells.sort_by_key(|s| s.start);
        for w in spells.windows(2) {
            assert!(
                w[0].end <= w[1].start,
                "machine {i}: {:?} overlaps {:?}",
                w[0],
                w[1]
            );
        }
    }
    // More than one state appears (the trace is not one flat spell per shift).
    let states: std::collections::HashSet<_> = trace.iter().map(|s| s.state).collect();
    assert!(states.len() >= 4, "{states:?}");
}
