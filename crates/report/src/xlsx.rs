//! The Excel workbook (`manto report --xlsx`), laid out as a FAST-standard model book:
//!
//! | sheet | what |
//! |---|---|
//! | `Cover` | what the workbook is, colour code, which rows are live formulas |
//! | `Inputs` | every finance input of the scenario (key, value, unit, source); named ranges for the key ones |
//! | `Time` | quarterly timeline: period, label, calendar year, quarter, phase flags |
//! | `Production` | manto's simulated production by quarter, an input block |
//! | `Calculations` | manto's calculated flows as a labelled input block, then the live rows: one formula per row, the same in every column |
//! | `Outputs` | annual roll-up (SUMIF over `Time`), NPV and IRR, DSCR and balance check by quarter, checks against manto, two native charts |
//!
//! Which rows are live is [`calc_rows`]: every [`RowKind::Linear`] and [`RowKind::Ratio`]
//! row is an Excel formula; [`RowKind::Input`] rows are manto's numbers. Each live row
//! that manto also reports carries manto's own value, and [`evaluate`] computes the live
//! rows in Rust exactly as the formulas do, so a unit test ties them to manto and
//! `scripts/check-reports.sh` ties LibreOffice's recalculation to manto.

use crate::export::ExportError;
use finance::FinanceResult;
use rust_xlsxwriter::utility::{column_number_to_name, row_col_to_cell};
use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook,
    Worksheet, XlsxError,
};
use std::collections::HashMap;
use study::ReportStudy;

/// First column holding a period (A label, B unit, C how, D blank).
const FIRST: u16 = 4;
/// First row of data on the time-based sheets (rows 0-2: title, period label, header).
const TOP: u32 = 3;

/// One term of a linear formula: `coef × row[key]` in this column (`prev`: the column before,
/// 0 in the first period).
#[derive(Clone, Debug)]
pub struct Term {
    coef: f64,
    key: String,
    prev: bool,
}

fn plus(key: &str) -> Term {
    Term {
        coef: 1.0,
        key: key.into(),
        prev: false,
    }
}

fn minus(key: &str) -> Term {
    Term {
        coef: -1.0,
        key: key.into(),
        prev: false,
    }
}

fn prev(key: &str) -> Term {
    Term {
        coef: 1.0,
        key: key.into(),
        prev: true,
    }
}

/// How a row of the Calculations sheet gets its numbers.
#[derive(Clone, Debug)]
pub enum RowKind {
    /// manto's number, with where it comes from.
    Input(Vec<f64>, String),
    /// A live formula: the sum of the terms.
    Linear(Vec<Term>),
    /// A live formula: `num / den` where `den` > 1e-6, else empty (no ratio).
    Ratio(String, String),
    /// A heading.
    Heading,
}

/// One row of the Calculations sheet.
#[derive(Clone, Debug)]
pub struct Row {
    /// Unique key (formulas refer to rows by key).
    pub key: String,
    /// Label shown.
    pub label: String,
    /// Unit shown.
    pub unit: &'static str,
    /// How it is computed.
    pub kind: RowKind,
    /// manto's own value of a live row, to check the formula against.
    pub manto: Option<Vec<f64>>,
}

fn input(key: &str, label: &str, unit: &'static str, v: Vec<f64>, src: &str) -> Row {
    Row {
        key: key.into(),
        label: label.into(),
        unit,
        kind: RowKind::Input(v, src.into()),
        manto: None,
    }
}

fn live(
    key: &str,
    label: &str,
    unit: &'static str,
    terms: Vec<Term>,
    manto: Option<Vec<f64>>,
) -> Row {
    Row {
        key: key.into(),
        label: label.into(),
        unit,
        kind: RowKind::Linear(terms),
        manto,
    }
}

fn heading(label: &str) -> Row {
    Row {
        key: format!("h:{label}"),
        label: label.into(),
        unit: "",
        kind: RowKind::Heading,
        manto: None,
    }
}

