//! Cash flows, the income statement, cash and the balance sheet (finance's `statements`).

use super::*;

/// Cash flow before tax, CFADS, the project and equity cash flows.
pub(super) fn cash_flows(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let is_equity = |i: usize| is_equity(f, i);
    let rows = &mut cx.rows;
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
            "CFADS: cash flow before income taxes − PTU paid − ISR paid + IVA facility drawn − repaid (none in construction, funded by the sources)",
            "US$",
            mul(
                sub(c(1.0), r("construction")),
                signed(vec![
                    (true, r("cfbt")),
                    (false, r("ptu_paid")),
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
}

/// Book depreciation and net income.
pub(super) fn income_statement(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let ck = |name: &str| f.corkscrews.iter().find(|c| c.name == name);
    let is = &f.income_statement;
    let rows = &mut cx.rows;
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
}

/// Cash in operations, the corkscrews and the balance sheet.
pub(super) fn balance_sheet(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let bsc = |g: fn(&BalanceSheet) -> f64| -> Vec<f64> { f.balance_sheet.iter().map(g).collect() };
    let ck = |name: &str| f.corkscrews.iter().find(|c| c.name == name);
    let is_equity = |i: usize| is_equity(f, i);
    let (debt_keys, debt, senior) = (&cx.debt.keys, &cx.debt.all, &cx.debt.senior);
    let rows = &mut cx.rows;
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
            add(r("financing_costs_paid"), fac_sum(debt, "capint")),
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
        rows,
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
}
