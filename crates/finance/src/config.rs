//! The finance model's inputs (the FAST "inputs" sheet): one typed struct per table of the
//! `[finance]` part of a scenario, with serde defaults, and their validation.
//!
//! Nothing here computes: the calculation modules read these structs. Rates typed by the
//! user are percentages (`28.0` = 28 %) in fields ending `_pct`; money is plain USD (`_usd`);
//! tonnes are metric (`_t`, dry unless the name says `wet`). A quantity that may change by
//! calendar year is a [`ByYear`]: a flat number or a list of contiguous year ranges.

use crate::limits;
use crate::production::ProductionProfile;
use des::input::{InputError, Invalid};
use serde::{Deserialize, Serialize};

/// A value that may change by calendar year: either one flat number or contiguous year
/// ranges `[{ from_year = 2007, to_year = 2009, value = 28.0 }, { from_year = 2010, value = 30.0 }]`
/// whose last range is open-ended.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum ByYear {
    /// The same value every year.
    Flat(f64),
    /// Year ranges, in order, without gaps or overlaps; the last has no `to_year`.
    Steps(Vec<YearValue>),
}

/// One range of a [`ByYear`] schedule.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct YearValue {
    /// First calendar year the value applies to.
    pub from_year: i32,
    /// Last calendar year (inclusive); absent on the last, open-ended range.
    #[serde(default)]
    pub to_year: Option<i32>,
    /// The value.
    pub value: f64,
}

impl Default for ByYear {
    fn default() -> Self {
        ByYear::Flat(0.0)
    }
}

impl ByYear {
    /// The value in calendar `year` (years before the first range take the first value).
    pub fn at(&self, year: i32) -> f64 {
        match self {
            ByYear::Flat(v) => *v,
            ByYear::Steps(steps) => steps
                .iter()
                .rev()
                .find(|s| s.from_year <= year)
                .or(steps.first())
                .map_or(0.0, |s| s.value),
        }
    }

    /// Checks ranges (contiguous, open-ended last, starting no later than `first_year`) and
    /// that every value lies in `[min, max]`.
    fn validate(&self, path: &str, first_year: i32, min: f64, max: f64, out: &mut Vec<Invalid>) {
        let range = |v: f64, p: String, out: &mut Vec<Invalid>| {
            if !(v.is_finite() && v >= min && v <= max) {
                out.push(Invalid::new(p, format!("must be between {min} and {max}")));
            }
        };
        match self {
            ByYear::Flat(v) => range(*v, path.to_string(), out),
            ByYear::Steps(steps) => {
                if steps.is_empty() {
                    out.push(Invalid::new(path, "needs at least one year range"));
                    return;
                }
                if !limits::check_len(
                    out,
                    path.to_string(),
                    steps.len(),
                    limits::MAX_FINANCE_LIST_LEN,
                ) {
                    return;
                }
                let (y_lo, y_hi) = limits::FINANCE_YEARS;
                let mut years_ok = true;
                for (i, s) in steps.iter().enumerate() {
                    for (k, y) in [("from_year", Some(s.from_year)), ("to_year", s.to_year)] {
                        if let Some(y) = y {
                            if !(y_lo..=y_hi).contains(&y) {
                                years_ok = false;
                                out.push(Invalid::new(
                                    format!("{path}[{i}].{k}"),
                                    format!("year {y} is outside the allowed {y_lo} to {y_hi}"),
                                ));
                            }
                        }
                    }
                }
                if !years_ok {
                    return;
                }
                if steps[0].from_year > first_year {
                    out.push(Invalid::new(
                        format!("{path}[0].from_year"),
                        format!("must be {first_year} or earlier (the model starts then)"),
                    ));
                }
                for (i, s) in steps.iter().enumerate() {
                    range(s.value, format!("{path}[{i}].value"), out);
                    let last = i + 1 == steps.len();
                    match (s.to_year, last) {
                        (None, false) => out.push(Invalid::new(
                            format!("{path}[{i}]"),
                            "needs `to_year` (only the last range is open-ended)",
                        )),
                        (Some(_), true) => out.push(Invalid::new(
                            format!("{path}[{i}].to_year"),
                            "the last range must be open-ended: remove `to_year`",
                        )),
                        (Some(to), false) => {
                            if to < s.from_year {
                                out.push(Invalid::new(
                                    format!("{path}[{i}].to_year"),
                                    "must not be before `from_year`",
                                ));
                            }
                            let next = steps[i + 1].from_year;
                            if next != to + 1 {
                                let what = if next > to + 1 { "gap" } else { "overlap" };
                                out.push(Invalid::new(
                                    format!("{path}[{}].from_year", i + 1),
                                    format!("must be {} ({what} after the previous range)", to + 1),
                                ));
                            }
                        }
                        (None, true) => {}
                    }
                }
            }
        }
    }
}

/// Where the production quantities come from.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProductionSource {
    /// The mine-to-plant schedule computed by the mine model (the CLI supplies it).
    #[default]
    Schedule,
    /// The scenario's own `[finance.production]` table.
    Table,
}

/// All inputs of the finance model: the `[finance]` table of a scenario.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FinanceConfig {
    /// Which production to value: the mine schedule or `[finance.production]`.
    pub production_source: ProductionSource,
    /// Time base: start of construction, construction, ramp-up and closure lengths.
    pub timing: Timing,
    /// Production by operating year, used without the mine model.
    pub production: Option<ProductionTable>,
    /// Capital costs: initial (by area and phase), sustaining, closure.
    pub capex: Capex,
    /// Operating-cost drivers.
    pub opex: Opex,
    /// Products, prices and realisation costs.
    pub revenue: Revenue,
    /// Receivable, payable and inventory days.
    pub working_capital: WorkingCapital,
    /// Mexican fiscal regime: rates by year, depreciation classes, losses.
    pub tax: Tax,
    /// Debt, lease and equity facilities.
    pub facilities: Vec<Facility>,
    /// Debt service reserve account.
    pub dsra: Dsra,
    /// Maintenance reserve account.
    pub maintenance_reserve: MaintenanceReserve,
    /// Covenants, lock-up and cash sweep.
    pub covenants: Covenants,
    /// Discount rates for the NPVs.
    pub metrics: MetricsConfig,
    /// Debt sizing and the funding plan: gearing cap, contingent equity, sponsor support
    /// before completion, closure reserve.
    pub funding: Funding,
    /// IVA (VAT) on capital and operating purchases and its refund.
    pub vat: Vat,
    /// Escalation: whether the price and cost decks are real or nominal, and the USD and
    /// MXN inflation indices that turn a real deck into nominal money.
    pub escalation: Escalation,
    /// Bank cases of the scenario (`[[finance.cases]]`): added to the standard cases of
    /// [`crate::cases::standard_cases`]; a case with a standard case's name replaces it.
    pub cases: Vec<crate::cases::CaseSpec>,
}

/// The time base.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Timing {
    /// Calendar year of the first construction quarter (= financial close).
    pub start_year: i32,
    /// Calendar quarter (1-4) of the first construction quarter.
    pub start_quarter: u32,
    /// Number of construction quarters before the first operating quarter.
    pub construction_quarters: usize,
    /// Years of the ramp-up, counted from the first operating quarter (flag only).
    pub ramp_up_years: u32,
    /// Number of closure quarters after the last operating quarter.
    pub closure_quarters: usize,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            start_year: 2008,
            start_quarter: 1,
            construction_quarters: 12,
            ramp_up_years: 4,
            closure_quarters: 8,
        }
    }
}

/// Production by operating year (year 1 = first year of production), one array per
/// quantity; each year is split evenly into four quarters. Empty arrays mean zero.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ProductionTable {
    /// Ore mined, wet tonnes per year.
    pub ore_mined_wet_t: Vec<f64>,
    /// Ore mined, dry tonnes per year.
    pub ore_mined_dry_t: Vec<f64>,
    /// Underground ore, dry tonnes per year.
    pub underground_dry_t: Vec<f64>,
    /// Open-pit ore, dry tonnes per year.
    pub open_pit_dry_t: Vec<f64>,
    /// Plant feed, dry tonnes per year (required; sets the number of years).
    pub plant_feed_dry_t: Vec<f64>,
    /// Continuous-miner section production shifts per year.
    pub section_shifts: Vec<f64>,
    /// Metres of heading advanced per year.
    pub advance_m: Vec<f64>,
    /// Roof bolts installed per year.
    pub bolts: Vec<f64>,
    /// Average mine payroll headcount in the year.
    pub mine_headcount: Vec<f64>,
    /// Copper cathode, t per year.
    pub cu_cathode_t: Vec<f64>,
    /// Cobalt cathode, t per year.
    pub co_cathode_t: Vec<f64>,
    /// Zinc sulphate monohydrate product, t per year (give this or `zn_contained_t`).
    pub znso4_t: Vec<f64>,
    /// Zinc contained in the zinc sulphate product, t per year; converted to product
    /// tonnes with the Zn mass fraction of ZnSO4·H2O (65.38 / 179.47).
    pub zn_contained_t: Vec<f64>,
    /// Manganese carbonate product, t per year.
    pub mnco3_t: Vec<f64>,
}

