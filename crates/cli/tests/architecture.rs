//! ARCHITECTURE.md is true to the code: the crate graph its table draws is the one
//! `cargo metadata` reports (normal dependencies between the workspace's packages).

use std::collections::{BTreeMap, BTreeSet};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph drawn in ARCHITECTURE.md: the table after the `crate graph` marker, one row
/// per package, its dependencies in backticks ("(none)" for none).
fn drawn(doc: &str) -> Graph {
    let start = doc
        .find("<!-- crate graph:")
        .expect("ARCHITECTURE.md has its crate-graph table");
    let mut g = Graph::new();
    for line in doc[start..].lines().skip(1) {
        let line = line.trim();
        if !line.starts_with('|') {
            if g.is_empty() {
                continue;
            }
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 2 || !cells[0].starts_with('`') {
            continue; // header and rule
        }
        let names = |c: &str| -> Vec<String> {
            c.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let package = names(cells[0]).remove(0);
        g.insert(package, names(cells[1]).into_iter().collect());
    }
    g
}

/// The workspace's graph from `cargo metadata --format-version 1 --no-deps`.
fn actual(metadata: &serde_json::Value) -> Graph {
    let packages = metadata["packages"].as_array().expect("packages");
    let members: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|n| members.contains(n))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn the_crate_graph_is_the_one_architecture_md_draws() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = std::fs::read_to_string(format!("{root}/ARCHITECTURE.md")).unwrap();
    let (d, a) = (drawn(&doc), actual(&metadata));
    assert_eq!(d.len(), 6, "the table lists the six crates: {d:?}");
    assert_eq!(
        d, a,
        "ARCHITECTURE.md's crate graph (left) is not cargo's (right)"
    );
    // Broken on purpose: a graph with one extra edge is told apart.
    let mut wrong = a.clone();
    wrong
        .get_mut("manto-finance")
        .unwrap()
        .insert("manto-mine".into());
    assert_ne!(d, wrong);
}
