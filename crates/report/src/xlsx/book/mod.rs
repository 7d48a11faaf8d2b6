//! The workbook's rows: the quarterly timeline, manto's production (an input block), the
//! Calculations rows (manto's numbers the workbook takes as inputs, then live formulas),
//! the by-year decks, and the named inputs they read. [`evaluate`] computes every live
//! cell in Rust exactly as the formulas do.
//!
//! The rows are built part by part in the order of the finance model, each part in the
//! module named after the finance module whose numbers it re-states (`timeline`,
//! `production`, `sizing`, `capex`, `operating`, `vat`, `financing`, `tax`, `statements`,
//! `metrics`, `waterfall`): a change to `crates/finance/src/tax.rs` is followed in
//! `book/tax.rs`.

mod capex;
mod eval;
mod financing;
mod metrics;
mod operating;
mod production;
mod sizing;
mod statements;
mod tax;
mod timeline;
mod vat;
mod waterfall;

use super::expr::{b::*, Cond, Expr, Values};
use finance::config::ByYear;
use finance::config::FinanceConfig;
use finance::result::{BalanceSheet, FacilityRow, PeriodRow};
use finance::FinanceResult;
use std::collections::HashMap;
use study::ReportStudy;

pub use eval::{circular, evaluate, input_value, unknown_references};

/// A workbook that cannot be built or computed: a bug in the book, never in the user's
/// input (the book is built from a finance result manto computed).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BookError {
    /// Formulas that name a row, input or by-year row the book does not have (Excel would
    /// show `#NAME?` or `#REF!`): each as `row -> what it names`.
    #[error("formulas name what the workbook does not have: {}", .0.join("; "))]
    UnknownReferences(Vec<String>),
    /// The evaluation did not settle within its passes (a spreadsheet's iterative
    /// recalculation would stop on values that depend on the pass count): the rows still
    /// changing.
    #[error("the workbook's recalculation does not settle in {passes} passes: {}", .rows.join(", "))]
    NotConverged {
        /// Passes made.
        passes: usize,
        /// Rows whose values changed in the last pass.
        rows: Vec<String>,
    },
}

/// Pounds per tonne, as manto's revenue uses it.
pub const LB_PER_T: f64 = finance::LB_PER_T;

/// Its key on `Inputs` (a definition, not a scenario input).
const LB_PER_T_KEY: &str = "constant.lb_per_t";

/// The sheet a quarterly row is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sheet {
    /// The timeline.
    Time,
    /// manto's simulated production.
    Production,
    /// The model.
    Calculations,
}

impl Sheet {
    /// Sheet name.
    pub fn name(self) -> &'static str {
        match self {
            Sheet::Time => "Time",
            Sheet::Production => "Production",
            Sheet::Calculations => "Calculations",
        }
    }
}

/// How a row gets its numbers.
#[derive(Clone, Debug)]
pub enum RowKind {
    /// manto's number, with where it comes from.
    Input(Vec<f64>, String),
    /// A live formula, the same in every column.
    Live(Expr),
    /// A heading.
    Heading,
}

/// One quarterly row of the Time, Production or Calculations sheet.
#[derive(Clone, Debug)]
pub struct Row {
    /// Unique key (formulas refer to rows by key).
    pub key: String,
    /// Label shown.
    pub label: String,
    /// Unit shown.
    pub unit: &'static str,
    /// Sheet.
    pub sheet: Sheet,
    /// How it is computed.
    pub kind: RowKind,
    /// manto's own value of a live row, to check the formula against.
    pub manto: Option<Vec<f64>>,
    /// Where manto reports it in `manto run --json` (`quarterly.<field>` or
    /// `balance_sheet.<field>`), for the LibreOffice check.
    pub manto_key: Option<String>,
}

/// One row of the by-year block on `Inputs`: a defined name over the years, one formula
/// per year (each refers to the input it comes from).
#[derive(Clone, Debug)]
pub struct DeckRow {
    /// Name (the defined name is `Deck_<name>`).
    pub name: String,
    /// Label shown.
    pub label: String,
    /// Unit shown.
    pub unit: &'static str,
    /// Where it comes from, in words.
    pub how: String,
    /// Its formula, the same in every year (it reads the column's year where it must).
    pub cell: Expr,
}

