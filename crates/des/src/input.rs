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
///
/// Beyond the parser's own words: control characters (binary data) are reported at their
/// line before parsing; an array of tables (`[[a.b]]`) given where a table (`[a.b]`) is
/// expected, or the other way round, is named as such; an integer past the 64 bits of a
/// TOML integer names its key and the range.
pub fn parse<T: DeserializeOwned>(src: &str, file: &str) -> Result<T, InputError> {
    if let Some(e) = binary_data(src, file) {
        return Err(e);
    }
    toml::from_str(src).map_err(|e| {
        let offset = e.span().map(|s| s.start);
        let raw = e.message().trim();
        let doc = ImDocument::parse(src.to_string()).ok();
        let mut path = match (&doc, offset) {
            (Some(doc), Some(o)) => path_in(doc, o),
            (None, Some(o)) => key_on_line(src, o),
            _ => String::new(),
        };
        let mut line = offset.map(|o| line_of(src, o));
        let mut message = with_integer_range(&with_hint(raw));
        if raw.contains("number too large to fit in target type")
            || raw.contains("number too small to fit in target type")
            || raw.contains("integer number overflowed")
        {
            message = format!(
                "the integer is out of range: a TOML integer must lie between {} and {} \
                 (and each key has its own, narrower range: see docs/scenario.md#limits)",
                i64::MIN,
                i64::MAX
            );
        } else if let (Some(doc), Some(o)) = (&doc, offset) {
            if let Some((table_path, table_line, is_array)) = table_kind_mismatch(doc, src, o, raw)
            {
                message = if is_array {
                    format!(
                        "`{table_path}` is an array of tables ([[{table_path}]]); expected a \
                         table [{table_path}]: write the header with single brackets, once"
                    )
                } else {
                    format!(
                        "`{table_path}` is a table [{table_path}]; expected an array of tables \
                         [[{table_path}]]: write each entry under its own double-bracket header"
                    )
                };
                path = table_path;
                line = Some(table_line);
            }
        }
        if line.is_none() && !path.is_empty() {
            line = line_of_path(src, &path);
        }
        InputError {
            file: file.to_string(),
            line,
            path,
            message,
        }
    })
}

/// Spells out serde's "expected u32" (and the other integer types) as a range.
fn with_integer_range(message: &str) -> String {
    const RANGES: [(&str, &str); 6] = [
        ("expected u32", "expected an integer from 0 to 4294967295"),
        (
            "expected u64",
            "expected an integer from 0 to 18446744073709551615",
        ),
        (
            "expected usize",
            "expected an integer from 0 to 18446744073709551615",
        ),
        ("expected u16", "expected an integer from 0 to 65535"),
        ("expected u8", "expected an integer from 0 to 255"),
        (
            "expected i32",
            "expected an integer from -2147483648 to 2147483647",
        ),
    ];
    let mut out = message.to_string();
    for (from, to) in RANGES {
        if out.ends_with(from)
            || out.contains(&format!("{from};"))
            || out.contains(&format!("{from},"))
        {
            out = out.replacen(from, to, 1);
            break;
        }
    }
    out
}

