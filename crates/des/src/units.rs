//! Inputs in the units people have: unit-suffixed keys in US customary units
//! (`entry_width_ft`, `payload_short_t`, `loaded_speed_ft_per_min`, `capacity_tph`, ...)
//! converted to manto's metric keys before the scenario is deserialised, and the unit system
//! a scenario declares for its outputs (`units = "imperial"` at the top).
//!
//! [`to_metric`] is a text-to-text pre-pass: each converted key is renamed in place and its
//! value rewritten on the same line, so every later error still points at the user's line;
//! [`Converted::user_path`] turns a metric key path back into the user's spelling for the
//! message. Exact factors: 1 ft = 0.3048 m, 1 short ton = 0.90718474 t, 1 lb = 0.45359237 kg
//! (the international yard and pound agreement of 1959; NIST Handbook 44, appendix C).

use std::fmt;

use toml_edit::{ImDocument, Item, Table, Value};

use crate::input::InputError;
use crate::Dist;

/// Metres per foot (exact).
pub const M_PER_FT: f64 = 0.3048;
/// Tonnes per short ton (exact: 2000 lb × 0.45359237 kg).
pub const T_PER_SHORT_T: f64 = 0.907_184_74;

/// A unit system for outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnitSystem {
    /// Metres, tonnes (the default, and what manto computes in).
    #[default]
    Metric,
    /// Feet and short tons (US customary).
    Imperial,
}

impl UnitSystem {
    /// Reads `"metric"` or `"imperial"`.
    pub fn parse(s: &str) -> Option<UnitSystem> {
        match s {
            "metric" => Some(UnitSystem::Metric),
            "imperial" => Some(UnitSystem::Imperial),
            _ => None,
        }
    }

    /// Output length per metre (1 or 1 / 0.3048).
    pub fn per_m(self) -> f64 {
        match self {
            UnitSystem::Metric => 1.0,
            UnitSystem::Imperial => 1.0 / M_PER_FT,
        }
    }

    /// Output mass per tonne (1 or 1 / 0.90718474).
    pub fn per_t(self) -> f64 {
        match self {
            UnitSystem::Metric => 1.0,
            UnitSystem::Imperial => 1.0 / T_PER_SHORT_T,
        }
    }

    /// The length unit's label: `m` or `ft`.
    pub fn length(self) -> &'static str {
        match self {
            UnitSystem::Metric => "m",
            UnitSystem::Imperial => "ft",
        }
    }

    /// The mass unit's label: `t` or `short t`.
    pub fn mass(self) -> &'static str {
        match self {
            UnitSystem::Metric => "t",
            UnitSystem::Imperial => "short t",
        }
    }
}

impl fmt::Display for UnitSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnitSystem::Metric => "metric",
            UnitSystem::Imperial => "imperial",
        })
    }
}

/// The key suffixes accepted and what they become: (suffix, manto's suffix, factor to
/// multiply by), longest first so that `_ft_per_min` wins over `_min`-less `_ft`.
pub const SUFFIXES: [(&str, &str, f64); 10] = [
    ("_short_t_per_min", "_t_per_min", T_PER_SHORT_T),
    ("_short_t_per_h", "_t_per_h", T_PER_SHORT_T),
    (
        "_lb_per_ft3",
        "_t_per_m3",
        0.453_592_37e-3 / (M_PER_FT * M_PER_FT * M_PER_FT),
    ),
    ("_per_short_t", "_per_t", 1.0 / T_PER_SHORT_T),
    ("_ft_per_min", "_m_per_min", M_PER_FT),
    ("_ft_per_s", "_m_per_min", M_PER_FT * 60.0),
    ("_short_t", "_t", T_PER_SHORT_T),
    ("_tph", "_t_per_h", T_PER_SHORT_T),
    ("_mph", "_m_per_min", 1609.344 / 60.0),
    ("_ft", "_m", M_PER_FT),
];

/// The metric key and factor for a user's key, if it ends in a converted suffix.
pub fn metric_key(key: &str) -> Option<(String, f64)> {
    SUFFIXES.iter().find_map(|(from, to, f)| {
        let stem = key.strip_suffix(from)?;
        (!stem.is_empty()).then(|| (format!("{stem}{to}"), *f))
    })
}