/// Initial, sustaining and closure capital.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Capex {
    /// Initial capital by area.
    pub areas: Vec<CapexArea>,
    /// Phases (engineering, procurement, construction, EPCM): share of each area's direct
    /// cost and its spend profile. Used by areas without their own profile.
    pub phases: Vec<CapexPhase>,
    /// Contingency on direct cost, %.
    pub contingency_pct: f64,
    /// Owner's costs, USD, spread over the construction quarters uniformly.
    pub owners_costs_usd: f64,
    /// Tax depreciation class of owner's costs.
    pub owners_costs_tax_class: String,
    /// Overrun on all initial capital (areas, contingency, owner's costs) over the budget, %.
    pub overrun_pct: f64,
    /// Sustaining capital, USD per operating year.
    pub sustaining_usd_per_year: f64,
    /// Sustaining capital, USD per dry tonne of plant feed.
    pub sustaining_usd_per_dry_t: f64,
    /// Tax depreciation class of sustaining capital.
    pub sustaining_tax_class: String,
    /// Closure cost, USD, spent evenly over the closure quarters (expensed).
    pub closure_cost_usd: f64,
    /// When initial capital is spent, by construction quarter from the first (any unit:
    /// only the shares count; what lies beyond the last construction quarter counts in the
    /// last): set by the study from a build schedule, never read from a scenario. Empty:
    /// the phases' and areas' own spend profiles. When set, it replaces the phases'
    /// profiles (areas on their own delivery profile keep theirs).
    #[serde(skip)]
    pub construction_phasing: Vec<f64>,
}

/// One capital-cost area.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CapexArea {
    /// Area name (as shown in the outputs).
    pub name: String,
    /// Direct cost before contingency, USD.
    pub direct_usd: f64,
    /// Tax depreciation class (a name in `tax.depreciation_classes`).
    pub tax_class: String,
    /// Bought through the finance lease (mobile equipment).
    pub financed_by_lease: bool,
    /// The area's own spend profile; when absent the phases' profiles apply.
    pub profile: Option<SpendProfile>,
}

/// One capital phase: its share of every area's direct cost and its spend profile.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CapexPhase {
    /// Phase name.
    pub name: String,
    /// Share of each area's direct cost, % (the phases sum to 100).
    pub share_pct: f64,
    /// When the phase's cost is spent.
    pub profile: SpendProfile,
}

/// Spending over construction quarters `first_quarter..=last_quarter` (0 = first
/// construction quarter).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SpendProfile {
    /// First construction quarter of spending (0-based).
    pub first_quarter: usize,
    /// Last construction quarter of spending (inclusive).
    pub last_quarter: usize,
    /// Shape of the spend between the two quarters.
    pub curve: Curve,
    /// Explicit % by quarter from `first_quarter` (sums to 100); overrides `curve`.
    pub weights_pct: Vec<f64>,
}

/// Shape of a spend profile.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// Equal amounts each quarter.
    #[default]
    Uniform,
    /// Cumulative spend follows 3x² − 2x³ (slow start, peak mid-way, slow finish).
    SCurve,
}

/// Operating-cost drivers. Costs given in USD were estimated at `base_mxn_per_usd`; the
/// MXN share of each is re-priced at the year's `mxn_per_usd`.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Opex {
    /// Exchange rate, MXN per USD, by year.
    pub mxn_per_usd: ByYear,
    /// Exchange rate at which the USD unit costs were estimated.
    pub base_mxn_per_usd: f64,
    /// Underground mining consumables and maintenance, USD per dry t.
    pub underground_usd_per_dry_t: f64,
    /// Open-pit mining (contract), USD per dry t.
    pub open_pit_usd_per_dry_t: f64,
    /// People per section crew per shift.
    pub crew_size: f64,
    /// Loaded wage per person-shift, MXN.
    pub wage_mxn_per_shift: f64,
    /// Roof bolt installed (bolt, resin, plate), USD each.
    pub usd_per_bolt: f64,
    /// Development consumables per metre advanced (belt, ventilation, mesh), USD.
    pub usd_per_m_advance: f64,
    /// Mine overheads per person on the payroll (camp, transport, PPE), USD per year.
    pub mine_overhead_usd_per_person_year: f64,
    /// Processing (leach, SX/EW, labour, maintenance), USD per dry t fed.
    pub processing_usd_per_dry_t: f64,
    /// Sulphuric acid consumption, kg per dry t fed.
    pub acid_kg_per_dry_t: f64,
    /// Cost of acid, USD per t.
    pub acid_usd_per_t: f64,
    /// Limestone consumption, t per dry t fed.
    pub limestone_t_per_dry_t: f64,
    /// Cost of limestone, USD per t.
    pub limestone_usd_per_t: f64,
    /// Power, kWh per dry t fed.
    pub power_kwh_per_dry_t: f64,
    /// Cost of power, USD per kWh.
    pub power_usd_per_kwh: f64,
    /// General and administrative, USD per operating year.
    pub g_and_a_usd_per_year: f64,
    /// MXN share of each USD cost line.
    pub mxn_share: MxnShares,
}

impl Default for Opex {
    fn default() -> Self {
        Opex {
            mxn_per_usd: ByYear::Flat(1.0),
            base_mxn_per_usd: 1.0,
            underground_usd_per_dry_t: 0.0,
            open_pit_usd_per_dry_t: 0.0,
            crew_size: 0.0,
            wage_mxn_per_shift: 0.0,
            usd_per_bolt: 0.0,
            usd_per_m_advance: 0.0,
            mine_overhead_usd_per_person_year: 0.0,
            processing_usd_per_dry_t: 0.0,
            acid_kg_per_dry_t: 0.0,
            acid_usd_per_t: 0.0,
            limestone_t_per_dry_t: 0.0,
            limestone_usd_per_t: 0.0,
            power_kwh_per_dry_t: 0.0,
            power_usd_per_kwh: 0.0,
            g_and_a_usd_per_year: 0.0,
            mxn_share: MxnShares::default(),
        }
    }
}

/// Share of each USD-estimated cost line spent in MXN, %.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MxnShares {
    /// Underground and open-pit mining per tonne.
    pub mining_pct: f64,
    /// Roof bolts.
    pub bolts_pct: f64,
    /// Development consumables per metre.
    pub development_pct: f64,
    /// Mine overheads per person.
    pub mine_overhead_pct: f64,
    /// Processing.
    pub processing_pct: f64,
    /// Acid.
    pub acid_pct: f64,
    /// Limestone.
    pub limestone_pct: f64,
    /// Power.
    pub power_pct: f64,
    /// General and administrative.
    pub g_and_a_pct: f64,
}

/// Products and royalty.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Revenue {
    /// Copper cathode.
    pub cu_cathode: Product,
    /// Cobalt cathode.
    pub co_cathode: Product,
    /// Zinc sulphate monohydrate.
    pub znso4: Product,
    /// Manganese carbonate.
    pub mnco3: Product,
    /// Royalty on net revenue, %.
    pub royalty_nsr_pct: f64,
}

/// One product: price (per lb or per t, flat or by year), payable share and realisation
/// costs.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Product {
    /// Price in USD per pound (metals); give this or `price_usd_per_t`.
    pub price_usd_per_lb: Option<ByYear>,
    /// Price in USD per tonne of product.
    pub price_usd_per_t: Option<ByYear>,
    /// Payable share of the price, %.
    pub payable_pct: f64,
    /// Treatment and refining charges, USD per t of product.
    pub refining_usd_per_t: f64,
    /// Freight to market, USD per t of product.
    pub freight_usd_per_t: f64,
    /// Insurance, % of gross payable value.
    pub insurance_pct: f64,
}

impl Default for Product {
    fn default() -> Self {
        Product {
            price_usd_per_lb: None,
            price_usd_per_t: None,
            payable_pct: 100.0,
            refining_usd_per_t: 0.0,
            freight_usd_per_t: 0.0,
            insurance_pct: 0.0,
        }
    }
}

/// Working-capital days (of a 365-day year).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WorkingCapital {
    /// Days of net revenue in receivables.
    pub receivable_days: f64,
    /// Days of operating cost in payables.
    pub payable_days: f64,
    /// Days of operating cost in inventory (consumables, work in progress).
    pub inventory_days: f64,
}

