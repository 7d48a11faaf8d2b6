//! The build schedule: CPM against textbook answers, the Monte Carlo against closed forms,
//! the register, the financing window, costs, determinism and bad input.

use manto_study::build::{self, ConstructionConfig, Model};
use manto_study::Silent;
use serde::Deserialize;

#[derive(Deserialize)]
struct Doc {
    construction: ConstructionConfig,
}

fn model(toml: &str) -> Model {
    let d: Doc = des::input::parse(toml, "t.toml").unwrap_or_else(|e| panic!("{e}"));
    let problems = d.construction.validate();
    assert!(problems.is_empty(), "{problems:?}");
    match Model::new(&d.construction, None) {
        Ok(m) => m,
        Err(e) => panic!("{e:?}"),
    }
}

/// An inline network: `(id, duration)` and `(from, to, type, lag)`.
fn network(acts: &[(&str, &str)], rels: &[(&str, &str, &str, f64)], extra: &str) -> String {
    let mut s = String::from("[construction]\nstart_date = \"2007-06-01\"\niterations = 100\n");
    s.push_str(extra);
    for (id, d) in acts {
        s.push_str(&format!(
            "[[construction.activities]]\nid = \"{id}\"\nduration_days = {d}\n"
        ));
    }
    for (f, t, k, lag) in rels {
        s.push_str(&format!(
            "[[construction.relationships]]\nfrom = \"{f}\"\nto = \"{t}\"\ntype = \"{k}\"\nlag_days = {lag}\n"
        ));
    }
    s
}

fn idx(m: &Model, id: &str) -> usize {
    m.network
        .activities
        .iter()
        .position(|a| a.id == id)
        .unwrap()
}

/// Hillier and Lieberman, *Introduction to Operations Research* (7th ed., 2001, §22.4 /
/// 9th ed. §10.3), the Reliable Construction Company project: 14 activities in weeks,
/// project duration 44 weeks, critical path A-B-C-E-F-J-L-N, and the book's table of
/// earliest and latest start times and slacks.
#[test]
fn reliable_construction_company_textbook_network() {
    let acts = [
        ("A", "2"),
        ("B", "4"),
        ("C", "10"),
        ("D", "6"),
        ("E", "4"),
        ("F", "5"),
        ("G", "7"),
        ("H", "9"),
        ("I", "7"),
        ("J", "8"),
        ("K", "4"),
        ("L", "5"),
        ("M", "2"),
        ("N", "6"),
    ];
    let fs = |f, t| (f, t, "FS", 0.0);
    let rels = [
        fs("A", "B"),
        fs("B", "C"),
        fs("C", "D"),
        fs("C", "E"),
        fs("E", "F"),
        fs("D", "G"),
        fs("E", "H"),
        fs("G", "H"),
        fs("C", "I"),
        fs("F", "J"),
        fs("I", "J"),
        fs("J", "K"),
        fs("J", "L"),
        fs("H", "M"),
        fs("K", "N"),
        fs("L", "N"),
    ];
    let m = model(&network(&acts, &rels, ""));
    let d = build::plan(&m);
    assert_eq!(d.finish, 44.0);
    // (activity, ES, LS) from the book's table; slack = LS - ES.
    let book = [
        ("A", 0.0, 0.0),
        ("B", 2.0, 2.0),
        ("C", 6.0, 6.0),
        ("D", 16.0, 20.0),
        ("E", 16.0, 16.0),
        ("F", 20.0, 20.0),
        ("G", 22.0, 26.0),
        ("H", 29.0, 33.0),
        ("I", 16.0, 18.0),
        ("J", 25.0, 25.0),
        ("K", 33.0, 34.0),
        ("L", 33.0, 33.0),
        ("M", 38.0, 42.0),
        ("N", 38.0, 38.0),
    ];
    for (id, es, ls) in book {
        let a = idx(&m, id);
        assert_eq!((d.es[a], d.ls[a]), (es, ls), "{id}");
    }
    let path: Vec<&str> = m
        .prepared
        .critical_path(&d)
        .iter()
        .map(|&a| m.network.activities[a].id.as_str())
        .collect();
    assert_eq!(path, ["A", "B", "C", "E", "F", "J", "L", "N"]);
    // Free float by hand: D's successor G starts at its EF (22), so 0; M ends the project
    // at 40 of 44: 4; K feeds N (ES 38) at 37: 1; I feeds J (ES 25) at 23: 2; G feeds
    // H (ES 29) at 29: 0.
    for (id, ff) in [
        ("D", 0.0),
        ("M", 4.0),
        ("K", 1.0),
        ("I", 2.0),
        ("G", 0.0),
        ("H", 0.0),
    ] {
        assert_eq!(m.prepared.free_float(&d, idx(&m, id)), ff, "{id}");
    }
    // A broken network (B lengthened) must not match the book.
    let mut broken = acts;
    broken[1].1 = "5";
    let m2 = model(&network(&broken, &rels, ""));
    assert_eq!(build::plan(&m2).finish, 45.0);
}

