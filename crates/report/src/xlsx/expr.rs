//! A tiny expression tree for the workbook's live rows: one [`Expr`] per row renders to
//! one Excel formula of the same shape in every column ([`Expr::render`]) and evaluates
//! in Rust exactly as Excel computes it ([`Expr::eval`]): the same operations in the same
//! order, so the Rust evaluation and LibreOffice's recalculation agree with manto to
//! rounding.

/// A formula of one row, written once for every column.
#[derive(Clone, Debug)]
pub enum Expr {
    /// Another row, same column.
    Ref(String),
    /// Another row (or this one), previous column; the constant in the first column.
    Prev(String, f64),
    /// Another row, next column; the constant in the last column (by-year rows only).
    Next(String, f64),
    /// A named input cell, by its scenario key (e.g. `finance.revenue.royalty_nsr_pct`).
    Input(String),
    /// A named by-year row on `Inputs`, taken at this column's calendar year.
    Deck(String),
    /// Another row, `back` columns before this one (`OFFSET`; `back` ≥ 0 a formula).
    Offset(String, Box<Expr>),
    /// Another row summed over this column and the `back` columns before it
    /// (`SUM(OFFSET(…, 0, −back, 1, back + 1))`, left to right).
    SumBack(String, Box<Expr>),
    /// Another row summed from this column to the last (`SUM(cell:$LAST$row)`).
    SumToEnd(String),
    /// The largest number of another row over all its columns (`MAX($FIRST$row:$LAST$row)`).
    RowMax(String),
    /// The sum of another row over all its columns (`SUM($FIRST$row:$LAST$row)`).
    RowSum(String),
    /// `CHOOSE(index, a, b, …)`: the index-th (from 1) of the choices.
    Choose(Box<Expr>, Vec<Expr>),
    /// Another row summed over the `count` columns after this one
    /// (`SUM(OFFSET(cell, 0, 1, 1, count))`; columns past the block are empty, 0).
    SumAhead(String, Box<Expr>),
    /// `POWER(a, b)`.
    Pow(Box<Expr>, Box<Expr>),
    /// Excel's `NPV(rate, OFFSET(cell, 0, 0, 1, count))`: another row from this column
    /// over `count` columns, each discounted one more period at `rate`, the first by one.
    Npv(Box<Expr>, String, Box<Expr>),
    /// A number.
    Const(f64),
    /// `a + b`.
    Add(Box<Expr>, Box<Expr>),
    /// `a − b`.
    Sub(Box<Expr>, Box<Expr>),
    /// `a × b`.
    Mul(Box<Expr>, Box<Expr>),
    /// `a ÷ b`.
    Div(Box<Expr>, Box<Expr>),
    /// `MIN(a, b)`.
    Min(Box<Expr>, Box<Expr>),
    /// `MAX(a, b)`.
    Max(Box<Expr>, Box<Expr>),
    /// `INT(a)`: the largest integer not above `a`.
    Int(Box<Expr>),
    /// `MOD(a, b)`: the remainder with the sign of `b`.
    Mod(Box<Expr>, Box<Expr>),
    /// `IF(cond, a, b)`.
    If(Box<Cond>, Box<Expr>, Box<Expr>),
    /// An empty cell (`""`; NaN in Rust): only at the top of a row's formula.
    Empty,
}

/// A condition of an [`Expr::If`].
#[derive(Clone, Debug)]
pub enum Cond {
    /// `a > b`.
    Gt(Expr, Expr),
    /// `a <= b`.
    Le(Expr, Expr),
    /// `a = b`.
    Eq(Expr, Expr),
    /// All of them.
    And(Vec<Cond>),
    /// Any of them.
    Or(Vec<Cond>),
    /// Not this one.
    Not(Box<Cond>),
    /// A yes/no input is yes.
    InputTrue(String),
    /// A text input equals this text.
    InputIs(String, String),
}

/// Where a formula is written: resolves references to cells and names.
pub trait Place {
    /// The cell of row `key` at `offset` columns from this one (`None`: outside the block).
    fn cell(&self, key: &str, offset: i32) -> Option<String>;
    /// The defined name of an input key.
    fn input(&self, key: &str) -> String;
    /// The formula of a by-year row's value at this column's year.
    fn deck(&self, name: &str) -> String;
    /// A row's label, for the words.
    fn label(&self, key: &str) -> String;
    /// The range of row `key` from this column to the last one.
    fn range_to_end(&self, key: &str) -> Option<String> {
        let _ = key;
        None
    }
    /// The range of row `key` over all its columns (absolute).
    fn range_all(&self, key: &str) -> Option<String> {
        let _ = key;
        None
    }
    /// What a column is, for the words (`quarter`, `year`).
    fn column_word(&self) -> &'static str {
        "quarter"
    }
}

