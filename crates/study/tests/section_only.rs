//! Section-only scenarios, unit-suffixed keys and the bundled coal case (issue 22, points 4,
//! 5 and 7): `manto section` reads the section tables alone, other commands name the tables
//! they miss, an imperial scenario runs exactly as its metric twin, and the coal case stays
//! where docs/section-case.md says.

use manto_study as study;
use study::Silent;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// Fewer section-days, the same edit applied to every text compared.
fn short(text: &str) -> String {
    text.replace("days = 60 ", "days = 4 ")
        .replace("replications = 10 ", "replications = 3 ")
}

fn json(r: &mine::section::SectionReport) -> String {
    serde_json::to_string(r).unwrap()
}

#[test]
fn a_section_only_boleo_runs_as_the_full_one() {
    // boleo-name.toml + boleo.toml hold exactly [simulation], [targets], [calendar] and
    // [section.*]: the section-only scenario.
    let section_only = short(&format!(
        "{}\n{}",
        read("scenarios/boleo-name.toml"),
        read("scenarios/boleo.toml")
    ));
    let full = short(study::bundled("boleo").unwrap());
    assert!(section_only.len() * 2 < full.len());
    let a = study::parse_section_only(&section_only, "s.toml").unwrap();
    let b = study::parse(&full, "f.toml").unwrap();
    assert_eq!(
        json(&study::section_study(&a, &Silent)),
        json(&study::section_study(&b, &Silent))
    );
}

#[test]
fn other_commands_name_every_missing_table() {
    let text = study::bundled("coal-battery-hauler").unwrap();
    let e = study::parse(text, "coal.toml").unwrap_err().remove(0);
    assert_eq!(e.file, "coal.toml");
    assert!(
        e.message.starts_with(
            "missing table(s) [targets], [schedule], [deposit], [plant], [crew], [finance]:"
        ),
        "{e}"
    );
    // With targets, five are missing; with only [finance] missing, one.
    let boleo = study::bundled("boleo").unwrap();
    let cut = boleo.find("[finance]").unwrap();
    let e = study::parse(&boleo[..cut], "b.toml").unwrap_err().remove(0);
    assert!(e.message.starts_with("missing table(s) [finance]:"), "{e}");
    // A section-only file with a table of the full scenario is neither: the unknown table
    // is named with what a section-only scenario holds.
    let bad = format!("{}\n[crew]\nx = 1\n", short(&read("scenarios/boleo.toml")));
    let e = study::parse_section_only(&format!("name = \"x\"\n{bad}"), "x.toml")
        .unwrap_err()
        .remove(0);
    assert!(
        e.message.contains("a section-only scenario has only"),
        "{e}"
    );
}

#[test]
fn the_cutting_rate_is_not_demanded_when_a_load_time_replaces_it() {
    let base = format!("name = \"x\"\n{}", short(&read("scenarios/boleo.toml")));
    let rate_line = base
        .lines()
        .find(|l| l.starts_with("cutting_rate_t_per_min"))
        .unwrap()
        .to_string();
    let without = base.replace(&rate_line, "");
    let e = study::parse_section_only(&without, "x.toml")
        .unwrap_err()
        .remove(0);
    assert_eq!(e.path, "section.miner");
    assert!(
        e.message.contains("missing key `cutting_rate_t_per_min`"),
        "{e}"
    );
    assert!(e.message.contains("car_load_time_min"), "{e}");
    let with_load_time = base.replace(&rate_line, "car_load_time_min = \"0.5 + EXPO(0.5)\"");
    let s = study::parse_section_only(&with_load_time, "x.toml").unwrap();
    assert!(s.section.miner.cutting_rate_t_per_min.is_none());
    assert!(study::section_study(&s, &Silent).loads_per_shift.mean > 0.0);
}

