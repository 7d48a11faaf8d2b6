//! The hindsight lint: a study dated `YYYY-MM` (`risk.dated`) may use only what was known
//! by then. Three kinds of hindsight are found in the scenario as parsed (every fragment,
//! every table):
//!
//! 1. **Citations.** Every `source` string anywhere in the scenario is read for years: a
//!    four-digit number 1900–2099 standing alone (not part of a longer number). A year after
//!    the study's year is hindsight. A year equal to the study's year is accepted only with
//!    a month no later than the study's: written after it (`2007-05`, `2007-06-21`) or as a
//!    month name just before it (`May 2007`, `21 June 2007`); without a month it is flagged,
//!    conservatively, since the lint cannot tell it was public by the study's month.
//! 2. **Dated values** in the finance model: a by-year schedule (an array of steps with
//!    `from_year`) whose value changes in a year after the study's year. Under a tax table
//!    (`finance.tax`, `finance.vat`) it is a **fiscal rule** in force only from then; under
//!    `finance.revenue` a **price deck** that knows when prices move; elsewhere a dated
//!    input. A change enacted or formally proposed by the study's date is not hindsight,
//!    but the scenario cannot yet say so: such a change is listed, and the study either
//!    drops it or is run with `--allow-hindsight`.
//! 3. **Actual-based parameters**: a price process starting from a price observed after
//!    the study's date (`risk.prices[].start_year` after its year).
//!
//! Comments are not read (they are not part of the scenario once parsed): a citation that
//! matters belongs in a `source` key.

use crate::error::StudyError;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The kinds of hindsight.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A `source` citing a year after the study's date.
    Citation,
    /// A tax rule in force only from a later year.
    FiscalRule,
    /// A price deck that changes in a later year.
    PriceDeck,
    /// Another by-year input that changes in a later year.
    DatedInput,
    /// A parameter taken from an observation after the study's date.
    ActualBased,
}

impl Kind {
    /// The kind as written in outputs.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Citation => "citation",
            Kind::FiscalRule => "fiscal rule",
            Kind::PriceDeck => "price deck",
            Kind::DatedInput => "dated input",
            Kind::ActualBased => "actual-based parameter",
        }
    }
}

/// One piece of hindsight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hindsight {
    /// What kind.
    pub kind: Kind,
    /// The scenario key it is at (dotted, `[i]` for array elements).
    pub key: String,
    /// The year (and month, when given) it dates from.
    pub year: i32,
    /// The month, when the citation gives one.
    pub month: Option<u32>,
    /// The study's date, `YYYY-MM`.
    pub study_dated: String,
    /// What it is: the citation, or the rule and its value.
    pub what: String,
}

impl Hindsight {
    /// One line: the kind, the key, the year against the study's date and what it is.
    pub fn message(&self) -> String {
        let when = match self.month {
            Some(m) => format!("{}-{m:02}", self.year),
            None if self.kind == Kind::Citation => {
                format!("{} (no month given)", self.year)
            }
            None => self.year.to_string(),
        };
        format!(
            "hindsight ({}): {} dates from {when}, after the study's date {}: {}",
            self.kind.label(),
            self.key,
            self.study_dated,
            self.what
        )
    }
}

