//! Reading typed inputs from TOML with errors a user can act on.
//!
//! Every crate validates its own part of a scenario and reports problems as [`Invalid`]
//! (a dotted key path and a message). This module turns those, and the parser's own type
//! and unknown-key errors, into one [`InputError`] naming the file, the line and the key,
//! with a "did you mean" hint for misspelt keys. It lives at the bottom of the crate graph
//! so that every layer reports bad input the same way.

use serde::de::DeserializeOwned;
use std::fmt;
use toml_edit::{ImDocument, Item, Table, Value};

/// One problem found while validating an input: where (a dotted key path such as
/// `section.bolter.booms`) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    /// Dotted key path; array elements are written `key[2]`.
    pub path: String,
    /// What is wrong, for the user.
    pub message: String,
}

impl Invalid {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A bad input, located: file, line (when known) and key path.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// The file name as the user gave it (or `<embedded NAME>`).
    pub file: String,
    /// 1-based line of the offending key, when it could be found.
    pub line: Option<usize>,
    /// Dotted key path, possibly empty for a syntax error.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": key `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// Parses `src` (the contents of `file`) into `T`, turning syntax, type and unknown-key
/// errors into a located [`InputError`].
pub fn parse<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, InputError> {
    toml::from_str(src).map_err(|e| {
        let offset = e.span().map(|s| s.start);
        let path = offset.map(|o| path_at(src, o)).unwrap_or_default();
        let message = with_hint(e.message().trim());
        InputError {
            file: file.to_string(),
            line: offset.map(|o| line_of(src, o)),
            path,
            message,
        }
    })
}

/// Locates a validation problem in the source it came from.
pub fn locate(src: &str, file: &str, invalid: &Invalid) -> InputError {
    InputError {
        file: file.to_string(),
        line: line_of_path(src, &invalid.path),
        path: invalid.path.clone(),
        message: invalid.message.clone(),
    }
}

/// 1-based line number of byte `offset` in `src`.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line where the key at dotted `path` is written; falls back to the nearest existing
/// ancestor (a defaulted key has no line of its own, its table does).
pub fn line_of_path(src: &str, path: &str) -> Option<usize> {
    let doc = ImDocument::parse(src.to_string()).ok()?;
    let mut segments: Vec<(String, Option<usize>)> = split_path(path);
    while !segments.is_empty() {
        if let Some(span) = span_of(doc.as_table(), &segments) {
            return Some(line_of(src, span));
        }
        segments.pop();
    }
    None
}

fn split_path(path: &str) -> Vec<(String, Option<usize>)> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .map(|seg| match seg.find('[') {
            Some(i) => {
                let idx = seg[i + 1..].trim_end_matches(']').parse().ok();
                (seg[..i].to_string(), idx)
            }
            None => (seg.to_string(), None),
        })
        .collect()
}

fn span_of(table: &Table, segments: &[(String, Option<usize>)]) -> Option<usize> {
    let ((key, index), rest) = segments.split_first()?;
    let (k, item) = table.get_key_value(key)?;
    let here = k
        .span()
        .map(|s| s.start)
        .or_else(|| item.span().map(|s| s.start));
    let item = match (index, item) {
        (Some(i), Item::ArrayOfTables(a)) => {
            let t = a.get(*i)?;
            if rest.is_empty() {
                return t.span().map(|s| s.start).or(here);
            }
            return span_of(t, rest).or(t.span().map(|s| s.start));
        }
        (Some(i), Item::Value(Value::Array(a))) => {
            let v = a.get(*i)?;
            if rest.is_empty() {
                return v.span().map(|s| s.start).or(here);
            }
            return span_in_value(v, rest).or(here);
        }
        (_, item) => item,
    };
    if rest.is_empty() {
        return here;
    }
    match item {
        Item::Table(t) => span_of(t, rest).or(here),
        Item::Value(v) => span_in_value(v, rest).or(here),
        _ => here,
    }
}

fn span_in_value(v: &Value, segments: &[(String, Option<usize>)]) -> Option<usize> {
    let ((key, index), rest) = segments.split_first()?;
    let Value::InlineTable(t) = v else {
        return None;
    };
    let inner = t.get(key)?;
    let here = t.key(key).and_then(|k| k.span()).map(|s| s.start);
    let inner = match (index, inner) {
        (Some(i), Value::Array(a)) => a.get(*i)?,
        (_, inner) => inner,
    };
    if rest.is_empty() {
        here
    } else {
        span_in_value(inner, rest).or(here)
    }
}

/// The dotted path of the innermost key whose key-or-value span contains `offset`.
pub fn path_at(src: &str, offset: usize) -> String {
    let Ok(doc) = ImDocument::parse(src.to_string()) else {
        return String::new();
    };
    let mut path = Vec::new();
    walk_table(doc.as_table(), offset, &mut path);
    path.join(".")
}

