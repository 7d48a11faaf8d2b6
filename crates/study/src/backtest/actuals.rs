//! The actuals file: what happened, one entry per quantity the risk study reports. TOML
//! (`[[actual]]` tables) or CSV (a header `quantity,period,value,unit,source,known` and an
//! optional `name` column, one actual a row: convenient for series). Every problem is
//! reported at file:line:key and is bad input.

use super::lint::parse_dated;
use crate::error::StudyError;
use crate::risk::{output_names, How, RiskConfig};
use crate::scenario::Scenario;
use des::input::{self, InputError, Invalid};
use serde::{Deserialize, Serialize};

/// Largest actuals file read, bytes.
pub const MAX_ACTUALS_BYTES: u64 = 1 << 20;
/// Most actuals in one file.
pub const MAX_ACTUALS: usize = 10_000;

/// Series recorded by calendar year for every iteration: (name, unit, what).
pub const SERIES: [(&str, &str, &str); 4] = [
    ("cu_cathode_t", "t", "copper cathode in a calendar year, t"),
    (
        "plant_feed_dry_t",
        "dry_t",
        "plant feed in a calendar year, dry t",
    ),
    ("cfads_usd", "usd", "CFADS in a calendar year, USD"),
    (
        "dscr",
        "ratio",
        "CFADS / senior debt service in a calendar year",
    ),
];

/// The derived first-production quantity.
pub const FIRST_COPPER: &str = "first_copper_year";

/// What an actual is compared with in each iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Quantity {
    /// Output `index` of the record (`manto risk --json`, `outputs[].name`).
    Output {
        /// Index in the record's outputs.
        index: usize,
    },
    /// The drawn value of input `index` (`risk.inputs`).
    Input {
        /// Index in `risk.inputs`.
        index: usize,
        /// Rounded to whole units as the model applies it (construction delay).
        rounded: bool,
    },
    /// A by-year series (one of [`SERIES`]) in calendar year `year`.
    Series {
        /// Index in [`SERIES`].
        index: usize,
        /// Calendar year.
        year: i32,
    },
    /// The first calendar year with copper cathode.
    FirstCopperYear,
}

/// One actual, parsed and resolved against the study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    /// A label (default: the quantity and its period).
    pub name: String,
    /// The quantity as written.
    pub quantity: String,
    /// The calendar year, for a series.
    pub period: Option<i32>,
    /// What happened, in `unit`.
    pub value: f64,
    /// Its unit (the quantity's own).
    pub unit: String,
    /// Where it comes from.
    pub source: String,
    /// When it became known, `YYYY-MM` or `YYYY-MM-DD`.
    pub known: String,
    /// What it is compared with.
    pub resolved: Quantity,
}

/// The quantities a study reports, with their units: what an actual may name.
pub struct Catalogue {
    outputs: Vec<String>,
    inputs: Vec<(String, String, bool)>,
    years: (i32, i32),
    dated: Option<(i32, u32)>,
    study_dated: String,
}

/// A record output's unit from its name's suffix.
pub fn unit_of_name(name: &str) -> String {
    const SUFFIX: [(&str, &str); 11] = [
        ("_dry_t", "dry_t"),
        ("_wet_t", "wet_t"),
        ("_t", "t"),
        ("_usd", "usd"),
        ("_pct", "pct"),
        ("_quarters", "quarters"),
        ("_years", "years"),
        ("_factor", "factor"),
        ("_min", "min"),
        ("_h", "h"),
        ("_m", "m"),
    ];
    if name.contains("_per_") {
        return name.rsplit('.').next().unwrap_or(name).to_string();
    }
    for (s, u) in SUFFIX {
        if name.ends_with(s) {
            return u.to_string();
        }
    }
    if name.contains("dscr") || name.contains("llcr") {
        return "ratio".into();
    }
    name.rsplit(['.', ']']).next().unwrap_or(name).to_string()
}

impl Catalogue {
    /// The quantities of `s`'s risk study.
    pub fn of(s: &Scenario) -> Catalogue {
        let doc = crate::risk::doc_for_validation(s).unwrap_or(toml::Value::Integer(0));
        let empty = RiskConfig {
            iterations: 0,
            sampling: Default::default(),
            dated: String::new(),
            probe_days: 0,
            design_points: 0,
            pool_days: 0,
            price_years: 45,
            inputs: Vec::new(),
            correlation: None,
            prices: Vec::new(),
            price_correlation: None,
            precision: None,
        };
        let r = s.risk.as_ref().unwrap_or(&empty);
        let start = s.finance.timing.start_year;
        Catalogue {
            outputs: output_names(&doc),
            inputs: r
                .inputs
                .iter()
                .map(|i| {
                    let unit = match i.how {
                        How::Scale => "factor".to_string(),
                        _ => unit_of_name(&i.key),
                    };
                    (i.name.clone(), unit, i.key == "case.delay_quarters")
                })
                .collect(),
            years: (start, start + r.price_years.max(1) as i32 - 1),
            dated: parse_dated(&r.dated),
            study_dated: r.dated.clone(),
        }
    }

