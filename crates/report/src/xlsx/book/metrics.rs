//! Debt service, DSCR and the cover ratios (finance's `metrics`).

use super::*;

/// Senior debt service and the DSCR.
pub(super) fn debt_service(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let senior = &cx.debt.senior;
    let rows = &mut cx.rows;
    rows.push(heading("Debt service and cover (live formulas)"));
    rows.push(
        live(
            "senior_principal",
            "senior scheduled principal",
            "US$",
            mul(sub(c(1.0), r("construction")), fac_sum(senior, "due")),
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
}

/// LLCR and PLCR.
pub(super) fn cover(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let senior = &cx.debt.senior;
    let rows = &mut cx.rows;
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
        fac_sum(senior, "open"),
        None,
    ));
    rows.push(live(
        "senior_close",
        "senior debt: closing balance",
        "US$",
        fac_sum(senior, "close"),
        None,
    ));
    rows.push(live(
        "senior_rate",
        "senior rate of the quarter: interest on the opening balances ÷ their sum",
        "per quarter",
        iff(
            Cond::Gt(r("senior_open"), c(1e-6)),
            div(fac_sum(senior, "interest"), r("senior_open")),
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
    for i in senior {
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
}
