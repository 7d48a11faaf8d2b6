//! Plain-text tables for the terminal: right-aligned numbers, a rule under the heading.

use super::{Exporter, Output};
use crate::{Cell, Table};

/// Renders the output's terminal tables ([`Output::terminal_tables`]) as aligned text.
pub struct TerminalExporter;

/// Renders one table.
pub fn render(t: &Table) -> String {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::display).collect())
        .collect();
    let widths: Vec<usize> = (0..t.columns.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(t.columns[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // A column with numbers is right-aligned, its text cells (labels, "n/a") too, so the
    // numbers line up; the first column (row labels) stays left-aligned.
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|c| c > 0 && t.rows.iter().any(|r| matches!(r[c], Cell::Num(..))))
        .collect();

    let line = |vals: &[String]| -> String {
        vals.iter()
            .enumerate()
            .map(|(c, v)| {
                if numeric[c] {
                    format!("{v:>w$}", w = widths[c])
                } else {
                    format!("{v:<w$}", w = widths[c])
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
    out += &widths
        .iter()
        .map(|w| "-".repeat(*w))
        .collect::<Vec<_>>()
        .join("  ");
    out.push('\n');
    for r in &cells {
        out += &line(r);
        out.push('\n');
    }
    out
}

impl Exporter for TerminalExporter {
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, String> {
        Ok(output
            .terminal_tables()
            .iter()
            .map(render)
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
}
