//! Tables of a finance run ([`finance::FinanceResult`]): headline metrics, the annual and
//! quarterly cash-flow waterfalls, the facilities, the three condensed quarterly statements
//! and the covenant events.
//!
//! Every table goes to CSV with money in plain USD at full precision (columns named
//! `*_usd`); the terminal shows a compact view ([`Output::terminal_tables`]): the metrics,
//! an annual summary in US$ millions (columns named `*_musd`) and the facilities.
//! Undefined ratios (no debt service, no senior debt) are empty cells.

use crate::export::Output;
use crate::{Cell, Table};
use finance::config::FacilityKind;
use finance::result::{FacilitySummary, Metrics, PeriodRow};
use finance::FinanceResult;

/// Decimals shown for USD amounts (CSV keeps full precision).
const USD: usize = 0;
/// Decimals shown for US$ millions.
const MUSD: usize = 1;
/// Decimals shown for ratios (DSCR, LLCR).
const RATIO: usize = 2;

fn usd(v: f64) -> Cell {
    Cell::Num(v, USD)
}

/// US$ millions for the terminal; a float residue that rounds to zero shows as `0.0`, not
/// `-0.0`.
fn musd(v: f64) -> Cell {
    let m = v / 1e6;
    let shown_as_zero = (m * 10f64.powi(MUSD as i32)).round() == 0.0;
    Cell::Num(if shown_as_zero { 0.0 } else { m }, MUSD)
}

fn text(v: &Option<String>) -> Cell {
    Cell::Text(v.clone().unwrap_or_default())
}

/// True for the facilities that are debt (loans and the lease), by facility order.
fn debt_mask(r: &FinanceResult) -> Vec<bool> {
    r.facilities
        .iter()
        .map(|f| f.kind != FacilityKind::Equity.as_str())
        .collect()
}

/// Sum over the debt facilities of one line of a period row.
fn debt_sum(row: &PeriodRow, debt: &[bool], line: fn(&finance::result::FacilityRow) -> f64) -> f64 {
    row.facilities
        .iter()
        .zip(debt)
        .filter(|(_, d)| **d)
        .map(|(f, _)| line(f))
        .sum()
}

/// `construction`, `ramp_up`, `operations`, `closure`, joined with `+` when a calendar
/// year spans several (ramp-up is a subset of operations: listed once).
fn phase(r: &PeriodRow) -> String {
    let mut p = Vec::new();
    if r.construction > 0.0 {
        p.push("construction");
    }
    if r.ramp_up > 0.0 {
        p.push("ramp_up");
    }
    if r.operations - r.ramp_up > 1e-9 {
        p.push("operations");
    }
    if r.closure > 0.0 {
        p.push("closure");
    }
    p.join("+")
}