/// The fiscal regime.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Tax {
    /// Corporate income tax (ISR) rate by year, %.
    pub income_tax_pct: ByYear,
    /// Employee profit sharing (PTU) rate by year, %.
    pub ptu_pct: ByYear,
    /// Special mining duty rate by year, %.
    pub mining_duty_pct: ByYear,
    /// PTU is deducted in the income-tax base of the same quarter.
    pub ptu_deductible: bool,
    /// Years a tax loss may be carried forward.
    pub loss_carry_forward_years: u32,
    /// Tax depreciation classes (straight line on cost).
    pub depreciation_classes: Vec<DepreciationClass>,
    /// Class of capitalised financing costs (interest during construction, fees).
    pub financing_costs_class: String,
    /// How income tax is paid: as computed each quarter, or as provisional payments on
    /// the profit coefficient with an annual true-up.
    pub payments: TaxPayments,
    /// IETU (flat business tax) rate by year, %; 0 in the years it did not apply. The
    /// taxpayer pays the greater of ISR and IETU (docs/finance.md, "Fiscal").
    pub ietu_pct: ByYear,
    /// Years an IETU credit for deductions above income (a negative IETU base × the rate)
    /// may be credited against later IETU.
    pub ietu_credit_years: u32,
    /// Which of `rules` apply: the law as enacted, or as known at `known_at`.
    pub vintage: Vintage,
    /// The date of an `as_known_at` vintage, `YYYY-MM` (through the month's end) or
    /// `YYYY-MM-DD`.
    pub known_at: Option<String>,
    /// The fiscal rules with the year each applies from and the date it was enacted; the
    /// rates they govern (income tax, PTU, mining duty, IETU, IVA) are set from them by
    /// [`FinanceConfig::apply_fiscal_rules`].
    pub rules: Vec<FiscalRule>,
}

impl Default for Tax {
    fn default() -> Self {
        Tax {
            income_tax_pct: ByYear::Flat(0.0),
            ptu_pct: ByYear::Flat(0.0),
            mining_duty_pct: ByYear::Flat(0.0),
            ptu_deductible: true,
            loss_carry_forward_years: 10,
            depreciation_classes: Vec::new(),
            financing_costs_class: String::new(),
            ietu_pct: ByYear::Flat(0.0),
            ietu_credit_years: 10,
            payments: TaxPayments::AsComputed,
            vintage: Vintage::AsEnacted,
            known_at: None,
            rules: Vec::new(),
        }
    }
}

/// Which of the fiscal rules (`[[finance.tax.rules]]`) a scenario applies: one consistent
/// vintage of the law (docs/scenario.md, "Fiscal vintages").
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Vintage {
    /// The law as it turned out: every rule applied in its years, a later enactment
    /// overriding an earlier one.
    #[default]
    AsEnacted,
    /// Only the rules enacted on or before `finance.tax.known_at`: what a study of that
    /// date could know.
    AsKnownAt,
}

/// The rates a fiscal rule may set, as keys under `finance.`.
pub const FISCAL_RATES: [&str; 6] = [
    "tax.income_tax_pct",
    "tax.ptu_pct",
    "tax.mining_duty_pct",
    "tax.ietu_pct",
    "vat.general_rate_pct",
    "vat.border_rate_pct",
];

/// One fiscal rule: a rate from a year (to a year), as enacted on a date.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FiscalRule {
    /// The rate it sets: `income_tax_pct`, `ptu_pct`, `mining_duty_pct`, `ietu_pct` (of
    /// `finance.tax`), `vat.general_rate_pct` or `vat.border_rate_pct`.
    pub rate: String,
    /// First calendar year it applies to.
    pub from_year: i32,
    /// Last calendar year it applies to (absent: every later year).
    pub to_year: Option<i32>,
    /// The rate, %.
    pub value: f64,
    /// The date it was enacted (published in the Diario Oficial), `YYYY-MM-DD`.
    pub enacted: String,
    /// The law or decree, and the article.
    pub source: String,
}

/// A date as (year, month, day); a month alone is its last day (`2007-06`: 30 June 2007
/// and earlier).
fn parse_date(s: &str, month_ok: bool) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |x: &str, lo: i64, hi: i64| -> Option<i64> {
        (x.len() >= 2 && x.chars().all(|c| c.is_ascii_digit()))
            .then(|| x.parse::<i64>().ok())
            .flatten()
            .filter(|v| (lo..=hi).contains(v))
    };
    let (y_lo, y_hi) = limits::FINANCE_YEARS;
    let y = num(parts.first()?, i64::from(y_lo) - 200, i64::from(y_hi))?;
    let m = num(parts.get(1)?, 1, 12)?;
    let d = match (parts.get(2), parts.len()) {
        (Some(d), 3) => num(d, 1, 31)?,
        (None, 2) if month_ok => 31,
        _ => return None,
    };
    Some((i32::try_from(y).ok()?, m as u32, d as u32))
}

impl Tax {
    /// The vintage in words (`as enacted`, `as known at 2007-06`), or `None` when the
    /// scenario states its rates directly (no `[[finance.tax.rules]]`).
    pub fn vintage_label(&self) -> Option<String> {
        if self.rules.is_empty() {
            return None;
        }
        Some(match self.vintage {
            Vintage::AsEnacted => "as enacted".to_string(),
            Vintage::AsKnownAt => {
                format!("as known at {}", self.known_at.as_deref().unwrap_or("?"))
            }
        })
    }
}

impl FinanceConfig {
    /// Sets the rates governed by `[[finance.tax.rules]]` to the scenario's vintage: for
    /// each rate, each year takes the value of the latest-enacted rule (of those known, as
    /// enacted or as known at `known_at`) that covers it. A rate set directly and by rules
    /// (to a different schedule) is refused; so are a rule without a known value for the
    /// first model year and a gap between rules. Returns the problems (key paths under
    /// `finance.`); the rates are set only when there are none.
    pub fn apply_fiscal_rules(&mut self) -> Vec<Invalid> {
        let mut out = Vec::new();
        let t = &self.tax;
        let cutoff = match (t.vintage, &t.known_at) {
            (Vintage::AsEnacted, None) => None,
            (Vintage::AsEnacted, Some(_)) => {
                out.push(Invalid::new(
                    "finance.tax.known_at",
                    "applies only to vintage = \"as_known_at\" (remove it, or set the vintage)",
                ));
                None
            }
            (Vintage::AsKnownAt, None) => {
                out.push(Invalid::new(
                    "finance.tax.vintage",
                    "\"as_known_at\" needs `known_at = \"YYYY-MM\"` (the date of the study)",
                ));
                None
            }
            (Vintage::AsKnownAt, Some(k)) => match parse_date(k, true) {
                Some(d) => Some(d),
                None => {
                    out.push(Invalid::new(
                        "finance.tax.known_at",
                        format!("`{k}` is not a date YYYY-MM or YYYY-MM-DD"),
                    ));
                    None
                }
            },
        };
        if t.rules.is_empty() {
            if t.vintage == Vintage::AsKnownAt && out.is_empty() {
                out.push(Invalid::new(
                    "finance.tax.vintage",
                    "\"as_known_at\" needs [[finance.tax.rules]] to choose from",
                ));
            }
            return out;
        }
        if !limits::check_len(
            &mut out,
            "finance.tax.rules".into(),
            t.rules.len(),
            limits::MAX_FINANCE_LIST_LEN,
        ) {
            return out;
        }
        let (y_lo, y_hi) = limits::FINANCE_YEARS;
        let mut dated = Vec::new();
        for (i, r) in t.rules.iter().enumerate() {
            let p = format!("finance.tax.rules[{i}]");
            let before = out.len();
            let key = FISCAL_RATES
                .iter()
                .position(|k| *k == r.rate || k.strip_prefix("tax.") == Some(r.rate.as_str()));
            if key.is_none() {
                out.push(Invalid::new(
                    format!("{p}.rate"),
                    format!(
                        "`{}` is not a fiscal rate (rates: income_tax_pct, ptu_pct, mining_duty_pct, ietu_pct, vat.general_rate_pct, vat.border_rate_pct)",
                        r.rate
                    ),
                ));
            }
            for (k, y) in [("from_year", Some(r.from_year)), ("to_year", r.to_year)] {
                if let Some(y) = y {
                    if !(y_lo..=y_hi).contains(&y) {
                        out.push(Invalid::new(
                            format!("{p}.{k}"),
                            format!("year {y} is outside the allowed {y_lo} to {y_hi}"),
                        ));
                    }
                }
            }
            if r.to_year.is_some_and(|to| to < r.from_year) {
                out.push(Invalid::new(
                    format!("{p}.to_year"),
                    "must not be before `from_year`",
                ));
            }
            if !(r.value.is_finite() && (0.0..=100.0).contains(&r.value)) {
                out.push(Invalid::new(
                    format!("{p}.value"),
                    "must be between 0 and 100",
                ));
            }
            let enacted = parse_date(&r.enacted, false);
            if enacted.is_none() {
                out.push(Invalid::new(
                    format!("{p}.enacted"),
                    format!("`{}` is not a date YYYY-MM-DD", r.enacted),
                ));
            }
            if out.len() == before {
                if let (Some(k), Some(d)) = (key, enacted) {
                    dated.push((k, d, i));
                }
            }
        }
        if !out.is_empty() {
            return out;
        }
        let y0 = self.timing.start_year;
        let mut resolved: Vec<(usize, ByYear)> = Vec::new();
        for (k, name) in FISCAL_RATES.iter().enumerate() {
            let mut known: Vec<(&(i32, u32, u32), &FiscalRule)> = dated
                .iter()
                .filter(|(kk, d, _)| *kk == k && cutoff.is_none_or(|c| *d <= c))
                .map(|(_, d, i)| (d, &t.rules[*i]))
                .collect();
            let governed = dated.iter().any(|(kk, _, _)| *kk == k);
            if !governed {
                continue;
            }
            // Latest enactment last (a stable sort keeps the file's order on a tie).
            known.sort_by_key(|(d, _)| **d);
            let path = format!("finance.{name}");
            let Some(first) = known.iter().map(|(_, r)| r.from_year).min() else {
                out.push(Invalid::new(
                    "finance.tax.rules",
                    format!("no rule for `{name}` is known at the vintage's date"),
                ));
                continue;
            };
            if first > y0 {
                out.push(Invalid::new(
                    "finance.tax.rules",
                    format!(
                        "the rules known for `{name}` start in {first}, after the model's first year {y0}"
                    ),
                ));
                continue;
            }
            let last = known
                .iter()
                .map(|(_, r)| r.to_year.unwrap_or(r.from_year) + 1)
                .max()
                .unwrap_or(first);
            let value_in = |y: i32| {
                known
                    .iter()
                    .rev()
                    .find(|(_, r)| r.from_year <= y && r.to_year.is_none_or(|to| y <= to))
                    .map(|(_, r)| r.value)
            };
            let mut steps: Vec<YearValue> = Vec::new();
            for y in first..=last {
                let Some(v) = value_in(y) else {
                    out.push(Invalid::new(
                        "finance.tax.rules",
                        format!("no rule known for `{name}` covers {y}"),
                    ));
                    break;
                };
                match steps.last_mut() {
                    Some(s) if s.value.to_bits() == v.to_bits() => {}
                    Some(s) => {
                        s.to_year = Some(y - 1);
                        steps.push(YearValue {
                            from_year: y,
                            to_year: None,
                            value: v,
                        });
                    }
                    None => steps.push(YearValue {
                        from_year: first,
                        to_year: None,
                        value: v,
                    }),
                }
            }
            let schedule = if steps.len() == 1 {
                ByYear::Flat(steps[0].value)
            } else {
                ByYear::Steps(steps)
            };
            let current = match k {
                0 => &t.income_tax_pct,
                1 => &t.ptu_pct,
                2 => &t.mining_duty_pct,
                3 => &t.ietu_pct,
                4 => &self.vat.general_rate_pct,
                _ => &self.vat.border_rate_pct,
            };
            if *current != ByYear::default() && *current != schedule {
                out.push(Invalid::new(
                    path,
                    "is also set by [[finance.tax.rules]]: state a rate either directly or by rules, not both",
                ));
                continue;
            }
            resolved.push((k, schedule));
        }
        if out.is_empty() {
            for (k, s) in resolved {
                *self.rate_mut(k) = s;
            }
        }
        out
    }