    /// The output names, record order.
    pub fn outputs(&self) -> &[String] {
        &self.outputs
    }

    /// Every quantity an actual may name, with its unit and whether it takes a period.
    pub fn names(&self) -> Vec<(String, String, bool)> {
        let mut v: Vec<(String, String, bool)> = self
            .outputs
            .iter()
            .map(|o| (o.clone(), unit_of_name(o), false))
            .collect();
        v.extend(
            self.inputs
                .iter()
                .map(|(n, u, _)| (n.clone(), u.clone(), false)),
        );
        v.extend(
            SERIES
                .iter()
                .map(|(n, u, _)| (n.to_string(), u.to_string(), true)),
        );
        v.push((FIRST_COPPER.into(), "year".into(), false));
        v
    }

    fn resolve(&self, q: &str) -> Option<(Quantity, String, bool)> {
        if let Some(k) = SERIES.iter().position(|s| s.0 == q) {
            return Some((
                Quantity::Series { index: k, year: 0 },
                SERIES[k].1.into(),
                true,
            ));
        }
        if q == FIRST_COPPER {
            return Some((Quantity::FirstCopperYear, "year".into(), false));
        }
        if let Some(k) = self.outputs.iter().position(|o| o == q) {
            return Some((Quantity::Output { index: k }, unit_of_name(q), false));
        }
        if let Some(k) = self.inputs.iter().position(|i| i.0 == q) {
            return Some((
                Quantity::Input {
                    index: k,
                    rounded: self.inputs[k].2,
                },
                self.inputs[k].1.clone(),
                false,
            ));
        }
        None
    }
}

/// One entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    name: Option<String>,
    quantity: String,
    #[serde(default)]
    period: Option<toml::Value>,
    value: f64,
    unit: String,
    source: String,
    known: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    actual: Vec<Raw>,
}