/// The first control character (other than tab, newline, carriage return) in `src`, as a
/// located error: a binary file, or text with a stray NUL.
fn binary_data(src: &str, file: &str) -> Option<InputError> {
    let (offset, ch) = src
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
    let line = line_of(src, offset);
    let col = offset - src[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    Some(InputError {
        file: file.to_string(),
        line: Some(line),
        path: String::new(),
        message: format!(
            "binary data: control character U+{:04X} at byte offset {offset} (column {col}); \
             a scenario is a TOML text file",
            ch as u32
        ),
    })
}

/// When the parser stopped on a table header of the wrong kind: an array-of-tables header
/// `[[a.b]]` where a table was expected (serde then complains of a map or sequence where it
/// wanted a value), or a table header `[a.b]` where an array of tables was expected.
/// Returns (the table's dotted path, its header line, true if it is an array of tables).
fn table_kind_mismatch(
    doc: &ImDocument<String>,
    src: &str,
    offset: usize,
    raw: &str,
) -> Option<(String, usize, bool)> {
    let expects_seq = raw.contains("expected a sequence") || raw.contains("expected an array");
    // A `[[x]]` where a struct is expected reaches serde as a sequence: its first field
    // then sees a map ("invalid type: map, expected u32", or an untagged enum matching no
    // variant).
    let got_map_or_seq = raw.contains("invalid type: map")
        || raw.contains("invalid type: sequence")
        || raw.contains("did not match any variant");
    if !(expects_seq || got_map_or_seq) {
        return None;
    }
    let offset = offset.min(src.len());
    let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = src[start..].lines().next().unwrap_or("").trim();
    let is_array = line.starts_with("[[");
    if !line.starts_with('[') || (is_array && !got_map_or_seq) || (!is_array && !expects_seq) {
        return None;
    }
    let name = line
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or("")
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect::<Vec<_>>()
        .join(".");
    // Check the document agrees the item is of the kind the header says.
    let mut table = doc.as_table();
    let keys: Vec<&str> = name.split('.').collect();
    for (i, k) in keys.iter().enumerate() {
        let item = table.get(k)?;
        let last = i + 1 == keys.len();
        match item {
            Item::ArrayOfTables(_) if last => {
                return is_array.then_some((name, line_of(src, offset), true))
            }
            Item::Table(_) if last => {
                return (!is_array).then_some((name, line_of(src, offset), false))
            }
            Item::Table(t) => table = t,
            Item::ArrayOfTables(a) => table = a.get(a.len().checked_sub(1)?)?,
            _ => return None,
        }
    }
    None
}

/// The dotted key written on the line of byte `offset`, under the last table header above
/// it: for errors in documents that do not parse (so have no tree to walk).
pub fn key_on_line(src: &str, offset: usize) -> String {
    let offset = offset.min(src.len());
    let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    let line = &src[start..end];
    let Some((key, _)) = line.split_once('=') else {
        return String::new();
    };
    let clean = |k: &str| {
        k.split('.')
            .map(|p| p.trim().trim_matches('"').trim_matches('\''))
            .collect::<Vec<_>>()
            .join(".")
    };
    let key = clean(key);
    let header = src[..start].lines().rev().find_map(|l| {
        let t = l.trim();
        t.starts_with('[')
            .then(|| clean(t.trim_start_matches('[').split(']').next().unwrap_or("")))
    });
    match header {
        Some(h) if !h.is_empty() => format!("{h}.{key}"),
        _ => key,
    }
}

/// Decodes `bytes` (the contents of `file`) as UTF-8, or reports the line, column and byte
/// offset of the first invalid byte.
pub fn text_from_bytes(bytes: Vec<u8>, file: &str) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let offset = e.utf8_error().valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        let col = offset
            - bytes[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        InputError {
            file: file.to_string(),
            line: Some(line),
            path: String::new(),
            message: format!(
                "not UTF-8 text: invalid byte 0x{:02X} at byte offset {offset} (column {col}); \
                 save the scenario as UTF-8",
                bytes[offset]
            ),
        }
    })
}