/// A waterfall column: its name and how a period row fills it (each column defined once).
type Column = (&'static str, fn(&PeriodRow, &[bool]) -> Cell);

/// Columns of the waterfall tables after the period label, in order.
const WATERFALL: [Column; 65] = [
    ("phase", |r, _| phase(r).into()),
    ("plant_feed_dry_t", |r, _| Cell::Num(r.plant_feed_dry_t, 0)),
    ("cu_cathode_t", |r, _| Cell::Num(r.cu_cathode_t, 0)),
    ("revenue_cu_usd", |r, _| usd(r.revenue_cu_usd)),
    ("revenue_co_usd", |r, _| usd(r.revenue_co_usd)),
    ("revenue_znso4_usd", |r, _| usd(r.revenue_znso4_usd)),
    ("revenue_mnco3_usd", |r, _| usd(r.revenue_mnco3_usd)),
    ("gross_revenue_usd", |r, _| usd(r.gross_revenue_usd)),
    ("refining_usd", |r, _| usd(r.refining_usd)),
    ("freight_usd", |r, _| usd(r.freight_usd)),
    ("insurance_usd", |r, _| usd(r.insurance_usd)),
    ("net_revenue_usd", |r, _| usd(r.net_revenue_usd)),
    ("opex_usd", |r, _| usd(r.opex_total_usd)),
    ("royalty_usd", |r, _| usd(r.royalty_usd)),
    ("closure_cost_usd", |r, _| usd(r.closure_cost_usd)),
    ("ebitda_usd", |r, _| usd(r.ebitda_usd)),
    ("mining_duty_usd", |r, _| usd(r.mining_duty_usd)),
    ("ptu_usd", |r, _| usd(r.ptu_usd)),
    ("income_tax_usd", |r, _| usd(r.income_tax_usd)),
    ("working_capital_increase_usd", |r, _| {
        usd(r.working_capital_increase_usd)
    }),
    ("capex_initial_usd", |r, _| usd(r.capex_initial_usd)),
    ("capex_sustaining_usd", |r, _| usd(r.capex_sustaining_usd)),
    ("cfads_usd", |r, _| usd(r.cfads_usd)),
    ("debt_drawn_usd", |r, debt| {
        usd(debt_sum(r, debt, |f| f.drawdown_usd))
    }),
    ("capitalised_interest_usd", |r, _| {
        usd(r
            .facilities
            .iter()
            .map(|f| f.capitalised_interest_usd)
            .sum())
    }),
    ("fees_usd", |r, _| {
        usd(r.facilities.iter().map(|f| f.fees_usd).sum())
    }),
    ("senior_interest_usd", |r, _| usd(r.senior_interest_usd)),
    ("senior_principal_usd", |r, _| usd(r.senior_principal_usd)),
    ("senior_debt_service_usd", |r, _| {
        usd(r.senior_debt_service_usd)
    }),
    ("sub_debt_service_usd", |r, _| usd(r.sub_debt_service_usd)),
    ("cash_sweep_usd", |r, _| usd(r.cash_sweep_usd)),
    ("dsra_funding_usd", |r, _| usd(r.dsra_funding_usd)),
    ("dsra_release_usd", |r, _| usd(r.dsra_release_usd)),
    ("dsra_balance_usd", |r, _| usd(r.dsra_balance_usd)),
    ("equity_contributions_usd", |r, _| {
        usd(r.equity_contributions_usd)
    }),
    ("sponsor_support_usd", |r, _| usd(r.sponsor_support_usd)),
    ("distributions_usd", |r, _| usd(r.distributions_usd)),
    ("equity_cash_flow_usd", |r, _| usd(r.equity_cash_flow_usd)),
    ("project_cash_flow_pre_tax_usd", |r, _| {
        usd(r.project_cash_flow_pre_tax_usd)
    }),
    ("tax_unlevered_usd", |r, _| usd(r.tax_unlevered_usd)),
    ("project_cash_flow_after_tax_usd", |r, _| {
        usd(r.project_cash_flow_after_tax_usd)
    }),
    ("dscr", |r, _| Cell::opt(r.dscr, RATIO)),
    ("llcr", |r, _| Cell::opt(r.llcr, RATIO)),
    ("lock_up", |r, _| {
        Cell::Num(if r.lock_up { 1.0 } else { 0.0 }, 0)
    }),
    ("debt_principal_repaid_usd", |r, debt| {
        usd(debt_sum(r, debt, |f| f.principal_usd))
    }),
    ("debt_prepaid_usd", |r, debt| {
        usd(debt_sum(r, debt, |f| f.prepayment_usd))
    }),
    ("closing_debt_usd", |r, debt| {
        usd(debt_sum(r, debt, |f| f.closing_balance_usd))
    }),
    ("cash_usd", |r, _| usd(r.cash_usd)),
    ("ietu_usd", |r, _| usd(r.ietu_usd)),
    ("tax_losses_used_usd", |r, _| usd(r.tax_losses_used_usd)),
    ("income_tax_paid_usd", |r, _| usd(r.income_tax_paid_usd)),
    ("tax_true_up_usd", |r, _| usd(r.tax_true_up_usd)),
    ("tax_payable_usd", |r, _| usd(r.tax_payable_usd)),
    ("vat_paid_usd", |r, _| usd(r.vat_paid_usd)),
    ("vat_refund_usd", |r, _| usd(r.vat_refund_usd)),
    ("vat_receivable_usd", |r, _| usd(r.vat_receivable_usd)),
    ("vat_facility_interest_usd", |r, _| {
        usd(r.vat_facility_interest_usd)
    }),
    ("vat_facility_balance_usd", |r, _| {
        usd(r.vat_facility_balance_usd)
    }),
    ("dsra_lc_drawing_usd", |r, _| usd(r.dsra_lc_drawing_usd)),
    ("dsra_lc_repayment_usd", |r, _| usd(r.dsra_lc_repayment_usd)),
    ("dsra_lc_cost_usd", |r, _| usd(r.dsra_lc_cost_usd)),
    ("dsra_lc_balance_usd", |r, _| usd(r.dsra_lc_balance_usd)),
    ("maintenance_reserve_funding_usd", |r, _| {
        usd(r.maintenance_reserve_funding_usd)
    }),
    ("maintenance_reserve_release_usd", |r, _| {
        usd(r.maintenance_reserve_release_usd)
    }),
    ("maintenance_reserve_balance_usd", |r, _| {
        usd(r.maintenance_reserve_balance_usd)
    }),
];

/// One waterfall row (annual or quarterly), label first, then [`WATERFALL`].
fn waterfall_row(r: &PeriodRow, debt: &[bool]) -> Vec<Cell> {
    std::iter::once(r.label.clone().into())
        .chain(WATERFALL.iter().map(|(_, cell)| cell(r, debt)))
        .collect()
}

fn waterfall(name: &str, title: &str, label: &str, rows: &[PeriodRow], debt: &[bool]) -> Table {
    let mut cols = vec![label];
    cols.extend(WATERFALL.iter().map(|(name, _)| *name));
    let mut t = Table::new(name, title, &cols);
    for r in rows {
        t.push(waterfall_row(r, debt));
    }
    t
}

/// The rate as written in a metric name: `8` for 8.0, `7_5` for 7.5.
pub(crate) fn rate_name(pct: f64) -> String {
    format!("{pct}").replace('.', "_")
}

/// One headline metric, defined once for every place that shows it: its key (the CSV's
/// `metric` column), its label (the `manto run` headline), its value and unit, and the
/// amount in USD for money (the headline shows it in US$ millions).
pub(crate) struct Metric {
    /// Snake-case key, e.g. `project_npv_after_tax_8pct`.
    pub key: String,
    /// Words, e.g. `project NPV after tax at 8%`.
    pub label: String,
    /// The value as the metrics table shows it.
    pub value: Cell,
    /// Its unit.
    pub unit: &'static str,
    /// The amount, for money.
    pub usd: Option<f64>,
}

/// Every headline metric of a finance result, in the metrics table's order.
pub(crate) fn metric_list(m: &Metrics) -> Vec<Metric> {
    let mut out = Vec::new();
    let mut push = |key: String, label: String, value: Cell, unit: &'static str| {
        let usd = match (&value, unit) {
            (Cell::Num(v, _), "USD") => Some(*v),
            _ => None,
        };
        out.push(Metric {
            key,
            label,
            value,
            unit,
            usd,
        });
    };
    type Npv = fn(&finance::result::NpvAtRate) -> f64;
    let npvs: [(&str, &str, Npv); 3] = [
        ("project_npv_after_tax", "project NPV after tax", |n| {
            n.project_after_tax_usd
        }),
        ("project_npv_pre_tax", "project NPV before tax", |n| {
            n.project_pre_tax_usd
        }),
        ("equity_npv", "equity NPV", |n| n.equity_usd),
    ];
    // The valuation convention, in short values (the whole sentence is the metrics table's
    // title and `metrics.npv_convention.description` in the JSON).
    let conv = &m.npv_convention;
    let basis = match conv.basis {
        finance::config::Basis::Nominal => "nominal USD".to_string(),
        finance::config::Basis::Real => format!("real USD of {}", conv.base_year),
    };
    let timing = match conv.timing {
        finance::config::NpvTiming::EndOfYear => "year end",
        finance::config::NpvTiming::MidYear => "mid-year",
    };
    let decks = match conv.decks {
        finance::config::Basis::Nominal => "nominal as typed".to_string(),
        finance::config::Basis::Real => format!("real {}, escalated", conv.base_year),
    };
    for (key, label, value) in [
        (
            "npv_convention",
            "NPV convention",
            format!("{basis}, {timing}, annual to {}", conv.discounted_to),
        ),
        ("price_and_cost_decks", "price and cost decks", decks),
        (
            "fiscal_rules",
            "fiscal rules",
            conv.fiscal_rules
                .clone()
                .unwrap_or_else(|| "rates as typed".to_string()),
        ),
    ] {
        push(key.into(), label.into(), Cell::Text(value), "");
    }
    for (key, label, get) in npvs {
        for n in &m.npv {
            push(
                format!("{key}_{}pct", rate_name(n.discount_rate_pct)),
                format!("{label} at {}%", n.discount_rate_pct),
                usd(get(n)),
                "USD",
            );
        }
    }
    let rows: [(&str, &str, Cell, &'static str); 24] = [
        (
            "project_irr_after_tax",
            "project IRR after tax",
            Cell::opt(m.project_irr_after_tax_pct, 1),
            "%",
        ),
        (
            "project_irr_after_tax_quarterly",
            "project IRR after tax, quarterly flows",
            Cell::opt(m.project_irr_after_tax_quarterly_pct, 1),
            "% a year",
        ),
        (
            "project_irr_pre_tax",
            "project IRR before tax",
            Cell::opt(m.project_irr_pre_tax_pct, 1),
            "%",
        ),
        (
            "equity_irr",
            "equity IRR",
            Cell::opt(m.equity_irr_pct, 1),
            "%",
        ),
        (
            "payback_from_start_of_construction",
            "payback from start of construction",
            Cell::opt(m.payback_years, 1),
            "years",
        ),
        (
            "payback_from_first_production",
            "payback from first production",
            Cell::opt(m.payback_from_first_production_years, 1),
            "years",
        ),
        (
            "min_dscr",
            "minimum DSCR",
            Cell::opt(m.min_dscr, RATIO),
            "x",
        ),
        (
            "avg_dscr",
            "average DSCR",
            Cell::opt(m.avg_dscr, RATIO),
            "x",
        ),
        (
            "min_llcr",
            "minimum LLCR",
            Cell::opt(m.min_llcr, RATIO),
            "x",
        ),
        (
            "avg_llcr",
            "average LLCR",
            Cell::opt(m.avg_llcr, RATIO),
            "x",
        ),
        (
            "initial_capex",
            "initial capex",
            usd(m.initial_capex_usd),
            "USD",
        ),
        (
            "sustaining_capex",
            "sustaining capex",
            usd(m.sustaining_capex_usd),
            "USD",
        ),
        ("total_capex", "total capex", usd(m.total_capex_usd), "USD"),
        (
            "closure_cost",
            "closure cost",
            usd(m.closure_cost_usd),
            "USD",
        ),
        (
            "peak_funding",
            "peak funding",
            usd(m.peak_funding_usd),
            "USD",
        ),
        (
            "peak_senior_debt",
            "peak senior debt",
            usd(m.peak_senior_debt_usd),
            "USD",
        ),
        (
            "sponsor_support",
            "sponsor support",
            usd(m.sponsor_support_usd),
            "USD",
        ),
        (
            "loan_life",
            "loan life",
            Cell::opt(m.loan_life_years, 2),
            "years",
        ),
        (
            "senior_debt_repaid",
            "senior debt repaid",
            text(&m.senior_debt_repaid),
            "quarter",
        ),
        (
            "first_four_years_cu_cathode",
            "copper cathode, first four years",
            Cell::Num(m.first_four_years_cu_t_per_year, 0),
            "t/y",
        ),
        (
            "first_four_years_cash_cost_net_of_by_products",
            "cash cost net of by-products, first four years",
            Cell::opt(m.first_four_years_cash_cost_usd_per_lb_cu, 3),
            "USD/lb Cu",
        ),
        (
            "life_of_mine_cu_cathode",
            "copper cathode, life of mine",
            Cell::Num(m.life_of_mine_cu_t, 0),
            "t",
        ),
        (
            "lock_up_quarters",
            "lock-up quarters",
            Cell::Num(m.lock_up_quarters as f64, 0),
            "quarters",
        ),
        (
            "default_quarters",
            "covenant default quarters",
            Cell::Num(m.default_quarters as f64, 0),
            "quarters",
        ),
    ];
    for (key, label, value, unit) in rows {
        push(key.into(), label.into(), value, unit);
    }
    // A check, not money: shown to the microdollar, never converted.
    out.push(Metric {
        key: "max_balance_check".into(),
        label: "largest balance-sheet difference".into(),
        value: Cell::Num(m.max_balance_check_usd, 6),
        unit: "USD",
        usd: None,
    });
    out
}

fn metrics_table(r: &FinanceResult) -> Table {
    let title = format!(
        "Headline results (NPV: {})",
        r.metrics.npv_convention.description
    );
    let mut t = Table::new("metrics", &title, &["metric", "value", "unit"]);
    for m in metric_list(&r.metrics) {
        t.push(vec![m.key.into(), m.value, m.unit.into()]);
    }
    if !r.debt_sizing.sized_on.is_empty() {
        t.push(vec![
            "debt_sized_on".into(),
            r.debt_sizing.sized_on.clone().into(),
            "".into(),
        ]);
    }
    t
}

fn notes_table(r: &FinanceResult) -> Table {
    let mut t = Table::new("notes", "Notes on the IRRs", &["n", "note"]);
    for (i, n) in r.metrics.irr_notes.iter().enumerate() {
        t.push(vec![format!("{}", i + 1).into(), n.clone().into()]);
    }
    t
}

/// Lifetime sum of one line of facility `i` over the quarters.
fn facility_total(
    r: &FinanceResult,
    i: usize,
    line: fn(&finance::result::FacilityRow) -> f64,
) -> f64 {
    r.quarterly
        .iter()
        .filter_map(|q| q.facilities.get(i))
        .map(line)
        .sum()
}

fn facilities_table(r: &FinanceResult) -> Table {
    let mut t = Table::new(
        "facilities",
        "Facilities (final_repayment: quarter the balance reached zero; maturity: contractual)",
        &[
            "facility",
            "kind",
            "commitment_usd",
            "drawn_usd",
            "capitalised_interest_usd",
            "fees_usd",
            "interest_usd",
            "principal_usd",
            "prepaid_usd",
            "peak_balance_usd",
            "first_drawdown",
            "first_repayment",
            "final_repayment",
            "maturity",
        ],
    );
    for (i, f) in r.facilities.iter().enumerate() {
        t.push(vec![
            f.name.clone().into(),
            f.kind.clone().into(),
            usd(f.commitment_usd),
            usd(f.drawn_usd),
            usd(f.capitalised_interest_usd),
            usd(facility_total(r, i, |x| x.fees_usd)),
            usd(facility_total(r, i, |x| x.interest_usd)),
            usd(facility_total(r, i, |x| x.principal_usd)),
            usd(facility_total(r, i, |x| x.prepayment_usd)),
            usd(f.peak_balance_usd),
            text(&f.first_drawdown),
            text(&f.first_repayment),
            text(&f.repaid),
            text(&f.maturity),
        ]);
    }
    t
}

/// The facilities in US$ millions, for the terminal.
fn facilities_terminal(r: &FinanceResult) -> Table {
    let mut t = Table::new(
        "facilities",
        "Facilities, US$ millions (idc: interest capitalised in construction; repaid: balance reached zero)",
        &[
            "facility",
            "kind",
            "commitment_musd",
            "drawn_musd",
            "idc_musd",
            "fees_musd",
            "peak_musd",
            "first_draw",
            "first_repay",
            "repaid",
            "maturity",
        ],
    );
    for (i, f) in r.facilities.iter().enumerate() {
        let FacilitySummary {
            name,
            kind,
            commitment_usd,
            drawn_usd,
            capitalised_interest_usd,
            peak_balance_usd,
            first_drawdown,
            first_repayment,
            maturity,
            repaid,
            ..
        } = f;
        t.push(vec![
            name.clone().into(),
            kind.clone().into(),
            musd(*commitment_usd),
            musd(*drawn_usd),
            musd(*capitalised_interest_usd),
            musd(facility_total(r, i, |x| x.fees_usd)),
            musd(*peak_balance_usd),
            text(first_drawdown),
            text(first_repayment),
            text(repaid),
            text(maturity),
        ]);
    }
    t
}

/// The annual waterfall in US$ millions with the columns an analyst reads first.
fn annual_terminal(r: &FinanceResult, debt: &[bool]) -> Table {
    let mut t = Table::new(
        "annual_summary",
        "Annual waterfall, US$ millions (revenue net of TC/RC and freight; opex with royalty and closure; taxes = duty + PTU + ISR)",
        &[
            "year",
            "revenue_musd",
            "opex_musd",
            "taxes_musd",
            "capex_musd",
            "cfads_musd",
            "senior_ds_musd",
            "dscr",
            "llcr",
            "distributions_musd",
            "closing_debt_musd",
            "cash_musd",
        ],
    );
    for a in &r.annual {
        t.push(vec![
            a.label.clone().into(),
            musd(a.net_revenue_usd),
            musd(a.opex_total_usd + a.royalty_usd + a.closure_cost_usd),
            musd(a.mining_duty_usd + a.ptu_usd + a.income_tax_usd),
            musd(a.capex_initial_usd + a.capex_sustaining_usd),
            musd(a.cfads_usd),
            musd(a.senior_debt_service_usd),
            Cell::opt(a.dscr, RATIO),
            Cell::opt(a.llcr, RATIO),
            musd(a.distributions_usd),
            musd(debt_sum(a, debt, |f| f.closing_balance_usd)),
            musd(a.cash_usd),
        ]);
    }
    t
}

fn income_statement(r: &FinanceResult) -> Table {
    let mut t = Table::new(
        "income_statement",
        "Income statement by quarter, USD",
        &[
            "quarter",
            "revenue_usd",
            "operating_costs_usd",
            "royalty_usd",
            "closure_cost_usd",
            "ebitda_usd",
            "depreciation_usd",
            "ebit_usd",
            "interest_expense_usd",
            "profit_before_tax_usd",
            "mining_duty_usd",
            "ptu_usd",
            "income_tax_usd",
            "net_income_usd",
        ],
    );
    for s in &r.income_statement {
        t.push(vec![
            s.label.clone().into(),
            usd(s.revenue_usd),
            usd(s.operating_costs_usd),
            usd(s.royalty_usd),
            usd(s.closure_cost_usd),
            usd(s.ebitda_usd),
            usd(s.depreciation_usd),
            usd(s.ebit_usd),
            usd(s.interest_expense_usd),
            usd(s.profit_before_tax_usd),
            usd(s.mining_duty_usd),
            usd(s.ptu_usd),
            usd(s.income_tax_usd),
            usd(s.net_income_usd),
        ]);
    }
    t
}

/// `Term loan` becomes `term_loan`; a name met twice gets its position appended.
fn slugs(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let s: String = n
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let s = if s.is_empty() || out.contains(&s) {
            format!("{s}_{}", i + 1)
        } else {
            s
        };
        out.push(s);
    }
    out
}

