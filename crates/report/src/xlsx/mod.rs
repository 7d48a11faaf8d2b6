//! The Excel workbook (`manto report --xlsx`), laid out as a FAST-standard model book:
//!
//! | sheet | what |
//! |---|---|
//! | `Cover` | what the workbook is, colour code, which rows are live formulas |
//! | `Inputs` | every scenario input (key, value, unit, source), a defined name for each one a formula reads; below, the by-year block (prices, rates, escalation indices) |
//! | `Time` | quarterly timeline as formulas of the timing inputs: period, calendar year, quarter, phase flags |
//! | `Production` | manto's simulated production and cost drivers by quarter, an input block |
//! | `Calculations` | manto's numbers the workbook takes as given (the sized repayment profile and the DSRA target: a labelled input block), then the live rows (capital, revenue, costs, taxes, the sources and uses of construction, the operating waterfall, cover ratios and the balance sheet): one formula per row, the same in every column |
//! | `Outputs` | annual roll-up (SUMIF over `Time`), NPV and IRR, min DSCR, LLCR and PLCR, DSCR, LLCR, PLCR and balance check by quarter, checks against manto, native charts |
//! | `Risk` | only with a risk study (`render_with_risk`): manto's Monte Carlo output as values (statistics, probabilities, tornado, sensitivity, fan, convergence, histogram and S-curve with native charts); see [`risk`] |
//!
//! The rows are [`book`]: each live row is an [`expr::Expr`] that renders to one Excel
//! formula per row and that [`evaluate`] computes in Rust exactly as Excel does, so a unit
//! test ties every live row to manto's own number and `scripts/check-reports.sh` ties
//! LibreOffice's recalculation to manto.

mod book;
pub mod expr;
pub mod risk;

pub use book::{
    book, circular, evaluate, input_value, unknown_references, Book, BookError, DeckRow, Row,
    RowKind, Sheet,
};

use crate::export::ExportError;
use expr::Place;
use rust_xlsxwriter::utility::{column_number_to_name, row_col_to_cell};
use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};
use std::collections::HashMap;
use study::risk::RiskResult;
use study::ReportStudy;

/// First column holding a period (A label, B unit, C how, D manto's JSON key, E the start
/// column).
const FIRST: u16 = 5;
/// First row of data on the time-based sheets (rows 0-2: title, period label, header).
const TOP: u32 = 3;

/// The defined name of an input key (`finance.revenue.royalty_nsr_pct` →
/// `revenue_royalty_nsr_pct`; `…[0].value` → `…_0_value`).
pub fn input_name(key: &str) -> String {
    let k = key.strip_prefix("finance.").unwrap_or(key);
    k.replace('[', "_").replace(']', "").replace('.', "_")
}

/// A formula with its value stored beside it (the value the workbook computes, so a viewer
/// that does not recalculate shows the numbers; Excel and LibreOffice recalculate anyway).
fn live(formula: &str, value: f64) -> Formula {
    let shown = if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    };
    Formula::new(formula).set_result(shown)
}

/// A quarterly sheet's column, for rendering formulas.
struct QPlace<'a> {
    sheet: Sheet,
    col: u16,
    last: u16,
    at: &'a HashMap<String, (Sheet, u32)>,
    labels: &'a HashMap<String, String>,
}

impl Place for QPlace<'_> {
    fn cell(&self, key: &str, offset: i32) -> Option<String> {
        let (s, row) = *self.at.get(key)?;
        let c = i32::from(self.col) + offset;
        // The blank columns either side of the timeline (the start column before the first
        // quarter, the one after the last) read 0: the first and last quarters have the
        // same formula as every other.
        if c < i32::from(FIRST) - 1 || c > i32::from(self.last) + 1 {
            return None;
        }
        let cell = row_col_to_cell(row, c as u16);
        Some(if s == self.sheet {
            cell
        } else {
            format!("{}!{cell}", s.name())
        })
    }
    fn input(&self, key: &str) -> String {
        input_name(key)
    }
    fn range_to_end(&self, key: &str) -> Option<String> {
        // `Production!F4:$AZ$4`: the sheet prefix of the first cell covers the range.
        let (_, row) = *self.at.get(key)?;
        let from = self.cell(key, 0)?;
        Some(format!(
            "{from}:${}${}",
            column_number_to_name(self.last),
            row + 1
        ))
    }
    fn range_all(&self, key: &str) -> Option<String> {
        let (s, row) = *self.at.get(key)?;
        let range = format!(
            "${}${}:${}${}",
            column_number_to_name(FIRST),
            row + 1,
            column_number_to_name(self.last),
            row + 1
        );
        Some(if s == self.sheet {
            range
        } else {
            format!("{}!{range}", s.name())
        })
    }
    fn deck(&self, name: &str) -> String {
        let y = self.cell("year", 0).unwrap_or_else(|| "NA()".into());
        format!("INDEX(Deck_{name},MATCH({y},Deck_year,0))")
    }
    fn label(&self, key: &str) -> String {
        let l = self.labels.get(key).cloned().unwrap_or_else(|| key.into());
        match self.at.get(key) {
            Some((s, _)) if *s != self.sheet => format!("{l} ({})", s.name()),
            _ => l,
        }
    }
}

/// A column of the by-year block on `Inputs`.
struct DPlace<'a> {
    col: u16,
    last: u16,
    row_of: &'a HashMap<String, u32>,
    labels: &'a HashMap<String, String>,
}

impl Place for DPlace<'_> {
    fn cell(&self, key: &str, offset: i32) -> Option<String> {
        let row = *self.row_of.get(key)?;
        let c = i32::from(self.col) + offset;
        if c < i32::from(FIRST) || c > i32::from(self.last) {
            return None;
        }
        Some(row_col_to_cell(row, c as u16))
    }
    fn input(&self, key: &str) -> String {
        input_name(key)
    }
    fn deck(&self, _: &str) -> String {
        "NA()".into()
    }
    fn column_word(&self) -> &'static str {
        "year"
    }
    fn label(&self, key: &str) -> String {
        self.labels.get(key).cloned().unwrap_or_else(|| key.into())
    }
}

struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    input_usd: Format,
    input_num: Format,
    live_usd: Format,
    live_num: Format,
    ratio: Format,
    text: Format,
    note: Format,
    input_text: Format,
    /// manto's own number shown beside the workbook's, for the check (not an input).
    manto: Format,
    /// An input no formula reads (the simulation's, the sizing's, the book's structure).
    unread: Format,
    /// A live whole number: a period, a year, a flag, a count.
    live_int: Format,
    /// A live tonnage, thousands separated.
    live_t: Format,
    /// A check figure: a relative difference, as a percentage.
    check: Format,
    /// manto's US$ beside the workbook's.
    manto_usd: Format,
    /// manto's ratio beside the workbook's.
    manto_ratio: Format,
}

/// Number format of a live number that is not money, a ratio or a whole number: thousands
/// separated, up to four decimals (never Excel's General, which shows a tiny difference in
/// E-13 notation).
const NUM: &str = "#,##0.0###;[Red]-#,##0.0###";

