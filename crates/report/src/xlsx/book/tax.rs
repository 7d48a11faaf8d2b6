//! The fiscal rows: the special mining duty, PTU, ISR with its loss pool, IETU, provisional payments, the unlevered taxes and tax depreciation (finance's `tax`).

use super::*;

/// The special mining duty.
pub(super) fn mining_duty(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
}

/// PTU, ISR with the losses brought forward, IETU, provisional payments and the taxes without financing.
pub(super) fn income_tax(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let bsc = |g: fn(&BalanceSheet) -> f64| -> Vec<f64> { f.balance_sheet.iter().map(g).collect() };
    let ck = |name: &str| f.corkscrews.iter().find(|c| c.name == name);
    let rows = &mut cx.rows;
    rows.push(heading(
        "PTU (profit sharing): rate of the year × the positive taxable base, paid in May (the second quarter) of the following year (live formulas)",
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
    ptu_paid(rows, "ptu", "PTU", Some(col(&|r| r.ptu_paid_usd)));
    rows.push(heading(
        "Income tax: ISR on the base after the PTU paid less the losses brought forward (FIFO, expiring at the end of the loss_carry_forward_years-th year after the year they arose in), the greater of ISR and IETU after its credits (live formulas)",
    ));
    // A pool of vintages used oldest first and expiring `years` after they arise, as
    // corkscrews: what expires in a quarter is what is left of the vintages that reach their
    // term, that is their cumulative additions less all consumed before. By quarter (IETU
    // credits): the vintage `4 × years + 1` quarters back. By year (tax losses): the
    // vintages of the years up to `years + 1` before this one, whose cumulative additions
    // are those at the end of that year, `quarter + 4 × years` quarters back.
    let pool = |rows: &mut Vec<Row>,
                p: &str,
                what: &str,
                added: Expr,
                demand: Expr,
                (years_key, by_year): (&str, bool),
                manto_used: Option<(Vec<f64>, &str)>,
                manto_close: Option<Vec<f64>>| {
        let k = |s: &str| format!("{p}_{s}");
        let back = || {
            add(
                mul(fin(years_key), c(4.0)),
                if by_year { r("quarter") } else { c(1.0) },
            )
        };
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
                Cond::Gt(r("period"), back()),
                max(
                    sub(
                        Expr::Offset(k("cum_added"), Box::new(back())),
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
        "taxable income before losses (base − PTU paid when deductible; none in construction)",
        "US$",
        mul(
            sub(c(1.0), r("construction")),
            sub(r("tax_base"), mul(fin("tax.ptu_deductible"), r("ptu_paid"))),
        ),
        None,
    ));
    pool(
        rows,
        "loss",
        "tax losses",
        max(sub(c(0.0), r("tax_before_losses")), c(0.0)),
        max(r("tax_before_losses"), c(0.0)),
        ("tax.loss_carry_forward_years", true),
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
        rows,
        "ietu_credit",
        "IETU credits",
        iff(
            Cond::Gt(c(0.0), r("ietu_base")),
            mul(ietu_rate(), sub(c(0.0), r("ietu_base"))),
            c(0.0),
        ),
        mul(ietu_rate(), max(r("ietu_base"), c(0.0))),
        ("tax.ietu_credit_years", false),
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
        rows,
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
    rows.push(live(
        "tax_payable_add",
        "income tax and PTU payable: additions (income tax + PTU accrued)",
        "US$",
        sum_of(&["income_tax", "ptu"]),
        None,
    ));
    rows.push(live(
        "tax_payable_red",
        "income tax and PTU payable: reductions (income tax paid + PTU paid)",
        "US$",
        sum_of(&["income_tax_paid", "ptu_paid"]),
        None,
    ));
    corkscrew(
        rows,
        ("tax_payable_open", "tax_payable"),
        "income tax and PTU payable",
        " (+ tax and PTU − paid)",
        ("tax_payable_add", "tax_payable_red"),
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
    ptu_paid(rows, "u_ptu", "unlevered PTU", None);
    rows.push(live(
        "u_before_losses",
        "unlevered taxable income before losses",
        "US$",
        sub(r("u_base"), mul(fin("tax.ptu_deductible"), r("u_ptu_paid"))),
        None,
    ));
    pool(
        rows,
        "uloss",
        "unlevered tax losses",
        max(sub(c(0.0), r("u_before_losses")), c(0.0)),
        max(r("u_before_losses"), c(0.0)),
        ("tax.loss_carry_forward_years", true),
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
        rows,
        "uprov",
        "unlevered provisional payments",
        "u_income_tax",
        "u_before_losses",
        "uloss_open",
    );
    rows.push(
        live(
            "tax_unlevered",
            "taxes without financing: unlevered PTU paid + income tax paid (as computed, or provisional)",
            "US$",
            iff(
                Cond::InputIs("finance.tax.payments".into(), "profit_coefficient".into()),
                add(r("u_ptu_paid"), r("uprov_paid")),
                add(r("u_ptu_paid"), r("u_income_tax")),
            ),
            Some(col(&|r| r.tax_unlevered_usd)),
        )
        .json("quarterly.tax_unlevered_usd"),
    );
}

/// Tax depreciation by class, as corkscrews of the written-down value.
pub(super) fn depreciation(cx: &mut Ctx<'_>) {
    let Src { f, cfg, .. } = cx.src;
    let q = &f.quarterly;
    let n = q.len();
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let classes = &cx.classes;
    let rows = &mut cx.rows;
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

/// PTU paid (`{p}_paid`) and owed (`{p}_owed`): the PTU accrued in a year (row `p`) is paid
/// in May, the second quarter, of the following year, which is what was owed at the end
/// of that year (carried from the first quarter); the model's last quarter pays everything
/// owed.
fn ptu_paid(rows: &mut Vec<Row>, p: &str, what: &str, manto: Option<Vec<f64>>) {
    let k = |s: &str| format!("{p}_{s}");
    rows.push(live(
        &k("owed_open"),
        &format!("{what} owed: opening"),
        "US$",
        prev(&k("owed")),
        None,
    ));
    rows.push(live(
        &k("owed_ly"),
        &format!("{what} owed at the end of last year"),
        "US$",
        iff(
            Cond::Eq(r("quarter"), c(1.0)),
            r(&k("owed_open")),
            prev(&k("owed_ly")),
        ),
        None,
    ));
    let mut paid = live(
        &k("paid"),
        &format!("{what} paid: last year's in the second quarter; all owed in the last quarter"),
        "US$",
        iff(
            Cond::Eq(Expr::Next("period".into(), 0.0), c(0.0)),
            add(r(&k("owed_open")), r(p)),
            iff(Cond::Eq(r("quarter"), c(2.0)), r(&k("owed_ly")), c(0.0)),
        ),
        None,
    );
    if let Some(v) = manto {
        paid.manto = Some(v);
        paid.manto_key = Some("quarterly.ptu_paid_usd".into());
    }
    rows.push(paid);
    rows.push(live(
        &k("owed"),
        &format!("{what} owed: closing (+ accrued − paid)"),
        "US$",
        signed(vec![
            (true, r(&k("owed_open"))),
            (true, r(p)),
            (false, r(&k("paid"))),
        ]),
        None,
    ));
}
