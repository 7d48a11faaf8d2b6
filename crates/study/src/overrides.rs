//! Overrides: `--set KEY=VALUE` and the flags that stand for a scenario key (`--days` is
//! `simulation.days`), applied to the scenario's TOML text before it is parsed, so that an
//! override is validated exactly like the file. KEY is the dotted key path errors print
//! (`section.miner.failures[0].tbf_h`); VALUE is a TOML value (`3`, `"text"`, `[1, 2]`,
//! `{ dist = "exponential", mean = 25 }`).

use crate::error::StudyError;
use des::input::InputError;
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// Where an override came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--set KEY=VALUE`.
    Set,
    /// A command-line flag standing for the key, e.g. `--days`.
    Flag(&'static str),
}

/// One override of a scenario key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    key: String,
    value: String,
    origin: Origin,
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Parses a key path as errors print it (`a.b.c`, `a.b[0].c`) into its steps; `None` when
/// it is not one.
pub fn parse_path(key: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return None;
        }
        out.push(Seg::Key(name.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']')?;
            out.push(Seg::Index(rest[1..close].parse().ok()?));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

impl Override {
    /// Parses `KEY=VALUE` as given to `--set`.
    pub fn parse_set(arg: &str) -> Result<Override, StudyError> {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(StudyError::usage(
                "--set",
                format!("`{arg}` is not KEY=VALUE (for example --set section.bolters.count=2)"),
            ));
        };
        let o = Override {
            key: key.trim().to_string(),
            value: value.trim().to_string(),
            origin: Origin::Set,
        };
        o.segments()?;
        Ok(o)
    }

    /// The override a flag stands for: `flag` sets `key` to `value`.
    pub fn flag(flag: &'static str, key: &str, value: impl ToString) -> Override {
        Override {
            key: key.to_string(),
            value: value.to_string(),
            origin: Origin::Flag(flag),
        }
    }

    /// The dotted key path.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How the user wrote it: `--set KEY=VALUE` or `--flag VALUE`.
    pub fn label(&self) -> String {
        match self.origin {
            Origin::Set => format!("--set {}={}", self.key, self.value),
            Origin::Flag(f) => format!("{f} {}", self.value),
        }
    }

    fn error(&self, message: impl Into<String>) -> StudyError {
        StudyError::Input(vec![InputError {
            file: self.label(),
            line: None,
            path: self.key.clone(),
            message: message.into(),
        }])
    }

    fn segments(&self) -> Result<Vec<Seg>, StudyError> {
        parse_path(&self.key).ok_or_else(|| {
            StudyError::usage(
                "--set",
                format!(
                    "`{}` is not a key path (write it as errors print it: a.b.c or a.b[0].c)",
                    self.key
                ),
            )
        })
    }

    /// True when `path` is a table or array on the way to this override's key (which the
    /// override creates when it is not there).
    fn made(&self, path: &str) -> bool {
        self.key.strip_prefix(path).is_some_and(|rest| {
            !path.is_empty() && (rest.starts_with('.') || rest.starts_with('['))
        })
    }

    /// True when a problem at `path` is about this override's key (the key itself or
    /// something inside it).
    fn covers(&self, path: &str) -> bool {
        path == self.key
            || path
                .strip_prefix(self.key.as_str())
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    }
}

/// Applies `overrides` in order to `src` (TOML); returns the edited text.
pub(crate) fn apply(src: &str, file: &str, overrides: &[Override]) -> Result<String, StudyError> {
    if overrides.is_empty() {
        return Ok(src.to_string());
    }
    let mut doc: DocumentMut = src.parse().map_err(|e: toml_edit::TomlError| {
        // The file itself does not parse: report it as the file's own error, located and
        // worded as without overrides (an integer past 64 bits names its key).
        if let Err(located) = des::input::parse::<toml::Table>(src, file) {
            return StudyError::Input(vec![located]);
        }
        let offset = e.span().map(|s| s.start);
        StudyError::Input(vec![InputError {
            file: file.to_string(),
            line: offset.map(|o| des::input::line_of(src, o)),
            path: String::new(),
            message: e.message().trim().to_string(),
        }])
    })?;
    for o in overrides {
        let value: Value = o.value.parse().map_err(|_| {
            o.error(format!(
                "`{}` is not a TOML value (text needs quotes: {}=\"{}\")",
                o.value, o.key, o.value
            ))
        })?;
        let segs = o.segments()?;
        set_in_table(doc.as_table_mut(), &segs, value, "").map_err(|m| o.error(m))?;
    }
    Ok(doc.to_string())
}