/// A scenario text with its unit-suffixed keys converted.
#[derive(Clone, Debug, Default)]
pub struct Converted {
    /// The text manto parses: same lines as the user's.
    pub text: String,
    /// The output unit system the scenario declares (`units = "..."`; metric if absent).
    pub units: UnitSystem,
    /// (metric dotted path, the user's dotted path) of every renamed key.
    renamed: Vec<(String, String)>,
}

impl Converted {
    /// The user's spelling of a dotted key path (the path itself when nothing was renamed
    /// under it).
    pub fn user_path(&self, path: &str) -> String {
        for (metric, user) in &self.renamed {
            if path == metric {
                return user.clone();
            }
            if let Some(rest) = path.strip_prefix(metric.as_str()) {
                if rest.starts_with('.') || rest.starts_with('[') {
                    return format!("{user}{rest}");
                }
            }
        }
        path.to_string()
    }

    /// An error located in the converted text, with the user's key names.
    pub fn user_error(&self, mut e: InputError) -> InputError {
        let user = self.user_path(&e.path);
        if user != e.path {
            // The message may quote the metric key name (unknown key, did-you-mean).
            let metric_leaf = e.path.rsplit('.').next().unwrap_or("").to_string();
            let user_leaf = user.rsplit('.').next().unwrap_or("").to_string();
            if !metric_leaf.is_empty() {
                e.message = e.message.replace(
                    &format!("`{metric_leaf}`"),
                    &format!("`{user_leaf}` (read as `{metric_leaf}`)"),
                );
            }
            e.path = user;
        }
        e
    }
}

/// One edit of the text: replace `range` with `with`.
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

/// Converts the unit-suffixed keys of `src` (the contents of `file`) to manto's metric keys
/// and reads the declared `units`. Text that is not valid TOML is returned unchanged (the
/// parser then reports it). Refused, at the user's line and key: a value that is not a
/// number, a list of numbers or a distribution; a key given both ways (`x_ft` and `x_m`);
/// a `units` that is neither `"metric"` nor `"imperial"`.
pub fn to_metric(src: &str, file: &str) -> Result<Converted, InputError> {
    let Ok(doc) = ImDocument::parse(src.to_string()) else {
        return Ok(Converted {
            text: src.to_string(),
            ..Converted::default()
        });
    };
    let mut edits = Vec::new();
    let mut renamed = Vec::new();
    let mut units = UnitSystem::Metric;
    let err = |path: &str, span: Option<std::ops::Range<usize>>, message: String| InputError {
        file: file.to_string(),
        line: span.map(|s| crate::input::line_of(src, s.start)),
        path: path.to_string(),
        message,
    };
    if let Some((key, item)) = doc.as_table().get_key_value("units") {
        let value = item.as_value();
        match value.and_then(Value::as_str).and_then(UnitSystem::parse) {
            Some(u) => units = u,
            None => {
                return Err(err(
                    "units",
                    key.span(),
                    "expected \"metric\" or \"imperial\" (the unit system of the outputs; \
                     inputs say their unit in the key name)"
                        .into(),
                ))
            }
        }
        // Blank `units = "..."` out (same length, same lines): no table has such a key.
        if let (Some(k), Some(v)) = (key.span(), value.and_then(Value::span)) {
            edits.push(Edit {
                start: k.start,
                end: v.end,
                with: " ".repeat(v.end - k.start),
            });
        }
    }
    walk(src, doc.as_table(), "", &mut edits, &mut renamed, &err)?;
    edits.sort_by_key(|e| e.start);
    let mut text = String::with_capacity(src.len() + 64);
    let mut at = 0;
    for e in &edits {
        text.push_str(&src[at..e.start]);
        text.push_str(&e.with);
        at = e.end;
    }
    text.push_str(&src[at..]);
    Ok(Converted {
        text,
        units,
        renamed,
    })
}

type ErrFn<'a> = dyn Fn(&str, Option<std::ops::Range<usize>>, String) -> InputError + 'a;