/// Everything the workbook's live part is made of.
#[derive(Clone, Debug)]
pub struct Book {
    /// Number of quarters.
    pub n: usize,
    /// The quarterly rows, Time then Production then Calculations.
    pub rows: Vec<Row>,
    /// Calendar years of the by-year block.
    pub years: Vec<i32>,
    /// The by-year rows.
    pub decks: Vec<DeckRow>,
    /// Inputs by key: the finance inputs as flattened, and manto's scalar outputs the
    /// formulas read.
    pub inputs: HashMap<String, serde_json::Value>,
    /// manto's scalar outputs the formulas read (key, value, where it comes from), listed
    /// on `Inputs` after the scenario's inputs.
    pub outputs: Vec<(String, f64, String)>,
}

fn input_row(key: &str, label: &str, unit: &'static str, v: Vec<f64>, src: &str) -> Row {
    Row {
        key: key.into(),
        label: label.into(),
        unit,
        sheet: Sheet::Calculations,
        kind: RowKind::Input(v, src.into()),
        manto: None,
        manto_key: None,
    }
}

fn live(key: &str, label: &str, unit: &'static str, e: Expr, manto: Option<Vec<f64>>) -> Row {
    Row {
        key: key.into(),
        label: label.into(),
        unit,
        sheet: Sheet::Calculations,
        kind: RowKind::Live(e),
        manto,
        manto_key: None,
    }
}

/// A balance as a corkscrew: `{label}: opening` = the previous closing; `{label}: closing`
/// = opening + additions − reductions, checked against manto's balance.
fn corkscrew(
    rows: &mut Vec<Row>,
    (open, close): (&str, &str),
    label: &str,
    how: &str,
    (add, red): (&str, &str),
    manto: Vec<f64>,
    json: &str,
) {
    rows.push(live(
        open,
        &format!("{label}: opening"),
        "US$",
        prev(close),
        None,
    ));
    rows.push(
        live(
            close,
            &format!("{label}: closing{how}"),
            "US$",
            signed(vec![(true, r(open)), (true, r(add)), (false, r(red))]),
            Some(manto),
        )
        .json(json),
    );
}

fn heading(label: &str) -> Row {
    Row {
        key: format!("h:{label}"),
        label: label.into(),
        unit: "",
        sheet: Sheet::Calculations,
        kind: RowKind::Heading,
        manto: None,
        manto_key: None,
    }
}

trait Keyed {
    fn on(self, sheet: Sheet) -> Self;
    fn json(self, key: &str) -> Self;
}

impl Keyed for Row {
    fn on(mut self, sheet: Sheet) -> Row {
        self.sheet = sheet;
        self
    }
    fn json(mut self, key: &str) -> Row {
        self.manto_key = Some(key.into());
        self
    }
}

/// The input key of the operating quarters of manto's production schedule (a simulation
/// output, not a scenario input).
pub const OPERATING_QUARTERS: &str = "simulation_output.operating_quarters";

/// The product keys: (finance key, short name, label, production row).
const PRODUCTS: [(&str, &str, &str, &str); 4] = [
    ("cu_cathode", "cu", "copper cathode", "prod_cu"),
    ("co_cathode", "co", "cobalt cathode", "prod_co"),
    ("znso4", "znso4", "zinc sulphate", "prod_znso4"),
    ("mnco3", "mnco3", "manganese carbonate", "prod_mnco3"),
];

fn fin(key: &str) -> Expr {
    input(&format!("finance.{key}"))
}

/// The formula of a [`ByYear`] input in a column of the by-year block: the value of the
/// last range that starts at or before the column's year (the first range before them
/// all), as manto's `ByYear::at`.
fn by_year_cell(key: &str, v: &ByYear) -> Expr {
    match v {
        ByYear::Flat(_) => fin(key),
        ByYear::Steps(steps) => {
            let value = |k: usize| fin(&format!("{key}[{k}].value"));
            (1..steps.len()).fold(value(0), |rest, k| {
                iff(
                    Cond::Le(fin(&format!("{key}[{k}].from_year")), r("year")),
                    value(k),
                    rest,
                )
            })
        }
    }
}