/// Parses an actuals file's `text` (`file` names it in messages; a name ending `.csv` is
/// read as CSV, anything else as TOML) against the study's quantities.
pub fn parse(text: &str, file: &str, cat: &Catalogue) -> Result<Vec<Actual>, StudyError> {
    if file.to_ascii_lowercase().ends_with(".csv") {
        return parse_csv(text, file, cat);
    }
    let f: File = input::parse(text, file).map_err(|e| StudyError::Input(vec![e]))?;
    let mut problems = Vec::new();
    if f.actual.is_empty() {
        problems.push(Invalid::new(
            "actual",
            "no actuals: write one [[actual]] table per quantity (docs/backtest.md)",
        ));
    }
    if f.actual.len() > MAX_ACTUALS {
        problems.push(Invalid::new(
            "actual",
            format!(
                "{} actuals, more than the {MAX_ACTUALS} allowed",
                f.actual.len()
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, r) in f.actual.iter().enumerate() {
        let period = match &r.period {
            None => None,
            Some(toml::Value::Integer(y)) => Some(i32::try_from(*y).unwrap_or(i32::MAX)),
            Some(toml::Value::String(s)) => Some(s.trim().parse::<i32>().unwrap_or(i32::MIN)),
            Some(_) => Some(i32::MIN),
        };
        let at = |k: &str| format!("actual[{i}].{k}");
        match check(cat, r, period, &at) {
            Ok(a) => out.push(a),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(StudyError::Input(input::locate_all(text, file, &problems)))
    }
}

fn check(
    cat: &Catalogue,
    r: &Raw,
    period: Option<i32>,
    at: &dyn Fn(&str) -> String,
) -> Result<Actual, Vec<Invalid>> {
    let mut p = Vec::new();
    let resolved = match cat.resolve(&r.quantity) {
        None => {
            let names: Vec<String> = cat.names().into_iter().map(|n| n.0).collect();
            let near = names
                .iter()
                .min_by_key(|n| input::edit_distance(n, &r.quantity))
                .filter(|n| input::edit_distance(n, &r.quantity) <= 3);
            p.push(Invalid::new(
                at("quantity"),
                format!(
                    "unknown quantity `{}`{}; the study reports: {}",
                    r.quantity,
                    near.map_or(String::new(), |n| format!(" (did you mean `{n}`?)")),
                    names.join(", ")
                ),
            ));
            None
        }
        Some((q, unit, takes_period)) => {
            if r.unit != unit {
                p.push(Invalid::new(
                    at("unit"),
                    format!(
                        "`{}` is in `{unit}`, not `{}`: give the value in `{unit}`",
                        r.quantity, r.unit
                    ),
                ));
            }
            match (takes_period, period) {
                (true, None) => p.push(Invalid::new(
                    at("period"),
                    format!(
                        "`{}` is a series by calendar year: give its period (a year {}-{})",
                        r.quantity, cat.years.0, cat.years.1
                    ),
                )),
                (true, Some(y)) if y < cat.years.0 || y > cat.years.1 => p.push(Invalid::new(
                    at("period"),
                    format!(
                        "the period is outside the study: its years are {}-{} (finance.timing.start_year and risk.price_years)",
                        cat.years.0, cat.years.1
                    ),
                )),
                (false, Some(_)) => p.push(Invalid::new(
                    at("period"),
                    format!(
                        "`{}` has no period (it is one number per iteration); remove the key",
                        r.quantity
                    ),
                )),
                _ => {}
            }
            Some(match q {
                Quantity::Series { index, .. } => Quantity::Series {
                    index,
                    year: period.unwrap_or(0),
                },
                q => q,
            })
        }
    };
    if !r.value.is_finite() {
        p.push(Invalid::new(at("value"), "must be a finite number"));
    }
    match known_date(&r.known) {
        None => p.push(Invalid::new(
            at("known"),
            format!("`{}` is not a date YYYY-MM or YYYY-MM-DD", r.known),
        )),
        Some(k) => {
            if let Some(d) = cat.dated {
                if k <= d {
                    p.push(Invalid::new(
                        at("known"),
                        format!(
                            "known {} is not after the study's date {}: the study could have used it, so it tests nothing",
                            r.known, cat.study_dated
                        ),
                    ));
                }
            }
        }
    }
    if r.source.trim().is_empty() {
        p.push(Invalid::new(
            at("source"),
            "say where the actual comes from",
        ));
    }
    if !p.is_empty() {
        return Err(p);
    }
    let name = r.name.clone().unwrap_or_else(|| match period {
        Some(y) => format!("{} {y}", r.quantity),
        None => r.quantity.clone(),
    });
    Ok(Actual {
        name,
        quantity: r.quantity.clone(),
        period,
        value: r.value,
        unit: r.unit.clone(),
        source: r.source.clone(),
        known: r.known.clone(),
        resolved: resolved.expect("no problems"),
    })
}

/// `YYYY-MM` or `YYYY-MM-DD` as (year, month).
fn known_date(s: &str) -> Option<(i32, u32)> {
    let ym = match s.len() {
        7 => s,
        10 => {
            let d: u32 = s.get(8..10)?.parse().ok()?;
            if s.as_bytes()[7] != b'-' || !(1..=31).contains(&d) {
                return None;
            }
            &s[..7]
        }
        _ => return None,
    };
    parse_dated(ym)
}

const CSV_COLUMNS: [&str; 7] = [
    "quantity", "period", "value", "unit", "source", "known", "name",
];

fn parse_csv(text: &str, file: &str, cat: &Catalogue) -> Result<Vec<Actual>, StudyError> {
    let err = |line: usize, key: &str, message: String| InputError {
        file: file.to_string(),
        line: Some(line),
        path: key.to_string(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => return Err(StudyError::Input(vec![err(1, "", e.to_string())])),
    };
    let mut problems = Vec::new();
    for h in &header {
        if !CSV_COLUMNS.contains(&h.as_str()) {
            let near = CSV_COLUMNS
                .iter()
                .min_by_key(|c| input::edit_distance(c, h))
                .filter(|c| input::edit_distance(c, h) <= 2);
            problems.push(err(
                1,
                h,
                format!(
                    "unknown column `{h}`{}; the columns are {}",
                    near.map_or(String::new(), |c| format!(" (did you mean `{c}`?)")),
                    CSV_COLUMNS.join(", ")
                ),
            ));
        }
    }
    for c in &CSV_COLUMNS[..6] {
        if !header.iter().any(|h| h == c) {
            problems.push(err(1, c, format!("missing column `{c}`")));
        }
    }
    if !problems.is_empty() {
        return Err(StudyError::Input(problems));
    }
    let col = |c: &str| header.iter().position(|h| h == c);
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(err(line, "", e.to_string()));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if out.len() + problems.len() >= MAX_ACTUALS {
            problems.push(err(line, "", format!("more than {MAX_ACTUALS} actuals")));
            break;
        }
        let get = |c: &str| col(c).and_then(|i| rec.get(i)).unwrap_or("").trim();
        let value = match get("value").parse::<f64>() {
            Ok(v) => v,
            Err(_) => {
                problems.push(err(
                    line,
                    "value",
                    format!("`{}` is not a number", get("value")),
                ));
                continue;
            }
        };
        let period = match get("period") {
            "" => None,
            s => match s.parse::<i32>() {
                Ok(y) => Some(y),
                Err(_) => {
                    problems.push(err(line, "period", format!("`{s}` is not a year")));
                    continue;
                }
            },
        };
        let raw = Raw {
            name: Some(get("name"))
                .filter(|s| !s.is_empty())
                .map(String::from),
            quantity: get("quantity").into(),
            period: None,
            value,
            unit: get("unit").into(),
            source: get("source").into(),
            known: get("known").into(),
        };
        match check(cat, &raw, period, &|k: &str| k.to_string()) {
            Ok(a) => out.push(a),
            Err(p) => problems.extend(p.into_iter().map(|p| err(line, &p.path, p.message))),
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(err(
            1,
            "",
            "no actuals: one row per actual after the header".into(),
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(StudyError::Input(problems))
    }
}
