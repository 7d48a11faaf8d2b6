//! Plain-text tables for the terminal: right-aligned numbers, a rule under the heading,
//! laid out by `comfy-table`.
//!
//! At full width ([`TerminalExporter::width`] `None`, the default, and what a pipe gets) a
//! table is one block of aligned columns, two spaces apart, exactly as before comfy-table
//! (a test checks it against the old renderer).
//!
//! Given a width, a table wider than it is split into parts, one below the other: each
//! part repeats the first (label) column and takes as many of the other columns as fit,
//! the parts as even as the widths allow, each titled "(part i of p: columns k–m of n)"
//! (columns counted from 1, the label column being column 1). Cells are never cut or
//! wrapped; a single column wider than the width gets a part of its own. Titles longer
//! than the width are broken at spaces.

use super::{ExportError, Exporter, Output};
use crate::{Cell, Table};
use comfy_table::{CellAlignment, ContentArrangement};

/// Renders the output's terminal tables ([`Output::terminal_tables`]) as aligned text,
/// split to fit `width` columns when one is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TerminalExporter {
    /// Columns of text available, or `None` for no limit (every table in one piece).
    pub width: Option<u16>,
}

/// The full-width exporter, so that `TerminalExporter.serialize(..)` keeps working as it
/// did when the exporter was a unit struct. Same as [`TerminalExporter::full`].
#[allow(non_upper_case_globals)]
pub const TerminalExporter: TerminalExporter = TerminalExporter { width: None };

impl TerminalExporter {
    /// No width limit: each table in one piece, as when piped or with `--wide`.
    pub fn full() -> TerminalExporter {
        TerminalExporter { width: None }
    }

    /// Tables split to fit `width` columns.
    pub fn with_width(width: u16) -> TerminalExporter {
        TerminalExporter { width: Some(width) }
    }

    /// Fits the terminal: the width of standard output when it is a terminal, else no limit
    /// (a pipe or file gets every table in one piece).
    pub fn fitted() -> TerminalExporter {
        TerminalExporter {
            width: stdout_width(),
        }
    }
}

/// The width of standard output in columns, if it is a terminal.
pub fn stdout_width() -> Option<u16> {
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(terminal_size::Width(w), _)| w)
        .filter(|w| *w > 0)
}

/// Gap between columns.
const GAP: usize = 2;

/// A table's cells as displayed, their widths and which columns are right-aligned.
struct Layout {
    header: Vec<String>,
    cells: Vec<Vec<String>>,
    widths: Vec<usize>,
    numeric: Vec<bool>,
}

fn width_of(s: &str) -> usize {
    s.chars().count()
}

fn layout(t: &Table) -> Layout {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::display).collect())
        .collect();
    let widths: Vec<usize> = (0..t.columns.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| width_of(&r[c]))
                .chain(std::iter::once(width_of(&t.columns[c])))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // A column with numbers is right-aligned, its text cells (labels, "n/a") too, so the
    // numbers line up; the first column (row labels) stays left-aligned.
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|c| c > 0 && t.rows.iter().any(|r| matches!(r[c], Cell::Num(..))))
        .collect();
    Layout {
        header: t.columns.clone(),
        cells,
        widths,
        numeric,
    }
}

