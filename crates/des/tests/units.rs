//! Unit-suffixed keys: converted exactly, on the user's lines, with the user's key names in
//! errors.

use des::units::{metric_key, to_metric, UnitSystem, M_PER_FT, T_PER_SHORT_T};
use des::Dist;
use manto_des as des;
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Geometry {
    entry_width_m: f64,
    payload_t: f64,
    speed_m_per_min: f64,
    capacity_t_per_h: f64,
    lengths_m: Vec<f64>,
    tram_m: Dist,
    density_t_per_m3: f64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Doc {
    name: String,
    geometry: Geometry,
}

const IMPERIAL: &str = r#"name = "x"
units = "imperial"

[geometry]
entry_width_ft = 20
payload_short_t = 12.0
speed_ft_per_min = 400
capacity_tph = 1_000
lengths_ft = [
  10,
  25.5,
]
tram_ft = "10 + TRIA(1, 2, 4)"
density_lb_per_ft3 = 80
"#;

#[test]
fn imperial_keys_become_the_metric_ones_exactly() {
    let c = to_metric(IMPERIAL, "i.toml").unwrap();
    assert_eq!(c.units, UnitSystem::Imperial);
    // Same number of lines, each key on its own line still.
    assert_eq!(c.text.lines().count(), IMPERIAL.lines().count());
    let d: Doc = des::input::parse(&c.text, "i.toml").unwrap();
    let g = &d.geometry;
    assert_eq!(g.entry_width_m, 20.0 * 0.3048);
    assert_eq!(g.payload_t, 12.0 * 0.90718474);
    assert_eq!(g.speed_m_per_min, 400.0 * 0.3048);
    assert_eq!(g.capacity_t_per_h, 1000.0 * 0.90718474);
    assert_eq!(g.lengths_m, vec![10.0 * 0.3048, 25.5 * 0.3048]);
    // 1 lb/ft³ = 0.45359237 kg / 0.028316846592 m³ = 16.01846337 kg/m³.
    assert!((g.density_t_per_m3 - 80.0 * 0.016_018_463_373_960_14).abs() < 1e-15);
    // A distribution scales as a whole: mean (10 + 7/3) ft in metres.
    let want = Dist::triangular(1.0, 2.0, 4.0)
        .unwrap()
        .with_offset(10.0)
        .unwrap()
        .scaled(0.3048)
        .unwrap();
    assert_eq!(g.tram_m, want);
    assert!((g.tram_m.mean() - (10.0 + 7.0 / 3.0) * 0.3048).abs() < 1e-12);
}

#[test]
fn factors_are_the_exact_definitions() {
    assert_eq!(M_PER_FT, 0.3048);
    assert_eq!(T_PER_SHORT_T, 2000.0 * 0.453_592_37 / 1000.0);
    assert_eq!(
        metric_key("entry_width_ft"),
        Some(("entry_width_m".into(), 0.3048))
    );
    assert_eq!(
        metric_key("loaded_speed_ft_per_min").unwrap().0,
        "loaded_speed_m_per_min"
    );
    assert_eq!(
        metric_key("cutting_rate_short_t_per_min").unwrap().0,
        "cutting_rate_t_per_min"
    );
    assert_eq!(
        metric_key("opex_usd_per_short_t").unwrap().0,
        "opex_usd_per_t"
    );
    assert!(metric_key("entry_width_m").is_none());
    assert!(metric_key("_ft").is_none());
}

#[test]
fn errors_point_at_the_users_line_and_key() {
    // An unknown metric name: the user's key and line, with what it was read as.
    let src = "name = \"x\"\n[geometry]\nentry_wdith_ft = 20\n";
    let c = to_metric(src, "i.toml").unwrap();
    let e = des::input::parse::<Doc>(&c.text, "i.toml").unwrap_err();
    let e = c.user_error(e);
    assert_eq!(e.line, Some(3), "{e}");
    assert_eq!(e.path, "geometry.entry_wdith_ft", "{e}");
    assert!(
        e.message
            .contains("`entry_wdith_ft` (read as `entry_wdith_m`)"),
        "{e}"
    );

    for (src, line, needle) in [
        ("units = \"furlongs\"\n", 1, "\"metric\" or \"imperial\""),
        (
            "[g]\nx_ft = true\n",
            2,
            "a number, a list of numbers or a distribution",
        ),
        ("[g]\nx_m = 1\nx_ft = 2\n", 3, "same quantity in two units"),
        (
            "[g]\nx_ft = \"TRIA(3, 2, 1)\"\n",
            2,
            "min (3) must not exceed max (1)",
        ),
        ("[g]\nx_ft = [1, \"a\"]\n", 2, "numbers only"),
    ] {
        let e = to_metric(src, "i.toml").unwrap_err();
        assert_eq!(e.line, Some(line), "{src}: {e}");
        assert!(e.to_string().starts_with("i.toml:"), "{e}");
        assert!(e.message.contains(needle), "{src}: {e}");
    }
}

#[test]
fn metric_text_is_untouched() {
    let src = "name = \"x\" # c\n[geometry]\nentry_width_m = 6.1  # m\n";
    let c = to_metric(src, "m.toml").unwrap();
    assert_eq!(c.text, src);
    assert_eq!(c.units, UnitSystem::Metric);
    // Not TOML: returned as is for the parser to report.
    assert_eq!(to_metric("a = = 1", "m.toml").unwrap().text, "a = = 1");
}