/// Reads the scenario file at `path` as UTF-8 text, refusing before parsing: a path that
/// is not a regular file (a directory, a device), a file larger than `max_bytes` (see
/// `mine::limits::MAX_SCENARIO_BYTES`), and bytes that are not UTF-8 (with the line and
/// byte offset of the first bad byte). The error's `file` is `path` as given.
pub fn read_file(path: &std::path::Path, max_bytes: u64) -> Result<String, InputError> {
    use std::io::Read;
    let file = path.display().to_string();
    let err = |message: String| InputError {
        file: file.clone(),
        line: None,
        path: String::new(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        err(if e.kind() == std::io::ErrorKind::NotFound {
            "no such file".to_string()
        } else {
            format!("cannot read the file: {e}")
        })
    })?;
    if meta.is_dir() {
        return Err(err(
            "is a directory, not a scenario file: give the path of a .toml file".into(),
        ));
    }
    if meta.is_file() && meta.len() > max_bytes {
        return Err(err(format!(
            "the file is {} bytes, over the limit of {max_bytes} bytes for a scenario",
            meta.len()
        )));
    }
    let f = std::fs::File::open(path).map_err(|e| err(format!("cannot read the file: {e}")))?;
    // Read at most one byte past the limit: a device or a growing file cannot run away.
    let mut bytes = Vec::new();
    f.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| {
            err(if e.kind() == std::io::ErrorKind::IsADirectory {
                "is a directory, not a scenario file: give the path of a .toml file".into()
            } else {
                format!("cannot read the file: {e}")
            })
        })?;
    if bytes.len() as u64 > max_bytes {
        return Err(err(format!(
            "the file is over the limit of {max_bytes} bytes for a scenario"
        )));
    }
    text_from_bytes(bytes, &file)
}

/// Locates many validation problems at once, parsing `src` once (where calling [`locate`]
/// for each would parse it once per problem).
pub fn locate_all(src: &str, file: &str, problems: &[Invalid]) -> Vec<InputError> {
    let doc = ImDocument::parse(src.to_string()).ok();
    problems
        .iter()
        .map(|p| InputError {
            file: file.to_string(),
            line: doc.as_ref().and_then(|d| line_in(d, src, &p.path)),
            path: p.path.clone(),
            message: p.message.clone(),
        })
        .collect()
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
    line_in(&doc, src, path)
}

fn line_in(doc: &ImDocument<String>, src: &str, path: &str) -> Option<usize> {
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
        return key_on_line(src, offset);
    };
    path_in(&doc, offset)
}

