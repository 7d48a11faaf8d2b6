//! The Production sheet: manto's simulated production placed from COD (finance's `production`).

use super::*;

/// manto's production, an input block, and its reconciliation of ore and feed.
pub(super) fn production(cx: &mut Ctx<'_>) {
    let Src { st, f, cfg } = cx.src;
    let q = &f.quarterly;
    let n = q.len();
    let rows = &mut cx.rows;
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
    // The acid the mine simulated (a metallurgy table by clay content), which the finance
    // model prices instead of the flat rate: an input row the opex line reads.
    if has_simulated_acid(st) {
        let rate_t = cfg.opex.acid_kg_per_dry_t / 1000.0;
        let acid: Vec<f64> = (0..n)
            .map(|i| {
                i.checked_sub(cod)
                    .and_then(|k| st.production.periods.get(k))
                    .map_or(0.0, |p| p.acid_t.unwrap_or(p.plant_feed_dry_t * rate_t))
            })
            .collect();
        rows.push(
            input_row("prod_acid", "sulphuric acid consumed", "t", acid, src).on(Sheet::Production),
        );
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
}

/// True when the mine computed the acid it consumed (then the workbook's acid line reads
/// the Production sheet's `prod_acid` instead of feed × the flat rate).
pub(super) fn has_simulated_acid(st: &ReportStudy) -> bool {
    st.production.periods.iter().any(|p| p.acid_t.is_some())
}
