//! Terminal tables fit the width they are given, and are unchanged without one.

use manto_report as report;
use report::export::{render, render_fitted, Exporter, Output, TerminalExporter};
use report::{Cell, Table};

/// A 12-column table: a label column and eleven years of numbers.
fn wide() -> Table {
    let cols: Vec<String> = std::iter::once("Item".to_string())
        .chain((2031..2042).map(|y| y.to_string()))
        .collect();
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new("wide", "Cash flow (US$ k)", &refs);
    for (i, label) in ["Revenue", "Operating costs", "EBITDA", "Net cash flow"]
        .iter()
        .enumerate()
    {
        let mut row = vec![Cell::from(*label)];
        for y in 0..11 {
            row.push(Cell::Num(
                (i as f64 + 1.0) * 123_456.7 * (y as f64 + 1.0) - 50_000.0,
                0,
            ));
        }
        t.push(row);
    }
    t.push(
        std::iter::once(Cell::from("DSCR"))
            .chain((0..11).map(|_| Cell::Missing))
            .collect(),
    );
    t
}

struct One(Table);

impl Output for One {
    fn json(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    fn tables(&self) -> Vec<Table> {
        vec![self.0.clone()]
    }
}

#[test]
fn twelve_columns_at_80_split_into_parts_that_fit() {
    let t = wide();
    let full = render(&t);
    assert!(full.lines().any(|l| l.chars().count() > 80), "{full}");

    let s = render_fitted(&t, Some(80));
    assert_eq!(
        String::from_utf8(
            TerminalExporter::with_width(80)
                .serialize(&One(t.clone()))
                .unwrap()
        )
        .unwrap(),
        s
    );
    let parts: Vec<&str> = s.split("\n\n").collect();
    assert!(parts.len() >= 2, "{s}");
    let mut seen_headers = Vec::new();
    let mut seen_cells: Vec<String> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let lines: Vec<&str> = part.lines().collect();
        assert!(
            lines[0].starts_with("Cash flow (US$ k) (part ")
                && lines[0].contains(&format!("part {} of {}", i + 1, parts.len()))
                && lines[0].ends_with("of 12)"),
            "{}",
            lines[0]
        );
        for l in &lines {
            assert!(l.chars().count() <= 80, "too wide: {l:?}");
        }
        // The label column is repeated on each part.
        let header: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(header[0], "Item");
        seen_headers.extend(header[1..].iter().map(|h| h.to_string()));
        for (row, line) in t.rows.iter().zip(&lines[3..]) {
            assert!(line.starts_with(&row[0].display()), "{line}");
        }
        for line in &lines[3..] {
            // Labels have spaces; the numbers follow the label column.
            let label_width = t.rows.iter().map(|r| r[0].display().len()).max().unwrap();
            seen_cells.extend(line[label_width..].split_whitespace().map(String::from));
        }
        // Numbers stay right-aligned: every body line ends at the rule's end.
        let rule_len = lines[2].len();
        for line in &lines[3..] {
            assert_eq!(line.len(), rule_len, "{line:?}");
        }
    }
    // Every column appears exactly once, in order, and so does every cell.
    let want: Vec<String> = t.columns[1..].to_vec();
    assert_eq!(seen_headers, want);
    let mut want_cells: Vec<String> = t
        .rows
        .iter()
        .flat_map(|r| r[1..].iter().map(Cell::display))
        .collect();
    want_cells.sort();
    seen_cells.sort();
    assert_eq!(seen_cells, want_cells);
}

#[test]
fn without_a_width_the_table_is_unchanged() {
    let t = wide();
    let full = render(&t);
    assert_eq!(render_fitted(&t, None), full);
    // A width it already fits changes nothing either.
    assert_eq!(render_fitted(&t, Some(500)), full);
    for exporter in [
        TerminalExporter,
        TerminalExporter::full(),
        TerminalExporter::default(),
    ] {
        assert_eq!(
            exporter.serialize(&One(t.clone())).unwrap(),
            full.as_bytes()
        );
    }
    // The layout itself: label left, numbers right, two spaces apart, a rule of dashes.
    let lines: Vec<&str> = full.lines().collect();
    assert_eq!(lines[0], "Cash flow (US$ k)");
    assert!(lines[1].starts_with("Item             "), "{:?}", lines[1]);
    assert!(lines[2].starts_with("---------------  "), "{:?}", lines[2]);
    assert!(lines[3].starts_with("Revenue          "), "{:?}", lines[3]);
    assert!(lines[7].ends_with("  n/a"), "{:?}", lines[7]);
}

#[test]
fn a_column_wider_than_the_terminal_is_not_cut() {
    let mut t = Table::new("n", "Notes", &["Key", "Note", "Value"]);
    t.push(vec!["a".into(), "x".repeat(50).into(), Cell::Num(1.0, 0)]);
    let s = render_fitted(&t, Some(40));
    assert!(s.contains(&"x".repeat(50)), "{s}");
    assert!(s.contains("(part 1 of 2: column 2 of 3)"), "{s}");
}