fn contains(span: Option<std::ops::Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

fn walk_table(table: &Table, offset: usize, path: &mut Vec<String>) -> bool {
    for (k, item) in table.iter() {
        let key = table.key(k).expect("key of iterated entry");
        let on_key = contains(key.span(), offset);
        match item {
            Item::Table(t) => {
                path.push(k.to_string());
                if walk_table(t, offset, path) || on_key || contains(t.span(), offset) {
                    return true;
                }
                path.pop();
            }
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    path.push(format!("{k}[{i}]"));
                    if walk_table(t, offset, path) {
                        return true;
                    }
                    path.pop();
                }
            }
            Item::Value(v) => {
                path.push(k.to_string());
                if on_key || walk_value(v, offset, path) {
                    return true;
                }
                path.pop();
            }
            Item::None => {}
        }
    }
    false
}

fn walk_value(v: &Value, offset: usize, path: &mut Vec<String>) -> bool {
    match v {
        Value::InlineTable(t) => {
            for (k, inner) in t.iter() {
                let on_key = t.key(k).is_some_and(|key| contains(key.span(), offset));
                path.push(k.to_string());
                if on_key || walk_value(inner, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        Value::Array(a) => {
            if let Some(last) = path.pop() {
                for (i, inner) in a.iter().enumerate() {
                    path.push(format!("{last}[{i}]"));
                    if walk_value(inner, offset, path) {
                        return true;
                    }
                    path.pop();
                }
                path.push(last);
            }
        }
        _ => {}
    }
    contains(v.span(), offset)
}

/// Adds "did you mean `x`?" to serde's "unknown field `y`, expected one of `a`, `b`"
/// (and to unknown variant messages) when a valid name is close to the misspelt one.
pub fn with_hint(message: &str) -> String {
    let Some(bad) = backticked(message).next() else {
        return message.to_string();
    };
    let known = [
        "unknown field",
        "unknown variant",
        "unknown distribution",
        "unknown key",
    ];
    if !known.iter().any(|k| message.starts_with(k)) {
        return message.to_string();
    }
    // Candidates are backticked (serde) or listed after "expected one of" / "valid keys:".
    let mut candidates: Vec<&str> = backticked(message).skip(1).collect();
    if candidates.is_empty() {
        if let Some(list) = ["expected one of ", "valid keys: "]
            .iter()
            .find_map(|k| message.split_once(k).map(|x| x.1))
        {
            candidates = list
                .split([',', ' '])
                .map(|c| c.trim_matches(|ch: char| !ch.is_alphanumeric() && ch != '_'))
                .filter(|c| !c.is_empty() && *c != "or")
                .collect();
        }
    }
    let best = candidates
        .into_iter()
        .map(|cand| (edit_distance(bad, cand), cand))
        .min();
    match best {
        Some((d, cand)) if d <= 2.max(bad.len() / 3) => {
            format!("{message}; did you mean `{cand}`?")
        }
        _ => message.to_string(),
    }
}

fn backticked(s: &str) -> impl Iterator<Item = &str> {
    s.split('`').skip(1).step_by(2)
}

/// Levenshtein distance between two short strings.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        section: Section,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Section {
        entries: u32,
        bolter: Bolter,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Bolter {
        booms: u32,
        install_time_min: f64,
    }

    const GOOD: &str = "name = \"x\"\n\n[section]\nentries = 5\n\n[section.bolter]\nbooms = 2\ninstall_time_min = 3.0\n";

    #[test]
    fn unknown_key_is_located_with_a_hint() {
        let src = GOOD.replace("booms = 2", "boms = 2");
        let e = parse::<Outer>(&src, "my.toml").unwrap_err();
        assert_eq!(e.line, Some(7));
        assert_eq!(e.path, "section.bolter.boms");
        assert!(e.message.contains("did you mean `booms`?"), "{}", e.message);
        assert!(e
            .to_string()
            .starts_with("my.toml:7: key `section.bolter.boms`"));
    }

    #[test]
    fn wrong_type_is_located() {
        let src = GOOD.replace("entries = 5", "entries = \"five\"");
        let e = parse::<Outer>(&src, "f.toml").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert_eq!(e.path, "section.entries");
    }

    #[test]
    fn validation_problems_are_located_by_path() {
        let inv = Invalid::new("section.bolter.install_time_min", "must be positive");
        let e = locate(GOOD, "f.toml", &inv);
        assert_eq!(e.line, Some(8));
        // A defaulted key falls back to its table's line.
        assert_eq!(line_of_path(GOOD, "section.bolter.missing_key"), Some(6));
        assert_eq!(line_of_path(GOOD, "nowhere.at.all"), None);
    }

    #[test]
    fn arrays_of_tables_and_inline_tables() {
        let src =
            "[[mine]]\nname = \"a\"\n[[mine]]\nname = \"b\"\nt = { dist = \"uniform\", min = 1 }\n";
        assert_eq!(line_of_path(src, "mine[1].name"), Some(4));
        assert_eq!(line_of_path(src, "mine[1].t.min"), Some(5));
        assert_eq!(path_at(src, src.find("min =").unwrap()), "mine[1].t.min");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            with_hint("unknown field `zzzzzz`, expected `a` or `b`"),
            "unknown field `zzzzzz`, expected `a` or `b`"
        );
    }
}
