//! The workbook's rows: the quarterly timeline, manto's production (an input block), the
//! Calculations rows (manto's numbers the workbook takes as inputs, then live formulas),
//! the by-year decks, and the named inputs they read. [`evaluate`] computes every live
//! cell in Rust exactly as the formulas do.

use super::expr::{b::*, Cond, Expr, Values};
use finance::config::ByYear;
use finance::result::{BalanceSheet, FacilityRow, PeriodRow};
use finance::FinanceResult;
use std::collections::HashMap;
use study::ReportStudy;

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

/// The workbook's rows for a report study.
pub fn book(st: &ReportStudy) -> Book {
    let f = &st.run.finance;
    let cfg = &st.finance;
    let q = &f.quarterly;
    let n = q.len();
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let bs = &f.balance_sheet;
    let bsc = |g: fn(&BalanceSheet) -> f64| -> Vec<f64> { bs.iter().map(g).collect() };
    let mut rows = Vec::new();
    // manto's outputs the formulas read as inputs: (key, value, where it comes from).
    let mut outputs: Vec<(String, f64, String)> = vec![
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
    // A facility sized by manto (its fixed repayment profile and signed amount).
    let sized = |i: usize| {
        f.debt_sizing
            .facilities
            .iter()
            .find(|s| s.index == i && cfg.facilities.get(i).is_some_and(|x| x.name == s.name))
    };

    // ---- Time ------------------------------------------------------------------------
    let t = Sheet::Time;
    let cq = || fin("timing.construction_quarters");
    let opsq = || input(OPERATING_QUARTERS);
    let period = || r("period");
    let q0 = || {
        add(
            sub(fin("timing.start_quarter"), c(1.0)),
            sub(period(), c(1.0)),
        )
    };
    rows.push(
        live(
            "period",
            "period number (1 = first construction quarter)",
            "#",
            add(prev("period"), c(1.0)),
            Some(col(&|p| p.period as f64 + 1.0)),
        )
        .on(t),
    );
    rows.push(
        live(
            "year",
            "calendar year",
            "year",
            add(fin("timing.start_year"), int(div(q0(), c(4.0)))),
            Some(col(&|p| f64::from(p.year))),
        )
        .on(t)
        .json("quarterly.year"),
    );
    rows.push(
        live(
            "quarter",
            "quarter of the year",
            "#",
            add(modulo(q0(), c(4.0)), c(1.0)),
            Some(col(&|p| f64::from(p.quarter))),
        )
        .on(t)
        .json("quarterly.quarter"),
    );
    rows.push(
        live(
            "construction",
            "construction flag",
            "0/1",
            flag(Cond::Le(period(), cq())),
            Some(col(&|p| p.construction)),
        )
        .on(t)
        .json("quarterly.construction"),
    );
    rows.push(
        live(
            "ramp_up",
            "ramp-up flag (the first ramp-up years of operations)",
            "0/1",
            flag(Cond::And(vec![
                Cond::Gt(period(), cq()),
                Cond::Le(
                    period(),
                    add(cq(), min(mul(fin("timing.ramp_up_years"), c(4.0)), opsq())),
                ),
            ])),
            Some(col(&|p| p.ramp_up)),
        )
        .on(t)
        .json("quarterly.ramp_up"),
    );
    rows.push(
        live(
            "operations",
            "operations flag (the quarters of manto's production schedule)",
            "0/1",
            flag(Cond::And(vec![
                Cond::Gt(period(), cq()),
                Cond::Le(period(), add(cq(), opsq())),
            ])),
            Some(col(&|p| p.operations)),
        )
        .on(t)
        .json("quarterly.operations"),
    );
    rows.push(
        live(
            "closure",
            "closure flag",
            "0/1",
            flag(Cond::Gt(period(), add(cq(), opsq()))),
            Some(col(&|p| p.closure)),
        )
        .on(t)
        .json("quarterly.closure"),
    );

    // ---- Production --------------------------------------------------------------------
    let cod = cfg.timing.construction_quarters;
    let placed = |g: fn(&finance::ProductionPeriod) -> f64| -> Vec<f64> {
        (0..n)
            .map(|i| {
                i.checked_sub(cod)
                    .and_then(|k| st.production.periods.get(k))
                    .map_or(0.0, g)
            })
            .collect()
    };
    let src = "manto simulation output (input)";
    type PG = fn(&finance::ProductionPeriod) -> f64;
    let prod: [(&str, &str, &'static str, PG); 11] = [
        ("prod_feed", "plant feed", "dry t", |p| p.plant_feed_dry_t),
        ("prod_cu", "copper cathode", "t", |p| p.cu_cathode_t),
        ("prod_co", "cobalt cathode", "t", |p| p.co_cathode_t),
        ("prod_znso4", "zinc sulphate", "t", |p| p.znso4_t),
        ("prod_mnco3", "manganese carbonate", "t", |p| p.mnco3_t),
        ("prod_ug", "underground ore", "dry t", |p| {
            p.underground_dry_t
        }),
        ("prod_op", "open-pit ore", "dry t", |p| p.open_pit_dry_t),
        ("prod_shifts", "section production shifts", "shifts", |p| {
            p.section_shifts
        }),
        ("prod_advance", "heading advance", "m", |p| p.advance_m),
        ("prod_bolts", "roof bolts installed", "bolts", |p| p.bolts),
        ("prod_heads", "mine headcount (average)", "people", |p| {
            p.mine_headcount
        }),
    ];
    for (key, label, unit, g) in prod {
        rows.push(input_row(key, label, unit, placed(g), src).on(Sheet::Production));
    }
    // The reconciliation of ore and feed: what the plant did not take went to the stockpile.
    rows.push(
        live(
            "prod_to_stockpile",
            "ore mined less plant feed: to (+) or from (−) the stockpile",
            "dry t",
            sub(add(r("prod_ug"), r("prod_op")), r("prod_feed")),
            None,
        )
        .on(Sheet::Production),
    );

    // ---- Calculations: manto's numbers ---------------------------------------------------
    let wf = "manto finance: quarterly waterfall";
    rows.push(heading(
        "manto's numbers taken as given (inputs, not live): the DSRA target (pasted from manto's planning pass) and the sized repayment profile",
    ));
    type Get = fn(&PeriodRow) -> f64;
    rows.push(input_row(
        "dsra_target",
        "DSRA target: the next quarters' senior debt service of manto's planning pass",
        "US$",
        col(&|r| r.dsra_target_usd),
        wf,
    ));
    for (i, name) in f.facility_names.iter().enumerate() {
        let equity = f.facilities.get(i).is_some_and(|x| x.kind == "equity");
        if equity {
            continue; // equity bears no interest and is not repaid
        }
        if let Some(sf) = sized(i) {
            // The fixed profile of the sized loan, placed from manto's first repayment.
            let first = (cfg.timing.construction_quarters
                + cfg.facilities.get(i).map_or(0, |x| x.grace_quarters))
            .min(n.saturating_sub(1));
            let share: Vec<f64> = (0..n)
                .map(|t| {
                    t.checked_sub(first)
                        .and_then(|k| sf.repayment_share.get(k))
                        .copied()
                        .unwrap_or(0.0)
                })
                .collect();
            rows.push(input_row(
                &format!("fac{i}_share"),
                &format!("{name}: repayment profile, share of the balance at COD"),
                "fraction",
                share,
                "manto debt sizing: the profile sculpted on the banking case, fixed at financial close",
            ));
        }
    }
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
    let ck = |name: &str| f.corkscrews.iter().find(|c| c.name == name);
    // ---- Capital: spend profiles, contingency, owner's costs, overrun, lease, sustaining,
    // closure, and the additions by tax class (live) ----------------------------------------
    rows.push(heading(
        "Capital: each area's direct cost on its phases' spend profiles (or its own), contingency, owner's costs, overrun, escalated (live formulas)",
    ));
    let cx = &cfg.capex;
    let cqe = || fin("timing.construction_quarters");
    // A spend profile's share in this construction quarter (k = period − 1): uniform, the
    // S-curve's increment, or the explicit weights when there is one per quarter.
    let ncon = cfg.timing.construction_quarters;
    let weight = |pre: &str, p: &finance::config::SpendProfile| -> Expr {
        let fq = || fin(&format!("{pre}.first_quarter"));
        let first = || min(fq(), sub(cqe(), c(1.0)));
        let last = || {
            max(
                first(),
                min(fin(&format!("{pre}.last_quarter")), sub(cqe(), c(1.0))),
            )
        };
        let len = || add(sub(last(), first()), c(1.0));
        let kk = || sub(sub(r("period"), c(1.0)), first());
        let s = |x: Expr| {
            sub(
                mul(c(3.0), pow(x.clone(), c(2.0))),
                mul(c(2.0), pow(x, c(3.0))),
            )
        };
        let first_q = p.first_quarter.min(ncon.saturating_sub(1));
        let n_w = p.last_quarter.clamp(first_q, ncon.saturating_sub(1)) - first_q + 1;
        let share = if !p.weights_pct.is_empty() && p.weights_pct.len() == n_w {
            div(
                Expr::Choose(
                    Box::new(add(kk(), c(1.0))),
                    (0..n_w)
                        .map(|k| fin(&format!("{pre}.weights_pct[{k}]")))
                        .collect(),
                ),
                c(100.0),
            )
        } else {
            iff(
                Cond::InputIs(format!("finance.{pre}.curve"), "s_curve".into()),
                sub(s(div(add(kk(), c(1.0)), len())), s(div(kk(), len()))),
                div(c(1.0), len()),
            )
        };
        iff(
            Cond::And(vec![
                Cond::Gt(r("construction"), c(0.0)),
                Cond::Le(first(), sub(r("period"), c(1.0))),
                Cond::Le(sub(r("period"), c(1.0)), last()),
            ]),
            share,
            c(0.0),
        )
    };
    for (j, ph) in cx.phases.iter().enumerate() {
        rows.push(live(
            &format!("cpx_phase{j}_w"),
            &format!("spend profile of phase {}: share in the quarter", ph.name),
            "fraction",
            weight(&format!("capex.phases[{j}].profile"), &ph.profile),
            None,
        ));
    }
    // Each area's direct spend (budget money of the estimate year).
    let area_spend = |a: usize| -> Expr {
        let direct = || fin(&format!("capex.areas[{a}].direct_usd"));
        match &cx.areas[a].profile {
            Some(_) => mul(direct(), r(&format!("cpx_area{a}_w"))),
            None => signed(
                (0..cx.phases.len())
                    .map(|j| {
                        (
                            true,
                            mul(
                                div(
                                    mul(direct(), fin(&format!("capex.phases[{j}].share_pct"))),
                                    c(100.0),
                                ),
                                r(&format!("cpx_phase{j}_w")),
                            ),
                        )
                    })
                    .collect(),
            ),
        }
    };
    for (a, area) in cx.areas.iter().enumerate() {
        if let Some(p) = &area.profile {
            rows.push(live(
                &format!("cpx_area{a}_w"),
                &format!(
                    "own spend profile of area {}: share in the quarter",
                    area.name
                ),
                "fraction",
                weight(&format!("capex.areas[{a}].profile"), p),
                None,
            ));
        }
        rows.push(live(
            &format!("cpx_area{a}"),
            &format!("direct cost of area {} (estimate-year money)", area.name),
            "US$",
            area_spend(a),
            None,
        ));
    }
    let areas_where = |keep: &dyn Fn(&finance::config::CapexArea) -> bool| -> Expr {
        signed(
            cx.areas
                .iter()
                .enumerate()
                .filter(|(_, a)| keep(a))
                .map(|(a, _)| (true, r(&format!("cpx_area{a}"))))
                .collect(),
        )
    };
    let pct = |k: &str| div(fin(&format!("capex.{k}")), c(100.0));
    let all_in = || {
        mul(
            add(c(1.0), pct("contingency_pct")),
            add(c(1.0), pct("overrun_pct")),
        )
    };
    rows.push(live(
        "cpx_direct",
        "direct cost (estimate-year money)",
        "US$",
        areas_where(&|_| true),
        None,
    ));
    rows.push(live(
        "cpx_owners",
        "owner's costs, even over the construction quarters (estimate-year money)",
        "US$",
        div(
            mul(r("construction"), fin("capex.owners_costs_usd")),
            max(cqe(), c(1.0)),
        ),
        None,
    ));
    rows.push(live(
        "cpx_budget",
        "initial capital budget: direct + contingency + owner's (estimate-year money)",
        "US$",
        signed(vec![
            (true, r("cpx_direct")),
            (true, mul(r("cpx_direct"), pct("contingency_pct"))),
            (true, r("cpx_owners")),
        ]),
        None,
    ));
    rows.push(live(
        "cpx_sustaining",
        "sustaining capital: per operating year ÷ 4 + per dry tonne fed (estimate-year money)",
        "US$",
        add(
            mul(
                r("operations"),
                div(fin("capex.sustaining_usd_per_year"), c(4.0)),
            ),
            mul(fin("capex.sustaining_usd_per_dry_t"), r("prod_feed")),
        ),
        None,
    ));
    rows.push(live(
        "cpx_closure",
        "closure cost, even over the closure quarters (all in the last quarter when there are none)",
        "US$",
        iff(
            Cond::Gt(Expr::RowSum("closure".into()), c(0.0)),
            div(
                mul(r("closure"), fin("capex.closure_cost_usd")),
                Expr::RowSum("closure".into()),
            ),
            iff(
                Cond::Eq(r("period"), Expr::RowMax("period".into())),
                fin("capex.closure_cost_usd"),
                c(0.0),
            ),
        ),
        None,
    ));
    let esc = |e: Expr| mul(e, deck("usd_index"));
    type CGet = fn(&PeriodRow) -> f64;
    let escalated: [(&str, &str, Expr, CGet, &str); 8] = [
        (
            "capex_direct",
            "capex, direct",
            esc(r("cpx_direct")),
            |r| r.capex_direct_usd,
            "capex_direct_usd",
        ),
        (
            "capex_contingency",
            "capex, contingency",
            esc(mul(r("cpx_direct"), pct("contingency_pct"))),
            |r| r.capex_contingency_usd,
            "capex_contingency_usd",
        ),
        (
            "capex_owners",
            "capex, owner's costs",
            esc(r("cpx_owners")),
            |r| r.capex_owners_usd,
            "capex_owners_usd",
        ),
        (
            "capex_budget",
            "capex budget (no overrun)",
            esc(r("cpx_budget")),
            |r| r.capex_initial_usd - r.capex_overrun_usd,
            "",
        ),
        (
            "capex_overrun",
            "capex, overrun on the budget",
            esc(mul(r("cpx_budget"), pct("overrun_pct"))),
            |r| r.capex_overrun_usd,
            "capex_overrun_usd",
        ),
        (
            "capex_leased",
            "capex bought through the finance lease (all-in)",
            esc(mul(areas_where(&|a| a.financed_by_lease), all_in())),
            |r| r.capex_leased_usd,
            "capex_leased_usd",
        ),
        (
            "capex_sustaining",
            "capex, sustaining",
            esc(r("cpx_sustaining")),
            |r| r.capex_sustaining_usd,
            "capex_sustaining_usd",
        ),
        (
            "closure_cost",
            "closure cost",
            esc(r("cpx_closure")),
            |r| r.closure_cost_usd,
            "closure_cost_usd",
        ),
    ];
    for (key, label, e, get, jk) in escalated {
        let row = live(
            key,
            &format!("{label} (escalated)"),
            "US$",
            e,
            Some(col(&get)),
        );
        rows.push(if jk.is_empty() {
            row
        } else {
            row.json(&format!("quarterly.{jk}"))
        });
    }
    // Additions by tax class: the areas of the class all-in, owner's costs with the overrun,
    // sustaining capital, escalated.
    for (j, (name, _)) in classes.iter().enumerate() {
        let mut terms = vec![(true, mul(areas_where(&|a| a.tax_class == *name), all_in()))];
        if cx.owners_costs_usd > 0.0 && cx.owners_costs_tax_class == *name {
            terms.push((true, mul(r("cpx_owners"), add(c(1.0), pct("overrun_pct")))));
        }
        if (cx.sustaining_usd_per_year > 0.0 || cx.sustaining_usd_per_dry_t > 0.0)
            && cx.sustaining_tax_class == *name
        {
            terms.push((true, r("cpx_sustaining")));
        }
        rows.push(live(
            &format!("td{j}_add"),
            &format!("capital additions of tax class {name} (escalated)"),
            "US$",
            esc(signed(terms)),
            f.corkscrews
                .iter()
                .find(|c| c.name == format!("tax_wdv:{name}"))
                .map(|c| c.additions.clone()),
        ));
    }
    // ---- Calculations: revenue ------------------------------------------------------------
    rows.push(heading(
        "Revenue: tonnes × price of the year × escalation × payable (live formulas)",
    ));
    let gets: [Get; 4] = [
        |r| r.revenue_cu_usd,
        |r| r.revenue_co_usd,
        |r| r.revenue_znso4_usd,
        |r| r.revenue_mnco3_usd,
    ];
    let jkeys = [
        "revenue_cu_usd",
        "revenue_co_usd",
        "revenue_znso4_usd",
        "revenue_mnco3_usd",
    ];
    for (k, (key, short, label, prow)) in PRODUCTS.iter().enumerate() {
        rows.push(
            live(
                &format!("revenue_{short}"),
                &format!("revenue, {label}"),
                "US$",
                div(
                    product(vec![
                        r(prow),
                        deck(&format!("price_{short}_usd_per_t")),
                        deck("usd_index"),
                        fin(&format!("revenue.{key}.payable_pct")),
                    ]),
                    c(100.0),
                ),
                Some(col(&gets[k])),
            )
            .json(&format!("quarterly.{}", jkeys[k])),
        );
    }
    let revenue_keys: Vec<String> = PRODUCTS
        .iter()
        .map(|(_, s, _, _)| format!("revenue_{s}"))
        .collect();
    let rk: Vec<&str> = revenue_keys.iter().map(String::as_str).collect();
    rows.push(
        live(
            "gross_revenue",
            "gross revenue",
            "US$",
            sum_of(&rk),
            Some(col(&|r| r.gross_revenue_usd)),
        )
        .json("quarterly.gross_revenue_usd"),
    );
    let per_t = |what: &str| {
        mul(
            signed(
                PRODUCTS
                    .iter()
                    .map(|(key, _, _, prow)| {
                        (
                            true,
                            mul(r(prow), fin(&format!("revenue.{key}.{what}_usd_per_t"))),
                        )
                    })
                    .collect(),
            ),
            deck("usd_index"),
        )
    };
    rows.push(
        live(
            "refining",
            "refining charges",
            "US$",
            per_t("refining"),
            Some(col(&|r| r.refining_usd)),
        )
        .json("quarterly.refining_usd"),
    );
    rows.push(
        live(
            "freight",
            "freight",
            "US$",
            per_t("freight"),
            Some(col(&|r| r.freight_usd)),
        )
        .json("quarterly.freight_usd"),
    );
    rows.push(
        live(
            "insurance",
            "insurance",
            "US$",
            signed(
                PRODUCTS
                    .iter()
                    .map(|(key, short, _, _)| {
                        (
                            true,
                            div(
                                mul(
                                    r(&format!("revenue_{short}")),
                                    fin(&format!("revenue.{key}.insurance_pct")),
                                ),
                                c(100.0),
                            ),
                        )
                    })
                    .collect(),
            ),
            Some(col(&|r| r.insurance_usd)),
        )
        .json("quarterly.insurance_usd"),
    );
    rows.push(
        live(
            "net_revenue",
            "net revenue",
            "US$",
            signed(vec![
                (true, r("gross_revenue")),
                (false, r("refining")),
                (false, r("freight")),
                (false, r("insurance")),
            ]),
            Some(col(&|r| r.net_revenue_usd)),
        )
        .json("quarterly.net_revenue_usd"),
    );
    rows.push(
        live(
            "royalty",
            "royalty on net revenue",
            "US$",
            div(
                mul(
                    max(r("net_revenue"), c(0.0)),
                    fin("revenue.royalty_nsr_pct"),
                ),
                c(100.0),
            ),
            Some(col(&|r| r.royalty_usd)),
        )
        .json("quarterly.royalty_usd"),
    );

    // ---- Calculations: operating cost -----------------------------------------------------
    rows.push(heading(
        "Operating cost: driver × rate, its MXN share re-priced at the year's rate (live formulas)",
    ));
    let repriced = |share: &str| {
        let s = || div(fin(&format!("opex.mxn_share.{share}")), c(100.0));
        add(
            mul(sub(c(1.0), s()), deck("usd_index")),
            div(
                mul(mul(s(), fin("opex.base_mxn_per_usd")), deck("mxn_index")),
                deck("mxn_per_usd"),
            ),
        )
    };
    let line = |driver: Expr, rate: Expr, share: &str| mul(mul(driver, rate), repriced(share));
    type OGet = fn(&PeriodRow) -> f64;
    let opex: Vec<(&str, &str, Expr, OGet, &str)> = vec![
        (
            "opex_underground",
            "opex, underground mining",
            line(
                r("prod_ug"),
                fin("opex.underground_usd_per_dry_t"),
                "mining_pct",
            ),
            |r| r.opex_underground_usd,
            "opex_underground_usd",
        ),
        (
            "opex_open_pit",
            "opex, open pit",
            line(
                r("prod_op"),
                fin("opex.open_pit_usd_per_dry_t"),
                "mining_pct",
            ),
            |r| r.opex_open_pit_usd,
            "opex_open_pit_usd",
        ),
        (
            "opex_crew_labour",
            "opex, crew labour",
            div(
                product(vec![
                    r("prod_shifts"),
                    fin("opex.crew_size"),
                    fin("opex.wage_mxn_per_shift"),
                    deck("mxn_index"),
                ]),
                deck("mxn_per_usd"),
            ),
            |r| r.opex_crew_labour_usd,
            "opex_crew_labour_usd",
        ),
        (
            "opex_bolts",
            "opex, roof bolts",
            line(r("prod_bolts"), fin("opex.usd_per_bolt"), "bolts_pct"),
            |r| r.opex_bolts_usd,
            "opex_bolts_usd",
        ),
        (
            "opex_development",
            "opex, development",
            line(
                r("prod_advance"),
                fin("opex.usd_per_m_advance"),
                "development_pct",
            ),
            |r| r.opex_development_usd,
            "opex_development_usd",
        ),
        (
            "opex_mine_overhead",
            "opex, mine overhead",
            line(
                div(r("prod_heads"), c(4.0)),
                fin("opex.mine_overhead_usd_per_person_year"),
                "mine_overhead_pct",
            ),
            |r| r.opex_mine_overhead_usd,
            "opex_mine_overhead_usd",
        ),
        (
            "opex_processing",
            "opex, processing",
            line(
                r("prod_feed"),
                fin("opex.processing_usd_per_dry_t"),
                "processing_pct",
            ),
            |r| r.opex_processing_usd,
            "opex_processing_usd",
        ),
        (
            "opex_acid",
            "opex, acid",
            line(
                r("prod_feed"),
                mul(
                    div(fin("opex.acid_kg_per_dry_t"), c(1000.0)),
                    fin("opex.acid_usd_per_t"),
                ),
                "acid_pct",
            ),
            |r| r.opex_acid_usd,
            "opex_acid_usd",
        ),
        (
            "opex_limestone",
            "opex, limestone",
            line(
                r("prod_feed"),
                mul(
                    fin("opex.limestone_t_per_dry_t"),
                    fin("opex.limestone_usd_per_t"),
                ),
                "limestone_pct",
            ),
            |r| r.opex_limestone_usd,
            "opex_limestone_usd",
        ),
        (
            "opex_power",
            "opex, power",
            line(
                r("prod_feed"),
                mul(
                    fin("opex.power_kwh_per_dry_t"),
                    fin("opex.power_usd_per_kwh"),
                ),
                "power_pct",
            ),
            |r| r.opex_power_usd,
            "opex_power_usd",
        ),
        (
            "opex_g_and_a",
            "opex, G&A (per operating year)",
            line(
                div(r("operations"), c(4.0)),
                fin("opex.g_and_a_usd_per_year"),
                "g_and_a_pct",
            ),
            |r| r.opex_g_and_a_usd,
            "opex_g_and_a_usd",
        ),
    ];
    let opex_keys: Vec<&str> = opex.iter().map(|o| o.0).collect();
    for (key, label, e, get, jk) in opex.iter().cloned() {
        rows.push(live(key, label, "US$", e, Some(col(&get))).json(&format!("quarterly.{jk}")));
    }
    rows.push(
        live(
            "opex_total",
            "operating costs",
            "US$",
            sum_of(&opex_keys),
            Some(col(&|r| r.opex_total_usd)),
        )
        .json("quarterly.opex_total_usd"),
    );
    rows.push(heading(
        "Operating cash flow and mining duty (live formulas)",
    ));
    rows.push(
        live(
            "ebitda",
            "EBITDA after closure cost, as manto reports it (also the base of the special mining duty)",
            "US$",
            signed(vec![
                (true, r("net_revenue")),
                (false, r("royalty")),
                (false, r("opex_total")),
                (false, r("closure_cost")),
            ]),
            Some(col(&|r| r.ebitda_usd)),
        )
        .json("quarterly.ebitda_usd"),
    );
    rows.push(
        live(
            "mining_duty",
            "special mining duty: rate of the year × max(EBITDA, 0)",
            "US$",
            mul(
                div(deck("mining_duty_pct"), c(100.0)),
                max(r("ebitda"), c(0.0)),
            ),
            Some(col(&|r| r.mining_duty_usd)),
        )
        .json("quarterly.mining_duty_usd"),
    );
    let days = |flow: &str, key: &str| {
        div(
            mul(max(r(flow), c(0.0)), fin(&format!("working_capital.{key}"))),
            div(c(365.0), c(4.0)),
        )
    };
    rows.push(
        live(
            "receivables",
            "receivables: days of net revenue",
            "US$",
            days("net_revenue", "receivable_days"),
            Some(bsc(|b| b.receivables_usd)),
        )
        .json("balance_sheet.receivables_usd"),
    );
    rows.push(
        live(
            "inventory",
            "inventory: days of operating cost",
            "US$",
            days("opex_total", "inventory_days"),
            Some(bsc(|b| b.inventory_usd)),
        )
        .json("balance_sheet.inventory_usd"),
    );
    rows.push(
        live(
            "payables",
            "payables: days of operating cost",
            "US$",
            days("opex_total", "payable_days"),
            Some(bsc(|b| b.payables_usd)),
        )
        .json("balance_sheet.payables_usd"),
    );
    rows.push(live(
        "wc_balance",
        "working capital",
        "US$",
        signed(vec![
            (true, r("receivables")),
            (true, r("inventory")),
            (false, r("payables")),
        ]),
        None,
    ));
    rows.push(
        live(
            "wc_increase",
            "increase in working capital",
            "US$",
            sub(r("wc_balance"), prev("wc_balance")),
            Some(col(&|r| r.working_capital_increase_usd)),
        )
        .json("quarterly.working_capital_increase_usd"),
    );
    rows.push(heading(
        "Capital and IVA: IVA at the year's rate on the taxable share of capital and operating purchases (live formulas)",
    ));
    rows.push(
        live(
            "capex_initial",
            "initial capex",
            "US$",
            sum_of(&[
                "capex_direct",
                "capex_contingency",
                "capex_owners",
                "capex_overrun",
            ]),
            Some(col(&|r| r.capex_initial_usd)),
        )
        .json("quarterly.capex_initial_usd"),
    );
    rows.push(live(
        "capital",
        "capital spent (initial + sustaining + closure)",
        "US$",
        sum_of(&["capex_initial", "capex_sustaining", "closure_cost"]),
        None,
    ));
    rows.push(
        live(
            "vat_paid",
            "IVA paid on purchases",
            "US$",
            mul(
                div(deck("vat_rate_pct"), c(100.0)),
                add(
                    mul(
                        div(fin("vat.capex_taxable_pct"), c(100.0)),
                        max(r("capital"), c(0.0)),
                    ),
                    mul(
                        div(fin("vat.opex_taxable_pct"), c(100.0)),
                        max(r("opex_total"), c(0.0)),
                    ),
                ),
            ),
            Some(col(&|r| r.vat_paid_usd)),
        )
        .json("quarterly.vat_paid_usd"),
    );
    // Refunded `refund_lag_quarters` later; what is still due at the end is refunded in
    // the last quarter (the last column is the one without a next period).
    let lag = || fin("vat.refund_lag_quarters");
    rows.push(
        live(
            "vat_refund",
            "IVA refunded (paid lag quarters before; the last quarter also refunds what is still due)",
            "US$",
            iff(
                Cond::Eq(Expr::Next("period".into(), 0.0), c(0.0)),
                Expr::SumBack(
                    "vat_paid".into(),
                    Box::new(min(lag(), sub(r("period"), c(1.0)))),
                ),
                iff(
                    Cond::Gt(r("period"), lag()),
                    Expr::Offset("vat_paid".into(), Box::new(lag())),
                    c(0.0),
                ),
            ),
            Some(col(&|r| r.vat_refund_usd)),
        )
        .json("quarterly.vat_refund_usd"),
    );
    // The IVA facility (when IVA is funded by one): drawn for the IVA paid within its
    // limit, repaid from the refunds, interest on the opening balance.
    let on = || Cond::InputIs("finance.vat.funding".into(), "facility".into());
    rows.push(live(
        "vat_facility_open",
        "IVA facility: opening balance",
        "US$",
        prev("vat_facility"),
        None,
    ));
    rows.push(
        live(
            "vat_facility_interest",
            "IVA facility: interest on the opening balance",
            "US$",
            iff(
                on(),
                mul(
                    div(fin("vat.facility_rate_pct"), c(400.0)),
                    r("vat_facility_open"),
                ),
                c(0.0),
            ),
            Some(col(&|r| r.vat_facility_interest_usd)),
        )
        .json("quarterly.vat_facility_interest_usd"),
    );
    rows.push(
        live(
            "vat_facility_drawing",
            "IVA facility: drawn for the IVA paid, within the limit",
            "US$",
            iff(
                on(),
                min(
                    r("vat_paid"),
                    max(
                        sub(fin("vat.facility_limit_usd"), r("vat_facility_open")),
                        c(0.0),
                    ),
                ),
                c(0.0),
            ),
            Some(col(&|r| r.vat_facility_drawing_usd)),
        )
        .json("quarterly.vat_facility_drawing_usd"),
    );
    rows.push(
        live(
            "vat_facility_repayment",
            "IVA facility: repaid from the refunds",
            "US$",
            iff(
                on(),
                min(
                    r("vat_refund"),
                    add(r("vat_facility_open"), r("vat_facility_drawing")),
                ),
                c(0.0),
            ),
            Some(col(&|r| r.vat_facility_repayment_usd)),
        )
        .json("quarterly.vat_facility_repayment_usd"),
    );
    rows.push(
        live(
            "vat_facility",
            "IVA facility: closing balance",
            "US$",
            signed(vec![
                (true, r("vat_facility_open")),
                (true, r("vat_facility_drawing")),
                (false, r("vat_facility_repayment")),
            ]),
            Some(bsc(|b| b.vat_facility_usd)),
        )
        .json("balance_sheet.vat_facility_usd"),
    );
    corkscrew(
        &mut rows,
        ("vat_receivable_open", "vat_receivable"),
        "IVA receivable",
        " (+ paid − refunded)",
        ("vat_paid", "vat_refund"),
        bsc(|b| b.vat_receivable_usd),
        "balance_sheet.vat_receivable_usd",
    );
    let is_equity = |i: usize| f.facilities.get(i).is_some_and(|x| x.kind == "equity");
    let is = &f.income_statement;
    rows.push(heading(
        "Debt facilities: opening + drawdown + capitalised interest − principal − prepayment = closing; interest at (base rate of the year + margin) ÷ 4 on the opening balance (live formulas)",
    ));
    let mut debt_keys = Vec::new();
    for (i, name) in f.facility_names.iter().enumerate() {
        if is_equity(i) {
            continue; // equity is the corkscrew above
        }
        let o = format!("fac{i}_open");
        let cl = format!("fac{i}_close");
        rows.push(live(
            &o,
            &format!("{name}: opening balance"),
            "US$",
            prev(&cl),
            None,
        ));
        // A balance within 1e-12 of the signed amount of zero is zero, as manto's.
        let flows = || {
            signed(vec![
                (true, r(&o)),
                (true, r(&format!("fac{i}_draw"))),
                (true, r(&format!("fac{i}_capint"))),
                (false, r(&format!("fac{i}_principal"))),
                (false, r(&format!("fac{i}_prepay"))),
            ])
        };
        let signed_amount = match sized(i) {
            Some(sf) => {
                let key = format!("debt_sizing.facilities[{}].sized_usd", sf.index);
                outputs.push((
                    key.clone(),
                    sf.sized_usd,
                    format!(
                        "manto debt sizing: the signed amount of {name} (not a scenario input)"
                    ),
                ));
                input(&key)
            }
            None => fin(&format!("facilities[{i}].commitment_usd")),
        };
        let tiny = || mul(c(1e-12), max(signed_amount.clone(), c(1.0)));
        rows.push(
            live(
                &cl,
                &format!("{name}: closing balance"),
                "US$",
                iff(
                    Cond::And(vec![
                        Cond::Gt(tiny(), flows()),
                        Cond::Gt(flows(), sub(c(0.0), tiny())),
                    ]),
                    c(0.0),
                    flows(),
                ),
                Some(
                    q.iter()
                        .map(|r| r.facilities.get(i).map_or(0.0, |x| x.closing_balance_usd))
                        .collect(),
                ),
            )
            .json(&format!("quarterly.facilities.{i}.closing_balance_usd")),
        );
        rows.push(
            live(
                &format!("fac{i}_interest"),
                &format!("{name}: interest on the opening balance"),
                "US$",
                mul(
                    div(
                        add(
                            deck(&format!("fac{i}_base_rate_pct")),
                            fin(&format!("facilities[{i}].margin_pct")),
                        ),
                        c(400.0),
                    ),
                    r(&o),
                ),
                Some(
                    q.iter()
                        .map(|r| r.facilities.get(i).map_or(0.0, |x| x.interest_usd))
                        .collect(),
                ),
            )
            .json(&format!("quarterly.facilities.{i}.interest_usd")),
        );
        // The repayment window: first repayment after the grace quarters from COD, final
        // maturity the tenor from financial close or the first drawdown (periods counted
        // from 1, as `period`).
        let fd = format!("fac{i}_first_draw");
        rows.push(live(
            &fd,
            &format!("{name}: period of the first drawdown (0: none yet)"),
            "#",
            iff(
                Cond::Gt(prev(&fd), c(0.0)),
                prev(&fd),
                iff(
                    Cond::Gt(r(&format!("fac{i}_draw")), c(0.0)),
                    r("period"),
                    c(0.0),
                ),
            ),
            None,
        ));
        let fr = format!("fac{i}_first_repayment");
        rows.push(live(
            &fr,
            &format!("{name}: period of the first repayment"),
            "#",
            min(
                add(
                    add(
                        fin("timing.construction_quarters"),
                        fin(&format!("facilities[{i}].grace_quarters")),
                    ),
                    c(1.0),
                ),
                Expr::RowMax("period".into()),
            ),
            None,
        ));
        let start = iff(
            Cond::InputIs(
                format!("finance.facilities[{i}].tenor_from"),
                "first_drawdown".into(),
            ),
            max(sub(r(&fd), c(1.0)), c(0.0)),
            c(0.0),
        );
        rows.push(live(
            &format!("fac{i}_maturity"),
            &format!("{name}: period of final maturity (the tenor from its start, not before the first repayment)"),
            "#",
            min(
                max(
                    max(
                        add(
                            start,
                            int(add(
                                mul(fin(&format!("facilities[{i}].tenor_years")), c(4.0)),
                                c(0.5),
                            )),
                        ),
                        c(1.0),
                    ),
                    r(&fr),
                ),
                Expr::RowMax("period".into()),
            ),
            None,
        ));
        // Scheduled principal: the fixed profile of a sized loan, equal instalments, or
        // level debt service (annuity); the whole balance at final maturity.
        let bc = format!("fac{i}_bal_cod");
        rows.push(live(
            &bc,
            &format!("{name}: balance at the start of operations"),
            "US$",
            iff(
                Cond::Eq(
                    r("period"),
                    add(fin("timing.construction_quarters"), c(1.0)),
                ),
                r(&o),
                prev(&bc),
            ),
            None,
        ));
        let mat = format!("fac{i}_maturity");
        let left = || add(sub(r(&mat), r("period")), c(1.0));
        let rate = || {
            div(
                add(
                    deck(&format!("fac{i}_base_rate_pct")),
                    fin(&format!("facilities[{i}].margin_pct")),
                ),
                c(400.0),
            )
        };
        let fx = cfg.facilities.get(i);
        let regular = if sized(i).is_some() {
            min(mul(r(&format!("fac{i}_share")), r(&bc)), r(&o))
        } else if fx.is_some_and(|x| x.repayment == finance::config::Repayment::StraightLine) {
            div(r(&o), left())
        } else {
            // −PPMT(rate, 1, left, balance): level payment less the first interest.
            iff(
                Cond::Eq(rate(), c(0.0)),
                div(r(&o), left()),
                sub(
                    div(
                        mul(r(&o), rate()),
                        sub(c(1.0), pow(add(c(1.0), rate()), sub(c(0.0), left()))),
                    ),
                    mul(r(&o), rate()),
                ),
            )
        };
        let unsized_sculpted = sized(i).is_none()
            && fx.is_some_and(|x| {
                x.is_senior() && x.repayment == finance::config::Repayment::Sculpted
            });
        if unsized_sculpted {
            // Not reached by manto's runs (every sculpted senior loan is sized); its
            // schedule would be manto's.
            rows.push(input_row(
                &format!("fac{i}_due"),
                &format!("{name}: scheduled principal"),
                "US$",
                q.iter()
                    .map(|r| r.facilities.get(i).map_or(0.0, |x| x.principal_usd))
                    .collect(),
                wf,
            ));
        } else {
            rows.push(live(
                &format!("fac{i}_due"),
                &format!("{name}: scheduled principal (in the repayment window; all at maturity)"),
                "US$",
                iff(
                    Cond::And(vec![
                        Cond::Gt(r("period"), fin("timing.construction_quarters")),
                        Cond::Le(r(&fr), r("period")),
                        Cond::Gt(r(&o), c(0.0)),
                    ]),
                    iff(Cond::Le(r(&mat), r("period")), r(&o), regular),
                    c(0.0),
                ),
                None,
            ));
        }
        debt_keys.push(cl);
    }
    // The debt facilities, the senior ones among them and the subordinated.
    let debt: Vec<usize> = (0..f.facility_names.len())
        .filter(|&i| debt_keys.contains(&format!("fac{i}_close")))
        .collect();
    let is_senior = |i: usize| cfg.facilities.get(i).is_some_and(|x| x.is_senior());
    let senior: Vec<usize> = debt.iter().copied().filter(|&i| is_senior(i)).collect();
    let subs: Vec<usize> = debt.iter().copied().filter(|&i| !is_senior(i)).collect();
    // A row of each of these facilities, summed (`fac{i}_{what}`).
    let fac_sum = |idx: &[usize], what: &str| -> Expr {
        signed(
            idx.iter()
                .map(|i| (true, r(&format!("fac{i}_{what}"))))
                .collect(),
        )
    };
    rows.push(
        live(
            "senior_interest",
            "senior interest (operations and closure; in construction it is funded by the sources)",
            "US$",
            mul(sub(c(1.0), r("construction")), fac_sum(&senior, "interest")),
            Some(col(&|r| r.senior_interest_usd)),
        )
        .json("quarterly.senior_interest_usd"),
    );
    let all_int: Vec<(bool, Expr)> = debt_keys
        .iter()
        .map(|k| (true, r(&k.replace("_close", "_interest"))))
        .chain([
            (true, r("dsra_lc_cost")),
            (true, r("vat_facility_interest")),
        ])
        .collect();
    rows.push(
        live(
            "interest_expense",
            "interest expense (operations; in construction it is capitalised)",
            "US$",
            mul(sub(c(1.0), r("construction")), signed(all_int)),
            Some(is.iter().map(|x| x.interest_expense_usd).collect()),
        )
        .json("income_statement.interest_expense_usd"),
    );
    rows.push(heading(
        "PTU (profit sharing): rate of the year × the positive taxable base (live formulas)",
    ));
    rows.push(live(
        "tax_base",
        "taxable base before losses: EBITDA − duty − tax depreciation − interest expense",
        "US$",
        signed(vec![
            (true, r("ebitda")),
            (false, r("mining_duty")),
            (false, r("tax_dep_capital")),
            (false, r("tax_dep_financing")),
            (false, r("interest_expense")),
        ]),
        None,
    ));
    rows.push(
        live(
            "ptu",
            "PTU (profit sharing), levered",
            "US$",
            mul(
                sub(c(1.0), r("construction")),
                mul(div(deck("ptu_pct"), c(100.0)), max(r("tax_base"), c(0.0))),
            ),
            Some(col(&|r| r.ptu_usd)),
        )
        .json("quarterly.ptu_usd"),
    );
    rows.push(heading(
        "Income tax: ISR on the base after PTU less the losses brought forward (FIFO, expiring after loss_carry_forward_years), the greater of ISR and IETU after its credits (live formulas)",
    ));
    // A pool of vintages used oldest first and expiring `years` after they arise, as
    // corkscrews: what expires in a quarter is what is left of the vintage `4 × years + 1`
    // quarters back, that is its cumulative additions less all consumed before.
    let pool = |rows: &mut Vec<Row>,
                p: &str,
                what: &str,
                added: Expr,
                demand: Expr,
                years_key: &str,
                manto_used: Option<(Vec<f64>, &str)>,
                manto_close: Option<Vec<f64>>| {
        let k = |s: &str| format!("{p}_{s}");
        rows.push(live(
            &k("added"),
            &format!("{what}: arising"),
            "US$",
            added,
            None,
        ));
        rows.push(live(
            &k("cum_added"),
            &format!("{what}: cumulative arising"),
            "US$",
            add(prev(&k("cum_added")), r(&k("added"))),
            None,
        ));
        rows.push(live(
            &k("open"),
            &format!("{what}: opening"),
            "US$",
            prev(&k("close")),
            None,
        ));
        rows.push(live(
            &k("expired"),
            &format!("{what}: expired (what is left of the vintage that reaches its term)"),
            "US$",
            iff(
                Cond::Gt(r("period"), add(mul(fin(years_key), c(4.0)), c(1.0))),
                max(
                    sub(
                        Expr::Offset(
                            k("cum_added"),
                            Box::new(add(mul(fin(years_key), c(4.0)), c(1.0))),
                        ),
                        prev(&k("cum_consumed")),
                    ),
                    c(0.0),
                ),
                c(0.0),
            ),
            None,
        ));
        let mut used = live(
            &k("used"),
            &format!("{what}: used"),
            "US$",
            min(demand, sub(r(&k("open")), r(&k("expired")))),
            None,
        );
        if let Some((v, key)) = manto_used {
            used.manto = Some(v);
            used.manto_key = Some(key.into());
        }
        rows.push(used);
        rows.push(live(
            &k("cum_consumed"),
            &format!("{what}: cumulative used and expired"),
            "US$",
            signed(vec![
                (true, prev(&k("cum_consumed"))),
                (true, r(&k("used"))),
                (true, r(&k("expired"))),
            ]),
            None,
        ));
        rows.push(live(
            &k("close"),
            &format!("{what}: closing"),
            "US$",
            signed(vec![
                (true, r(&k("open"))),
                (false, r(&k("expired"))),
                (true, r(&k("added"))),
                (false, r(&k("used"))),
            ]),
            manto_close,
        ));
    };
    rows.push(live(
        "tax_before_losses",
        "taxable income before losses (base − PTU when deductible; none in construction)",
        "US$",
        mul(
            sub(c(1.0), r("construction")),
            sub(r("tax_base"), mul(fin("tax.ptu_deductible"), r("ptu"))),
        ),
        None,
    ));
    pool(
        &mut rows,
        "loss",
        "tax losses",
        max(sub(c(0.0), r("tax_before_losses")), c(0.0)),
        max(r("tax_before_losses"), c(0.0)),
        "tax.loss_carry_forward_years",
        Some((
            col(&|r| r.tax_losses_used_usd),
            "quarterly.tax_losses_used_usd",
        )),
        ck("tax_losses").map(|c| c.closing.clone()),
    );
    rows.push(live(
        "isr",
        "ISR: rate of the year × (taxable income − losses used)",
        "US$",
        mul(
            div(deck("income_tax_pct"), c(100.0)),
            sub(max(r("tax_before_losses"), c(0.0)), r("loss_used")),
        ),
        None,
    ));
    rows.push(live(
        "ietu_base",
        "IETU base: EBITDA − initial and sustaining capital",
        "US$",
        signed(vec![
            (true, r("ebitda")),
            (false, r("capex_initial")),
            (false, r("capex_sustaining")),
        ]),
        None,
    ));
    let ietu_rate = || div(deck("ietu_pct"), c(100.0));
    pool(
        &mut rows,
        "ietu_credit",
        "IETU credits",
        iff(
            Cond::Gt(c(0.0), r("ietu_base")),
            mul(ietu_rate(), sub(c(0.0), r("ietu_base"))),
            c(0.0),
        ),
        mul(ietu_rate(), max(r("ietu_base"), c(0.0))),
        "tax.ietu_credit_years",
        None,
        ck("ietu_credits").map(|c| c.closing.clone()),
    );
    rows.push(live(
        "ietu_after_credits",
        "IETU after its credits",
        "US$",
        sub(
            mul(ietu_rate(), max(r("ietu_base"), c(0.0))),
            r("ietu_credit_used"),
        ),
        None,
    ));
    rows.push(
        live(
            "ietu",
            "IETU above ISR (operations)",
            "US$",
            mul(
                sub(c(1.0), r("construction")),
                max(sub(r("ietu_after_credits"), r("isr")), c(0.0)),
            ),
            Some(col(&|r| r.ietu_usd)),
        )
        .json("quarterly.ietu_usd"),
    );
    rows.push(
        live(
            "income_tax",
            "income tax, levered: ISR + IETU above it (operations)",
            "US$",
            add(mul(sub(c(1.0), r("construction")), r("isr")), r("ietu")),
            Some(col(&|r| r.income_tax_usd)),
        )
        .json("quarterly.income_tax_usd"),
    );
    provisional(
        &mut rows,
        "prov",
        "provisional payments",
        "income_tax",
        "tax_before_losses",
        "loss_open",
    );
    if let Some(row) = rows.iter_mut().find(|x| x.key == "prov_true_up") {
        row.manto = Some(col(&|r| r.tax_true_up_usd));
        row.manto_key = Some("quarterly.tax_true_up_usd".into());
    }
    rows.push(
        live(
            "income_tax_paid",
            "income tax paid: as computed, or the provisional payments and true-up",
            "US$",
            iff(
                Cond::InputIs("finance.tax.payments".into(), "profit_coefficient".into()),
                r("prov_paid"),
                r("income_tax"),
            ),
            Some(col(&|r| r.income_tax_paid_usd)),
        )
        .json("quarterly.income_tax_paid_usd"),
    );
    corkscrew(
        &mut rows,
        ("tax_payable_open", "tax_payable"),
        "income tax payable",
        " (+ tax − paid)",
        ("income_tax", "income_tax_paid"),
        bsc(|b| b.tax_payable_usd),
        "balance_sheet.tax_payable_usd",
    );
    rows.push(heading(
        "Taxes without financing (the project's after-tax cash flow): the same regime on EBITDA − duty − tax depreciation of the capital (live formulas)",
    ));
    rows.push(live(
        "u_base",
        "unlevered taxable base (operations)",
        "US$",
        mul(
            sub(c(1.0), r("construction")),
            signed(vec![
                (true, r("ebitda")),
                (false, r("mining_duty")),
                (false, r("tax_dep_capital")),
            ]),
        ),
        None,
    ));
    rows.push(live(
        "u_ptu",
        "unlevered PTU",
        "US$",
        mul(div(deck("ptu_pct"), c(100.0)), max(r("u_base"), c(0.0))),
        None,
    ));
    rows.push(live(
        "u_before_losses",
        "unlevered taxable income before losses",
        "US$",
        sub(r("u_base"), mul(fin("tax.ptu_deductible"), r("u_ptu"))),
        None,
    ));
    pool(
        &mut rows,
        "uloss",
        "unlevered tax losses",
        max(sub(c(0.0), r("u_before_losses")), c(0.0)),
        max(r("u_before_losses"), c(0.0)),
        "tax.loss_carry_forward_years",
        None,
        None,
    );
    rows.push(live(
        "u_isr",
        "unlevered ISR",
        "US$",
        mul(
            div(deck("income_tax_pct"), c(100.0)),
            sub(max(r("u_before_losses"), c(0.0)), r("uloss_used")),
        ),
        None,
    ));
    rows.push(live(
        "u_income_tax",
        "unlevered income tax: ISR + IETU above it",
        "US$",
        add(
            r("u_isr"),
            max(sub(r("ietu_after_credits"), r("u_isr")), c(0.0)),
        ),
        None,
    ));
    provisional(
        &mut rows,
        "uprov",
        "unlevered provisional payments",
        "u_income_tax",
        "u_before_losses",
        "uloss_open",
    );
    rows.push(
        live(
            "tax_unlevered",
            "taxes without financing: unlevered PTU + income tax paid (as computed, or provisional)",
            "US$",
            iff(
                Cond::InputIs("finance.tax.payments".into(), "profit_coefficient".into()),
                add(r("u_ptu"), r("uprov_paid")),
                add(r("u_ptu"), r("u_income_tax")),
            ),
            Some(col(&|r| r.tax_unlevered_usd)),
        )
        .json("quarterly.tax_unlevered_usd"),
    );
    rows.push(live(
        "cfbt",
        "cash flow before income taxes: after the mining duty, sustaining capex, working capital and IVA",
        "US$",
        signed(vec![
            (true, r("ebitda")),
            (false, r("mining_duty")),
            (false, r("capex_sustaining")),
            (false, r("wc_increase")),
            (false, r("vat_paid")),
            (true, r("vat_refund")),
        ]),
        None,
    ));
    rows.push(
        live(
            "cfads",
            "CFADS: cash flow before income taxes − PTU − ISR paid + IVA facility drawn − repaid (none in construction, funded by the sources)",
            "US$",
            mul(
                sub(c(1.0), r("construction")),
                signed(vec![
                    (true, r("cfbt")),
                    (false, r("ptu")),
                    (false, r("income_tax_paid")),
                    (true, r("vat_facility_drawing")),
                    (false, r("vat_facility_repayment")),
                ]),
            ),
            Some(col(&|r| r.cfads_usd)),
        )
        .json("quarterly.cfads_usd"),
    );
    rows.push(
        live(
            "project_cf_pre_tax",
            "project cash flow before tax",
            "US$",
            signed(vec![
                (true, r("cfbt")),
                (true, r("mining_duty")),
                (false, r("capex_initial")),
            ]),
            Some(col(&|r| r.project_cash_flow_pre_tax_usd)),
        )
        .json("quarterly.project_cash_flow_pre_tax_usd"),
    );
    rows.push(
        live(
            "project_cf_after_tax",
            "project cash flow after tax",
            "US$",
            signed(vec![
                (true, r("cfbt")),
                (false, r("tax_unlevered")),
                (false, r("capex_initial")),
            ]),
            Some(col(&|r| r.project_cash_flow_after_tax_usd)),
        )
        .json("quarterly.project_cash_flow_after_tax_usd"),
    );
    let mut eq_cf = vec![(true, r("distributions"))];
    eq_cf.extend(
        (0..f.facility_names.len())
            .filter(|&i| is_equity(i))
            .map(|i| (false, r(&format!("fac{i}_draw")))),
    );
    eq_cf.extend([
        (false, r("sponsor_support")),
        (false, r("funding_shortfall")),
    ]);
    rows.push(
        live(
            "equity_cf",
            "equity cash flow: distributions − equity drawn − sponsor support − shortfall",
            "US$",
            signed(eq_cf),
            Some(col(&|r| r.equity_cash_flow_usd)),
        )
        .json("quarterly.equity_cash_flow_usd"),
    );
    rows.push(heading(
        "Book depreciation: units of production on plant feed from COD (live formulas)",
    ));
    rows.push(live(
        "feed_remaining",
        "plant feed from this quarter to the end",
        "dry t",
        Expr::SumToEnd("prod_feed".into()),
        None,
    ));
    rows.push(live(
        "fixed_assets_red",
        "book depreciation: net book value × feed ÷ feed remaining (all of it once no feed remains)",
        "US$",
        iff(
            Cond::Gt(r("construction"), c(0.0)),
            c(0.0),
            iff(
                Cond::Le(r("feed_remaining"), c(1e-9)),
                prev("fixed_assets_close"),
                div(
                    mul(prev("fixed_assets_close"), r("prod_feed")),
                    r("feed_remaining"),
                ),
            ),
        ),
        ck("fixed_assets_book").map(|c| c.reductions.clone()),
    )
    .json("income_statement.depreciation_usd"));
    rows.push(heading("Income statement (live formulas)"));
    rows.push(
        live(
            "net_income",
            "net income: EBITDA − depreciation − interest − duty − PTU − ISR",
            "US$",
            signed(vec![
                (true, r("ebitda")),
                (false, r("fixed_assets_red")),
                (false, r("interest_expense")),
                (false, r("mining_duty")),
                (false, r("ptu")),
                (false, r("income_tax")),
            ]),
            Some(is.iter().map(|x| x.net_income_usd).collect()),
        )
        .json("income_statement.net_income_usd"),
    );
    rows.push(heading("Debt service and cover (live formulas)"));
    rows.push(
        live(
            "senior_principal",
            "senior scheduled principal",
            "US$",
            mul(sub(c(1.0), r("construction")), fac_sum(&senior, "due")),
            Some(col(&|r| r.senior_principal_usd)),
        )
        .json("quarterly.senior_principal_usd"),
    );
    rows.push(
        live(
            "senior_ds",
            "senior debt service",
            "US$",
            sum_of(&["senior_interest", "senior_principal"]),
            Some(col(&|r| r.senior_debt_service_usd)),
        )
        .json("quarterly.senior_debt_service_usd"),
    );
    rows.push(
        live(
            "dscr",
            "DSCR = CFADS / senior debt service",
            "x",
            iff(
                Cond::Gt(r("senior_ds"), c(1e-6)),
                div(r("cfads"), r("senior_ds")),
                Expr::Empty,
            ),
            Some(col(&|r| r.dscr.unwrap_or(f64::NAN))),
        )
        .json("quarterly.dscr"),
    );
    // ---- Tax depreciation -----------------------------------------------------------------
    // Each quarter's additions are in service from the next quarter (construction's from
    // COD) and deducted at the class rate ÷ 4 of cost a quarter until used up (the last
    // quarter takes what is left); what is left at the end of operations is written off.
    rows.push(heading(
        "Tax depreciation by class: corkscrews of the written-down value; rate ÷ 4 of the cost in service, the rest written off at the end of operations (live formulas)",
    ));
    let write_off = || {
        min(
            add(
                add(
                    fin("timing.construction_quarters"),
                    input(OPERATING_QUARTERS),
                ),
                c(1.0),
            ),
            Expr::RowMax("period".into()),
        )
    };
    let financing_class = cfg
        .tax
        .depreciation_classes
        .iter()
        .position(|x| x.name == cfg.tax.financing_costs_class);
    let mut blocks: Vec<(String, String, Option<usize>, String)> = classes
        .iter()
        .enumerate()
        .map(|(j, (name, k))| (format!("td{j}"), name.clone(), *k, format!("td{j}_add")))
        .collect();
    blocks.push((
        "tdf".into(),
        "financing_costs".into(),
        financing_class,
        "capitalised_financing".into(),
    ));
    let mut capital_dep = Vec::new();
    for (p, name, k, adds) in &blocks {
        let key = |what: &str| format!("{p}_{what}");
        let manto = f
            .corkscrews
            .iter()
            .find(|c| c.name == format!("tax_wdv:{name}"));
        let Some(k) = k else {
            // No rate: nothing is deducted before the write-off (manto's rate 0).
            rows.push(live(
                &key("dep"),
                &format!("tax depreciation, {name}"),
                "US$",
                c(0.0),
                None,
            ));
            if p != "tdf" {
                capital_dep.push(key("dep"));
            }
            continue;
        };
        let rate = || fin(&format!("tax.depreciation_classes[{k}].rate_pct"));
        let qr = || div(rate(), c(400.0));
        let whole = || int(div(c(1.0), qr()));
        // Additions to date, so the cost placed in service reads earlier quarters only (no
        // circular reference through this quarter's interest and tax).
        rows.push(live(
            &key("cum"),
            &format!("{name}: additions to date"),
            "US$",
            add(prev(&key("cum")), r(adds)),
            None,
        ));
        rows.push(live(
            &key("in_service"),
            &format!("{name}: cost placed in service"),
            "US$",
            iff(
                Cond::Eq(
                    r("period"),
                    add(fin("timing.construction_quarters"), c(1.0)),
                ),
                prev(&key("cum")),
                iff(
                    Cond::Gt(
                        r("period"),
                        add(fin("timing.construction_quarters"), c(1.0)),
                    ),
                    prev(adds),
                    c(0.0),
                ),
            ),
            None,
        ));
        rows.push(live(
            &key("open"),
            &format!("{name}: written-down value, opening"),
            "US$",
            prev(&key("close")),
            None,
        ));
        let regular = iff(
            Cond::Gt(rate(), c(0.0)),
            add(
                mul(
                    qr(),
                    Expr::SumBack(
                        key("in_service"),
                        Box::new(min(sub(whole(), c(1.0)), sub(r("period"), c(1.0)))),
                    ),
                ),
                iff(
                    Cond::Le(whole(), sub(r("period"), c(1.0))),
                    mul(
                        sub(c(1.0), mul(whole(), qr())),
                        Expr::Offset(key("in_service"), Box::new(whole())),
                    ),
                    c(0.0),
                ),
            ),
            c(0.0),
        );
        rows.push(live(
            &key("dep"),
            &format!("tax depreciation, {name}"),
            "US$",
            iff(Cond::Le(write_off(), r("period")), r(&key("open")), regular),
            manto.map(|c| c.reductions.clone()),
        ));
        rows.push(live(
            &key("close"),
            &format!("{name}: written-down value, closing"),
            "US$",
            signed(vec![
                (true, r(&key("open"))),
                (true, r(adds)),
                (false, r(&key("dep"))),
            ]),
            manto.map(|c| c.closing.clone()),
        ));
        if p != "tdf" {
            capital_dep.push(key("dep"));
        }
    }
    let wdv = |fin_costs: bool| -> Vec<f64> {
        let mut v = vec![0.0; n];
        for ck in f.corkscrews.iter().filter(|c| {
            c.name.starts_with("tax_wdv:") && (c.name == "tax_wdv:financing_costs") == fin_costs
        }) {
            v.iter_mut().zip(&ck.reductions).for_each(|(a, d)| *a += d);
        }
        v
    };
    rows.push(live(
        "tax_dep_capital",
        "tax depreciation of the capital (every class)",
        "US$",
        sum_of(&capital_dep.iter().map(String::as_str).collect::<Vec<_>>()),
        Some(wdv(false)),
    ));
    rows.push(live(
        "tax_dep_financing",
        "tax depreciation of the capitalised financing costs",
        "US$",
        r("tdf_dep"),
        Some(wdv(true)),
    ));
    rows.push(
        live(
            "tax_depreciation",
            "tax depreciation",
            "US$",
            sum_of(&["tax_dep_capital", "tax_dep_financing"]),
            Some(col(&|r| r.tax_depreciation_usd)),
        )
        .json("quarterly.tax_depreciation_usd"),
    );

    // ---- Sources and uses of construction --------------------------------------------------
    // Quarter by quarter in construction, as manto's: the uses (initial capital, the DSRA
    // funded at completion, IVA net of refunds and of the IVA facility, interest not
    // capitalised and fees) are met by the lease for the leased equipment, then equity
    // first, then the pro-rata lenders (by commitment, within headroom, in rounds), then
    // — once capital to date runs over its budget — the cost overrun facility for its share
    // and the sponsor for the rest from contingent equity, then contingent equity; what is
    // left is a funding shortfall.
    rows.push(heading(
        "Sources and uses of construction: lease, equity first, pro rata, overrun facility, contingent equity, shortfall (live formulas)",
    ));
    use finance::config::DrawdownRule;
    let building = || r("construction");
    let in_con = |e: Expr| mul(building(), e);
    let commit_of = |i: usize| -> Expr {
        match sized(i) {
            Some(sf) => input(&format!("debt_sizing.facilities[{}].sized_usd", sf.index)),
            None => fin(&format!("facilities[{i}].commitment_usd")),
        }
    };
    let fcfg = |i: usize| cfg.facilities.get(i);
    let rule = |i: usize| fcfg(i).map(|x| x.drawdown);
    let nfac = f.facility_names.len();
    for i in (0..nfac).filter(|&i| is_equity(i)) {
        rows.push(live(
            &format!("eq{i}_open"),
            &format!("{}: drawn to date, opening", f.facility_names[i]),
            "US$",
            prev(&format!("eq{i}_close")),
            None,
        ));
        rows.push(live(
            &format!("eq{i}_close"),
            &format!("{}: drawn to date, closing", f.facility_names[i]),
            "US$",
            add(r(&format!("eq{i}_open")), r(&format!("fac{i}_draw"))),
            None,
        ));
    }
    let open_of = |i: usize| {
        if is_equity(i) {
            r(&format!("eq{i}_open"))
        } else {
            r(&format!("fac{i}_open"))
        }
    };
    let fac_row = |rows: &mut Vec<Row>, key: String, label: String, e: Expr| {
        rows.push(live(&key, &label, "US$", e, None));
    };
    for i in 0..nfac {
        let name = &f.facility_names[i];
        fac_row(
            &mut rows,
            format!("cf{i}_head0"),
            format!("{name}: headroom (commitment less the balance)"),
            max(sub(commit_of(i), open_of(i)), c(0.0)),
        );
        if is_equity(i) {
            fac_row(
                &mut rows,
                format!("cf{i}_head1"),
                format!("{name}: headroom for drawings"),
                r(&format!("cf{i}_head0")),
            );
            continue;
        }
        let fx = |k: &str| fin(&format!("facilities[{i}].{k}"));
        rows.push(
            live(
                &format!("fac{i}_fees"),
                &format!(
                    "{name}: commitment fee on the headroom + upfront fee in the first quarter"
                ),
                "US$",
                in_con(add(
                    mul(
                        div(fx("commitment_fee_pct"), c(400.0)),
                        r(&format!("cf{i}_head0")),
                    ),
                    iff(
                        Cond::Eq(r("period"), c(1.0)),
                        mul(div(fx("upfront_fee_pct"), c(100.0)), commit_of(i)),
                        c(0.0),
                    ),
                )),
                Some(
                    q.iter()
                        .map(|r| r.facilities.get(i).map_or(0.0, |x| x.fees_usd))
                        .collect(),
                ),
            )
            .json(&format!("quarterly.facilities.{i}.fees_usd")),
        );
        fac_row(
            &mut rows,
            format!("fac{i}_capint_c"),
            format!("{name}: interest capitalised in construction (within the headroom)"),
            in_con(iff(
                Cond::InputTrue(format!("finance.facilities[{i}].capitalise_idc")),
                min(r(&format!("fac{i}_interest")), r(&format!("cf{i}_head0"))),
                c(0.0),
            )),
        );
        fac_row(
            &mut rows,
            format!("cf{i}_head1"),
            format!("{name}: headroom for drawings"),
            sub(r(&format!("cf{i}_head0")), r(&format!("fac{i}_capint_c"))),
        );
    }
    let fin_costs = signed(
        debt.iter()
            .flat_map(|i| {
                [
                    (true, r(&format!("fac{i}_interest"))),
                    (false, r(&format!("fac{i}_capint_c"))),
                    (true, r(&format!("fac{i}_fees"))),
                ]
            })
            .chain([(true, r("vat_facility_interest"))])
            .collect(),
    );
    rows.push(live(
        "financing_costs_paid",
        "financing costs paid in construction (interest not capitalised, fees, IVA facility interest)",
        "US$",
        in_con(fin_costs),
        Some(
            f.cash_flow_statement
                .iter()
                .map(|x| -x.capitalised_financing_costs_usd)
                .collect(),
        ),
    ));
    rows.push(live(
        "dsra_funding_c",
        "DSRA funded from the construction sources in the last construction quarter",
        "US$",
        iff(
            Cond::And(vec![
                Cond::Eq(r("period"), fin("timing.construction_quarters")),
                Cond::InputTrue("finance.dsra.funded_at_completion".into()),
                Cond::Not(Box::new(Cond::InputTrue(
                    "finance.dsra.letter_of_credit".into(),
                ))),
            ]),
            r("dsra_target"),
            c(0.0),
        ),
        None,
    ));
    fac_row(
        &mut rows,
        "cf_uses".into(),
        "uses: initial capital + DSRA + IVA paid − refunded − IVA facility net + financing costs paid".into(),
        in_con(signed(vec![
            (true, r("capex_initial")),
            (true, r("dsra_funding_c")),
            (true, r("vat_paid")),
            (false, r("vat_refund")),
            (false, r("vat_facility_drawing")),
            (true, r("vat_facility_repayment")),
            (true, r("financing_costs_paid")),
        ])),
    );
    let mut need = "cf_need".to_string();
    fac_row(
        &mut rows,
        need.clone(),
        "to fund (refunds above the uses stay in cash)".into(),
        max(r("cf_uses"), c(0.0)),
    );
    let mut draw: HashMap<usize, Vec<String>> = HashMap::new();
    // The lease: the leased equipment as delivered.
    let mut leased = "capex_leased".to_string();
    for i in (0..nfac).filter(|&i| rule(i) == Some(DrawdownRule::LeasedEquipment)) {
        let d = format!("cf{i}_lease");
        fac_row(
            &mut rows,
            d.clone(),
            format!("{}: drawn for the leased equipment", f.facility_names[i]),
            in_con(min(min(r(&leased), r(&format!("cf{i}_head1"))), r(&need))),
        );
        let (l2, n2) = (format!("{d}_leased_left"), format!("{d}_need_left"));
        fac_row(
            &mut rows,
            l2.clone(),
            "leased equipment not yet funded".into(),
            sub(r(&leased), r(&d)),
        );
        fac_row(
            &mut rows,
            n2.clone(),
            "still to fund".into(),
            sub(r(&need), r(&d)),
        );
        draw.entry(i).or_default().push(d);
        leased = l2;
        need = n2;
    }
    for i in (0..nfac).filter(|&i| rule(i) == Some(DrawdownRule::EquityFirst)) {
        let d = format!("cf{i}_first");
        fac_row(
            &mut rows,
            d.clone(),
            format!("{}: drawn first", f.facility_names[i]),
            min(r(&need), r(&format!("cf{i}_head1"))),
        );
        let n2 = format!("{d}_need_left");
        fac_row(
            &mut rows,
            n2.clone(),
            "still to fund".into(),
            sub(r(&need), r(&d)),
        );
        draw.entry(i).or_default().push(d);
        need = n2;
    }
    let group: Vec<usize> = (0..nfac)
        .filter(|&i| rule(i) == Some(DrawdownRule::ProRata))
        .collect();
    let mut head: HashMap<usize, String> =
        group.iter().map(|&i| (i, format!("cf{i}_head1"))).collect();
    for round in 0..=group.len() {
        let total = format!("cf_pr{round}_total");
        fac_row(
            &mut rows,
            total.clone(),
            format!("pro rata, round {}: commitments with headroom", round + 1),
            signed(
                group
                    .iter()
                    .map(|&i| {
                        (
                            true,
                            iff(Cond::Gt(r(&head[&i]), c(1e-9)), commit_of(i), c(0.0)),
                        )
                    })
                    .collect(),
            ),
        );
        let mut given = Vec::new();
        for &i in &group {
            let a = format!("cf{i}_pr{round}");
            fac_row(
                &mut rows,
                a.clone(),
                format!("{}: pro rata, round {}", f.facility_names[i], round + 1),
                iff(
                    Cond::And(vec![
                        Cond::Gt(r(&need), c(1e-9)),
                        Cond::Gt(r(&total), c(0.0)),
                        Cond::Gt(r(&head[&i]), c(1e-9)),
                    ]),
                    min(div(mul(r(&need), commit_of(i)), r(&total)), r(&head[&i])),
                    c(0.0),
                ),
            );
            let h2 = format!("{a}_head");
            fac_row(
                &mut rows,
                h2.clone(),
                "headroom left".into(),
                sub(r(&head[&i]), r(&a)),
            );
            head.insert(i, h2);
            given.push((true, r(&a)));
            draw.entry(i).or_default().push(a);
        }
        let n2 = format!("cf_pr{round}_need_left");
        fac_row(
            &mut rows,
            n2.clone(),
            "still to fund".into(),
            sub(r(&need), signed(given)),
        );
        need = n2;
    }
    // The overrun: capital to date above its budget to date.
    fac_row(
        &mut rows,
        "cf_cum_spend".into(),
        "initial capital spent to date".into(),
        add(prev("cf_cum_spend"), in_con(r("capex_initial"))),
    );
    fac_row(
        &mut rows,
        "cf_cum_budget".into(),
        "initial capital budget to date".into(),
        add(prev("cf_cum_budget"), in_con(r("capex_budget"))),
    );
    fac_row(
        &mut rows,
        "cf_overrun".into(),
        "overrun to date".into(),
        max(sub(r("cf_cum_spend"), r("cf_cum_budget")), c(0.0)),
    );
    let declared = || {
        Cond::And(vec![
            Cond::Gt(r("cf_overrun_base"), c(1e-9)),
            Cond::Gt(r("cf_overrun"), c(1e-9)),
        ])
    };
    fac_row(
        &mut rows,
        "cf_overrun_base".into(),
        "to fund when the overrun facility is called".into(),
        r(&need),
    );
    let overrun_fac: Vec<usize> = (0..nfac)
        .filter(|&i| rule(i) == Some(DrawdownRule::OverrunOnly))
        .collect();
    for &i in &overrun_fac {
        let share = || div(fin(&format!("facilities[{i}].overrun_share_pct")), c(100.0));
        let d = format!("cf{i}_overrun");
        fac_row(
            &mut rows,
            d.clone(),
            format!("{}: its share of the overrun", f.facility_names[i]),
            iff(
                declared(),
                min(
                    min(
                        min(
                            mul(share(), r("cf_overrun_base")),
                            max(
                                sub(
                                    mul(share(), r("cf_overrun")),
                                    prev(&format!("cf{i}_overrun_drawn")),
                                ),
                                c(0.0),
                            ),
                        ),
                        r(&format!("cf{i}_head1")),
                    ),
                    r(&need),
                ),
                c(0.0),
            ),
        );
        fac_row(
            &mut rows,
            format!("cf{i}_overrun_drawn"),
            "drawn for the overrun to date".into(),
            add(prev(&format!("cf{i}_overrun_drawn")), r(&d)),
        );
        let n2 = format!("{d}_need_left");
        fac_row(
            &mut rows,
            n2.clone(),
            "still to fund".into(),
            sub(r(&need), r(&d)),
        );
        draw.entry(i).or_default().push(d);
        need = n2;
    }
    let shares = signed(
        overrun_fac
            .iter()
            .map(|i| {
                (
                    true,
                    div(fin(&format!("facilities[{i}].overrun_share_pct")), c(100.0)),
                )
            })
            .collect(),
    );
    fac_row(
        &mut rows,
        "cf_contingent_left".into(),
        "contingent equity not yet called".into(),
        sub(
            fin("funding.contingent_equity_usd"),
            prev("cf_contingent_used"),
        ),
    );
    fac_row(
        &mut rows,
        "cf_sponsor_overrun".into(),
        "the sponsor's share of the overrun, from contingent equity".into(),
        iff(
            declared(),
            min(
                min(
                    mul(max(sub(c(1.0), shares), c(0.0)), r("cf_overrun_base")),
                    r("cf_contingent_left"),
                ),
                r(&need),
            ),
            c(0.0),
        ),
    );
    fac_row(
        &mut rows,
        "cf_contingent_more".into(),
        "contingent equity for what is left".into(),
        min(
            sub(r(&need), r("cf_sponsor_overrun")),
            sub(r("cf_contingent_left"), r("cf_sponsor_overrun")),
        ),
    );
    rows.push(live(
        "sponsor_support_c",
        "contingent equity drawn in construction",
        "US$",
        in_con(add(r("cf_sponsor_overrun"), r("cf_contingent_more"))),
        None,
    ));
    fac_row(
        &mut rows,
        "cf_contingent_used".into(),
        "contingent equity called to date".into(),
        add(prev("cf_contingent_used"), r("sponsor_support_c")),
    );
    rows.push(live(
        "funding_shortfall_c",
        "funding shortfall in construction (met by the sponsors as equity)",
        "US$",
        in_con(max(
            signed(vec![
                (true, r(&need)),
                (false, r("cf_sponsor_overrun")),
                (false, r("cf_contingent_more")),
            ]),
            c(0.0),
        )),
        None,
    ));
    for i in 0..nfac {
        let parts: Vec<&str> = draw
            .get(&i)
            .map_or_else(Vec::new, |v| v.iter().map(String::as_str).collect());
        rows.push(
            live(
                &format!("fac{i}_draw"),
                &format!("{}: drawdown", f.facility_names[i]),
                "US$",
                in_con(sum_of(&parts)),
                Some(
                    q.iter()
                        .map(|r| r.facilities.get(i).map_or(0.0, |x| x.drawdown_usd))
                        .collect(),
                ),
            )
            .json(&format!("quarterly.facilities.{i}.drawdown_usd")),
        );
    }
    let draws: Vec<String> = (0..nfac).map(|i| format!("fac{i}_draw")).collect();
    let mut cash_in: Vec<(bool, Expr)> = draws.iter().map(|k| (true, r(k))).collect();
    cash_in.extend([
        (true, r("sponsor_support_c")),
        (true, r("funding_shortfall_c")),
        (true, r("vat_refund")),
        (true, r("vat_facility_drawing")),
    ]);
    rows.push(live(
        "cash_add_construction",
        "cash: additions in construction (drawdowns, contingent equity, shortfall, IVA refunds and facility drawings)",
        "US$",
        in_con(signed(cash_in)),
        None,
    ));
    rows.push(live(
        "cash_red_construction",
        "cash: reductions in construction (initial capital, financing costs, DSRA, IVA paid, IVA facility repaid)",
        "US$",
        in_con(signed(vec![
            (true, r("capex_initial")),
            (true, r("financing_costs_paid")),
            (true, r("dsra_funding_c")),
            (true, r("vat_paid")),
            (true, r("vat_facility_repayment")),
        ])),
        None,
    ));
    // ---- The operating waterfall -----------------------------------------------------------
    // Quarter by quarter from COD, in manto's order: cash after debt service; the
    // maintenance reserve pays sustaining capital; the DSRA (or its letter of credit) meets
    // a shortfall; sponsor support before completion; debt service cash cannot meet is
    // deferred (principal first, then interest capitalised); the DSRA, the letter of
    // credit and the maintenance reserve are brought to their targets; subordinated debt
    // service; a funding shortfall; the covenant test, the sweep, the closure reserve and
    // the distributions. `w_cash_k` is the cash in hand after step k.
    let ops = || sub(c(1.0), r("construction"));
    let cqe = || fin("timing.construction_quarters");
    let nper = || Expr::RowMax("period".into());
    let eoo = || min(add(cqe(), input(OPERATING_QUARTERS)), nper());
    let pos = |e: Expr| max(e, c(0.0));
    let neg = |e: Expr| max(sub(c(0.0), e), c(0.0));
    let lc_on = || Cond::InputTrue("finance.dsra.letter_of_credit".into());
    let sweepable: Vec<usize> = debt
        .iter()
        .copied()
        .filter(|&i| {
            cfg.facilities.get(i).is_some_and(|x| {
                matches!(
                    x.kind,
                    finance::config::FacilityKind::SeniorTermLoan
                        | finance::config::FacilityKind::CostOverrun
                )
            })
        })
        .collect();
    let wrow = |rows: &mut Vec<Row>, key: &str, label: &str, e: Expr| {
        rows.push(live(key, label, "US$", e, None));
    };
    let checked = |rows: &mut Vec<Row>, key: &str, label: &str, e: Expr, g: Get, json: &str| {
        rows.push(live(key, label, "US$", e, Some(col(&g))).json(json));
    };
    rows.push(heading(
        "Operating waterfall from COD, in manto's order (live formulas; w_cash: cash in hand after each step)",
    ));
    checked(
        &mut rows,
        "dsra_lc_cost",
        "DSRA letter of credit: fee on the target + interest on drawings",
        mul(
            ops(),
            iff(
                lc_on(),
                add(
                    mul(div(fin("dsra.lc_fee_pct"), c(400.0)), r("dsra_target")),
                    mul(
                        div(fin("dsra.lc_drawn_rate_pct"), c(400.0)),
                        r("dsra_lc_open"),
                    ),
                ),
                c(0.0),
            ),
        ),
        |r| r.dsra_lc_cost_usd,
        "quarterly.dsra_lc_cost_usd",
    );
    wrow(
        &mut rows,
        "w_cash_0",
        "cash after senior debt service, letter-of-credit and IVA-facility costs",
        mul(
            ops(),
            signed(vec![
                (true, r("cash_open")),
                (true, r("cfads")),
                (false, r("senior_ds")),
                (false, r("dsra_lc_cost")),
                (false, r("vat_facility_interest")),
            ]),
        ),
    );
    wrow(
        &mut rows,
        "mra_purpose",
        "maintenance reserve paying the quarter's sustaining capital",
        mul(ops(), min(r("mra_open"), r("capex_sustaining"))),
    );
    wrow(
        &mut rows,
        "w_cash_1",
        "cash after the maintenance reserve's payment",
        add(r("w_cash_0"), r("mra_purpose")),
    );
    wrow(
        &mut rows,
        "dsra_used",
        "DSRA drawn to meet debt service",
        mul(ops(), min(r("dsra_open"), neg(r("w_cash_1")))),
    );
    wrow(
        &mut rows,
        "w_cash_2",
        "cash after the DSRA drawing",
        add(r("w_cash_1"), r("dsra_used")),
    );
    checked(
        &mut rows,
        "dsra_lc_drawing",
        "DSRA letter of credit drawn (up to the target not yet drawn)",
        mul(
            ops(),
            iff(
                lc_on(),
                min(
                    neg(r("w_cash_2")),
                    pos(sub(r("dsra_target"), r("dsra_lc_open"))),
                ),
                c(0.0),
            ),
        ),
        |r| r.dsra_lc_drawing_usd,
        "quarterly.dsra_lc_drawing_usd",
    );
    wrow(
        &mut rows,
        "w_cash_3",
        "cash after the letter-of-credit drawing",
        add(r("w_cash_2"), r("dsra_lc_drawing")),
    );
    // Completion: the lenders' test (sustained output and cover) or a fixed date.
    match &cfg.funding.completion_test {
        Some(_) => {
            let ct = |k: &str| fin(&format!("funding.completion_test.{k}"));
            rows.push(live(
                "completion_ok",
                "completion test met this quarter: feed ≥ output % of design and DSCR ≥ its minimum (or no debt service)",
                "0/1",
                flag(Cond::And(vec![
                    Cond::Gt(r("period"), cqe()),
                    Cond::Le(r("period"), eoo()),
                    Cond::Le(
                        div(
                            mul(div(ct("output_pct"), c(100.0)), ct("design_feed_dry_t_per_year")),
                            c(4.0),
                        ),
                        r("prod_feed"),
                    ),
                    // No debt service passes the ratio (it stands at its minimum: Excel's
                    // AND evaluates every argument, so the ratio is guarded by IF).
                    Cond::Le(
                        ct("min_dscr"),
                        iff(
                            Cond::Gt(r("senior_ds"), c(1e-6)),
                            div(r("cfads"), r("senior_ds")),
                            ct("min_dscr"),
                        ),
                    ),
                ])),
                None,
            ));
            rows.push(live(
                "completion_streak",
                "consecutive quarters meeting the completion test",
                "quarters",
                iff(
                    Cond::Gt(r("completion_ok"), c(0.0)),
                    add(prev("completion_streak"), c(1.0)),
                    c(0.0),
                ),
                None,
            ));
            rows.push(live(
                "completed",
                "completion reached (at this quarter's end or before)",
                "0/1",
                iff(
                    Cond::Gt(prev("completed"), c(0.0)),
                    c(1.0),
                    flag(Cond::And(vec![
                        Cond::Gt(r("period"), cqe()),
                        Cond::Le(
                            max(ct("consecutive_quarters"), c(1.0)),
                            r("completion_streak"),
                        ),
                    ])),
                ),
                None,
            ));
            rows.push(live(
                "before_completion",
                "before completion (sponsor support available)",
                "0/1",
                sub(c(1.0), prev("completed")),
                None,
            ));
        }
        None => rows.push(live(
            "before_completion",
            "before completion: the fixed number of quarters after COD",
            "0/1",
            flag(Cond::Le(
                r("period"),
                add(cqe(), fin("funding.completion_quarters")),
            )),
            None,
        )),
    }
    wrow(
        &mut rows,
        "support_ops",
        "sponsor support before completion, within what is left of its limit",
        iff(
            Cond::And(vec![
                Cond::Gt(ops(), c(0.0)),
                Cond::Gt(c(0.0), r("w_cash_3")),
                Cond::Gt(r("before_completion"), c(0.0)),
            ]),
            min(
                sub(c(0.0), r("w_cash_3")),
                sub(
                    fin("funding.sponsor_support_limit_usd"),
                    prev("support_used"),
                ),
            ),
            c(0.0),
        ),
    );
    wrow(
        &mut rows,
        "support_used",
        "sponsor support used to date",
        add(prev("support_used"), r("support_ops")),
    );
    checked(
        &mut rows,
        "sponsor_support",
        "sponsor support (contingent equity in construction; support before completion)",
        iff(
            Cond::Gt(r("construction"), c(0.0)),
            r("sponsor_support_c"),
            r("support_ops"),
        ),
        |r| r.sponsor_support_usd,
        "quarterly.sponsor_support_usd",
    );
    wrow(
        &mut rows,
        "w_cash_4",
        "cash after sponsor support",
        add(r("w_cash_3"), r("support_ops")),
    );
    wrow(
        &mut rows,
        "senior_unpaid",
        "senior debt service cash cannot meet (deferred)",
        iff(
            Cond::And(vec![
                Cond::Gt(c(-1e-9), r("w_cash_4")),
                Cond::Gt(r("senior_ds"), c(1e-9)),
            ]),
            min(sub(c(0.0), r("w_cash_4")), r("senior_ds")),
            c(0.0),
        ),
    );
    wrow(
        &mut rows,
        "senior_deferred_principal",
        "of it, principal deferred",
        min(r("senior_unpaid"), r("senior_principal")),
    );
    wrow(
        &mut rows,
        "senior_deferred_interest",
        "of it, interest capitalised",
        min(
            sub(r("senior_unpaid"), r("senior_deferred_principal")),
            r("senior_interest"),
        ),
    );
    wrow(
        &mut rows,
        "w_cash_5",
        "cash after the deferral",
        add(r("w_cash_4"), r("senior_unpaid")),
    );
    // A reserve brought to its target: what it holds above the target is released, what it
    // lacks is funded from the cash in hand (`{p}_after_use`, `{p}_excess`, `{p}_topup`, and
    // the cash after it).
    let to_target = |rows: &mut Vec<Row>,
                     p: &str,
                     what: &str,
                     (open, used): (&str, &str),
                     target: &dyn Fn() -> Expr,
                     (cash_in, cash_out): (&str, &str)| {
        let (after, excess, topup) = (
            format!("{p}_after_use"),
            format!("{p}_excess"),
            format!("{p}_topup"),
        );
        wrow(
            rows,
            &after,
            &format!("{what} after its use"),
            sub(r(open), r(used)),
        );
        wrow(
            rows,
            &excess,
            &format!("{what} above its target (released)"),
            mul(ops(), pos(sub(r(&after), target()))),
        );
        wrow(
            rows,
            &topup,
            &format!("{what} funded towards its target from the cash in hand"),
            mul(
                ops(),
                iff(
                    Cond::Gt(r(&after), target()),
                    c(0.0),
                    min(sub(target(), r(&after)), pos(r(cash_in))),
                ),
            ),
        );
        wrow(
            rows,
            cash_out,
            &format!("cash after the {what}"),
            signed(vec![
                (true, r(cash_in)),
                (true, r(&excess)),
                (false, r(&topup)),
            ]),
        );
    };
    to_target(
        &mut rows,
        "dsra",
        "DSRA",
        ("dsra_open", "dsra_used"),
        &|| iff(lc_on(), c(0.0), r("dsra_target")),
        ("w_cash_5", "w_cash_6"),
    );
    checked(
        &mut rows,
        "dsra_funding",
        "DSRA funding (construction: from the sources at completion)",
        iff(
            Cond::Gt(r("construction"), c(0.0)),
            r("dsra_funding_c"),
            r("dsra_topup"),
        ),
        |r| r.dsra_funding_usd,
        "quarterly.dsra_funding_usd",
    );
    checked(
        &mut rows,
        "dsra_release",
        "DSRA release (drawn for debt service, or above target)",
        add(r("dsra_used"), r("dsra_excess")),
        |r| r.dsra_release_usd,
        "quarterly.dsra_release_usd",
    );
    checked(
        &mut rows,
        "dsra_lc_repayment",
        "DSRA letter-of-credit drawings reimbursed",
        mul(
            ops(),
            min(
                add(r("dsra_lc_open"), r("dsra_lc_drawing")),
                pos(r("w_cash_6")),
            ),
        ),
        |r| r.dsra_lc_repayment_usd,
        "quarterly.dsra_lc_repayment_usd",
    );
    wrow(
        &mut rows,
        "w_cash_7",
        "cash after the letter of credit",
        sub(r("w_cash_6"), r("dsra_lc_repayment")),
    );
    let mr = |k: &str| fin(&format!("maintenance_reserve.{k}"));
    checked(
        &mut rows,
        "mra_target",
        "maintenance reserve target: the next quarters' sustaining capital, built up over the first quarters",
        iff(
            Cond::And(vec![
                Cond::Gt(mr("target_quarters"), c(0.0)),
                Cond::Gt(r("period"), cqe()),
                Cond::Le(r("period"), eoo()),
            ]),
            mul(
                iff(
                    Cond::Le(mr("build_up_quarters"), c(1.0)),
                    c(1.0),
                    min(div(sub(r("period"), cqe()), mr("build_up_quarters")), c(1.0)),
                ),
                Expr::SumAhead("capex_sustaining".into(), Box::new(mr("target_quarters"))),
            ),
            c(0.0),
        ),
        |r| r.maintenance_reserve_target_usd,
        "quarterly.maintenance_reserve_target_usd",
    );
    to_target(
        &mut rows,
        "mra",
        "maintenance reserve",
        ("mra_open", "mra_purpose"),
        &|| r("mra_target"),
        ("w_cash_7", "w_cash_8"),
    );
    checked(
        &mut rows,
        "mra_funding",
        "maintenance reserve funded towards its target",
        r("mra_topup"),
        |r| r.maintenance_reserve_funding_usd,
        "quarterly.maintenance_reserve_funding_usd",
    );
    checked(
        &mut rows,
        "mra_release",
        "maintenance reserve release (sustaining capital paid, or above target)",
        add(r("mra_purpose"), r("mra_excess")),
        |r| r.maintenance_reserve_release_usd,
        "quarterly.maintenance_reserve_release_usd",
    );
    // With no subordinated facility these rows are 0 and say so.
    let (sub_int, sub_pri, none) = if subs.is_empty() {
        (c(0.0), c(0.0), " (no subordinated facility: 0)")
    } else {
        (
            mul(ops(), fac_sum(&subs, "interest")),
            mul(ops(), fac_sum(&subs, "due")),
            "",
        )
    };
    wrow(
        &mut rows,
        "sub_interest",
        &format!("subordinated interest{none}"),
        sub_int,
    );
    wrow(
        &mut rows,
        "sub_principal",
        &format!("subordinated scheduled principal{none}"),
        sub_pri,
    );
    wrow(
        &mut rows,
        "sub_unpaid",
        "subordinated debt service cash cannot meet (deferred)",
        pos(sub(
            add(r("sub_interest"), r("sub_principal")),
            pos(r("w_cash_8")),
        )),
    );
    wrow(
        &mut rows,
        "sub_deferred_principal",
        "of it, principal deferred",
        iff(
            Cond::Gt(r("sub_unpaid"), c(1e-9)),
            min(r("sub_unpaid"), r("sub_principal")),
            c(0.0),
        ),
    );
    wrow(
        &mut rows,
        "sub_deferred_interest",
        "of it, interest capitalised",
        iff(
            Cond::Gt(r("sub_unpaid"), c(1e-9)),
            min(
                sub(r("sub_unpaid"), r("sub_deferred_principal")),
                r("sub_interest"),
            ),
            c(0.0),
        ),
    );
    checked(
        &mut rows,
        "sub_debt_service",
        "subordinated debt service paid",
        signed(vec![
            (true, r("sub_interest")),
            (true, r("sub_principal")),
            (false, r("sub_unpaid")),
        ]),
        |r| r.sub_debt_service_usd,
        "quarterly.sub_debt_service_usd",
    );
    wrow(
        &mut rows,
        "w_cash_9",
        "cash after subordinated debt service",
        sub(r("w_cash_8"), r("sub_debt_service")),
    );
    checked(
        &mut rows,
        "funding_shortfall",
        "funding shortfall (met by the sponsors as equity)",
        iff(
            Cond::Gt(r("construction"), c(0.0)),
            r("funding_shortfall_c"),
            neg(r("w_cash_9")),
        ),
        |r| r.funding_shortfall_usd,
        "quarterly.funding_shortfall_usd",
    );
    checked(
        &mut rows,
        "unpaid_ds",
        "debt service due and not paid (a payment default)",
        add(
            r("senior_unpaid"),
            iff(Cond::Gt(r("sub_unpaid"), c(1e-9)), r("sub_unpaid"), c(0.0)),
        ),
        |r| r.unpaid_debt_service_usd,
        "quarterly.unpaid_debt_service_usd",
    );
    wrow(
        &mut rows,
        "w_cash_10",
        "cash after the shortfall is met",
        mul(ops(), pos(r("w_cash_9"))),
    );
    // The covenant test: the quarter's DSCR or the trailing twelve months'.
    let tested = |key: &str| iff(Cond::Gt(r("senior_ds"), c(1e-6)), r(key), c(0.0));
    wrow(
        &mut rows,
        "cov_cfads",
        "CFADS of quarters with senior debt service",
        tested("cfads"),
    );
    wrow(
        &mut rows,
        "cov_ds",
        "senior debt service tested",
        tested("senior_ds"),
    );
    let back = || min(c(3.0), sub(sub(r("period"), cqe()), c(1.0)));
    rows.push(live(
        "cov_dscr",
        "covenant DSCR: the quarter's, or CFADS ÷ debt service over this and the three quarters before (from COD)",
        "x",
        iff(
            Cond::Gt(r("senior_ds"), c(1e-6)),
            iff(
                Cond::InputIs("finance.covenants.test_on".into(), "quarter".into()),
                div(r("cfads"), r("senior_ds")),
                div(
                    Expr::SumBack("cov_cfads".into(), Box::new(back())),
                    Expr::SumBack("cov_ds".into(), Box::new(back())),
                ),
            ),
            Expr::Empty,
        ),
        None,
    ));
    rows.push(live(
        "lock_up",
        "distributions locked up: covenant DSCR below the lock-up ratio",
        "0/1",
        flag(Cond::And(vec![
            Cond::Gt(r("senior_ds"), c(1e-6)),
            Cond::Gt(fin("covenants.lock_up_dscr"), r("cov_dscr")),
        ])),
        Some(q.iter().map(|r| f64::from(u8::from(r.lock_up))).collect()),
    ));
    let remaining = |i: usize| sub(r(&format!("fac{i}_open")), r(&format!("fac{i}_principal")));
    wrow(
        &mut rows,
        "sweep_base",
        "sweepable debt left after scheduled principal",
        signed(sweepable.iter().map(|&i| (true, remaining(i))).collect()),
    );
    checked(
        &mut rows,
        "cash_sweep",
        "cash sweep: the sweep % of the cash in hand, up to the sweepable debt",
        iff(
            Cond::And(vec![
                Cond::Or(vec![
                    Cond::InputIs("finance.covenants.cash_sweep_when".into(), "always".into()),
                    Cond::Gt(r("lock_up"), c(0.0)),
                ]),
                Cond::Gt(r("w_cash_10"), c(0.0)),
                Cond::Gt(r("sweep_base"), c(1e-6)),
            ]),
            min(
                mul(
                    div(fin("covenants.cash_sweep_pct"), c(100.0)),
                    r("w_cash_10"),
                ),
                r("sweep_base"),
            ),
            c(0.0),
        ),
        |r| r.cash_sweep_usd,
        "quarterly.cash_sweep_usd",
    );
    wrow(
        &mut rows,
        "w_cash_11",
        "cash after the sweep",
        sub(r("w_cash_10"), r("cash_sweep")),
    );
    wrow(
        &mut rows,
        "closure_after",
        "closure cost still to come after this quarter",
        sub(Expr::SumToEnd("closure_cost".into()), r("closure_cost")),
    );
    let nq = || fin("funding.closure_reserve_quarters");
    checked(
        &mut rows,
        "closure_reserve",
        "closure reserve: the closure cost to come, built up evenly over the last operating quarters",
        mul(
            ops(),
            iff(
                Cond::Le(nq(), c(0.0)),
                c(0.0),
                iff(
                    Cond::Gt(r("period"), eoo()),
                    r("closure_after"),
                    iff(
                        Cond::Le(eoo(), add(sub(r("period"), c(1.0)), nq())),
                        div(
                            mul(r("closure_after"), sub(add(r("period"), nq()), eoo())),
                            nq(),
                        ),
                        c(0.0),
                    ),
                ),
            ),
        ),
        |r| r.closure_reserve_usd,
        "quarterly.closure_reserve_usd",
    );
    let mut default_if = vec![Cond::Gt(r("unpaid_ds"), c(0.0))];
    default_if.extend(debt.iter().map(|&i| {
        Cond::And(vec![
            Cond::Gt(r("period"), r(&format!("fac{i}_maturity"))),
            Cond::Gt(r(&format!("fac{i}_open")), c(1e-6)),
        ])
    }));
    rows.push(live(
        "in_default",
        "in default: debt service unpaid, or debt outstanding after its maturity",
        "0/1",
        flag(Cond::Or(default_if)),
        None,
    ));
    let last = || Cond::Eq(r("period"), nper());
    checked(
        &mut rows,
        "distributions",
        "distributions: the cash above the closure reserve, unless locked up or in default (all of it in the last quarter)",
        mul(
            ops(),
            iff(
                Cond::And(vec![
                    Cond::Or(vec![
                        Cond::And(vec![
                            Cond::Le(r("lock_up"), c(0.0)),
                            Cond::Le(r("in_default"), c(0.0)),
                        ]),
                        last(),
                    ]),
                    Cond::Gt(r("w_cash_11"), r("closure_reserve")),
                ]),
                iff(
                    last(),
                    r("w_cash_11"),
                    sub(r("w_cash_11"), r("closure_reserve")),
                ),
                c(0.0),
            ),
        ),
        |r| r.distributions_usd,
        "quarterly.distributions_usd",
    );
    // Each facility's principal paid, interest capitalised and prepayment.
    for &i in &debt {
        let name = &f.facility_names[i];
        let senior_i = !subs.contains(&i);
        let (pri, dp, di, int) = if senior_i {
            (
                "senior_principal",
                "senior_deferred_principal",
                "senior_deferred_interest",
                "senior_interest",
            )
        } else {
            (
                "sub_principal",
                "sub_deferred_principal",
                "sub_deferred_interest",
                "sub_interest",
            )
        };
        let due = format!("fac{i}_due");
        let fac = |g: fn(&FacilityRow) -> f64| -> Vec<f64> {
            q.iter()
                .map(|r| r.facilities.get(i).map_or(0.0, g))
                .collect()
        };
        rows.push(
            live(
                &format!("fac{i}_principal"),
                &format!("{name}: principal paid (scheduled less its share of the deferral)"),
                "US$",
                mul(
                    ops(),
                    sub(
                        r(&due),
                        iff(
                            Cond::Gt(r(pri), c(0.0)),
                            div(mul(r(dp), r(&due)), r(pri)),
                            c(0.0),
                        ),
                    ),
                ),
                Some(fac(|x| x.principal_usd)),
            )
            .json(&format!("quarterly.facilities.{i}.principal_usd")),
        );
        rows.push(
            live(
                &format!("fac{i}_capint"),
                &format!("{name}: interest capitalised (construction; deferred interest)"),
                "US$",
                iff(
                    Cond::Gt(r("construction"), c(0.0)),
                    r(&format!("fac{i}_capint_c")),
                    iff(
                        Cond::Gt(r(int), c(0.0)),
                        div(mul(r(di), r(&format!("fac{i}_interest"))), r(int)),
                        c(0.0),
                    ),
                ),
                Some(fac(|x| x.capitalised_interest_usd)),
            )
            .json(&format!(
                "quarterly.facilities.{i}.capitalised_interest_usd"
            )),
        );
        let prepay = if sweepable.contains(&i) {
            iff(
                Cond::Gt(r("sweep_base"), c(1e-6)),
                div(mul(r("cash_sweep"), remaining(i)), r("sweep_base")),
                c(0.0),
            )
        } else {
            c(0.0)
        };
        rows.push(
            live(
                &format!("fac{i}_prepay"),
                &if sweepable.contains(&i) {
                    format!("{name}: prepaid from the cash sweep")
                } else {
                    format!("{name}: prepaid from the cash sweep (not a sweepable loan: 0)")
                },
                "US$",
                prepay,
                Some(fac(|x| x.prepayment_usd)),
            )
            .json(&format!("quarterly.facilities.{i}.prepayment_usd")),
        );
    }
    // The reserves' balances.
    corkscrew(
        &mut rows,
        ("mra_open", "maintenance_reserve"),
        "maintenance reserve",
        " (+ funding − release)",
        ("mra_funding", "mra_release"),
        bsc(|b| b.maintenance_reserve_usd),
        "balance_sheet.maintenance_reserve_usd",
    );
    corkscrew(
        &mut rows,
        ("dsra_lc_open", "dsra_lc_drawn"),
        "DSRA letter of credit drawn",
        " (+ drawn − reimbursed)",
        ("dsra_lc_drawing", "dsra_lc_repayment"),
        bsc(|b| b.dsra_lc_drawn_usd),
        "balance_sheet.dsra_lc_drawn_usd",
    );
    rows.push(live(
        "dsra_add",
        "DSRA: additions (funding)",
        "US$",
        r("dsra_funding"),
        None,
    ));
    rows.push(live(
        "dsra_red",
        "DSRA: reductions (release)",
        "US$",
        r("dsra_release"),
        None,
    ));
    // Cover ratios over the loan's and the project's life, as manto's: at the
    // opening-weighted senior rate of the quarter, Excel's NPV of CFADS from this quarter
    // to the repayment quarter (or final maturity while the loan is unpaid), or to the
    // last operating quarter, over the senior debt at the quarter's start.
    rows.push(heading(
        "Cover ratios: LLCR and PLCR = NPV of CFADS at the senior rate ÷ senior debt at the quarter's start (live formulas)",
    ));
    rows.push(live(
        "senior_open",
        "senior debt: opening balance",
        "US$",
        fac_sum(&senior, "open"),
        None,
    ));
    rows.push(live(
        "senior_close",
        "senior debt: closing balance",
        "US$",
        fac_sum(&senior, "close"),
        None,
    ));
    rows.push(live(
        "senior_rate",
        "senior rate of the quarter: interest on the opening balances ÷ their sum",
        "per quarter",
        iff(
            Cond::Gt(r("senior_open"), c(1e-6)),
            div(fac_sum(&senior, "interest"), r("senior_open")),
            c(0.0),
        ),
        None,
    ));
    rows.push(live(
        "senior_repaid_at",
        "period in which the senior debt is repaid in full (0 in the other quarters)",
        "#",
        iff(
            Cond::And(vec![
                Cond::Gt(r("period"), fin("timing.construction_quarters")),
                Cond::Le(r("senior_close"), c(1e-6)),
                Cond::Gt(prev("senior_close"), c(1e-6)),
            ]),
            r("period"),
            c(0.0),
        ),
        None,
    ));
    let mut last_maturity = c(0.0);
    for i in &senior {
        last_maturity = max(last_maturity, r(&format!("fac{i}_maturity")));
    }
    rows.push(live(
        "loan_life_end",
        "last period of the loan life: the repayment period, or final maturity while unpaid",
        "#",
        iff(
            Cond::Gt(Expr::RowMax("senior_repaid_at".into()), c(0.0)),
            Expr::RowMax("senior_repaid_at".into()),
            min(
                max(last_maturity, r("period")),
                Expr::RowMax("period".into()),
            ),
        ),
        None,
    ));
    let in_cover = |more: Vec<Cond>| {
        let mut all = vec![
            Cond::Gt(r("period"), fin("timing.construction_quarters")),
            Cond::Gt(r("senior_open"), c(1e-6)),
        ];
        all.extend(more);
        Cond::And(all)
    };
    let cover = |to: Expr| {
        div(
            Expr::Npv(
                Box::new(r("senior_rate")),
                "cfads".into(),
                Box::new(add(sub(to, r("period")), c(1.0))),
            ),
            r("senior_open"),
        )
    };
    rows.push(
        live(
            "llcr",
            "LLCR: NPV of CFADS over the loan life ÷ senior debt at the quarter's start",
            "x",
            iff(in_cover(vec![]), cover(r("loan_life_end")), Expr::Empty),
            Some(col(&|r| r.llcr.unwrap_or(f64::NAN))),
        )
        .json("quarterly.llcr"),
    );
    let last_op = || {
        min(
            add(
                fin("timing.construction_quarters"),
                input(OPERATING_QUARTERS),
            ),
            Expr::RowMax("period".into()),
        )
    };
    rows.push(
        live(
            "plcr",
            "PLCR: NPV of CFADS to the last operating quarter ÷ senior debt at the quarter's start",
            "x",
            iff(
                in_cover(vec![Cond::Le(r("period"), last_op())]),
                cover(last_op()),
                Expr::Empty,
            ),
            Some(col(&|r| r.plcr.unwrap_or(f64::NAN))),
        )
        .json("quarterly.plcr"),
    );
    rows.push(heading(
        "Cash in operations: CFADS and the waterfall's flows (manto's decisions: DSRA, letter of credit, reserves, sweep, distributions) (live formulas)",
    ));
    let senior_paid: Vec<(bool, Expr)> = senior
        .iter()
        .flat_map(|i| {
            [
                (true, r(&format!("fac{i}_interest"))),
                (false, r(&format!("fac{i}_capint"))),
                (true, r(&format!("fac{i}_principal"))),
            ]
        })
        .collect();
    rows.push(live(
        "senior_paid",
        "senior debt service paid (interest not capitalised + principal)",
        "US$",
        signed(senior_paid),
        None,
    ));
    let cash_ck = ck("cash");
    rows.push(live(
        "cash_add",
        "cash: additions (operations: CFADS if positive, releases, support, shortfall, letter of credit drawn)",
        "US$",
        iff(
            Cond::Gt(r("construction"), c(0.0)),
            r("cash_add_construction"),
            signed(vec![
                (true, max(r("cfads"), c(0.0))),
                (true, r("dsra_release")),
                (true, r("sponsor_support")),
                (true, r("funding_shortfall")),
                (true, r("dsra_lc_drawing")),
                (true, r("mra_release")),
            ]),
        ),
        cash_ck.map(|c| c.additions.clone()),
    ));
    rows.push(live(
        "cash_red",
        "cash: reductions (operations: CFADS if negative, debt service, fees, reserves, sweep, distributions)",
        "US$",
        iff(
            Cond::Gt(r("construction"), c(0.0)),
            r("cash_red_construction"),
            signed(vec![
                (true, max(sub(c(0.0), r("cfads")), c(0.0))),
                (true, r("vat_facility_interest")),
                (true, r("dsra_lc_cost")),
                (true, r("dsra_lc_repayment")),
                (true, r("mra_funding")),
                (true, r("senior_paid")),
                (true, r("dsra_funding")),
                (true, r("sub_debt_service")),
                (true, r("cash_sweep")),
                (true, r("distributions")),
            ]),
        ),
        cash_ck.map(|c| c.reductions.clone()),
    ));
    rows.push(heading(
        "Corkscrews: opening + additions − reductions = closing (live formulas)",
    ));
    let mut eq_terms = vec![
        (true, r("equity_paid_open")),
        (true, r("sponsor_support")),
        (true, r("funding_shortfall")),
    ];
    eq_terms.extend(
        (0..f.facility_names.len())
            .filter(|&i| is_equity(i))
            .map(|i| (true, r(&format!("fac{i}_draw")))),
    );
    rows.push(live(
        "equity_paid_open",
        "equity contributed: opening",
        "US$",
        prev("equity_paid_close"),
        None,
    ));
    rows.push(
        live(
            "equity_paid_close",
            "equity contributed: closing (+ equity drawdowns, sponsor support, shortfall)",
            "US$",
            signed(eq_terms),
            Some(bsc(|b| b.equity_contributed_usd)),
        )
        .json("balance_sheet.equity_contributed_usd"),
    );
    let fa_add = ck("fixed_assets_book").map(|c| c.additions.clone());
    rows.push(live(
        "capitalised_financing",
        "capitalised financing costs (construction: costs paid + capitalised interest)",
        "US$",
        mul(
            r("construction"),
            add(r("financing_costs_paid"), fac_sum(&debt, "capint")),
        ),
        None,
    ));
    rows.push(live(
        "fixed_assets_add",
        "fixed assets (book): additions (initial capex + capitalised financing + sustaining)",
        "US$",
        sum_of(&["capex_initial", "capitalised_financing", "capex_sustaining"]),
        fa_add,
    ));
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
                prev(&cl),
                Some(c.opening.clone()),
            ));
            let mut close = live(
                &cl,
                &format!("{label}: closing"),
                "US$",
                signed(vec![
                    (true, r(&o)),
                    (true, r(&format!("{key}_add"))),
                    (false, r(&format!("{key}_red"))),
                ]),
                Some(c.closing.clone()),
            );
            close.manto_key = Some(
                match key {
                    "cash" => "balance_sheet.cash_usd",
                    "dsra" => "balance_sheet.dsra_usd",
                    _ => "balance_sheet.fixed_assets_net_usd",
                }
                .into(),
            );
            rows.push(close);
        }
    }
    corkscrew(
        &mut rows,
        ("re_open", "re_close"),
        "retained earnings",
        "",
        ("net_income", "distributions"),
        bsc(|b| b.retained_earnings_usd),
        "balance_sheet.retained_earnings_usd",
    );
    rows.push(heading("Balance sheet (live formulas)"));
    rows.push(
        live(
            "total_assets",
            "total assets",
            "US$",
            sum_of(&[
                "cash_close",
                "dsra_close",
                "receivables",
                "inventory",
                "vat_receivable",
                "maintenance_reserve",
                "fixed_assets_close",
            ]),
            Some(bsc(|b| b.total_assets_usd)),
        )
        .json("balance_sheet.total_assets_usd"),
    );
    let dk: Vec<&str> = debt_keys.iter().map(String::as_str).collect();
    rows.push(
        live(
            "total_debt",
            "total debt",
            "US$",
            sum_of(&dk),
            Some(bsc(|b| b.total_debt_usd)),
        )
        .json("balance_sheet.total_debt_usd"),
    );
    rows.push(
        live(
            "total_liabilities",
            "total liabilities",
            "US$",
            sum_of(&[
                "payables",
                "dsra_lc_drawn",
                "tax_payable",
                "vat_facility",
                "total_debt",
            ]),
            Some(bsc(|b| b.total_liabilities_usd)),
        )
        .json("balance_sheet.total_liabilities_usd"),
    );
    rows.push(
        live(
            "total_equity",
            "total equity",
            "US$",
            sum_of(&["equity_paid_close", "re_close"]),
            Some(bsc(|b| b.total_equity_usd)),
        )
        .json("balance_sheet.total_equity_usd"),
    );
    rows.push(live(
        "balance_check",
        "balance check: assets − liabilities − equity",
        "US$",
        signed(vec![
            (true, r("total_assets")),
            (false, r("total_liabilities")),
            (false, r("total_equity")),
        ]),
        None,
    ));

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
    Book {
        n,
        rows,
        decks: decks(st),
        years,
        inputs,
        outputs,
    }
}