/// Renders columns `cols` of a laid-out table under `title`.
fn render_columns(l: &Layout, cols: &[usize], title: &str) -> String {
    let mut out = format!("{title}\n");
    // comfy-table gives every column at least one character; a column with no text at all
    // is two spaces of gap in the classic layout, so it becomes padding of its neighbour.
    let shown: Vec<usize> = cols.iter().copied().filter(|&c| l.widths[c] > 0).collect();
    if shown.is_empty() {
        let rule = " ".repeat(GAP * cols.len().saturating_sub(1));
        out += &format!("\n{rule}\n");
        out += &"\n".repeat(l.cells.len());
        return out;
    }
    let lead = cols.iter().take_while(|&&c| l.widths[c] == 0).count();
    let mut ct = comfy_table::Table::new();
    ct.load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled);
    let pick = |row: &[String]| -> Vec<String> { shown.iter().map(|&c| row[c].clone()).collect() };
    ct.set_header(pick(&l.header));
    // The rule under the heading is a row of dashes, so that it spans the text of each
    // column and not the gaps (comfy-table's own header line would fill the gaps too).
    ct.add_row(
        shown
            .iter()
            .map(|&c| "-".repeat(l.widths[c]))
            .collect::<Vec<_>>(),
    );
    for r in &l.cells {
        ct.add_row(pick(r));
    }
    for (i, &c) in shown.iter().enumerate() {
        // Gap after this column: one per column that follows it up to the next shown one
        // (empty columns in between add theirs); none after the last column.
        let pos = cols.iter().position(|&x| x == c).expect("shown column");
        let following = cols[pos + 1..]
            .iter()
            .take_while(|&&x| l.widths[x] == 0)
            .count();
        let right = if i + 1 == shown.len() {
            GAP * following
        } else {
            GAP * (following + 1)
        };
        let left = if i == 0 { GAP * lead } else { 0 };
        let col = ct.column_mut(i).expect("column exists");
        col.set_padding((
            u16::try_from(left).unwrap_or(u16::MAX),
            u16::try_from(right).unwrap_or(u16::MAX),
        ));
        col.set_cell_alignment(if l.numeric[c] {
            CellAlignment::Right
        } else {
            CellAlignment::Left
        });
    }
    for (i, line) in ct.lines().enumerate() {
        // Text lines end at their last character; the rule keeps the gaps of trailing
        // empty columns, as it always has.
        out += if i == 1 {
            line.as_str()
        } else {
            line.trim_end()
        };
        out.push('\n');
    }
    out
}

/// Renders one table in one piece.
pub fn render(t: &Table) -> String {
    let l = layout(t);
    let cols: Vec<usize> = (0..t.columns.len()).collect();
    render_columns(&l, &cols, &t.title)
}

