//! The ground model against answers known independently of the code: the class chain's
//! stationary shares and geometric runs, Poisson fall counts under a constant hazard, a
//! deterministic cycle with class-specific support worked out by hand, pillar formulas
//! against published forms, and an all-one-class ground equal to the section's own
//! parameters reproducing the section without ground draw for draw.

use manto_mine as mine;

use mine::calendar::CalendarConfig;
use mine::ground::{pillar, Chain, GroundConfig, PillarConfig, PillarFormula, Prepared};
use mine::section::{simulate, simulate_in, Replication, RunSpec, SectionConfig};

/// The lean section of `section_validation.rs`: one entry, one car, fixed times, no
/// failures (cut 4 m; 4 bolts a row at 1 m, 0.5 + 0.5 min a bolt, one boom).
fn lean() -> SectionConfig {
    let src = r#"
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
"#;
    let cfg: SectionConfig = toml::from_str(src).expect("test section parses");
    assert!(cfg.validate("section").is_empty());
    cfg
}

fn calendar() -> CalendarConfig {
    toml::from_str(
        "shift_length_h = 8\nshifts = [\"production\", \"production\", \"production\"]\ndays_per_week = 7\n\
         travel_in_min = 0\nmeal_break_min = 0\ntravel_out_min = 0\n",
    )
    .unwrap()
}

fn ground(src: &str) -> GroundConfig {
    let g: GroundConfig =
        toml::from_str(&format!("rating = \"cmrr\"\n{src}")).expect("test ground parses");
    let problems = g.validate("ground", 4.2, &[]);
    assert!(problems.is_empty(), "{problems:?}");
    g
}

fn spec(days: u32, rep: u64) -> RunSpec {
    RunSpec {
        days,
        warmup_days: 1,
        streams: des::StreamKey::root(42).child(rep),
        check_invariants: true,
        stop_after_wet_t: None,
        seam_height_m: None,
    }
}

/// One class named `name` with the given extra keys (support and falls tables included).
fn class(name: &str, share: f64, run_m: f64, body: &str) -> String {
    format!(
        "[[classes]]\nname = \"{name}\"\nrating_min = 0\nrating_max = 100\nshare = {share}\nmean_run_m = {run_m}\nmax_span_m = 4.5\n{body}\n"
    )
}

const SUPPORT_AS_LEAN: &str =
    "max_cut_depth_m = 4.0\n[classes.support]\nbolts_per_row = 4\nrow_spacing_m = 1.0\nbolt_length_m = 1.8\n";

#[test]
fn a_deterministic_cycle_with_class_support_gives_the_hand_advance() {
    // By hand. The class allows a 2 m cut: 4.2 x 2.5 x 2 x 2.0 = 42 wet t, three 12 t loads
    // and one of 6 t. It halves the cutting rate (3 t/min): a 12 t load takes 4 min, the
    // car is back 3 min later (haul 1, dump 12 t at 720 t/h 1, return 1), so loads start
    // at 0, 7, 14 and 21 min and the last (6 t, 2 min) ends at 23 min. Support: 2 rows of
    // 4 bolts at 1 min a bolt (8 min), one strap a row at 1 min (2 min) and mesh at 1 min/m
    // (2 min): 12 min. The single entry is cut again when bolted: a 35 min cycle. The
    // counted window is [1,440, 8,640) min (warm-up one day, five days of three 8 h
    // shifts). Cuts end at 23 + 35k: k = 41..=246, 206 cuts, 412 m. Bolting ends at
    // 35(k + 1): k + 1 = 42..=246, 205 bolted cuts of 8 bolts.
    let cfg = lean();
    let g = ground(&class(
        "soft",
        1.0,
        50.0,
        "max_cut_depth_m = 2.0\ncutting_rate_factor = 0.5\n[classes.support]\nbolts_per_row = 4\nrow_spacing_m = 1.0\nbolt_length_m = 1.8\nstraps_per_row = 1\nstrap_min = 1\nmesh_min_per_m = 1\n",
    ));
    let p = Prepared::new(&g, "any");
    let r = simulate_in(&cfg, &calendar(), spec(5, 0), Some(&p));
    assert_eq!(r.shifts.len(), 15);
    let cuts: u32 = r.shifts.iter().map(|s| s.cuts).sum();
    let advance: f64 = r.shifts.iter().map(|s| s.advance_m).sum();
    let bolts: u32 = r.shifts.iter().map(|s| s.bolts).sum();
    assert_eq!(cuts, 206);
    assert!((advance - 412.0).abs() < 1e-9, "{advance}");
    assert_eq!(bolts, 205 * 8);
    // Per shift: 480 / 35 cycles of 2 m, 27.43 m on average; the derived support time per
    // metre is 12 min / 2 m = 6 min/m, and the bolter's recorded support time is 12 min a
    // bolted cut.
    let per_shift = advance / 15.0;
    assert!(
        (per_shift - 480.0 / 35.0 * 2.0).abs() < 2.0 / 15.0 + 1e-9,
        "{per_shift}"
    );
    let s = &g.classes[0].support;
    assert!((s.minutes_per_m(0.5, 0.5, 1, 2.0) - 6.0).abs() < 1e-12);
    let support: f64 = r.shifts.iter().map(|s| s.ground.support_min).sum();
    // Support time is counted when bolting starts: at 35k + 23, k = 41..=246 (206 cuts).
    assert!((support - 206.0 * 12.0).abs() < 1e-6, "{support}");
    // The same section without the class's limits cuts 4 m a cycle of 48 min (the hand
    // answer of section_validation): the class is what slowed it.
    let plain = simulate(&cfg, &calendar(), spec(5, 0));
    let plain_adv: f64 = plain.shifts.iter().map(|s| s.advance_m).sum();
    assert!((plain_adv - 15.0 * 40.0).abs() < 1e-9);
}