/// A study date `YYYY-MM`, checked.
pub fn parse_dated(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    ((1900..=2099).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The years cited in `text`, each with its month when one is written with it.
pub fn cited_years(text: &str) -> Vec<(i32, Option<u32>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        // A run of exactly four digits, not part of a decimal (1.2007) or a grouped number
        // (1,2007).
        let glued = start > 0 && matches!(b[start - 1], b'.' | b',');
        if i - start != 4 || glued {
            continue;
        }
        let y: i32 = text[start..i].parse().expect("digits");
        if !(1900..=2099).contains(&y) {
            continue;
        }
        // Month after: -MM (not followed by another digit: 1995-2007 is a range).
        let mut month = None;
        if b.get(i) == Some(&b'-')
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && b.get(i + 2).is_some_and(u8::is_ascii_digit)
            && !b.get(i + 3).is_some_and(u8::is_ascii_digit)
        {
            let m: u32 = text[i + 1..i + 3].parse().expect("digits");
            if (1..=12).contains(&m) {
                month = Some(m);
            }
        }
        // Month name before: the word just before the year, or the one before a day number.
        if month.is_none() {
            let words: Vec<&str> = text[..start]
                .split(|c: char| c.is_whitespace() || c == ',' || c == '(')
                .filter(|w| !w.is_empty())
                .collect();
            let mut k = words.len();
            for _ in 0..2 {
                if k == 0 {
                    break;
                }
                k -= 1;
                let w = words[k].trim_end_matches('.').to_ascii_lowercase();
                if w.len() >= 3 {
                    if let Some(m) = MONTHS.iter().position(|p| w.starts_with(p)) {
                        let full = [
                            "january",
                            "february",
                            "march",
                            "april",
                            "may",
                            "june",
                            "july",
                            "august",
                            "september",
                            "october",
                            "november",
                            "december",
                        ][m];
                        if full.starts_with(&w) || w == "sept" {
                            month = Some(m as u32 + 1);
                            break;
                        }
                    }
                }
                if !w.chars().all(|c| c.is_ascii_digit()) {
                    break;
                }
            }
        }
        out.push((y, month));
    }
    out
}

/// Whether a citation dated (`year`, `month`) is after a study dated (`sy`, `sm`): a later
/// year, or the same year with a later month or no month (conservative).
pub fn cites_later(year: i32, month: Option<u32>, sy: i32, sm: u32) -> bool {
    year > sy || (year == sy && month.is_none_or(|m| m > sm))
}

/// The hindsight in `s`: empty when the study has no `risk.dated` or knows only its time.
/// A malformed `risk.dated` is an error.
pub fn lint(s: &Scenario) -> Result<Vec<Hindsight>, StudyError> {
    let Some(r) = &s.risk else {
        return Ok(Vec::new());
    };
    if r.dated.is_empty() {
        return Ok(Vec::new());
    }
    let (sy, sm) = parse_dated(&r.dated).ok_or_else(|| {
        StudyError::usage(
            "risk.dated",
            format!(
                "`{}` is not a date YYYY-MM (e.g. \"2007-06\") between 1900 and 2099",
                r.dated
            ),
        )
    })?;
    let doc = toml::Value::try_from(s)
        .map_err(|e| StudyError::usage("SCENARIO", format!("cannot read the scenario: {e}")))?;
    let mut out = lint_doc(&doc, (sy, sm), &r.dated);
    for (k, p) in r.prices.iter().enumerate() {
        if p.start_year > sy {
            out.push(Hindsight {
                kind: Kind::ActualBased,
                key: format!("risk.prices[{k}].start_year"),
                year: p.start_year,
                month: None,
                study_dated: r.dated.clone(),
                what: format!(
                    "the {} price process starts from a price observed in {} ({})",
                    p.product, p.start_year, p.start
                ),
            });
        }
    }
    Ok(out)
}

/// The citation and dated-value checks of a scenario document (`lint` adds the price
/// processes). Fiscal rules with their enactment dates (`[[finance.tax.rules]]`, each
/// `{ rate, from_year, value, enacted, source }`, applied by `finance.tax.vintage`) are
/// judged by when they were enacted, not when they apply: a rule the scenario applies that
/// was enacted after the study's date is hindsight, as is an `as_known_at` vintage later
/// than it; a rule it does not apply (enacted after its `known_at`) is documentation, and
/// its citation is not read; a rate the rules govern is not judged by its by-year steps.
pub fn lint_doc(doc: &toml::Value, (sy, sm): (i32, u32), dated: &str) -> Vec<Hindsight> {
    let mut out = Vec::new();
    let tax = doc.get("finance").and_then(|f| f.get("tax"));
    let rules = tax
        .and_then(|t| t.get("rules"))
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    let as_known_at =
        tax.and_then(|t| t.get("vintage")).and_then(|v| v.as_str()) == Some("as_known_at");
    let known_at = tax
        .and_then(|t| t.get("known_at"))
        .and_then(|v| v.as_str())
        .and_then(|k| parse_dated(k.get(..7)?));
    if let (true, Some(k)) = (as_known_at, known_at) {
        if k > (sy, sm) {
            out.push(Hindsight {
                kind: Kind::FiscalRule,
                key: "finance.tax.known_at".into(),
                year: k.0,
                month: Some(k.1),
                study_dated: dated.to_string(),
                what: "the fiscal law as known after the study's date".into(),
            });
        }
    }
    let mut skip = Vec::new();
    let mut governed = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let key = format!("finance.tax.rules[{i}]");
        let enacted = rule
            .get("enacted")
            .and_then(|e| e.as_str())
            .and_then(|e| parse_dated(e.get(..7)?));
        let rate = rule.get("rate").and_then(|r| r.as_str()).unwrap_or("");
        let applied = !as_known_at || matches!((enacted, known_at), (Some(e), Some(k)) if e <= k);
        if !applied {
            skip.push(format!("{key}.source"));
            continue;
        }
        governed.push(if rate.starts_with("vat.") {
            format!("finance.{rate}")
        } else {
            format!("finance.tax.{rate}")
        });
        match enacted {
            Some(e) if e > (sy, sm) => out.push(Hindsight {
                kind: Kind::FiscalRule,
                key,
                year: e.0,
                month: Some(e.1),
                study_dated: dated.to_string(),
                what: format!(
                    "{rate} = {} from {}, enacted {}",
                    rule.get("value")
                        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                        .map_or("?".into(), des::input::fmt_num),
                    rule.get("from_year")
                        .and_then(|v| v.as_integer())
                        .unwrap_or(0),
                    rule.get("enacted").and_then(|e| e.as_str()).unwrap_or("")
                ),
            }),
            _ => {}
        }
    }
    let mut ctx = Ctx {
        sy,
        sm,
        dated: dated.to_string(),
        skip,
        governed,
        out: &mut out,
    };
    ctx.walk(doc, "");
    out
}