/// Values to evaluate a formula with.
pub trait Values {
    /// Row `key` at `offset` columns from this one (`None`: outside the block).
    fn value(&self, key: &str, offset: i32) -> Option<f64>;
    /// An input's value.
    fn input(&self, key: &str) -> f64;
    /// A by-year row's value at this column's year (NaN if the year is missing).
    fn deck(&self, name: &str) -> f64;
    /// A text input.
    fn text(&self, key: &str) -> String;
    /// Whether row `key`'s cell at `offset` columns holds the empty text `""` (its formula
    /// chose [`Expr::Empty`]) rather than a number or an error: Excel's MIN, MAX and SUM
    /// skip such a cell in a reference, while an error anywhere propagates.
    fn is_empty(&self, key: &str, offset: i32) -> bool {
        let _ = (key, offset);
        false
    }
}

impl Expr {
    fn prec(&self) -> u8 {
        match self {
            Expr::Add(..) | Expr::Sub(..) => 1,
            Expr::Mul(..) | Expr::Div(..) => 2,
            _ => 3,
        }
    }

    /// The Excel formula (without `=`) at a place.
    pub fn render(&self, p: &dyn Place) -> String {
        // A cell or range, or Excel's #N/A where there is none; a row's cell in this column.
        let na = |x: Option<String>| x.unwrap_or_else(|| "NA()".into());
        let here = |k: &str| na(p.cell(k, 0));
        let bin = |a: &Expr, op: &str, b: &Expr, prec: u8| {
            let l = a.render(p);
            let r = b.render(p);
            let l = if a.prec() < prec { format!("({l})") } else { l };
            let r = if b.prec() <= prec {
                format!("({r})")
            } else {
                r
            };
            format!("{l}{op}{r}")
        };
        match self {
            Expr::Ref(k) => here(k),
            Expr::Prev(k, d) => p.cell(k, -1).unwrap_or_else(|| num(*d)),
            Expr::Next(k, d) => p.cell(k, 1).unwrap_or_else(|| num(*d)),
            Expr::Input(k) => p.input(k),
            Expr::Deck(n) => p.deck(n),
            Expr::Offset(k, back) => format!("OFFSET({},0,-({}))", here(k), back.render(p)),
            Expr::SumBack(k, back) => {
                let b = back.render(p);
                format!("SUM(OFFSET({},0,-({b}),1,({b})+1))", here(k))
            }
            Expr::SumToEnd(k) => format!("SUM({})", na(p.range_to_end(k))),
            Expr::RowMax(k) => format!("MAX({})", na(p.range_all(k))),
            Expr::RowSum(k) => format!("SUM({})", na(p.range_all(k))),
            Expr::Choose(i, xs) => format!(
                "CHOOSE({},{})",
                i.render(p),
                xs.iter().map(|x| x.render(p)).collect::<Vec<_>>().join(",")
            ),
            Expr::SumAhead(k, count) => {
                format!("SUM(OFFSET({},0,1,1,{}))", here(k), count.render(p))
            }
            Expr::Pow(a, b) => format!("POWER({},{})", a.render(p), b.render(p)),
            Expr::Npv(rate, k, count) => format!(
                "NPV({},OFFSET({},0,0,1,{}))",
                rate.render(p),
                here(k),
                count.render(p)
            ),
            Expr::Const(x) => num(*x),
            Expr::Add(a, b) => bin(a, "+", b, 1),
            Expr::Sub(a, b) => bin(a, "-", b, 1),
            Expr::Mul(a, b) => bin(a, "*", b, 2),
            Expr::Div(a, b) => bin(a, "/", b, 2),
            Expr::Min(a, b) => format!("MIN({},{})", a.render(p), b.render(p)),
            Expr::Max(a, b) => format!("MAX({},{})", a.render(p), b.render(p)),
            Expr::Int(a) => format!("INT({})", a.render(p)),
            Expr::Mod(a, b) => format!("MOD({},{})", a.render(p), b.render(p)),
            Expr::If(c, a, b) => format!("IF({},{},{})", c.render(p), a.render(p), b.render(p)),
            Expr::Empty => "\"\"".into(),
        }
    }

