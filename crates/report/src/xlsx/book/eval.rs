//! The workbook computed in Rust exactly as its formulas are: the column order of the
//! live rows, the circular-reference check and the evaluator.

use super::*;

/// Passes of [`evaluate`] over the columns at most: the live rows read later columns at
/// most two levels deep, so three passes settle and the fourth finds nothing to change.
const MAX_PASSES: usize = 6;

/// The live rows in an order that computes every row after the rows it reads in the same
/// column (as a spreadsheet orders its recalculation), the book's order where it is free.
/// A formula that reads itself in its own column has no such order; the book's order is
/// kept for what is left (the passes of [`evaluate`] then do not settle, and the tests
/// comparing with manto fail). Also returns how many rows lead the order in sound
/// dependency order: the rows after them are on a circular reference or read one.
fn column_order(rows: &[Row]) -> (Vec<usize>, usize) {
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.kind, RowKind::Live(_)))
        .map(|(i, r)| (r.key.as_str(), i))
        .collect();
    let deps: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| match &r.kind {
            RowKind::Live(e) => {
                let mut keys = Vec::new();
                e.rows(&mut keys);
                let mut d: Vec<usize> = keys
                    .iter()
                    .filter_map(|k| index.get(k.as_str()).copied())
                    .collect();
                d.sort_unstable();
                d.dedup();
                d
            }
            _ => Vec::new(),
        })
        .collect();
    let mut done = vec![false; rows.len()];
    let mut order = Vec::with_capacity(index.len());
    let live: Vec<usize> = {
        let mut v: Vec<usize> = index.values().copied().collect();
        v.sort_unstable();
        v
    };
    loop {
        // The first live row in book order whose rows are all computed.
        let next = live
            .iter()
            .copied()
            .find(|&i| !done[i] && deps[i].iter().all(|&d| done[d] || d == i));
        match next {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => break,
        }
    }
    let sound = order.len();
    order.extend(live.iter().copied().filter(|&i| !done[i]));
    (order, sound)
}

/// The live rows on a circular reference (a row that reads itself in the same column,
/// directly or through other rows) or reading one: Excel and LibreOffice refuse to
/// calculate them. Empty for a sound book.
pub fn circular(b: &Book) -> Vec<String> {
    let (order, sound) = column_order(&b.rows);
    order[sound..]
        .iter()
        .map(|&i| b.rows[i].key.clone())
        .collect()
}

/// What the formulas name and the book does not have, each as `row -> name`: rows (in
/// any column), named inputs and by-year rows, for the quarterly rows and the by-year
/// rows alike. Empty for a sound book; [`book`] refuses a book where it is not.
pub fn unknown_references(b: &Book) -> Vec<String> {
    let rows: std::collections::HashSet<&str> = b
        .rows
        .iter()
        .filter(|r| !matches!(r.kind, RowKind::Heading))
        .map(|r| r.key.as_str())
        .collect();
    let decks: std::collections::HashSet<&str> = b
        .decks
        .iter()
        .map(|d| d.name.as_str())
        .chain(["year"])
        .collect();
    let mut out = Vec::new();
    let mut check = |owner: &str, e: &Expr, row_names: &std::collections::HashSet<&str>| {
        let (r, i, d) = e.references();
        for k in r {
            if !row_names.contains(k.as_str()) {
                out.push(format!("{owner} -> row `{k}`"));
            }
        }
        for k in i {
            if !b.inputs.contains_key(&k) {
                out.push(format!("{owner} -> input `{k}`"));
            }
        }
        for k in d {
            if !decks.contains(k.as_str()) {
                out.push(format!("{owner} -> by-year row `{k}`"));
            }
        }
    };
    for r in &b.rows {
        if let RowKind::Live(e) = &r.kind {
            check(&r.key, e, &rows);
        }
    }
    // A by-year row reads the other by-year rows as its rows.
    for d in &b.decks {
        check(&format!("Deck_{}", d.name), &d.cell, &decks);
    }
    out.sort();
    out.dedup();
    out
}

/// An input's value as a number (booleans 1/0, text NaN).
pub fn input_value(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::Number(x) => x.as_f64().unwrap_or(f64::NAN),
        serde_json::Value::Bool(b) => f64::from(u8::from(*b)),
        _ => f64::NAN,
    }
}