    fn rate_mut(&mut self, k: usize) -> &mut ByYear {
        match k {
            0 => &mut self.tax.income_tax_pct,
            1 => &mut self.tax.ptu_pct,
            2 => &mut self.tax.mining_duty_pct,
            3 => &mut self.tax.ietu_pct,
            4 => &mut self.vat.general_rate_pct,
            _ => &mut self.vat.border_rate_pct,
        }
    }
}

/// How the income tax of a quarter is paid.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaxPayments {
    /// Paid in the quarter it is computed (provisional payments taken as final).
    #[default]
    AsComputed,
    /// Provisional payments on the profit coefficient (LISR art. 14): year to date, rate ×
    /// (last year's taxable profit ÷ its revenue × revenue to date − losses at the start of
    /// the year) less what was paid this year; the year's tax less its provisional payments
    /// is paid (or refunded) with the annual return in the first quarter of the next year.
    ProfitCoefficient,
}

/// A tax depreciation class.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DepreciationClass {
    /// Class name referred to by capex areas.
    pub name: String,
    /// Annual straight-line rate on cost, %.
    pub rate_pct: f64,
}

/// What a facility is.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    /// Senior term loan.
    #[default]
    SeniorTermLoan,
    /// Cost overrun facility (senior).
    CostOverrun,
    /// Finance lease of mobile equipment (senior).
    FinanceLease,
    /// Subordinated loan, serviced after senior debt and the DSRA.
    SubordinatedLoan,
    /// Shareholders' equity.
    Equity,
}

impl FacilityKind {
    /// The name used in the scenario file.
    pub fn as_str(self) -> &'static str {
        match self {
            FacilityKind::SeniorTermLoan => "senior_term_loan",
            FacilityKind::CostOverrun => "cost_overrun",
            FacilityKind::FinanceLease => "finance_lease",
            FacilityKind::SubordinatedLoan => "subordinated_loan",
            FacilityKind::Equity => "equity",
        }
    }
}

/// How a facility is drawn during construction.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DrawdownRule {
    /// Before any `pro_rata` facility, up to its commitment.
    EquityFirst,
    /// Shares the remaining uses with other `pro_rata` facilities by commitment.
    #[default]
    ProRata,
    /// Only the capital spent above the base budget (cost overrun facility).
    OverrunOnly,
    /// The capital of areas marked `financed_by_lease`, as delivered (finance lease).
    LeasedEquipment,
}

/// Repayment profile of a loan.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Repayment {
    /// Level debt service (interest + principal) over the repayment quarters.
    #[default]
    Annuity,
    /// Equal principal instalments.
    StraightLine,
    /// Principal = CFADS / target DSCR − interest − other senior debt service.
    Sculpted,
}

/// What a facility's tenor is counted from.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TenorFrom {
    /// The first construction quarter.
    #[default]
    FinancialClose,
    /// The facility's first drawdown.
    FirstDrawdown,
}

/// One debt, lease or equity facility.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Facility {
    /// Name shown in the outputs.
    pub name: String,
    /// Kind of facility.
    pub kind: FacilityKind,
    /// Commitment, USD (the most that can be drawn, including capitalised interest).
    pub commitment_usd: f64,
    /// Drawdown rule.
    pub drawdown: DrawdownRule,
    /// Base rate (e.g. LIBOR), % a year, by year.
    pub base_rate_pct: ByYear,
    /// Margin over the base rate, % a year.
    pub margin_pct: f64,
    /// Upfront fee, % of commitment, paid at financial close.
    pub upfront_fee_pct: f64,
    /// Commitment fee, % a year on the undrawn commitment during construction.
    pub commitment_fee_pct: f64,
    /// Years from `tenor_from` to final maturity.
    pub tenor_years: f64,
    /// What the tenor is counted from.
    pub tenor_from: TenorFrom,
    /// Operating quarters after the first operating quarter before the first repayment.
    pub grace_quarters: usize,
    /// Repayment profile.
    pub repayment: Repayment,
    /// Target senior DSCR of a sculpted loan.
    pub target_dscr: Option<f64>,
    /// Interest during construction is added to the balance (else paid, funded as a use).
    pub capitalise_idc: bool,
    /// Share of the capital overrun the cost overrun facility funds, %.
    pub overrun_share_pct: f64,
}

impl Default for Facility {
    fn default() -> Self {
        Facility {
            name: String::new(),
            kind: FacilityKind::SeniorTermLoan,
            commitment_usd: 0.0,
            drawdown: DrawdownRule::ProRata,
            base_rate_pct: ByYear::Flat(0.0),
            margin_pct: 0.0,
            upfront_fee_pct: 0.0,
            commitment_fee_pct: 0.0,
            tenor_years: 0.0,
            tenor_from: TenorFrom::FinancialClose,
            grace_quarters: 0,
            repayment: Repayment::Annuity,
            target_dscr: None,
            capitalise_idc: true,
            overrun_share_pct: 100.0,
        }
    }
}

impl Facility {
    /// True for loans and the lease (everything but equity).
    pub fn is_debt(&self) -> bool {
        self.kind != FacilityKind::Equity
    }
    /// True for the senior facilities whose debt service enters the DSCR.
    pub fn is_senior(&self) -> bool {
        matches!(
            self.kind,
            FacilityKind::SeniorTermLoan | FacilityKind::CostOverrun | FacilityKind::FinanceLease
        )
    }
}

/// Debt service reserve account.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Dsra {
    /// Target balance = scheduled senior debt service of the next this-many quarters
    /// (0: no DSRA).
    pub debt_service_quarters: usize,
    /// Funded to its target at financial completion from construction sources (a
    /// drawdown in the last construction quarter, a use of funds) instead of from the
    /// first operating cash flows.
    pub funded_at_completion: bool,
    /// The reserve is a letter of credit for the target instead of cash: nothing is funded,
    /// a fee is paid on the target, a shortfall of senior debt service is drawn on it (up
    /// to the target) and the drawing is reimbursed from later cash before distributions.
    pub letter_of_credit: bool,
    /// Letter-of-credit fee, % a year of its amount (the DSRA target).
    pub lc_fee_pct: f64,
    /// Interest on letter-of-credit drawings until reimbursed, % a year.
    pub lc_drawn_rate_pct: f64,
}