struct Ctx<'a> {
    sy: i32,
    sm: u32,
    dated: String,
    /// `source` keys not read (fiscal rules the scenario does not apply).
    skip: Vec<String>,
    /// By-year rates set by the fiscal rules (judged by the rules' enactment).
    governed: Vec<String>,
    out: &'a mut Vec<Hindsight>,
}

impl Ctx<'_> {
    fn walk(&mut self, v: &toml::Value, path: &str) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            toml::Value::Table(t) => {
                for (k, x) in t {
                    let p = join(k);
                    if k == "source" && !self.skip.contains(&p) {
                        if let Some(text) = x.as_str() {
                            self.citation(&p, text);
                        }
                    }
                    self.walk(x, &p);
                }
            }
            toml::Value::Array(a) => {
                if path.starts_with("finance.")
                    && is_steps(a)
                    && !path.starts_with("finance.tax.rules")
                    && !self.governed.iter().any(|g| g == path)
                {
                    self.steps(a, path);
                }
                for (i, x) in a.iter().enumerate() {
                    self.walk(x, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }

    fn citation(&mut self, key: &str, text: &str) {
        for (y, m) in cited_years(text) {
            if cites_later(y, m, self.sy, self.sm) {
                self.out.push(Hindsight {
                    kind: Kind::Citation,
                    key: key.to_string(),
                    year: y,
                    month: m,
                    study_dated: self.dated.clone(),
                    what: format!("cites \"{text}\""),
                });
            }
        }
    }

    fn steps(&mut self, a: &[toml::Value], path: &str) {
        let mut steps: Vec<(i64, Option<f64>)> = a
            .iter()
            .filter_map(|s| {
                let t = s.as_table()?;
                let from = t.get("from_year")?.as_integer()?;
                let v = t
                    .get("value")
                    .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)));
                Some((from, v))
            })
            .collect();
        steps.sort_by_key(|s| s.0);
        let kind = if path.starts_with("finance.revenue") {
            Kind::PriceDeck
        } else if path.starts_with("finance.tax") || path.starts_with("finance.vat") {
            Kind::FiscalRule
        } else {
            Kind::DatedInput
        };
        for w in steps.windows(2) {
            let (from, v) = w[1];
            if from > i64::from(self.sy) && v != w[0].1 {
                let fmt = |v: Option<f64>| v.map_or("?".into(), des::input::fmt_num);
                self.out.push(Hindsight {
                    kind,
                    key: path.to_string(),
                    year: from as i32,
                    month: None,
                    study_dated: self.dated.clone(),
                    what: format!("changes from {} to {} in {from}", fmt(w[0].1), fmt(w[1].1)),
                });
            }
        }
    }
}