/// Every live value of the workbook, computed as the formulas do: the by-year rows (key
/// `Deck_<name>`, one value per year) and every quarterly row (an empty ratio is NaN).
/// A cell holding the empty text is told from an error cell (both NaN here), so MIN, MAX
/// and SUM skip the one and propagate the other as Excel does. A recalculation that has
/// not settled after its passes is an error ([`BookError::NotConverged`]).
pub fn evaluate(b: &Book) -> Result<HashMap<String, Vec<f64>>, BookError> {
    let mut decks: HashMap<String, Vec<f64>> = HashMap::new();
    // The block's years, live: the earlier of the escalation base year and the start year,
    // then one more each column.
    let year_of = |k: &str| b.inputs.get(k).map_or(f64::NAN, input_value);
    let first = year_of("finance.escalation.base_year").min(year_of("finance.timing.start_year"));
    decks.insert(
        "year".into(),
        (0..b.years.len()).map(|j| first + j as f64).collect(),
    );
    struct DeckVals<'a> {
        b: &'a Book,
        d: &'a HashMap<String, Vec<f64>>,
        j: usize,
    }
    impl Values for DeckVals<'_> {
        fn value(&self, key: &str, offset: i32) -> Option<f64> {
            let j = self.j as i64 + i64::from(offset);
            let v = self.d.get(key)?;
            usize::try_from(j).ok().and_then(|j| v.get(j)).copied()
        }
        fn input(&self, key: &str) -> f64 {
            self.b.inputs.get(key).map_or(f64::NAN, input_value)
        }
        fn deck(&self, _: &str) -> f64 {
            f64::NAN
        }
        fn text(&self, key: &str) -> String {
            self.b
                .inputs
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        }
    }
    for row in &b.decks {
        decks.insert(row.name.clone(), vec![f64::NAN; b.years.len()]);
        // Forward, then backward: a year refers to the year before (after the base year)
        // or after (before it).
        let order: Vec<usize> = (0..b.years.len()).chain((0..b.years.len()).rev()).collect();
        for j in order {
            let x = row.cell.eval(&DeckVals { b, d: &decks, j });
            decks.get_mut(&row.name).expect("allocated")[j] = x;
        }
    }
    let mut v: HashMap<String, Vec<f64>> = HashMap::new();
    // Cells holding the empty text, by live row.
    let mut empty: HashMap<String, Vec<bool>> = HashMap::new();
    for r in &b.rows {
        match &r.kind {
            RowKind::Input(x, _) => {
                v.insert(r.key.clone(), x.clone());
            }
            RowKind::Live(_) => {
                v.insert(r.key.clone(), vec![f64::NAN; b.n]);
                empty.insert(r.key.clone(), vec![false; b.n]);
            }
            RowKind::Heading => {}
        }
    }
    struct CalcVals<'a> {
        b: &'a Book,
        v: &'a HashMap<String, Vec<f64>>,
        e: &'a HashMap<String, Vec<bool>>,
        d: &'a HashMap<String, Vec<f64>>,
        t: usize,
    }
    impl Values for CalcVals<'_> {
        fn value(&self, key: &str, offset: i32) -> Option<f64> {
            let t = self.t as i64 + i64::from(offset);
            let v = self.v.get(key)?;
            usize::try_from(t).ok().and_then(|t| v.get(t)).copied()
        }
        fn is_empty(&self, key: &str, offset: i32) -> bool {
            let t = self.t as i64 + i64::from(offset);
            self.e
                .get(key)
                .and_then(|e| usize::try_from(t).ok().and_then(|t| e.get(t)))
                .copied()
                .unwrap_or(false)
        }
        fn input(&self, key: &str) -> f64 {
            self.b.inputs.get(key).map_or(f64::NAN, input_value)
        }
        fn deck(&self, name: &str) -> f64 {
            let year = self.v["year"][self.t];
            let j = self.b.years.iter().position(|&y| f64::from(y) == year);
            match (j, self.d.get(name)) {
                (Some(j), Some(d)) => d[j],
                _ => f64::NAN,
            }
        }
        fn text(&self, key: &str) -> String {
            self.b
                .inputs
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        }
    }
    // Corkscrews refer to the previous column of a later row: evaluate column by column.
    // A few rows read later columns (the cover ratios read CFADS to the end of the loan,
    // the repayment quarter is the largest of a row): passes repeat until nothing
    // changes, as a spreadsheet's recalculation settles on its acyclic graph.
    let (order, _) = column_order(&b.rows);
    let mut settled = false;
    let mut changing: Vec<String> = Vec::new();
    for _pass in 0..MAX_PASSES {
        changing.clear();
        for t in 0..b.n {
            for r in order.iter().map(|&i| &b.rows[i]) {
                if let RowKind::Live(e) = &r.kind {
                    let here = CalcVals {
                        b,
                        v: &v,
                        e: &empty,
                        d: &decks,
                        t,
                    };
                    let (x, is_empty) = (e.eval(&here), e.yields_empty(&here));
                    let cell = &mut v.get_mut(&r.key).expect("allocated")[t];
                    let flag = &mut empty.get_mut(&r.key).expect("allocated")[t];
                    if x.to_bits() != cell.to_bits() || is_empty != *flag {
                        *cell = x;
                        *flag = is_empty;
                        if changing.last() != Some(&r.key) {
                            changing.push(r.key.clone());
                        }
                    }
                }
            }
        }
        if changing.is_empty() {
            settled = true;
            break;
        }
    }
    if !settled {
        changing.sort();
        changing.dedup();
        return Err(BookError::NotConverged {
            passes: MAX_PASSES,
            rows: changing,
        });
    }
    for (k, d) in decks {
        v.insert(format!("Deck_{k}"), d);
    }
    Ok(v)
}
