//! The finance model's outputs (the FAST "outputs" sheet): the quarterly and annual
//! waterfall tables, the condensed interim statements, the corkscrews and the headline
//! metrics. Field names carry their units and are the stable output schema documented
//! in docs/finance.md.

use crate::corkscrew::Corkscrew;
use serde::Serialize;

/// One facility's lines in a period row.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct FacilityRow {
    /// Facility name.
    pub name: String,
    /// Cash drawn.
    pub drawdown_usd: f64,
    /// Interest added to the balance (construction).
    pub capitalised_interest_usd: f64,
    /// Interest accrued.
    pub interest_usd: f64,
    /// Upfront and commitment fees.
    pub fees_usd: f64,
    /// Scheduled principal repaid.
    pub principal_usd: f64,
    /// Prepaid from the cash sweep.
    pub prepayment_usd: f64,
    /// Closing balance (equity: contributed to date).
    pub closing_balance_usd: f64,
}

/// One row of the waterfall table: a quarter, or a calendar year in the annual roll-up
/// (flows summed, balances at year end, ratios recomputed from the sums).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct PeriodRow {
    /// Quarter index from the start of construction (annual: year index).
    pub period: usize,
    /// Calendar year.
    pub year: i32,
    /// Calendar quarter 1-4 (0 in annual rows).
    pub quarter: u32,
    /// `2010Q3`, or `2010` in annual rows.
    pub label: String,
    /// Construction flag (annual: share of the year's quarters).
    pub construction: f64,
    /// Ramp-up flag (subset of operations).
    pub ramp_up: f64,
    /// Operations flag.
    pub operations: f64,
    /// Closure flag.
    pub closure: f64,
    /// Plant feed, dry t.
    pub plant_feed_dry_t: f64,
    /// Copper cathode, t.
    pub cu_cathode_t: f64,
    /// Cobalt cathode, t.
    pub co_cathode_t: f64,
    /// Zinc sulphate monohydrate, t.
    pub znso4_t: f64,
    /// Manganese carbonate, t.
    pub mnco3_t: f64,
    /// Gross payable value of copper.
    pub revenue_cu_usd: f64,
    /// Gross payable value of cobalt.
    pub revenue_co_usd: f64,
    /// Gross payable value of zinc sulphate.
    pub revenue_znso4_usd: f64,
    /// Gross payable value of manganese carbonate.
    pub revenue_mnco3_usd: f64,
    /// Sum of the product lines.
    pub gross_revenue_usd: f64,
    /// Treatment and refining charges.
    pub refining_usd: f64,
    /// Freight.
    pub freight_usd: f64,
    /// Insurance.
    pub insurance_usd: f64,
    /// Net revenue (gross less refining, freight, insurance).
    pub net_revenue_usd: f64,
    /// Underground mining per tonne.
    pub opex_underground_usd: f64,
    /// Open-pit mining.
    pub opex_open_pit_usd: f64,
    /// Section crews.
    pub opex_crew_labour_usd: f64,
    /// Roof bolts.
    pub opex_bolts_usd: f64,
    /// Development per metre.
    pub opex_development_usd: f64,
    /// Mine overheads per person.
    pub opex_mine_overhead_usd: f64,
    /// Processing.
    pub opex_processing_usd: f64,
    /// Acid.
    pub opex_acid_usd: f64,
    /// Limestone.
    pub opex_limestone_usd: f64,
    /// Power.
    pub opex_power_usd: f64,
    /// G&A.
    pub opex_g_and_a_usd: f64,
    /// Total operating cost.
    pub opex_total_usd: f64,
    /// Royalty.
    pub royalty_usd: f64,
    /// Special mining duty.
    pub mining_duty_usd: f64,
    /// Closure cost.
    pub closure_cost_usd: f64,
    /// Net revenue − opex − royalty − closure (before the mining duty).
    pub ebitda_usd: f64,
    /// Increase in working capital (a use of cash).
    pub working_capital_increase_usd: f64,
    /// IVA paid on capital and operating purchases.
    pub vat_paid_usd: f64,
    /// IVA refunded.
    pub vat_refund_usd: f64,
    /// IVA receivable (paid, not yet refunded).
    pub vat_receivable_usd: f64,
    /// Drawn on the IVA facility.
    pub vat_facility_drawing_usd: f64,
    /// IVA facility repaid from refunds.
    pub vat_facility_repayment_usd: f64,
    /// Interest on the IVA facility.
    pub vat_facility_interest_usd: f64,
    /// IVA facility balance.
    pub vat_facility_balance_usd: f64,
    /// Initial capital: budget direct cost.
    pub capex_direct_usd: f64,
    /// Contingency.
    pub capex_contingency_usd: f64,
    /// Owner's costs.
    pub capex_owners_usd: f64,
    /// Spend above the budget.
    pub capex_overrun_usd: f64,
    /// Initial capital spent (direct + contingency + owner's + overrun).
    pub capex_initial_usd: f64,
    /// Of which bought through the lease.
    pub capex_leased_usd: f64,
    /// Sustaining capital.
    pub capex_sustaining_usd: f64,
    /// Budget direct cost by area (order of `FinanceResult::area_names`).
    pub capex_by_area_usd: Vec<f64>,
    /// Budget direct cost by phase (order of `FinanceResult::phase_names`).
    pub capex_by_phase_usd: Vec<f64>,
    /// Tax depreciation (capital and capitalised financing costs).
    pub tax_depreciation_usd: f64,
    /// Employee profit sharing accrued in the quarter.
    pub ptu_usd: f64,
    /// PTU paid in the quarter: last year's, in May (the second quarter); in the model's
    /// last quarter, everything owed.
    pub ptu_paid_usd: f64,
    /// Corporate income tax: ISR plus the IETU paid above it.
    pub income_tax_usd: f64,
    /// Of `income_tax_usd`, the IETU paid above ISR (greater of the two).
    pub ietu_usd: f64,
    /// Income tax paid in cash: provisional payments and the annual true-up (= the tax
    /// computed when `tax.payments = "as_computed"`).
    pub income_tax_paid_usd: f64,
    /// Of `income_tax_paid_usd`, the previous year's true-up (negative: refunded).
    pub tax_true_up_usd: f64,
    /// Income tax and PTU computed and not yet paid (negative: overpaid, a receivable).
    pub tax_payable_usd: f64,
    /// Tax losses brought forward used.
    pub tax_losses_used_usd: f64,
    /// Cash flow available for debt service.
    pub cfads_usd: f64,
    /// Each facility's lines.
    pub facilities: Vec<FacilityRow>,
    /// Senior interest.
    pub senior_interest_usd: f64,
    /// Senior scheduled principal.
    pub senior_principal_usd: f64,
    /// Senior debt service (interest + scheduled principal).
    pub senior_debt_service_usd: f64,
    /// DSRA target (year end in annual rows).
    pub dsra_target_usd: f64,
    /// DSRA funded.
    pub dsra_funding_usd: f64,
    /// DSRA released.
    pub dsra_release_usd: f64,
    /// DSRA balance.
    pub dsra_balance_usd: f64,
    /// Drawn on the letter of credit that stands in for the DSRA.
    pub dsra_lc_drawing_usd: f64,
    /// Letter-of-credit drawings reimbursed.
    pub dsra_lc_repayment_usd: f64,
    /// Letter-of-credit fee and interest on drawings.
    pub dsra_lc_cost_usd: f64,
    /// Letter-of-credit drawings outstanding.
    pub dsra_lc_balance_usd: f64,
    /// Maintenance reserve target.
    pub maintenance_reserve_target_usd: f64,
    /// Maintenance reserve funded from cash flow.
    pub maintenance_reserve_funding_usd: f64,
    /// Maintenance reserve released (sustaining capital paid, or above target).
    pub maintenance_reserve_release_usd: f64,
    /// Maintenance reserve balance.
    pub maintenance_reserve_balance_usd: f64,
    /// Subordinated debt service.
    pub sub_debt_service_usd: f64,
    /// Cash sweep prepayment.
    pub cash_sweep_usd: f64,
    /// Distributions to equity.
    pub distributions_usd: f64,
    /// Equity drawn under the equity commitments.
    pub equity_contributions_usd: f64,
    /// Sponsor support beyond the commitments: contingent equity in construction, support
    /// before completion in operations.
    pub sponsor_support_usd: f64,
    /// Uses no committed source meets: a funding shortfall (the case is unfunded).
    pub funding_shortfall_usd: f64,
    /// Debt service due but not paid (payment default; interest capitalised).
    pub unpaid_debt_service_usd: f64,
    /// Cash retained for the closure cost to come (part of `cash_usd`).
    pub closure_reserve_usd: f64,
    /// Senior DSCR (annual: sum of CFADS ÷ sum of senior debt service).
    pub dscr: Option<f64>,
    /// Loan life cover ratio at the start of the period (annual: first quarter).
    pub llcr: Option<f64>,
    /// Project life cover ratio at the start of the period (annual: first quarter).
    pub plcr: Option<f64>,
    /// Distributions locked up (annual: any quarter).
    pub lock_up: bool,
    /// Cash balance (excluding the DSRA).
    pub cash_usd: f64,
    /// Unlevered project cash flow before duty, PTU and income tax.
    pub project_cash_flow_pre_tax_usd: f64,
    /// Taxes of the project without financing (unlevered PTU and income tax paid, the same
    /// regime without interest or financing costs): project cash flow before tax − duty −
    /// this = project cash flow after tax.
    pub tax_unlevered_usd: f64,
    /// Unlevered project cash flow after duty, PTU and income tax (taxes without interest).
    pub project_cash_flow_after_tax_usd: f64,
    /// Equity cash flow: distributions − contributions − sponsor support.
    pub equity_cash_flow_usd: f64,
}