/// The four relationship types with lags and a lead, computed by hand with the PDM
/// formulas (PMI Practice Standard for Scheduling): A 10; B 8, SS A+3; C 6, FF B+2;
/// D 4, SF A+12 and FS C-3; E 2, SS A+1; F 1, FS E.
#[test]
fn four_relationship_types_with_lags_by_hand() {
    let acts = [
        ("A", "10"),
        ("B", "8"),
        ("C", "6"),
        ("D", "4"),
        ("E", "2"),
        ("F", "1"),
    ];
    let rels = [
        ("A", "B", "SS", 3.0),
        ("B", "C", "FF", 2.0),
        ("A", "D", "SF", 12.0),
        ("C", "D", "FS", -3.0),
        ("A", "E", "SS", 1.0),
        ("E", "F", "FS", 0.0),
    ];
    let m = model(&network(&acts, &rels, ""));
    let d = build::plan(&m);
    // ES, EF, LS, LF, total float, free float.
    let hand = [
        ("A", 0.0, 10.0, 0.0, 10.0, 0.0, 0.0),
        ("B", 3.0, 11.0, 3.0, 11.0, 0.0, 0.0),
        ("C", 7.0, 13.0, 7.0, 13.0, 0.0, 0.0),
        ("D", 10.0, 14.0, 10.0, 14.0, 0.0, 0.0),
        ("E", 1.0, 3.0, 11.0, 13.0, 10.0, 0.0),
        ("F", 3.0, 4.0, 13.0, 14.0, 10.0, 10.0),
    ];
    assert_eq!(d.finish, 14.0);
    for (id, es, ef, ls, lf, tf, ff) in hand {
        let a = idx(&m, id);
        assert_eq!(
            (
                d.es[a],
                d.ef[a],
                d.ls[a],
                d.lf[a],
                d.total_float(a),
                m.prepared.free_float(&d, a)
            ),
            (es, ef, ls, lf, tf, ff),
            "{id}"
        );
    }
}

/// A five-day calendar stretches 10 working days to 14 elapsed days, and a lag in the
/// successor's working days likewise.
#[test]
fn calendars_stretch_working_days() {
    let extra = "[[construction.calendars]]\nname = \"week\"\ndays_per_week = 5\n";
    let mut s = network(&[("A", "10"), ("B", "10")], &[("A", "B", "FS", 5.0)], extra);
    s = s.replace(
        "id = \"B\"\nduration_days = 10\n",
        "id = \"B\"\nduration_days = 10\ncalendar = \"week\"\n",
    );
    let m = model(&s);
    let d = build::plan(&m);
    let b = idx(&m, "B");
    assert_eq!((d.es[b], d.ef[b]), (17.0, 31.0));
}

/// Merge bias: independent parallel paths into one milestone. Path 1 is triangular
/// (0, 10, 20), P(<= 10) = 1/2; path 2 triangular (0, 10, 40), P(<= 10) = 10^2 / (40 x 10)
/// = 1/4; the plan (modes) finishes at 10 and P(on time) = 1/2 x 1/4 = 1/8.
#[test]
fn merge_bias_matches_the_product_of_path_probabilities() {
    let acts = [
        (
            "P1",
            "{ dist = \"triangular\", min = 0, mode = 10, max = 20 }",
        ),
        (
            "P2",
            "{ dist = \"triangular\", min = 0, mode = 10, max = 40 }",
        ),
        ("END", "0"),
    ];
    let rels = [("P1", "END", "FS", 0.0), ("P2", "END", "FS", 0.0)];
    let m = model(&network(&acts, &rels, "").replace("iterations = 100", "iterations = 20000"));
    let r = build::run(&m, 7, 20_000, &Silent);
    let fin = r.milestones.last().unwrap();
    assert_eq!(fin.planned_days, 10.0);
    let se = (0.125f64 * 0.875 / 20_000.0).sqrt() * 100.0;
    assert!(
        (fin.on_time_pct - 12.5).abs() < 4.0 * se,
        "{}",
        fin.on_time_pct
    );
    // Each path alone is on time with its own probability.
    let p1 = r.activities.iter().find(|a| a.id == "P1").unwrap();
    assert!((p1.finish_p50_days - 10.0).abs() < 0.3);
    let merge = r.merges.iter().find(|x| x.id == "END").unwrap();
    assert!((merge.on_time_pct - 12.5).abs() < 4.0 * se);
    assert!(merge.bias_days > 3.0, "{}", merge.bias_days);
    // Criticality: P1 is critical when it is the longer one, P(P1 > P2).
    let p2 = r.activities.iter().find(|a| a.id == "P2").unwrap();
    assert!((p1.criticality_pct + p2.criticality_pct - 100.0).abs() < 0.1);
    assert!(p2.criticality_pct > p1.criticality_pct);
    assert!(p2.cruciality > p1.cruciality);
}