impl Default for Dsra {
    fn default() -> Self {
        Dsra {
            debt_service_quarters: 2,
            funded_at_completion: false,
            letter_of_credit: false,
            lc_fee_pct: 0.0,
            lc_drawn_rate_pct: 0.0,
        }
    }
}

/// Maintenance reserve account (`[finance.maintenance_reserve]`): restricted cash for the
/// sustaining capital to come. Its target at operating quarter k (from 0) is the
/// sustaining capital of the next `target_quarters` quarters × min(1, (k + 1) ÷
/// `build_up_quarters`); it is funded from cash after senior debt service and the DSRA,
/// before subordinated debt and distributions, pays each quarter's sustaining capital (its
/// purpose) and releases what is above its target. 0 quarters: no reserve.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MaintenanceReserve {
    /// Quarters of forward sustaining capital the reserve holds (0: none).
    pub target_quarters: usize,
    /// Operating quarters over which the target is built up (0 or 1: at once).
    pub build_up_quarters: usize,
}

/// When the cash sweep applies.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SweepWhen {
    /// Only in lock-up quarters.
    #[default]
    LockUp,
    /// Every operating quarter with senior debt outstanding.
    Always,
}

/// Covenants and cash sweep.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Covenants {
    /// A quarter's senior DSCR below this is an event of default (reported).
    pub min_dscr: f64,
    /// A quarter's senior DSCR below this blocks distributions (lock-up).
    pub lock_up_dscr: f64,
    /// Share of cash left after debt service and the DSRA used to prepay senior loans, %.
    pub cash_sweep_pct: f64,
    /// When the sweep applies.
    pub cash_sweep_when: SweepWhen,
    /// Which DSCR the lock-up and default covenants test.
    pub test_on: CovenantTest,
}

/// The DSCR a covenant tests.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CovenantTest {
    /// The quarter's DSCR.
    #[default]
    Quarter,
    /// Trailing twelve months: Σ CFADS ÷ Σ senior debt service over the quarter and the
    /// three before it (quarters with debt service).
    TrailingTwelveMonths,
}

/// Which IVA rate applies.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum VatRegion {
    /// The general rate.
    #[default]
    General,
    /// The border-region rate (Ley del IVA art. 2, to 2013).
    Border,
}

/// IVA (VAT) on purchases (`[finance.vat]`). Sales are exports at 0 %, so every peso of IVA
/// paid is refunded: VAT paid = rate of the year and region × (capital share × capital
/// spent, initial and sustaining, and closure cost; plus operating share × operating cost),
/// refunded `refund_lag_quarters` later (whatever is still due at the model's end is
/// refunded in its last quarter). The receivable is funded like the rest of the uses: by
/// the construction sources in their drawdown order (equity first) before the first
/// operating quarter, from operating cash flow after.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Vat {
    /// Region whose rate applies.
    pub region: VatRegion,
    /// General rate by year, %.
    pub general_rate_pct: ByYear,
    /// Border-region rate by year, %.
    pub border_rate_pct: ByYear,
    /// Share of capital spending (and closure cost) that bears IVA, %.
    pub capex_taxable_pct: f64,
    /// Share of operating cost that bears IVA, %.
    pub opex_taxable_pct: f64,
    /// Quarters from paying IVA to its refund.
    pub refund_lag_quarters: usize,
    /// How IVA paid is funded: by the project's sources, or by a revolving IVA facility.
    pub funding: VatFunding,
    /// Limit of the IVA facility, USD.
    pub facility_limit_usd: f64,
    /// All-in interest rate of the IVA facility, % a year.
    pub facility_rate_pct: f64,
}

/// How IVA paid is funded.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum VatFunding {
    /// The construction sources in their order (equity first), then operating cash.
    #[default]
    Sources,
    /// A revolving facility drawn for the IVA paid (within its limit) and repaid from the
    /// refunds; what it does not cover falls back on the sources.
    Facility,
}

impl Vat {
    /// The rate of calendar `year`, %.
    pub fn rate_pct(&self, year: i32) -> f64 {
        match self.region {
            VatRegion::General => self.general_rate_pct.at(year),
            VatRegion::Border => self.border_rate_pct.at(year),
        }
    }
}

/// How the price and cost decks are stated.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Money of each year as typed (no escalation is applied).
    #[default]
    Nominal,
    /// Money of `escalation.base_year`: escalated by the inflation index of its currency.
    Real,
}

/// Escalation (`[finance.escalation]`): with `decks = "real"`, prices, USD costs and
/// capital are multiplied by the USD index of their calendar year, MXN costs by the MXN
/// index before conversion at that year's `opex.mxn_per_usd`. The index of year y is
/// Π over k = base_year + 1 ..= y of (1 + inflation_k ÷ 100) (1 in the base year; years
/// before it are deflated the same way). The model always runs in nominal money, as the
/// debt does.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Escalation {
    /// How prices, unit costs and capital are typed.
    pub decks: Basis,
    /// Year whose money a real deck is in.
    pub base_year: i32,
    /// USD inflation by year, % (prices, USD costs, capital).
    pub usd_inflation_pct: ByYear,
    /// MXN inflation by year, % (the MXN share of costs, wages).
    pub mxn_inflation_pct: ByYear,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            decks: Basis::Nominal,
            base_year: 2007,
            usd_inflation_pct: ByYear::Flat(0.0),
            mxn_inflation_pct: ByYear::Flat(0.0),
        }
    }
}

impl Escalation {
    /// The inflation index of calendar `year` for the inflation `pct`, whatever the decks.
    pub fn inflation_index(&self, pct: &ByYear, year: i32) -> f64 {
        let step = |k: i32| 1.0 + pct.at(k) / 100.0;
        if year >= self.base_year {
            (self.base_year + 1..=year).map(step).product()
        } else {
            1.0 / (year + 1..=self.base_year).map(step).product::<f64>()
        }
    }

    /// Escalation of the USD decks in `year` (1 when the decks are nominal).
    pub fn usd(&self, year: i32) -> f64 {
        match self.decks {
            Basis::Nominal => 1.0,
            Basis::Real => self.inflation_index(&self.usd_inflation_pct, year),
        }
    }

    /// Escalation of the MXN costs in `year` (1 when the decks are nominal).
    pub fn mxn(&self, year: i32) -> f64 {
        match self.decks {
            Basis::Nominal => 1.0,
            Basis::Real => self.inflation_index(&self.mxn_inflation_pct, year),
        }
    }
}

/// When in the year the discounted flows are taken to occur.
#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum NpvTiming {
    /// At the end of each calendar year (Excel's `NPV`).
    #[default]
    EndOfYear,
    /// At the middle of each calendar year (end of year × (1 + r)^0.5).
    MidYear,
}

/// Valuation settings.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Annual discount rates for the NPVs, %.
    pub discount_rates_pct: Vec<f64>,
    /// Money the NPVs and IRRs are in: `nominal` (the model's flows) or `real` (each
    /// year's flow divided by the USD index of `[finance.escalation]`, money of its base
    /// year; with nominal decks the index is 1 and both agree).
    pub npv_basis: Basis,
    /// Timing of the annual flows in the NPVs.
    pub npv_timing: NpvTiming,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            discount_rates_pct: vec![5.0, 8.0, 10.0],
            npv_basis: Basis::Nominal,
            npv_timing: NpvTiming::EndOfYear,
        }
    }
}

/// Debt sizing and the funding plan (`[finance.funding]`). Defaults assume nothing: no
/// gearing cap (100 %), no contingent equity, no sponsor support in operations, no
/// closure reserve.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Funding {
    /// Largest share of debt (all loans and the lease, including capitalised interest) in
    /// the total funding to the first operating quarter, %; caps the sculpted loans.
    pub max_gearing_pct: f64,
    /// Contingent (standby) equity the sponsor commits for the sponsor's share of a
    /// declared overrun and for uses beyond the base sources, USD.
    pub contingent_equity_usd: f64,
    /// Most the sponsor puts in during operations before completion (company guarantee),
    /// USD.
    pub sponsor_support_limit_usd: f64,
    /// Operating quarters from the first operating quarter to completion; sponsor support
    /// in operations is available only before it.
    pub completion_quarters: usize,
    /// Operating quarters before the end of operations over which cash is retained (not
    /// distributed) to meet the closure cost; 0: no closure reserve.
    pub closure_reserve_quarters: usize,
    /// A completion test; when given, completion is the quarter it is first met (and
    /// `completion_quarters` is ignored).
    pub completion_test: Option<CompletionTest>,
}