/// The number format of a live row by its unit.
fn live_format<'a>(fm: &'a Formats, unit: &str) -> &'a Format {
    match unit {
        "US$" => &fm.live_usd,
        "x" => &fm.ratio,
        "#" | "year" | "0/1" | "quarters" | "quarter" => &fm.live_int,
        "t" | "dry t" | "wet t" => &fm.live_t,
        _ => &fm.live_num,
    }
}

fn formats() -> Formats {
    let input_fill = Color::RGB(0xFFF2CC);
    let input_font = Color::RGB(0x0000FF);
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        bold: Format::new().set_bold(),
        header: Format::new()
            .set_bold()
            .set_border_bottom(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xD9E1F2)),
        input_usd: Format::new()
            .set_num_format("#,##0;[Red]-#,##0")
            .set_font_color(input_font)
            .set_background_color(input_fill),
        input_num: Format::new()
            .set_num_format("General")
            .set_font_color(input_font)
            .set_background_color(input_fill),
        input_text: Format::new()
            .set_font_color(input_font)
            .set_background_color(input_fill),
        live_usd: Format::new().set_num_format("#,##0;[Red]-#,##0"),
        live_num: Format::new().set_num_format(NUM),
        live_int: Format::new().set_num_format("0"),
        live_t: Format::new().set_num_format("#,##0;[Red]-#,##0"),
        check: Format::new()
            .set_num_format("0.0000%")
            .set_italic()
            .set_font_color(Color::RGB(0x555555)),
        ratio: Format::new().set_num_format("0.000"),
        text: Format::new(),
        note: Format::new()
            .set_italic()
            .set_font_color(Color::RGB(0x555555)),
        manto: Format::new()
            .set_num_format(NUM)
            .set_italic()
            .set_font_color(Color::RGB(0x7030A0)),
        manto_usd: Format::new()
            .set_num_format("#,##0;[Red]-#,##0")
            .set_italic()
            .set_font_color(Color::RGB(0x7030A0)),
        manto_ratio: Format::new()
            .set_num_format("0.000")
            .set_italic()
            .set_font_color(Color::RGB(0x7030A0)),
        unread: Format::new().set_font_color(Color::RGB(0x808080)),
    }
}

fn xe(e: XlsxError) -> ExportError {
    ExportError::Report(format!("workbook: {e}"))
}

/// Quarter columns' header rows (title, period label) on a time-based sheet.
fn time_header(
    ws: &mut Worksheet,
    f: &Formats,
    title: &str,
    labels: &[String],
    (year_row, quarter_row): (u32, u32),
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, title, &f.title)?;
    ws.write_string_with_format(2, 0, "line", &f.header)?;
    ws.write_string_with_format(2, 1, "unit", &f.header)?;
    ws.write_string_with_format(2, 2, "how", &f.header)?;
    ws.write_string_with_format(2, 3, "manto JSON", &f.header)?;
    ws.write_string_with_format(2, FIRST - 1, "start", &f.header)?;
    ws.write_string_with_format(2, FIRST + labels.len() as u16, "after", &f.header)?;
    quarter_labels(ws, f, 2, labels, (year_row, quarter_row))?;
    ws.set_column_width(0, 52)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 40)?;
    ws.set_column_width(3, 12)?;
    ws.set_column_width(FIRST - 1, 6)?;
    ws.set_column_width(FIRST + labels.len() as u16, 6)?;
    for t in 0..labels.len() {
        ws.set_column_width(FIRST + t as u16, 13)?;
    }
    ws.set_freeze_panes(TOP, FIRST)?;
    Ok(())
}

/// The quarter labels of a header row (`2010Q3`): live from Time's calendar year and quarter.
fn quarter_labels(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    labels: &[String],
    (year_row, quarter_row): (u32, u32),
) -> Result<(), XlsxError> {
    for (t, l) in labels.iter().enumerate() {
        let c = FIRST + t as u16;
        let formula = format!(
            "=Time!{}&\"Q\"&Time!{}",
            row_col_to_cell(year_row, c),
            row_col_to_cell(quarter_row, c)
        );
        ws.write_formula_with_format(row, c, Formula::new(formula).set_result(l), &f.header)?;
    }
    Ok(())
}

/// One row of the annual block on Outputs: its label, unit and how, then year by year
/// (column `FIRST + k`) the formula and the value it stores.
fn year_row(
    ws: &mut Worksheet,
    row: u32,
    (label, unit, how): (&str, &str, &str),
    cells: impl Iterator<Item = (String, f64)>,
    fmt: &Format,
) -> Result<(), XlsxError> {
    ws.write_string(row, 0, label)?;
    ws.write_string(row, 1, unit)?;
    ws.write_string(row, 2, how)?;
    for (k, (formula, value)) in cells.enumerate() {
        ws.write_formula_with_format(row, FIRST + k as u16, live(&formula, value), fmt)?;
    }
    Ok(())
}

/// Renders the workbook.
pub fn render(r: &ReportStudy) -> Result<Vec<u8>, ExportError> {
    render_with_risk(r, None)
}

/// Renders the workbook, with a `Risk` sheet after `Outputs` when the report ran a risk
/// study.
pub fn render_with_risk(
    r: &ReportStudy,
    risk: Option<&RiskResult>,
) -> Result<Vec<u8>, ExportError> {
    let book_error = |e: BookError| ExportError::Report(format!("workbook: {e}"));
    let bk = book(r).map_err(book_error)?;
    let vals = evaluate(&bk).map_err(book_error)?;
    build(r, risk, &bk, &vals).map_err(xe)
}

