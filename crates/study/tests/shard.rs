//! Sharded studies: every split, merged in any order, gives the unsharded result byte for
//! byte; every set of parts that is not exactly one complete study is refused with one
//! message naming the file.

use manto_study as study;
use mine::schedule::ScheduleReplication;
use mine::section::Replication;
use proptest::prelude::*;
use std::sync::OnceLock;
use study::shard::{self, Partial, Shard};
use study::{Override, Scenario, Silent};

/// A short section study (7 replications of 2 days) and a short life of mine (5 trials of
/// one year), with their scenario texts.
fn section_scenario() -> &'static (String, Scenario) {
    static S: OnceLock<(String, Scenario)> = OnceLock::new();
    S.get_or_init(|| scenario(&["simulation.days=2", "simulation.replications=7"]))
}

fn schedule_scenario() -> &'static (String, Scenario) {
    static S: OnceLock<(String, Scenario)> = OnceLock::new();
    S.get_or_init(|| scenario(&["schedule.years=1", "schedule.replications=5"]))
}

fn scenario(sets: &[&str]) -> (String, Scenario) {
    let ov: Vec<Override> = sets
        .iter()
        .map(|s| Override::parse_set(s).unwrap())
        .collect();
    let text = study::text(None, &ov).unwrap();
    let s = study::parse(&text, "test").unwrap();
    (text, s)
}

fn section_bytes() -> &'static Vec<u8> {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        serde_json::to_vec(&study::section_study(&section_scenario().1, &Silent)).unwrap()
    })
}

fn schedule_trials() -> &'static Vec<ScheduleReplication> {
    static T: OnceLock<Vec<ScheduleReplication>> = OnceLock::new();
    T.get_or_init(|| study::schedule_trials(&schedule_scenario().1, &Silent))
}

/// The parts of the section study split `n` ways, each computed on its own and written to
/// its file's bytes.
fn section_parts(n: u32) -> Vec<Vec<u8>> {
    let (text, s) = section_scenario();
    let total = u64::from(s.simulation.replications);
    (0..n)
        .map(|k| {
            let shard = Shard::new(k, n).unwrap();
            let recs = study::section_replications(s, &shard.indices(total), &Silent);
            Partial::new("section", text, s.simulation.seed, shard, total, recs)
                .to_json()
                .unwrap()
        })
        .collect()
}