fn balance_sheet(r: &FinanceResult, debt: &[bool]) -> Table {
    let slug = slugs(&r.facility_names);
    let debt_idx: Vec<usize> = (0..slug.len())
        .filter(|&i| debt.get(i).copied().unwrap_or(true))
        .collect();
    let debt_cols: Vec<String> = debt_idx
        .iter()
        .map(|&i| format!("debt_{}_usd", slug[i]))
        .collect();
    let mut cols: Vec<&str> = vec![
        "quarter",
        "cash_usd",
        "dsra_usd",
        "receivables_usd",
        "inventory_usd",
        "vat_receivable_usd",
        "maintenance_reserve_usd",
        "fixed_assets_net_usd",
        "total_assets_usd",
        "payables_usd",
        "dsra_lc_drawn_usd",
        "tax_payable_usd",
        "vat_facility_usd",
    ];
    cols.extend(debt_cols.iter().map(String::as_str));
    cols.extend([
        "total_debt_usd",
        "total_liabilities_usd",
        "equity_contributed_usd",
        "retained_earnings_usd",
        "total_equity_usd",
        "balance_check_usd",
    ]);
    let mut t = Table::new(
        "balance_sheet",
        "Balance sheet at quarter end, USD (balance_check = assets - liabilities - equity)",
        &cols,
    );
    for b in &r.balance_sheet {
        let mut row: Vec<Cell> = vec![
            b.label.clone().into(),
            usd(b.cash_usd),
            usd(b.dsra_usd),
            usd(b.receivables_usd),
            usd(b.inventory_usd),
            usd(b.vat_receivable_usd),
            usd(b.maintenance_reserve_usd),
            usd(b.fixed_assets_net_usd),
            usd(b.total_assets_usd),
            usd(b.payables_usd),
            usd(b.dsra_lc_drawn_usd),
            usd(b.tax_payable_usd),
            usd(b.vat_facility_usd),
        ];
        row.extend(
            debt_idx
                .iter()
                .map(|&i| usd(b.debt_usd.get(i).copied().unwrap_or(0.0))),
        );
        row.extend([
            usd(b.total_debt_usd),
            usd(b.total_liabilities_usd),
            usd(b.equity_contributed_usd),
            usd(b.retained_earnings_usd),
            usd(b.total_equity_usd),
            Cell::Num(b.balance_check_usd, 6),
        ]);
        t.push(row);
    }
    t
}