fn path_in(doc: &ImDocument<String>, offset: usize) -> String {
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

/// Levenshtein distance between two short strings, in characters (`strsim::levenshtein`).
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

// ---- range checks shared by every validating crate ----------------------------------

/// Refuses `v` at `path` unless it lies in `[lo, hi]` (NaN and infinities refused), naming
/// the plausible range and the unit.
pub fn check_range(
    out: &mut Vec<Invalid>,
    path: String,
    what: &str,
    v: f64,
    range: (f64, f64),
    unit: &str,
) {
    let (lo, hi) = range;
    if !(v >= lo && v <= hi) {
        out.push(Invalid::new(
            path,
            format!(
                "{what} {}{unit} is outside the plausible {} to {}{unit}",
                fmt_num(v),
                fmt_num(lo),
                fmt_num(hi)
            ),
        ));
    }
}

/// Refuses a count at `path` unless it lies in `lo..=hi`.
pub fn check_count(out: &mut Vec<Invalid>, path: String, what: &str, v: u64, lo: u64, hi: u64) {
    if v < lo || v > hi {
        out.push(Invalid::new(
            path,
            format!(
                "{what} {} is outside the allowed {} to {}",
                fmt_num(v as f64),
                fmt_num(lo as f64),
                fmt_num(hi as f64)
            ),
        ));
    }
}

/// Refuses a list at `path` longer than `max`; returns false when it is (callers then skip
/// checking its elements one by one, which would cost in proportion to the length).
pub fn check_len(out: &mut Vec<Invalid>, path: String, len: usize, max: usize) -> bool {
    if len > max {
        out.push(Invalid::new(
            path,
            format!(
                "has {} entries; at most {} are allowed",
                fmt_num(len as f64),
                fmt_num(max as f64)
            ),
        ));
        false
    } else {
        true
    }
}

/// A number for a message: integers with thousands separators, very large or small
/// numbers in exponent form (`1e-9`), others as Rust prints them.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        format!("{v}")
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e15) {
        format!("{v:e}")
    } else if v.fract() == 0.0 {
        let s = format!("{}", v.abs() as u64);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            format!("-{out}")
        } else {
            out
        }
    } else {
        format!("{v}")
    }
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

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct WithList {
        name: String,
        modes: Vec<Bolter>,
    }

    #[test]
    fn array_of_tables_where_a_table_is_expected_is_named() {
        let src = GOOD.replace("[section]", "[[section]]");
        let e = parse::<Outer>(&src, "f.toml").unwrap_err();
        assert_eq!(e.path, "section");
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.starts_with(
                "`section` is an array of tables ([[section]]); expected a table [section]"
            ),
            "{}",
            e.message
        );
        let src = "name = \"x\"\n[modes]\nbooms = 1\ninstall_time_min = 2\n";
        let e = parse::<WithList>(src, "f.toml").unwrap_err();
        assert_eq!(e.path, "modes");
        assert!(
            e.message.contains("expected an array of tables [[modes]]"),
            "{}",
            e.message
        );
    }

    #[test]
    fn integers_past_64_bits_name_the_key_and_range() {
        let src = GOOD.replace("booms = 2", "booms = 99999999999999999999");
        let e = parse::<Outer>(&src, "f.toml").unwrap_err();
        assert_eq!(e.line, Some(7));
        assert_eq!(e.path, "section.bolter.booms");
        assert!(e.message.contains("9223372036854775807"), "{}", e.message);
        let src = GOOD.replace("booms = 2", "booms = 4294967296");
        let e = parse::<Outer>(&src, "f.toml").unwrap_err();
        assert_eq!(e.path, "section.bolter.booms");
        assert!(
            e.message
                .ends_with("expected an integer from 0 to 4294967295"),
            "{}",
            e.message
        );
        let src = GOOD.replace("booms = 2", "booms = -99999999999999999999");
        let e = parse::<Outer>(&src, "f.toml").unwrap_err();
        assert!(
            e.message.starts_with("the integer is out of range"),
            "{}",
            e.message
        );
    }

    #[test]
    fn binary_and_non_utf8_input_is_located() {
        let e = parse::<Outer>("name = \"x\"\n\0\u{1}garbage", "b.toml").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("binary data"), "{}", e.message);
        let mut bytes = b"name = \"x\"\n[section]\nentries = 5\xff\n".to_vec();
        let e = text_from_bytes(bytes.clone(), "u.toml").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(
            e.message.contains("0xFF at byte offset 32 (column 12)"),
            "{}",
            e.message
        );
        bytes.truncate(20);
        assert!(text_from_bytes(bytes, "u.toml").is_ok());
    }

    #[test]
    fn read_file_refuses_directories_large_files_and_bad_bytes() {
        let dir = std::env::temp_dir().join(format!("manto-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = read_file(&dir, 1000).unwrap_err();
        assert!(e.message.contains("is a directory"), "{}", e.message);
        let f = dir.join("big.toml");
        std::fs::write(&f, "x".repeat(2000)).unwrap();
        let e = read_file(&f, 1000).unwrap_err();
        assert!(
            e.message.contains("over the limit of 1000 bytes"),
            "{}",
            e.message
        );
        assert_eq!(read_file(&f, 5000).unwrap().len(), 2000);
        std::fs::write(&f, b"a = 1\nb = \"\xc3\x28\"\n").unwrap();
        let e = read_file(&f, 5000).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e
            .to_string()
            .starts_with(&format!("{}:2: not UTF-8", f.display())));
        let e = read_file(&dir.join("missing.toml"), 5000).unwrap_err();
        assert!(e.message.contains("no such file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn locate_all_matches_locate() {
        let problems = [
            Invalid::new("section.bolter.install_time_min", "x"),
            Invalid::new("section.entries", "y"),
            Invalid::new("nowhere", "z"),
        ];
        let all = locate_all(GOOD, "f.toml", &problems);
        for (p, e) in problems.iter().zip(&all) {
            assert_eq!(&locate(GOOD, "f.toml", p), e);
        }
    }
}
