//! Docs that cannot drift: every output example in docs/*.md that is preceded by a marker
//!
//! ```text
//! <!-- generated: stdout | section --days 5 --replications 2 -q | lines 1-11 -->
//! ```
//!
//! is the real output of that command (standard output, or the `--csv` or `--json` file with
//! `csv` / `json`), cut to the given line ranges with `...` for the gaps. Run with
//! `MANTO_UPDATE_DOCS=1` to rewrite the examples after a deliberate change of output.

use std::path::{Path, PathBuf};
use std::process::Command;

const DOCS: [&str; 2] = ["docs/output.md", "README.md"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Marker {
    source: String,
    args: Vec<String>,
    ranges: Vec<(usize, usize)>,
}

fn parse_marker(line: &str) -> Option<Marker> {
    let inner = line
        .trim()
        .strip_prefix("<!-- generated:")?
        .strip_suffix("-->")?;
    let parts: Vec<&str> = inner.split('|').map(str::trim).collect();
    assert!(
        parts.len() == 3,
        "marker needs `source | args | lines A-B,...`: {line}"
    );
    let ranges = parts[2]
        .strip_prefix("lines ")
        .unwrap_or_else(|| panic!("marker without `lines`: {line}"))
        .split(',')
        .map(|r| {
            let (a, b) = r.trim().split_once('-').expect("range A-B");
            (a.parse().expect("number"), b.parse().expect("number"))
        })
        .collect();
    Some(Marker {
        source: parts[0].to_string(),
        args: parts[1].split_whitespace().map(String::from).collect(),
        ranges,
    })
}

fn generate(m: &Marker, dir: &Path) -> String {
    let file = dir.join("out");
    let mut args = m.args.clone();
    match m.source.as_str() {
        "stdout" => {}
        "csv" | "json" => args.extend([format!("--{}", m.source), file.display().to_string()]),
        other => panic!("unknown source {other}"),
    }
    let out = Command::new(env!("CARGO_BIN_EXE_manto"))
        .args(&args)
        .output()
        .expect("manto runs");
    assert!(
        out.status.success(),
        "manto {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = if m.source == "stdout" {
        String::from_utf8(out.stdout).unwrap()
    } else {
        std::fs::read_to_string(&file).unwrap()
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut shown = Vec::new();
    let mut next = 1;
    for &(a, b) in &m.ranges {
        if a > next {
            shown.push("...");
        }
        shown.extend(lines.iter().take(b.min(lines.len())).skip(a - 1).copied());
        next = b + 1;
    }
    if next <= lines.len() {
        shown.push("...");
    }
    shown.join("\n")
}

#[test]
fn generated_examples_match_real_runs() {
    let update = std::env::var_os("MANTO_UPDATE_DOCS").is_some();
    let dir = std::env::temp_dir().join(format!("manto-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut stale = Vec::new();
    let mut count = 0;
    for doc in DOCS {
        let path = root().join(doc);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            out.push(lines[i].to_string());
            if let Some(m) = parse_marker(lines[i]) {
                count += 1;
                assert!(
                    lines[i + 1].starts_with("```"),
                    "{doc}:{}: fence expected",
                    i + 2
                );
                out.push(lines[i + 1].to_string());
                let end = (i + 2..lines.len())
                    .find(|&j| lines[j].starts_with("```"))
                    .unwrap_or_else(|| panic!("{doc}:{}: unclosed block", i + 2));
                let current = lines[i + 2..end].join("\n");
                let fresh = generate(&m, &dir);
                if current != fresh {
                    stale.push(format!("{doc}:{} (manto {})", i + 1, m.args.join(" ")));
                }
                out.push(fresh);
                out.push(lines[end].to_string());
                i = end + 1;
                continue;
            }
            i += 1;
        }
        if update {
            let mut new = out.join("\n");
            new.push('\n');
            std::fs::write(&path, new).unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(count >= 5, "only {count} generated examples found");
    assert!(
        update || stale.is_empty(),
        "examples out of date (rerun with MANTO_UPDATE_DOCS=1 and review the diff):\n{}",
        stale.join("\n")
    );
}

/// The README's bad-input example is what manto prints: the file line is the line of
/// `cut_depth_m` in `manto scenario show`, edited to 5.5 m, and the `--set` line is the
/// override's message. (The line number had drifted from 35 to 32 once.)
#[test]
fn readme_error_example_is_a_real_run() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let file_line = readme
        .lines()
        .find(|l| l.starts_with("error: my.toml:"))
        .expect("README shows the file error example");
    let set_line = readme
        .lines()
        .find(|l| l.starts_with("error: --set section.geometry.cut_depth_m=5.5:"))
        .expect("README shows the --set error example");
    let manto = env!("CARGO_BIN_EXE_manto");
    let shown = Command::new(manto)
        .args(["scenario", "show"])
        .output()
        .expect("manto runs");
    assert!(shown.status.success());
    let text = String::from_utf8(shown.stdout).unwrap();
    let mut edited = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| match l.strip_prefix("cut_depth_m = ") {
            Some(rest) if edited == 0 => {
                edited += 1;
                let comment = rest.find('#').map_or("", |i| &rest[i..]);
                format!("cut_depth_m = 5.5 {comment}")
            }
            _ => l.to_string(),
        })
        .collect();
    assert_eq!(edited, 1, "scenario show has one cut_depth_m");
    let dir = std::env::temp_dir().join(format!("manto-readme-err-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("my.toml");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(manto).args(args).output().expect("manto runs");
        assert_eq!(out.status.code(), Some(2), "manto {args:?} exits 2");
        let err = String::from_utf8(out.stderr).unwrap();
        err.lines().next().unwrap_or_default().to_string()
    };
    let from_file = run(&["section", path.to_str().unwrap(), "-q"]);
    let from_file = from_file.replace(path.to_str().unwrap(), "my.toml");
    let from_set = run(&["section", "--set", "section.geometry.cut_depth_m=5.5", "-q"]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(from_file, file_line, "README's file error example");
    assert_eq!(from_set, set_line, "README's --set error example");
}