fn merge_section(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let parts = files
        .iter()
        .map(|(name, b)| shard::parse::<Replication>(name, b).map(|p| (name.clone(), p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let m = shard::merge(parts).map_err(|e| e.to_string())?;
    assert_eq!(m.command, "section");
    Ok(serde_json::to_vec(&study::section_summary(&m.scenario, &m.records)).unwrap())
}

/// Part files: (name, bytes).
type Files = Vec<(String, Vec<u8>)>;

fn named(parts: Vec<Vec<u8>>) -> Files {
    parts
        .into_iter()
        .enumerate()
        .map(|(k, b)| (format!("part-{k}.json"), b))
        .collect()
}

#[test]
fn section_split_1_2_4_7_ways_merges_to_the_unsharded_bytes() {
    for n in [1, 2, 4, 7] {
        let mut files = named(section_parts(n));
        files.reverse();
        assert_eq!(&merge_section(&files).unwrap(), section_bytes(), "N = {n}");
    }
}

#[test]
fn schedule_split_1_2_4_7_ways_merges_to_the_unsharded_bytes() {
    let (text, s) = schedule_scenario();
    let all = schedule_trials();
    let unsharded = serde_json::to_vec(&study::schedule_of(s, all)).unwrap();
    let total = all.len() as u64;
    // The per-index function on a shard's indices gives that shard's trials.
    let odd = study::schedule_trials_for(s, &[1, 3], &Silent);
    assert_eq!(odd, vec![all[1].clone(), all[3].clone()]);
    for n in [1u32, 2, 4, 7] {
        let mut parts = Vec::new();
        for k in (0..n).rev() {
            let shard = Shard::new(k, n).unwrap();
            let recs: Vec<ScheduleReplication> = shard
                .indices(total)
                .iter()
                .map(|&i| all[i as usize].clone())
                .collect();
            let bytes = Partial::new("schedule", text, s.simulation.seed, shard, total, recs)
                .to_json()
                .unwrap();
            let name = format!("part-{k}.json");
            parts.push((
                name.clone(),
                shard::parse::<ScheduleReplication>(&name, &bytes).unwrap(),
            ));
        }
        let m = shard::merge(parts).unwrap();
        assert_eq!(m.records, *all, "N = {n}");
        let merged = serde_json::to_vec(&study::schedule_of(&m.scenario, &m.records)).unwrap();
        assert_eq!(merged, unsharded, "N = {n}");
    }
}

#[test]
fn a_shard_is_the_same_bytes_when_run_again() {
    let a = section_parts(4);
    let b = section_parts(4);
    assert_eq!(a, b);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Any order of the parts merges to the same bytes (7 shards of 7 replications).
    #[test]
    fn any_order_of_seven_parts_merges_the_same(keys in prop::collection::vec(any::<u32>(), 7)) {
        static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
        let parts = PARTS.get_or_init(|| named(section_parts(7)));
        let mut order: Vec<usize> = (0..7).collect();
        order.sort_by_key(|&i| (keys[i], i));
        let files: Vec<(String, Vec<u8>)> = order.iter().map(|&i| parts[i].clone()).collect();
        prop_assert_eq!(&merge_section(&files).unwrap(), section_bytes());
    }
}

/// Edits one part's JSON (as a value) and returns the bytes.
fn edit(bytes: &[u8], f: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    f(&mut v);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn every_set_that_is_not_one_complete_study_is_refused() {
    let parts = section_parts(4);
    let files = named(parts.clone());
    let with = |k: usize, b: Vec<u8>| {
        let mut f = files.clone();
        f[k].1 = b;
        f
    };
    let cases: Vec<(&str, Files, &str)> = vec![
        ("missing", files[..3].to_vec(), "merge: incomplete study: missing shard(s) 3 of 4"),
        (
            "missing two",
            vec![files[1].clone(), files[2].clone()],
            "missing shard(s) 0, 3 of 4",
        ),
        (
            "duplicated",
            {
                let mut f = files.clone();
                f.push(("again-1.json".into(), parts[1].clone()));
                f
            },
            "again-1.json: shard 1/4 given twice (also part-1.json)",
        ),
        (
            "other seed",
            with(2, edit(&parts[2], |v| v["seed"] = 8.into())),
            "part-2.json: not a shard of the same study as part-0.json: seed `8`, not `2007`",
        ),
        (
            "other command",
            with(1, edit(&parts[1], |v| v["command"] = "schedule".into())),
            "part-1.json: not a shard of the same study as part-0.json: command `schedule`",
        ),
        (
            "other version",
            with(3, edit(&parts[3], |v| v["manto_version"] = "0.0.9".into())),
            "part-3.json: written by manto 0.0.9, this is manto 0.1.0: run the shards with one version",
        ),
        (
            "other scenario",
            with(
                1,
                edit(&parts[1], |v| {
                    let t = v["scenario"].as_str().unwrap().replace("seed = 2007", "seed = 2008");
                    v["scenario_sha256"] = shard::sha256_hex(&t).into();
                    v["scenario"] = t.into();
                }),
            ),
            "part-1.json: not a shard of the same study as part-0.json: scenario (sha256)",
        ),
        (
            "edited scenario",
            with(
                1,
                edit(&parts[1], |v| {
                    let t = v["scenario"].as_str().unwrap().replace("seed = 2007", "seed = 2008");
                    v["scenario"] = t.into();
                }),
            ),
            "part-1.json: its scenario does not match its scenario_sha256 (edited?)",
        ),
        (
            "other options",
            with(3, edit(&parts[3], |v| v["options"] = "{\"confidence\":0.9}".into())),
            "part-3.json: not a shard of the same study as part-0.json: options `{\"confidence\":0.9}`, not `{}`",
        ),
        (
            "other split",
            {
                let mut f = files[..2].to_vec();
                f.push(("eight.json".into(), section_parts(8)[2].clone()));
                f
            },
            "eight.json: not a shard of the same study as part-0.json: shard count N `8`, not `4`",
        ),
        (
            "K >= N",
            with(0, edit(&parts[0], |v| v["shard"] = 4.into())),
            "part-0.json: bad shard 4/4: K must be below N",
        ),
        (
            "wrong indices",
            with(0, edit(&parts[0], |v| v["indices"][0] = 1.into())),
            "part-0.json: its indices are not those of shard 0/4 of 7",
        ),
        (
            "a record lost",
            with(
                0,
                edit(&parts[0], |v| {
                    v["records"].as_array_mut().unwrap().pop();
                }),
            ),
            "part-0.json: 1 records for 2 indices",
        ),
        (
            "not a partial",
            with(2, b"{\"dry_tonnes_per_shift\": 3}".to_vec()),
            "part-2.json: not a manto partial result",
        ),
        (
            "not JSON",
            with(2, b"\x00\x01binary".to_vec()),
            "part-2.json: not a manto partial result",
        ),
        (
            "truncated",
            with(2, parts[2][..parts[2].len() / 2].to_vec()),
            "part-2.json: truncated partial result",
        ),
        (
            "another format",
            with(2, edit(&parts[2], |v| v["format"] = "manto-partial/9".into())),
            "part-2.json: partial result format `manto-partial/9`, this manto reads `manto-partial/2`",
        ),
        (
            "damaged record",
            with(2, edit(&parts[2], |v| v["records"][0]["events"] = "many".into())),
            "part-2.json: damaged partial result",
        ),
    ];
    for (what, files, want) in cases {
        let got = merge_section(&files).expect_err(what);
        assert!(
            got.starts_with(want) || got.contains(want),
            "{what}: got `{got}`, want `{want}`"
        );
    }
    // The complete set still merges.
    assert_eq!(&merge_section(&files).unwrap(), section_bytes());
}

#[test]
fn missing_lists_the_shards_still_to_run() {
    let parts = section_parts(7);
    let headers: Vec<(String, shard::Header)> = [6usize, 0, 3]
        .iter()
        .map(|&k| {
            let name = format!("part-{k}.json");
            let h = shard::parse_header(&name, &parts[k]).unwrap();
            (name, h)
        })
        .collect();
    assert_eq!(shard::check(&headers).unwrap(), vec![1, 2, 4, 5]);
}

#[test]
fn a_value_json_cannot_carry_is_an_error_not_a_silent_change() {
    let p = Partial::new("test", "x", 0, Shard::ALL, 2, vec![1.0f64, f64::NAN]);
    assert!(p.to_json().is_err());
    let p = Partial::new("test", "x", 0, Shard::ALL, 2, vec![0.1f64, 1e-310]);
    assert!(p.to_json().is_ok());
}

#[test]
fn risk_split_1_2_4_7_ways_merges_to_the_unsharded_bytes_nan_included() {
    use study::risk::{IterationRecord, RiskOptions, RiskPlan};
    let ov = [Override::parse_set("risk.iterations=9").unwrap()];
    let text = study::text(Some("boleo-risk"), &ov).unwrap();
    let s = study::parse(&text, "test").unwrap();
    let opts = RiskOptions { exact: false };
    let unsharded = serde_json::to_vec(&study::risk::run(&s, opts, &Silent).unwrap()).unwrap();
    let plan = RiskPlan::prepare(&s, opts, &Silent).unwrap();
    let total = 9u64;
    let mut saw_nan = false;
    for n in [1u32, 2, 4, 7] {
        let mut parts = Vec::new();
        for k in (0..n).rev() {
            let shard = Shard::new(k, n).unwrap();
            let recs = study::risk::iterations(&plan, &shard.indices(total), &Silent).unwrap();
            saw_nan |= recs
                .iter()
                .any(|r| r.outputs.iter().chain(&r.dscr).any(|x| x.is_nan()));
            let bytes = Partial::with_options(
                "risk",
                &text,
                "{\"exact\":false}",
                s.simulation.seed,
                shard,
                total,
                recs,
            )
            .to_json()
            .unwrap();
            let name = format!("part-{k}.json");
            parts.push((
                name.clone(),
                shard::parse::<IterationRecord>(&name, &bytes).unwrap(),
            ));
        }
        let m = shard::merge(parts).unwrap();
        assert_eq!(m.options, "{\"exact\":false}");
        let merged = study::risk::summarise(&plan, m.records).unwrap();
        assert_eq!(serde_json::to_vec(&merged).unwrap(), unsharded, "N = {n}");
    }
    // Some years have no debt service (NaN DSCR): NaN crosses the file exactly.
    assert!(
        saw_nan,
        "no NaN output in the records: the test lost its point"
    );
}

#[test]
fn exact_f64s_round_trip_every_value() {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct W(#[serde(with = "study::shard::exact_f64s")] Vec<f64>);
    let v = vec![
        0.1,
        -0.0,
        1e-310,
        f64::MAX,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let text = serde_json::to_string(&W(v.clone())).unwrap();
    assert_eq!(
        text,
        "[0.1,-0.0,1e-310,1.7976931348623157e+308,\"NaN\",\"inf\",\"-inf\"]"
    );
    let back: W = serde_json::from_str(&text).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&back.0), bits(&v));
    assert!(serde_json::from_str::<W>("[\"many\"]").is_err());
}

/// A short fleet sizing (3 section-years of 30 days for each of 2 x 2 per-section fleets:
/// 12 units) and its options.
fn size_study() -> &'static (String, Scenario, study::SizeOptions) {
    static S: OnceLock<(String, Scenario, study::SizeOptions)> = OnceLock::new();
    S.get_or_init(|| {
        let (text, s) = scenario(&["simulation.replications=3"]);
        let o = study::SizeOptions {
            max_bolters: 2,
            max_haulers: 2,
            days: 30,
            ..study::SizeOptions::DEFAULT
        };
        (text, s, o)
    })
}

/// The size study's parts split `n` ways, shard `n - 1` first, with the plan `o`.
fn size_parts(n: u32, o: &study::SizeOptions) -> Files {
    let (text, s, _) = size_study();
    let total = study::size_units(s, o).unwrap();
    let plan = study::SizePlan::new(s, o).to_json();
    (0..n)
        .rev()
        .map(|k| {
            let shard = Shard::new(k, n).unwrap();
            let recs = study::size_section_years(s, o, &shard.indices(total), &Silent).unwrap();
            let bytes =
                Partial::with_options("size", text, &plan, s.simulation.seed, shard, total, recs)
                    .to_json()
                    .unwrap();
            (format!("part-{k}.json"), bytes)
        })
        .collect()
}

fn merge_size(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let parts = files
        .iter()
        .map(|(name, b)| shard::parse::<f64>(name, b).map(|p| (name.clone(), p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let m = shard::merge(parts).map_err(|e| e.to_string())?;
    assert_eq!(m.command, "size");
    let o = study::SizePlan::parse(&m.options)?.options();
    let sizing = study::size_of(&m.scenario, &o, &m.records).map_err(|e| e.to_string())?;
    Ok(serde_json::to_vec(&sizing).unwrap())
}

#[test]
fn size_split_1_2_4_7_ways_merges_to_the_unsharded_bytes() {
    let (_, s, o) = size_study();
    let unsharded = serde_json::to_vec(&study::size(s, o, &Silent).unwrap()).unwrap();
    assert_eq!(study::size_units(s, o).unwrap(), 12);
    // The per-unit function: unit 7 is fleet 7 / 3 = 2 (2 bolters, 1 hauler), replication 1.
    let all = study::size_section_years(s, o, &(0..12).collect::<Vec<_>>(), &Silent).unwrap();
    assert_eq!(
        study::size_section_years(s, o, &[7, 2], &Silent).unwrap(),
        vec![all[7], all[2]]
    );
    assert_eq!(
        serde_json::to_vec(&study::size_of(s, o, &all).unwrap()).unwrap(),
        unsharded
    );
    for n in [1, 2, 4, 7] {
        assert_eq!(merge_size(&size_parts(n, o)).unwrap(), unsharded, "N = {n}");
    }
    // Too few or too many units for the plan: an error, not a panic.
    assert!(study::size_of(s, o, &all[..11]).is_err());
    assert!(study::size_section_years(s, o, &[12], &Silent).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    /// Any order of the 7 parts of the size study merges to the unsharded bytes.
    #[test]
    fn any_order_of_seven_size_parts_merges_the_same(keys in prop::collection::vec(any::<u32>(), 7)) {
        static DATA: OnceLock<(Files, Vec<u8>)> = OnceLock::new();
        let (parts, unsharded) = DATA.get_or_init(|| {
            let (_, s, o) = size_study();
            let unsharded = serde_json::to_vec(&study::size(s, o, &Silent).unwrap()).unwrap();
            (size_parts(7, o), unsharded)
        });
        let mut order: Vec<usize> = (0..7).collect();
        order.sort_by_key(|&i| (keys[i], i));
        let files: Files = order.iter().map(|&i| parts[i].clone()).collect();
        prop_assert_eq!(&merge_size(&files).unwrap(), unsharded);
    }
}

#[test]
fn size_parts_of_another_plan_are_refused_naming_what_differs() {
    let (_, _, o) = size_study();
    let parts = size_parts(2, o);
    let other = study::SizeOptions {
        confidence: 0.8,
        ..o.clone()
    };
    let foreign = size_parts(2, &other);
    // part-1 of the plan, part-0 of another (confidence 0.8 instead of 0.9).
    let files = vec![parts[0].clone(), foreign[1].clone()];
    assert_eq!(files[0].0, "part-1.json");
    let err = merge_size(&files).unwrap_err();
    assert!(
        err.starts_with("part-0.json: not a shard of the same study as part-1.json: options `{\"target_dry_mtpa\":null,\"confidence\":0.8,")
            && err.ends_with("(confidence differs)"),
        "{err}"
    );
    // More fleets tried: other options and another index count.
    let wider = study::SizeOptions {
        max_haulers: 3,
        days: 20,
        ..o.clone()
    };
    let files = vec![parts[0].clone(), size_parts(2, &wider)[1].clone()];
    let err = merge_size(&files).unwrap_err();
    assert!(err.contains("index count `18`, not `12`"), "{err}");
    // Same index count, other plan: the options name both keys.
    let mut f = parts.clone();
    f[1].1 = edit(&parts[1].1, |v| {
        let t = v["options"].as_str().unwrap();
        v["options"] = t
            .replace("\"days\":30", "\"days\":31")
            .replace("\"max_bolters\":2", "\"max_bolters\":1")
            .into();
    });
    let err = merge_size(&f).unwrap_err();
    assert!(err.ends_with("(days, max_bolters differ)"), "{err}");
}

/// The shifts a section record must hold, as `merge` checks them, are the shifts the
/// simulation counts: every calendar (5, 6 and 7 working days, warm-ups that start the
/// counting mid-week) and run length.
#[test]
fn counted_shifts_are_the_shifts_a_replication_counts() {
    for dpw in [5, 6, 7] {
        for warmup in [0u32, 1, 3, 6] {
            for days in [1u32, 2, 9] {
                let d = format!("calendar.days_per_week={dpw}");
                let (_, s) = scenario(&[d.as_str()]);
                let opts = mine::section::RunOptions {
                    days,
                    warmup_days: warmup,
                    ..s.simulation
                };
                let rep = mine::section::replication(&s.section, &s.calendar, opts, 0);
                assert_eq!(
                    rep.shifts.len() as u64,
                    s.calendar.counted_shifts(warmup, days),
                    "{dpw} days a week, warm-up {warmup}, {days} days"
                );
            }
        }
    }
}

/// Issue 18, point 4: records whose shape their scenario does not give are refused even
/// when their digest was recomputed (a part from another version, or forged), naming the
/// file and the record; edited records whose digest was not recomputed are refused by it.
#[test]
fn records_of_the_wrong_shape_or_edited_are_refused() {
    let (text, s) = schedule_scenario();
    let trials = schedule_trials();
    let one_part = |recs: Vec<ScheduleReplication>| -> Result<(), String> {
        let p = Partial::new("schedule", text, s.simulation.seed, Shard::ALL, 5, recs);
        let bytes = p.to_json().unwrap();
        let part = shard::parse::<ScheduleReplication>("part.json", &bytes).unwrap();
        shard::merge(vec![("part.json".to_string(), part)])
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert_eq!(one_part(trials.clone()), Ok(()));
    // 8 quarters for a 1-year schedule (the panic of issue 18: index out of bounds).
    let mut long = trials.clone();
    let extra = long[2].quarters.clone();
    long[2].quarters.extend(extra);
    assert_eq!(
        one_part(long).unwrap_err(),
        "part.json: record 3 (index 2) does not fit its scenario: 8 quarters, but its scenario's schedule.years 1 makes 4"
    );
    // A record cut short: no quarters (it merged into a schedule with no years, exit 0).
    let mut cut = trials.clone();
    cut[0].quarters.clear();
    assert!(one_part(cut)
        .unwrap_err()
        .contains("record 1 (index 0) does not fit its scenario: 0 quarters"));
    // Records reordered (the trials say where they belong).
    let mut swapped = trials.clone();
    swapped.swap(0, 1);
    assert!(one_part(swapped)
        .unwrap_err()
        .contains("trial 1 where index 0 belongs"));

    // An emptied list of shifts (it silently changed the section study and sizing).
    let (stext, ss) = section_scenario();
    let mut reps = study::section_replications(ss, &[0, 1], &Silent);
    let counted = reps[1].shifts.len();
    reps[1].shifts.clear();
    let p = Partial::new(
        "section",
        stext,
        ss.simulation.seed,
        Shard::ALL,
        2,
        reps.clone(),
    );
    let bytes = p.to_json().unwrap();
    let part = shard::parse::<Replication>("sec.json", &bytes).unwrap();
    let err = shard::merge(vec![("sec.json".to_string(), part)])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("sec.json: record 2 (index 1) does not fit its scenario: 0 shifts, but its scenario's calendar counts {counted} in simulation.days 2 after simulation.warmup_days {}", ss.simulation.warmup_days)
    );
    // The same edit made in the file, the digest left as written: refused by the digest.
    let good = Partial::new(
        "section",
        stext,
        ss.simulation.seed,
        Shard::ALL,
        2,
        study::section_replications(ss, &[0, 1], &Silent),
    );
    let mut edited = good.clone();
    edited.records[1].shifts.clear();
    let err = shard::merge(vec![("sec.json".to_string(), edited)])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "sec.json: its records do not match its records_sha256 (edited, reordered or damaged?)"
    );
    assert!(shard::merge(vec![("sec.json".to_string(), good)]).is_ok());
}