/// The rows of the Calculations sheet for a finance result, in sheet order.
pub fn calc_rows(f: &FinanceResult) -> Vec<Row> {
    let q = &f.quarterly;
    let col =
        |g: &dyn Fn(&finance::result::PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let wf = "manto finance: quarterly waterfall";
    let mut rows = vec![heading(
        "manto's calculated flows (inputs to this sheet, not live)",
    )];
    type Get = fn(&finance::result::PeriodRow) -> f64;
    let flows: [(&str, &str, Get); 41] = [
        ("revenue_cu", "revenue, copper cathode", |r| {
            r.revenue_cu_usd
        }),
        ("revenue_co", "revenue, cobalt cathode", |r| {
            r.revenue_co_usd
        }),
        ("revenue_znso4", "revenue, zinc sulphate", |r| {
            r.revenue_znso4_usd
        }),
        ("revenue_mnco3", "revenue, manganese carbonate", |r| {
            r.revenue_mnco3_usd
        }),
        ("refining", "refining charges", |r| r.refining_usd),
        ("freight", "freight", |r| r.freight_usd),
        ("insurance", "insurance", |r| r.insurance_usd),
        ("royalty", "royalty", |r| r.royalty_usd),
        ("opex_underground", "opex, underground mining", |r| {
            r.opex_underground_usd
        }),
        ("opex_open_pit", "opex, open pit", |r| r.opex_open_pit_usd),
        ("opex_crew_labour", "opex, crew labour", |r| {
            r.opex_crew_labour_usd
        }),
        ("opex_bolts", "opex, roof bolts", |r| r.opex_bolts_usd),
        ("opex_development", "opex, development", |r| {
            r.opex_development_usd
        }),
        ("opex_mine_overhead", "opex, mine overhead", |r| {
            r.opex_mine_overhead_usd
        }),
        ("opex_processing", "opex, processing", |r| {
            r.opex_processing_usd
        }),
        ("opex_acid", "opex, acid", |r| r.opex_acid_usd),
        ("opex_limestone", "opex, limestone", |r| {
            r.opex_limestone_usd
        }),
        ("opex_power", "opex, power", |r| r.opex_power_usd),
        ("opex_g_and_a", "opex, G&A", |r| r.opex_g_and_a_usd),
        ("closure_cost", "closure cost", |r| r.closure_cost_usd),
        ("mining_duty", "mining duty", |r| r.mining_duty_usd),
        ("wc_increase", "increase in working capital", |r| {
            r.working_capital_increase_usd
        }),
        ("capex_direct", "capex, direct", |r| r.capex_direct_usd),
        ("capex_contingency", "capex, contingency", |r| {
            r.capex_contingency_usd
        }),
        ("capex_owners", "capex, owner's costs", |r| {
            r.capex_owners_usd
        }),
        ("capex_overrun", "capex, overrun", |r| r.capex_overrun_usd),
        ("capex_sustaining", "capex, sustaining", |r| {
            r.capex_sustaining_usd
        }),
        ("vat_paid", "IVA paid on purchases", |r| r.vat_paid_usd),
        ("vat_refund", "IVA refunded", |r| r.vat_refund_usd),
        // IVA of construction is funded by the construction sources, not by CFADS.
        (
            "vat_net_construction",
            "IVA paid less refunded during construction",
            |r| (r.vat_paid_usd - r.vat_refund_usd) * r.construction,
        ),
        ("vat_facility_drawing", "IVA facility drawn", |r| {
            r.vat_facility_drawing_usd
        }),
        ("vat_facility_repayment", "IVA facility repaid", |r| {
            r.vat_facility_repayment_usd
        }),
        (
            "income_tax_paid",
            "income tax paid in cash (provisional + true-up)",
            |r| r.income_tax_paid_usd,
        ),
        ("ptu", "PTU (profit sharing), levered", |r| r.ptu_usd),
        ("income_tax", "income tax (ISR), levered", |r| {
            r.income_tax_usd
        }),
        ("senior_interest", "senior interest and fees", |r| {
            r.senior_interest_usd
        }),
        ("senior_principal", "senior principal", |r| {
            r.senior_principal_usd
        }),
        ("equity_cf", "equity cash flow", |r| r.equity_cash_flow_usd),
        ("dsra_funding", "DSRA funding", |r| r.dsra_funding_usd),
        ("sponsor_support", "sponsor support (equity)", |r| {
            r.sponsor_support_usd
        }),
        (
            "funding_shortfall",
            "funding shortfall (met by the sponsors as equity)",
            |r| r.funding_shortfall_usd,
        ),
    ];
    for (key, label, get) in flows {
        rows.push(input(key, label, "US$", col(&get), wf));
    }
    rows.push(input(
        "tax_unlevered",
        "taxes without financing (unlevered PTU + ISR)",
        "US$",
        col(&|r| r.tax_unlevered_usd),
        "manto finance: the unlevered tax (`tax_unlevered_usd`)",
    ));
    for (i, name) in f.facility_names.iter().enumerate() {
        let fac = |g: fn(&finance::result::FacilityRow) -> f64| -> Vec<f64> {
            q.iter()
                .map(|r| r.facilities.get(i).map_or(0.0, g))
                .collect()
        };
        rows.push(input(
            &format!("fac{i}_draw"),
            &format!("{name}: drawdown"),
            "US$",
            fac(|x| x.drawdown_usd),
            wf,
        ));
        rows.push(input(
            &format!("fac{i}_capint"),
            &format!("{name}: capitalised interest"),
            "US$",
            fac(|x| x.capitalised_interest_usd),
            wf,
        ));
        rows.push(input(
            &format!("fac{i}_principal"),
            &format!("{name}: principal"),
            "US$",
            fac(|x| x.principal_usd),
            wf,
        ));
        rows.push(input(
            &format!("fac{i}_prepay"),
            &format!("{name}: prepayment"),
            "US$",
            fac(|x| x.prepayment_usd),
            wf,
        ));
    }
    let bs = &f.balance_sheet;
    let bsc =
        |g: fn(&finance::result::BalanceSheet) -> f64| -> Vec<f64> { bs.iter().map(g).collect() };
    let bss = "manto finance: balance sheet";
    rows.push(input(
        "receivables",
        "receivables",
        "US$",
        bsc(|b| b.receivables_usd),
        bss,
    ));
    rows.push(input(
        "inventory",
        "inventory",
        "US$",
        bsc(|b| b.inventory_usd),
        bss,
    ));
    rows.push(input(
        "payables",
        "payables",
        "US$",
        bsc(|b| b.payables_usd),
        bss,
    ));
    type BsGet = fn(&finance::result::BalanceSheet) -> f64;
    let more: [(&str, &str, BsGet); 5] = [
        ("vat_receivable", "IVA receivable", |b| b.vat_receivable_usd),
        ("maintenance_reserve", "maintenance reserve account", |b| {
            b.maintenance_reserve_usd
        }),
        ("dsra_lc_drawn", "DSRA letter of credit drawn", |b| {
            b.dsra_lc_drawn_usd
        }),
        ("tax_payable", "income tax payable", |b| b.tax_payable_usd),
        ("vat_facility", "IVA facility", |b| b.vat_facility_usd),
    ];
    for (key, label, get) in more {
        rows.push(input(key, label, "US$", bsc(get), bss));
    }
    let inc = &f.income_statement;
    rows.push(input(
        "net_income",
        "net income",
        "US$",
        inc.iter().map(|x| x.net_income_usd).collect(),
        "manto finance: income statement",
    ));
    rows.push(input(
        "distributions",
        "distributions to shareholders",
        "US$",
        col(&|r| r.distributions_usd),
        wf,
    ));
    let ck = |name: &str| f.corkscrews.iter().find(|c| c.name == name);
    for (key, name, label) in [
        ("cash", "cash", "cash"),
        ("dsra", "dsra", "DSRA"),
        ("fixed_assets", "fixed_assets_book", "fixed assets (book)"),
    ] {
        if let Some(c) = ck(name) {
            let src = format!("manto finance: corkscrew `{name}`");
            rows.push(input(
                &format!("{key}_add"),
                &format!("{label}: additions"),
                "US$",
                c.additions.clone(),
                &src,
            ));
            rows.push(input(
                &format!("{key}_red"),
                &format!("{label}: reductions"),
                "US$",
                c.reductions.clone(),
                &src,
            ));
        }
    }

    // ---- live rows ------------------------------------------------------------------
    rows.push(heading("Revenue and operating cash flow (live formulas)"));
    rows.push(live(
        "gross_revenue",
        "gross revenue",
        "US$",
        vec![
            plus("revenue_cu"),
            plus("revenue_co"),
            plus("revenue_znso4"),
            plus("revenue_mnco3"),
        ],
        Some(col(&|r| r.gross_revenue_usd)),
    ));
    rows.push(live(
        "net_revenue",
        "net revenue",
        "US$",
        vec![
            plus("gross_revenue"),
            minus("refining"),
            minus("freight"),
            minus("insurance"),
        ],
        Some(col(&|r| r.net_revenue_usd)),
    ));
    let opex_keys = [
        "opex_underground",
        "opex_open_pit",
        "opex_crew_labour",
        "opex_bolts",
        "opex_development",
        "opex_mine_overhead",
        "opex_processing",
        "opex_acid",
        "opex_limestone",
        "opex_power",
        "opex_g_and_a",
    ];
    rows.push(live(
        "opex_total",
        "operating costs",
        "US$",
        opex_keys.iter().map(|k| plus(k)).collect(),
        Some(col(&|r| r.opex_total_usd)),
    ));
    rows.push(live(
        "ebitda",
        "EBITDA",
        "US$",
        vec![
            plus("net_revenue"),
            minus("royalty"),
            minus("opex_total"),
            minus("closure_cost"),
        ],
        Some(col(&|r| r.ebitda_usd)),
    ));
    rows.push(live(
        "cfbt",
        "cash flow before tax (after sustaining capex and working capital)",
        "US$",
        vec![
            plus("ebitda"),
            minus("mining_duty"),
            minus("capex_sustaining"),
            minus("wc_increase"),
            minus("vat_paid"),
            plus("vat_refund"),
        ],
        None,
    ));
    rows.push(live(
        "cfads",
        "CFADS (cash flow available for debt service)",
        "US$",
        vec![
            plus("cfbt"),
            plus("vat_net_construction"),
            minus("ptu"),
            minus("income_tax_paid"),
            plus("vat_facility_drawing"),
            minus("vat_facility_repayment"),
        ],
        Some(col(&|r| r.cfads_usd)),
    ));
    rows.push(live(
        "capex_initial",
        "initial capex",
        "US$",
        vec![
            plus("capex_direct"),
            plus("capex_contingency"),
            plus("capex_owners"),
            plus("capex_overrun"),
        ],
        Some(col(&|r| r.capex_initial_usd)),
    ));
    rows.push(live(
        "project_cf_pre_tax",
        "project cash flow before tax",
        "US$",
        vec![plus("cfbt"), plus("mining_duty"), minus("capex_initial")],
        Some(col(&|r| r.project_cash_flow_pre_tax_usd)),
    ));
    rows.push(live(
        "project_cf_after_tax",
        "project cash flow after tax",
        "US$",
        vec![plus("cfbt"), minus("tax_unlevered"), minus("capex_initial")],
        Some(col(&|r| r.project_cash_flow_after_tax_usd)),
    ));
    rows.push(heading("Debt service and cover (live formulas)"));
    rows.push(live(
        "senior_ds",
        "senior debt service",
        "US$",
        vec![plus("senior_interest"), plus("senior_principal")],
        Some(col(&|r| r.senior_debt_service_usd)),
    ));
    rows.push(Row {
        key: "dscr".into(),
        label: "DSCR = CFADS / senior debt service".into(),
        unit: "x",
        kind: RowKind::Ratio("cfads".into(), "senior_ds".into()),
        manto: Some(col(&|r| r.dscr.unwrap_or(f64::NAN))),
    });
    rows.push(heading(
        "Corkscrews: opening + additions − reductions = closing (live formulas)",
    ));
    let is_equity = |i: usize| f.facilities.get(i).is_some_and(|x| x.kind == "equity");
    let equity_draws: Vec<Term> = (0..f.facility_names.len())
        .filter(|&i| is_equity(i))
        .map(|i| plus(&format!("fac{i}_draw")))
        .collect();
    rows.push(live(
        "equity_paid_open",
        "equity contributed: opening",
        "US$",
        vec![prev("equity_paid_close")],
        None,
    ));
    rows.push(live(
        "equity_paid_close",
        "equity contributed: closing (+ equity drawdowns, sponsor support, shortfall)",
        "US$",
        [
            vec![
                plus("equity_paid_open"),
                plus("sponsor_support"),
                plus("funding_shortfall"),
            ],
            equity_draws,
        ]
        .concat(),
        Some(bsc(|b| b.equity_contributed_usd)),
    ));
    for (i, name) in f.facility_names.iter().enumerate() {
        if is_equity(i) {
            continue; // equity is the corkscrew above
        }
        let o = format!("fac{i}_open");
        let c = format!("fac{i}_close");
        rows.push(live(
            &o,
            &format!("{name}: opening balance"),
            "US$",
            vec![prev(&c)],
            None,
        ));
        rows.push(live(
            &c,
            &format!("{name}: closing balance"),
            "US$",
            vec![
                plus(&o),
                plus(&format!("fac{i}_draw")),
                plus(&format!("fac{i}_capint")),
                minus(&format!("fac{i}_principal")),
                minus(&format!("fac{i}_prepay")),
            ],
            Some(
                q.iter()
                    .map(|r| r.facilities.get(i).map_or(0.0, |x| x.closing_balance_usd))
                    .collect(),
            ),
        ));
    }
    for (key, name, label) in [
        ("cash", "cash", "cash"),
        ("dsra", "dsra", "DSRA"),
        ("fixed_assets", "fixed_assets_book", "fixed assets (book)"),
    ] {
        if let Some(c) = ck(name) {
            let o = format!("{key}_open");
            let cl = format!("{key}_close");
            rows.push(live(
                &o,
                &format!("{label}: opening"),
                "US$",
                vec![prev(&cl)],
                Some(c.opening.clone()),
            ));
            rows.push(live(
                &cl,
                &format!("{label}: closing"),
                "US$",
                vec![
                    plus(&o),
                    plus(&format!("{key}_add")),
                    minus(&format!("{key}_red")),
                ],
                Some(c.closing.clone()),
            ));
        }
    }
    rows.push(live(
        "re_open",
        "retained earnings: opening",
        "US$",
        vec![prev("re_close")],
        None,
    ));
    rows.push(live(
        "re_close",
        "retained earnings: closing",
        "US$",
        vec![plus("re_open"), plus("net_income"), minus("distributions")],
        Some(bsc(|b| b.retained_earnings_usd)),
    ));
    rows.push(heading("Balance sheet (live formulas)"));
    rows.push(live(
        "total_assets",
        "total assets",
        "US$",
        vec![
            plus("cash_close"),
            plus("dsra_close"),
            plus("receivables"),
            plus("inventory"),
            plus("vat_receivable"),
            plus("maintenance_reserve"),
            plus("fixed_assets_close"),
        ],
        Some(bsc(|b| b.total_assets_usd)),
    ));
    let debt_terms: Vec<Term> = (0..f.facility_names.len())
        .filter(|&i| rows.iter().any(|r| r.key == format!("fac{i}_close")))
        .map(|i| plus(&format!("fac{i}_close")))
        .collect();
    rows.push(live(
        "total_debt",
        "total debt",
        "US$",
        debt_terms,
        Some(bsc(|b| b.total_debt_usd)),
    ));
    rows.push(live(
        "total_liabilities",
        "total liabilities",
        "US$",
        vec![
            plus("payables"),
            plus("dsra_lc_drawn"),
            plus("tax_payable"),
            plus("vat_facility"),
            plus("total_debt"),
        ],
        Some(bsc(|b| b.total_liabilities_usd)),
    ));
    rows.push(live(
        "total_equity",
        "total equity",
        "US$",
        vec![plus("equity_paid_close"), plus("re_close")],
        Some(bsc(|b| b.total_equity_usd)),
    ));
    rows.push(live(
        "balance_check",
        "balance check: assets − liabilities − equity",
        "US$",
        vec![
            plus("total_assets"),
            minus("total_liabilities"),
            minus("total_equity"),
        ],
        None,
    ));
    rows
}

/// The live rows evaluated as the formulas do (an empty ratio is NaN).
pub fn evaluate(rows: &[Row], n: usize) -> HashMap<String, Vec<f64>> {
    let mut v: HashMap<String, Vec<f64>> = HashMap::new();
    // Corkscrews refer to the previous column of a later row: evaluate column by column.
    for r in rows {
        match &r.kind {
            RowKind::Input(x, _) => {
                v.insert(r.key.clone(), x.clone());
            }
            RowKind::Linear(_) | RowKind::Ratio(..) => {
                v.insert(r.key.clone(), vec![0.0; n]);
            }
            RowKind::Heading => {}
        }
    }
    for t in 0..n {
        for r in rows {
            let x = match &r.kind {
                RowKind::Linear(terms) => terms
                    .iter()
                    .map(|term| {
                        let s = &v[&term.key];
                        let x = if term.prev {
                            if t == 0 {
                                0.0
                            } else {
                                s[t - 1]
                            }
                        } else {
                            s[t]
                        };
                        term.coef * x
                    })
                    .sum(),
                RowKind::Ratio(a, b) => {
                    let (a, b) = (v[a][t], v[b][t]);
                    if b > 1e-6 {
                        a / b
                    } else {
                        f64::NAN
                    }
                }
                _ => continue,
            };
            v.get_mut(&r.key).expect("allocated")[t] = x;
        }
    }
    v
}

struct Formats {
    title: Format,
    bold: Format,
    header: Format,
    input_usd: Format,
    input_num: Format,
    live_usd: Format,
    ratio: Format,
    text: Format,
    note: Format,
    input_text: Format,
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
        ratio: Format::new().set_num_format("0.000"),
        text: Format::new(),
        note: Format::new()
            .set_italic()
            .set_font_color(Color::RGB(0x555555)),
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
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, title, &f.title)?;
    ws.write_string_with_format(2, 0, "line", &f.header)?;
    ws.write_string_with_format(2, 1, "unit", &f.header)?;
    ws.write_string_with_format(2, 2, "how", &f.header)?;
    ws.write_string_with_format(2, 3, "", &f.header)?;
    for (t, l) in labels.iter().enumerate() {
        ws.write_string_with_format(2, FIRST + t as u16, l, &f.header)?;
    }
    ws.set_column_width(0, 52)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 40)?;
    ws.set_column_width(3, 2)?;
    for t in 0..labels.len() {
        ws.set_column_width(FIRST + t as u16, 13)?;
    }
    ws.set_freeze_panes(TOP, FIRST)?;
    Ok(())
}