/// The lenders' completion test: `consecutive_quarters` operating quarters in a row with
/// plant feed at least `output_pct` of the design rate and a senior DSCR at least
/// `min_dscr` (a quarter without debt service passes the ratio). Not met within
/// `longstop_quarters` of the first operating quarter: an event of default (reported).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CompletionTest {
    /// Quarters in a row that must pass.
    pub consecutive_quarters: usize,
    /// Design plant feed, dry t per year.
    pub design_feed_dry_t_per_year: f64,
    /// Share of the design rate a quarter must reach, %.
    pub output_pct: f64,
    /// DSCR a quarter must reach.
    pub min_dscr: f64,
    /// Operating quarters from the first operating quarter to the long-stop date.
    pub longstop_quarters: usize,
}

impl Default for CompletionTest {
    fn default() -> Self {
        CompletionTest {
            consecutive_quarters: 4,
            design_feed_dry_t_per_year: 0.0,
            output_pct: 90.0,
            min_dscr: 1.0,
            longstop_quarters: 16,
        }
    }
}

impl Default for Funding {
    fn default() -> Self {
        Funding {
            max_gearing_pct: 100.0,
            contingent_equity_usd: 0.0,
            sponsor_support_limit_usd: 0.0,
            completion_quarters: 0,
            closure_reserve_quarters: 0,
            completion_test: None,
        }
    }
}

/// Checks the funding-plan inputs.
fn validate_funding(f: &Funding, out: &mut Vec<Invalid>) {
    if !(f.max_gearing_pct.is_finite() && f.max_gearing_pct > 0.0 && f.max_gearing_pct <= 100.0) {
        out.push(Invalid::new(
            "finance.funding.max_gearing_pct",
            "must be above 0 and at most 100",
        ));
    }
    non_negative(
        "finance.funding.contingent_equity_usd",
        f.contingent_equity_usd,
        out,
    );
    non_negative(
        "finance.funding.sponsor_support_limit_usd",
        f.sponsor_support_limit_usd,
        out,
    );
    if let Some(c) = &f.completion_test {
        let p = "finance.funding.completion_test";
        if c.consecutive_quarters == 0 {
            out.push(Invalid::new(
                format!("{p}.consecutive_quarters"),
                "must be positive",
            ));
        }
        non_negative(
            &format!("{p}.design_feed_dry_t_per_year"),
            c.design_feed_dry_t_per_year,
            out,
        );
        percent(&format!("{p}.output_pct"), c.output_pct, out);
        non_negative(&format!("{p}.min_dscr"), c.min_dscr, out);
    }
}

/// Zn mass fraction of zinc sulphate monohydrate, ZnSO4·H2O (65.38 / 179.47).
pub const ZN_IN_ZNSO4_H2O: f64 = 65.38 / 179.47;

#[derive(Deserialize)]
struct ScenarioWrapper {
    #[serde(default)]
    finance: FinanceConfig,
}

impl FinanceConfig {
    /// Reads the `[finance]` part of a whole scenario file (other top-level tables are
    /// ignored), with located syntax, type and unknown-key errors.
    /// The fiscal rules are applied ([`FinanceConfig::apply_fiscal_rules`]).
    pub fn from_scenario_toml(src: &str, file: &str) -> Result<FinanceConfig, InputError> {
        let mut cfg = des::input::parse::<ScenarioWrapper>(src, file).map(|w| w.finance)?;
        let problems = cfg.apply_fiscal_rules();
        match des::input::locate_all(src, file, &problems)
            .into_iter()
            .next()
        {
            Some(e) => Err(e),
            None => Ok(cfg),
        }
    }

    /// The scenario's own production table split into quarters, if it has one.
    pub fn production_table(&self) -> Option<ProductionProfile> {
        self.production.as_ref().map(ProductionProfile::from_table)
    }

