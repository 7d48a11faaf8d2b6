//! Mutation fuzzing of the scenario file through the built `manto` binary.
//!
//! The default scenario (`manto scenario show`) is mutated deterministically (a fixed-seed
//! xorshift generator): lines deleted, duplicated and swapped, numbers replaced by extremes
//! (0, -1, ±1e308, 1e-300, integers past 32 and 64 bits, nan, ±inf), bytes flipped, the text
//! truncated. Each mutant runs through `manto section` (and some through `schedule` and
//! `finance`) with a wall-clock limit. Whatever the input, the binary must end with exit
//! code 0 or 2 (never a panic, an abort or a signal), an exit-2 run must say `error: ...`,
//! no run may exceed the time limit, and none may need more than the memory limit (set
//! with `ulimit -v`; an allocation past it aborts the run).
//!
//! In the suite it runs 150 cases (a few seconds). `scripts/fuzz-long.sh SECONDS` runs it
//! for longer through these environment variables: `MANTO_FUZZ_SECONDS` (run cases until
//! then instead of 150), `MANTO_FUZZ_SEED`, `MANTO_FUZZ_TIMEOUT` (seconds per run, default
//! 20), `MANTO_FUZZ_MEM_MB` (address-space limit per run, default 2048) and `MANTO_FUZZ_BIN`
//! (another `manto` binary to fuzz, e.g. an older build). It prints runs,
//! exit codes, panics, over-time and over-memory runs, the slowest run and the largest
//! resident size (from `/usr/bin/time -v` when present).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CASES: usize = 150;
const SEED: u64 = 0x5EED_2026_0008;
const TIMEOUT_S: u64 = 20;
const MEM_MB: u64 = 2048;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Numbers a user (or a fuzzer) may type where a plausible value is expected.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-300",
    "1e-9",
    "nan",
    "inf",
    "-inf",
    "65533",
    "65534",
    "4294967295",
    "4294967296",
    "2000000000",
    "9223372036854775807",
    "99999999999999999999",
    "100000",
    "0.5",
];