/// How a quarterly line item rolls up into its calendar year.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RollUp {
    /// A flow (or a phase flag, later divided by four): the sum of the quarters.
    Sum,
    /// A balance or a target: the year's last quarter.
    Last,
}

/// One numeric line item of a [`PeriodRow`]: its key (the field and output column name,
/// with its unit) and how it rolls up. [`LINE_ITEMS`] lists every `f64` line of the row
/// once; a test compares it with the row's serialised fields, so it cannot drift.
#[derive(Copy, Clone)]
pub struct LineItem {
    /// Field name, e.g. `revenue_cu_usd`.
    pub key: &'static str,
    /// Annual roll-up.
    pub roll_up: RollUp,
    /// Reads the line.
    pub get: fn(&PeriodRow) -> f64,
    /// Writes the line.
    pub get_mut: fn(&mut PeriodRow) -> &mut f64,
}

macro_rules! line {
    ($f:ident, $r:ident) => {
        LineItem {
            key: stringify!($f),
            roll_up: RollUp::$r,
            get: |p| p.$f,
            get_mut: |p| &mut p.$f,
        }
    };
}

/// Every `f64` line item of a [`PeriodRow`], in the row's order within each roll-up.
pub const LINE_ITEMS: &[LineItem] = &[
    line!(construction, Sum),
    line!(ramp_up, Sum),
    line!(operations, Sum),
    line!(closure, Sum),
    line!(plant_feed_dry_t, Sum),
    line!(cu_cathode_t, Sum),
    line!(co_cathode_t, Sum),
    line!(znso4_t, Sum),
    line!(mnco3_t, Sum),
    line!(revenue_cu_usd, Sum),
    line!(revenue_co_usd, Sum),
    line!(revenue_znso4_usd, Sum),
    line!(revenue_mnco3_usd, Sum),
    line!(gross_revenue_usd, Sum),
    line!(refining_usd, Sum),
    line!(freight_usd, Sum),
    line!(insurance_usd, Sum),
    line!(net_revenue_usd, Sum),
    line!(opex_underground_usd, Sum),
    line!(opex_open_pit_usd, Sum),
    line!(opex_crew_labour_usd, Sum),
    line!(opex_bolts_usd, Sum),
    line!(opex_development_usd, Sum),
    line!(opex_mine_overhead_usd, Sum),
    line!(opex_processing_usd, Sum),
    line!(opex_acid_usd, Sum),
    line!(opex_limestone_usd, Sum),
    line!(opex_power_usd, Sum),
    line!(opex_g_and_a_usd, Sum),
    line!(opex_total_usd, Sum),
    line!(royalty_usd, Sum),
    line!(mining_duty_usd, Sum),
    line!(closure_cost_usd, Sum),
    line!(ebitda_usd, Sum),
    line!(working_capital_increase_usd, Sum),
    line!(vat_paid_usd, Sum),
    line!(vat_refund_usd, Sum),
    line!(vat_facility_drawing_usd, Sum),
    line!(vat_facility_repayment_usd, Sum),
    line!(vat_facility_interest_usd, Sum),
    line!(capex_direct_usd, Sum),
    line!(capex_contingency_usd, Sum),
    line!(capex_owners_usd, Sum),
    line!(capex_overrun_usd, Sum),
    line!(capex_initial_usd, Sum),
    line!(capex_leased_usd, Sum),
    line!(capex_sustaining_usd, Sum),
    line!(tax_depreciation_usd, Sum),
    line!(ptu_usd, Sum),
    line!(ptu_paid_usd, Sum),
    line!(income_tax_usd, Sum),
    line!(ietu_usd, Sum),
    line!(income_tax_paid_usd, Sum),
    line!(tax_true_up_usd, Sum),
    line!(tax_losses_used_usd, Sum),
    line!(cfads_usd, Sum),
    line!(senior_interest_usd, Sum),
    line!(senior_principal_usd, Sum),
    line!(senior_debt_service_usd, Sum),
    line!(dsra_funding_usd, Sum),
    line!(dsra_release_usd, Sum),
    line!(dsra_lc_drawing_usd, Sum),
    line!(dsra_lc_repayment_usd, Sum),
    line!(dsra_lc_cost_usd, Sum),
    line!(maintenance_reserve_funding_usd, Sum),
    line!(maintenance_reserve_release_usd, Sum),
    line!(sub_debt_service_usd, Sum),
    line!(cash_sweep_usd, Sum),
    line!(distributions_usd, Sum),
    line!(equity_contributions_usd, Sum),
    line!(sponsor_support_usd, Sum),
    line!(funding_shortfall_usd, Sum),
    line!(unpaid_debt_service_usd, Sum),
    line!(project_cash_flow_pre_tax_usd, Sum),
    line!(tax_unlevered_usd, Sum),
    line!(project_cash_flow_after_tax_usd, Sum),
    line!(equity_cash_flow_usd, Sum),
    line!(tax_payable_usd, Last),
    line!(vat_receivable_usd, Last),
    line!(vat_facility_balance_usd, Last),
    line!(dsra_target_usd, Last),
    line!(dsra_balance_usd, Last),
    line!(dsra_lc_balance_usd, Last),
    line!(maintenance_reserve_target_usd, Last),
    line!(maintenance_reserve_balance_usd, Last),
    line!(closure_reserve_usd, Last),
    line!(cash_usd, Last),
];