fn is_steps(a: &[toml::Value]) -> bool {
    !a.is_empty()
        && a.iter()
            .all(|s| s.as_table().is_some_and(|t| t.contains_key("from_year")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_months_are_read() {
        assert_eq!(
            cited_years("Bertisen and Davis (2008), 63 projects"),
            vec![(2008, None)]
        );
        assert_eq!(
            cited_years("company release 2007-06-21; DFS May 2007; 21 June 2007"),
            vec![(2007, Some(6)), (2007, Some(5)), (2007, Some(6))]
        );
        // Ranges, grouped and decimal numbers, out-of-range numbers.
        assert_eq!(
            cited_years("USGS 1995-2007, US$1,2000 and 3.2007; 2,000 trials; 12345; 1850"),
            vec![(1995, None), (2007, None)]
        );
        assert_eq!(cited_years("Sept. 2007"), vec![(2007, Some(9))]);
        assert_eq!(cited_years("Mayhem 2007"), vec![(2007, None)]);
    }

    #[test]
    fn the_same_year_needs_a_month() {
        assert!(cites_later(2008, Some(1), 2007, 6));
        assert!(cites_later(2007, None, 2007, 6));
        assert!(cites_later(2007, Some(7), 2007, 6));
        assert!(!cites_later(2007, Some(6), 2007, 6));
        assert!(!cites_later(2006, None, 2007, 6));
    }

    #[test]
    fn fiscal_rules_are_judged_by_their_enactment() {
        let doc: toml::Value = toml::from_str(
            r#"
            [finance.tax]
            vintage = "as_known_at"
            known_at = "2007-06"
            mining_duty_pct = [{ from_year = 2007, to_year = 2013, value = 0.0 }, { from_year = 2014, value = 7.5 }]
            [[finance.tax.rules]]
            rate = "income_tax_pct"
            from_year = 2005
            value = 28.0
            enacted = "2004-12-01"
            source = "LISR, DOF 1 Dec 2004"
            [[finance.tax.rules]]
            rate = "mining_duty_pct"
            from_year = 2014
            value = 7.5
            enacted = "2013-12-11"
            source = "DOF 11 Dec 2013"
            "#,
        )
        .unwrap();
        // Known at the study's date: the 2013 rule is not applied, its citation not read,
        // and the mining duty's 2014 step is the rules' business, not a step to judge...
        let h = lint_doc(&doc, (2007, 6), "2007-06");
        assert_eq!(
            h.iter().filter(|x| x.kind == Kind::Citation).count(),
            0,
            "{h:?}"
        );
        // ... except that the mining duty is governed only by an applied rule: here none
        // applied sets it, so its by-year step of 2014 is still judged.
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!((h[0].kind, h[0].year), (Kind::FiscalRule, 2014));
        // As enacted: the 2013 rule applies, enacted after the study's date: hindsight.
        let enacted = toml::Value::try_from(
            doc.as_table()
                .map(|t| {
                    let mut t = t.clone();
                    t["finance"]["tax"]["vintage"] = toml::Value::String("as_enacted".into());
                    t
                })
                .unwrap(),
        )
        .unwrap();
        let h = lint_doc(&enacted, (2007, 6), "2007-06");
        assert!(
            h.iter().any(|x| x.key == "finance.tax.rules[1]"
                && x.kind == Kind::FiscalRule
                && (x.year, x.month) == (2013, Some(12))),
            "{h:?}"
        );
        // A vintage known after the study's date is hindsight itself.
        let mut later = doc.clone();
        later["finance"]["tax"]["known_at"] = toml::Value::String("2010-01".into());
        let h = lint_doc(&later, (2007, 6), "2007-06");
        assert!(h.iter().any(|x| x.key == "finance.tax.known_at"), "{h:?}");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_dated("2007-06"), Some((2007, 6)));
        for bad in ["2007", "2007-13", "07-06", "2007-6", "x"] {
            assert_eq!(parse_dated(bad), None, "{bad}");
        }
    }
}