#[test]
fn one_class_equal_to_the_section_reproduces_the_section_draw_for_draw() {
    // The bundled El Boleo section (random times, failures, extra support): a ground of one
    // class with the bolters' own pattern, factors 1 and no falls draws the machines'
    // streams exactly as without ground, so every shift and machine state is identical.
    let text = include_str!("../../../scenarios/boleo.toml");
    let doc: toml::Table = toml::from_str(text).unwrap();
    let cfg: SectionConfig = doc["section"].clone().try_into().unwrap();
    let cal: CalendarConfig = doc["calendar"].clone().try_into().unwrap();
    let g = ground(&class(
        "all",
        1.0,
        30.0,
        "max_cut_depth_m = 4.0\n[classes.support]\nbolts_per_row = 4\nrow_spacing_m = 1.2\nbolt_length_m = 1.8\nextra_support_probability = 0.10\nextra_support_min = { dist = \"triangular\", min = 10, mode = 20, max = 45 }\n",
    ));
    let p = Prepared::new(&g, "any");
    for rep in 0..3 {
        let a = simulate(&cfg, &cal, spec(20, rep));
        let mut b = simulate_in(&cfg, &cal, spec(20, rep), Some(&p));
        assert!(b.ground.is_some());
        b.ground = None;
        for s in &mut b.shifts {
            assert_eq!(s.ground.falls, 0.0);
            s.ground = Default::default();
        }
        assert_eq!(a, b, "replication {rep}");
    }
    // And a deliberately different class (a 3 m cut) does change the run: the test can fail.
    let g2 = ground(&class(
        "all",
        1.0,
        30.0,
        "max_cut_depth_m = 3.0\n[classes.support]\nbolts_per_row = 4\nrow_spacing_m = 1.2\nbolt_length_m = 1.8\n",
    ));
    let p2 = Prepared::new(&g2, "any");
    let a = simulate(&cfg, &cal, spec(20, 0));
    let b = simulate_in(&cfg, &cal, spec(20, 0), Some(&p2));
    assert_ne!(a.shifts, b.shifts);
}