/// Renders the workbook.
pub fn render(r: &ReportStudy) -> Result<Vec<u8>, ExportError> {
    build(r).map_err(xe)
}

fn build(r: &ReportStudy) -> Result<Vec<u8>, XlsxError> {
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
        "Sheets: Inputs (every finance input, unit, source; named ranges) | Time (quarterly flags) | Production (manto's simulation output, input) |".into(),
        "Calculations (manto's flows as a labelled input block, then live formulas) | Outputs (annual roll-up, NPV, IRR, DSCR, balance check, checks against manto, charts).".into(),
        String::new(),
        "Colour code: blue on yellow = input (a scenario input, or a number manto computed and this workbook takes as given); black = live formula.".into(),
        "Live formulas (one per row, the same in every column): gross and net revenue, operating costs, EBITDA, cash flow before tax, CFADS, initial capex,".into(),
        "project cash flows before and after tax, senior debt service, DSCR, the corkscrews of every debt facility, cash, DSRA, fixed assets, equity and".into(),
        "retained earnings, the balance sheet totals and its check; on Outputs the annual roll-up, NPV (Excel NPV on the annual after-tax flows), IRR and min DSCR.".into(),
        "Not live (manto inputs): product revenues, costs, royalty, duty, taxes (the Mexican regime with loss pools), debt sculpting and interest,".into(),
        "DSRA and sweep decisions, working-capital balances, net income. Change one of those in Excel and the live rows follow; the rules that produce them do not.".into(),
        "Checked: scripts/check-reports.sh recalculates this workbook in LibreOffice and compares NPV, IRR, every quarter's DSCR and balance check with manto.".into(),
    ];
    for (i, l) in lines.iter().enumerate() {
        let fmt = if i == 0 { &fm.title } else { &fm.text };
        cover.write_string_with_format(i as u32, 0, l, fmt)?;
    }

    // ---- Inputs ----------------------------------------------------------------
    let mut names: Vec<(String, String)> = Vec::new();
    let mut rate_cells: Vec<(f64, String)> = Vec::new();
    {
        let ws = wb.add_worksheet().set_name("Inputs")?;
        ws.write_string_with_format(
            0,
            0,
            "Finance inputs of the scenario ([finance] table), as validated",
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
        let mut flat = Vec::new();
        flatten(
            "finance",
            &serde_json::to_value(&r.finance).unwrap_or_default(),
            &mut flat,
        );
        for (i, (key, value)) in flat.iter().enumerate() {
            let row = TOP + i as u32;
            ws.write_string(row, 0, key)?;
            match value {
                serde_json::Value::Number(x) => {
                    ws.write_number_with_format(row, 1, x.as_f64().unwrap_or(0.0), &fm.input_num)?;
                }
                serde_json::Value::Bool(b) => {
                    ws.write_boolean_with_format(row, 1, *b, &fm.input_num)?;
                }
                other => {
                    let s = other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_string);
                    ws.write_string_with_format(row, 1, &s, &fm.input_text)?;
                }
            }
            ws.write_string(row, 2, unit_of(key))?;
            ws.write_string(
                row,
                3,
                format!("scenario TOML, key `{key}` (its comment cites the source)"),
            )?;
            let cell = format!("Inputs!$B${}", row + 1);
            if key == "finance.covenants.min_dscr" {
                names.push(("Covenant_min_DSCR".into(), cell.clone()));
            } else if key == "finance.covenants.lock_up_dscr" {
                names.push(("Covenant_lock_up_DSCR".into(), cell.clone()));
            } else if let Some(idx) = key.strip_prefix("finance.metrics.discount_rates_pct[") {
                let rate = value.as_f64().unwrap_or(0.0);
                let name = format!("Discount_rate_{}", idx.trim_end_matches(']'));
                names.push((name.clone(), cell.clone()));
                rate_cells.push((rate, name));
            } else if key == "finance.timing.start_year" {
                names.push(("Start_year".into(), cell.clone()));
            }
        }
    }
    for (name, cell) in &names {
        wb.define_name(name, &format!("={cell}"))?;
    }

    // ---- Time ------------------------------------------------------------------
    {
        let ws = wb.add_worksheet().set_name("Time")?;
        time_header(
            ws,
            &fm,
            "Timeline: one column per quarter (manto's finance timeline)",
            &labels,
        )?;
        type G = fn(&finance::result::PeriodRow) -> f64;
        let rows: [(&str, &str, G); 7] = [
            ("period number", "#", |p| p.period as f64),
            ("calendar year", "year", |p| f64::from(p.year)),
            ("quarter of the year", "#", |p| f64::from(p.quarter)),
            ("construction flag", "0/1", |p| p.construction),
            ("ramp-up flag", "0/1", |p| p.ramp_up),
            ("operations flag", "0/1", |p| p.operations),
            ("closure flag", "0/1", |p| p.closure),
        ];
        for (i, (label, unit, g)) in rows.iter().enumerate() {
            let row = TOP + i as u32;
            ws.write_string(row, 0, *label)?;
            ws.write_string(row, 1, *unit)?;
            ws.write_string(row, 2, "manto timeline (finance.timing)")?;
            for (t, p) in q.iter().enumerate() {
                ws.write_number_with_format(row, FIRST + t as u16, g(p), &fm.input_num)?;
            }
        }
    }
    let time_year_row = TOP + 1;

    // ---- Production --------------------------------------------------------------
    {
        let ws = wb.add_worksheet().set_name("Production")?;
        time_header(
            ws,
            &fm,
            &format!(
                "Production valued: manto's simulation output ({} source), placed on the finance timeline",
                r.run.production_source
            ),
            &labels,
        )?;
        type G = fn(&finance::result::PeriodRow) -> f64;
        let rows: [(&str, &str, G); 5] = [
            ("plant feed", "dry t", |p| p.plant_feed_dry_t),
            ("copper cathode", "t", |p| p.cu_cathode_t),
            ("cobalt cathode", "t", |p| p.co_cathode_t),
            ("zinc sulphate", "t", |p| p.znso4_t),
            ("manganese carbonate", "t", |p| p.mnco3_t),
        ];
        for (i, (label, unit, g)) in rows.iter().enumerate() {
            let row = TOP + i as u32;
            ws.write_string(row, 0, *label)?;
            ws.write_string(row, 1, *unit)?;
            ws.write_string(row, 2, "manto simulation output (input)")?;
            for (t, p) in q.iter().enumerate() {
                ws.write_number_with_format(row, FIRST + t as u16, g(p), &fm.input_usd)?;
            }
        }
    }

    // ---- Calculations --------------------------------------------------------------
    let rows = calc_rows(f);
    let mut at: HashMap<String, u32> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        at.insert(r.key.clone(), TOP + i as u32);
    }
    {
        let ws = wb.add_worksheet().set_name("Calculations")?;
        time_header(
            ws,
            &fm,
            "Calculations: quarterly, US$ unless stated",
            &labels,
        )?;
        for (i, row) in rows.iter().enumerate() {
            let xr = TOP + i as u32;
            match &row.kind {
                RowKind::Heading => {
                    ws.write_string_with_format(xr, 0, &row.label, &fm.bold)?;
                    continue;
                }
                RowKind::Input(v, src) => {
                    ws.write_string(xr, 0, &row.label)?;
                    ws.write_string(xr, 2, format!("input: {src}"))?;
                    for (t, x) in v.iter().enumerate() {
                        ws.write_number_with_format(xr, FIRST + t as u16, *x, &fm.input_usd)?;
                    }
                }
                RowKind::Linear(terms) => {
                    ws.write_string(xr, 0, &row.label)?;
                    ws.write_string(xr, 2, format!("formula: {}", describe(terms, &rows)))?;
                    for t in 0..n {
                        let c = FIRST + t as u16;
                        let mut s = String::from("=");
                        for (k, term) in terms.iter().enumerate() {
                            let sign = if term.coef < 0.0 {
                                "-"
                            } else if k > 0 {
                                "+"
                            } else {
                                ""
                            };
                            let refc = if term.prev {
                                if t == 0 {
                                    "0".to_string()
                                } else {
                                    row_col_to_cell(at[&term.key], c - 1)
                                }
                            } else {
                                row_col_to_cell(at[&term.key], c)
                            };
                            s.push_str(sign);
                            s.push_str(&refc);
                        }
                        ws.write_formula_with_format(xr, c, s.as_str(), &fm.live_usd)?;
                    }
                }
                RowKind::Ratio(a, b) => {
                    ws.write_string(xr, 0, &row.label)?;
                    ws.write_string(
                        xr,
                        2,
                        "formula: IF(debt service > 1e-6, CFADS / debt service, empty)",
                    )?;
                    for t in 0..n {
                        let c = FIRST + t as u16;
                        let (na, nb) = (row_col_to_cell(at[a], c), row_col_to_cell(at[b], c));
                        ws.write_formula_with_format(
                            xr,
                            c,
                            format!("=IF({nb}>0.000001,{na}/{nb},\"\")").as_str(),
                            &fm.ratio,
                        )?;
                    }
                }
            }
            ws.write_string(xr, 1, row.unit)?;
        }
    }

    // ---- Outputs -----------------------------------------------------------------
    {
        let years: Vec<i32> = {
            let mut y: Vec<i32> = q.iter().map(|p| p.year).collect();
            y.dedup();
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
            ws.write_number_with_format(2, FIRST + k as u16, f64::from(*y), &fm.header)?;
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
        ];
        let mut annual_row: HashMap<&str, u32> = HashMap::new();
        for (i, (key, label)) in annual_keys.iter().enumerate() {
            let xr = TOP + i as u32;
            annual_row.insert(key, xr);
            ws.write_string(xr, 0, *label)?;
            ws.write_string(xr, 1, "US$")?;
            ws.write_string(xr, 2, "SUMIF over Time's year row")?;
            let cr = at[*key] + 1;
            let range = format!(
                "Calculations!${}${cr}:${}${cr}",
                column_number_to_name(FIRST),
                column_number_to_name(last_col)
            );
            for k in 0..ny {
                let c = FIRST + k;
                let yc = row_col_to_cell(2, c);
                ws.write_formula_with_format(
                    xr,
                    c,
                    format!("=SUMIF({tyr},{yc},{range})").as_str(),
                    &fm.live_usd,
                )?;
            }
        }
        // Returns and cover.
        let mut xr = TOP + annual_keys.len() as u32 + 1;
        ws.write_string_with_format(xr, 0, "returns and cover", &fm.header)?;
        ws.write_string_with_format(xr, 2, "workbook (live)", &fm.header)?;
        ws.write_string_with_format(xr, 3, "manto", &fm.header)?;
        ws.write_string_with_format(xr, FIRST, "relative difference", &fm.header)?;
        xr += 1;
        let pat = annual_row["project_cf_after_tax"] + 1;
        let annual_range = format!(
            "${}${pat}:${}${pat}",
            column_number_to_name(FIRST),
            column_number_to_name(FIRST + ny - 1)
        );
        let m = &f.metrics;
        let mut checks: Vec<(String, String, &'static str, f64)> = Vec::new();
        for (rate, name) in &rate_cells {
            let manto = m
                .npv
                .iter()
                .find(|x| x.discount_rate_pct == *rate)
                .map_or(f64::NAN, |x| x.project_after_tax_usd);
            checks.push((
                format!("project NPV after tax at {rate}%"),
                format!("=NPV({name}/100,{annual_range})"),
                "US$",
                manto,
            ));
        }
        checks.push((
            "project IRR after tax".into(),
            format!("=IRR({annual_range})*100"),
            "%",
            m.project_irr_after_tax_pct.unwrap_or(f64::NAN),
        ));
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
        let mut check_rows = Vec::new();
        for (label, formula, unit, manto) in &checks {
            ws.write_string(xr, 0, label)?;
            ws.write_string(xr, 1, *unit)?;
            let fmt = if *unit == "US$" {
                &fm.live_usd
            } else {
                &fm.ratio
            };
            ws.write_formula_with_format(xr, 2, formula.as_str(), fmt)?;
            if manto.is_finite() {
                ws.write_number_with_format(xr, 3, *manto, &fm.input_num)?;
            } else {
                ws.write_string_with_format(xr, 3, "n/a", &fm.input_text)?;
            }
            let (a, b) = (row_col_to_cell(xr, 2), row_col_to_cell(xr, 3));
            ws.write_formula_with_format(
                xr,
                FIRST,
                format!("=IFERROR(ABS({a}-{b})/MAX(1,ABS({b})),\"n/a\")").as_str(),
                &fm.note,
            )?;
            check_rows.push(xr);
            xr += 1;
        }
        // Quarterly cover and balance check against manto.
        xr += 1;
        ws.write_string_with_format(xr, 0, "by quarter", &fm.header)?;
        for (t, l) in labels.iter().enumerate() {
            ws.write_string_with_format(xr, FIRST + t as u16, l, &fm.header)?;
        }
        xr += 1;
        let quarter_rows: [(&str, &str, &str, Vec<f64>); 4] = [
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
                        ws.write_number_with_format(xr, c, v, &fm.input_num)?;
                    }
                } else {
                    ws.write_formula_with_format(
                        xr,
                        c,
                        format!("=Calculations!{}", row_col_to_cell(at[*key], c)).as_str(),
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
            ws.write_string(xr, 0, label)?;
            ws.write_string(xr, 1, "x")?;
            ws.write_string(xr, 2, "named input on Inputs")?;
            for t in 0..n {
                ws.write_formula_with_format(
                    xr,
                    FIRST + t as u16,
                    format!("={name}").as_str(),
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
            .set_name("CFADS and senior debt service, US$ per quarter");
        calc_series(&mut c1, "cfads", "CFADS");
        calc_series(&mut c1, "senior_ds", "senior debt service");
        c1.x_axis().set_name("quarter");
        c1.y_axis().set_name("US$");
        c1.set_width(900).set_height(320);
        ws.insert_chart(xr + 3, 0, &c1)?;
        let mut c2 = Chart::new(ChartType::Line);
        c2.title().set_name("DSCR by quarter");
        c2.add_series()
            .set_name("DSCR")
            .set_categories((
                "Outputs",
                dscr_out_row - 1,
                FIRST,
                dscr_out_row - 1,
                last_col,
            ))
            .set_values(("Outputs", dscr_out_row, FIRST, dscr_out_row, last_col));
        for row in covenant_row..xr {
            c2.add_series()
                .set_name(("Outputs", row, 0))
                .set_categories((
                    "Outputs",
                    dscr_out_row - 1,
                    FIRST,
                    dscr_out_row - 1,
                    last_col,
                ))
                .set_values(("Outputs", row, FIRST, row, last_col));
        }
        c2.x_axis().set_name("quarter");
        c2.y_axis().set_name("cover ratio, x");
        c2.set_width(900).set_height(320);
        ws.insert_chart(xr + 21, 0, &c2)?;
        let mut c3 = Chart::new(ChartType::Column);
        c3.title()
            .set_name("Project cash flow after tax by year, US$");
        c3.add_series()
            .set_name("project cash flow after tax")
            .set_categories(("Outputs", 2, FIRST, 2, FIRST + ny - 1))
            .set_values(("Outputs", pat - 1, FIRST, pat - 1, FIRST + ny - 1));
        c3.x_axis().set_name("calendar year");
        c3.y_axis().set_name("US$");
        c3.set_width(900).set_height(320);
        ws.insert_chart(xr + 39, 0, &c3)?;
        ws.set_active(true);
    }
    wb.save_to_buffer()
}

/// A linear formula in words, for the "how" column.
fn describe(terms: &[Term], rows: &[Row]) -> String {
    let label = |k: &str| {
        rows.iter()
            .find(|r| r.key == k)
            .map_or(k.to_string(), |r| r.label.clone())
    };
    let mut s = String::new();
    for (i, t) in terms.iter().enumerate() {
        if t.coef < 0.0 {
            s.push_str(" − ");
        } else if i > 0 {
            s.push_str(" + ");
        }
        s.push_str(&label(&t.key));
        if t.prev {
            s.push_str(" (previous quarter)");
        }
    }
    s
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

/// The unit a key's name carries (manto's keys end in their unit).
fn unit_of(key: &str) -> &'static str {
    let last = key.rsplit('.').next().unwrap_or(key);
    let last = last.split('[').next().unwrap_or(last);
    const UNITS: [(&str, &str); 24] = [
        ("_usd_per_lb", "US$/lb"),
        ("_usd_per_t", "US$/t"),
        ("_usd_per_dry_t", "US$/dry t"),
        ("_usd_per_year", "US$/year"),
        ("_usd_per_quarter", "US$/quarter"),
        ("_usd_per_bolt", "US$/bolt"),
        ("_usd_per_m", "US$/m"),
        ("_usd_per_kwh", "US$/kWh"),
        ("_usd_per_person_year", "US$/person/year"),
        ("_usd", "US$"),
        ("_pct", "%"),
        ("_years", "years"),
        ("_year", "year"),
        ("_quarters", "quarters"),
        ("_quarter", "quarter"),
        ("_days", "days"),
        ("_t", "t"),
        ("_kwh_per_t", "kWh/t"),
        ("_t_per_t", "t/t"),
        ("_lb", "lb"),
        ("_dscr", "x"),
        ("dscr", "x"),
        ("_x", "x"),
        ("_months", "months"),
    ];
    UNITS
        .iter()
        .find(|(s, _)| last.ends_with(s))
        .map_or("see docs/finance.md", |(_, u)| *u)
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
    }
}