/// The register: an event with probability 0.3 adding 10 days to a fixed 100-day activity
/// gives a mean finish of 103; a driver factor multiplies; the market window suspends with
/// standby and demobilisation costs; time-dependent cost is USD per month of duration.
#[test]
fn register_drivers_window_and_costs() {
    let month = build::DAYS_PER_MONTH;
    let extra = format!(
        "[construction.milestones]\nfinancial_close = \"FC\"\ncommercial_production = \"B\"\n\
         [[construction.risks]]\nname = \"late\"\nprobability = 0.3\nactivities = [\"A\"]\nadd_days = 10\n\
         [construction.financing]\nactivity = \"FC\"\nwindow_close_probability = 0.5\n\
         suspension_days = {}\nstandby_usd_per_month = 1000000\ndemob_remob_usd = 2000000\n",
        2.0 * month
    );
    let acts = [
        ("A", "100"),
        ("FC", "0"),
        ("B", &format!("{}", 3.0 * month) as &str),
    ];
    let rels = [("A", "FC", "FS", 0.0), ("FC", "B", "FS", 0.0)];
    let mut s = network(&acts, &rels, &extra).replace("iterations = 100", "iterations = 20000");
    s = s.replace(
        &format!("id = \"B\"\nduration_days = {}\n", 3.0 * month),
        &format!(
            "id = \"B\"\nduration_days = {}\nusd_per_month = 1000000\n",
            3.0 * month
        ),
    );
    let m = model(&s);
    let r = build::run(&m, 11, 20_000, &Silent);
    let fc = &r.milestones[0];
    // Mean FC = 100 + 0.3 x 10 + 0.5 x 2 months.
    let want = 103.0 + month;
    assert!(
        (fc.mean_days - want).abs() < 0.3,
        "{} vs {want}",
        fc.mean_days
    );
    // Cost: 3 months x 1M always; the window: 0.5 x (2 months x 1M + 2M) = 2M.
    assert_eq!(r.cost.planned_usd, 3e6);
    assert!(
        (r.cost.mean_usd - 5e6).abs() < 0.05e6,
        "{}",
        r.cost.mean_usd
    );
    // The S-curve ends at each iteration's total: the P10 is the plan (no suspension).
    let last = r.s_curve.last().unwrap();
    assert!((last.planned_usd - 3e6).abs() < 1.0);
    assert!((last.percentile_usd[0] - 3e6).abs() < 1.0);
    assert!((last.percentile_usd[2] - 7e6).abs() < 1.0);
    let ev = r.register.iter().find(|x| x.name == "late").unwrap();
    assert!((ev.occurred_pct - 30.0).abs() < 1.5);
    // The iteration the risk study couples to is the same draw as manto build's.
    let sm = build::Samplers::new(&m);
    let mut scratch = build::Scratch::default();
    let it = build::iteration(&m, &sm, 11, 5, &mut scratch);
    assert_eq!(it.milestone_days[0], r.per_iteration.days[5][0]);
    assert_eq!(it.cost_usd, r.per_iteration.cost_usd[5]);
}

/// Correlated drivers: two activities of 100 days, each scaled by its own driver, with
/// correlation 0.8 in the Gaussian copula: the rank correlation of the two finishes is
/// (6/pi) asin(0.8/2) = 0.786.
#[test]
fn driver_correlation_carries_to_the_durations() {
    let extra = "[construction.milestones]\nfinancial_close = \"A\"\ncommercial_production = \"B\"\n\
        [[construction.drivers]]\nname = \"d1\"\nfactor = { dist = \"triangular\", min = 0.8, mode = 1, max = 1.5 }\nactivities = [\"A\"]\n\
        [[construction.drivers]]\nname = \"d2\"\nfactor = { dist = \"triangular\", min = 0.8, mode = 1, max = 1.5 }\nactivities = [\"B\"]\n\
        [construction.correlation]\nnames = [\"d1\", \"d2\"]\nmatrix = [[1, 0.8], [0.8, 1]]\n";
    let m = model(&network(&[("A", "100"), ("B", "100")], &[], extra));
    let r = build::run(&m, 3, 5000, &Silent);
    let a: Vec<f64> = r.per_iteration.days.iter().map(|v| v[0]).collect();
    let b: Vec<f64> = r.per_iteration.days.iter().map(|v| v[1]).collect();
    let rho = manto_study::risk::spearman(&a, &b);
    let want = 6.0 / std::f64::consts::PI * (0.4f64).asin();
    assert!((rho - want).abs() < 0.03, "{rho} vs {want}");
    // Without the correlation the finishes are independent.
    let m0 = model(&network(
        &[("A", "100"), ("B", "100")],
        &[],
        &extra[..extra.find("[construction.correlation]").unwrap()],
    ));
    let r0 = build::run(&m0, 3, 5000, &Silent);
    let a0: Vec<f64> = r0.per_iteration.days.iter().map(|v| v[0]).collect();
    let b0: Vec<f64> = r0.per_iteration.days.iter().map(|v| v[1]).collect();
    assert!(manto_study::risk::spearman(&a0, &b0).abs() < 0.05);
}

#[test]
fn same_seed_same_result_whatever_the_threads() {
    let s = manto_study::load(Some("boleo-build"), &[]).unwrap();
    let m = s.construction_model().unwrap().unwrap();
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| serde_json::to_string(&build::run(&m, 5, 300, &Silent)).unwrap())
    };
    assert_eq!(run(1), run(3));
}

fn scenario_err(edit: impl Fn(&str) -> String) -> des::input::InputError {
    let base = manto_study::bundled("boleo-build").unwrap();
    manto_study::parse(&edit(base), "x.toml")
        .unwrap_err()
        .remove(0)
}