/// Condensed income statement of one quarter.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct IncomeStatement {
    /// Quarter index.
    pub period: usize,
    /// `2010Q3`.
    pub label: String,
    /// Net revenue.
    pub revenue_usd: f64,
    /// Operating costs.
    pub operating_costs_usd: f64,
    /// Royalty.
    pub royalty_usd: f64,
    /// Closure cost (expensed as spent).
    pub closure_cost_usd: f64,
    /// EBITDA: revenue − operating costs − royalty − closure cost.
    pub ebitda_usd: f64,
    /// Book depreciation (units of production).
    pub depreciation_usd: f64,
    /// EBIT.
    pub ebit_usd: f64,
    /// Interest expensed (construction interest is capitalised).
    pub interest_expense_usd: f64,
    /// Profit before the profit-based charges (mining duty, PTU, income tax).
    pub profit_before_tax_usd: f64,
    /// Special mining duty (a profit-based tax on its own base).
    pub mining_duty_usd: f64,
    /// Employee profit sharing.
    pub ptu_usd: f64,
    /// Income tax (current; no deferred tax).
    pub income_tax_usd: f64,
    /// Net income.
    pub net_income_usd: f64,
}

/// Condensed balance sheet at the end of one quarter.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct BalanceSheet {
    /// Quarter index.
    pub period: usize,
    /// `2010Q3`.
    pub label: String,
    /// Cash.
    pub cash_usd: f64,
    /// Debt service reserve account (restricted cash).
    pub dsra_usd: f64,
    /// Trade receivables.
    pub receivables_usd: f64,
    /// Inventories.
    pub inventory_usd: f64,
    /// IVA receivable.
    pub vat_receivable_usd: f64,
    /// Maintenance reserve account (restricted cash).
    pub maintenance_reserve_usd: f64,
    /// Property, plant and equipment, net (capitalised financing costs included).
    pub fixed_assets_net_usd: f64,
    /// Total assets.
    pub total_assets_usd: f64,
    /// Trade payables.
    pub payables_usd: f64,
    /// Letter-of-credit drawings to reimburse (the DSRA letter of credit).
    pub dsra_lc_drawn_usd: f64,
    /// Income tax and PTU payable (negative: overpaid).
    pub tax_payable_usd: f64,
    /// IVA facility drawn and not repaid.
    pub vat_facility_usd: f64,
    /// Each debt facility's balance (order of `FinanceResult::facility_names`; equity 0).
    pub debt_usd: Vec<f64>,
    /// Total debt (loans and lease liability).
    pub total_debt_usd: f64,
    /// Total liabilities.
    pub total_liabilities_usd: f64,
    /// Equity contributed (commitments drawn and sponsor support).
    pub equity_contributed_usd: f64,
    /// Retained earnings (net income less distributions).
    pub retained_earnings_usd: f64,
    /// Total equity.
    pub total_equity_usd: f64,
    /// Assets − liabilities − equity (zero when the sheet balances).
    pub balance_check_usd: f64,
}