/// The by-year block.
fn decks(st: &ReportStudy) -> Vec<DeckRow> {
    let cfg = &st.finance;
    let mut out = Vec::new();
    let mut by_year = |name: &str, label: &str, unit: &'static str, key: &str, v: &ByYear| {
        out.push(DeckRow {
            name: name.into(),
            label: label.into(),
            unit,
            how: format!("input `finance.{key}` of the year"),
            cell: by_year_cell(key, v),
        });
    };
    by_year(
        "usd_inflation_pct",
        "USD inflation",
        "%",
        "escalation.usd_inflation_pct",
        &cfg.escalation.usd_inflation_pct,
    );
    by_year(
        "mxn_inflation_pct",
        "MXN inflation",
        "%",
        "escalation.mxn_inflation_pct",
        &cfg.escalation.mxn_inflation_pct,
    );
    by_year(
        "mxn_per_usd",
        "exchange rate",
        "MXN/US$",
        "opex.mxn_per_usd",
        &cfg.opex.mxn_per_usd,
    );
    by_year("ptu_pct", "PTU rate", "%", "tax.ptu_pct", &cfg.tax.ptu_pct);
    by_year(
        "income_tax_pct",
        "income tax (ISR) rate",
        "%",
        "tax.income_tax_pct",
        &cfg.tax.income_tax_pct,
    );
    by_year(
        "ietu_pct",
        "IETU rate",
        "%",
        "tax.ietu_pct",
        &cfg.tax.ietu_pct,
    );
    by_year(
        "mining_duty_pct",
        "special mining duty rate",
        "%",
        "tax.mining_duty_pct",
        &cfg.tax.mining_duty_pct,
    );
    for (i, fc) in cfg.facilities.iter().enumerate() {
        if fc.is_debt() {
            by_year(
                &format!("fac{i}_base_rate_pct"),
                &format!("{}: base rate", fc.name),
                "%",
                &format!("facilities[{i}].base_rate_pct"),
                &fc.base_rate_pct,
            );
        }
    }
    out.push(DeckRow {
        name: "vat_rate_pct".into(),
        label: "IVA rate of the region".into(),
        unit: "%",
        how: "input `finance.vat.border_rate_pct` of the year in the border region, else `finance.vat.general_rate_pct`".into(),
        cell: iff(
            Cond::InputIs("finance.vat.region".into(), "border".into()),
            by_year_cell("vat.border_rate_pct", &cfg.vat.border_rate_pct),
            by_year_cell("vat.general_rate_pct", &cfg.vat.general_rate_pct),
        ),
    });
    // Escalation indices: 1 in the base year, compounded forward and discounted back.
    for (cur, label) in [
        ("usd", "USD escalation index"),
        ("mxn", "MXN escalation index"),
    ] {
        let idx = format!("{cur}_index");
        let infl = format!("{cur}_inflation_pct");
        let cell = iff(
            Cond::InputIs("finance.escalation.decks".into(), "real".into()),
            iff(
                Cond::Eq(r("year"), fin("escalation.base_year")),
                c(1.0),
                iff(
                    Cond::Gt(r("year"), fin("escalation.base_year")),
                    mul(
                        Expr::Prev(idx.clone(), 1.0),
                        add(c(1.0), div(r(&infl), c(100.0))),
                    ),
                    div(
                        Expr::Next(idx.clone(), 1.0),
                        add(c(1.0), div(Expr::Next(infl.clone(), 0.0), c(100.0))),
                    ),
                ),
            ),
            c(1.0),
        );
        out.push(DeckRow {
            name: idx,
            label: label.into(),
            unit: "x",
            how: "live: 1 with nominal decks; real: Π (1 + inflation ÷ 100) from the base year"
                .into(),
            cell,
        });
    }
    // The USD inflation index whatever the decks: the deflator of a real valuation.
    let name = "usd_inflation_index".to_string();
    let cell = iff(
        Cond::Eq(r("year"), fin("escalation.base_year")),
        c(1.0),
        iff(
            Cond::Gt(r("year"), fin("escalation.base_year")),
            mul(
                Expr::Prev(name.clone(), 1.0),
                add(c(1.0), div(r("usd_inflation_pct"), c(100.0))),
            ),
            div(
                Expr::Next(name.clone(), 1.0),
                add(
                    c(1.0),
                    div(Expr::Next("usd_inflation_pct".into(), 0.0), c(100.0)),
                ),
            ),
        ),
    );
    out.push(DeckRow {
        name,
        label: "USD inflation index (the real valuation's deflator)".into(),
        unit: "x",
        how: "live: Π (1 + USD inflation ÷ 100) from the base year, whatever the decks".into(),
        cell,
    });
    for (key, short, label, _) in PRODUCTS {
        let p = match key {
            "cu_cathode" => &cfg.revenue.cu_cathode,
            "co_cathode" => &cfg.revenue.co_cathode,
            "znso4" => &cfg.revenue.znso4,
            _ => &cfg.revenue.mnco3,
        };
        let (cell, how) = match (&p.price_usd_per_lb, &p.price_usd_per_t) {
            (Some(lb), _) => (
                mul(
                    by_year_cell(&format!("revenue.{key}.price_usd_per_lb"), lb),
                    input(LB_PER_T_KEY),
                ),
                format!("input `finance.revenue.{key}.price_usd_per_lb` × {LB_PER_T} lb/t"),
            ),
            (None, Some(t)) => (
                by_year_cell(&format!("revenue.{key}.price_usd_per_t"), t),
                format!("input `finance.revenue.{key}.price_usd_per_t`"),
            ),
            (None, None) => (c(0.0), "no price: 0".into()),
        };
        out.push(DeckRow {
            name: format!("price_{short}_usd_per_t"),
            label: format!("price, {label}"),
            unit: "US$/t",
            how,
            cell,
        });
    }
    out
}