#[test]
fn bad_construction_input_names_line_and_key() {
    let base = manto_study::bundled("boleo-build").unwrap();
    let line_of = |needle: &str| base[..base.find(needle).unwrap()].lines().count() + 1;
    let e = scenario_err(|b| {
        b.replace(
            "from = \"SITE\"\nto = \"ACID\"",
            "from = \"SIET\"\nto = \"ACID\"",
        )
    });
    assert_eq!(e.path, "construction.relationships[13].from");
    assert!(e.message.contains("did you mean `SITE`"), "{}", e.message);
    assert_eq!(e.line, Some(line_of("from = \"SITE\"\nto = \"ACID\"")));
    let e = scenario_err(|b| {
        b.replace(
            "window_close_probability = 0.15",
            "window_close_probability = 1.5",
        )
    });
    assert_eq!(e.path, "construction.financing.window_close_probability");
    let e = scenario_err(|b| {
        b.replace("from = \"COMM\"\nto = \"COD\"", "from = \"COMM\"\nto = \"COD\"\n[[construction.relationships]]\nfrom = \"COD\"\nto = \"DFS\"")
    });
    assert_eq!(e.path, "construction.relationships");
    assert!(e.message.contains("loop"), "{}", e.message);
    let e =
        scenario_err(|b| b.replace("start_date = \"2007-06-01\"", "start_date = \"2007-13-01\""));
    assert_eq!(e.path, "construction.start_date");
    let e = scenario_err(|b| b.replace("id = \"BE\"\n", "id = \"BE\"\nduraton = 3\n"));
    assert!(e.message.contains("duraton"), "{}", e.message);
}

fn boleo_model() -> Model {
    let s = manto_study::load(Some("boleo-build"), &[]).unwrap();
    s.construction_model().unwrap().unwrap()
}

/// An XER file written from El Boleo's network reads back to the same network (after the
/// first write, which turns the built-in elapsed calendar into a file calendar), with the
/// same CPM dates.
#[test]
fn xer_round_trips_to_the_same_network() {
    let m = boleo_model();
    let text = build::xer::write(&m.network, &[1, 2], "2007-06-01", &[]);
    let once = build::xer::parse(&text, "a.xer").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(once.start_date.as_deref(), Some("2007-06-01"));
    assert_eq!(once.milestones, [1, 2]);
    let twice = build::xer::parse(
        &build::xer::write(
            &once.network,
            &once.milestones,
            "2007-06-01",
            &once.three_point,
        ),
        "b.xer",
    )
    .unwrap();
    assert_eq!(once.network.relations, twice.network.relations);
    assert_eq!(once.milestones, twice.milestones);
    assert_eq!(once.network.activities.len(), m.network.activities.len());
    for (a, b) in once.network.activities.iter().zip(&m.network.activities) {
        assert_eq!((&a.id, &a.name), (&b.id, &b.name));
        assert!((a.duration_days - b.duration_days).abs() < 1e-9, "{}", a.id);
    }
    let read = Model::from_file(once, "2007-06-01", 10).unwrap();
    let (p0, p1) = (build::plan(&m), build::plan(&read));
    for a in 0..p0.es.len() {
        assert!((p0.es[a] - p1.es[a]).abs() < 1e-6 && (p0.lf[a] - p1.lf[a]).abs() < 1e-6);
    }
}

const XER: &str = "ERMHDR\t19.12\n\
%T\tCALENDAR\n%F\tweek_hr_cnt\tclndr_name\tday_hr_cnt\tclndr_id\n%R\t40\tStandard\t8\t7\n\
%T\tTASK\n%F\ttarget_drtn_hr_cnt\ttask_name\tclndr_id\ttask_code\ttask_type\ttask_id\n\
%R\t80\tfirst\t7\tA\tTT_Task\t11\n%R\t40\tsecond\t7\tB\tTT_Task\t12\n%R\t0\tend\t7\tM\tTT_FinMile\t13\n\
%T\tTASKPRED\n%F\tlag_hr_cnt\tpred_type\tpred_task_id\ttask_id\n%R\t16\tPR_SS\t11\t12\n%R\t0\tPR_FS\t12\t13\n%R\t0\tPR_FS\t11\t13\n%E\n";

/// Fields are found by name, whatever their order: a 5-day, 8-hour calendar, 80 h = 10
/// working days = 14 elapsed; B starts 2 working days (16 h) after A starts: day 2.8.
#[test]
fn xer_fields_are_found_by_name() {
    let f = build::xer::parse(XER, "order.xer").unwrap_or_else(|e| panic!("{e}"));
    let m = Model::from_file(f, "2007-06-01", 10).unwrap();
    let d = build::plan(&m);
    assert_eq!(m.network.activities[0].duration_days, 10.0);
    assert!((d.es[1] - 2.8).abs() < 1e-9, "{}", d.es[1]);
    assert!((d.finish - 14.0).abs() < 1e-9);
    assert_eq!(m.milestones, [("M".to_string(), 2)]);
}