/// Condensed cash-flow statement of one quarter.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct CashFlowStatement {
    /// Quarter index.
    pub period: usize,
    /// `2010Q3`.
    pub label: String,
    /// Net income.
    pub net_income_usd: f64,
    /// Book depreciation added back.
    pub depreciation_usd: f64,
    /// Decrease in working capital.
    pub working_capital_usd: f64,
    /// Increase in income tax payable (tax computed less tax paid).
    pub tax_payable_usd: f64,
    /// Interest expensed but not paid (capitalised in a payment default), added back.
    pub interest_capitalised_usd: f64,
    /// Cash from operating activities.
    pub operating_usd: f64,
    /// Capital spent (initial and sustaining).
    pub capex_usd: f64,
    /// Financing costs capitalised and paid in cash during construction.
    pub capitalised_financing_costs_usd: f64,
    /// Net transfer to (−) or from (+) the DSRA.
    pub dsra_usd: f64,
    /// Maintenance reserve released less funded.
    pub maintenance_reserve_usd: f64,
    /// Cash from investing activities.
    pub investing_usd: f64,
    /// Debt drawn in cash.
    pub debt_drawn_usd: f64,
    /// Debt repaid (scheduled and prepaid).
    pub debt_repaid_usd: f64,
    /// Equity contributed and sponsor support.
    pub equity_contributed_usd: f64,
    /// Distributions.
    pub distributions_usd: f64,
    /// Cash from financing activities.
    pub financing_usd: f64,
    /// Operating + investing + financing.
    pub net_change_usd: f64,
    /// Cash at the start of the quarter.
    pub opening_cash_usd: f64,
    /// Cash at the end of the quarter.
    pub closing_cash_usd: f64,
}