    /// Every problem with these inputs, with key paths starting `finance.`.
    pub fn validate(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        let y0 = self.timing.start_year;
        validate_timing(&self.timing, &mut out);
        if let Some(table) = &self.production {
            validate_table(table, &mut out);
        } else if self.production_source == ProductionSource::Table {
            out.push(Invalid::new(
                "finance.production_source",
                "is \"table\" but there is no [finance.production] table",
            ));
        }
        let classes: Vec<&str> = self
            .tax
            .depreciation_classes
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        validate_capex(
            &self.capex,
            self.timing.construction_quarters,
            &classes,
            &mut out,
        );
        let has_lease = self
            .facilities
            .iter()
            .any(|f| f.kind == FacilityKind::FinanceLease);
        if self.capex.areas.iter().any(|a| a.financed_by_lease) && !has_lease {
            out.push(Invalid::new(
                "finance.capex.areas",
                "an area is financed by lease but there is no finance_lease facility",
            ));
        }
        validate_opex(&self.opex, y0, &mut out);
        validate_revenue(&self.revenue, y0, &mut out);
        let wc = &self.working_capital;
        for (k, v) in [
            ("receivable_days", wc.receivable_days),
            ("payable_days", wc.payable_days),
            ("inventory_days", wc.inventory_days),
        ] {
            limits::check_range(
                &mut out,
                format!("finance.working_capital.{k}"),
                "days",
                v,
                (0.0, limits::MAX_WORKING_CAPITAL_DAYS),
                "",
            );
        }
        validate_tax(&self.tax, y0, &classes, &mut out);
        if !self.capex.areas.is_empty() || !self.facilities.is_empty() {
            let fc = &self.tax.financing_costs_class;
            if !fc.is_empty() && !classes.contains(&fc.as_str()) {
                out.push(Invalid::new(
                    "finance.tax.financing_costs_class",
                    format!("unknown depreciation class `{fc}`"),
                ));
            }
        }
        let facilities_ok = limits::check_len(
            &mut out,
            "finance.facilities".into(),
            self.facilities.len(),
            limits::MAX_FINANCE_LIST_LEN,
        );
        for (i, f) in self
            .facilities
            .iter()
            .enumerate()
            .take_while(|_| facilities_ok)
        {
            validate_facility(
                f,
                &format!("finance.facilities[{i}]"),
                &self.timing,
                &mut out,
            );
        }
        limits::check_count(
            &mut out,
            "finance.dsra.debt_service_quarters".into(),
            "quarters",
            self.dsra.debt_service_quarters as u64,
            0,
            limits::MAX_DSRA_QUARTERS as u64,
        );
        for (k, v) in [
            ("lc_fee_pct", self.dsra.lc_fee_pct),
            ("lc_drawn_rate_pct", self.dsra.lc_drawn_rate_pct),
        ] {
            percent(&format!("finance.dsra.{k}"), v, &mut out);
        }
        for (k, v) in [
            ("target_quarters", self.maintenance_reserve.target_quarters),
            (
                "build_up_quarters",
                self.maintenance_reserve.build_up_quarters,
            ),
        ] {
            limits::check_count(
                &mut out,
                format!("finance.maintenance_reserve.{k}"),
                "quarters",
                v as u64,
                0,
                limits::MAX_DSRA_QUARTERS as u64,
            );
        }
        let c = &self.covenants;
        for (k, v) in [("min_dscr", c.min_dscr), ("lock_up_dscr", c.lock_up_dscr)] {
            limits::check_range(
                &mut out,
                format!("finance.covenants.{k}"),
                "DSCR",
                v,
                (0.0, limits::MAX_DSCR),
                "",
            );
        }
        percent(
            "finance.covenants.cash_sweep_pct",
            c.cash_sweep_pct,
            &mut out,
        );
        validate_funding(&self.funding, &mut out);
        let v = &self.vat;
        for (k, r) in [
            ("general_rate_pct", &v.general_rate_pct),
            ("border_rate_pct", &v.border_rate_pct),
        ] {
            r.validate(&format!("finance.vat.{k}"), y0, 0.0, 100.0, &mut out);
        }
        non_negative(
            "finance.vat.facility_limit_usd",
            v.facility_limit_usd,
            &mut out,
        );
        percent(
            "finance.vat.facility_rate_pct",
            v.facility_rate_pct,
            &mut out,
        );
        percent(
            "finance.vat.capex_taxable_pct",
            v.capex_taxable_pct,
            &mut out,
        );
        percent("finance.vat.opex_taxable_pct", v.opex_taxable_pct, &mut out);
        limits::check_count(
            &mut out,
            "finance.vat.refund_lag_quarters".into(),
            "quarters",
            v.refund_lag_quarters as u64,
            0,
            limits::MAX_FINANCE_QUARTERS as u64,
        );
        let e = &self.escalation;
        let (y_lo, y_hi) = limits::FINANCE_YEARS;
        if !(y_lo..=y_hi).contains(&e.base_year) {
            out.push(Invalid::new(
                "finance.escalation.base_year",
                format!(
                    "year {} is outside the allowed {y_lo} to {y_hi}",
                    e.base_year
                ),
            ));
        }
        for (k, v) in [
            ("usd_inflation_pct", &e.usd_inflation_pct),
            ("mxn_inflation_pct", &e.mxn_inflation_pct),
        ] {
            v.validate(
                &format!("finance.escalation.{k}"),
                y0.min(e.base_year),
                -50.0,
                limits::MAX_INFLATION_PCT,
                &mut out,
            );
        }
        let rates = &self.metrics.discount_rates_pct;
        if limits::check_len(
            &mut out,
            "finance.metrics.discount_rates_pct".into(),
            rates.len(),
            limits::MAX_FINANCE_LIST_LEN,
        ) {
            for (i, r) in rates.iter().enumerate() {
                if !(r.is_finite() && *r > -100.0 && *r <= limits::MAX_DISCOUNT_RATE_PCT) {
                    out.push(Invalid::new(
                        format!("finance.metrics.discount_rates_pct[{i}]"),
                        format!(
                            "must be a rate above -100 and at most {}",
                            limits::MAX_DISCOUNT_RATE_PCT
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// An amount, a unit cost or a rate: from 0 to [`limits::MAX_AMOUNT`].
fn non_negative(path: &str, v: f64, out: &mut Vec<Invalid>) {
    if !(v.is_finite() && v >= 0.0) {
        out.push(Invalid::new(path, "must not be negative"));
    } else if v > limits::MAX_AMOUNT {
        out.push(Invalid::new(
            path,
            format!(
                "must be at most {} (an amount, unit cost or rate past it means nothing and \
                 overflows the model: docs/scenario.md#limits)",
                limits::fmt_num(limits::MAX_AMOUNT)
            ),
        ));
    }
}

fn percent(path: &str, v: f64, out: &mut Vec<Invalid>) {
    if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
        out.push(Invalid::new(path, "must be between 0 and 100"));
    }
}

fn validate_timing(t: &Timing, out: &mut Vec<Invalid>) {
    let (y_lo, y_hi) = limits::FINANCE_YEARS;
    if !(y_lo..=y_hi).contains(&t.start_year) {
        out.push(Invalid::new(
            "finance.timing.start_year",
            format!(
                "year {} is outside the allowed {y_lo} to {y_hi}",
                t.start_year
            ),
        ));
    }
    limits::check_count(
        out,
        "finance.timing.closure_quarters".into(),
        "closure quarters",
        t.closure_quarters as u64,
        0,
        limits::MAX_FINANCE_QUARTERS as u64,
    );
    limits::check_count(
        out,
        "finance.timing.ramp_up_years".into(),
        "ramp-up years",
        u64::from(t.ramp_up_years),
        0,
        u64::from(limits::MAX_SCHEDULE_YEARS),
    );
    if !(1..=4).contains(&t.start_quarter) {
        out.push(Invalid::new(
            "finance.timing.start_quarter",
            "must be 1, 2, 3 or 4",
        ));
    }
    if t.construction_quarters == 0 {
        out.push(Invalid::new(
            "finance.timing.construction_quarters",
            "must be positive",
        ));
    } else {
        limits::check_count(
            out,
            "finance.timing.construction_quarters".into(),
            "construction quarters",
            t.construction_quarters as u64,
            1,
            limits::MAX_FINANCE_QUARTERS as u64,
        );
    }
}

fn validate_table(t: &ProductionTable, out: &mut Vec<Invalid>) {
    let mut lengths_ok = true;
    for (name, col) in t.columns() {
        lengths_ok &= limits::check_len(
            out,
            format!("finance.production.{name}"),
            col.len(),
            limits::MAX_SCHEDULE_YEARS as usize,
        );
    }
    if !lengths_ok {
        return;
    }
    let n = t.plant_feed_dry_t.len();
    if n == 0 {
        out.push(Invalid::new(
            "finance.production.plant_feed_dry_t",
            "must list at least one year",
        ));
    }
    for (name, col) in t.columns() {
        let path = format!("finance.production.{name}");
        if !col.is_empty() && col.len() != n {
            out.push(Invalid::new(
                &path,
                format!("has {} years but plant_feed_dry_t has {n}", col.len()),
            ));
        }
        for (i, v) in col.iter().enumerate() {
            if !(v.is_finite() && *v >= 0.0) {
                out.push(Invalid::new(format!("{path}[{i}]"), "must not be negative"));
            }
        }
    }
    if !t.znso4_t.is_empty() && !t.zn_contained_t.is_empty() {
        out.push(Invalid::new(
            "finance.production.zn_contained_t",
            "give either znso4_t or zn_contained_t, not both",
        ));
    }
}

impl ProductionTable {
    /// Every column with its key name.
    pub(crate) fn columns(&self) -> [(&'static str, &Vec<f64>); 14] {
        [
            ("ore_mined_wet_t", &self.ore_mined_wet_t),
            ("ore_mined_dry_t", &self.ore_mined_dry_t),
            ("underground_dry_t", &self.underground_dry_t),
            ("open_pit_dry_t", &self.open_pit_dry_t),
            ("plant_feed_dry_t", &self.plant_feed_dry_t),
            ("section_shifts", &self.section_shifts),
            ("advance_m", &self.advance_m),
            ("bolts", &self.bolts),
            ("mine_headcount", &self.mine_headcount),
            ("cu_cathode_t", &self.cu_cathode_t),
            ("co_cathode_t", &self.co_cathode_t),
            ("znso4_t", &self.znso4_t),
            ("zn_contained_t", &self.zn_contained_t),
            ("mnco3_t", &self.mnco3_t),
        ]
    }
}

fn validate_profile(p: &SpendProfile, path: &str, n_con: usize, out: &mut Vec<Invalid>) {
    if p.last_quarter < p.first_quarter {
        out.push(Invalid::new(
            format!("{path}.last_quarter"),
            "must not be before first_quarter",
        ));
    } else if p.last_quarter >= n_con {
        out.push(Invalid::new(
            format!("{path}.last_quarter"),
            format!(
                "must be a construction quarter (0 to {})",
                n_con.saturating_sub(1)
            ),
        ));
    }
    if !p.weights_pct.is_empty() {
        let len = p.last_quarter.saturating_sub(p.first_quarter) + 1;
        if p.weights_pct.len() != len {
            out.push(Invalid::new(
                format!("{path}.weights_pct"),
                format!("needs {len} values, one per quarter"),
            ));
        }
        let sum: f64 = p.weights_pct.iter().sum();
        if (sum - 100.0).abs() > 1e-6 || p.weights_pct.iter().any(|w| *w < 0.0) {
            out.push(Invalid::new(
                format!("{path}.weights_pct"),
                "must be non-negative and sum to 100",
            ));
        }
    }
}

fn validate_capex(c: &Capex, n_con: usize, classes: &[&str], out: &mut Vec<Invalid>) {
    let class_ok = |name: &str, path: String, out: &mut Vec<Invalid>| {
        if !classes.contains(&name) {
            out.push(Invalid::new(
                path,
                format!("unknown depreciation class `{name}`"),
            ));
        }
    };
    if !(limits::check_len(
        out,
        "finance.capex.areas".into(),
        c.areas.len(),
        limits::MAX_FINANCE_LIST_LEN,
    ) & limits::check_len(
        out,
        "finance.capex.phases".into(),
        c.phases.len(),
        limits::MAX_FINANCE_LIST_LEN,
    )) {
        return;
    }
    let mut needs_phases = false;
    for (i, a) in c.areas.iter().enumerate() {
        let p = format!("finance.capex.areas[{i}]");
        non_negative(&format!("{p}.direct_usd"), a.direct_usd, out);
        class_ok(&a.tax_class, format!("{p}.tax_class"), out);
        match &a.profile {
            Some(prof) => validate_profile(prof, &format!("{p}.profile"), n_con, out),
            None => needs_phases = true,
        }
    }
    if needs_phases {
        let sum: f64 = c.phases.iter().map(|p| p.share_pct).sum();
        if (sum - 100.0).abs() > 1e-6 {
            out.push(Invalid::new(
                "finance.capex.phases",
                format!("shares must sum to 100 (they sum to {sum})"),
            ));
        }
    }
    for (i, ph) in c.phases.iter().enumerate() {
        let p = format!("finance.capex.phases[{i}]");
        percent(&format!("{p}.share_pct"), ph.share_pct, out);
        validate_profile(&ph.profile, &format!("{p}.profile"), n_con, out);
    }
    non_negative("finance.capex.contingency_pct", c.contingency_pct, out);
    non_negative("finance.capex.owners_costs_usd", c.owners_costs_usd, out);
    if c.owners_costs_usd > 0.0 {
        class_ok(
            &c.owners_costs_tax_class,
            "finance.capex.owners_costs_tax_class".into(),
            out,
        );
    }
    if !(c.overrun_pct.is_finite() && c.overrun_pct > -100.0) {
        out.push(Invalid::new(
            "finance.capex.overrun_pct",
            "must be above -100",
        ));
    }
    non_negative(
        "finance.capex.sustaining_usd_per_year",
        c.sustaining_usd_per_year,
        out,
    );
    non_negative(
        "finance.capex.sustaining_usd_per_dry_t",
        c.sustaining_usd_per_dry_t,
        out,
    );
    if c.sustaining_usd_per_year > 0.0 || c.sustaining_usd_per_dry_t > 0.0 {
        class_ok(
            &c.sustaining_tax_class,
            "finance.capex.sustaining_tax_class".into(),
            out,
        );
    }
    non_negative("finance.capex.closure_cost_usd", c.closure_cost_usd, out);
}

fn validate_opex(o: &Opex, y0: i32, out: &mut Vec<Invalid>) {
    o.mxn_per_usd
        .validate("finance.opex.mxn_per_usd", y0, 1e-9, 1e9, out);
    if !(o.base_mxn_per_usd.is_finite() && o.base_mxn_per_usd > 0.0) {
        out.push(Invalid::new(
            "finance.opex.base_mxn_per_usd",
            "must be positive",
        ));
    }
    for (k, v) in [
        ("underground_usd_per_dry_t", o.underground_usd_per_dry_t),
        ("open_pit_usd_per_dry_t", o.open_pit_usd_per_dry_t),
        ("crew_size", o.crew_size),
        ("wage_mxn_per_shift", o.wage_mxn_per_shift),
        ("usd_per_bolt", o.usd_per_bolt),
        ("usd_per_m_advance", o.usd_per_m_advance),
        (
            "mine_overhead_usd_per_person_year",
            o.mine_overhead_usd_per_person_year,
        ),
        ("processing_usd_per_dry_t", o.processing_usd_per_dry_t),
        ("acid_kg_per_dry_t", o.acid_kg_per_dry_t),
        ("acid_usd_per_t", o.acid_usd_per_t),
        ("limestone_t_per_dry_t", o.limestone_t_per_dry_t),
        ("limestone_usd_per_t", o.limestone_usd_per_t),
        ("power_kwh_per_dry_t", o.power_kwh_per_dry_t),
        ("power_usd_per_kwh", o.power_usd_per_kwh),
        ("g_and_a_usd_per_year", o.g_and_a_usd_per_year),
    ] {
        non_negative(&format!("finance.opex.{k}"), v, out);
    }
    let s = &o.mxn_share;
    for (k, v) in [
        ("mining_pct", s.mining_pct),
        ("bolts_pct", s.bolts_pct),
        ("development_pct", s.development_pct),
        ("mine_overhead_pct", s.mine_overhead_pct),
        ("processing_pct", s.processing_pct),
        ("acid_pct", s.acid_pct),
        ("limestone_pct", s.limestone_pct),
        ("power_pct", s.power_pct),
        ("g_and_a_pct", s.g_and_a_pct),
    ] {
        percent(&format!("finance.opex.mxn_share.{k}"), v, out);
    }
}

fn validate_revenue(r: &Revenue, y0: i32, out: &mut Vec<Invalid>) {
    for (name, p) in [
        ("cu_cathode", &r.cu_cathode),
        ("co_cathode", &r.co_cathode),
        ("znso4", &r.znso4),
        ("mnco3", &r.mnco3),
    ] {
        let path = format!("finance.revenue.{name}");
        match (&p.price_usd_per_lb, &p.price_usd_per_t) {
            (Some(_), Some(_)) => out.push(Invalid::new(
                format!("{path}.price_usd_per_t"),
                "give either price_usd_per_lb or price_usd_per_t, not both",
            )),
            (Some(d), None) => d.validate(&format!("{path}.price_usd_per_lb"), y0, 0.0, 1e12, out),
            (None, Some(d)) => d.validate(&format!("{path}.price_usd_per_t"), y0, 0.0, 1e12, out),
            (None, None) => {}
        }
        percent(&format!("{path}.payable_pct"), p.payable_pct, out);
        percent(&format!("{path}.insurance_pct"), p.insurance_pct, out);
        non_negative(
            &format!("{path}.refining_usd_per_t"),
            p.refining_usd_per_t,
            out,
        );
        non_negative(
            &format!("{path}.freight_usd_per_t"),
            p.freight_usd_per_t,
            out,
        );
    }
    percent("finance.revenue.royalty_nsr_pct", r.royalty_nsr_pct, out);
}

fn validate_tax(t: &Tax, y0: i32, classes: &[&str], out: &mut Vec<Invalid>) {
    t.income_tax_pct
        .validate("finance.tax.income_tax_pct", y0, 0.0, 100.0, out);
    t.ptu_pct
        .validate("finance.tax.ptu_pct", y0, 0.0, 100.0, out);
    t.mining_duty_pct
        .validate("finance.tax.mining_duty_pct", y0, 0.0, 100.0, out);
    t.ietu_pct
        .validate("finance.tax.ietu_pct", y0, 0.0, 100.0, out);
    if t.ietu_credit_years == 0 {
        out.push(Invalid::new(
            "finance.tax.ietu_credit_years",
            "must be positive",
        ));
    } else {
        limits::check_count(
            out,
            "finance.tax.ietu_credit_years".into(),
            "years",
            u64::from(t.ietu_credit_years),
            1,
            u64::from(limits::MAX_SCHEDULE_YEARS),
        );
    }
    if t.loss_carry_forward_years == 0 {
        out.push(Invalid::new(
            "finance.tax.loss_carry_forward_years",
            "must be positive",
        ));
    } else {
        limits::check_count(
            out,
            "finance.tax.loss_carry_forward_years".into(),
            "years",
            u64::from(t.loss_carry_forward_years),
            1,
            u64::from(limits::MAX_SCHEDULE_YEARS),
        );
    }
    if !limits::check_len(
        out,
        "finance.tax.depreciation_classes".into(),
        t.depreciation_classes.len(),
        limits::MAX_FINANCE_LIST_LEN,
    ) {
        return;
    }
    for (i, c) in t.depreciation_classes.iter().enumerate() {
        let p = format!("finance.tax.depreciation_classes[{i}]");
        if !(c.rate_pct.is_finite() && c.rate_pct > 0.0 && c.rate_pct <= 100.0) {
            out.push(Invalid::new(
                format!("{p}.rate_pct"),
                "must be above 0 and at most 100",
            ));
        }
        if classes[..i].contains(&c.name.as_str()) {
            out.push(Invalid::new(
                format!("{p}.name"),
                "is a duplicate class name",
            ));
        }
    }
}

fn validate_facility(f: &Facility, p: &str, timing: &Timing, out: &mut Vec<Invalid>) {
    non_negative(&format!("{p}.commitment_usd"), f.commitment_usd, out);
    percent(&format!("{p}.overrun_share_pct"), f.overrun_share_pct, out);
    let expected = match f.kind {
        FacilityKind::CostOverrun => Some(DrawdownRule::OverrunOnly),
        FacilityKind::FinanceLease => Some(DrawdownRule::LeasedEquipment),
        _ => None,
    };
    let rule_ok = match expected {
        Some(rule) => f.drawdown == rule,
        None => matches!(
            f.drawdown,
            DrawdownRule::EquityFirst | DrawdownRule::ProRata
        ),
    };
    if !rule_ok {
        let msg = match expected {
            Some(DrawdownRule::OverrunOnly) => "a cost_overrun facility draws `overrun_only`",
            Some(_) => "a finance_lease draws `leased_equipment`",
            None => "must be `equity_first` or `pro_rata` for this kind",
        };
        out.push(Invalid::new(format!("{p}.drawdown"), msg));
    }
    if !f.is_debt() {
        return;
    }
    f.base_rate_pct.validate(
        &format!("{p}.base_rate_pct"),
        timing.start_year,
        -100.0,
        100.0,
        out,
    );
    for (k, v) in [
        ("margin_pct", f.margin_pct),
        ("upfront_fee_pct", f.upfront_fee_pct),
        ("commitment_fee_pct", f.commitment_fee_pct),
    ] {
        percent(&format!("{p}.{k}"), v, out);
    }
    limits::check_count(
        out,
        format!("{p}.grace_quarters"),
        "grace quarters",
        f.grace_quarters as u64,
        0,
        limits::MAX_GRACE_QUARTERS as u64,
    );
    if !(f.tenor_years.is_finite() && f.tenor_years > 0.0) {
        out.push(Invalid::new(format!("{p}.tenor_years"), "must be positive"));
    } else if f.tenor_years > limits::MAX_TENOR_YEARS {
        out.push(Invalid::new(
            format!("{p}.tenor_years"),
            format!(
                "tenor {} years is over the allowed {}",
                f.tenor_years,
                limits::MAX_TENOR_YEARS
            ),
        ));
    } else if f.tenor_from == TenorFrom::FinancialClose {
        let first = timing.construction_quarters + f.grace_quarters;
        if ((f.tenor_years * 4.0).round() as usize) <= first {
            out.push(Invalid::new(
                format!("{p}.tenor_years"),
                "final maturity falls before the first repayment (construction + grace)",
            ));
        }
    }
    if f.repayment == Repayment::Sculpted {
        match f.target_dscr {
            Some(d) if d.is_finite() && d > 0.0 && d <= limits::MAX_DSCR => {}
            Some(_) => out.push(Invalid::new(
                format!("{p}.target_dscr"),
                format!("must be positive and at most {}", limits::MAX_DSCR),
            )),
            None => out.push(Invalid::new(
                format!("{p}.target_dscr"),
                "a sculpted loan needs a target DSCR",
            )),
        }
    }
}
