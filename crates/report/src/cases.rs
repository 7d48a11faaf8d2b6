//! Tables of the bank cases ([`finance::cases`]): the sensitivity table (one row per case,
//! every case run with the base case's sized debt) and the breakevens. Money in US$
//! millions (`*_musd`), ratios with two decimals; an undefined ratio is an empty cell.

use crate::{Cell, Table};
use finance::cases::{Breakevens, CaseResult};

fn musd(v: f64) -> Cell {
    let m = v / 1e6;
    Cell::Num(if (m * 10.0).round() == 0.0 { 0.0 } else { m }, 1)
}

fn text(v: &Option<String>) -> Cell {
    Cell::Text(v.clone().unwrap_or_default())
}

/// The sensitivity table: NPV, IRRs, minimum and average DSCR, minimum LLCR, funding
/// shortfall and its first quarter, covenant and payment-default quarters.
pub fn sensitivity_table(cases: &[CaseResult], covenant_test: &str) -> Table {
    let rate = cases.first().map_or(8.0, |c| c.npv_rate_pct);
    let npv_col = format!("npv{rate}_after_tax_musd");
    let mut t = Table::new(
        "cases",
        &format!(
            "Bank cases (debt sized on the base case; repayment profile fixed). min_dscr is the lowest single quarter; lock-up and default quarters count the covenant's test, on the {covenant_test} DSCR, so a case can have a quarter below the minimum and no default"
        ),
        &[
            "case",
            "description",
            &npv_col,
            "project_irr_after_tax_pct",
            "equity_irr_pct",
            "min_dscr",
            "avg_dscr",
            "min_llcr",
            "funded",
            "funding_shortfall_musd",
            "first_shortfall",
            "lock_up_quarters",
            "default_quarters",
            "payment_default_quarters",
            "first_payment_default",
            "debt_left_at_maturity_musd",
            "sponsor_support_musd",
        ],
    );
    for c in cases {
        t.push(vec![
            Cell::Text(c.name.clone()),
            Cell::Text(c.description.clone()),
            musd(c.npv_usd),
            Cell::opt(c.irr_pct, 1),
            Cell::opt(c.equity_irr_pct, 1),
            Cell::opt(c.min_dscr, 2),
            Cell::opt(c.avg_dscr, 2),
            Cell::opt(c.min_llcr, 2),
            Cell::Text(if c.funded { "yes" } else { "NO" }.into()),
            musd(c.funding_shortfall_usd),
            text(&c.first_shortfall),
            Cell::Num(c.lock_up_quarters as f64, 0),
            Cell::Num(c.default_quarters as f64, 0),
            Cell::Num(c.payment_default_quarters as f64, 0),
            text(&c.first_payment_default),
            musd(c.debt_outstanding_at_maturity_usd),
            musd(c.sponsor_support_usd),
        ]);
    }
    t
}

/// The breakevens, one per row (`value`, `unit`).
pub fn breakeven_table(b: &Breakevens) -> Table {
    let mut t = Table::new(
        "breakevens",
        "Breakevens (bisection; every one holds the base case's debt: reproduce one with `--hold-debt --set KEY=VALUE`, since a plain `--set` re-sizes the debt)",
        &["breakeven", "value", "unit"],
    );
    let mut row = |name: &str, v: Option<f64>, d: usize, unit: &str| {
        t.push(vec![
            Cell::Text(name.into()),
            Cell::opt(v, d),
            Cell::Text(unit.into()),
        ])
    };
    row(
        "copper price, base case",
        Some(b.base_cu_price_usd_per_lb),
        3,
        "USD/lb",
    );
    row(
        "copper price at NPV8 after tax = 0",
        b.cu_price_npv_zero_usd_per_lb,
        3,
        "USD/lb",
    );
    row(
        "copper price at minimum DSCR = 1.00",
        b.cu_price_min_dscr_1_usd_per_lb,
        3,
        "USD/lb",
    );
    row(
        &format!(
            "copper price at minimum DSCR = lock-up {:.2}",
            b.lock_up_dscr
        ),
        b.cu_price_lock_up_usd_per_lb,
        3,
        "USD/lb",
    );
    row(
        "capital overrun absorbed before a funding shortfall",
        b.capex_overrun_absorbed_pct,
        1,
        "%",
    );
    row(
        "sculpted debt held in every breakeven",
        Some(b.debt_held_usd / 1e6),
        1,
        "US$ M",
    );
    t.push(vec![
        Cell::Text("debt sized on".into()),
        Cell::Text(b.debt_sized_on.clone()),
        Cell::Text(String::new()),
    ]);
    t
}

impl crate::export::Output for study::CasesResult {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("cases serialise")
    }

    fn tables(&self) -> Vec<Table> {
        vec![
            sensitivity_table(&self.cases, &self.covenant_test),
            breakeven_table(&self.breakevens),
        ]
    }
}
