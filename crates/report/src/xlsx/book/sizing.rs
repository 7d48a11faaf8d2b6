//! manto's numbers taken as given: the DSRA target and the sized repayment profiles (finance's `sizing`).

use super::*;

/// The DSRA target and each sized loan's fixed repayment profile.
pub(super) fn sized_profiles(cx: &mut Ctx<'_>) {
    let Src { f, cfg, .. } = cx.src;
    let q = &f.quarterly;
    let n = q.len();
    let col = |g: &dyn Fn(&PeriodRow) -> f64| -> Vec<f64> { q.iter().map(g).collect() };
    let sized = |i: usize| sized(f, cfg, i);
    let rows = &mut cx.rows;
    // ---- Calculations: manto's numbers ---------------------------------------------------
    rows.push(heading(
        "manto's numbers taken as given (inputs, not live): the DSRA target (pasted from manto's planning pass) and the sized repayment profile",
    ));
    rows.push(input_row(
        "dsra_target",
        "DSRA target: the next quarters' senior debt service of manto's planning pass",
        "US$",
        col(&|r| r.dsra_target_usd),
        WF,
    ));
    for (i, name) in f.facility_names.iter().enumerate() {
        let equity = f.facilities.get(i).is_some_and(|x| x.kind == "equity");
        if equity {
            continue; // equity bears no interest and is not repaid
        }
        if let Some(sf) = sized(i) {
            // The fixed profile of the sized loan, placed from manto's first repayment.
            let first = (cfg.timing.construction_quarters
                + cfg.facilities.get(i).map_or(0, |x| x.grace_quarters))
            .min(n.saturating_sub(1));
            let share: Vec<f64> = (0..n)
                .map(|t| {
                    t.checked_sub(first)
                        .and_then(|k| sf.repayment_share.get(k))
                        .copied()
                        .unwrap_or(0.0)
                })
                .collect();
            rows.push(input_row(
                &format!("fac{i}_share"),
                &format!("{name}: repayment profile, share of the balance at COD"),
                "fraction",
                share,
                "manto debt sizing: the profile sculpted on the banking case, fixed at financial close",
            ));
        }
    }
}