fn build(
    r: &ReportStudy,
    risk: Option<&RiskResult>,
    bk: &Book,
    vals: &HashMap<String, Vec<f64>>,
) -> Result<Vec<u8>, XlsxError> {
    let f = &r.run.finance;
    let fm = formats();
    let q = &f.quarterly;
    let n = q.len();
    let labels: Vec<String> = q.iter().map(|p| p.label.clone()).collect();
    let last_col = FIRST + n as u16 - 1;
    let mut wb = Workbook::new();
    // Fixed creation date: the same scenario and seed give the same bytes.
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("manto model book: {}", r.run.scenario))
            .set_creation_datetime(&epoch),
    );

    // ---- Cover -----------------------------------------------------------------
    let cover = wb.add_worksheet().set_name("Cover")?;
    cover.set_column_width(0, 120)?;
    let lines = [
        format!("manto model book: {}", r.run.scenario),
        r.description.clone(),
        format!(
            "Seed {}; finance valued on {} production; {} quarters from {} to {}.",
            r.run.section.seed,
            r.run.production_source,
            n,
            labels.first().cloned().unwrap_or_default(),
            labels.last().cloned().unwrap_or_default()
        ),
        String::new(),
        "Sheets: Inputs (every scenario input, mine and finance, with its unit and source; a defined name for each input a formula reads; below, the by-year block".into(),
        "of prices, exchange rate, IVA and duty rates, base rates and escalation indices) | Time (quarterly timeline, live) | Production (manto's simulation output:".into(),
        "tonnes and cost drivers, an input block) | Calculations (manto's flows taken as given, then live formulas) | Outputs (annual roll-up, NPV, IRR, DSCR,".into(),
        "balance check, checks against manto, charts) | Risk (only when the scenario has a risk study: manto's Monte Carlo output as values, not formulas, with charts).".into(),
        String::new(),
        "Colour code: blue on yellow = input read by the formulas (a scenario input, or one of the two numbers manto computed that this workbook takes as".into(),
        "given); grey on Inputs = an input no formula reads (the simulation's, the sizing's, the structure's); black = live formula; purple italic = manto's own".into(),
        "number beside the workbook's, for the check. The key results and the model check above are linked to Outputs.".into(),
        String::new(),
        "Live formulas (one per row, the same in every column; in the first and last period a reference to the quarter before or after reads its start value):".into(),
        "- the timeline: period, calendar year, quarter, phase flags from the timing inputs and the number of quarters of manto's production schedule; the".into(),
        "  by-year block (prices, exchange rate, IVA and duty rates, base rates, escalation and inflation indices) from the inputs above it;".into(),
        "- capital: each area's direct cost on its phases' spend profiles (uniform, S-curve or explicit weights) or its own, contingency, owner's costs,".into(),
        "  overrun, the leased share, sustaining capital, closure cost, escalation and the additions by tax class;".into(),
        "- revenue by product (tonnes × price of the year × escalation × payable), refining, freight, insurance, royalty; every operating-cost line from its".into(),
        "  driver (the MXN share re-priced at the year's exchange rate); EBITDA after closure cost; the special mining duty; working capital; IVA paid,".into(),
        "  refunded after the lag, the IVA receivable and the IVA facility;".into(),
        "- the sources and uses of construction quarter by quarter: uses (capital, the DSRA funded at completion, IVA net, financing costs), the lease for".into(),
        "  the leased equipment, equity first, the lenders pro rata by commitment within headroom, the cost overrun facility and contingent equity once".into(),
        "  capital runs over budget, interest capitalised within headroom, commitment and upfront fees, a funding shortfall;".into(),
        "- each debt facility's corkscrew and interest ((base rate + margin) ÷ 4 on the opening balance), its repayment window and final maturity, its".into(),
        "  scheduled principal (the fixed profile of a sized loan × its balance at COD, equal instalments, or level debt service; all of it at maturity);".into(),
        "- tax depreciation by class (additions in service from the next quarter and COD at the class rate ÷ 4 of cost, the rest written off at the end of".into(),
        "  operations) as corkscrews; the taxes, levered and without financing: PTU, ISR less tax losses (a FIFO pool expiring after its term), IETU after".into(),
        "  its credits where above ISR, tax paid (as computed or by provisional payments with the true-up) and payable;".into(),
        "- CFADS, senior debt service, DSCR; the operating waterfall from COD in manto's order (maintenance reserve, DSRA or its letter of credit, sponsor".into(),
        "  support before completion with the lenders' completion test, deferral of debt service cash cannot meet, reserves to their targets, subordinated".into(),
        "  debt service, funding shortfall, covenant DSCR and lock-up, cash sweep, closure reserve, distributions); LLCR and PLCR;".into(),
        "- book depreciation (units of production), net income; the corkscrews of equity, cash, DSRA, letter of credit, maintenance reserve, fixed assets".into(),
        "  and retained earnings; the balance sheet and its check; on Outputs the annual roll-up, NPV before tax, after tax and to equity, the three IRRs,".into(),
        "  the minimum DSCR, LLCR and PLCR.".into(),
        "Not live (manto's numbers, labelled inputs, and why): the debt sizing (each sized loan's signed amount and its repayment profile, sculpted on the".into(),
        "banking case: the signed loan a bank model holds) and the DSRA target (the next quarters' senior debt service of manto's planning pass: the".into(),
        "reserve's circularity, which a spreadsheet breaks by pasting the target, as here). The columns are the timeline manto built: changing the".into(),
        "construction length or the start date moves flags and labels, not the production placed in the columns, and adds no columns.".into(),
        "What follows: change a price, a cost, a rate, a tonnage, a capital cost or a financing term and everything above recalculates with the signed debt".into(),
        "held, as a bank case does, and the balance sheet balances. Every price 10% lower gives manto's bank case price_-10, every operating unit cost 10%".into(),
        "higher its opex_+10, the capital 10% higher its capex_+10 (the equity return then differs by the DSRA target held), the metal on Production".into(),
        "(named rows Row_prod_cu, ...) 10% lower its production_-10.".into(),
        "Checked: scripts/check-reports.sh recalculates this workbook in LibreOffice and compares every live row manto reports (column D names its JSON key),".into(),
        "NPV, IRR, every quarter's DSCR and balance check with manto within 1e-6 relative.".into(),
    ];
    // The title and description now; the key results below them and then the rest of
    // these lines are written at the end, once Outputs has the key results' cells.
    cover.write_string_with_format(0, 0, &lines[0], &fm.title)?;
    cover.write_string_with_format(1, 0, &lines[1], &fm.text)?;

    // ---- Inputs ----------------------------------------------------------------
    let mut names: Vec<(String, String)> = Vec::new();
    let mut rate_cells: Vec<(f64, String)> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for row in &bk.rows {
        if let RowKind::Live(e) = &row.kind {
            e.inputs(&mut used);
        }
    }
    for d in &bk.decks {
        d.cell.inputs(&mut used);
    }
    used.push("finance.metrics.npv_timing".into());
    used.push("finance.escalation.base_year".into());
    used.push("finance.timing.start_year".into());
    used.push("finance.metrics.npv_basis".into());
    used.sort();
    used.dedup();
    {
        let ws = wb.add_worksheet().set_name("Inputs")?;
        ws.write_string_with_format(
            0,
            0,
            "Every input of the scenario (mine and finance), as validated, in the order the formulas first read them (by-year rows, then Calculations from the top), the unread ones last. Blue on yellow: read by the formulas, change them here; grey: not read by this workbook (the mine simulation's inputs, the debt sizing's and the book's structure), change them in the scenario and run manto again",
            &fm.title,
        )?;
        for (c, h) in ["key", "value", "unit", "source"].iter().enumerate() {
            ws.write_string_with_format(2, c as u16, *h, &fm.header)?;
        }
        ws.set_column_width(0, 60)?;
        ws.set_column_width(1, 18)?;
        ws.set_column_width(2, 12)?;
        ws.set_column_width(3, 70)?;
        ws.set_freeze_panes(3, 1)?;
        // Every scenario input, mine then finance; the finance inputs as validated (the
        // same values the model ran on).
        let mut flat = Vec::new();
        if let serde_json::Value::Object(m) = &r.inputs {
            for (k, v) in m {
                if k == "finance" {
                    flatten(
                        "finance",
                        &serde_json::to_value(&r.finance).unwrap_or_default(),
                        &mut flat,
                    );
                } else {
                    flatten(k, v, &mut flat);
                }
            }
        } else {
            flatten(
                "finance",
                &serde_json::to_value(&r.finance).unwrap_or_default(),
                &mut flat,
            );
        }
        let mut list: Vec<(String, serde_json::Value, String)> = flat
            .into_iter()
            .map(|(k, v)| {
                let src = format!("scenario TOML, key `{k}` (its comment cites the source)");
                (k, v, src)
            })
            .collect();
        for (k, v, src) in &bk.outputs {
            list.push((k.clone(), serde_json::Value::from(*v), src.clone()));
        }
        // What the formulas read first, in the order they first read it (the by-year rows,
        // then the Calculations from the top), then the rest in the scenario's order: a
        // reader follows the inputs down as the calculation uses them.
        let mut first_read: HashMap<String, usize> = HashMap::new();
        {
            let mut seen = Vec::new();
            for d in &bk.decks {
                d.cell.inputs(&mut seen);
            }
            for row in &bk.rows {
                if let RowKind::Live(e) = &row.kind {
                    e.inputs(&mut seen);
                }
            }
            for k in seen {
                let n = first_read.len();
                first_read.entry(k).or_insert(n);
            }
        }
        let rank = |k: &str| match first_read.get(k) {
            Some(&i) => (0, i),
            None if used.binary_search(&k.to_string()).is_ok() => (1, 0),
            None => (2, 0),
        };
        list.sort_by_key(|(k, _, _)| rank(k));
        let mut row = TOP;
        for (key, value, src) in &list {
            ws.write_string(row, 0, key)?;
            let read = used.binary_search(key).is_ok()
                || key.starts_with("finance.metrics.discount_rates_pct[")
                || key == "finance.covenants.min_dscr"
                || key == "finance.covenants.lock_up_dscr";
            let (num_fmt, text_fmt) = if read {
                (&fm.input_num, &fm.input_text)
            } else {
                (&fm.unread, &fm.unread)
            };
            match value {
                serde_json::Value::Number(x) => {
                    ws.write_number_with_format(row, 1, x.as_f64().unwrap_or(0.0), num_fmt)?;
                }
                serde_json::Value::Bool(b) => {
                    ws.write_boolean_with_format(row, 1, *b, num_fmt)?;
                }
                other => {
                    let s = other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_string);
                    ws.write_string_with_format(row, 1, &s, text_fmt)?;
                }
            }
            let unit = match value {
                serde_json::Value::String(_) => "text",
                serde_json::Value::Bool(_) => "yes/no",
                _ => unit_of(key),
            };
            ws.write_string(row, 2, unit)?;
            let cell = format!("Inputs!$B${}", row + 1);
            if used.binary_search(key).is_ok() {
                names.push((input_name(key), cell.clone()));
                ws.write_string(row, 3, format!("{src}; named {}", input_name(key)))?;
            } else if read {
                ws.write_string(row, 3, src)?;
            } else {
                ws.write_string(
                    row,
                    3,
                    format!("{src}; not read by this workbook (manto's simulation, debt sizing or the book's structure)"),
                )?;
            }
            if key == "finance.covenants.min_dscr" {
                names.push(("Covenant_min_DSCR".into(), cell.clone()));
            } else if key == "finance.covenants.lock_up_dscr" {
                names.push(("Covenant_lock_up_DSCR".into(), cell.clone()));
            } else if let Some(idx) = key.strip_prefix("finance.metrics.discount_rates_pct[") {
                let rate = value.as_f64().unwrap_or(0.0);
                let name = format!("Discount_rate_{}", idx.trim_end_matches(']'));
                names.push((name.clone(), cell.clone()));
                rate_cells.push((rate, name));
            }
            row += 1;
        }
        // The by-year block.
        row += 1;
        ws.write_string_with_format(
            row,
            0,
            "By calendar year (live: each year refers to the input above that holds it)",
            &fm.bold,
        )?;
        row += 1;
        let last_year_col = FIRST + bk.years.len() as u16 - 1;
        let mut row_of = HashMap::new();
        let mut dlabels = HashMap::new();
        ws.write_string_with_format(row, 0, "calendar year", &fm.header)?;
        ws.write_string_with_format(row, 1, "Deck_year", &fm.header)?;
        ws.write_string_with_format(row, 2, "year", &fm.header)?;
        ws.write_string_with_format(row, 3, "how", &fm.header)?;
        // Live: the earlier of the escalation base year and the start year, then one more
        // each column (a few years past the timeline, so a later start still finds its
        // prices).
        for (j, y) in bk.years.iter().enumerate() {
            let c = FIRST + j as u16;
            let f = if j == 0 {
                format!(
                    "=MIN({},{})",
                    input_name("finance.escalation.base_year"),
                    input_name("finance.timing.start_year")
                )
            } else {
                format!("={}+1", row_col_to_cell(row, c - 1))
            };
            ws.write_formula_with_format(row, c, live(&f, f64::from(*y)), &fm.header)?;
            ws.set_column_width(c, 12)?;
        }
        row_of.insert("year".to_string(), row);
        dlabels.insert("year".to_string(), "calendar year".to_string());
        let range = |row: u32| {
            format!(
                "=Inputs!${}${}:${}${}",
                column_number_to_name(FIRST),
                row + 1,
                column_number_to_name(last_year_col),
                row + 1
            )
        };
        names.push(("Deck_year".into(), range(row)[1..].to_string()));
        row += 1;
        for d in &bk.decks {
            row_of.insert(d.name.clone(), row);
            dlabels.insert(d.name.clone(), d.label.clone());
            row += 1;
        }
        for d in &bk.decks {
            let xr = row_of[&d.name];
            ws.write_string(xr, 0, &d.label)?;
            ws.write_string(xr, 1, format!("Deck_{}", d.name))?;
            ws.write_string(xr, 2, d.unit)?;
            let p0 = DPlace {
                col: FIRST,
                last: last_year_col,
                row_of: &row_of,
                labels: &dlabels,
            };
            ws.write_string(xr, 3, format!("{}: {}", d.how, d.cell.words(&p0)))?;
            for (j, value) in vals[&format!("Deck_{}", d.name)].iter().enumerate() {
                let p = DPlace {
                    col: FIRST + j as u16,
                    last: last_year_col,
                    row_of: &row_of,
                    labels: &dlabels,
                };
                ws.write_formula_with_format(
                    xr,
                    FIRST + j as u16,
                    live(&format!("={}", d.cell.render(&p)), *value),
                    &fm.live_num,
                )?;
            }
            names.push((format!("Deck_{}", d.name), range(xr)[1..].to_string()));
        }
    }
    for (name, cell) in &names {
        wb.define_name(name, &format!("={cell}"))?;
    }

    // ---- Time, Production, Calculations ------------------------------------------------
    let mut place: HashMap<String, (Sheet, u32)> = HashMap::new();
    let mut rowlabels: HashMap<String, String> = HashMap::new();
    for sheet in [Sheet::Time, Sheet::Production, Sheet::Calculations] {
        for (i, row) in bk.rows.iter().filter(|x| x.sheet == sheet).enumerate() {
            place.insert(row.key.clone(), (sheet, TOP + i as u32));
            rowlabels.insert(row.key.clone(), row.label.clone());
        }
    }
    // Every input row of Production and Calculations is a named range, `Row_<key>`.
    let mut row_names = Vec::new();
    for sheet in [Sheet::Time, Sheet::Production, Sheet::Calculations] {
        let ws = wb.add_worksheet().set_name(sheet.name())?;
        let title = match sheet {
            Sheet::Time => "Timeline: one column per quarter, live from the timing inputs".to_string(),
            Sheet::Production => format!(
                "Production and cost drivers: manto's simulation output ({} source), placed on the finance timeline (an input block)",
                r.run.production_source
            ),
            Sheet::Calculations => "Calculations: quarterly, US$ unless stated".into(),
        };
        time_header(
            ws,
            &fm,
            &title,
            &labels,
            (place["year"].1, place["quarter"].1),
        )?;
        for row in bk.rows.iter().filter(|x| x.sheet == sheet) {
            let xr = place[&row.key].1;
            match &row.kind {
                RowKind::Heading => {
                    ws.write_string_with_format(xr, 0, &row.label, &fm.bold)?;
                    continue;
                }
                RowKind::Input(v, src) => {
                    ws.write_string(xr, 0, &row.label)?;
                    ws.write_string(xr, 2, format!("input: {src}; named Row_{}", row.key))?;
                    row_names.push((
                        format!("Row_{}", row.key),
                        format!(
                            "={}!${}${}:${}${}",
                            sheet.name(),
                            column_number_to_name(FIRST),
                            xr + 1,
                            column_number_to_name(last_col),
                            xr + 1
                        ),
                    ));
                    let fmt = if row.unit == "US$" {
                        &fm.input_usd
                    } else {
                        &fm.input_num
                    };
                    for (t, x) in v.iter().enumerate() {
                        ws.write_number_with_format(xr, FIRST + t as u16, *x, fmt)?;
                    }
                }
                RowKind::Live(e) => {
                    ws.write_string(xr, 0, &row.label)?;
                    let p0 = QPlace {
                        sheet,
                        col: FIRST,
                        last: last_col,
                        at: &place,
                        labels: &rowlabels,
                    };
                    ws.write_string(xr, 2, format!("formula: {}", e.words(&p0)))?;
                    let fmt = live_format(&fm, row.unit);
                    for t in 0..n {
                        let c = FIRST + t as u16;
                        let p = QPlace {
                            sheet,
                            col: c,
                            last: last_col,
                            at: &place,
                            labels: &rowlabels,
                        };
                        ws.write_formula_with_format(
                            xr,
                            c,
                            live(
                                &format!("={}", e.render(&p)),
                                vals[&row.key].get(t).copied().unwrap_or(f64::NAN),
                            ),
                            fmt,
                        )?;
                    }
                }
            }
            ws.write_string(xr, 1, row.unit)?;
            if let Some(k) = &row.manto_key {
                ws.write_string_with_format(xr, 3, k, &fm.note)?;
            }
        }
    }
    for (name, range) in &row_names {
        wb.define_name(name, range)?;
    }
    let time_year_row = place["year"].1;
    let at: HashMap<String, u32> = place
        .iter()
        .filter(|(_, (s, _))| *s == Sheet::Calculations)
        .map(|(k, (_, r))| (k.clone(), *r))
        .collect();

    // ---- Outputs -----------------------------------------------------------------
    // Key results for the Cover: (label, formula, stored result, format is a ratio).
    let mut key_results: Vec<(String, String, String, &str)> = Vec::new();
    {
        // The calendar years of the timeline and one more, so a later start quarter in
        // Excel keeps every flow (the spare year holds zeros, which change no NPV or IRR).
        let years: Vec<i32> = {
            let mut y: Vec<i32> = q.iter().map(|p| p.year).collect();
            y.dedup();
            if let Some(&last) = y.last() {
                y.push(last + 1);
            }
            y
        };
        let ny = years.len() as u16;
        let ws = wb.add_worksheet().set_name("Outputs")?;
        ws.write_string_with_format(
            0,
            0,
            "Outputs: annual roll-up, returns, cover, checks against manto",
            &fm.title,
        )?;
        ws.set_column_width(0, 52)?;
        ws.set_column_width(1, 10)?;
        ws.set_column_width(2, 18)?;
        ws.set_column_width(3, 18)?;
        for c in 0..(ny.max(n as u16)) {
            ws.set_column_width(FIRST + c, 13)?;
        }
        ws.set_freeze_panes(3, FIRST)?;
        // Annual roll-up.
        ws.write_string_with_format(2, 0, "annual (calendar year)", &fm.header)?;
        for (k, y) in years.iter().enumerate() {
            let c = FIRST + k as u16;
            let f = if k == 0 {
                format!("=Time!{}", row_col_to_cell(time_year_row, FIRST))
            } else {
                format!("={}+1", row_col_to_cell(2, c - 1))
            };
            ws.write_formula_with_format(2, c, live(&f, f64::from(*y)), &fm.header)?;
        }
        let tyr = format!(
            "Time!${}${}:${}${}",
            column_number_to_name(FIRST),
            time_year_row + 1,
            column_number_to_name(last_col),
            time_year_row + 1
        );
        let annual_keys = [
            ("gross_revenue", "gross revenue"),
            ("ebitda", "EBITDA"),
            ("cfads", "CFADS"),
            ("senior_ds", "senior debt service"),
            ("project_cf_pre_tax", "project cash flow before tax"),
            ("project_cf_after_tax", "project cash flow after tax"),
            ("equity_cf", "equity cash flow"),
        ];
        let mut annual_row: HashMap<&str, u32> = HashMap::new();
        // The workbook's own annual sums, for the stored values.
        let annual = |key: &str, year: i32| -> f64 {
            vals[key]
                .iter()
                .zip(&vals["year"])
                .filter(|(_, y)| **y == f64::from(year))
                .map(|(x, _)| *x)
                .sum()
        };
        let real = r.finance.metrics.npv_basis == finance::config::Basis::Real;
        let deflator = |k: usize| -> f64 {
            let y = years[k];
            let j = bk.years.iter().position(|x| *x == y);
            match (real, j) {
                (false, _) => 1.0,
                (true, Some(j)) => 1.0 / vals["Deck_usd_inflation_index"][j],
                (true, None) => f64::NAN,
            }
        };
        for (i, (key, label)) in annual_keys.iter().enumerate() {
            let xr = TOP + i as u32;
            annual_row.insert(key, xr);
            let cr = at[*key] + 1;
            let range = format!(
                "Calculations!${}${cr}:${}${cr}",
                column_number_to_name(FIRST),
                column_number_to_name(last_col)
            );
            year_row(
                ws,
                xr,
                (label, "US$", "SUMIF over Time's year row"),
                years.iter().enumerate().map(|(k, &y)| {
                    let yc = row_col_to_cell(2, FIRST + k as u16);
                    (format!("=SUMIF({tyr},{yc},{range})"), annual(key, y))
                }),
                &fm.live_usd,
            )?;
        }
        // Valuation money: nominal, or real (each year's flow in money of the escalation
        // base year, ÷ the USD inflation index), as manto's metrics.
        let deflator_row = TOP + annual_keys.len() as u32;
        year_row(
            ws,
            deflator_row,
            (
                "valuation deflator (1 nominal; real: 1 ÷ USD inflation index)",
                "x",
                "npv_basis on Inputs",
            ),
            (0..years.len()).map(|k| {
                let yc = row_col_to_cell(2, FIRST + k as u16);
                (
                    format!(
                        "=IF({}=\"real\",1/INDEX(Deck_usd_inflation_index,MATCH({yc},Deck_year,0)),1)",
                        input_name("finance.metrics.npv_basis")
                    ),
                    deflator(k),
                )
            }),
            &fm.ratio,
        )?;
        let valued = [
            (
                "project_cf_pre_tax",
                "project cash flow before tax, valuation money",
            ),
            (
                "project_cf_after_tax",
                "project cash flow after tax, valuation money",
            ),
            ("equity_cf", "equity cash flow, valuation money"),
        ];
        let mut valued_row: HashMap<&str, u32> = HashMap::new();
        for (i, (key, label)) in valued.iter().enumerate() {
            let xr = deflator_row + 1 + i as u32;
            valued_row.insert(key, xr);
            year_row(
                ws,
                xr,
                (label, "US$", "annual flow × deflator"),
                years.iter().enumerate().map(|(k, &y)| {
                    let c = FIRST + k as u16;
                    (
                        format!(
                            "={}*{}",
                            row_col_to_cell(annual_row[key], c),
                            row_col_to_cell(deflator_row, c)
                        ),
                        annual(key, y) * deflator(k),
                    )
                }),
                &fm.live_usd,
            )?;
        }
        // Returns and cover.
        let mut xr = deflator_row + valued.len() as u32 + 2;
        ws.write_string_with_format(xr, 0, "returns and cover", &fm.header)?;
        ws.write_string_with_format(xr, 2, "workbook (live)", &fm.header)?;
        ws.write_string_with_format(xr, 3, "manto", &fm.header)?;
        ws.write_string_with_format(xr, FIRST, "relative difference", &fm.header)?;
        xr += 1;
        let annual_range = |key: &str| {
            let row = valued_row[key] + 1;
            format!(
                "${}${row}:${}${row}",
                column_number_to_name(FIRST),
                column_number_to_name(FIRST + ny - 1)
            )
        };
        let pat = annual_row["project_cf_after_tax"] + 1;
        let m = &f.metrics;
        let mut checks: Vec<(String, String, &'static str, f64)> = Vec::new();
        // NPV as manto takes it: Excel's NPV of the annual flows (end of year), times
        // √(1 + r) when the flows are taken at mid-year.
        let timing = |name: &str| {
            format!(
                "*IF({}=\"mid_year\",SQRT(1+{name}/100),1)",
                input_name("finance.metrics.npv_timing")
            )
        };
        for (what, key, get) in [
            (
                "project NPV after tax",
                "project_cf_after_tax",
                (|x| x.project_after_tax_usd) as fn(&finance::result::NpvAtRate) -> f64,
            ),
            ("project NPV before tax", "project_cf_pre_tax", |x| {
                x.project_pre_tax_usd
            }),
            ("equity NPV", "equity_cf", |x| x.equity_usd),
        ] {
            for (rate, name) in &rate_cells {
                let manto = m
                    .npv
                    .iter()
                    .find(|x| x.discount_rate_pct == *rate)
                    .map_or(f64::NAN, get);
                checks.push((
                    format!("{what} at {rate}%"),
                    format!("=NPV({name}/100,{}){}", annual_range(key), timing(name)),
                    "US$",
                    manto,
                ));
            }
        }
        for (what, key, manto) in [
            (
                "project IRR after tax",
                "project_cf_after_tax",
                m.project_irr_after_tax_pct,
            ),
            (
                "project IRR before tax",
                "project_cf_pre_tax",
                m.project_irr_pre_tax_pct,
            ),
            ("equity IRR", "equity_cf", m.equity_irr_pct),
        ] {
            checks.push((
                what.into(),
                format!("=IRR({})*100", annual_range(key)),
                "%",
                manto.unwrap_or(f64::NAN),
            ));
        }
        let dscr_row = at["dscr"] + 1;
        let prin_row = at["senior_principal"] + 1;
        let qr = |row: u32| {
            format!(
                "Calculations!${}${row}:${}${row}",
                column_number_to_name(FIRST),
                column_number_to_name(last_col)
            )
        };
        checks.push((
            "minimum DSCR (quarters repaying principal)".into(),
            format!("=MINIFS({},{},\">0\")", qr(dscr_row), qr(prin_row)),
            "x",
            m.min_dscr.unwrap_or(f64::NAN),
        ));
        for (what, key, manto) in [
            ("minimum LLCR", "llcr", m.min_llcr),
            ("minimum PLCR", "plcr", m.min_plcr),
        ] {
            checks.push((
                what.into(),
                format!("=MIN({})", qr(at[key] + 1)),
                "x",
                manto.unwrap_or(f64::NAN),
            ));
        }
        let mut check_rows = Vec::new();
        for (label, formula, unit, manto) in &checks {
            ws.write_string(xr, 0, label)?;
            ws.write_string(xr, 1, *unit)?;
            let fmt = if *unit == "US$" {
                &fm.live_usd
            } else {
                &fm.ratio
            };
            // The stored value is manto's: the checks below show the workbook equals it.
            ws.write_formula_with_format(xr, 2, live(formula, *manto), fmt)?;
            if manto.is_finite() {
                let mf = if *unit == "US$" {
                    &fm.manto_usd
                } else {
                    &fm.manto_ratio
                };
                ws.write_number_with_format(xr, 3, *manto, mf)?;
            } else {
                ws.write_string_with_format(xr, 3, "n/a", &fm.manto)?;
            }
            let (a, b) = (row_col_to_cell(xr, 2), row_col_to_cell(xr, 3));
            ws.write_formula_with_format(
                xr,
                FIRST,
                live(
                    &format!("=IF(ISNUMBER({b}),ABS({a}-{b})/MAX(1,ABS({b})),\"manto: n/a\")"),
                    if manto.is_finite() { 0.0 } else { f64::NAN },
                ),
                &fm.check,
            )?;
            check_rows.push(xr);
            let headline = label.contains(&format!(
                "after tax at {}%",
                m.npv
                    .get(1)
                    .or(m.npv.first())
                    .map_or(0.0, |x| x.discount_rate_pct)
            )) && label.starts_with("project NPV");
            if headline
                || label.contains("IRR")
                || label.starts_with("minimum DSCR")
                || label.starts_with("minimum LLCR")
            {
                key_results.push((
                    label.clone(),
                    format!("=Outputs!{}", row_col_to_cell(xr, 2)),
                    if manto.is_finite() {
                        format!("{manto}")
                    } else {
                        String::new()
                    },
                    *unit,
                ));
            }
            xr += 1;
        }
        // The model check: the balance sheet balances in every quarter, to 1e-6 of the
        // largest total assets.
        let whole = |key: &str| {
            format!(
                "Calculations!${}${}:${}${}",
                column_number_to_name(FIRST),
                at[key] + 1,
                column_number_to_name(last_col),
                at[key] + 1
            )
        };
        let (bc, ta) = (whole("balance_check"), whole("total_assets"));
        let worst = vals["balance_check"]
            .iter()
            .fold(0.0_f64, |a, x| a.max(x.abs()));
        ws.write_string(
            xr,
            0,
            "balance check: largest absolute value over the quarters",
        )?;
        ws.write_string(xr, 1, "US$")?;
        ws.write_formula_with_format(
            xr,
            2,
            live(&format!("=MAX(MAX({bc}),-MIN({bc}))"), worst),
            &fm.live_usd,
        )?;
        let largest = vals["total_assets"]
            .iter()
            .fold(0.0_f64, |a, x| a.max(x.abs()));
        let ok = worst <= 1e-6 * largest.max(1.0);
        let check_cell = row_col_to_cell(xr + 1, 2);
        ws.write_string(
            xr + 1,
            0,
            "model check: the balance sheet balances in every quarter (to 1e-6 of the largest total assets)",
        )?;
        ws.write_formula(
            xr + 1,
            2,
            Formula::new(format!(
                "=IF({}<=0.000001*MAX(1,MAX({ta})),\"OK\",\"ERROR\")",
                row_col_to_cell(xr, 2)
            ))
            .set_result(if ok { "OK" } else { "ERROR" }),
        )?;
        key_results.push((
            "model check (balance sheet, every quarter)".into(),
            format!("=Outputs!{check_cell}"),
            if ok { "OK" } else { "ERROR" }.into(),
            "",
        ));
        xr += 2;
        // Quarterly cover and balance check against manto.
        xr += 1;
        ws.write_string_with_format(xr, 0, "by quarter", &fm.header)?;
        quarter_labels(ws, &fm, xr, &labels, (time_year_row, place["quarter"].1))?;
        xr += 1;
        let quarter_rows: [(&str, &str, &str, Vec<f64>); 6] = [
            ("DSCR (workbook)", "x", "dscr", vec![]),
            (
                "DSCR (manto)",
                "x",
                "",
                q.iter().map(|p| p.dscr.unwrap_or(f64::NAN)).collect(),
            ),
            ("balance check (workbook)", "US$", "balance_check", vec![]),
            (
                "balance check (manto)",
                "US$",
                "",
                f.balance_sheet
                    .iter()
                    .map(|b| b.balance_check_usd)
                    .collect(),
            ),
            ("LLCR (workbook)", "x", "llcr", vec![]),
            ("PLCR (workbook)", "x", "plcr", vec![]),
        ];
        let dscr_out_row = xr;
        for (label, unit, key, manto) in &quarter_rows {
            ws.write_string(xr, 0, *label)?;
            ws.write_string(xr, 1, *unit)?;
            let fmt = if *unit == "x" {
                &fm.ratio
            } else {
                &fm.live_usd
            };
            for t in 0..n {
                let c = FIRST + t as u16;
                if key.is_empty() {
                    let v = manto.get(t).copied().unwrap_or(f64::NAN);
                    if v.is_finite() {
                        let mf = if *unit == "x" {
                            &fm.manto_ratio
                        } else {
                            &fm.manto_usd
                        };
                        ws.write_number_with_format(xr, c, v, mf)?;
                    }
                } else {
                    ws.write_formula_with_format(
                        xr,
                        c,
                        live(
                            &format!("=Calculations!{}", row_col_to_cell(at[*key], c)),
                            vals[*key].get(t).copied().unwrap_or(f64::NAN),
                        ),
                        fmt,
                    )?;
                }
            }
            xr += 1;
        }
        // Covenant lines from the named inputs, for the DSCR chart.
        let covenant_row = xr;
        for (label, name) in [
            ("default covenant (Covenant_min_DSCR)", "Covenant_min_DSCR"),
            (
                "lock-up covenant (Covenant_lock_up_DSCR)",
                "Covenant_lock_up_DSCR",
            ),
        ] {
            if !names.iter().any(|(n, _)| n == name) {
                continue;
            }
            let covenant_value = if name == "Covenant_min_DSCR" {
                r.finance.covenants.min_dscr
            } else {
                r.finance.covenants.lock_up_dscr
            };
            ws.write_string(xr, 0, label)?;
            ws.write_string(xr, 1, "x")?;
            ws.write_string(xr, 2, "named input on Inputs")?;
            for t in 0..n {
                ws.write_formula_with_format(
                    xr,
                    FIRST + t as u16,
                    live(&format!("={name}"), covenant_value),
                    &fm.ratio,
                )?;
            }
            xr += 1;
        }
        // Charts.
        let calc_series = |chart: &mut Chart, key: &str, name: &str| {
            let row = at[key];
            chart
                .add_series()
                .set_name(name)
                .set_categories(("Calculations", 2, FIRST, 2, last_col))
                .set_values(("Calculations", row, FIRST, row, last_col));
        };
        let mut c1 = Chart::new(ChartType::Line);
        c1.title()
            .set_name("CFADS and senior debt service, US$ M per quarter");
        calc_series(&mut c1, "cfads", "CFADS");
        calc_series(&mut c1, "senior_ds", "senior debt service");
        c1.x_axis()
            .set_name("quarter")
            .set_label_interval(QUARTER_LABEL_EVERY)
            .set_tick_interval(QUARTER_LABEL_EVERY);
        // US$ M: the format's two trailing commas divide by a million.
        c1.y_axis().set_name("US$ M").set_num_format("#,##0,,");
        c1.set_width(900).set_height(320);
        ws.insert_chart(xr + 3, 0, &c1)?;
        let mut c2 = Chart::new(ChartType::Line);
        c2.title().set_name("DSCR and LLCR by quarter");
        // The quarter labels above the DSCR row: the categories of every series.
        let quarters = (
            "Outputs",
            dscr_out_row - 1,
            FIRST,
            dscr_out_row - 1,
            last_col,
        );
        c2.add_series()
            .set_name("DSCR")
            .set_categories(quarters)
            .set_values(("Outputs", dscr_out_row, FIRST, dscr_out_row, last_col));
        // LLCR: the fifth of the quarterly rows (after DSCR and the balance check).
        let llcr_row = dscr_out_row + 4;
        c2.add_series()
            .set_name("LLCR")
            .set_categories(quarters)
            .set_values(("Outputs", llcr_row, FIRST, llcr_row, last_col));
        for row in covenant_row..xr {
            c2.add_series()
                .set_name(("Outputs", row, 0))
                .set_categories(quarters)
                .set_values(("Outputs", row, FIRST, row, last_col));
        }
        c2.x_axis()
            .set_name("quarter")
            .set_label_interval(QUARTER_LABEL_EVERY)
            .set_tick_interval(QUARTER_LABEL_EVERY);
        c2.y_axis().set_name("cover ratio, x");
        c2.set_width(900).set_height(320);
        ws.insert_chart(xr + 21, 0, &c2)?;
        let mut c3 = Chart::new(ChartType::Column);
        c3.title()
            .set_name("Project cash flow after tax by year, US$ M");
        c3.add_series()
            .set_name("project cash flow after tax")
            .set_categories(("Outputs", 2, FIRST, 2, FIRST + ny - 1))
            .set_values(("Outputs", pat - 1, FIRST, pat - 1, FIRST + ny - 1));
        c3.x_axis().set_name("calendar year");
        c3.y_axis().set_name("US$ M").set_num_format("#,##0,,");
        c3.set_width(900).set_height(320);
        ws.insert_chart(xr + 39, 0, &c3)?;
    }
    // The Cover's key results, linked to Outputs; the book opens on the Cover.
    {
        let cover = wb.worksheet_from_name("Cover")?;
        cover.set_column_width(1, 18)?;
        cover.set_column_width(2, 8)?;
        let top = 3;
        cover.write_string_with_format(top, 0, "Key results (live, from Outputs)", &fm.header)?;
        cover.write_string_with_format(top, 1, "workbook", &fm.header)?;
        cover.write_string_with_format(top, 2, "unit", &fm.header)?;
        for (i, (label, formula, result, unit)) in key_results.iter().enumerate() {
            let row = top + 1 + i as u32;
            cover.write_string(row, 0, label)?;
            let fmt = match *unit {
                "US$" => &fm.live_usd,
                "" => &fm.text,
                _ => &fm.ratio,
            };
            cover.write_formula_with_format(
                row,
                1,
                Formula::new(formula).set_result(result.clone()),
                fmt,
            )?;
            cover.write_string(row, 2, *unit)?;
        }
        let below = top + key_results.len() as u32 + 2;
        for (i, l) in lines.iter().enumerate().skip(2) {
            cover.write_string_with_format(below + i as u32 - 2, 0, l, &fm.text)?;
        }
        cover.set_active(true);
    }
    if let Some(k) = risk {
        risk::sheet(&mut wb, k, &fm)?;
    }
    print_setup(&mut wb, n)?;
    wb.save_to_buffer()
}

