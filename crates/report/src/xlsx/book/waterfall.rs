//! The operating waterfall, quarter by quarter from COD (finance's `financing` waterfall).

use super::*;

/// The operating waterfall.
pub(super) fn waterfall(cx: &mut Ctx<'_>) {
    let Src { f, cfg, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let bsc = |g: fn(&BalanceSheet) -> f64| -> Vec<f64> { f.balance_sheet.iter().map(g).collect() };
    let (debt, subs) = (&cx.debt.all, &cx.debt.subs);
    let rows = &mut cx.rows;
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
        rows,
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
        rows,
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
        rows,
        "mra_purpose",
        "maintenance reserve paying the quarter's sustaining capital",
        mul(ops(), min(r("mra_open"), r("capex_sustaining"))),
    );
    wrow(
        rows,
        "w_cash_1",
        "cash after the maintenance reserve's payment",
        add(r("w_cash_0"), r("mra_purpose")),
    );
    wrow(
        rows,
        "dsra_used",
        "DSRA drawn to meet debt service",
        mul(ops(), min(r("dsra_open"), neg(r("w_cash_1")))),
    );
    wrow(
        rows,
        "w_cash_2",
        "cash after the DSRA drawing",
        add(r("w_cash_1"), r("dsra_used")),
    );
    checked(
        rows,
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
        rows,
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
        rows,
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
        rows,
        "support_used",
        "sponsor support used to date",
        add(prev("support_used"), r("support_ops")),
    );
    checked(
        rows,
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
        rows,
        "w_cash_4",
        "cash after sponsor support",
        add(r("w_cash_3"), r("support_ops")),
    );
    wrow(
        rows,
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
        rows,
        "senior_deferred_principal",
        "of it, principal deferred",
        min(r("senior_unpaid"), r("senior_principal")),
    );
    wrow(
        rows,
        "senior_deferred_interest",
        "of it, interest capitalised",
        min(
            sub(r("senior_unpaid"), r("senior_deferred_principal")),
            r("senior_interest"),
        ),
    );
    wrow(
        rows,
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
        rows,
        "dsra",
        "DSRA",
        ("dsra_open", "dsra_used"),
        &|| iff(lc_on(), c(0.0), r("dsra_target")),
        ("w_cash_5", "w_cash_6"),
    );
    checked(
        rows,
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
        rows,
        "dsra_release",
        "DSRA release (drawn for debt service, or above target)",
        add(r("dsra_used"), r("dsra_excess")),
        |r| r.dsra_release_usd,
        "quarterly.dsra_release_usd",
    );
    checked(
        rows,
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
        rows,
        "w_cash_7",
        "cash after the letter of credit",
        sub(r("w_cash_6"), r("dsra_lc_repayment")),
    );
    let mr = |k: &str| fin(&format!("maintenance_reserve.{k}"));
    checked(
        rows,
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
        rows,
        "mra",
        "maintenance reserve",
        ("mra_open", "mra_purpose"),
        &|| r("mra_target"),
        ("w_cash_7", "w_cash_8"),
    );
    checked(
        rows,
        "mra_funding",
        "maintenance reserve funded towards its target",
        r("mra_topup"),
        |r| r.maintenance_reserve_funding_usd,
        "quarterly.maintenance_reserve_funding_usd",
    );
    checked(
        rows,
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
            mul(ops(), fac_sum(subs, "interest")),
            mul(ops(), fac_sum(subs, "due")),
            "",
        )
    };
    wrow(
        rows,
        "sub_interest",
        &format!("subordinated interest{none}"),
        sub_int,
    );
    wrow(
        rows,
        "sub_principal",
        &format!("subordinated scheduled principal{none}"),
        sub_pri,
    );
    wrow(
        rows,
        "sub_unpaid",
        "subordinated debt service cash cannot meet (deferred)",
        pos(sub(
            add(r("sub_interest"), r("sub_principal")),
            pos(r("w_cash_8")),
        )),
    );
    wrow(
        rows,
        "sub_deferred_principal",
        "of it, principal deferred",
        iff(
            Cond::Gt(r("sub_unpaid"), c(1e-9)),
            min(r("sub_unpaid"), r("sub_principal")),
            c(0.0),
        ),
    );
    wrow(
        rows,
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
        rows,
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
        rows,
        "w_cash_9",
        "cash after subordinated debt service",
        sub(r("w_cash_8"), r("sub_debt_service")),
    );
    checked(
        rows,
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
        rows,
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
        rows,
        "w_cash_10",
        "cash after the shortfall is met",
        mul(ops(), pos(r("w_cash_9"))),
    );
    // The covenant test: the quarter's DSCR or the trailing twelve months'.
    let tested = |key: &str| iff(Cond::Gt(r("senior_ds"), c(1e-6)), r(key), c(0.0));
    wrow(
        rows,
        "cov_cfads",
        "CFADS of quarters with senior debt service",
        tested("cfads"),
    );
    wrow(
        rows,
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
        rows,
        "sweep_base",
        "sweepable debt left after scheduled principal",
        signed(sweepable.iter().map(|&i| (true, remaining(i))).collect()),
    );
    checked(
        rows,
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
        rows,
        "w_cash_11",
        "cash after the sweep",
        sub(r("w_cash_10"), r("cash_sweep")),
    );
    wrow(
        rows,
        "closure_after",
        "closure cost still to come after this quarter",
        sub(Expr::SumToEnd("closure_cost".into()), r("closure_cost")),
    );
    let nq = || fin("funding.closure_reserve_quarters");
    checked(
        rows,
        "closure_reserve",
        "closure reserve: the closure cost to come, built up evenly over the last operating quarters, and the PTU owed in those quarters and after",
        mul(
            ops(),
            iff(
                Cond::Le(nq(), c(0.0)),
                c(0.0),
                iff(
                    Cond::Gt(r("period"), eoo()),
                    add(r("closure_after"), r("ptu_owed")),
                    iff(
                        Cond::Le(eoo(), add(sub(r("period"), c(1.0)), nq())),
                        add(
                            div(
                                mul(r("closure_after"), sub(add(r("period"), nq()), eoo())),
                                nq(),
                            ),
                            r("ptu_owed"),
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
        rows,
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
    for &i in debt {
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
        rows,
        ("mra_open", "maintenance_reserve"),
        "maintenance reserve",
        " (+ funding − release)",
        ("mra_funding", "mra_release"),
        bsc(|b| b.maintenance_reserve_usd),
        "balance_sheet.maintenance_reserve_usd",
    );
    corkscrew(
        rows,
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
}