fn cash_flow_statement(r: &FinanceResult) -> Table {
    let mut t = Table::new(
        "cash_flow_statement",
        "Cash-flow statement by quarter, USD (outflows negative)",
        &[
            "quarter",
            "net_income_usd",
            "depreciation_usd",
            "working_capital_usd",
            "tax_payable_usd",
            "operating_usd",
            "capex_usd",
            "capitalised_financing_costs_usd",
            "dsra_usd",
            "maintenance_reserve_usd",
            "investing_usd",
            "debt_drawn_usd",
            "debt_repaid_usd",
            "equity_contributed_usd",
            "distributions_usd",
            "financing_usd",
            "net_change_usd",
            "opening_cash_usd",
            "closing_cash_usd",
        ],
    );
    for s in &r.cash_flow_statement {
        t.push(vec![
            s.label.clone().into(),
            usd(s.net_income_usd),
            usd(s.depreciation_usd),
            usd(s.working_capital_usd),
            usd(s.tax_payable_usd),
            usd(s.operating_usd),
            usd(s.capex_usd),
            usd(s.capitalised_financing_costs_usd),
            usd(s.dsra_usd),
            usd(s.maintenance_reserve_usd),
            usd(s.investing_usd),
            usd(s.debt_drawn_usd),
            usd(s.debt_repaid_usd),
            usd(s.equity_contributed_usd),
            usd(s.distributions_usd),
            usd(s.financing_usd),
            usd(s.net_change_usd),
            usd(s.opening_cash_usd),
            usd(s.closing_cash_usd),
        ]);
    }
    t
}