    /// The formula in words, for the "how" column.
    pub fn words(&self, p: &dyn Place) -> String {
        let bin = |a: &Expr, op: &str, b: &Expr, prec: u8| {
            let l = a.words(p);
            let r = b.words(p);
            let l = if a.prec() < prec { format!("({l})") } else { l };
            let r = if b.prec() <= prec {
                format!("({r})")
            } else {
                r
            };
            format!("{l} {op} {r}")
        };
        match self {
            Expr::Ref(k) => p.label(k),
            Expr::Prev(k, _) => format!("{} (previous {})", p.label(k), p.column_word()),
            Expr::Next(k, _) => format!("{} (next {})", p.label(k), p.column_word()),
            Expr::Input(k) => p.input(k),
            Expr::Deck(n) => format!("{n} (the year's)"),
            Expr::Offset(k, back) => format!(
                "{} ({} {}s before)",
                p.label(k),
                back.words(p),
                p.column_word()
            ),
            Expr::SumBack(k, back) => format!(
                "sum of {} over this and the {} {}s before",
                p.label(k),
                back.words(p),
                p.column_word()
            ),
            Expr::SumToEnd(k) => format!(
                "sum of {} from this {} to the last",
                p.label(k),
                p.column_word()
            ),
            Expr::RowMax(k) => format!("largest {} of any {}", p.label(k), p.column_word()),
            Expr::RowSum(k) => format!("sum of {} over every {}", p.label(k), p.column_word()),
            Expr::Choose(i, xs) => format!(
                "the {}th of ({})",
                i.words(p),
                xs.iter().map(|x| x.words(p)).collect::<Vec<_>>().join("; ")
            ),
            Expr::SumAhead(k, count) => format!(
                "sum of {} over the {} {}s after this one",
                p.label(k),
                count.words(p),
                p.column_word()
            ),
            Expr::Pow(a, b) => format!("({})^({})", a.words(p), b.words(p)),
            Expr::Npv(rate, k, count) => format!(
                "NPV at {} of {} over {} {}s from this one",
                rate.words(p),
                p.label(k),
                count.words(p),
                p.column_word()
            ),
            Expr::Const(x) => num(*x),
            Expr::Add(a, b) => bin(a, "+", b, 1),
            Expr::Sub(a, b) => bin(a, "−", b, 1),
            Expr::Mul(a, b) => bin(a, "×", b, 2),
            Expr::Div(a, b) => bin(a, "÷", b, 2),
            Expr::Min(a, b) => format!("min({}, {})", a.words(p), b.words(p)),
            Expr::Max(a, b) => format!("max({}, {})", a.words(p), b.words(p)),
            Expr::Int(a) => format!("int({})", a.words(p)),
            Expr::Mod(a, b) => format!("mod({}, {})", a.words(p), b.words(p)),
            Expr::If(c, a, b) => {
                format!("if {} then {} else {}", c.words(p), a.words(p), b.words(p))
            }
            Expr::Empty => "empty".into(),
        }
    }