#[test]
fn the_class_chain_has_the_declared_shares_and_geometric_runs() {
    // Three classes: shares 0.5 / 0.3 / 0.2, mean runs 40 / 20 / 10 m, 1 m steps.
    let g = ground(&format!(
        "{}{}{}",
        class("a", 0.5, 40.0, SUPPORT_AS_LEAN),
        class("b", 0.3, 20.0, SUPPORT_AS_LEAN),
        class("c", 0.2, 10.0, SUPPORT_AS_LEAN)
    ));
    let chain = Chain::new(&g, &[0.5, 0.3, 0.2]).unwrap();
    let mut rng = des::StreamKey::root(7).stream();
    let n = 2_000_000;
    let mut counts = [0usize; 3];
    let mut runs: [Vec<f64>; 3] = Default::default();
    let mut cur = chain.start(&mut rng);
    let mut len = 1.0;
    for _ in 0..n {
        counts[cur as usize] += 1;
        let next = chain.next(cur, &mut rng);
        if next == cur {
            len += 1.0;
        } else {
            runs[cur as usize].push(len);
            len = 1.0;
            cur = next;
        }
    }
    for (i, (share, run)) in [(0.5, 40.0), (0.3, 20.0), (0.2, 10.0)].iter().enumerate() {
        let got = counts[i] as f64 / n as f64;
        // Runs of ~20 steps make the share's standard error about sqrt(n/20)... loose 1%.
        assert!(
            (got - share).abs() < 0.01,
            "class {i}: share {got} vs {share}"
        );
        let r = &runs[i];
        let mean = r.iter().sum::<f64>() / r.len() as f64;
        let var = r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r.len() - 1) as f64;
        // Geometric on 1, 2, ...: mean 1/p = run, variance (1 - p)/p^2 = run (run - 1).
        let se = (run * (run - 1.0) / r.len() as f64).sqrt();
        assert!(
            (mean - run).abs() < 4.0 * se,
            "class {i}: mean run {mean} vs {run}"
        );
        let v = run * (run - 1.0);
        assert!(
            (var / v - 1.0).abs() < 0.08,
            "class {i}: run variance {var} vs {v}"
        );
        // P(run = 1) = p.
        let p1 = r.iter().filter(|&&x| x == 1.0).count() as f64 / r.len() as f64;
        assert!((p1 - 1.0 / run).abs() < 0.02, "class {i}: P(1) {p1}");
    }
}

#[test]
fn shares_that_cannot_hold_with_their_runs_are_refused() {
    // Two classes: the shares must be the runs' proportions (30/(30+10) = 0.75).
    let g: GroundConfig = toml::from_str(&format!(
        "rating = \"cmrr\"\n{}{}",
        class("a", 0.5, 30.0, SUPPORT_AS_LEAN),
        class("b", 0.5, 10.0, SUPPORT_AS_LEAN)
    ))
    .unwrap();
    let p = g.validate("ground", 4.2, &[]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "ground.classes");
    assert!(p[0].message.contains("0.75"), "{}", p[0].message);
    // Three classes where one's flow (share / run) exceeds the others' together.
    let g: GroundConfig = toml::from_str(&format!(
        "rating = \"cmrr\"\n{}{}{}",
        class("a", 0.8, 1.0, SUPPORT_AS_LEAN),
        class("b", 0.1, 100.0, SUPPORT_AS_LEAN),
        class("c", 0.1, 100.0, SUPPORT_AS_LEAN)
    ))
    .unwrap();
    assert!(!g.validate("ground", 4.2, &[]).is_empty());
}

fn fall_runs(per_km: f64, reps: u64) -> Vec<(f64, f64)> {
    // A constant hazard: supported falls at `per_km` per km, nothing else, no clean-up time.
    let cfg = lean();
    let g = ground(&class(
        "f",
        1.0,
        50.0,
        &format!("{SUPPORT_AS_LEAN}[classes.falls]\nper_km = {per_km}\n"),
    ));
    let p = Prepared::new(&g, "any");
    (0..reps)
        .map(|rep| {
            let r: Replication = simulate_in(&cfg, &calendar(), spec(10, rep), Some(&p));
            let t = &r.ground.as_ref().unwrap()[0];
            (t.ground.falls, per_km * t.advance_m / 1_000.0)
        })
        .collect()
}

#[test]
fn a_constant_fall_hazard_gives_poisson_counts() {
    // 10 days of 30 shifts x 40 m = 1.2 km; 5 falls/km gives a mean of about 6 a run.
    let runs = fall_runs(5.0, 400);
    let n = runs.len() as f64;
    let z: Vec<f64> = runs.iter().map(|(k, m)| (k - m) / m.sqrt()).collect();
    let mean_z = z.iter().sum::<f64>() / n;
    let var_z = z.iter().map(|x| (x - mean_z).powi(2)).sum::<f64>() / (n - 1.0);
    // Poisson: standardised counts have mean 0 and variance 1 (index of dispersion 1).
    assert!(mean_z.abs() < 4.0 / n.sqrt(), "mean z {mean_z}");
    assert!((var_z - 1.0).abs() < 0.25, "variance z {var_z}");
    let total: f64 = runs.iter().map(|r| r.0).sum();
    let expected: f64 = runs.iter().map(|r| r.1).sum();
    assert!(
        (total / expected - 1.0).abs() < 4.0 / expected.sqrt(),
        "{total} vs {expected}"
    );
}

