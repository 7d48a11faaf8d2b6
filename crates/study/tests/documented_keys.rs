//! Every key of the bundled scenarios is documented: each key name (table and leaf) appears
//! inside a backtick span of docs/scenario.md or docs/finance.md. A key added to a parser and to the
//! bundled scenario without a line of documentation fails here.

use manto_study as study;
use std::collections::BTreeSet;

fn keys(prefix: &str, v: &toml::Value, out: &mut BTreeSet<(String, String)>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert((path.clone(), k.clone()));
                keys(&path, x, out);
            }
        }
        toml::Value::Array(a) => {
            for x in a {
                keys(&format!("{prefix}[]"), x, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_key_of_the_bundled_scenarios_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let docs = ["docs/scenario.md", "docs/finance.md"]
        .iter()
        .map(|d| std::fs::read_to_string(root.join(d)).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let mut all = BTreeSet::new();
    for b in study::BUNDLED {
        let v: toml::Value = toml::from_str(b.text).unwrap();
        keys("", &v, &mut all);
    }
    assert!(all.len() > 150, "only {} keys found", all.len());
    // Every identifier inside a backtick span of the docs (`{ role, count }` documents
    // `role` and `count`; `[section.geometry]` documents `section` and `geometry`).
    let documented: BTreeSet<&str> = docs
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|span| span.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
        .collect();
    let missing: Vec<&String> = all
        .iter()
        .filter(|(_, leaf)| !documented.contains(leaf.as_str()))
        .map(|(path, _)| path)
        .collect();
    assert!(missing.is_empty(), "undocumented keys: {missing:?}");
}