/// The metric twin of the coal case, written by hand here (not by the pre-pass): each
/// `_ft`, `_short_t`, `_ft_per_min`, `_tph` and `_lb_per_ft3` key renamed and its number
/// multiplied by the exact factor, printed with Rust's shortest round-trip formatting.
fn metric_twin(imperial: &str) -> String {
    let ft = 0.3048;
    let short_t = 0.907_184_74;
    let lb_per_ft3 = 0.453_592_37e-3 / (ft * ft * ft);
    let rules: [(&str, &str, f64); 5] = [
        ("_ft_per_min", "_m_per_min", ft),
        ("_lb_per_ft3", "_t_per_m3", lb_per_ft3),
        ("_short_t", "_t", short_t),
        ("_tph", "_t_per_h", short_t),
        ("_ft", "_m", ft),
    ];
    let mut out = String::new();
    for line in imperial.lines() {
        let mut done = None;
        if let Some((key, rest)) = line.split_once(" = ") {
            let value = rest.split('#').next().unwrap().trim().replace('_', "");
            for (from, to, f) in rules {
                if let (Some(stem), Ok(v)) =
                    (key.trim_end().strip_suffix(from), value.parse::<f64>())
                {
                    done = Some(format!("{stem}{to} = {:?}", v * f));
                    break;
                }
            }
        }
        if line.starts_with("units = ") {
            done = Some(String::new());
        }
        out.push_str(&done.unwrap_or_else(|| line.to_string()));
        out.push('\n');
    }
    out
}

#[test]
fn the_imperial_case_equals_its_metric_twin_byte_for_byte() {
    let imperial = study::bundled("coal-battery-hauler")
        .unwrap()
        .replace("replications = 150 ", "replications = 8 ");
    let twin = metric_twin(&imperial);
    assert!(twin.contains("entry_width_m = 6.096"), "{twin}");
    assert!(twin.contains("payload_t = 10.88621688"), "{twin}");
    assert!(!twin.contains("_ft"), "{twin}");
    let a = study::parse_section_only(&imperial, "i.toml").unwrap();
    let b = study::parse_section_only(&twin, "m.toml").unwrap();
    assert_eq!(a.units, study::UnitSystem::Imperial);
    assert_eq!(b.units, study::UnitSystem::Metric);
    assert_eq!(a.section, b.section);
    assert_eq!(
        json(&study::section_study(&a, &Silent)),
        json(&study::section_study(&b, &Silent))
    );
}

#[test]
fn imperial_errors_name_the_users_key_and_line() {
    let text = study::bundled("coal-battery-hauler").unwrap();
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].lines().count() + 1;
    let bad = text.replace("entry_width_ft = 20 ", "entry_width_ft = 50 ");
    let e = study::parse_section_only(&bad, "c.toml")
        .unwrap_err()
        .remove(0);
    assert_eq!(e.path, "section.geometry.entry_width_ft", "{e}");
    assert_eq!(e.line, Some(line_of("entry_width_ft = 20")), "{e}");
    let bad = text.replace("payload_short_t = 12 ", "payload_shrt_t = 12 ");
    let e = study::parse_section_only(&bad, "c.toml")
        .unwrap_err()
        .remove(0);
    assert_eq!(e.line, Some(line_of("payload_short_t = 12")), "{e}");
    assert!(e.message.contains("payload_shrt_t"), "{e}");
    let bad = text.replace(
        "\"(28 + ERLA(3.63, 3)) / 60\"",
        "\"(28 + ERLA(3.63)) / 60\"",
    );
    let e = study::parse_section_only(&bad, "c.toml")
        .unwrap_err()
        .remove(0);
    assert_eq!(e.path, "section.miner.car_load_time_min", "{e}");
    assert!(e.message.contains("ERLA takes 2 parameter(s)"), "{e}");
}

/// Loads per hour and wet short tons per hour of mining time in the coal case (a shift of
/// 8 h with no travel or meal break), as docs/section-case.md prints them.
#[test]
fn the_coal_case_stays_where_the_doc_says() {
    let s = study::load_section(Some("coal-battery-hauler"), &[]).unwrap();
    let r = study::section_study(&s, &Silent);
    let hours = 8.0;
    let loads_per_h = r.loads_per_shift.mean / hours;
    let short_t_per_h = r.wet_tonnes_per_shift.mean / 0.907_184_74 / hours;
    let doc = read("docs/section-case.md");
    for (what, v) in [
        ("loads per hour", format!("{loads_per_h:.1}")),
        ("wet short tons per hour", format!("{short_t_per_h:.0}")),
    ] {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {what} |")))
            .unwrap_or_else(|| panic!("docs/section-case.md has no row `| {what} |`"));
        let manto = row.split('|').nth(4).unwrap().trim();
        assert_eq!(
            manto, v,
            "{what}: the doc says {manto}, manto gives {v}; update the doc"
        );
    }
}