/// The calendar years of the by-year block: the timeline's, and the escalation base year.
fn deck_years(f: &FinanceResult, base: i32) -> Vec<i32> {
    let lo = f.quarterly.first().map_or(base, |p| p.year).min(base);
    let hi = f.quarterly.last().map_or(base, |p| p.year).max(base);
    (lo..=hi + SPARE_YEARS).collect()
}

/// Years of the by-year block past the timeline's last: a start moved later in Excel still
/// finds its prices, rates and indices.
const SPARE_YEARS: i32 = 3;

/// What every part of the book reads: the study, manto's result and the finance inputs.
#[derive(Clone, Copy)]
struct Src<'a> {
    st: &'a ReportStudy,
    f: &'a FinanceResult,
    cfg: &'a FinanceConfig,
}

/// The debt facilities' closing-balance rows and indices (set by [`financing::facilities`]).
#[derive(Default)]
struct Debt {
    /// The closing-balance row of each debt facility.
    keys: Vec<String>,
    /// The debt facilities.
    all: Vec<usize>,
    /// The senior ones among them.
    senior: Vec<usize>,
    /// The subordinated ones.
    subs: Vec<usize>,
}

/// The book as it is built, part by part, in the order of its rows.
struct Ctx<'a> {
    src: Src<'a>,
    rows: Vec<Row>,
    /// manto's outputs the formulas read as inputs: (key, value, where it comes from).
    outputs: Vec<(String, f64, String)>,
    /// The tax depreciation classes of the capital (name, index in the inputs).
    classes: Vec<(String, Option<usize>)>,
    debt: Debt,
}

/// A facility sized by manto (its fixed repayment profile and signed amount).
fn sized<'a>(
    f: &'a FinanceResult,
    cfg: &FinanceConfig,
    i: usize,
) -> Option<&'a finance::sizing::SizedFacility> {
    f.debt_sizing
        .facilities
        .iter()
        .find(|s| s.index == i && cfg.facilities.get(i).is_some_and(|x| x.name == s.name))
}