/// xorshift64*: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Byte ranges of the numbers in `line` (after the `=`, outside comments and strings).
fn numbers(line: &str) -> Vec<(usize, usize)> {
    let Some(eq) = line.find('=') else {
        return Vec::new();
    };
    let b = line.as_bytes();
    let end = line.find('#').unwrap_or(line.len());
    let mut out = Vec::new();
    let mut i = eq + 1;
    let mut in_str = false;
    while i < end {
        let c = b[i];
        if c == b'"' {
            in_str = !in_str;
        }
        let starts = !in_str
            && (c.is_ascii_digit() || (c == b'-' && i + 1 < end && b[i + 1].is_ascii_digit()))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'));
        if starts {
            let s = i;
            i += 1;
            while i < end
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'_' | b'-' | b'+'))
            {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

/// One mutant of `base` and a short description of it.
fn mutate(base: &str, rng: &mut Rng) -> (Vec<u8>, String) {
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    let n = lines.len();
    let kind = rng.below(10);
    let desc;
    match kind {
        0 => {
            let i = rng.below(n);
            desc = format!("delete line {}: {}", i + 1, lines[i]);
            lines.remove(i);
        }
        1 => {
            let i = rng.below(n);
            desc = format!("duplicate line {}: {}", i + 1, lines[i]);
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            let (i, j) = (rng.below(n), rng.below(n));
            desc = format!("swap lines {} and {}", i + 1, j + 1);
            lines.swap(i, j);
        }
        3 => {
            let bytes = base.as_bytes();
            let mut bytes = bytes.to_vec();
            let count = 1 + rng.below(4);
            let mut at = Vec::new();
            for _ in 0..count {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
                at.push(i);
            }
            return (bytes, format!("flip bits at bytes {at:?}"));
        }
        4 => {
            let cut = rng.below(base.len());
            return (
                base.as_bytes()[..cut].to_vec(),
                format!("truncate at byte {cut}"),
            );
        }
        _ => {
            // Replace one or two numbers by extremes (the most productive mutation).
            let with_numbers: Vec<usize> =
                (0..n).filter(|&i| !numbers(&lines[i]).is_empty()).collect();
            let mut parts = Vec::new();
            for _ in 0..1 + usize::from(kind == 9) {
                let i = with_numbers[rng.below(with_numbers.len())];
                let nums = numbers(&lines[i]);
                if nums.is_empty() {
                    continue; // the first replacement left no number on this line
                }
                let (s, e) = nums[rng.below(nums.len())];
                let x = EXTREMES[rng.below(EXTREMES.len())];
                parts.push(format!("line {}: `{}` -> {x}", i + 1, &lines[i][s..e]));
                lines[i].replace_range(s..e, x);
            }
            desc = parts.join("; ");
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    (text.into_bytes(), desc)
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    timed_out: bool,
    out_of_memory: bool,
    max_rss_kb: Option<u64>,
}

/// Runs `manto args...` under `ulimit -v` (and `/usr/bin/time -v` when present) with a
/// wall-clock limit, output going to files (no pipe to fill).
fn run(args: &[&str], dir: &Path, timeout: Duration, mem_mb: u64) -> Outcome {
    let out = std::fs::File::create(dir.join("stdout")).unwrap();
    let err_path = dir.join("stderr");
    let rss_path = dir.join("rss");
    let _ = std::fs::remove_file(&rss_path);
    let err = std::fs::File::create(&err_path).unwrap();
    let timer = Path::new("/usr/bin/time").exists();
    let script = if timer {
        format!(
            "ulimit -v {} && exec /usr/bin/time -v -o {} \"$@\"",
            mem_mb * 1024,
            rss_path.display()
        )
    } else {
        format!("ulimit -v {} && exec \"$@\"", mem_mb * 1024)
    };
    let start = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", &script, "sh", &bin()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("spawn manto");
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned();
    let mut code = status.code();
    let rss = std::fs::read_to_string(&rss_path).unwrap_or_default();
    let max_rss_kb = rss
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok());
    // `time` reports a child killed by a signal as "Command terminated by signal N" and
    // exits 128 + N; count it as that signal, not as an exit code.
    if let Some(sig) = rss
        .lines()
        .find_map(|l| l.trim().strip_prefix("Command terminated by signal "))
        .and_then(|v| v.trim().parse::<i32>().ok())
    {
        code = None;
        stderr.push_str(&format!("\n(terminated by signal {sig})"));
    }
    let out_of_memory = stderr.contains("memory allocation of") || stderr.contains("out of memory");
    Outcome {
        code,
        stderr,
        elapsed: start.elapsed(),
        timed_out,
        out_of_memory,
        max_rss_kb,
    }
}

/// The binary under test: this build's, or `MANTO_FUZZ_BIN`.
fn bin() -> String {
    std::env::var("MANTO_FUZZ_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_manto").to_string())
}

fn tmp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("manto-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn mutated_scenarios_never_panic_or_run_away() {
    let dir = tmp();
    let show = Command::new(bin())
        .args(["scenario", "show"])
        .output()
        .unwrap();
    assert!(show.status.success());
    let base = String::from_utf8(show.stdout).unwrap();
    let seed = env_u64("MANTO_FUZZ_SEED").unwrap_or(SEED);
    let seconds = env_u64("MANTO_FUZZ_SECONDS");
    let timeout = Duration::from_secs(env_u64("MANTO_FUZZ_TIMEOUT").unwrap_or(TIMEOUT_S));
    let mem_mb = env_u64("MANTO_FUZZ_MEM_MB").unwrap_or(MEM_MB);
    let mut rng = Rng(seed | 1);
    let mut failures = Vec::new();
    let mut codes = std::collections::BTreeMap::new();
    let (mut runs, mut panics, mut over_time, mut over_memory) = (0usize, 0usize, 0usize, 0usize);
    let mut slowest = (Duration::ZERO, String::new());
    let mut max_rss = (0u64, String::new());
    let started = Instant::now();
    let mut case = 0usize;
    loop {
        match seconds {
            Some(s) if started.elapsed() >= Duration::from_secs(s) => break,
            None if case >= CASES => break,
            _ => {}
        }
        let (bytes, desc) = mutate(&base, &mut rng);
        let file = dir.join(format!("case-{case:05}.toml"));
        std::fs::write(&file, &bytes).unwrap();
        let f = file.to_str().unwrap();
        let mut commands: Vec<Vec<&str>> = vec![vec![
            "section",
            f,
            "--days",
            "2",
            "--warmup-days",
            "0",
            "--replications",
            "2",
            "--quiet",
        ]];
        if case % 10 == 3 {
            commands.push(vec![
                "schedule",
                f,
                "--years",
                "1",
                "--replications",
                "1",
                "--quiet",
            ]);
        }
        if case % 10 == 7 {
            commands.push(vec![
                "finance",
                f,
                "--years",
                "1",
                "--replications",
                "1",
                "--quiet",
            ]);
        }
        let mut keep = false;
        for args in &commands {
            let o = run(args, &dir, timeout, mem_mb);
            runs += 1;
            *codes.entry(o.code).or_insert(0usize) += 1;
            let what = format!(
                "case {case} ({desc}): manto {} -> {:?} in {:.1?}",
                args[0], o.code, o.elapsed
            );
            if o.elapsed > slowest.0 {
                slowest = (o.elapsed, what.clone());
            }
            if let Some(kb) = o.max_rss_kb.filter(|&kb| kb > max_rss.0) {
                max_rss = (kb, what.clone());
            }
            panics += usize::from(o.stderr.contains("panicked"));
            over_time += usize::from(o.timed_out);
            over_memory += usize::from(o.out_of_memory);
            if o.timed_out {
                failures.push(format!("{what}: over {timeout:?}"));
            } else if o.out_of_memory {
                failures.push(format!("{what}: over {mem_mb} MB: {}", o.stderr.trim()));
            } else if !matches!(o.code, Some(0) | Some(2)) {
                failures.push(format!("{what}: {}", o.stderr.trim()));
            } else if o.code == Some(2) && !o.stderr.starts_with("error:") {
                failures.push(format!(
                    "{what}: stderr does not start with `error:`: {}",
                    o.stderr.trim()
                ));
            } else {
                continue;
            }
            keep = true;
        }
        if !keep {
            std::fs::remove_file(&file).unwrap();
        }
        case += 1;
    }
    eprintln!(
        "fuzz: seed {seed}, {case} cases, {runs} runs in {:.1?}\n\
         fuzz: exit codes (None = signal) {codes:?}\n\
         fuzz: panics {panics}, over time ({timeout:?}) {over_time}, over memory ({mem_mb} MB) {over_memory}\n\
         fuzz: slowest {:.1?}: {}\n\
         fuzz: largest resident size {} MB: {}",
        started.elapsed(),
        slowest.0,
        slowest.1,
        max_rss.0 / 1024,
        max_rss.1
    );
    assert!(
        failures.is_empty(),
        "{} failures (inputs kept in {}):\n{}",
        failures.len(),
        dir.display(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// SHA-256 of the compact JSON of `records`, as a part's `records_sha256` (for parts
/// forged consistently: edited and re-hashed, so that only the shape checks can refuse them).
fn records_sha256(records: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(records).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every number (as a JSON pointer) in `v`.
fn number_pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Number(_) => out.push(at),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                number_pointers(x, format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                number_pointers(x, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// Every array and object (as a JSON pointer) in `v`, `v` itself excluded.
fn container_pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &serde_json::Value)> = match v {
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| (i.to_string(), x))
            .collect(),
        serde_json::Value::Object(o) => o.iter().map(|(k, x)| (k.clone(), x)).collect(),
        _ => return,
    };
    for (k, x) in children {
        if x.is_array() || x.is_object() {
            let p = format!("{at}/{k}");
            out.push(p.clone());
            container_pointers(x, p, out);
        }
    }
}

/// Damaged partial results through `manto merge`: parts of a section and a schedule study
/// (2 shards of 4 indices each) truncated, with a record's number edited, with a list or
/// an object inside a record cut, emptied, grown or its entry removed (re-hashed, so only
/// the shape checks can catch it), with records reordered (re-hashed or not), a record
/// duplicated, a part given twice, and a part of another version or format. Each must be
/// refused with exit 2 and one `error:` line naming a part file, never a panic. 100 cases
/// in the suite; `scripts/fuzz-long.sh` runs more (`MANTO_FUZZ_SECONDS`).
#[test]
fn damaged_parts_are_refused_naming_the_file() {
    let dir = tmp().join("parts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let studies: [(&str, Vec<&str>); 2] = [
        (
            "section",
            vec![
                "section",
                "--days",
                "1",
                "--warmup-days",
                "1",
                "--replications",
                "4",
            ],
        ),
        (
            "schedule",
            vec!["schedule", "--years", "1", "--replications", "4"],
        ),
    ];
    let mut good: Vec<(String, [serde_json::Value; 2])> = Vec::new();
    for (name, args) in &studies {
        let mut parts = Vec::new();
        for k in 0..2 {
            let out = path(&format!("{name}-{k}.json"));
            let shard = format!("{k}/2");
            let mut a = args.clone();
            a.extend(["-q", "--shard", &shard, "--out", &out]);
            let o = Command::new(bin()).args(&a).output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            parts.push(serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap());
        }
        let merged = Command::new(bin())
            .args([
                "merge",
                "-q",
                &path(&format!("{name}-1.json")),
                &path(&format!("{name}-0.json")),
            ])
            .output()
            .unwrap();
        assert!(
            merged.status.success(),
            "{}",
            String::from_utf8_lossy(&merged.stderr)
        );
        good.push((name.to_string(), parts.try_into().unwrap()));
    }
    let seed = env_u64("MANTO_FUZZ_SEED").unwrap_or(SEED);
    let seconds = env_u64("MANTO_FUZZ_SECONDS");
    let mut rng = Rng(seed.rotate_left(17) | 1);
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut case = 0usize;
    let line = |v: &serde_json::Value| {
        let mut b = serde_json::to_vec(v).unwrap();
        b.push(b'\n');
        b
    };
    loop {
        match seconds {
            Some(s) if started.elapsed() >= Duration::from_secs(s) => break,
            None if case >= 100 => break,
            _ => {}
        }
        case += 1;
        let (study, parts) = &good[rng.below(good.len())];
        let k = rng.below(2);
        let mut part = parts[k].clone();
        let mut files: Vec<Vec<u8>> = vec![line(&parts[0]), line(&parts[1])];
        let mut extra: Option<Vec<u8>> = None;
        let rehash = |p: &mut serde_json::Value| {
            p["records_sha256"] = records_sha256(&p["records"]).into();
        };
        let desc = match rng.below(8) {
            0 => {
                let bytes = line(&part);
                let cut = rng.below(bytes.len() - 1);
                files[k] = bytes[..cut].to_vec();
                format!("truncated at byte {cut}")
            }
            1 => {
                let mut at = Vec::new();
                number_pointers(&part["records"], "/records".into(), &mut at);
                let p = at[rng.below(at.len())].clone();
                let old = part.pointer(&p).unwrap().clone();
                let new: serde_json::Value = match old.as_f64() {
                    Some(x) if x != 1.0 => serde_json::json!(1.0),
                    _ => serde_json::json!(2.5),
                };
                *part.pointer_mut(&p).unwrap() = new.clone();
                files[k] = line(&part);
                format!("{p}: {old} -> {new}, not re-hashed")
            }
            2 | 3 => {
                // A list or an object inside a record changed in size, re-hashed.
                let mut at = Vec::new();
                container_pointers(&part["records"], "/records".into(), &mut at);
                let p = at[rng.below(at.len())].clone();
                let what = rng.below(3);
                let target = part.pointer_mut(&p).unwrap();
                let d = match (target, what) {
                    (serde_json::Value::Array(a), 0) if !a.is_empty() => {
                        a.pop();
                        "last entry removed"
                    }
                    (serde_json::Value::Array(a), 1) if !a.is_empty() => {
                        let x = a[0].clone();
                        a.push(x);
                        "first entry appended again"
                    }
                    (serde_json::Value::Array(a), _) => {
                        a.clear();
                        "emptied"
                    }
                    (serde_json::Value::Object(o), _) => {
                        let key = o.keys().next().unwrap().clone();
                        o.remove(&key);
                        "first key removed"
                    }
                    _ => unreachable!(),
                };
                rehash(&mut part);
                files[k] = line(&part);
                format!("{p}: {d}, re-hashed")
            }
            4 => {
                let r = part["records"].as_array_mut().unwrap();
                r.swap(0, 1);
                let again = study == "schedule" && rng.below(2) == 0;
                if again {
                    rehash(&mut part);
                }
                files[k] = line(&part);
                format!("records 1 and 2 swapped, re-hashed {again}")
            }
            5 => {
                let r = part["records"].as_array_mut().unwrap();
                let x = r[0].clone();
                r.push(x);
                rehash(&mut part);
                files[k] = line(&part);
                "first record duplicated, re-hashed".into()
            }
            6 => {
                extra = Some(files[k].clone());
                "part given twice".into()
            }
            _ => {
                if rng.below(2) == 0 {
                    part["manto_version"] = "0.0.9".into();
                } else {
                    part["format"] = "manto-partial/1".into();
                }
                files[k] = line(&part);
                "from another version".into()
            }
        };
        let mut names = Vec::new();
        for (i, bytes) in files.iter().chain(extra.iter()).enumerate() {
            let f = path(&format!("case-{case}-{i}.json"));
            std::fs::write(&f, bytes).unwrap();
            names.push(f);
        }
        let mut args = vec!["merge".to_string(), "-q".to_string()];
        args.extend(names.iter().cloned());
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&a, &dir, Duration::from_secs(TIMEOUT_S), MEM_MB);
        let what = format!("case {case} ({study} part {k}: {desc})");
        let names_a_part = names.iter().any(|n| o.stderr.contains(n.as_str()));
        if o.code != Some(2)
            || !o.stderr.starts_with("error: ")
            || o.stderr.trim_end().lines().count() != 1
            || !names_a_part
            || o.stderr.contains("panicked")
        {
            failures.push(format!("{what}: exit {:?}: {}", o.code, o.stderr.trim()));
        } else {
            for n in &names {
                let _ = std::fs::remove_file(n);
            }
        }
    }
    eprintln!(
        "fuzz: {case} damaged-part cases in {:.1?}",
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failures (parts kept in {}):\n{}",
        failures.len(),
        dir.display(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