/// The valuation convention of the NPVs and IRRs, stated with the result.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct NpvConvention {
    /// Money of the discounted flows: nominal, or real (deflated by the USD index).
    pub basis: crate::config::Basis,
    /// How the price and cost decks were typed.
    pub decks: crate::config::Basis,
    /// Base year of the escalation indices (money of a real deck or real valuation).
    pub base_year: i32,
    /// Timing of each calendar year's flow.
    pub timing: crate::config::NpvTiming,
    /// Date the flows are discounted to (start of the first model year), ISO.
    pub discounted_to: String,
    /// The fiscal vintage in words (`as enacted`, `as known at 2007-06`) when the tax rates
    /// come from dated `[[finance.tax.rules]]`; `None` when they are typed directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_rules: Option<String>,
    /// All of it in words (the `npv_convention` metric).
    pub description: String,
}

/// NPVs at one discount rate.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct NpvAtRate {
    /// Annual discount rate, %.
    pub discount_rate_pct: f64,
    /// Unlevered project NPV before duty, PTU and income tax.
    pub project_pre_tax_usd: f64,
    /// Unlevered project NPV after duty, PTU and income tax.
    pub project_after_tax_usd: f64,
    /// Equity (levered) NPV.
    pub equity_usd: f64,
}

/// What a covenant event is.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CovenantKind {
    /// DSCR below the lock-up level: distributions blocked.
    LockUp,
    /// DSCR below the minimum: event of default.
    Default,
}