/// Whether facility `i` is equity.
fn is_equity(f: &FinanceResult, i: usize) -> bool {
    f.facilities.get(i).is_some_and(|x| x.kind == "equity")
}

/// A row of each of these facilities, summed (`fac{i}_{what}`).
fn fac_sum(idx: &[usize], what: &str) -> Expr {
    signed(
        idx.iter()
            .map(|i| (true, r(&format!("fac{i}_{what}"))))
            .collect(),
    )
}

/// Where manto's quarterly waterfall numbers come from.
const WF: &str = "manto finance: quarterly waterfall";

/// The type of a getter of a quarterly number.
type Get = fn(&PeriodRow) -> f64;

/// The workbook's rows for a report study, built part by part in the order of the
/// finance model (each part in the module named after its finance module).
///
/// Every reference of every formula is checked here: a formula naming a row, input or
/// by-year row the book does not have is refused ([`BookError::UnknownReferences`]).
pub fn book(st: &ReportStudy) -> Result<Book, BookError> {
    let f = &st.run.finance;
    let cfg = &st.finance;
    let n = f.quarterly.len();
    // manto's outputs the formulas read as inputs: (key, value, where it comes from).
    let outputs: Vec<(String, f64, String)> = vec![
        (
            OPERATING_QUARTERS.into(),
            st.production.len() as f64,
            "manto simulation output: quarters of the production schedule (not a scenario input)"
                .into(),
        ),
        (
            LB_PER_T_KEY.into(),
            LB_PER_T,
            "definition: pounds in a tonne, 1 lb = 0.45359237 kg (not a scenario input)".into(),
        ),
    ];
    // Tax depreciation, class by class (live below): manto's capital additions by class
    // are inputs; the capitalised financing costs are the live row.
    let classes: Vec<(String, Option<usize>)> = f
        .corkscrews
        .iter()
        .filter_map(|c| c.name.strip_prefix("tax_wdv:"))
        .filter(|name| *name != "financing_costs")
        .map(|name| {
            let k = cfg
                .tax
                .depreciation_classes
                .iter()
                .position(|x| x.name == name);
            (name.to_string(), k)
        })
        .collect();
    let mut cx = Ctx {
        src: Src { st, f, cfg },
        rows: Vec::new(),
        outputs,
        classes,
        debt: Debt::default(),
    };
    timeline::time(&mut cx);
    production::production(&mut cx);
    sizing::sized_profiles(&mut cx);
    capex::capital(&mut cx);
    operating::revenue(&mut cx);
    operating::opex(&mut cx);
    operating::ebitda(&mut cx);
    tax::mining_duty(&mut cx);
    operating::working_capital(&mut cx);
    vat::vat(&mut cx);
    financing::facilities(&mut cx);
    tax::income_tax(&mut cx);
    statements::cash_flows(&mut cx);
    statements::income_statement(&mut cx);
    metrics::debt_service(&mut cx);
    tax::depreciation(&mut cx);
    financing::sources_and_uses(&mut cx);
    waterfall::waterfall(&mut cx);
    metrics::cover(&mut cx);
    statements::balance_sheet(&mut cx);
    let Ctx { rows, outputs, .. } = cx;
    // ---- inputs ----------------------------------------------------------------------------
    let mut flat = Vec::new();
    super::flatten(
        "finance",
        &serde_json::to_value(cfg).unwrap_or_default(),
        &mut flat,
    );
    let mut inputs: HashMap<String, serde_json::Value> = flat.into_iter().collect();
    for (k, v, _) in &outputs {
        inputs.insert(k.clone(), serde_json::Value::from(*v));
    }
    let years = deck_years(f, cfg.escalation.base_year);
    let b = Book {
        n,
        rows,
        decks: decks(st),
        years,
        inputs,
        outputs,
    };
    let unknown = unknown_references(&b);
    if unknown.is_empty() {
        Ok(b)
    } else {
        Err(BookError::UnknownReferences(unknown))
    }
}