    /// The value, computed as Excel does.
    pub fn eval(&self, v: &dyn Values) -> f64 {
        match self {
            Expr::Ref(k) => v.value(k, 0).unwrap_or(f64::NAN),
            Expr::Prev(k, d) => v.value(k, -1).unwrap_or(*d),
            Expr::Next(k, d) => v.value(k, 1).unwrap_or(*d),
            Expr::Input(k) => v.input(k),
            Expr::Deck(n) => v.deck(n),
            Expr::Offset(k, back) => {
                let b = back.eval(v);
                if b >= 0.0 && b.fract() == 0.0 && b < 1e6 {
                    v.value(k, -(b as i32)).unwrap_or(f64::NAN)
                } else {
                    f64::NAN
                }
            }
            Expr::SumBack(k, back) => {
                let b = back.eval(v);
                if b >= 0.0 && b.fract() == 0.0 && b < 1e6 {
                    let b = b as i32;
                    (0..=b)
                        .rev()
                        .filter(|&j| !v.is_empty(k, -j))
                        .map(|j| v.value(k, -j).unwrap_or(f64::NAN))
                        .fold(0.0, |a, x| a + x)
                } else {
                    f64::NAN
                }
            }
            Expr::SumToEnd(k) => {
                let mut sum = 0.0;
                let mut j = 0;
                while let Some(x) = v.value(k, j) {
                    if !v.is_empty(k, j) {
                        sum += x;
                    }
                    j += 1;
                }
                sum
            }
            // Every column, left to right, as MAX and SUM over the row's range (text and
            // empty cells, NaN here, are skipped; MAX of nothing is 0).
            Expr::RowMax(k) => {
                let xs = whole_row(v, k);
                if xs.iter().any(|x| x.is_nan()) {
                    f64::NAN
                } else {
                    let best = xs.into_iter().fold(f64::NEG_INFINITY, f64::max);
                    if best == f64::NEG_INFINITY {
                        0.0
                    } else {
                        best
                    }
                }
            }
            Expr::RowSum(k) => whole_row(v, k).into_iter().fold(0.0, |a, x| a + x),
            Expr::Choose(i, xs) => {
                let i = i.eval(v);
                if i >= 1.0 && (i.floor() as usize) <= xs.len() {
                    xs[i.floor() as usize - 1].eval(v)
                } else {
                    f64::NAN
                }
            }
            Expr::SumAhead(k, count) => {
                let n = count.eval(v);
                if !(1.0..1e6).contains(&n) {
                    return f64::NAN;
                }
                (1..=n.floor() as i32)
                    .filter(|&j| !v.is_empty(k, j))
                    .map(|j| v.value(k, j).unwrap_or(0.0))
                    .fold(0.0, |a, x| a + x)
            }
            Expr::Pow(a, b) => a.eval(v).powf(b.eval(v)),
            Expr::Npv(rate, k, count) => {
                let (r, n) = (rate.eval(v), count.eval(v));
                if !(1.0..1e6).contains(&n) {
                    return f64::NAN;
                }
                // NPV = Σ value_j / (1 + rate)^j, j = 1..count; a column outside the
                // block is an error (NaN).
                let mut sum = 0.0;
                for j in 0..n.floor() as i32 {
                    match v.value(k, j) {
                        Some(x) => sum += x / (1.0 + r).powi(j + 1),
                        None => return f64::NAN,
                    }
                }
                sum
            }
            Expr::Const(x) => *x,
            Expr::Add(a, b) => a.eval(v) + b.eval(v),
            Expr::Sub(a, b) => a.eval(v) - b.eval(v),
            Expr::Mul(a, b) => a.eval(v) * b.eval(v),
            Expr::Div(a, b) => a.eval(v) / b.eval(v),
            Expr::Min(a, b) => min_max(a.arg(v), b.arg(v), f64::min),
            Expr::Max(a, b) => min_max(a.arg(v), b.arg(v), f64::max),
            Expr::Int(a) => a.eval(v).floor(),
            Expr::Mod(a, b) => {
                let (a, b) = (a.eval(v), b.eval(v));
                a - b * (a / b).floor()
            }
            Expr::If(c, a, b) => {
                if c.eval(v) {
                    a.eval(v)
                } else {
                    b.eval(v)
                }
            }
            Expr::Empty => f64::NAN,
        }
    }

    /// Whether the formula's value here is the empty text: [`Expr::Empty`], or an `IF`
    /// whose chosen branch is.
    pub fn yields_empty(&self, v: &dyn Values) -> bool {
        match self {
            Expr::Empty => true,
            Expr::If(c, a, b) => {
                if c.eval(v) {
                    a.yields_empty(v)
                } else {
                    b.yields_empty(v)
                }
            }
            _ => false,
        }
    }

    /// One argument of MIN or MAX as Excel takes it: `None` for a reference to a cell
    /// holding the empty text (skipped), otherwise its value (NaN: an error, which
    /// propagates; an empty text that is not a reference is an error too).
    fn arg(&self, v: &dyn Values) -> Option<f64> {
        let skipped = |k: &str, offset: i32| v.value(k, offset).is_some() && v.is_empty(k, offset);
        match self {
            Expr::Ref(k) if skipped(k, 0) => None,
            Expr::Prev(k, _) if skipped(k, -1) => None,
            Expr::Next(k, _) if skipped(k, 1) => None,
            _ => Some(self.eval(v)),
        }
    }