/// A quarter failing a covenant test.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct CovenantEvent {
    /// Quarter index.
    pub period: usize,
    /// `2012Q1`.
    pub label: String,
    /// Which covenant.
    pub kind: CovenantKind,
    /// The DSCR tested (the quarter's, or trailing twelve months).
    pub dscr: f64,
}

/// Summary of one facility.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct FacilitySummary {
    /// Name.
    pub name: String,
    /// Kind (`senior_term_loan`, ...).
    pub kind: String,
    /// Commitment.
    pub commitment_usd: f64,
    /// Cash drawn in total.
    pub drawn_usd: f64,
    /// Interest capitalised in construction.
    pub capitalised_interest_usd: f64,
    /// Largest closing balance.
    pub peak_balance_usd: f64,
    /// First drawdown quarter, e.g. `2008Q1`.
    pub first_drawdown: Option<String>,
    /// First scheduled repayment quarter.
    pub first_repayment: Option<String>,
    /// Final maturity quarter (debt only).
    pub maturity: Option<String>,
    /// Final maturity period index.
    pub maturity_period: Option<usize>,
    /// Quarter in which the balance was last repaid to zero.
    pub repaid: Option<String>,
}

/// Headline results.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// How the NPVs and IRRs are computed: money (real or nominal), decks, timing of the
    /// flows, the date they are discounted to.
    pub npv_convention: NpvConvention,
    /// NPVs at each configured rate, annual flows discounted (at year end by default) to
    /// the start of the first model year.
    pub npv: Vec<NpvAtRate>,
    /// Project IRR before duty, PTU and income tax (annual flows), %.
    pub project_irr_pre_tax_pct: Option<f64>,
    /// Project IRR after tax (annual flows), %.
    pub project_irr_after_tax_pct: Option<f64>,
    /// Project IRR after tax from quarterly flows, annualised, %.
    pub project_irr_after_tax_quarterly_pct: Option<f64>,
    /// Equity IRR (annual flows), %.
    pub equity_irr_pct: Option<f64>,
    /// Why an IRR is missing (no sign change, several roots).
    pub irr_notes: Vec<String>,
    /// Years from the start of construction until cumulative after-tax project cash flow
    /// turns positive.
    pub payback_years: Option<f64>,
    /// Same, counted from the first operating quarter.
    pub payback_from_first_production_years: Option<f64>,
    /// Lowest senior DSCR over the repayment quarters.
    pub min_dscr: Option<f64>,
    /// Average senior DSCR over the repayment quarters.
    pub avg_dscr: Option<f64>,
    /// Lowest LLCR over the quarters with senior debt outstanding in operations.
    pub min_llcr: Option<f64>,
    /// Average LLCR over the same quarters.
    pub avg_llcr: Option<f64>,
    /// Lowest PLCR over the quarters with senior debt outstanding in operations.
    pub min_plcr: Option<f64>,
    /// False when a funding shortfall is reported: the metrics then rest on money nobody
    /// committed (see `funding_shortfall_usd`).
    pub funded: bool,
    /// Funding shortfall in total (construction and operations).
    pub funding_shortfall_usd: f64,
    /// First quarter with a funding shortfall.
    pub first_shortfall: Option<String>,
    /// Debt service due and not paid, in total.
    pub unpaid_debt_service_usd: f64,
    /// Quarters with debt service unpaid (payment default).
    pub payment_default_quarters: usize,
    /// First quarter with debt service unpaid.
    pub first_payment_default: Option<String>,
    /// Debt outstanding at the final maturities of the facilities not repaid by then.
    pub debt_outstanding_at_maturity_usd: f64,
    /// Quarter at whose end completion is reached.
    pub completion: Option<String>,
    /// Initial capital spent.
    pub initial_capex_usd: f64,
    /// Sustaining capital over the life.
    pub sustaining_capex_usd: f64,
    /// Initial + sustaining.
    pub total_capex_usd: f64,
    /// Closure cost.
    pub closure_cost_usd: f64,
    /// Total sources to the first operating quarter: debt and lease drawn, interest
    /// capitalised, equity and sponsor support.
    pub peak_funding_usd: f64,
    /// Largest total senior balance.
    pub peak_senior_debt_usd: f64,
    /// Years from the first senior drawdown to the quarter the last senior balance is repaid.
    pub loan_life_years: Option<f64>,
    /// Quarter in which senior debt is fully repaid.
    pub senior_debt_repaid: Option<String>,
    /// Average copper cathode over the first four operating years, t per year.
    pub first_four_years_cu_t_per_year: f64,
    /// Cash cost net of by-product credits over the first four operating years, USD per
    /// lb of copper: (opex + royalty + refining + freight + insurance − payable value of
    /// cobalt, zinc sulphate and manganese carbonate) ÷ copper lb.
    pub first_four_years_cash_cost_usd_per_lb_cu: Option<f64>,
    /// Copper cathode over the life, t.
    pub life_of_mine_cu_t: f64,
    /// Sponsor support in total (funding beyond the commitments, shortfalls, closure).
    pub sponsor_support_usd: f64,
    /// Number of lock-up quarters.
    pub lock_up_quarters: usize,
    /// Number of quarters in default of the minimum DSCR.
    pub default_quarters: usize,
    /// Largest |balance check| over the quarters.
    pub max_balance_check_usd: f64,
}

