//! A format-neutral table: a title, column names and rows of cells. Results are turned
//! into tables once; every text format renders tables.

/// One value in a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number, with the decimals to show in the terminal (CSV keeps full precision).
    Num(f64, usize),
    /// A number that does not exist (a ratio with no debt service): "n/a" in the
    /// terminal, an empty field in CSV.
    Missing,
}

impl Cell {
    /// A number if there is one, else [`Cell::Missing`].
    pub fn opt(v: Option<f64>, decimals: usize) -> Cell {
        v.map_or(Cell::Missing, |x| Cell::Num(x, decimals))
    }
    /// Text as shown in a terminal.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v, d) => group_thousands(&format!("{v:.d$}", d = *d)),
            Cell::Missing => "n/a".to_string(),
        }
    }
    /// Text as written to CSV: full precision, no grouping.
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(v, _) => format!("{v}"),
            Cell::Missing => String::new(),
        }
    }
    /// [`Cell::raw`] made safe for a spreadsheet: text through [`csv_safe`] (numbers stay
    /// numbers, a negative one included).
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => csv_safe(s),
            other => other.raw(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// A titled table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Machine-friendly name (used as the `table` column in CSV).
    pub name: String,
    /// Heading shown above the table in the terminal.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with the given columns.
    pub fn new(name: &str, title: &str, columns: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            title: title.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "row width in table {}",
            self.name
        );
        self.rows.push(row);
    }
}

/// A CSV text cell neutralised against formula injection, as OWASP's "CSV Injection"
/// advice says: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return (a
/// scenario or case name such as `=HYPERLINK(...)`) gets a leading single quote, so a
/// spreadsheet shows it as text instead of running it. Text that is a number (`-12.5`,
/// `+3`) is left as it is: it is a number, not a formula.
pub fn csv_safe(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// "1234567.5" becomes "1,234,567.5"; other text is returned unchanged.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if !int.chars().all(|c| c.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_cannot_be_a_formula_and_numbers_stay_numbers() {
        for (text, csv) in [
            ("=1+2", "'=1+2"),
            ("+cmd", "'+cmd"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("boleo", "boleo"),
            ("a=b", "a=b"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("", ""),
        ] {
            assert_eq!(Cell::from(text).csv(), csv, "{text:?}");
        }
        assert_eq!(Cell::Num(-12.5, 1).csv(), "-12.5");
        assert_eq!(Cell::Missing.csv(), "");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands("1234567.50"), "1,234,567.50");
        assert_eq!(group_thousands("-999"), "-999");
        assert_eq!(group_thousands("-1000"), "-1,000");
        assert_eq!(group_thousands("NaN"), "NaN");
        assert_eq!(Cell::Num(2_600_000.0, 0).display(), "2,600,000");
        assert_eq!(Cell::Num(0.125, 3).raw(), "0.125");
        assert_eq!(Cell::opt(None, 2).display(), "n/a");
        assert_eq!(Cell::opt(None, 2).raw(), "");
        assert_eq!(Cell::opt(Some(1.5), 2), Cell::Num(1.5, 2));
    }
}