fn walk(
    src: &str,
    table: &Table,
    prefix: &str,
    edits: &mut Vec<Edit>,
    renamed: &mut Vec<(String, String)>,
    err: &ErrFn<'_>,
) -> Result<(), InputError> {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    for (key, item) in table.iter() {
        let path = join(key);
        match item {
            Item::Table(t) => walk(src, t, &path, edits, renamed, err)?,
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    walk(src, t, &format!("{path}[{i}]"), edits, renamed, err)?;
                }
            }
            Item::Value(v) => {
                let Some((metric, factor)) = metric_key(key) else {
                    if let Value::InlineTable(t) = v {
                        // Dotted keys (`a.b_ft = 1`) live in implicit inline-like tables only
                        // when written inline; a distribution table is left alone.
                        let _ = t;
                    }
                    continue;
                };
                let (k, kspan) = table
                    .get_key_value(key)
                    .map(|(k, _)| (k, k.span()))
                    .unwrap();
                if table.contains_key(&metric) {
                    return Err(err(
                        &path,
                        kspan,
                        format!(
                            "`{key}` and `{metric}` are the same quantity in two units: give one"
                        ),
                    ));
                }
                let Some(kspan) = kspan else { continue };
                // The key as written may be quoted: rename inside the span.
                let written = &src[kspan.clone()];
                let renamed_text = written.replacen(k.get(), &metric, 1);
                edits.push(Edit {
                    start: kspan.start,
                    end: kspan.end,
                    with: renamed_text,
                });
                convert_value(src, v, factor, &path, edits, err)?;
                renamed.push((join(&metric), path));
            }
            Item::None => {}
        }
    }
    Ok(())
}

fn convert_value(
    src: &str,
    v: &Value,
    factor: f64,
    path: &str,
    edits: &mut Vec<Edit>,
    err: &ErrFn<'_>,
) -> Result<(), InputError> {
    let Some(span) = v.span() else {
        return Ok(());
    };
    let number = |x: f64| Value::from(x * factor).to_string().trim().to_string();
    let with = match v {
        Value::Integer(i) => number(*i.value() as f64),
        Value::Float(f) => number(*f.value()),
        Value::Array(a) => {
            for el in a.iter() {
                let x = match el {
                    Value::Integer(i) => *i.value() as f64,
                    Value::Float(f) => *f.value(),
                    _ => {
                        return Err(err(
                            path,
                            Some(span),
                            "a unit-suffixed list takes numbers only".into(),
                        ))
                    }
                };
                if let Some(s) = el.span() {
                    edits.push(Edit {
                        start: s.start,
                        end: s.end,
                        with: number(x),
                    });
                }
            }
            return Ok(());
        }
        Value::InlineTable(_) | Value::String(_) => {
            #[derive(serde::Deserialize, serde::Serialize)]
            struct One {
                d: Dist,
            }
            let one: One = toml::from_str(&format!("d = {}", &src[span.clone()]))
                .map_err(|e| err(path, Some(span.clone()), e.message().to_string()))?;
            let scaled = one
                .d
                .scaled(factor)
                .map_err(|e| err(path, Some(span.clone()), e.to_string()))?;
            inline(&scaled)
        }
        _ => {
            return Err(err(
                path,
                Some(span),
                "a unit-suffixed key takes a number, a list of numbers or a distribution".into(),
            ))
        }
    };
    edits.push(Edit {
        start: span.start,
        end: span.end,
        with,
    });
    Ok(())
}

/// A distribution as one-line TOML (a bare number or an inline table).
fn inline(d: &Dist) -> String {
    match toml::Value::try_from(d) {
        Ok(toml::Value::Table(t)) => {
            let mut it = toml_edit::InlineTable::new();
            for (k, v) in t {
                let v: Value = match v {
                    toml::Value::Float(x) => x.into(),
                    toml::Value::Integer(i) => i.into(),
                    toml::Value::String(s) => s.into(),
                    toml::Value::Array(a) => {
                        let mut arr = toml_edit::Array::new();
                        for x in a {
                            match x {
                                toml::Value::Float(x) => arr.push(x),
                                toml::Value::Integer(i) => arr.push(i),
                                _ => {}
                            }
                        }
                        arr.into()
                    }
                    _ => continue,
                };
                it.insert(&k, v);
            }
            it.to_string().trim().to_string()
        }
        Ok(v) => v.to_string(),
        Err(_) => d.to_string(),
    }
}