/// Everything the finance model produces.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct FinanceResult {
    /// Capital areas, in input order.
    pub area_names: Vec<String>,
    /// Capital phases, in input order.
    pub phase_names: Vec<String>,
    /// Facilities, in input order.
    pub facility_names: Vec<String>,
    /// One row per quarter.
    pub quarterly: Vec<PeriodRow>,
    /// One row per calendar year.
    pub annual: Vec<PeriodRow>,
    /// Income statement per quarter.
    pub income_statement: Vec<IncomeStatement>,
    /// Balance sheet per quarter.
    pub balance_sheet: Vec<BalanceSheet>,
    /// Cash-flow statement per quarter.
    pub cash_flow_statement: Vec<CashFlowStatement>,
    /// Every balance as a corkscrew (loans, lease, DSRA, tax losses, fixed assets book and
    /// tax, cash).
    pub corkscrews: Vec<Corkscrew>,
    /// Facility summaries.
    pub facilities: Vec<FacilitySummary>,
    /// Headline metrics.
    pub metrics: Metrics,
    /// Covenant breaches and lock-up quarters.
    pub covenant_events: Vec<CovenantEvent>,
    /// The debt sizing this run used (sized on the base case).
    pub debt_sizing: crate::sizing::SizedDebt,
    /// Sources and uses to the first operating quarter and the funding status.
    pub funding: FundingSummary,
    /// Payment defaults and loans not repaid by maturity.
    pub defaults: Vec<DebtDefault>,
}

/// One line of sources or uses.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct FundingLine {
    /// What it is.
    pub name: String,
    /// Amount to the first operating quarter, USD.
    pub usd: f64,
}

/// Sources and uses of construction (financial close to the first operating quarter).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct FundingSummary {
    /// Uses: initial capital, interest capitalised, interest and fees paid.
    pub uses: Vec<FundingLine>,
    /// Sources: each facility (cash + capitalised interest), contingent equity, shortfall.
    pub sources: Vec<FundingLine>,
    /// Total uses = total sources.
    pub total_usd: f64,
    /// All debt at the first operating quarter ÷ total sources, %.
    pub gearing_pct: f64,
    /// No funding shortfall in construction or operations.
    pub funded: bool,
    /// Shortfall in construction, USD.
    pub construction_shortfall_usd: f64,
    /// Shortfall in operations and closure, USD.
    pub operations_shortfall_usd: f64,
    /// First quarter with a shortfall.
    pub first_shortfall: Option<String>,
}

/// What a debt default is.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DefaultKind {
    /// Debt service due in the quarter and not paid.
    Payment,
    /// A balance left at the facility's final maturity.
    Maturity,
    /// The completion test not met by its long-stop date.
    CompletionLongstop,
}

/// A payment default or a loan not repaid by maturity.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct DebtDefault {
    /// Facility name (`all debt` for a payment default).
    pub facility: String,
    /// Which default.
    pub kind: DefaultKind,
    /// Quarter index.
    pub period: usize,
    /// `2016Q2`.
    pub label: String,
    /// Debt service unpaid, or balance left at maturity, USD.
    pub amount_usd: f64,
}
