//! The `manto` binary as a user runs it: outputs, exit codes, error messages.

use std::path::PathBuf;
use std::process::{Command, Output};

fn manto(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_manto"))
        .args(args)
        .output()
        .expect("manto runs")
}

/// Overrides that keep a `manto report` study short (5 years, 2 replications, 5 days).
const SHORT_REPORT: [&str; 8] = [
    "--set",
    "schedule.years=5",
    "--set",
    "schedule.replications=2",
    "--set",
    "simulation.replications=2",
    "--set",
    "simulation.days=5",
];

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("manto-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json_of(args: &[&str], dir: &std::path::Path, file: &str) -> serde_json::Value {
    let path = dir.join(file);
    let mut all: Vec<&str> = args.to_vec();
    let p = path.to_str().unwrap().to_string();
    all.extend(["--json", &p, "-q"]);
    let out = manto(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

#[test]
fn section_json_has_the_documented_schema() {
    let dir = tmp("schema");
    let csv = dir.join("s.csv");
    let v = json_of(
        &[
            "section",
            "--days",
            "5",
            "--replications",
            "3",
            "--csv",
            csv.to_str().unwrap(),
        ],
        &dir,
        "s.json",
    );
    for key in ["dry_tonnes_per_shift", "wet_tonnes_per_shift"] {
        let s = &v[key];
        let (m, lo, hi) = (
            s["mean"].as_f64().unwrap(),
            s["ci95_low"].as_f64().unwrap(),
            s["ci95_high"].as_f64().unwrap(),
        );
        assert!(lo <= m && m <= hi && m > 0.0, "{key}: {s}");
    }
    let machines = v["machines"].as_array().unwrap();
    assert!(machines.len() >= 5);
    for m in machines {
        assert!(m["name"].is_string() && m["kind"].is_string());
        let u = m["utilization"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&u));
        let sum: f64 = m["state_fractions"]
            .as_object()
            .unwrap()
            .values()
            .map(|x| x.as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
    let csv = std::fs::read_to_string(csv).unwrap();
    assert!(csv.starts_with("table,row,column,value\n"));
    assert!(csv.contains("production,dry tonnes,mean,"));
    // No temporary files are left beside the outputs.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn trial_one_could_not_feed_the_plant_and_trial_two_can() {
    let dir = tmp("trials");
    let t2 = json_of(
        &["section", "boleo", "--days", "20", "--replications", "4"],
        &dir,
        "t2.json",
    );
    let t1 = json_of(
        &[
            "section",
            "boleo-trial1",
            "--days",
            "20",
            "--replications",
            "4",
        ],
        &dir,
        "t1.json",
    );
    let dry = |v: &serde_json::Value| v["dry_tonnes_per_shift"]["mean"].as_f64().unwrap();
    // Bolting 3-10 times slower and a failing conveyor: trial 1 delivers far less.
    assert!(
        dry(&t2) > 3.0 * dry(&t1),
        "trial 2 {} vs trial 1 {}",
        dry(&t2),
        dry(&t1)
    );
    assert_eq!(t1["bottleneck"]["kind"], "roof_bolter");
    // In trial 1 the miner spends most of its time waiting for a bolted place.
    let cm = &t1["machines"][0];
    assert_eq!(cm["kind"], "continuous_miner");
    assert!(cm["state_fractions"]["waiting_for_place"].as_f64().unwrap() > 0.4);
    // Sections for 2.6 Mt/y: trial 2 a handful, trial 1 several times more.
    let need = |v: &serde_json::Value| v["sections_needed"][0]["sections"].as_u64().unwrap();
    assert!(need(&t2) <= 8, "{}", need(&t2));
    assert!(need(&t1) >= 3 * need(&t2));
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let dir = tmp("threads");
    let a = json_of(
        &[
            "section",
            "--days",
            "5",
            "--replications",
            "4",
            "--threads",
            "1",
        ],
        &dir,
        "a.json",
    );
    let b = json_of(
        &[
            "section",
            "--days",
            "5",
            "--replications",
            "4",
            "--threads",
            "2",
        ],
        &dir,
        "b.json",
    );
    assert_eq!(
        std::fs::read(dir.join("a.json")).unwrap(),
        std::fs::read(dir.join("b.json")).unwrap()
    );
    assert_eq!(a, b);
}

#[test]
fn shown_scenario_round_trips() {
    let dir = tmp("show");
    let out = manto(&["scenario", "show", "boleo-trial1"]);
    assert!(out.status.success());
    let file = dir.join("copy.toml");
    std::fs::write(&file, &out.stdout).unwrap();
    let from_file = json_of(
        &[
            "section",
            file.to_str().unwrap(),
            "--days",
            "3",
            "--replications",
            "2",
        ],
        &dir,
        "f.json",
    );
    let bundled = json_of(
        &[
            "section",
            "boleo-trial1",
            "--days",
            "3",
            "--replications",
            "2",
        ],
        &dir,
        "b.json",
    );
    assert_eq!(from_file, bundled);
    let list = String::from_utf8(manto(&["scenario", "list"]).stdout).unwrap();
    assert!(list.contains("boleo") && list.contains("boleo-trial1"));
}

#[test]
fn bad_input_exits_2_with_file_line_and_key() {
    let dir = tmp("bad");
    let good = String::from_utf8(manto(&["scenario", "show"]).stdout).unwrap();
    let cases = [
        (
            "seam_height_m = 2.5",
            "seam_hieght_m = 2.5",
            "section.geometry.seam_hieght_m",
            "did you mean `seam_height_m`",
        ),
        (
            "moisture_pct = 25",
            "moisture_pct = \"wet\"",
            "section.geometry.moisture_pct",
            "invalid type",
        ),
        (
            "extra_support_probability = 0.10",
            "extra_support_probability = 1.5",
            "section.bolters.extra_support_probability",
            "between 0 and 1",
        ),
        (
            "cut_depth_m = 3.5",
            "cut_depth_m = 4.5",
            "section.geometry.cut_depth_m",
            "deeper than allowed",
        ),
        (
            "entry_width_m = 4.2",
            "entry_width_m = 6.0",
            "section.geometry.entry_width_m",
            "over the limit",
        ),
        (
            "move_h = { dist = \"triangular\", min = 3, mode = 4, max = 6 }",
            "move_h = { dist = \"triangular\", min = 3, mode = 7, max = 6 }",
            "section.feeder.move_h",
            "mode",
        ),
        ("days = 60 ", "days = 0 ", "simulation.days", "at least 1"),
        (
            "battery_change_every_h = 0 ",
            "battery_change_every_h = 4 ",
            "section.haulage.battery_change_every_h",
            "trailing cable",
        ),
    ];
    for (from, to, key, says) in cases {
        assert!(good.contains(from), "{from}");
        let file = dir.join("bad.toml");
        let text = good.replacen(from, to, 1);
        std::fs::write(&file, &text).unwrap();
        let line = text[..text.find(to).unwrap()].lines().count() + 1;
        let out = manto(&["section", file.to_str().unwrap(), "-q"]);
        assert_eq!(out.status.code(), Some(2), "{key}");
        let err = String::from_utf8(out.stderr).unwrap();
        let expected = format!("{}:{line}: key `{key}`", file.display());
        assert!(err.contains(&expected), "expected `{expected}` in: {err}");
        assert!(err.contains(says), "expected `{says}` in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = manto(&["section", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not a bundled scenario"));
    let out = manto(&["scenario", "show", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unwritable_output_fails_cleanly() {
    let dir = tmp("unwritable");
    let target = dir.join("missing-dir").join("out.json");
    let out = manto(&[
        "section",
        "--days",
        "2",
        "--replications",
        "1",
        "-q",
        "--json",
        target.to_str().unwrap(),
    ]);
    // A folder that does not exist is bad usage, found before the run.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("cannot use") && err.contains("--json"),
        "{err}"
    );
    assert!(!target.exists());
    // A write that fails during the commit is a failure to write: exit 1.
    if std::path::Path::new("/dev/full").exists() {
        let out = manto(&[
            "section",
            "--days",
            "2",
            "--replications",
            "1",
            "-q",
            "--json",
            "/dev/full",
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    }
}

#[test]
fn schedule_finance_and_run_work_end_to_end() {
    let dir = tmp("lom");
    let v = json_of(
        &["schedule", "--years", "3", "--replications", "1"],
        &dir,
        "s.json",
    );
    let years = v["years"].as_array().unwrap();
    assert_eq!(years.len(), 3);
    assert_eq!(v["quarters"].as_array().unwrap().len(), 12);
    for y in years {
        let feed = y["plant_feed_dry_t"].as_f64().unwrap();
        assert!(feed > 0.0 && feed <= y["plant_target_dry_t"].as_f64().unwrap() + 1e-6);
    }
    // The main job: headline, schedule and finance in one JSON.
    let r = json_of(
        &["run", "--years", "4", "--days", "5", "--replications", "2"],
        &dir,
        "r.json",
    );
    assert_eq!(r["production_source"], "schedule");
    assert_eq!(r["schedule"]["years"].as_array().unwrap().len(), 4);
    assert!(r["finance"]["metrics"]["npv"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    assert!(
        r["section"]["dry_tonnes_per_shift"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    // The finance statements balance in every quarter of the schedule-driven run.
    let check = r["finance"]["metrics"]["max_balance_check_usd"]
        .as_f64()
        .unwrap();
    assert!(check.abs() < 1e-3, "{check}");
    // `manto finance` on a scenario set to use its own production table needs no schedule.
    let text = String::from_utf8(manto(&["scenario", "show"]).stdout).unwrap();
    let file = dir.join("table.toml");
    std::fs::write(
        &file,
        text.replacen(
            "production_source = \"schedule\"",
            "production_source = \"table\"",
            1,
        ),
    )
    .unwrap();
    let f = json_of(&["finance", file.to_str().unwrap()], &dir, "f.json");
    let npv8 = f["metrics"]["npv"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["discount_rate_pct"] == 8.0)
        .unwrap();
    assert!(npv8["project_after_tax_usd"].as_f64().unwrap() > 0.0);
}

#[test]
fn size_finds_a_fleet_and_rejects_bad_options() {
    let dir = tmp("size");
    let v = json_of(
        &[
            "size",
            "boleo",
            "--target-dry-mtpa",
            "1.0",
            "--replications",
            "3",
            "--max-bolters",
            "2",
            "--max-haulers",
            "2",
            "--days",
            "1",
        ],
        &dir,
        "z.json",
    );
    let s = &v["studies"][0];
    let sections = s["sections"].as_u64().unwrap();
    assert!((1..=4).contains(&sections), "{s}");
    assert!(s["probability"].as_f64().unwrap() >= 0.9);
    assert!(s["fleet_dry_t_per_year"].as_f64().unwrap() >= 0.94e6);
    assert_eq!(s["options"].as_array().unwrap().len(), 4);
    let out = manto(&["size", "--confidence", "1.5"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn overrides_and_flags_are_validated_and_never_ignored() {
    let dir = tmp("set");
    // --set changes the run: two bolters give more tonnes than one.
    let base = json_of(
        &["section", "--days", "4", "--replications", "2"],
        &dir,
        "a.json",
    );
    let two = json_of(
        &[
            "section",
            "--days",
            "4",
            "--replications",
            "2",
            "--set",
            "section.bolters.count=2",
        ],
        &dir,
        "b.json",
    );
    let rate = |v: &serde_json::Value| v["dry_tonnes_per_shift"]["mean"].as_f64().unwrap();
    assert!(
        rate(&two) > rate(&base),
        "{} vs {}",
        rate(&two),
        rate(&base)
    );

    // A typo names --set and the key, with a did-you-mean, exit 2.
    let out = manto(&["section", "--set", "section.bolters.cuont=2", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: --set section.bolters.cuont=2: key `section.bolters.cuont`"),
        "{err}"
    );
    assert!(err.contains("did you mean `count`"), "{err}");
    // Not KEY=VALUE, not TOML.
    for bad in ["section.bolters.count", "section.bolters.count=two"] {
        let out = manto(&["section", "--set", bad, "-q"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: --set"));
    }
    // A flag's bad value names the flag.
    let out = manto(&["section", "--days", "0", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: --days 0: key `simulation.days`")
    );
    // Flags a command does not use are refused, not ignored.
    for (cmd, flag) in [
        ("section", "--years"),
        ("schedule", "--days"),
        ("schedule", "--warmup-days"),
    ] {
        let out = manto(&[cmd, flag, "3", "-q"]);
        assert_eq!(out.status.code(), Some(2), "{cmd} {flag}");
    }
    let out = manto(&[
        "finance",
        "--set",
        "finance.production_source=\"table\"",
        "--years",
        "3",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--years: has no effect"));

    // scenario show prints the overridden text, which loads back.
    let out = manto(&["scenario", "show", "--set", "section.bolters.count=3"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let shown = dir.join("shown.toml");
    std::fs::write(&shown, &text).unwrap();
    let v = json_of(
        &[
            "section",
            shown.to_str().unwrap(),
            "--days",
            "2",
            "--replications",
            "2",
        ],
        &dir,
        "c.json",
    );
    assert_eq!(
        v["machines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "roof_bolter")
            .count(),
        3,
        "{}",
        v["machines"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn size_honours_days_and_warmup_days() {
    let dir = tmp("size-days");
    let args = |days: &'static str| {
        vec![
            "size",
            "boleo",
            "--replications",
            "2",
            "--max-bolters",
            "1",
            "--max-haulers",
            "1",
            "--target-dry-mtpa",
            "1",
            "--days",
            days,
        ]
    };
    let short = json_of(&args("20"), &dir, "a.json");
    let long = json_of(&args("40"), &dir, "b.json");
    assert_ne!(
        short["studies"][0]["options"],
        long["studies"][0]["options"]
    );
    let out = manto(&["size", "boleo", "--days", "0", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: --days"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn outputs_never_clobber_and_dash_is_standard_output() {
    let dir = tmp("outputs");
    // `--json -`: the JSON alone on standard output, no tables.
    let out = manto(&[
        "section",
        "--days",
        "2",
        "--replications",
        "2",
        "--json",
        "-",
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON");
    assert!(v["dry_tonnes_per_shift"]["mean"].as_f64().unwrap() > 0.0);
    assert!(!dir.join("-").exists());
    // The same destination twice is refused before any work, naming both flags.
    let p = dir.join("x.out");
    let p = p.to_str().unwrap();
    let out = manto(&["section", "--json", p, "--csv", p, "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--json") && err.contains("--csv"), "{err}");
    assert!(!std::path::Path::new(p).exists());
    // A device is written through, never replaced.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let out = manto(&[
            "section",
            "--days",
            "2",
            "--replications",
            "2",
            "--json",
            "/dev/null",
            "-q",
        ]);
        assert!(out.status.success());
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
    // A directory is refused with exit 2.
    let out = manto(&["section", "--json", dir.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bank_cases_and_one_case_from_the_command_line() {
    let dir = tmp("cases");
    let table = "finance.production_source=\"table\"";
    let v = json_of(&["cases", "--set", table], &dir, "c.json");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases[0]["name"], "base");
    assert!(cases.len() >= 11, "{}", cases.len());
    let price = cases.iter().find(|c| c["name"] == "price_-10").unwrap();
    assert!(price["min_dscr"].as_f64() < cases[0]["min_dscr"].as_f64());
    assert!(
        v["breakevens"]["cu_price_npv_zero_usd_per_lb"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let one = json_of(
        &["finance", "--set", table, "--case", "price_-10"],
        &dir,
        "f.json",
    );
    assert_eq!(one["metrics"]["min_dscr"], price["min_dscr"]);
    let out = manto(&["finance", "--set", table, "--case", "nope", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: --case: no case `nope`"));
    std::fs::remove_dir_all(&dir).ok();
}

/// `manto report`: both files written together, the same bytes for the same seed whatever
/// the threads, the summary's NPV equal to `manto run --json`; flags it would ignore and
/// bad input refused with exit 2, nothing written.
#[test]
fn report_writes_html_and_xlsx_and_refuses_what_it_would_ignore() {
    let dir = tmp("report");
    let mut short = SHORT_REPORT.to_vec();
    short.push("-q");
    let (h1, x1) = (dir.join("a.html"), dir.join("a.xlsx"));
    let (h2, x2) = (dir.join("b.html"), dir.join("b.xlsx"));
    for (h, x, threads) in [(&h1, &x1, "1"), (&h2, &x2, "2")] {
        let mut args = vec![
            "report",
            "--threads",
            threads,
            "--html",
            h.to_str().unwrap(),
        ];
        args.extend(["--xlsx", x.to_str().unwrap()]);
        args.extend(&short);
        let out = manto(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "the report prints nothing on stdout");
    }
    let html = std::fs::read_to_string(&h1).unwrap();
    assert_eq!(html, std::fs::read_to_string(&h2).unwrap());
    assert_eq!(std::fs::read(&x1).unwrap(), std::fs::read(&x2).unwrap());
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("id=\"chart-shift-gantt\""));
    let mut args = vec!["run"];
    args.extend(short.iter().filter(|a| **a != "-q"));
    let run = json_of(&args, &dir, "run.json");
    let npv = run["finance"]["metrics"]["npv"][1]["project_after_tax_usd"]
        .as_f64()
        .unwrap();
    assert!(
        html.contains(&format!(
            "data-json=\"finance.metrics.npv.1.project_after_tax_usd\" data-value=\"{npv}\""
        )),
        "the report's NPV is not manto run's {npv}"
    );
    // Flags it would ignore, no output at all, bad input: exit 2, nothing written.
    let fresh = dir.join("never.html");
    let f = fresh.to_str().unwrap();
    for (args, says) in [
        (vec!["report", "--html", f, "--json", "x.json"], "--json"),
        (vec!["report", "--html", f, "--csv", "x.csv"], "--csv"),
        (vec!["report", "--html", f, "--days", "3"], "--days"),
        (vec!["report"], "--html"),
        (
            vec!["report", "--html", f, "--set", "schedule.years=0"],
            "schedule.years",
        ),
        (vec!["report", "--html", f, "--xlsx", f], "--xlsx"),
        (vec!["report", "--html", dir.to_str().unwrap()], "--html"),
        (
            vec!["report", "no-such-scenario", "--html", f],
            "no-such-scenario",
        ),
        (vec!["report", "--html", f, "--risk"], "--risk"),
        (
            vec!["report", "--html", f, "--iterations", "5"],
            "--iterations",
        ),
    ] {
        let out = manto(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!fresh.exists(), "{args:?} wrote a file");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn risk_runs_the_bundled_study_deterministically_and_refuses_bad_input() {
    let dir = tmp("risk");
    let run = |threads: &str, tag: &str| -> (Vec<u8>, Vec<u8>) {
        let (j, c) = (
            dir.join(format!("r{tag}.json")),
            dir.join(format!("i{tag}.csv")),
        );
        let out = manto(&[
            "risk",
            "--iterations",
            "60",
            "--threads",
            threads,
            "-q",
            "--json",
            j.to_str().unwrap(),
            "--iterations-csv",
            c.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (std::fs::read(&j).unwrap(), std::fs::read(&c).unwrap())
    };
    let (j1, c1) = run("1", "a");
    let (j2, c2) = run("2", "b");
    assert!(j1 == j2 && c1 == c2, "output depends on the thread count");
    let v: serde_json::Value = serde_json::from_slice(&j1).unwrap();
    assert_eq!(v["scenario"], "boleo-risk");
    assert_eq!(v["iterations"], 60);
    assert_eq!(v["mine_path"], "fast");
    let npv = v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "npv8_usd")
        .unwrap();
    assert!(npv["p10"].as_f64().unwrap() < npv["p90"].as_f64().unwrap());
    // The per-iteration table: a header and one row per iteration, loadable as CSV.
    let text = String::from_utf8(c1).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "iteration");
    assert!(header.contains(&"input:capex overrun") && header.contains(&"npv8_usd"));
    assert_eq!(lines.count(), 60);
    // Bad input: exit 2, one message naming the flag or the key.
    let bad = |args: &[&str], needle: &str| {
        let out = manto(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    // --exact: the full DES in every iteration (a 2-year mine and one input keep it short).
    let file = dir.join("exact.toml");
    let text = format!(
        "{}\n[risk]\niterations = 2\n[[risk.inputs]]\nname = \"opex\"\nkey = \"case.opex_factor\"\nvalue = {{ dist = \"uniform\", min = 0.9, max = 1.2 }}\n",
        String::from_utf8(manto(&["scenario", "show", "--set", "schedule.years=2"]).stdout).unwrap()
    );
    std::fs::write(&file, text).unwrap();
    let out = manto(&[
        "risk",
        file.to_str().unwrap(),
        "--exact",
        "-q",
        "--json",
        "-",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["mine_path"], "exact");
    assert_eq!(v["iterations"], 2);
    bad(&["risk", "--iterations", "0", "-q"], "--iterations");
    bad(&["risk", "boleo", "-q"], "no [risk] table");
    bad(&["risk", "--sampling", "sobol", "-q"], "sobol");
    bad(&["risk", "--days", "3", "-q"], "--days");
    bad(
        &[
            "risk",
            "-q",
            "--set",
            "risk.correlation.matrix=[[1.0, 2.0, 0.3], [2.0, 1.0, 0.3], [0.3, 0.3, 1.0]]",
        ],
        "risk.correlation.matrix",
    );
    bad(
        &[
            "risk",
            "-q",
            "--set",
            "risk.inputs[0].key=\"finance.capex.nope\"",
        ],
        "risk.inputs[0].key",
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs manto and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = manto(args);
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn shards_merge_to_the_unsharded_run_byte_for_byte() {
    let dir = tmp("shards");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let study = [
        "schedule",
        "--years",
        "1",
        "--replications",
        "3",
        "--seed",
        "5",
    ];
    let mut full = study.to_vec();
    let (fj, fc) = (p("full.json"), p("full.csv"));
    full.extend(["-q", "--threads", "1", "--json", &fj, "--csv", &fc]);
    let (code, full_tables, err) = run(&full);
    assert_eq!(code, 0, "{err}");
    // Split 2 ways, written with two threads each; shard 1 first.
    for k in [1, 0] {
        let (shard, out) = (format!("{k}/2"), p(&format!("part-{k}.json")));
        let mut a = study.to_vec();
        a.extend(["-q", "--threads", "2", "--shard", &shard, "--out", &out]);
        let (code, stdout, err) = run(&a);
        assert_eq!(code, 0, "{err}");
        assert!(
            stdout.is_empty() && err.is_empty(),
            "a quiet shard prints nothing"
        );
    }
    // A shard run again writes the same bytes.
    let first = std::fs::read(p("part-0.json")).unwrap();
    let mut again = study.to_vec();
    let out0 = p("part-0.json");
    again.extend(["-q", "--shard", "0/2", "--out", &out0]);
    assert_eq!(run(&again).0, 0);
    assert_eq!(std::fs::read(p("part-0.json")).unwrap(), first);

    let (mj, mc, p0, p1) = (p("m.json"), p("m.csv"), p("part-0.json"), p("part-1.json"));
    let (code, tables, err) = run(&["merge", &p1, &p0, "--json", &mj, "--csv", &mc]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(tables, full_tables);
    assert_eq!(std::fs::read(&mj).unwrap(), std::fs::read(&fj).unwrap());
    assert_eq!(std::fs::read(&mc).unwrap(), std::fs::read(&fc).unwrap());

    // --missing: one shard number per line, exit 0; nothing when complete.
    let (code, out, _) = run(&["merge", "--missing", &p1]);
    assert_eq!((code, String::from_utf8_lossy(&out).as_ref()), (0, "0\n"));
    let (code, out, _) = run(&["merge", "--missing", &p0, &p1]);
    assert_eq!((code, out.len()), (0, 0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_shards_and_parts_exit_2_with_one_message() {
    let dir = tmp("badshards");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let part = p("p.json");
    let sec = ["section", "--days", "1", "--replications", "2", "-q"];
    for (shard, want) in [
        ("2/2", "K must be below N"),
        ("0/0", "N must be at least 1"),
        ("1", "expected K/N"),
        ("a/b", "expected K/N"),
        ("-1/2", "expected K/N"),
    ] {
        let mut a = sec.to_vec();
        let flag = format!("--shard={shard}");
        a.extend([flag.as_str(), "--out", &part]);
        let (code, _, err) = run(&a);
        assert_eq!(code, 2, "{shard}: {err}");
        assert!(
            err.contains("--shard") && err.contains(want),
            "{shard}: {err}"
        );
    }
    // --shard needs --out, --out needs --shard, and a shard writes no --json.
    let mut a = sec.to_vec();
    a.extend(["--shard", "0/2"]);
    assert_eq!(run(&a).0, 2);
    let mut a = sec.to_vec();
    a.extend(["--out", &part]);
    assert_eq!(run(&a).0, 2);
    let mut a = sec.to_vec();
    a.extend(["--shard", "0/2", "--out", &part, "--json", "x.json"]);
    assert_eq!(run(&a).0, 2);
    // Commands that are not a set of replications take no --shard.
    assert_eq!(run(&["finance", "--shard", "0/2", "--out", &part]).0, 2);

    let mut a = sec.to_vec();
    a.extend(["--shard", "0/2", "--out", &part]);
    assert_eq!(run(&a).0, 0);
    let junk = p("junk.json");
    std::fs::write(&junk, "{\"studies\": []}\n").unwrap();
    let other = p("other.json");
    let mut a = sec.to_vec();
    a.extend(["--seed", "9", "--shard", "1/2", "--out", &other]);
    assert_eq!(run(&a).0, 0);
    let missing = p("nowhere.json");
    for (args, want) in [
        (
            vec!["merge", &part],
            "incomplete study: missing shard(s) 1 of 2".to_string(),
        ),
        (
            vec!["merge", &part, &junk],
            format!("{junk}: not a manto partial result"),
        ),
        (
            vec!["merge", &part, &missing],
            format!("{missing}: cannot read"),
        ),
        (
            vec!["merge", &part, &other],
            format!("{other}: not a shard of the same study as {part}: scenario (sha256)"),
        ),
        (
            vec!["merge", &part, &part],
            format!("{part}: shard 0/2 given twice"),
        ),
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: ") && err.contains(&want),
            "{args:?}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn risk_shards_merge_to_the_unsharded_run_with_the_iterations_csv() {
    let dir = tmp("riskshards");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let study = ["risk", "--iterations", "6", "-q"];
    let (fj, fi) = (p("full.json"), p("full-it.csv"));
    let mut full = study.to_vec();
    full.extend(["--json", &fj, "--iterations-csv", &fi]);
    let (code, full_tables, err) = run(&full);
    assert_eq!(code, 0, "{err}");
    let (p0, p1) = (p("part-0.json"), p("part-1.json"));
    for (shard, out) in [("1/2", &p1), ("0/2", &p0)] {
        let mut a = study.to_vec();
        a.extend(["--shard", shard, "--out", out]);
        let (code, _, err) = run(&a);
        assert_eq!(code, 0, "{err}");
    }
    let (mj, mi) = (p("m.json"), p("m-it.csv"));
    let (code, tables, err) = run(&["merge", &p0, &p1, "--json", &mj, "--iterations-csv", &mi]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(tables, full_tables);
    assert_eq!(std::fs::read(&mj).unwrap(), std::fs::read(&fj).unwrap());
    assert_eq!(std::fs::read(&mi).unwrap(), std::fs::read(&fi).unwrap());
    // A shard writes no --iterations-csv; --exact parts do not mix with fast-path ones.
    let mut a = study.to_vec();
    a.extend(["--shard", "0/2", "--out", &p0, "--iterations-csv", &mi]);
    assert_eq!(run(&a).0, 2);
    // (a part as `--exact` writes it, without the minutes of full simulation)
    let pe = p("exact-1.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p1).unwrap()).unwrap();
    v["options"] = "{\"exact\":true}".into();
    std::fs::write(&pe, serde_json::to_vec(&v).unwrap()).unwrap();
    let (code, _, err) = run(&["merge", &p0, &pe]);
    assert_eq!(code, 2);
    assert!(
        err.contains("options `{\"exact\":true}`, not `{\"exact\":false}`"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn size_shards_merge_to_the_unsharded_run_and_other_plans_are_refused() {
    let dir = tmp("sizeshards");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let study = [
        "size",
        "boleo",
        "--replications",
        "3",
        "--max-bolters",
        "2",
        "--max-haulers",
        "2",
        "--days",
        "30",
        "-q",
    ];
    let (fj, fc) = (p("full.json"), p("full.csv"));
    let mut full = study.to_vec();
    full.extend(["--json", &fj, "--csv", &fc]);
    let (code, full_tables, err) = run(&full);
    assert_eq!(code, 0, "{err}");
    // 12 section-year units in 5 shards (the last holds 2 units), with two threads each.
    let parts: Vec<String> = (0..5).map(|k| p(&format!("part-{k}.json"))).collect();
    for k in [4, 1, 3, 0, 2] {
        let shard = format!("{k}/5");
        let mut a = study.to_vec();
        a.extend(["--threads", "2", "--shard", &shard, "--out", &parts[k]]);
        let (code, stdout, err) = run(&a);
        assert_eq!(code, 0, "{err}");
        assert!(stdout.is_empty() && err.is_empty());
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&parts[4]).unwrap()).unwrap();
    assert_eq!(v["command"], "size");
    assert_eq!(v["indices"], serde_json::json!([4, 9]));
    assert_eq!(
        v["options"],
        "{\"target_dry_mtpa\":null,\"confidence\":0.9,\"max_bolters\":2,\"max_haulers\":2,\"days\":30,\"warmup_days\":3,\"replications\":3}"
    );
    let (mj, mc) = (p("m.json"), p("m.csv"));
    let mut m = vec!["merge", "--json", &mj, "--csv", &mc];
    m.extend(parts.iter().rev().map(String::as_str));
    let (code, tables, err) = run(&m);
    assert_eq!(code, 0, "{err}");
    assert_eq!(tables, full_tables);
    assert_eq!(std::fs::read(&mj).unwrap(), std::fs::read(&fj).unwrap());
    assert_eq!(std::fs::read(&mc).unwrap(), std::fs::read(&fc).unwrap());
    // --missing lists what is left.
    let (code, out, _) = run(&["merge", "--missing", &parts[1], &parts[3]]);
    assert_eq!(
        (code, String::from_utf8_lossy(&out).as_ref()),
        (0, "0\n2\n4\n")
    );
    // A part of another plan (95 % confidence) is refused, naming what differs.
    let other = p("other-3.json");
    let mut a = study.to_vec();
    a.extend(["--confidence", "0.95", "--shard", "3/5", "--out", &other]);
    assert_eq!(run(&a).0, 0);
    let (code, out, err) = run(&["merge", &parts[0], &parts[1], &parts[2], &other, &parts[4]]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "error: {other}: not a shard of the same study as {}: options",
            parts[0]
        )) && err.trim_end().ends_with("(confidence differs)"),
        "{err}"
    );
    // Without a scenario `manto size` sizes two: a shard asks for one.
    let (code, _, err) = run(&["size", "-q", "--shard", "0/2", "--out", &other]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "error: --shard: `manto size` without a scenario sizes boleo and boleo-trial1"
        ) && err.contains("name it"),
        "{err}"
    );
    // A bad plan is refused before anything is simulated or written.
    let bad = p("bad.json");
    let mut a = study.to_vec();
    a.extend(["--confidence", "1.5", "--shard", "0/2", "--out", &bad]);
    let (code, _, err) = run(&a);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --confidence"), "{err}");
    assert!(!std::path::Path::new(&bad).exists());
    std::fs::remove_dir_all(&dir).ok();
}

/// `manto report boleo-risk`: the risk study runs (its scenario has a [risk] table),
/// `--iterations` overrides `risk.iterations`, and the summary's risk numbers are
/// `manto risk --json`'s for the same scenario, seed and iterations.
#[test]
fn report_runs_the_risk_study_of_a_scenario_with_one() {
    let dir = tmp("report-risk");
    let mut short = SHORT_REPORT.to_vec();
    short.extend(["--iterations", "50"]);
    let h = dir.join("r.html");
    let mut args = vec![
        "report",
        "boleo-risk",
        "--risk",
        "-q",
        "--html",
        h.to_str().unwrap(),
    ];
    args.extend(&short);
    let out = manto(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&h).unwrap();
    for id in report::html::RISK_CHART_IDS {
        assert!(html.contains(&format!("id=\"chart-{id}\"")), "{id} missing");
    }
    let mut args = vec!["risk", "boleo-risk"];
    args.extend(&short);
    let risk = json_of(&args, &dir, "risk.json");
    assert_eq!(risk["iterations"], 50);
    let k = risk["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["name"] == "npv8_usd")
        .unwrap();
    let p50 = risk["outputs"][k]["p50"].as_f64().unwrap();
    // serde_json's float parsing may be off in the last bit: compare as numbers.
    let attr = format!("data-risk-json=\"outputs.{k}.p50\" data-value=\"");
    let at = html.find(&attr).expect("the NPV8 P50 in the summary") + attr.len();
    let shown: f64 = html[at..].split('"').next().unwrap().parse().unwrap();
    assert!(
        (shown - p50).abs() <= 1e-12 * p50.abs(),
        "the report's NPV8 P50 {shown} is not manto risk's {p50}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// SIGTERM while the outputs' temporaries are being written: 40 runs, each sent SIGTERM
/// a varying small delay (0 to 2.8 ms) after its first temporary appears, must leave no
/// temporary behind (the handler and the registration of a temporary are one critical
/// section). Counted, not timed: a run that finished before the signal counts too.
#[cfg(unix)]
#[test]
fn sigterm_while_committing_leaves_no_temporary() {
    use std::time::{Duration, Instant};
    // On disk (not a tmpfs): the fsync of the first temporary takes long enough for the
    // signal to land while the second is being made.
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sigterm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let temps = |d: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
            .collect()
    };
    let (mut left, mut interrupted, mut finished) = (Vec::new(), 0, 0);
    for i in 0..40u64 {
        let (json, csv) = (
            dir.join(format!("x{i}.json")),
            dir.join(format!("x{i}.csv")),
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_manto"))
            .args([
                "section",
                "--days",
                "1",
                "--warmup-days",
                "0",
                "--replications",
                "1",
                "-q",
            ])
            .arg("--json")
            .arg(&json)
            .arg("--csv")
            .arg(&csv)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        // Wait for the first temporary (or the end of the run).
        while temps(&dir).is_empty() && child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(400 * (i % 8)));
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stderr(std::process::Stdio::null())
            .status();
        let status = child.wait().unwrap();
        if status.code() == Some(130) {
            interrupted += 1;
        } else if status.success() {
            finished += 1;
        }
        let t = temps(&dir);
        left.extend(t.iter().map(|n| format!("try {i}: {n}")));
        for n in t {
            let _ = std::fs::remove_file(dir.join(n));
        }
        let _ = std::fs::remove_file(&json);
        let _ = std::fs::remove_file(&csv);
    }
    eprintln!("sigterm: 40 tries, {interrupted} interrupted, {finished} finished first");
    assert_eq!(
        interrupted + finished,
        40,
        "every run ends by the signal or by itself"
    );
    assert!(
        left.is_empty(),
        "temporaries left behind:\n{}",
        left.join("\n")
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 18, point 6: a misspelt table in `--set` names the `--set` and suggests the
/// table; a misspelt command suggests the command; `merge` takes `-q`.
#[test]
fn misspellings_name_what_was_typed_and_suggest_the_right_word() {
    let (code, _, err) = run(&["section", "-q", "--set", "section.bolter.count=2"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "error: --set section.bolter.count=2: key `section.bolter`: unknown field `bolter`"
        ) && err.contains("did you mean `bolters`?")
            && !err.contains("<bundled boleo>"),
        "{err}"
    );
    // A misspelt table inside an existing one is still found (and a key the file has is
    // still blamed on the file when a --set did not make it).
    let (code, _, err) = run(&["section", "-q", "--set", "section.miner.failurs[0].tbf_h=3"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: --set section.miner.failurs[0].tbf_h=3"),
        "{err}"
    );
    let (code, _, err) = run(&["shedule"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `manto schedule`?"), "{err}");
    // A name far from every command keeps the plain message.
    let (code, _, err) = run(&["no-such-thing.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no such file") && !err.contains("did you mean"),
        "{err}"
    );
    let dir = tmp("mergeq");
    let part = dir.join("p.json").to_str().unwrap().to_string();
    let (code, _, err) = run(&[
        "section",
        "--days",
        "1",
        "--replications",
        "1",
        "-q",
        "--shard",
        "0/1",
        "--out",
        &part,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["merge", "-q", &part]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.is_empty() && err.is_empty(), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 18, point 5: merge refuses an output that is one of its parts, summarises the
/// missing shards of a lone part of 1,000,000 in one short line, and refuses a part over
/// 1 GiB by its size, unread; the 64-bit overflow message names its key with an override
/// too; a control character from the input is escaped in the message.
#[test]
fn merge_and_messages_refuse_what_would_hurt() {
    let dir = tmp("merge-hurt");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let sec = ["section", "--days", "1", "--replications", "3", "-q"];
    for k in 0..3 {
        let (shard, out) = (format!("{k}/3"), p(&format!("p{k}.json")));
        let mut a = sec.to_vec();
        a.extend(["--shard", &shard, "--out", &out]);
        assert_eq!(run(&a).0, 0);
    }
    let (p0, p1, p2) = (p("p0.json"), p("p1.json"), p("p2.json"));
    let before = std::fs::read(&p0).unwrap();
    let spelt_otherwise = format!(
        "{}/../{}/p0.json",
        dir.display(),
        dir.file_name().unwrap().to_str().unwrap()
    );
    for out in [p0.as_str(), spelt_otherwise.as_str()] {
        let (code, _, err) = run(&["merge", &p0, &p1, &p2, "--json", out]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("--json") && err.contains("is also an input part"),
            "{err}"
        );
    }
    let (code, _, err) = run(&["merge", &p0, &p1, &p2, "--csv", &p2]);
    assert!(code == 2 && err.contains("--csv"), "{err}");
    assert_eq!(std::fs::read(&p0).unwrap(), before, "the part is untouched");

    let lone = p("lone.json");
    let mut a = sec.to_vec();
    a.extend(["--shard", "17/1000000", "--out", &lone]);
    assert_eq!(run(&a).0, 0);
    let (code, _, err) = run(&["merge", &lone]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim(),
        "error: merge: incomplete study: missing shard(s) 0-16, 18-999999 of 1000000 (`manto merge --missing` lists them)"
    );

    // A sparse file of 1 GiB + 1 byte: refused by its size, so no 1 GiB is read.
    let big = p("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((1 << 30) + 1)
        .unwrap();
    let (code, _, err) = run(&["merge", &big]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("larger than 1024 MiB (1073741825 bytes)"),
        "{err}"
    );
    std::fs::remove_file(&big).ok();

    let file = p("overflow.toml");
    let (_, text, _) = run(&["scenario", "show"]);
    let text = String::from_utf8(text).unwrap();
    let seed_line = text.lines().find(|l| l.starts_with("seed =")).unwrap();
    std::fs::write(
        &file,
        text.replace(seed_line, "seed = 99999999999999999999"),
    )
    .unwrap();
    for extra in [&[][..], &["--days", "1"][..]] {
        let mut a = vec!["section", &file, "-q"];
        a.extend(extra);
        let (code, _, err) = run(&a);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("key `simulation.seed`: the integer is out of range"),
            "{extra:?}: {err}"
        );
    }

    let (code, _, err) = run(&["section", "evil\u{1b}[2J\u{7}.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("evil\\u{1b}[2J\\u{7}.toml"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue 18, point 5: money inputs are bounded (a NaN NPV with exit 0 before); the risk
/// flags refuse a scenario without [risk] as `manto risk SCENARIO` does; an output path
/// ending in a slash is refused; a long fast-path risk run says its cost first.
#[test]
fn money_bounds_risk_flags_and_directory_outputs_are_refused() {
    for key in [
        "finance.opex.wage_mxn_per_shift=1e308",
        "finance.opex.usd_per_bolt=1e300",
        "finance.capex.areas[0].direct_usd=1e200",
    ] {
        let (code, _, err) = run(&["finance", "-q", "--set", key]);
        assert_eq!(code, 2, "{key}: {err}");
        assert!(
            err.starts_with(&format!("error: --set {key}"))
                && err.contains("must be at most 1,000,000,000,000"),
            "{key}: {err}"
        );
    }
    let (plain, _, plain_err) = run(&["risk", "boleo", "-q"]);
    assert_eq!(plain, 2, "{plain_err}");
    for extra in [
        &["--iterations", "20"][..],
        &["--sampling", "monte_carlo"][..],
        &["--set", "risk.iterations=20"][..],
    ] {
        let mut a = vec!["risk", "boleo", "-q"];
        a.extend(extra);
        let (code, out, err) = run(&a);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(out.is_empty());
        assert!(
            err.contains("scenario `boleo` has no [risk] table"),
            "{extra:?}: {err}"
        );
    }
    let dir = tmp("slash");
    let nd = format!("{}/newdir/", dir.display());
    let (code, _, err) = run(&[
        "section",
        "--days",
        "1",
        "--replications",
        "1",
        "-q",
        "--json",
        &nd,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ends with a slash"), "{err}");
    assert!(!dir.join("newdir").exists(), "no file named newdir");
    let existing = format!("{}/", dir.display());
    let (code, _, err) = run(&[
        "section",
        "--days",
        "1",
        "--replications",
        "1",
        "-q",
        "--csv",
        &existing,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a directory"), "{err}");
    std::fs::remove_dir_all(&dir).ok();

    // 1,000,000 fast-path iterations: the estimate comes before the run (which is killed).
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_manto"))
        .args(["risk", "--iterations", "1000000", "--threads", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    // 1e6 x 2 ms on one thread is about 33 min; 1e6 x 3 KB about 3.1 GB.
    assert_eq!(
        line.trim(),
        "note: 1000000 iterations to compute: roughly 33 min on 1 thread(s) and about 3.1 GB of memory"
    );
}

/// Keeps `manto backtest` short: a few iterations, a short fast path.
const SHORT_BACKTEST: [&str; 8] = [
    "--iterations",
    "24",
    "--set",
    "risk.pool_days=200",
    "--set",
    "risk.probe_days=20",
    "--set",
    "risk.design_points=40",
];

#[test]
fn backtest_of_the_bundled_study_is_lint_clean_and_places_every_actual() {
    let dir = tmp("backtest");
    let mut args = vec!["backtest"];
    args.extend(SHORT_BACKTEST);
    let v = json_of(&args, &dir, "b.json");
    assert_eq!(v["scenario"], "boleo-risk");
    assert_eq!(v["hindsight"].as_array().unwrap().len(), 0);
    assert!(v.get("note").is_none());
    let acts = v["actuals"].as_array().unwrap();
    assert_eq!(acts.len(), 4);
    // The 16-quarter delay is beyond the prior's 8-quarter tail: outside the support.
    let delay = acts
        .iter()
        .find(|a| a["actual"]["quantity"] == "construction delay")
        .unwrap();
    assert_eq!(delay["outside"]["side"], "above");
    assert_eq!(delay["percentile"], 100.0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backtest_refuses_planted_hindsight_before_reading_actuals_and_lists_it() {
    // A citation from 2008 planted in a study dated 2007-06, and an actuals file that does
    // not exist: the lint refuses first, naming the key, its line, the year and the date.
    let (code, _, err) = run(&[
        "backtest",
        "--set",
        "risk.inputs[0].source=\"Bertisen and Davis (2008)\"",
        "--actuals",
        "/nonexistent/actuals.toml",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("key `risk.inputs[0].source`: hindsight (citation)")
            && err.contains("dates from 2008")
            && err.contains("after the study's date 2007-06"),
        "{err}"
    );
    assert!(!err.contains("nonexistent"), "{err}");
    // The first study, as it was: refused, with each item listed.
    let (code, _, err) = run(&["backtest", "boleo-risk-hindsight"]);
    assert_eq!(code, 2);
    // (its fiscal regime is the law as enacted: the dated rules of the 2009 and 2013
    // reforms are listed by key, each with the date it was enacted)
    assert!(
        err.contains("key `finance.tax.rules[7]`: hindsight (fiscal rule)")
            && err.contains("mining_duty_pct = 7.5 from 2014, enacted 2013-12-11"),
        "{err}"
    );
    // Allowed: it runs, and every output says so.
    let dir = tmp("backtest-hindsight");
    let mut args = vec!["backtest", "boleo-risk-hindsight", "--allow-hindsight"];
    args.extend(SHORT_BACKTEST);
    let csv = dir.join("b.csv");
    let c = csv.to_str().unwrap().to_string();
    args.extend(["--csv", &c]);
    let v = json_of(&args, &dir, "b.json");
    assert!(v["note"].as_str().unwrap().contains("HINDSIGHT ALLOWED"));
    assert!(v["hindsight_allowed"].as_bool().unwrap());
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(csv.contains("HINDSIGHT ALLOWED"), "{}", &csv[..200]);
    // `manto risk` warns.
    let (code, _, err) = run(&[
        "risk",
        "boleo-risk-hindsight",
        "--iterations",
        "2",
        "-q",
        "--set",
        "risk.pool_days=100",
        "--set",
        "risk.probe_days=10",
        "--set",
        "risk.design_points=40",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: hindsight (citation)"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_actuals_exit_2_at_file_line_and_key() {
    let dir = tmp("bad-actuals");
    let f = dir.join("a.toml");
    std::fs::write(
        &f,
        "[[actual]]\nquantity = \"cu_op_year2_t\"\nvalue = 14284\nunit = \"kt\"\nsource = \"x\"\nknown = \"2017-03\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&["backtest", "--actuals", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a.toml:4: key `actual[0].unit`: `cu_op_year2_t` is in `t`, not `kt`"),
        "{err}"
    );
    std::fs::write(
        &f,
        "[[actual]]\nquantity = \"cu_cathode_t\"\nperiod = 2200\nvalue = 1\nunit = \"t\"\nsource = \"x\"\nknown = \"2017-03\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&["backtest", "--actuals", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("a.toml:3: key `actual[0].period`: the period is outside the study"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backtest_shards_merge_to_the_unsharded_run_byte_for_byte() {
    let dir = tmp("backtest-shards");
    let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let mut full = vec!["backtest", "-q"];
    full.extend(SHORT_BACKTEST);
    let whole = p("whole.json");
    let mut args = full.clone();
    args.extend(["--json", &whole]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let parts: Vec<String> = (0..3).map(|k| p(&format!("part{k}.json"))).collect();
    for (k, part) in parts.iter().enumerate() {
        let shard = format!("{k}/3");
        let mut args = full.clone();
        args.extend(["--shard", &shard, "--out", part]);
        let (code, _, err) = run(&args);
        assert_eq!(code, 0, "{err}");
    }
    let merged = p("merged.json");
    let mut args = vec!["merge", "--json", &merged];
    args.extend(parts.iter().map(String::as_str));
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(&whole).unwrap(),
        std::fs::read(&merged).unwrap()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backtest_html_draws_each_actual_on_its_s_curve_and_a_series_on_its_fan() {
    let dir = tmp("backtest-html");
    let actuals = dir.join("a.csv");
    std::fs::write(
        &actuals,
        "quantity,period,value,unit,source,known\n\
         cu_cathode_t,2016,14284,t,BNamericas,2017-03\n\
         capex overrun,,178.9,pct,Marketwire 2010; Reuters 2012,2012-12\n",
    )
    .unwrap();
    let html = dir.join("b.html");
    let mut args = vec![
        "backtest",
        "--actuals",
        actuals.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ];
    args.extend(SHORT_BACKTEST);
    let v = json_of(&args, &dir, "b.json");
    let page = std::fs::read_to_string(&html).unwrap();
    for id in [
        "chart-backtest-s-curve-1",
        "chart-backtest-s-curve-2",
        "chart-backtest-fan-1",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(!page.contains("chart-backtest-fan-2"));
    assert!(!page.contains("backtest-hindsight"));
    // The page's percentile is the JSON's.
    let p = v["actuals"][0]["percentile"].as_f64().unwrap();
    assert!(page.contains(&format!("<td>{p:.1}</td>")), "{p}");
    let fan = v["actuals"][0]["fan"].as_array().unwrap();
    assert!(fan.iter().any(|f| f["year"] == 2016));
    std::fs::remove_dir_all(&dir).ok();
}

/// `manto build` as a user runs it: the bundled scenario (terminal and JSON), an XER and an
/// MSPDI schedule file (the same network, so the same CPM finish), and a malformed file
/// refused with exit 2 naming the line and the element.
#[test]
fn build_runs_on_the_bundled_scenario_an_xer_and_an_mspdi_file() {
    let dir = tmp("build");
    let out = manto(&["build", "--iterations", "200", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("commercial_production") && text.contains("Merge bias"),
        "{text}"
    );
    let j = json_of(&["build", "--iterations", "200"], &dir, "b.json");
    assert_eq!(j["iterations"], 200);
    assert!(j["critical_path"].as_array().is_some_and(|c| !c.is_empty()));
    // The hand-written MSPDI sample, then the same network written as XER.
    let xml =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../study/tests/fixtures/sample-mspdi.xml");
    let xml = xml.to_str().unwrap();
    let jx = json_of(&["build", xml, "--iterations", "100"], &dir, "x.json");
    let finish = |j: &serde_json::Value| {
        j["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "project_finish")
            .unwrap()["planned_days"]
            .as_f64()
            .unwrap()
    };
    assert!((finish(&jx) - 51.6).abs() < 1e-9, "{}", finish(&jx));
    assert_eq!(jx["start_date"], "2008-01-07");
    let f = study::build::mspdi::parse(&std::fs::read_to_string(xml).unwrap(), "s.xml").unwrap();
    let xer = dir.join("sample.xer");
    std::fs::write(
        &xer,
        study::build::xer::write(&f.network, &f.milestones, "2008-01-07", &f.three_point),
    )
    .unwrap();
    let je = json_of(
        &["build", xer.to_str().unwrap(), "--iterations", "100"],
        &dir,
        "e.json",
    );
    assert!((finish(&je) - 51.6).abs() < 1e-6, "{}", finish(&je));
    // Malformed: exit 2, the file, the line and the element.
    let bad = dir.join("bad.xml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(xml)
            .unwrap()
            .replace("<Type>3</Type>", "<Type>9</Type>"),
    )
    .unwrap();
    let out = manto(&["build", bad.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.xml:") && err.contains("key `PredecessorLink.Type`"),
        "{err}"
    );
    let badx = dir.join("bad.xer");
    std::fs::write(&badx, "ERMHDR\t19.12\n%T\tTASK\n%R\t1\n").unwrap();
    let out = manto(&["build", badx.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.xer:3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hold_debt_without_set_is_refused_and_with_set_says_the_sizing() {
    let out = manto(&["finance", "-q", "--hold-debt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--hold-debt") && err.contains("without --set"),
        "{err}"
    );
    let out = manto(&[
        "finance",
        "-q",
        "--hold-debt",
        "--set",
        "finance.production_source=\"table\"",
        "--set",
        "finance.revenue.cu_cathode.price_usd_per_lb=1.2",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("held from the scenario before --set"),
        "{text}"
    );
    // Not offered where nothing is valued.
    assert_eq!(manto(&["section", "--hold-debt"]).status.code(), Some(2));
}

#[test]
fn a_section_only_scenario_runs_with_section_alone_and_in_either_unit_system() {
    // Other commands name the file and every table it lacks, exit 2.
    for cmd in ["schedule", "run", "finance"] {
        let out = manto(&[cmd, "coal-battery-hauler", "-q"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("<bundled coal-battery-hauler>: missing table(s) [targets], [schedule], [deposit], [plant], [crew], [finance]"),
            "{cmd}: {err}"
        );
    }
    // Sharding re-reads the parts as full scenarios: refused the same way.
    let dir = tmp("section-only");
    let part = dir.join("p.json");
    let out = manto(&[
        "section",
        "coal-battery-hauler",
        "--shard",
        "0/2",
        "--out",
        part.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!part.exists());
    // The scenario says units = "imperial"; --units metric gives the same run in tonnes.
    let value = |args: &[&str], row: &str| -> f64 {
        let out = manto(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let line = text
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no row {row} in\n{text}"));
        line[row.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap()
    };
    let base = [
        "section",
        "coal-battery-hauler",
        "--replications",
        "3",
        "-q",
    ];
    let short_t = value(&base, "wet short tons");
    let mut metric = base.to_vec();
    metric.extend(["--units", "metric"]);
    let t = value(&metric, "wet tonnes");
    assert!(
        (short_t * 0.907_184_74 - t).abs() < 0.1,
        "{short_t} short t vs {t} t"
    );
    let ft = value(&base, "advance (ft)");
    let m = value(&metric, "advance (m)");
    assert!((ft * 0.3048 - m).abs() < 0.1, "{ft} ft vs {m} m");
    let mut bad = base.to_vec();
    bad.extend(["--units", "furlongs"]);
    assert_eq!(manto(&bad).status.code(), Some(2));
}