#[test]
fn malformed_xer_is_refused_at_line_and_field() {
    let e = build::xer::parse(&XER.replace("%R\t40\tsecond", "%R\tforty\tsecond"), "x.xer")
        .unwrap_err();
    assert_eq!(
        (e.line, e.path.as_str()),
        (Some(8), "TASK.target_drtn_hr_cnt")
    );
    assert!(
        e.to_string()
            .starts_with("x.xer:8: key `TASK.target_drtn_hr_cnt`"),
        "{e}"
    );
    let e = build::xer::parse(&XER.replace("\ttask_code\t", "\ttask_kode\t"), "x.xer").unwrap_err();
    assert_eq!((e.line, e.path.as_str()), (Some(6), "TASK.task_code"));
    let e = build::xer::parse(&XER.replace("PR_SS", "PR_XX"), "x.xer").unwrap_err();
    assert_eq!((e.line, e.path.as_str()), (Some(12), "TASKPRED.pred_type"));
    let e = build::xer::parse(&XER.replace("\t11\t12\n", "\t99\t12\n"), "x.xer").unwrap_err();
    assert_eq!(
        (e.line, e.path.as_str()),
        (Some(12), "TASKPRED.pred_task_id")
    );
    let e = build::xer::parse("hello\n", "x.xer").unwrap_err();
    assert_eq!(e.line, Some(1));
}

/// P6 has no native three-point fields: task UDFs labelled `Min Duration`, `Most Likely
/// Duration` and `Max Duration` (hours) are read as a triangular distribution, and written
/// back the same way.
#[test]
fn xer_three_point_udfs_are_read_and_written() {
    let udf = "%T\tUDFTYPE\n%F\tudf_type_label\ttable_name\tudf_type_id\n\
%R\tMax Duration\tTASK\t3\n%R\tmin duration\tTASK\t1\n%R\tMost Likely Duration\tTASK\t2\n%R\tMin Duration\tPROJECT\t9\n\
%T\tUDFVALUE\n%F\tfk_id\tudf_number\tudf_type_id\n%R\t11\t64\t1\n%R\t11\t80\t2\n%R\t11\t160\t3\n%R\t12\t1\t9\n%E\n";
    let text = XER.replace("%E\n", udf);
    let f = build::xer::parse(&text, "tp.xer").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f.three_point, [Some([8.0, 10.0, 20.0]), None, None]);
    let m = Model::from_file(f.clone(), "2007-06-01", 10).unwrap();
    assert_eq!(
        m.durations[0],
        des::Dist::triangular(8.0, 10.0, 20.0).unwrap()
    );
    assert!(m.durations[1].is_fixed());
    let back = build::xer::parse(
        &build::xer::write(&f.network, &f.milestones, "2007-06-01", &f.three_point),
        "tp2.xer",
    )
    .unwrap();
    assert_eq!(back.three_point, f.three_point);
    // Half an estimate, or one out of order, is refused at the task's line.
    let e = build::xer::parse(&text.replace("%R\t11\t160\t3\n", ""), "tp.xer").unwrap_err();
    assert_eq!((e.line, e.path.as_str()), (Some(7), "UDFVALUE.udf_number"));
    let e =
        build::xer::parse(&text.replace("%R\t11\t64\t1", "%R\t11\t96\t1"), "tp.xer").unwrap_err();
    assert!(e.message.contains("minimum <= most likely"), "{e}");
}

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

/// The hand-written MSPDI sample (tests/fixtures/sample-mspdi.xml): a 5-day, 8-hour
/// Standard calendar (7/5 elapsed days a working day), an elapsed-days task, SS with a
/// 5-day lag, FS with a 1-elapsed-day lag, FF, FS with a 1-day lead, SF; the summary task
/// skipped; the three-point estimate from Duration1-3. By hand, elapsed days:
/// 1: 0-14 (10 wd); 2: SS+5 wd = 7, 7-35 (20 wd); 3: FS+1 ed = 15, 15-25 (10 ed);
/// 4: FS from 3 -> 25, FF from 2 -> EF >= 35 -> ES >= 14; 25-46 (15 wd);
/// 5: FS-1 wd = 46 - 1.4 = 44.6, 44.6-51.6; 6 (milestone): 51.6. Late: LS2 = 46 - 28 = 18
/// (float 11); 1, 3, 4, 5, 6 critical.
#[test]
fn mspdi_sample_reads_as_hand_computed() {
    let f = build::mspdi::parse(&fixture("sample-mspdi.xml"), "sample-mspdi.xml")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f.network.name, "plant-build.xml");
    assert_eq!(f.start_date.as_deref(), Some("2008-01-07"));
    let ids: Vec<&str> = f.network.activities.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(f.network.calendars.len(), 2);
    assert_eq!(f.network.calendars[1].name, "Standard");
    assert_eq!(f.network.calendars[1].days_per_week, 5.0);
    assert_eq!(f.network.calendars[1].hours_per_day, 8.0);
    let cals: Vec<usize> = f.network.activities.iter().map(|a| a.calendar).collect();
    assert_eq!(cals, [1, 1, 0, 1, 1, 1]);
    let kinds: Vec<&str> = f.network.relations.iter().map(|r| r.kind.code()).collect();
    assert_eq!(kinds, ["SS", "FS", "FS", "FF", "FS", "FS", "SF"]);
    assert_eq!(f.milestones, [5]);
    assert_eq!(f.three_point[4], Some([4.0, 5.0, 10.0]));
    let m = Model::from_file(f, "2008-01-07", 10).unwrap();
    let d = build::plan(&m);
    let es = [0.0, 7.0, 15.0, 25.0, 44.6, 51.6];
    let ef = [14.0, 35.0, 25.0, 46.0, 51.6, 51.6];
    for a in 0..6 {
        assert!((d.es[a] - es[a]).abs() < 1e-9, "ES {a}: {}", d.es[a]);
        assert!((d.ef[a] - ef[a]).abs() < 1e-9, "EF {a}: {}", d.ef[a]);
    }
    assert!((d.ls[1] - 18.0).abs() < 1e-9, "{}", d.ls[1]);
    let crit: Vec<String> = m
        .prepared
        .critical_path(&d)
        .iter()
        .map(|&a| m.network.activities[a].id.clone())
        .collect();
    assert_eq!(crit, ["1", "3", "4", "5", "6"]);
    assert_eq!(
        m.durations[4],
        des::Dist::triangular(4.0, 5.0, 10.0).unwrap()
    );
}