/// Provisional payments of income tax (`tax.payments = "profit_coefficient"`), as rows
/// with prefix `p`: year-to-date revenue, taxable income and tax; last year's profit
/// coefficient; due = rate × max(coefficient × revenue to date − losses at the start of the
/// year, 0), paid as it exceeds what was paid in the year; the year settled in the first
/// quarter of the next (and in the model's last quarter). The payment is `{p}_paid`.
fn provisional(
    rows: &mut Vec<Row>,
    p: &str,
    what: &str,
    accrued: &str,
    before: &str,
    losses: &str,
) {
    let k = |s: &str| format!("{p}_{s}");
    let new = || Cond::Gt(r(&k("new_year")), c(0.0));
    let ytd = |rows: &mut Vec<Row>, name: &str, label: &str, flow: Expr| {
        rows.push(live(
            &k(name),
            &format!("{what}: {label} in the year to date"),
            "US$",
            add(iff(new(), c(0.0), prev(&k(name))), flow),
            None,
        ));
    };
    rows.push(live(
        &k("new_year"),
        &format!("{what}: first quarter of a calendar year"),
        "0/1",
        iff(
            Cond::Eq(r("year"), Expr::Prev("year".into(), 0.0)),
            c(0.0),
            c(1.0),
        ),
        None,
    ));
    ytd(
        rows,
        "rev_ytd",
        "net revenue",
        mul(sub(c(1.0), r("construction")), r("net_revenue")),
    );
    ytd(rows, "tax_ytd", "taxable income before losses", r(before));
    ytd(rows, "acc_ytd", "income tax", r(accrued));
    rows.push(live(
        &k("coef"),
        &format!("{what}: profit coefficient (last year's taxable income ÷ revenue)"),
        "x",
        iff(
            Cond::And(vec![new(), Cond::Gt(r("period"), c(1.0))]),
            iff(
                Cond::Gt(prev(&k("rev_ytd")), c(0.0)),
                max(div(prev(&k("tax_ytd")), prev(&k("rev_ytd"))), c(0.0)),
                c(0.0),
            ),
            prev(&k("coef")),
        ),
        None,
    ));
    rows.push(live(
        &k("losses_start"),
        &format!("{what}: losses at the start of the year"),
        "US$",
        iff(new(), r(losses), prev(&k("losses_start"))),
        None,
    ));
    rows.push(live(
        &k("paid_before"),
        &format!("{what}: paid in the year before this quarter"),
        "US$",
        iff(new(), c(0.0), prev(&k("paid_ytd"))),
        None,
    ));
    rows.push(live(
        &k("prov"),
        &format!("{what}: provisional payment"),
        "US$",
        max(
            sub(
                mul(
                    div(deck("income_tax_pct"), c(100.0)),
                    max(
                        sub(mul(r(&k("coef")), r(&k("rev_ytd"))), r(&k("losses_start"))),
                        c(0.0),
                    ),
                ),
                r(&k("paid_before")),
            ),
            c(0.0),
        ),
        None,
    ));
    let last = || Cond::Eq(Expr::Next("period".into(), 0.0), c(0.0));
    rows.push(live(
        &k("paid_ytd"),
        &format!("{what}: paid in the year to date"),
        "US$",
        iff(
            last(),
            r(&k("acc_ytd")),
            add(r(&k("paid_before")), r(&k("prov"))),
        ),
        None,
    ));
    rows.push(live(
        &k("true_up"),
        &format!("{what}: last year's true-up (none when tax is paid as computed)"),
        "US$",
        iff(
            Cond::And(vec![
                Cond::InputIs("finance.tax.payments".into(), "profit_coefficient".into()),
                new(),
                Cond::Gt(r("period"), c(1.0)),
            ]),
            sub(prev(&k("acc_ytd")), prev(&k("paid_ytd"))),
            c(0.0),
        ),
        None,
    ));
    rows.push(live(
        &k("paid"),
        &format!("{what}: paid under provisional payments"),
        "US$",
        add(
            add(
                r(&k("prov")),
                iff(
                    last(),
                    sub(r(&k("acc_ytd")), add(r(&k("paid_before")), r(&k("prov")))),
                    c(0.0),
                ),
            ),
            r(&k("true_up")),
        ),
        None,
    ));
}

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
pub fn evaluate(b: &Book) -> HashMap<String, Vec<f64>> {
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
    for r in &b.rows {
        match &r.kind {
            RowKind::Input(x, _) => {
                v.insert(r.key.clone(), x.clone());
            }
            RowKind::Live(_) => {
                v.insert(r.key.clone(), vec![f64::NAN; b.n]);
            }
            RowKind::Heading => {}
        }
    }
    struct CalcVals<'a> {
        b: &'a Book,
        v: &'a HashMap<String, Vec<f64>>,
        d: &'a HashMap<String, Vec<f64>>,
        t: usize,
    }
    impl Values for CalcVals<'_> {
        fn value(&self, key: &str, offset: i32) -> Option<f64> {
            let t = self.t as i64 + i64::from(offset);
            let v = self.v.get(key)?;
            usize::try_from(t).ok().and_then(|t| v.get(t)).copied()
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
    for _pass in 0..MAX_PASSES {
        let mut changed = false;
        for t in 0..b.n {
            for r in order.iter().map(|&i| &b.rows[i]) {
                if let RowKind::Live(e) = &r.kind {
                    let x = e.eval(&CalcVals {
                        b,
                        v: &v,
                        d: &decks,
                        t,
                    });
                    let cell = &mut v.get_mut(&r.key).expect("allocated")[t];
                    if x.to_bits() != cell.to_bits() {
                        *cell = x;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (k, d) in decks {
        v.insert(format!("Deck_{k}"), d);
    }
    v
}
