//! Debt facilities and the sources and uses of construction (finance's `financing`).

use super::*;

/// Each debt facility's corkscrew, interest and repayment window.
pub(super) fn facilities(cx: &mut Ctx<'_>) {
    let Src { f, cfg, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let sized = |i: usize| sized(f, cfg, i);
    let outputs = &mut cx.outputs;
    let rows = &mut cx.rows;
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
                WF,
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
    cx.debt = Debt {
        keys: debt_keys,
        all: debt,
        senior,
        subs,
    };
}

/// The sources and uses of construction, quarter by quarter.
pub(super) fn sources_and_uses(cx: &mut Ctx<'_>) {
    let Src { f, cfg, .. } = cx.src;
    let q = &f.quarterly;
    let sized = |i: usize| sized(f, cfg, i);
    let is_equity = |i: usize| is_equity(f, i);
    let debt = &cx.debt.all;
    let rows = &mut cx.rows;
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
            rows,
            format!("cf{i}_head0"),
            format!("{name}: headroom (commitment less the balance)"),
            max(sub(commit_of(i), open_of(i)), c(0.0)),
        );
        if is_equity(i) {
            fac_row(
                rows,
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
            rows,
            format!("fac{i}_capint_c"),
            format!("{name}: interest capitalised in construction (within the headroom)"),
            in_con(iff(
                Cond::InputTrue(format!("finance.facilities[{i}].capitalise_idc")),
                min(r(&format!("fac{i}_interest")), r(&format!("cf{i}_head0"))),
                c(0.0),
            )),
        );
        fac_row(
            rows,
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
        rows,
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
        rows,
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
            rows,
            d.clone(),
            format!("{}: drawn for the leased equipment", f.facility_names[i]),
            in_con(min(min(r(&leased), r(&format!("cf{i}_head1"))), r(&need))),
        );
        let (l2, n2) = (format!("{d}_leased_left"), format!("{d}_need_left"));
        fac_row(
            rows,
            l2.clone(),
            "leased equipment not yet funded".into(),
            sub(r(&leased), r(&d)),
        );
        fac_row(
            rows,
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
            rows,
            d.clone(),
            format!("{}: drawn first", f.facility_names[i]),
            min(r(&need), r(&format!("cf{i}_head1"))),
        );
        let n2 = format!("{d}_need_left");
        fac_row(
            rows,
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
            rows,
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
                rows,
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
                rows,
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
            rows,
            n2.clone(),
            "still to fund".into(),
            sub(r(&need), signed(given)),
        );
        need = n2;
    }
    // The overrun: capital to date above its budget to date.
    fac_row(
        rows,
        "cf_cum_spend".into(),
        "initial capital spent to date".into(),
        add(prev("cf_cum_spend"), in_con(r("capex_initial"))),
    );
    fac_row(
        rows,
        "cf_cum_budget".into(),
        "initial capital budget to date".into(),
        add(prev("cf_cum_budget"), in_con(r("capex_budget"))),
    );
    fac_row(
        rows,
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
        rows,
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
            rows,
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
            rows,
            format!("cf{i}_overrun_drawn"),
            "drawn for the overrun to date".into(),
            add(prev(&format!("cf{i}_overrun_drawn")), r(&d)),
        );
        let n2 = format!("{d}_need_left");
        fac_row(
            rows,
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
        rows,
        "cf_contingent_left".into(),
        "contingent equity not yet called".into(),
        sub(
            fin("funding.contingent_equity_usd"),
            prev("cf_contingent_used"),
        ),
    );
    fac_row(
        rows,
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
        rows,
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
        rows,
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
}
