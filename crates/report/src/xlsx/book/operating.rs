//! Revenue, operating cost, EBITDA and working capital (finance's `operating`).

use super::*;

/// Revenue: tonnes × price × escalation × payable, and the realisation costs.
pub(super) fn revenue(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
}

/// Operating cost: driver × rate, its MXN share re-priced at the year's rate.
pub(super) fn opex(cx: &mut Ctx<'_>) {
    let Src { f, st, .. } = cx.src;
    let acid_simulated = super::production::has_simulated_acid(st);
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
            if acid_simulated {
                line(r("prod_acid"), fin("opex.acid_usd_per_t"), "acid_pct")
            } else {
                line(
                    r("prod_feed"),
                    mul(
                        div(fin("opex.acid_kg_per_dry_t"), c(1000.0)),
                        fin("opex.acid_usd_per_t"),
                    ),
                    "acid_pct",
                )
            },
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
}

/// EBITDA after closure cost.
pub(super) fn ebitda(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
}

/// Receivables, inventory and payables in days.
pub(super) fn working_capital(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let bsc = |g: fn(&BalanceSheet) -> f64| -> Vec<f64> { f.balance_sheet.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
}