#[test]
fn pillar_formulas_match_their_published_forms() {
    // Mark-Bieniawski on a square pillar is Bieniawski's square-pillar formula (Mark &
    // Chase 1997): 0.64 + 0.54 w/h - 0.18 w/h = 0.64 + 0.36 w/h.
    let (w, h) = (13.8, 2.5);
    let mb = pillar::strength_mpa(PillarFormula::MarkBieniawski, 6.2, w, w, h);
    let b = pillar::strength_mpa(PillarFormula::Bieniawski, 6.2, w, w, h);
    assert!((mb - b).abs() < 1e-12);
    // By hand, ARMPS's in-situ coal strength S1 = 6.2 MPa (900 psi, Mark & Chase 1997),
    // a 13.8 m x 31.8 m pillar 2.5 m high: 6.2 (0.64 + 0.54 x 5.52 - 0.18 x 13.8^2 /
    // (31.8 x 2.5)) = 6.2 (0.64 + 2.9808 - 0.431185) = 19.7756 MPa.
    let s = pillar::strength_mpa(PillarFormula::MarkBieniawski, 6.2, 13.8, 31.8, 2.5);
    assert!((s - 6.2 * (0.64 + 2.9808 - 0.18 * 13.8 * 13.8 / (31.8 * 2.5))).abs() < 1e-9);
    assert!((s - 19.775_61).abs() < 1e-4, "{s}");
    // Salamon & Munro (1967): K = 7.176 MPa, h^-0.66 w^0.46; a 1 m cube is K itself and a
    // 10 m wide, 2 m high pillar is 7.176 x 2^-0.66 x 10^0.46 = 13.0979 MPa.
    assert!(
        (pillar::strength_mpa(PillarFormula::SalamonMunro, 7.176, 1.0, 1.0, 1.0) - 7.176).abs()
            < 1e-12
    );
    let sm = pillar::strength_mpa(PillarFormula::SalamonMunro, 7.176, 10.0, 10.0, 2.0);
    assert!((sm - 7.176 * 2f64.powf(-0.66) * 10f64.powf(0.46)).abs() < 1e-12);
    assert!((sm - 13.0979).abs() < 1e-3, "{sm}");
    // Tributary area (Brady & Brown, Rock Mechanics for Underground Mining, ch. 13): 25 kN/m3
    // (2.549 t/m3) at 75 m under 12 m centres on 7 m square pillars: 1.875 x (12/7)^2 =
    // 5.5102 MPa; extraction 1 - 49/144 = 0.6597.
    let rho = 25.0 / 9.806_65;
    let st = pillar::tributary_stress_mpa(rho, 75.0, 12.0, 12.0, 7.0, 7.0);
    assert!((st - 1.875 * (12.0f64 / 7.0).powi(2)).abs() < 1e-9, "{st}");
    assert!((pillar::extraction_ratio(12.0, 12.0, 7.0, 7.0) - (1.0 - 49.0 / 144.0)).abs() < 1e-12);
}

#[test]
fn sized_pillars_meet_the_minimum_safety_factor_exactly() {
    let cfg = PillarConfig {
        formula: PillarFormula::MarkBieniawski,
        strength_mpa: 6.2,
        depth_of_cover_m: 250.0,
        overburden_density_t_per_m3: 2.3,
        min_safety_factor: 1.5,
        size: true,
    };
    let c = pillar::check(&cfg, "m", 4.2, 18.0, 18.0, 2.5);
    assert!((c.safety_factor - 1.5).abs() < 1e-3, "{c:?}");
    // The declared 13.8 m square pillar at 250 m: strength 6.2 (0.64 + 0.36 x 5.52) =
    // 16.2886 MPa, load 2.3 x 9.80665 x 250 / 1000 x (18 / 13.8)^2 = 9.5935 MPa, SF 1.6979:
    // sizing for 1.5 makes the pillars smaller and extraction higher.
    let fixed = pillar::check(
        &PillarConfig {
            size: false,
            ..cfg.clone()
        },
        "m",
        4.2,
        18.0,
        18.0,
        2.5,
    );
    assert!((fixed.safety_factor - 1.697_89).abs() < 1e-4, "{fixed:?}");
    assert!(c.width_m < 13.8 && c.extraction > fixed.extraction && c.tonnage_factor > 1.0);
}