    /// The input keys the formula reads.
    pub fn inputs(&self, out: &mut Vec<String>) {
        self.reads(&mut |r| {
            if let Read::Input(k) = r {
                out.push(k.to_string());
            }
        });
    }

    /// Everything the formula names: (rows in any column, inputs, by-year rows).
    pub fn references(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let (mut rows, mut inputs, mut decks) = (Vec::new(), Vec::new(), Vec::new());
        self.reads(&mut |r| match r {
            Read::Row(k) | Read::Earlier(k) => rows.push(k.to_string()),
            Read::Input(k) => inputs.push(k.to_string()),
            Read::Deck(k) => decks.push(k.to_string()),
        });
        (rows, inputs, decks)
    }

    /// The rows the formula reads in this column or later ones (every reference but
    /// [`Expr::Prev`]): what must be computed before it in a column.
    pub fn rows(&self, out: &mut Vec<String>) {
        self.reads(&mut |r| {
            if let Read::Row(k) = r {
                out.push(k.to_string());
            }
        });
    }

    /// Everything the formula reads, leaf by leaf, left to right.
    fn reads(&self, f: &mut dyn FnMut(Read)) {
        match self {
            Expr::Input(k) => f(Read::Input(k)),
            Expr::Ref(k)
            | Expr::Next(k, _)
            | Expr::SumToEnd(k)
            | Expr::RowMax(k)
            | Expr::RowSum(k) => f(Read::Row(k)),
            Expr::Offset(k, a) | Expr::SumBack(k, a) | Expr::SumAhead(k, a) => {
                f(Read::Row(k));
                a.reads(f);
            }
            Expr::Npv(a, k, b) => {
                a.reads(f);
                f(Read::Row(k));
                b.reads(f);
            }
            Expr::Choose(i, xs) => {
                i.reads(f);
                xs.iter().for_each(|x| x.reads(f));
            }
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Min(a, b)
            | Expr::Max(a, b)
            | Expr::Pow(a, b)
            | Expr::Mod(a, b) => {
                a.reads(f);
                b.reads(f);
            }
            Expr::Int(a) => a.reads(f),
            Expr::If(c, a, b) => {
                c.reads(f);
                a.reads(f);
                b.reads(f);
            }
            Expr::Prev(k, _) => f(Read::Earlier(k)),
            Expr::Deck(n) => f(Read::Deck(n)),
            Expr::Const(_) | Expr::Empty => {}
        }
    }
}