/// Re-attributes the problems of an overridden scenario: a problem at an overridden key
/// names the override (the last one that covers it), not a line of the file. So does a
/// problem at a table that only an override made (`--set section.bolter.count=2` makes a
/// table `section.bolter`, which the file, `src`, does not have: its misspelling is the
/// override's, not a line of the file's).
pub(crate) fn attribute(
    errors: Vec<InputError>,
    overrides: &[Override],
    src: &str,
) -> Vec<InputError> {
    let original: Option<DocumentMut> = src.parse().ok();
    errors
        .into_iter()
        .map(|e| {
            let by = overrides
                .iter()
                .rev()
                .find(|o| o.covers(&e.path))
                .or_else(|| {
                    overrides.iter().rev().find(|o| {
                        o.made(&e.path)
                            && original
                                .as_ref()
                                .is_some_and(|d| !exists(d.as_table(), &e.path))
                    })
                });
            match by {
                Some(o) => InputError {
                    file: o.label(),
                    line: None,
                    ..e
                },
                None => e,
            }
        })
        .collect()
}

/// Whether the key at `path` (as errors print it) is in `table`.
fn exists(table: &Table, path: &str) -> bool {
    #[derive(Clone, Copy)]
    enum Node<'a> {
        Table(&'a Table),
        Item(&'a Item),
        Value(&'a Value),
    }
    let Some(segs) = parse_path(path) else {
        return false;
    };
    let mut here = Node::Table(table);
    for seg in &segs {
        let next = match (here, seg) {
            (Node::Table(t) | Node::Item(Item::Table(t)), Seg::Key(k)) => t.get(k).map(Node::Item),
            (Node::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => a.get(*i).map(Node::Table),
            (Node::Item(Item::Value(v)) | Node::Value(v), seg) => match (v, seg) {
                (Value::InlineTable(t), Seg::Key(k)) => t.get(k).map(Node::Value),
                (Value::Array(a), Seg::Index(i)) => a.get(*i).map(Node::Value),
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(n) => here = n,
            None => return false,
        }
    }
    true
}

fn join(done: &str, name: &str) -> String {
    if done.is_empty() {
        name.to_string()
    } else {
        format!("{done}.{name}")
    }
}

fn set_in_table(t: &mut Table, segs: &[Seg], value: Value, done: &str) -> Result<(), String> {
    let Seg::Key(k) = &segs[0] else {
        return Err(format!("`{done}` is a table, not an array"));
    };
    let here = join(done, k);
    if segs.len() == 1 {
        t.insert(k, Item::Value(value));
        return Ok(());
    }
    if !t.contains_key(k) {
        let mut new = Table::new();
        new.set_implicit(true);
        t.insert(k, Item::Table(new));
    }
    match t.get_mut(k).expect("present") {
        Item::Table(inner) => set_in_table(inner, &segs[1..], value, &here),
        Item::Value(v) => set_in_value(v, &segs[1..], value, &here),
        Item::ArrayOfTables(a) => {
            let Seg::Index(n) = segs[1] else {
                return Err(format!(
                    "`{here}` is an array of tables: give an index, as in {here}[0]"
                ));
            };
            let len = a.len();
            let table = a
                .get_mut(n)
                .ok_or_else(|| format!("`{here}` has {len} entries; there is no [{n}]"))?;
            if segs.len() == 2 {
                return Err(format!("`{here}[{n}]` is a table: set one of its keys"));
            }
            set_in_table(table, &segs[2..], value, &format!("{here}[{n}]"))
        }
        Item::None => Err(format!("`{here}` cannot be set")),
    }
}

fn set_in_inline(
    t: &mut InlineTable,
    segs: &[Seg],
    value: Value,
    done: &str,
) -> Result<(), String> {
    let Seg::Key(k) = &segs[0] else {
        return Err(format!("`{done}` is a table, not an array"));
    };
    let here = join(done, k);
    if segs.len() == 1 {
        t.insert(k, value);
        return Ok(());
    }
    if !t.contains_key(k) {
        t.insert(k, Value::InlineTable(InlineTable::new()));
    }
    set_in_value(t.get_mut(k).expect("present"), &segs[1..], value, &here)
}

fn set_in_value(v: &mut Value, segs: &[Seg], value: Value, done: &str) -> Result<(), String> {
    match (v, &segs[0]) {
        (Value::InlineTable(t), Seg::Key(_)) => set_in_inline(t, segs, value, done),
        (Value::Array(a), Seg::Index(n)) => {
            let (n, len) = (*n, a.len());
            let here = format!("{done}[{n}]");
            let Some(item) = a.get_mut(n) else {
                return Err(format!("`{done}` has {len} entries; there is no [{n}]"));
            };
            if segs.len() == 1 {
                *item = value;
                Ok(())
            } else {
                set_in_value(item, &segs[1..], value, &here)
            }
        }
        (Value::Array(_), Seg::Key(_)) => Err(format!(
            "`{done}` is an array: give an index, as in {done}[0]"
        )),
        (_, _) => Err(format!("`{done}` is a value, not a table")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "name = \"x\"\n\n[a]\nb = 1\nd = { dist = \"exponential\", mean = 2 }\nv = [1, 2, 3]\n\n[[a.list]]\nk = 1\n";

    fn set(arg: &str) -> Result<String, StudyError> {
        apply(SRC, "f.toml", &[Override::parse_set(arg)?])
    }

    #[test]
    fn sets_tables_inline_tables_arrays_and_arrays_of_tables() {
        assert!(set("a.b=5").unwrap().contains("b = 5"));
        assert!(set("a.d.mean=7").unwrap().contains("mean = 7"));
        assert!(set("a.v[1]=9").unwrap().contains("[1, 9, 3]"));
        assert!(set("a.list[0].k=4").unwrap().contains("k = 4"));
        assert!(set("name=\"y\"").unwrap().contains("name = \"y\""));
        // A new key is added where it belongs (the parser then judges it).
        let out = set("a.new_key=1").unwrap();
        let doc: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(doc["a"]["new_key"].as_integer(), Some(1));
        // The rest of the file is untouched.
        assert!(out.contains("d = { dist = \"exponential\", mean = 2 }"));
    }

    #[test]
    fn bad_overrides_name_the_override() {
        let msg = |r: Result<String, StudyError>| r.unwrap_err().to_string();
        assert!(msg(set("a.b")).contains("not KEY=VALUE"));
        assert!(msg(set("a..b=1")).contains("not a key path"));
        assert!(msg(set("a.b=not toml")).contains("not a TOML value"));
        let m = msg(set("a.v[7]=1"));
        assert!(m.starts_with("--set a.v[7]=1: key `a.v[7]`"), "{m}");
        assert!(m.contains("3 entries"), "{m}");
        assert!(msg(set("a.b.c=1")).contains("is a value, not a table"));
        assert!(msg(set("a.list.k=1")).contains("give an index"));
    }

    #[test]
    fn problems_at_an_overridden_key_are_attributed_to_it() {
        let o = [Override::flag("--days", "simulation.days", 0)];
        let e = InputError {
            file: "f.toml".into(),
            line: Some(3),
            path: "simulation.days".into(),
            message: "must be at least 1".into(),
        };
        let other = InputError {
            path: "simulation.daysx".into(),
            ..e.clone()
        };
        let out = attribute(vec![e, other.clone()], &o, "[simulation]\ndays = 3\n");
        assert_eq!(
            out[0].to_string(),
            "--days 0: key `simulation.days`: must be at least 1"
        );
        assert_eq!(out[1], other);
    }
}