fn covenants(r: &FinanceResult) -> Table {
    let mut t = Table::new(
        "covenants",
        "Covenant events (lock_up: DSCR below the lock-up level; default: below the minimum)",
        &["quarter", "kind", "dscr"],
    );
    for e in &r.covenant_events {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{:?}", e.kind));
        t.push(vec![
            e.label.clone().into(),
            kind.into(),
            Cell::opt(e.dscr.is_finite().then_some(e.dscr), RATIO),
        ]);
    }
    t
}

impl Output for FinanceResult {
    /// The whole result as its serde value (schema in docs/finance.md).
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("finance result serialises")
    }

    /// `metrics`, `notes`, `annual_waterfall`, `quarterly_waterfall`, `facilities`,
    /// `income_statement`, `balance_sheet`, `cash_flow_statement`, `covenants`.
    fn tables(&self) -> Vec<Table> {
        let debt = debt_mask(self);
        vec![
            metrics_table(self),
            notes_table(self),
            waterfall(
                "annual_waterfall",
                "Annual waterfall by calendar year, USD (flows summed, balances at year end, DSCR from the sums, LLCR of the first quarter)",
                "year",
                &self.annual,
                &debt,
            ),
            waterfall(
                "quarterly_waterfall",
                "Quarterly waterfall, USD",
                "quarter",
                &self.quarterly,
                &debt,
            ),
            facilities_table(self),
            income_statement(self),
            balance_sheet(self, &debt),
            cash_flow_statement(self),
            covenants(self),
        ]
    }

    /// The metrics, the annual summary in US$ millions and the facilities; the IRR notes
    /// and the covenant events when there are any.
    fn terminal_tables(&self) -> Vec<Table> {
        let debt = debt_mask(self);
        let mut out = vec![
            metrics_table(self),
            annual_terminal(self, &debt),
            facilities_terminal(self),
        ];
        if !self.metrics.irr_notes.is_empty() {
            out.push(notes_table(self));
        }
        if !self.covenant_events.is_empty() {
            out.push(covenants(self));
        }
        out
    }
}

