//! An audit of a finished result that does not trust the model's own corkscrews: every
//! balance the outputs report is rebuilt from the flows the outputs report (waterfall rows,
//! income and cash-flow statements) and compared with the balance sheet, and the balance
//! sheet is re-added from its parts. A flow that the model booked in one place but not in
//! another (a repayment missing from the balance, a distribution missing from retained
//! earnings) fails here, whereas [`crate::Corkscrew::check`] on a corkscrew built from the
//! same flows in the same loop could not fail.

use crate::result::FinanceResult;

/// The first output that does not tie.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{balance}, {label}: rebuilt from the reported flows {rebuilt:.2} but reported {reported:.2}"
)]
pub struct AuditError {
    /// Which balance (e.g. `debt:Term loan`, `cash`, `balance sheet`).
    pub balance: String,
    /// Quarter label.
    pub label: String,
    /// The balance rebuilt from the reported flows.
    pub rebuilt: f64,
    /// The balance the outputs report.
    pub reported: f64,
}

/// Ties every reported balance to the reported flows; `tol` is relative to the largest
/// total assets (at least 1 USD).
pub fn audit(r: &FinanceResult, tol: f64) -> Result<(), AuditError> {
    let scale = r
        .balance_sheet
        .iter()
        .fold(1.0_f64, |m, b| m.max(b.total_assets_usd.abs()));
    let eps = tol * scale;
    let tie = |balance: &str, label: &str, rebuilt: f64, reported: f64| {
        if (rebuilt - reported).abs() <= eps && rebuilt.is_finite() == reported.is_finite() {
            Ok(())
        } else {
            Err(AuditError {
                balance: balance.to_string(),
                label: label.to_string(),
                rebuilt,
                reported,
            })
        }
    };
    let n_fac = r.facility_names.len();
    let mut fac = vec![0.0; n_fac];
    let (mut dsra, mut retained, mut contributed, mut cash, mut fixed) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut vat, mut lc, mut mra, mut tax, mut vat_fac) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (t, row) in r.quarterly.iter().enumerate() {
        let (is, bs, cf) = (
            &r.income_statement[t],
            &r.balance_sheet[t],
            &r.cash_flow_statement[t],
        );
        let l = row.label.as_str();
        let mut capitalised_interest = 0.0;
        for (i, f) in row.facilities.iter().enumerate() {
            fac[i] +=
                f.drawdown_usd + f.capitalised_interest_usd - f.principal_usd - f.prepayment_usd;
            if row.construction > 0.0 {
                capitalised_interest += f.capitalised_interest_usd;
            }
            tie(
                &format!("facility:{}", f.name),
                l,
                fac[i],
                f.closing_balance_usd,
            )?;
            let is_debt = r.facilities[i].kind != "equity";
            tie(
                &format!("balance sheet debt:{}", f.name),
                l,
                if is_debt { fac[i] } else { 0.0 },
                bs.debt_usd[i],
            )?;
        }
        dsra += row.dsra_funding_usd - row.dsra_release_usd;
        tie("dsra", l, dsra, row.dsra_balance_usd)?;
        tie("balance sheet dsra", l, dsra, bs.dsra_usd)?;
        tax += row.income_tax_usd - row.income_tax_paid_usd + row.ptu_usd - row.ptu_paid_usd;
        tie("tax payable", l, tax, row.tax_payable_usd)?;
        tie("balance sheet tax payable", l, tax, bs.tax_payable_usd)?;
        lc += row.dsra_lc_drawing_usd - row.dsra_lc_repayment_usd;
        tie("dsra letter of credit", l, lc, row.dsra_lc_balance_usd)?;
        tie(
            "balance sheet dsra letter of credit",
            l,
            lc,
            bs.dsra_lc_drawn_usd,
        )?;
        mra += row.maintenance_reserve_funding_usd - row.maintenance_reserve_release_usd;
        tie(
            "maintenance reserve",
            l,
            mra,
            row.maintenance_reserve_balance_usd,
        )?;
        tie(
            "balance sheet maintenance reserve",
            l,
            mra,
            bs.maintenance_reserve_usd,
        )?;
        vat_fac += row.vat_facility_drawing_usd - row.vat_facility_repayment_usd;
        tie("vat facility", l, vat_fac, row.vat_facility_balance_usd)?;
        tie(
            "balance sheet vat facility",
            l,
            vat_fac,
            bs.vat_facility_usd,
        )?;
        vat += row.vat_paid_usd - row.vat_refund_usd;
        tie("vat receivable", l, vat, row.vat_receivable_usd)?;
        tie(
            "balance sheet vat receivable",
            l,
            vat,
            bs.vat_receivable_usd,
        )?;
        retained += is.net_income_usd - row.distributions_usd;
        tie("retained earnings", l, retained, bs.retained_earnings_usd)?;
        contributed +=
            row.equity_contributions_usd + row.sponsor_support_usd + row.funding_shortfall_usd;
        tie(
            "equity contributed",
            l,
            contributed,
            bs.equity_contributed_usd,
        )?;
        cash += cf.net_change_usd;
        tie("cash (cash-flow statement)", l, cash, bs.cash_usd)?;
        tie("cash (waterfall)", l, row.cash_usd, bs.cash_usd)?;
        fixed += row.capex_initial_usd + row.capex_sustaining_usd
            - cf.capitalised_financing_costs_usd
            + capitalised_interest
            - is.depreciation_usd;
        tie("fixed assets", l, fixed, bs.fixed_assets_net_usd)?;
        let assets = bs.cash_usd
            + bs.dsra_usd
            + bs.receivables_usd
            + bs.inventory_usd
            + bs.vat_receivable_usd
            + bs.maintenance_reserve_usd
            + bs.fixed_assets_net_usd;
        let liabilities = bs.payables_usd
            + bs.dsra_lc_drawn_usd
            + bs.tax_payable_usd
            + bs.vat_facility_usd
            + bs.debt_usd.iter().sum::<f64>();
        let equity = bs.equity_contributed_usd + bs.retained_earnings_usd;
        tie("balance sheet", l, assets, liabilities + equity)?;
    }
    Ok(())
}