/// The quarterly charts label every eighth quarter (two years): 150 labels on one axis
/// overlap.
const QUARTER_LABEL_EVERY: u16 = 8;

/// Quarter columns printed on one page's width, beside the repeated label column.
const QUARTERS_PER_PAGE: usize = 16;

/// Print setup of every sheet: landscape; the Cover, Inputs and Risk fitted to one page's
/// width; the quarterly sheets (Time, Production, Calculations, Outputs) to one page per
/// [`QUARTERS_PER_PAGE`] quarters, so the numbers stay legible; each page repeats the
/// sheet's title and header rows and its label column.
fn print_setup(wb: &mut Workbook, quarters: usize) -> Result<(), XlsxError> {
    let wide = quarters.div_ceil(QUARTERS_PER_PAGE).max(1) as u16;
    for ws in wb.worksheets_mut() {
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        let name = ws.name();
        match name.as_str() {
            "Cover" => {
                ws.set_print_fit_to_pages(1, 0);
            }
            "Inputs" | "Risk" => {
                ws.set_print_fit_to_pages(1, 0);
                ws.set_repeat_rows(0, 2)?;
                ws.set_repeat_columns(0, 0)?;
            }
            _ => {
                ws.set_print_fit_to_pages(wide, 0);
                ws.set_repeat_rows(0, TOP - 1)?;
                ws.set_repeat_columns(0, 0)?;
            }
        }
    }
    Ok(())
}