/// One bank case's finance result (`manto finance --case NAME`): the model's output with
/// the case named in every table's title and in the JSON (`case`), so that a printout says
/// which case it is.
pub struct CaseFinance<'a> {
    /// The case's name (`price_-10`).
    pub case: &'a str,
    /// The result of the case.
    pub result: &'a FinanceResult,
}

impl CaseFinance<'_> {
    fn named(&self, mut tables: Vec<Table>) -> Vec<Table> {
        for t in &mut tables {
            t.title = format!("Bank case `{}`: {}", self.case, t.title);
        }
        tables
    }
}

impl Output for CaseFinance<'_> {
    /// The result's JSON with `case` (the case's name) first.
    fn json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("case".into(), self.case.into());
        if let serde_json::Value::Object(rest) = self.result.json() {
            m.extend(rest);
        }
        serde_json::Value::Object(m)
    }

    fn tables(&self) -> Vec<Table> {
        self.named(self.result.tables())
    }

    fn terminal_tables(&self) -> Vec<Table> {
        self.named(self.result.terminal_tables())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{CsvExporter, Exporter, TerminalExporter};
    use finance::FinanceConfig;
    use std::sync::OnceLock;

    #[test]
    fn a_bank_case_says_which_case_it_is() {
        let r = FinanceResult::default();
        let c = CaseFinance {
            case: "price_-10",
            result: &r,
        };
        let j = c.json();
        assert_eq!(j["case"], "price_-10");
        // Every other field of the result is there.
        assert_eq!(
            j.as_object().unwrap().len(),
            r.json().as_object().unwrap().len() + 1
        );
        for t in c.tables() {
            assert!(
                t.title.starts_with("Bank case `price_-10`: "),
                "{}",
                t.title
            );
        }
    }

    fn result() -> &'static FinanceResult {
        static R: OnceLock<FinanceResult> = OnceLock::new();
        R.get_or_init(|| {
            let cfg = FinanceConfig::from_scenario_toml(
                include_str!("../../../scenarios/finance-boleo.toml"),
                "f",
            )
            .unwrap();
            finance::run(&cfg, &cfg.production_table().unwrap())
        })
    }

    fn table(name: &str) -> Table {
        result()
            .tables()
            .into_iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }

    /// The numbers of one column (empty cells skipped).
    fn column(t: &Table, name: &str) -> Vec<f64> {
        let c = t
            .columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name} in {}", t.name));
        t.rows
            .iter()
            .filter_map(|r| match &r[c] {
                Cell::Num(v, _) => Some(*v),
                _ => None,
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn every_row_has_one_cell_per_column_and_names_are_unique() {
        let tables = result().tables();
        let mut names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), tables.len());
        for t in &tables {
            for r in &t.rows {
                assert_eq!(r.len(), t.columns.len(), "{}", t.name);
            }
            let mut cols = t.columns.clone();
            cols.sort_unstable();
            cols.dedup();
            assert_eq!(cols.len(), t.columns.len(), "{}", t.name);
        }
    }

    #[test]
    fn annual_and_quarterly_waterfalls_agree() {
        let q = table("quarterly_waterfall");
        let a = table("annual_waterfall");
        assert_eq!(q.rows.len(), result().quarterly.len());
        let mut years: Vec<String> = q.rows.iter().map(|r| r[0].raw()[..4].to_string()).collect();
        years.dedup();
        let labels: Vec<String> = a.rows.iter().map(|r| r[0].raw()).collect();
        assert_eq!(labels, years, "one annual row per calendar year, in order");
        for col in [
            "gross_revenue_usd",
            "net_revenue_usd",
            "revenue_cu_usd",
            "opex_usd",
            "cfads_usd",
            "income_tax_usd",
            "capex_initial_usd",
            "senior_debt_service_usd",
            "distributions_usd",
            "debt_drawn_usd",
        ] {
            let (sa, sq) = (
                column(&a, col).iter().sum::<f64>(),
                column(&q, col).iter().sum::<f64>(),
            );
            assert!(close(sa, sq), "{col}: annual {sa} vs quarterly {sq}");
        }
        assert!(column(&a, "gross_revenue_usd").iter().sum::<f64>() > 1e9);
        // Balances at year end: the annual closing debt is that of the year's last quarter.
        let (ad, qd) = (
            column(&a, "closing_debt_usd"),
            column(&q, "closing_debt_usd"),
        );
        assert!(close(*ad.last().unwrap(), *qd.last().unwrap()));
        assert!(ad.iter().any(|d| *d > 1e8));
    }

    #[test]
    fn waterfall_matches_statements_and_metrics() {
        let r = result();
        let q = table("quarterly_waterfall");
        let bs = table("balance_sheet");
        // Closing debt of the waterfall = total debt of the balance sheet, every quarter.
        for (d, b) in column(&q, "closing_debt_usd")
            .iter()
            .zip(column(&bs, "total_debt_usd"))
        {
            assert!(close(*d, b), "{d} vs {b}");
        }
        // The per-facility debt columns add up to the total.
        let per: Vec<&String> = bs
            .columns
            .iter()
            .filter(|c| c.starts_with("debt_"))
            .collect();
        assert_eq!(per.len(), 3, "{per:?}");
        assert!(bs.columns.contains(&"debt_term_loan_usd".to_string()));
        let sums: Vec<f64> = (0..bs.rows.len())
            .map(|i| per.iter().map(|c| column(&bs, c)[i]).sum())
            .collect();
        for (s, t) in sums.iter().zip(column(&bs, "total_debt_usd")) {
            assert!(close(*s, t));
        }
        // Revenue of the income statement = net revenue of the waterfall.
        let is = table("income_statement");
        assert!(close(
            column(&is, "revenue_usd").iter().sum(),
            column(&q, "net_revenue_usd").iter().sum()
        ));
        // Facilities: drawn and capitalised interest agree with the quarterly lines.
        let f = table("facilities");
        assert_eq!(f.rows.len(), r.facility_names.len());
        let debt_drawn: f64 = r
            .facilities
            .iter()
            .filter(|f| f.kind != "equity")
            .map(|f| f.drawn_usd)
            .sum();
        assert!(close(debt_drawn, column(&q, "debt_drawn_usd").iter().sum()));
        assert!(close(
            column(&f, "capitalised_interest_usd").iter().sum(),
            column(&q, "capitalised_interest_usd").iter().sum()
        ));
        // The NPV metric rows are those of the result.
        let m = table("metrics");
        let npv8 = m
            .rows
            .iter()
            .find(|row| row[0].raw() == "project_npv_after_tax_8pct")
            .expect("NPV8 row");
        let want = r
            .metrics
            .npv
            .iter()
            .find(|n| n.discount_rate_pct == 8.0)
            .unwrap()
            .project_after_tax_usd;
        assert_eq!(npv8[1], Cell::Num(want, USD));
        assert!(table("covenants").rows.len() == r.covenant_events.len());
    }

    #[test]
    fn csv_has_metrics_and_a_balancing_balance_sheet() {
        let bytes = CsvExporter.serialize(result()).unwrap();
        let s = String::from_utf8(bytes).unwrap();
        assert!(s.lines().any(|l| l.starts_with("metrics,")));
        let mut rdr = csv::Reader::from_reader(s.as_bytes());
        let mut checks = 0;
        for rec in rdr.records() {
            let rec = rec.unwrap();
            if &rec[0] == "balance_sheet" && &rec[2] == "balance_check_usd" {
                let v: f64 = rec[3].parse().unwrap();
                assert!(v.abs() < 1e-3, "{}: {v}", &rec[1]);
                checks += 1;
            }
            if &rec[0] == "quarterly_waterfall" && &rec[2] == "cfads_usd" {
                // Full precision: not rounded to whole dollars.
                let _: f64 = rec[3].parse().unwrap();
            }
        }
        assert_eq!(checks, result().balance_sheet.len());
        assert!(s.contains("metrics,project_npv_after_tax_8pct,value,"));
        assert!(s.contains("quarterly_waterfall,2011Q1,cfads_usd,"));
    }

    #[test]
    fn terminal_is_compact() {
        let s = String::from_utf8(TerminalExporter.serialize(result()).unwrap()).unwrap();
        let npv = s
            .lines()
            .find(|l| l.starts_with("project_npv_after_tax_8pct "))
            .expect("NPV8 line");
        assert!(npv.contains("USD"), "{npv}");
        for l in s.lines() {
            assert!(
                l.chars().count() <= 160,
                "{} columns: {l}",
                l.chars().count()
            );
        }
        // The quarterly tables stay out of the terminal.
        assert!(
            !s.lines().any(|l| l.starts_with("2011Q1")),
            "quarterly rows in the terminal"
        );
        assert!(s.contains("closing_debt_musd"));
        assert!(s.contains("Term loan"));
        let years = result().annual.len();
        assert!(
            s.lines().count() < 60 + years,
            "{} lines",
            s.lines().count()
        );
    }

    #[test]
    fn display_helpers() {
        assert_eq!(musd(-1e-9).display(), "0.0");
        assert_eq!(musd(-2.5e6).display(), "-2.5");
        assert_eq!(rate_name(8.0), "8");
        assert_eq!(rate_name(7.5), "7_5");
        assert_eq!(
            slugs(&["Term loan".into(), "Term-loan".into(), "".into()]),
            ["term_loan", "term_loan_2", "_3"]
        );
    }
}