/// One thing a formula reads.
enum Read<'a> {
    /// A named input.
    Input(&'a str),
    /// A row, in this column or a later one.
    Row(&'a str),
    /// A row, in the previous column.
    Earlier(&'a str),
    /// A by-year row.
    Deck(&'a str),
}

impl Cond {
    fn reads(&self, f: &mut dyn FnMut(Read)) {
        match self {
            Cond::Gt(a, b) | Cond::Le(a, b) | Cond::Eq(a, b) => {
                a.reads(f);
                b.reads(f);
            }
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.reads(f)),
            Cond::Not(c) => c.reads(f),
            Cond::InputIs(k, _) | Cond::InputTrue(k) => f(Read::Input(k)),
        }
    }

    fn render(&self, p: &dyn Place) -> String {
        match self {
            Cond::Gt(a, b) => format!("{}>{}", a.render(p), b.render(p)),
            Cond::Le(a, b) => format!("{}<={}", a.render(p), b.render(p)),
            Cond::Eq(a, b) => format!("{}={}", a.render(p), b.render(p)),
            Cond::And(cs) => format!(
                "AND({})",
                cs.iter().map(|c| c.render(p)).collect::<Vec<_>>().join(",")
            ),
            Cond::Or(cs) => format!(
                "OR({})",
                cs.iter().map(|c| c.render(p)).collect::<Vec<_>>().join(",")
            ),
            Cond::Not(c) => format!("NOT({})", c.render(p)),
            Cond::InputIs(k, t) => format!("{}=\"{t}\"", p.input(k)),
            Cond::InputTrue(k) => p.input(k),
        }
    }

    fn words(&self, p: &dyn Place) -> String {
        match self {
            Cond::Gt(a, b) => format!("{} > {}", a.words(p), b.words(p)),
            Cond::Le(a, b) => format!("{} ≤ {}", a.words(p), b.words(p)),
            Cond::Eq(a, b) => format!("{} = {}", a.words(p), b.words(p)),
            Cond::And(cs) => cs
                .iter()
                .map(|c| c.words(p))
                .collect::<Vec<_>>()
                .join(" and "),
            Cond::Or(cs) => format!(
                "({})",
                cs.iter()
                    .map(|c| c.words(p))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Cond::Not(c) => format!("not ({})", c.words(p)),
            Cond::InputIs(k, t) => format!("{} is “{t}”", p.input(k)),
            Cond::InputTrue(k) => format!("{} is yes", p.input(k)),
        }
    }

    fn eval(&self, v: &dyn Values) -> bool {
        match self {
            Cond::Gt(a, b) => a.eval(v) > b.eval(v),
            Cond::Le(a, b) => a.eval(v) <= b.eval(v),
            Cond::Eq(a, b) => a.eval(v) == b.eval(v),
            Cond::And(cs) => cs.iter().all(|c| c.eval(v)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(v)),
            Cond::Not(c) => !c.eval(v),
            Cond::InputIs(k, t) => v.text(k) == *t,
            Cond::InputTrue(k) => v.input(k) > 0.5,
        }
    }
}

/// Row `key` over all its columns, left to right, as a range reference gives them to
/// Excel's MAX and SUM: cells holding the empty text are left out, an error (NaN) stays.
fn whole_row(v: &dyn Values, key: &str) -> Vec<f64> {
    let mut first = 0;
    while v.value(key, first - 1).is_some() {
        first -= 1;
    }
    (first..)
        .map_while(|j| v.value(key, j).map(|x| (j, x)))
        .filter(|&(j, _)| !v.is_empty(key, j))
        .map(|(_, x)| x)
        .collect()
}

/// MIN or MAX of two arguments as Excel computes it: skipped arguments (`None`) are
/// left out, MIN and MAX of nothing are 0, and an error (NaN) in any argument is the
/// result. (Rust's `f64::min` and `max` return the other operand for a NaN instead.)
fn min_max(a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64) -> f64 {
    match (a, b) {
        (None, None) => 0.0,
        (Some(x), None) | (None, Some(x)) => x,
        (Some(x), Some(y)) if x.is_nan() || y.is_nan() => f64::NAN,
        (Some(x), Some(y)) => f(x, y),
    }
}

/// A number as Excel reads it back exactly (Rust's shortest round-trip form).
fn num(x: f64) -> String {
    if x < 0.0 {
        format!("({x})")
    } else {
        format!("{x}")
    }
}

/// Builders, so the rows read like their formulas.
pub mod b {
    use super::{Cond, Expr};

    /// Row `key`, same column.
    pub fn r(key: &str) -> Expr {
        Expr::Ref(key.into())
    }
    /// Row `key`, previous column (0 in the first).
    pub fn prev(key: &str) -> Expr {
        Expr::Prev(key.into(), 0.0)
    }
    /// A named input.
    pub fn input(key: &str) -> Expr {
        Expr::Input(key.into())
    }
    /// A by-year row at the column's year.
    pub fn deck(name: &str) -> Expr {
        Expr::Deck(name.into())
    }
    /// A number.
    pub fn c(x: f64) -> Expr {
        Expr::Const(x)
    }
    /// `a + b`.
    pub fn add(a: Expr, b: Expr) -> Expr {
        Expr::Add(Box::new(a), Box::new(b))
    }
    /// `a − b`.
    pub fn sub(a: Expr, b: Expr) -> Expr {
        Expr::Sub(Box::new(a), Box::new(b))
    }
    /// `a × b`.
    pub fn mul(a: Expr, b: Expr) -> Expr {
        Expr::Mul(Box::new(a), Box::new(b))
    }
    /// `a ÷ b`.
    pub fn div(a: Expr, b: Expr) -> Expr {
        Expr::Div(Box::new(a), Box::new(b))
    }
    /// `MAX(a, b)`.
    pub fn max(a: Expr, b: Expr) -> Expr {
        Expr::Max(Box::new(a), Box::new(b))
    }
    /// `MIN(a, b)`.
    pub fn min(a: Expr, b: Expr) -> Expr {
        Expr::Min(Box::new(a), Box::new(b))
    }
    /// `INT(a)`.
    pub fn int(a: Expr) -> Expr {
        Expr::Int(Box::new(a))
    }
    /// `MOD(a, b)`.
    pub fn modulo(a: Expr, b: Expr) -> Expr {
        Expr::Mod(Box::new(a), Box::new(b))
    }
    /// `IF(c, a, b)`.
    pub fn iff(c: Cond, a: Expr, b: Expr) -> Expr {
        Expr::If(Box::new(c), Box::new(a), Box::new(b))
    }
    /// `POWER(a, b)`.
    pub fn pow(a: Expr, b: Expr) -> Expr {
        Expr::Pow(Box::new(a), Box::new(b))
    }
    /// `IF(c, 1, 0)`: a flag.
    pub fn flag(c: Cond) -> Expr {
        iff(c, Expr::Const(1.0), Expr::Const(0.0))
    }
    /// A product, left to right.
    pub fn product(xs: Vec<Expr>) -> Expr {
        xs.into_iter().reduce(mul).unwrap_or(Expr::Const(1.0))
    }
    /// `±` terms summed left to right (`true`: added).
    pub fn signed(terms: Vec<(bool, Expr)>) -> Expr {
        let mut it = terms.into_iter();
        let Some((s0, e0)) = it.next() else {
            return Expr::Const(0.0);
        };
        let first = if s0 { e0 } else { sub(Expr::Const(0.0), e0) };
        it.fold(
            first,
            |acc, (s, e)| if s { add(acc, e) } else { sub(acc, e) },
        )
    }
    /// Rows summed left to right.
    pub fn sum_of(keys: &[&str]) -> Expr {
        signed(keys.iter().map(|k| (true, r(k))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::b::*;
    use super::*;
    use std::collections::HashMap;

    struct P;
    impl Place for P {
        fn cell(&self, key: &str, offset: i32) -> Option<String> {
            let col = 5 + offset; // column F
            (col >= 4).then(|| format!("{}{}", ["E", "F", "G"][(col - 4) as usize], key))
        }
        fn input(&self, key: &str) -> String {
            key.replace('.', "_")
        }
        fn deck(&self, name: &str) -> String {
            format!("INDEX(Deck_{name},1)")
        }
        fn label(&self, key: &str) -> String {
            key.into()
        }
    }
    struct V(HashMap<&'static str, [f64; 3]>);
    impl Values for V {
        fn value(&self, key: &str, offset: i32) -> Option<f64> {
            self.0
                .get(key)
                .and_then(|v| v.get((1 + offset) as usize))
                .copied()
        }
        fn input(&self, _: &str) -> f64 {
            4.0
        }
        fn deck(&self, _: &str) -> f64 {
            2.0
        }
        fn text(&self, _: &str) -> String {
            "real".into()
        }
    }

    #[test]
    fn renders_with_the_parentheses_the_order_needs() {
        let e = sub(r("1"), sub(r("2"), r("3")));
        assert_eq!(e.render(&P), "F1-(F2-F3)");
        let e = sub(sub(r("1"), r("2")), r("3"));
        assert_eq!(e.render(&P), "F1-F2-F3");
        let e = div(mul(r("1"), input("a.b")), div(c(365.0), c(4.0)));
        assert_eq!(e.render(&P), "F1*a_b/(365/4)");
        let e = mul(add(r("1"), r("2")), deck("usd_index"));
        assert_eq!(e.render(&P), "(F1+F2)*INDEX(Deck_usd_index,1)");
        assert_eq!(add(prev("1"), c(-1.0)).render(&P), "E1+(-1)");
        assert_eq!(
            iff(Cond::Gt(r("1"), c(1e-6)), r("2"), Expr::Empty).render(&P),
            "IF(F1>0.000001,F2,\"\")"
        );
        assert_eq!(
            Expr::Offset("1".into(), Box::new(input("lag"))).render(&P),
            "OFFSET(F1,0,-(lag))"
        );
        assert_eq!(
            Expr::Npv(Box::new(r("2")), "1".into(), Box::new(sub(c(9.0), r("3")))).render(&P),
            "NPV(F2,OFFSET(F1,0,0,1,9-F3))"
        );
    }

    #[test]
    fn evaluates_as_excel_does() {
        let v = V(HashMap::from([
            ("x", [1.0, -7.0, 3.0]),
            ("y", [10.0, 20.0, 30.0]),
        ]));
        // MOD takes the sign of the divisor; INT rounds down.
        assert_eq!(modulo(r("x"), c(4.0)).eval(&v), 1.0);
        assert_eq!(int(div(r("x"), c(4.0))).eval(&v), -2.0);
        // Previous column, and the constant outside the block.
        assert_eq!(prev("y").eval(&v), 10.0);
        assert_eq!(Expr::Prev("z".into(), 5.0).eval(&v), 5.0);
        // OFFSET by an input, and its SUM over this and the columns before.
        assert_eq!(Expr::Offset("y".into(), Box::new(c(1.0))).eval(&v), 10.0);
        assert_eq!(Expr::SumBack("y".into(), Box::new(c(1.0))).eval(&v), 30.0);
        assert_eq!(Expr::SumToEnd("y".into()).eval(&v), 50.0);
        assert!(Expr::Offset("y".into(), Box::new(c(5.0))).eval(&v).is_nan());
        assert_eq!(
            iff(Cond::InputIs("d".into(), "real".into()), deck("i"), c(1.0)).eval(&v),
            2.0
        );
        assert!(Expr::Empty.eval(&v).is_nan());
        // NPV over this column and the next, Excel's convention (the first discounted
        // one period): 20/1.25 + 30/1.25² = 16 + 19.2; past the block it is an error.
        let npv = |n: f64| Expr::Npv(Box::new(c(0.25)), "y".into(), Box::new(c(n)));
        assert!((npv(2.0).eval(&v) - 35.2).abs() < 1e-12);
        assert!(npv(3.0).eval(&v).is_nan());
        assert!(npv(0.0).eval(&v).is_nan());
        // The largest of a whole row, whichever column asks.
        assert_eq!(Expr::RowMax("x".into()).eval(&v), 3.0);
        let mut keys = Vec::new();
        iff(Cond::InputIs("d".into(), "real".into()), input("a"), c(0.0)).inputs(&mut keys);
        assert_eq!(keys, ["d", "a"]);
    }

    /// Values where row `e` holds the empty text in every column and row `err` an error.
    struct W(V);
    impl Values for W {
        fn value(&self, key: &str, offset: i32) -> Option<f64> {
            match key {
                "e" | "err" => (-1..=1).contains(&offset).then_some(f64::NAN),
                _ => self.0.value(key, offset),
            }
        }
        fn input(&self, k: &str) -> f64 {
            self.0.input(k)
        }
        fn deck(&self, n: &str) -> f64 {
            self.0.deck(n)
        }
        fn text(&self, k: &str) -> String {
            self.0.text(k)
        }
        fn is_empty(&self, key: &str, _: i32) -> bool {
            key == "e"
        }
    }

    #[test]
    fn min_and_max_skip_empty_text_and_propagate_errors_as_excel_does() {
        let v = W(V(HashMap::from([("x", [1.0, -7.0, 3.0])])));
        // MIN(E, x) with E holding "": the empty text in a reference is skipped.
        assert_eq!(min(r("e"), r("x")).eval(&v), -7.0);
        assert_eq!(max(prev("e"), r("x")).eval(&v), -7.0);
        // MIN and MAX of nothing but skipped cells are 0.
        assert_eq!(max(r("e"), Expr::Next("e".into(), 9.0)).eval(&v), 0.0);
        // An error in a reference, or a computed empty text ("" + 1), is the result:
        // Rust's f64::min would have returned the other operand.
        assert!(min(r("err"), r("x")).eval(&v).is_nan());
        assert!(max(r("x"), add(r("e"), c(1.0))).eval(&v).is_nan());
        assert_eq!(f64::NAN.min(-7.0), -7.0);
        // Over a whole row: MAX skips the empty text, and an error anywhere is the answer.
        assert_eq!(Expr::RowMax("e".into()).eval(&v), 0.0);
        assert_eq!(Expr::RowSum("e".into()).eval(&v), 0.0);
        assert!(Expr::RowMax("err".into()).eval(&v).is_nan());
        assert!(Expr::RowSum("err".into()).eval(&v).is_nan());
        // A SUM to the end skips the empty text too.
        assert_eq!(Expr::SumToEnd("e".into()).eval(&v), 0.0);
        // Which formulas yield the empty text.
        assert!(iff(Cond::Gt(r("x"), c(0.0)), r("x"), Expr::Empty).yields_empty(&v));
        assert!(!iff(Cond::Gt(c(1.0), c(0.0)), r("x"), Expr::Empty).yields_empty(&v));
    }
}