/// Flattens a JSON value into (dotted path, scalar) pairs in document order.
fn flatten(path: &str, v: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                flatten(&format!("{path}.{k}"), x, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), x, out);
            }
        }
        serde_json::Value::Null => {}
        other => out.push((path.to_string(), other.clone())),
    }
}

/// The unit a key's name carries (manto's keys end in their unit): the longest suffix
/// that names one; otherwise the document that describes the key.
fn unit_of(key: &str) -> &'static str {
    let last = key.rsplit('.').next().unwrap_or(key);
    let last = last.split('[').next().unwrap_or(last);
    // A suffix, or a whole name when it starts without an underscore.
    const UNITS: &[(&str, &str)] = &[
        ("_usd_per_lb", "US$/lb"),
        ("_usd_per_t", "US$/t"),
        ("_usd_per_dry_t", "US$/dry t"),
        ("_usd_per_year", "US$/year"),
        ("_usd_per_quarter", "US$/quarter"),
        ("usd_per_bolt", "US$/bolt"),
        ("_usd_per_m", "US$/m"),
        ("usd_per_m_advance", "US$/m"),
        ("_usd_per_kwh", "US$/kWh"),
        ("_usd_per_person_year", "US$/person/year"),
        ("_mxn_per_shift", "MXN/shift"),
        ("mxn_per_usd", "MXN/US$"),
        ("_usd", "US$"),
        ("_pct", "%"),
        ("_years", "years"),
        ("_year", "year"),
        ("_quarters", "quarters"),
        ("_quarter", "quarter"),
        ("_days", "days"),
        ("days", "days"),
        ("days_per_week", "days/week"),
        ("_t", "t"),
        ("_kwh_per_t", "kWh/t"),
        ("_kwh_per_dry_t", "kWh/dry t"),
        ("_kg_per_dry_t", "kg/dry t"),
        ("_t_per_dry_t", "t/dry t"),
        ("_t_per_t", "t/t"),
        ("_t_per_h", "t/h"),
        ("_t_per_m3", "t/m³"),
        ("_t_per_year", "t/year"),
        ("_m_per_min", "m/min"),
        ("_m", "m"),
        ("_min", "min"),
        ("_h", "h"),
        ("_lb", "lb"),
        ("_dscr", "x"),
        ("dscr", "x"),
        ("_x", "x"),
        ("_months", "months"),
        ("_probability", "probability"),
        ("section_shifts", "shifts/year"),
        ("bolts", "bolts/year"),
        ("mine_headcount", "people"),
        ("crew_size", "people"),
        ("seed", "integer"),
        ("replications", "count"),
        ("iterations", "count"),
    ];
    let found = UNITS
        .iter()
        .filter(|(s, _)| {
            if s.starts_with('_') {
                last.ends_with(s)
            } else {
                last == *s || last.ends_with(&format!("_{s}"))
            }
        })
        .max_by_key(|(s, _)| s.len())
        .map(|(_, u)| *u);
    found.unwrap_or(match key.split(['.', '[']).next() {
        Some("finance") => "see docs/finance.md",
        Some("risk") => "see docs/risk.md",
        _ => "see docs/scenario.md",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_key_names() {
        assert_eq!(
            unit_of("finance.revenue.cu_cathode.price_usd_per_lb"),
            "US$/lb"
        );
        assert_eq!(unit_of("finance.metrics.discount_rates_pct[0]"), "%");
        assert_eq!(unit_of("finance.covenants.min_dscr"), "x");
        assert_eq!(unit_of("finance.opex.power_kwh_per_dry_t"), "kWh/dry t");
        assert_eq!(unit_of("finance.opex.acid_kg_per_dry_t"), "kg/dry t");
        assert_eq!(unit_of("section.geometry.seam_height_m"), "m");
        assert_eq!(unit_of("calendar.meal_break_min"), "min");
        assert_eq!(unit_of("plant.nameplate_dry_t_per_h"), "t/h");
        assert_eq!(unit_of("section.miner.tram_speed_m_per_min"), "m/min");
        assert_eq!(unit_of("finance.opex.usd_per_bolt"), "US$/bolt");
        assert_eq!(unit_of("deposit.mantos[0].name"), "see docs/scenario.md");
    }
}
