//! Capital and IVA: IVA paid, its refund, the IVA facility and the receivable (finance's IVA in `operating` and `financing`).

use super::*;

/// The IVA rows.
pub(super) fn vat(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let bsc = |g: fn(&BalanceSheet) -> f64| -> Vec<f64> { f.balance_sheet.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
        rows,
        ("vat_receivable_open", "vat_receivable"),
        "IVA receivable",
        " (+ paid − refunded)",
        ("vat_paid", "vat_refund"),
        bsc(|b| b.vat_receivable_usd),
        "balance_sheet.vat_receivable_usd",
    );
}
