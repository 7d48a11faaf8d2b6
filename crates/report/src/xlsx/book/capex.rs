//! Capital: spend profiles, contingency, owner's costs, overrun, lease, sustaining, closure and the additions by tax class (finance's `capex`).

use super::*;

/// The capital rows.
pub(super) fn capital(cx: &mut Ctx<'_>) {
    let Src { f, cfg, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let classes = &cx.classes;
    let rows = &mut cx.rows;
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
}
