//! The Time sheet: the period, calendar year and quarter, and the phase flags (finance's `timeline`).

use super::*;

/// The Time sheet: period, year, quarter and the phase flags.
pub(super) fn time(cx: &mut Ctx<'_>) {
    let Src { f, .. } = cx.src;
    let q = &f.quarterly;
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let rows = &mut cx.rows;
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
}