/// An MSPDI file written from El Boleo's network (two calendars: elapsed and a 6-day site
/// calendar; every relationship type it uses, lags) reads back to the same activities,
/// relationships, milestones and three-point estimates, and to the same CPM dates.
#[test]
fn mspdi_round_trips_to_the_same_network() {
    let m = boleo_model();
    let n = m.network.activities.len();
    let tp: Vec<Option<[f64; 3]>> = (0..n)
        .map(|i| {
            (i % 3 == 1).then(|| {
                let d = m.network.activities[i].duration_days;
                [0.8 * d, d, 1.5 * d]
            })
        })
        .collect();
    let text = build::mspdi::write(&m.network, &[1, 2], "2007-06-01", &tp);
    let once = build::mspdi::parse(&text, "a.xml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(once.start_date.as_deref(), Some("2007-06-01"));
    assert_eq!(once.milestones, [1, 2]);
    assert_eq!(once.network.calendars.len(), m.network.calendars.len());
    for (a, b) in once.network.calendars.iter().zip(&m.network.calendars) {
        assert_eq!(
            (a.days_per_week, a.hours_per_day),
            (b.days_per_week, b.hours_per_day)
        );
    }
    assert_eq!(once.network.activities.len(), n);
    for (a, b) in once.network.activities.iter().zip(&m.network.activities) {
        assert_eq!((&a.name, a.calendar), (&b.name, b.calendar));
        assert!((a.duration_days - b.duration_days).abs() < 1e-6, "{}", b.id);
    }
    assert_eq!(once.network.relations.len(), m.network.relations.len());
    for (a, b) in once.network.relations.iter().zip(&m.network.relations) {
        assert_eq!((a.pred, a.succ, a.kind), (b.pred, b.succ, b.kind), "{b:?}");
        assert!((a.lag_days - b.lag_days).abs() < 1e-4, "{b:?}");
    }
    for (a, b) in once.three_point.iter().zip(&tp) {
        match (a, b) {
            (Some(a), Some(b)) => (0..3).for_each(|k| assert!((a[k] - b[k]).abs() < 1e-6)),
            (None, None) => {}
            _ => panic!("{a:?} {b:?}"),
        }
    }
    // Written again from what was read: the same file.
    let again = build::mspdi::write(
        &once.network,
        &once.milestones,
        "2007-06-01",
        &once.three_point,
    );
    assert_eq!(build::mspdi::parse(&again, "b.xml").unwrap(), once);
    let read = Model::from_file(once, "2007-06-01", 10).unwrap();
    let (p0, p1) = (build::plan(&m), build::plan(&read));
    for a in 0..n {
        assert!((p0.es[a] - p1.es[a]).abs() < 1e-3 && (p0.lf[a] - p1.lf[a]).abs() < 1e-3);
    }
}

#[test]
fn malformed_mspdi_is_refused_at_line_and_element() {
    let good = fixture("sample-mspdi.xml");
    let line_of = |needle: &str| good[..good.find(needle).unwrap()].matches('\n').count() + 1;
    let bad = |from: &str, to: &str| {
        assert!(good.contains(from), "{from}");
        build::mspdi::parse(&good.replacen(from, to, 1), "s.xml").unwrap_err()
    };
    let e = bad(
        "<Duration>PT160H0M0S</Duration>",
        "<Duration>PT160X</Duration>",
    );
    assert_eq!(
        (e.line, e.path.as_str()),
        (Some(line_of("<Duration>PT160H0M0S")), "Task.Duration")
    );
    assert!(
        e.to_string().starts_with(&format!(
            "s.xml:{}: key `Task.Duration`",
            line_of("<Duration>PT160H0M0S")
        )),
        "{e}"
    );
    let e = bad("<Type>3</Type>", "<Type>7</Type>");
    assert_eq!(
        (e.line, e.path.as_str()),
        (Some(line_of("<Type>3</Type>")), "PredecessorLink.Type")
    );
    let e = bad(
        "<PredecessorUID>3</PredecessorUID>",
        "<PredecessorUID>33</PredecessorUID>",
    );
    assert_eq!(e.path, "PredecessorLink.PredecessorUID");
    assert!(e.message.contains("no task with UID `33`"), "{e}");
    let e = bad(
        "<PredecessorUID>3</PredecessorUID>",
        "<PredecessorUID>0</PredecessorUID>",
    );
    assert!(e.message.contains("summary task"), "{e}");
    let e = bad(
        "<LinkLag>24000</LinkLag>\n        <LagFormat>7</LagFormat>",
        "<LinkLag>500</LinkLag>\n        <LagFormat>19</LagFormat>",
    );
    assert_eq!(e.path, "PredecessorLink.LagFormat");
    let e = bad("<LinkLag>24000</LinkLag>", "<LinkLag>2.4e4x</LinkLag>");
    assert_eq!(
        (e.line, e.path.as_str()),
        (Some(line_of("<LinkLag>24000")), "PredecessorLink.LinkLag")
    );
    let e = bad("<Value>PT80H0M0S</Value>", "<Value>PT20H0M0S</Value>");
    assert!(e.message.contains("Duration1"), "{e}");
    let e = bad(
        "<CalendarUID>1</CalendarUID>\n      <PredecessorLink>",
        "<CalendarUID>4</CalendarUID>\n      <PredecessorLink>",
    );
    assert_eq!(e.path, "Task.CalendarUID");
    let e = bad("<FromTime>13:00:00</FromTime>", "<FromTime>1 pm</FromTime>");
    assert_eq!(e.path, "WorkingTime.FromTime");
    // Not well-formed: the line of the broken tag.
    let e = bad("</Finish>", "</Finnish>");
    assert_eq!(e.line, Some(line_of("</Finish>")), "{e}");
    let e = bad("</Tasks>\n</Project>", "");
    assert!(
        e.message.contains("ends inside") || e.message.contains("XML"),
        "{e}"
    );
    let e = build::mspdi::parse("<Schedule/>", "s.xml").unwrap_err();
    assert_eq!((e.line, e.path.as_str()), (Some(1), "Schedule"));
    let e = build::mspdi::parse("not xml at all", "s.xml").unwrap_err();
    assert_eq!(e.line, Some(1));
}

/// The 2007 risk study with the schedule in place of the flat delay prior.
fn coupled_text() -> String {
    let risk = manto_study::bundled("boleo-risk").unwrap();
    let build = manto_study::bundled("boleo-build").unwrap();
    let construction = &build[build.find("[construction]").unwrap()..];
    let start = risk
        .find("[[risk.inputs]]\nname = \"construction delay\"")
        .unwrap();
    let end = start
        + risk[start..]
            .find("[[risk.inputs]]\nname = \"ramp-up")
            .unwrap();
    let mut t = format!("{}{}", &risk[..start], &risk[end..]);
    t = t.replace(
        "names = [\"capex overrun\", \"construction delay\", \"ramp-up shortfall\"]\nmatrix = [\n  [1.0, 0.6, 0.3],\n  [0.6, 1.0, 0.3],\n  [0.3, 0.3, 1.0],\n]",
        "names = [\"capex overrun\", \"ramp-up shortfall\"]\nmatrix = [\n  [1.0, 0.3],\n  [0.3, 1.0],\n]",
    );
    format!("{t}\n{construction}").replace(
        "production_source = \"schedule\"",
        "production_source = \"table\"",
    )
}

#[test]
fn risk_takes_each_iterations_dates_and_capital_from_its_schedule() {
    use manto_study::risk::{RiskOptions, RiskPlan};
    let text = coupled_text();
    let s = manto_study::parse(&text, "coupled.toml").unwrap_or_else(|e| panic!("{e:?}"));
    let plan = RiskPlan::prepare(&s, RiskOptions::default(), &Silent).unwrap();
    let m = s.construction_model().unwrap().unwrap();
    let sm = build::Samplers::new(&m);
    let det = build::plan(&m);
    let q = |d: f64| (d / 91.3125).floor() as i64;
    let fc0 = q(det.ef[m.financial_close.unwrap()]);
    let cod0 = q(det.ef[m.commercial_production.unwrap()]);
    let mut later = 0;
    for i in 0..20u64 {
        let e = plan.schedule_effect(i).unwrap();
        let it = build::iteration(
            &m,
            &sm,
            s.simulation.seed,
            i,
            &mut build::Scratch::default(),
        );
        let fc = q(it.fc_days.unwrap());
        let cod = q(it.cod_days);
        assert_eq!(e.start_shift_quarters, fc - fc0);
        assert_eq!(e.extra_construction_quarters, (cod - fc) - (cod0 - fc0));
        assert!((e.capex_factor - it.cost_usd / build::planned_cost(&m, &det)).abs() < 1e-12);
        // The capital's phasing: the iteration's cost by quarter from its financial close.
        let phased: f64 = e.capital_by_quarter_usd.iter().sum();
        assert!(
            (phased - it.cost_usd).abs() < 1e-6 * it.cost_usd,
            "{phased} {}",
            it.cost_usd
        );
        assert_eq!(
            e.capital_by_quarter_usd,
            build::capital_by_quarter(&it.cost_by_month, it.fc_days)
        );
        // The record's first copper comes no earlier than the schedule's commercial production.
        let r = plan.iteration(i).unwrap();
        let first_cu = r.first_year + r.cu_t.iter().position(|&c| c > 0.0).unwrap() as i32;
        let cod_year = build::date::after(m.start_day, it.cod_days)[..4]
            .parse::<i32>()
            .unwrap();
        assert!(first_cu >= cod_year - 1, "{first_cu} vs {cod_year}");
        later += i32::from(e.extra_construction_quarters + e.start_shift_quarters > 0);
    }
    assert!(later > 10, "{later}");
    // The base case keeps the plan: its dates, its cost and its phasing.
    let base = plan
        .schedule_effect(manto_study::risk::TORNADO_TRIAL)
        .unwrap();
    assert_eq!(
        (
            base.start_shift_quarters,
            base.extra_construction_quarters,
            base.capex_factor
        ),
        (0, 0, 1.0)
    );
    assert_eq!(
        base.capital_by_quarter_usd,
        build::planned_capital_by_quarter(&m)
    );
    assert_eq!(
        s.finance.capex.construction_phasing,
        base.capital_by_quarter_usd
    );
    // A flat delay prior beside the schedule is refused.
    let both = format!(
        "{}\n{}",
        manto_study::bundled("boleo-risk").unwrap(),
        &text[text.find("[construction]").unwrap()..]
    );
    let e = manto_study::parse(&both, "both.toml")
        .unwrap_err()
        .remove(0);
    assert!(
        e.path.ends_with(".key") && e.message.contains("[construction]"),
        "{e}"
    );
}

/// El Boleo with a small network whose cost phasing is computed by hand (elapsed days;
/// 30.4375 days a month, 91.3125 a quarter): A costs 30M over days 0-91.3125 (quarter 0);
/// financial close at day 91.3125 (quarter 1); B costs 1M a month for six months from the
/// close (3M in quarters 1 and 2); C starts three months after B and costs 12M over six
/// months (6M in quarters 2 and 3). From the close's quarter, with what is spent before it
/// counted in the first: [30 + 3, 3 + 6, 6] = [33, 9, 6] M.
fn phased_text() -> String {
    let b = manto_study::bundled("boleo-build").unwrap();
    let head = &b[..b.find("[construction]").unwrap()];
    format!(
        "{head}[construction]\nstart_date = \"2007-06-01\"\niterations = 100\n\
[construction.milestones]\nfinancial_close = \"FC\"\ncommercial_production = \"COD\"\n\
[[construction.activities]]\nid = \"A\"\nduration_days = 91.3125\nfixed_usd = 30e6\n\
[[construction.activities]]\nid = \"FC\"\nduration_days = 0\n\
[[construction.activities]]\nid = \"B\"\nduration_days = 182.625\nusd_per_month = 1e6\n\
[[construction.activities]]\nid = \"C\"\nduration_days = 182.625\nfixed_usd = 12e6\n\
[[construction.activities]]\nid = \"COD\"\nduration_days = 0\n\
[[construction.relationships]]\nfrom = \"A\"\nto = \"FC\"\n\
[[construction.relationships]]\nfrom = \"FC\"\nto = \"B\"\n\
[[construction.relationships]]\nfrom = \"B\"\nto = \"C\"\ntype = \"SS\"\nlag_days = 91.3125\n\
[[construction.relationships]]\nfrom = \"C\"\nto = \"COD\"\n"
    )
}

/// The finance model's capital schedule takes the schedule's phasing: each EPCM phase's
/// direct cost by construction quarter is its total times [33, 9, 6] / 48 (and nothing
/// after), where without the schedule it follows the phase's own profile.
#[test]
fn finance_capital_schedule_is_the_schedules_phasing_by_hand() {
    let s = manto_study::parse(&phased_text(), "phased.toml").unwrap_or_else(|e| panic!("{e:?}"));
    let hand = [33e6, 9e6, 6e6];
    let got = &s.finance.capex.construction_phasing;
    assert!(got.len() >= 3, "{got:?}");
    for (q, g) in got.iter().enumerate() {
        assert!((g - hand.get(q).unwrap_or(&0.0)).abs() < 1e-3, "{got:?}");
    }
    let production = s.finance.production_table().unwrap();
    let shares = |cfg: &finance::FinanceConfig| -> Vec<Vec<f64>> {
        let r = finance::run(cfg, &production);
        (0..r.phase_names.len())
            .filter(|&j| cfg.capex.phases.iter().any(|p| p.name == r.phase_names[j]))
            .map(|j| {
                let v: Vec<f64> = r
                    .quarterly
                    .iter()
                    .map(|q| q.capex_by_phase_usd[j])
                    .collect();
                let total: f64 = v.iter().sum();
                v.iter().map(|x| x / total).collect()
            })
            .collect()
    };
    let phased = shares(&s.finance);
    assert_eq!(phased.len(), s.finance.capex.phases.len());
    for w in &phased {
        for (q, x) in w.iter().enumerate() {
            let want = hand.get(q).map_or(0.0, |h| h / 48e6);
            assert!((x - want).abs() < 1e-12, "quarter {q}: {x} vs {want}");
        }
    }
    // Without the schedule's phasing, the phases' own profiles: a different schedule.
    let mut own = s.finance.clone();
    own.capex.construction_phasing.clear();
    assert_ne!(shares(&own), phased);
}

/// A scenario without `[construction]` keeps the finance model's own profiles: no phasing
/// is set, and the result is the one the profiles give.
#[test]
fn without_construction_the_capital_schedule_is_unchanged() {
    let s = manto_study::load(Some("boleo"), &[]).unwrap();
    assert!(s.construction.is_none());
    assert!(s.finance.capex.construction_phasing.is_empty());
}