/// Renders one table to fit `width` columns (see the [module docs](self)); `None` is
/// [`render`]. Parts are separated by a blank line.
pub fn render_fitted(t: &Table, width: Option<u16>) -> String {
    let Some(width) = width.map(usize::from) else {
        return render(t);
    };
    let l = layout(t);
    let n = t.columns.len();
    let full = l.widths.iter().sum::<usize>() + GAP * n.saturating_sub(1);
    if full <= width || n <= 2 {
        let cols: Vec<usize> = (0..n).collect();
        return render_columns(&l, &cols, &wrap_words(&t.title, width));
    }
    let chunks = split_columns(&l.widths, width);
    let parts = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let cols: Vec<usize> = std::iter::once(0).chain(chunk.clone()).collect();
            let shown = if chunk.len() == 1 {
                format!("column {}", chunk.end)
            } else {
                format!("columns {}\u{2013}{}", chunk.start + 1, chunk.end)
            };
            let title = format!("{} (part {} of {parts}: {shown} of {n})", t.title, i + 1);
            render_columns(&l, &cols, &wrap_words(&title, width))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Breaks `text` into lines of at most `width` characters at spaces (a longer word keeps
/// a line of its own); text that fits is returned unchanged.
fn wrap_words(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && width_of(&line) + 1 + width_of(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line += word;
    }
    lines.push(line);
    lines.join("\n")
}

/// Splits columns `1..n` into consecutive chunks that fit `limit` beside column 0: as few
/// chunks as possible, then as even as possible (the widest part as narrow as it can be).
fn split_columns(widths: &[usize], limit: usize) -> Vec<std::ops::Range<usize>> {
    let greedy = |cap: usize| -> Vec<std::ops::Range<usize>> {
        let mut chunks = Vec::new();
        let mut start = 1;
        let mut used = widths[0];
        for c in 1..widths.len() {
            let add = GAP + widths[c];
            if c > start && used + add > cap {
                chunks.push(start..c);
                start = c;
                used = widths[0];
            }
            used += add;
        }
        chunks.push(start..widths.len());
        chunks
    };
    let fewest = greedy(limit).len();
    // The narrowest cap that still needs no more parts than the width allows.
    let mut lo = widths[0] + GAP + widths[1..].iter().copied().max().unwrap_or(0);
    let mut hi = limit.max(lo);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if greedy(mid).len() <= fewest {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    greedy(hi)
}

impl Exporter for TerminalExporter {
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, ExportError> {
        Ok(output
            .terminal_tables()
            .iter()
            .map(|t| render_fitted(t, self.width))
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new("t", "Title", &["name", "value"]);
        t.push(vec!["a".into(), Cell::Num(1234.5, 1)]);
        t.push(vec!["long name".into(), Cell::Num(2.0, 1)]);
        t.push(vec!["none".into(), Cell::Missing]);
        let s = render(&t);
        assert_eq!(
            s,
            "Title\nname         value\n---------  -------\na          1,234.5\nlong name      2.0\nnone           n/a\n"
        );
    }

    /// The renderer before comfy-table, kept as the reference for byte-identical output.
    fn legacy_render(t: &Table) -> String {
        let l = layout(t);
        let line = |vals: &[String]| -> String {
            vals.iter()
                .enumerate()
                .map(|(c, v)| {
                    if l.numeric[c] {
                        format!("{v:>w$}", w = l.widths[c])
                    } else {
                        format!("{v:<w$}", w = l.widths[c])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let mut out = format!("{}\n", t.title);
        out += &line(&t.columns);
        out.push('\n');
        out += &l
            .widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ");
        out.push('\n');
        for r in &l.cells {
            out += &line(r);
            out.push('\n');
        }
        out
    }

    #[test]
    fn comfy_table_reproduces_the_legacy_layout() {
        let texts = [
            "",
            "a",
            "  indented",
            "Revenue",
            "n/a",
            "trailing ",
            "Año – 2031",
            "x y z",
            "EBITDA margin (%)",
            "-",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for case in 0..300 {
            let ncols = 1 + next(7) as usize;
            let names: Vec<String> = (0..ncols)
                .map(|c| texts[next(texts.len() as u64) as usize].to_string() + &"c".repeat(c))
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut t = Table::new("t", &format!("Case {case}"), &refs);
            for _ in 0..next(6) {
                let row = (0..ncols)
                    .map(|_| match next(4) {
                        0 => Cell::Text(texts[next(texts.len() as u64) as usize].to_string()),
                        1 => Cell::Missing,
                        _ => Cell::Num(
                            (next(2_000_000_000) as f64 - 1e9) / 10f64.powi(next(6) as i32),
                            next(4) as usize,
                        ),
                    })
                    .collect();
                t.push(row);
            }
            assert_eq!(render(&t), legacy_render(&t), "{t:?}");
            assert_eq!(render_fitted(&t, None), legacy_render(&t));
        }
    }

    #[test]
    fn long_titles_wrap_at_spaces_when_fitted() {
        assert_eq!(wrap_words("short", 10), "short");
        assert_eq!(wrap_words("one two three four", 9), "one two\nthree\nfour");
        assert_eq!(wrap_words("a verylongword b", 5), "a\nverylongword\nb");
        let mut t = Table::new("t", "A title much longer than the table", &["k", "v"]);
        t.push(vec!["a".into(), Cell::Num(1.0, 0)]);
        assert_eq!(
            render_fitted(&t, Some(20)),
            "A title much longer\nthan the table\nk  v\n-  -\na  1\n"
        );
        // Without a width the title stays on one line.
        assert!(render_fitted(&t, None).starts_with("A title much longer than the table\n"));
    }

    #[test]
    fn splits_evenly() {
        // Label 5 wide, ten columns 8 wide: 5 + 10 * 10 = 105 in one piece; at 60 the
        // greedy split would be 5 + 4, the even one 3 + 3 + 3 or similar.
        let w: Vec<usize> = std::iter::once(5)
            .chain(std::iter::repeat_n(8, 10))
            .collect();
        let chunks = split_columns(&w, 60);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks, vec![1..6, 6..11]);
        // A column wider than the limit gets a part of its own.
        let chunks = split_columns(&[5, 3, 100, 3], 40);
        assert_eq!(chunks, vec![1..2, 2..3, 3..4]);
    }
}
