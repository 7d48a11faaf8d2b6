#![cfg(unix)]
//! Where outputs go: files replaced atomically and together, devices and FIFOs written
//! through, links followed, duplicates refused, temporaries cleaned up.

use manto_report as report;
use report::output::{self, clean_stale_temps, temp_name, Destination, Kind};
use report::{OutputError, OutputSet};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// A fresh directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("manto-report-output-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// File names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn regular_file_is_replaced_atomically() {
    let dir = scratch("regular");
    let p = dir.join("out.json");
    fs::write(&p, "old").unwrap();
    let d = Destination::parse(&p).unwrap();
    assert!(matches!(d.kind(), Kind::Replace { .. }));
    output::commit(&[(&d, b"new")]).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"new");
    assert_eq!(names(&dir), ["out.json"]);
    // A file that does not exist yet is created the same way.
    let q = dir.join("fresh.csv");
    report::write_atomic(&q, b"a,b\n").unwrap();
    assert_eq!(fs::read(&q).unwrap(), b"a,b\n");
    assert_eq!(names(&dir), ["fresh.csv", "out.json"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fifo_is_written_through_and_stays_a_fifo() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("mkfifo not available; skipped");
        return;
    }
    let d = Destination::parse(&fifo).unwrap();
    assert_eq!(d.kind(), &Kind::WriteThrough);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    output::commit(&[(&d, b"through the pipe\n")]).unwrap();
    assert_eq!(reader.join().unwrap(), b"through the pipe\n");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names(&dir), ["pipe"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn symlink_is_followed_and_stays_a_symlink() {
    let dir = scratch("symlink");
    fs::create_dir(dir.join("results")).unwrap();
    let target = dir.join("results/run-1.json");
    fs::write(&target, "old").unwrap();
    let link = dir.join("latest.json");
    std::os::unix::fs::symlink("results/run-1.json", &link).unwrap();

    report::write_atomic(&link, b"new").unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("results/run-1.json")
    );
    assert_eq!(fs::read(&target).unwrap(), b"new");
    assert_eq!(names(&dir.join("results")), ["run-1.json"]);

    // A dangling link gets its target created; the link stays.
    let dangling = dir.join("next.json");
    std::os::unix::fs::symlink("results/run-2.json", &dangling).unwrap();
    report::write_atomic(&dangling, b"two").unwrap();
    assert!(fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(dir.join("results/run-2.json")).unwrap(), b"two");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dev_null_is_written_through_and_stays_a_device() {
    let null = Path::new("/dev/null");
    let d = Destination::parse(null).unwrap();
    assert_eq!(d.kind(), &Kind::WriteThrough);
    output::commit(&[(&d, b"discarded")]).unwrap();
    report::write_atomic(null, b"discarded too").unwrap();
    assert!(fs::symlink_metadata(null)
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn directory_is_refused() {
    let dir = scratch("directory");
    let err = OutputSet::new(&[("--json", &dir)]).unwrap_err();
    assert!(matches!(err, OutputError::IsDirectory { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("--json") && msg.contains(&*dir.to_string_lossy()),
        "{msg}"
    );
    // So is a path whose directory does not exist, before anything runs.
    let err = OutputSet::new(&[("--csv", dir.join("missing/out.csv"))]).unwrap_err();
    assert!(matches!(err, OutputError::Resolve { .. }), "{err}");
    assert!(err.to_string().contains("--csv"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn same_destination_twice_is_refused() {
    let dir = scratch("twice");
    fs::create_dir(dir.join("a")).unwrap();
    let out = dir.join("out.json");
    let err = OutputSet::new(&[("--json", &out), ("--csv", &out)]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, OutputError::SameDestination { .. }), "{msg}");
    assert!(msg.contains("--json") && msg.contains("--csv"), "{msg}");

    // Two spellings of a file that does not exist yet ...
    let other = dir.join("a/../out.json");
    let err = OutputSet::new(&[("--json", &out), ("--csv", &other)]).unwrap_err();
    assert!(matches!(err, OutputError::SameDestination { .. }), "{err}");
    assert!(err.to_string().contains("a/../out.json"), "{err}");
    // ... and of one that does, and a link to it.
    fs::write(&out, "x").unwrap();
    assert!(OutputSet::new(&[("--json", &out), ("--csv", &other)]).is_err());
    std::os::unix::fs::symlink(&out, dir.join("link.json")).unwrap();
    assert!(OutputSet::new(&[("--json", &out), ("--csv", &dir.join("link.json"))]).is_err());

    // Standard output twice.
    let err = OutputSet::new(&[("--json", "-"), ("--csv", "-")]).unwrap_err();
    assert!(matches!(err, OutputError::SameDestination { .. }), "{err}");

    // Different files are fine.
    let set = OutputSet::new(&[("--json", &out), ("--csv", &dir.join("out.csv"))]).unwrap();
    assert_eq!(set.destinations().len(), 2);
    assert_eq!(set.destinations()[1].flag(), Some("--csv"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dash_goes_to_stdout() {
    let dir = scratch("dash");
    let set = OutputSet::new(&[("--json", Path::new("-")), ("--csv", &dir.join("o.csv"))]).unwrap();
    assert!(set.writes_stdout());
    assert_eq!(set.destinations()[0].kind(), &Kind::Stdout);
    let mut stdout = Vec::new();
    set.commit_to(&["{}\n", "a,b\n"], &mut stdout).unwrap();
    assert_eq!(stdout, b"{}\n");
    assert_eq!(fs::read(dir.join("o.csv")).unwrap(), b"a,b\n");
    // No file named "-" anywhere.
    assert!(!Path::new("-").exists());
    assert_eq!(names(&dir), ["o.csv"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stale_temporaries_of_dead_processes_are_cleaned() {
    let dir = scratch("stale");
    // A PID that certainly ran and has ended: a child we waited for.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let name = OsStr::new("out.json");
    let stale = dir.join(temp_name(name, dead));
    let legacy = dir.join(format!(".out.json.{dead}.tmp"));
    let live = dir.join(temp_name(name, std::process::id()));
    let unrelated = dir.join(temp_name(OsStr::new("out.csv"), dead));
    for p in [&stale, &legacy, &live, &unrelated] {
        fs::write(p, "partial").unwrap();
    }
    if !Path::new("/proc/self").exists() {
        assert_eq!(clean_stale_temps(&dir, name).unwrap(), 0);
        fs::remove_dir_all(&dir).unwrap();
        return;
    }
    assert_eq!(clean_stale_temps(&dir, name).unwrap(), 2);
    assert!(!stale.exists() && !legacy.exists());
    assert!(live.exists(), "our own (live) temporary is kept");
    assert!(unrelated.exists(), "another output's temporary is kept");

    // commit cleans them too.
    fs::write(&stale, "partial").unwrap();
    fs::remove_file(&live).unwrap();
    report::write_atomic(&dir.join("out.json"), b"done").unwrap();
    assert!(!stale.exists());
    assert_eq!(
        names(&dir),
        [
            ".out.csv.manto-".to_string() + &dead.to_string() + ".tmp",
            "out.json".into()
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failure_in_second_output_commits_neither_and_leaves_no_temporaries() {
    let dir = scratch("failure");
    let first = dir.join("out.json");
    fs::write(&first, "old json").unwrap();
    let sub = dir.join("sub");
    fs::create_dir(&sub).unwrap();
    let second = sub.join("out.csv");
    let set = OutputSet::new(&[("--json", &first), ("--csv", &second)]).unwrap();
    // The second output's directory disappears during the run.
    fs::remove_dir(&sub).unwrap();
    let err = set.commit(&["new json", "new csv"]).unwrap_err();
    assert!(matches!(err, OutputError::Write { .. }), "{err}");
    assert_eq!(err.flag(), Some("--csv"));
    assert!(err.to_string().contains("out.csv"), "{err}");
    assert_eq!(fs::read(&first).unwrap(), b"old json");
    assert_eq!(names(&dir), ["out.json"]);
    assert!(output::live_temporaries()
        .iter()
        .all(|t| !t.starts_with(&dir)));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn both_outputs_are_committed_together() {
    let dir = scratch("together");
    let json = dir.join("r.json");
    let csv = dir.join("r.csv");
    let set = OutputSet::new(&[("--json", &json), ("--csv", &csv)]).unwrap();
    assert!(!set.writes_stdout());
    set.commit(&["{}", "t,r,c,v\n"]).unwrap();
    assert_eq!(fs::read(&json).unwrap(), b"{}");
    assert_eq!(fs::read(&csv).unwrap(), b"t,r,c,v\n");
    assert_eq!(names(&dir), ["r.csv", "r.json"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn interrupt_cleanup_installs_once() {
    output::install_interrupt_cleanup().unwrap();
    output::install_interrupt_cleanup().unwrap();
}

/// Environment variable that turns [`interrupt_child`] into the child process of
/// [`interrupt_removes_live_temporaries_and_exits_130`].
const CHILD_DIR: &str = "MANTO_REPORT_INTERRUPT_CHILD_DIR";

/// Run as a child process only: commits a file and a FIFO nobody reads, so it blocks with
/// the file's temporary live.
#[test]
#[ignore = "the child process of interrupt_removes_live_temporaries_and_exits_130, which runs it with --ignored and its directory in MANTO_REPORT_INTERRUPT_CHILD_DIR"]
fn interrupt_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    output::install_interrupt_cleanup().unwrap();
    let set = OutputSet::new(&[
        ("--json", dir.join("out.json")),
        ("--csv", dir.join("pipe")),
    ])
    .unwrap();
    let _ = set.commit(&["{}", "a,b\n"]);
    panic!("the commit should have blocked on the FIFO");
}

#[test]
fn interrupt_removes_live_temporaries_and_exits_130() {
    interrupt_with("-INT");
    interrupt_with("-TERM");
}

/// Interrupts a child blocked in a commit with `signal` (an option of `kill`).
fn interrupt_with(signal: &str) {
    use std::time::{Duration, Instant};
    let dir = scratch(&format!("interrupt{signal}"));
    let fifo = dir.join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("mkfifo not available; skipped");
        return;
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "interrupt_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, &dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temp = dir.join(temp_name(OsStr::new("out.json"), child.id()));
    let start = Instant::now();
    while !temp.exists() {
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the child never created {}", temp.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the child did not exit on {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        names(&dir),
        ["pipe"],
        "temporary removed, nothing committed"
    );
    fs::remove_dir_all(&dir).unwrap();
}
