//! Bank cases and breakevens. A case is a named set of changes to the base case's inputs
//! and production (price, capex, opex and production factors, a delay, a slower
//! ramp-up); every case runs with the debt sized on the base case
//! ([`crate::run_with_debt`]), so its DSCR, LLCR, funding shortfall and defaults follow
//! from the fixed repayment profile. Breakevens are solved by bisection.

use crate::config::{ByYear, FinanceConfig, Product};
use crate::model::{run_with_debt, FinanceResult};
use crate::production::ProductionProfile;
use crate::sizing::{size_debt, SizedDebt};
use serde::{Deserialize, Serialize};

/// One case: factors on the base case (1 = unchanged).
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CaseSpec {
    /// Case name (`price_-10`, ...).
    pub name: String,
    /// What the case is, for the tables.
    pub description: String,
    /// Factor on every product price.
    pub price_factor: f64,
    /// Further factor on the copper price.
    pub cu_price_factor: f64,
    /// Factor on initial capital (applied on top of `capex.overrun_pct`).
    pub capex_factor: f64,
    /// Factor on every operating unit cost (USD and MXN).
    pub opex_factor: f64,
    /// Factor on the metal and product tonnes (feed and costs unchanged).
    pub production_factor: f64,
    /// Quarters added to construction (capital spent as planned, start-up later; interest
    /// and commitment fees run on).
    pub delay_quarters: usize,
    /// Factors on the production of operating years 1, 2, ... (a slower ramp-up; the
    /// production lost is not recovered).
    pub ramp_up_factors: Vec<f64>,
}

impl Default for CaseSpec {
    fn default() -> Self {
        CaseSpec {
            name: String::new(),
            description: String::new(),
            price_factor: 1.0,
            cu_price_factor: 1.0,
            capex_factor: 1.0,
            opex_factor: 1.0,
            production_factor: 1.0,
            delay_quarters: 0,
            ramp_up_factors: Vec::new(),
        }
    }
}

fn case(name: &str, description: &str, edit: impl FnOnce(&mut CaseSpec)) -> CaseSpec {
    let mut c = CaseSpec {
        name: name.into(),
        description: description.into(),
        ..Default::default()
    };
    edit(&mut c);
    c
}

/// The standard bank cases: prices −10 % and −20 %, capex +10, +20 and +50 %, opex
/// +10 %, production −10 %, a one-year delay, a slower ramp-up, and a combined downside
/// (prices −10 %, capex +10 %, opex +10 %, six months' delay).
pub fn standard_cases() -> Vec<CaseSpec> {
    vec![
        case("price_-10", "all prices -10%", |c| c.price_factor = 0.9),
        case("price_-20", "all prices -20%", |c| c.price_factor = 0.8),
        case("capex_+10", "initial capital +10%", |c| {
            c.capex_factor = 1.1
        }),
        case("capex_+20", "initial capital +20%", |c| {
            c.capex_factor = 1.2
        }),
        case("capex_+50", "initial capital +50%", |c| {
            c.capex_factor = 1.5
        }),
        case("opex_+10", "operating costs +10%", |c| c.opex_factor = 1.1),
        case("production_-10", "metal production -10%", |c| {
            c.production_factor = 0.9
        }),
        case("delay_1y", "start-up one year late", |c| {
            c.delay_quarters = 4
        }),
        case(
            "slow_ramp_up",
            "production 65/80/90% of plan in years 1-3",
            |c| c.ramp_up_factors = vec![0.65, 0.8, 0.9],
        ),
        case(
            "combined_downside",
            "prices -10%, capex +10%, opex +10%, six months late",
            |c| {
                c.price_factor = 0.9;
                c.capex_factor = 1.1;
                c.opex_factor = 1.1;
                c.delay_quarters = 2;
            },
        ),
    ]
}

/// The standard cases extended by the scenario's own (`cfg.cases`; same name replaces).
pub fn all_cases(cfg: &FinanceConfig) -> Vec<CaseSpec> {
    let mut out = standard_cases();
    for c in &cfg.cases {
        match out.iter_mut().find(|s| s.name == c.name) {
            Some(s) => *s = c.clone(),
            None => out.push(c.clone()),
        }
    }
    out
}

fn scale_by_year(v: &mut ByYear, f: f64) {
    match v {
        ByYear::Flat(x) => *x *= f,
        ByYear::Steps(steps) => steps.iter_mut().for_each(|s| s.value *= f),
    }
}

fn scale_price(p: &mut Product, f: f64) {
    for v in [p.price_usd_per_lb.as_mut(), p.price_usd_per_t.as_mut()]
        .into_iter()
        .flatten()
    {
        scale_by_year(v, f);
    }
}

/// The inputs and production of a case.
pub fn apply(
    spec: &CaseSpec,
    cfg: &FinanceConfig,
    production: &ProductionProfile,
) -> (FinanceConfig, ProductionProfile) {
    let mut c = cfg.clone();
    let r = &mut c.revenue;
    for p in [
        &mut r.cu_cathode,
        &mut r.co_cathode,
        &mut r.znso4,
        &mut r.mnco3,
    ] {
        scale_price(p, spec.price_factor);
    }
    scale_price(&mut r.cu_cathode, spec.cu_price_factor);
    c.capex.overrun_pct = ((1.0 + c.capex.overrun_pct / 100.0) * spec.capex_factor - 1.0) * 100.0;
    let o = &mut c.opex;
    for v in [
        &mut o.underground_usd_per_dry_t,
        &mut o.open_pit_usd_per_dry_t,
        &mut o.wage_mxn_per_shift,
        &mut o.usd_per_bolt,
        &mut o.usd_per_m_advance,
        &mut o.mine_overhead_usd_per_person_year,
        &mut o.processing_usd_per_dry_t,
        &mut o.acid_usd_per_t,
        &mut o.limestone_usd_per_t,
        &mut o.power_usd_per_kwh,
        &mut o.g_and_a_usd_per_year,
    ] {
        *v *= spec.opex_factor;
    }
    c.timing.construction_quarters += spec.delay_quarters;
    let mut p = production.clone();
    for (q, per) in p.periods.iter_mut().enumerate() {
        let ramp = spec.ramp_up_factors.get(q / 4).copied().unwrap_or(1.0);
        let f = spec.production_factor * ramp;
        per.cu_cathode_t *= f;
        per.co_cathode_t *= f;
        per.znso4_t *= f;
        per.mnco3_t *= f;
        if ramp != 1.0 {
            for v in [
                &mut per.ore_mined_wet_t,
                &mut per.ore_mined_dry_t,
                &mut per.underground_dry_t,
                &mut per.open_pit_dry_t,
                &mut per.plant_feed_dry_t,
                &mut per.section_shifts,
                &mut per.advance_m,
                &mut per.bolts,
            ] {
                *v *= ramp;
            }
        }
    }
    (c, p)
}

/// Runs one case with the base case's sizing.
pub fn run_case(
    spec: &CaseSpec,
    cfg: &FinanceConfig,
    production: &ProductionProfile,
    sized: &SizedDebt,
) -> FinanceResult {
    let (c, p) = apply(spec, cfg, production);
    run_with_debt(&c, &p, sized)
}

/// One line of the sensitivity table.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// Case name (`base` first).
    pub name: String,
    /// What the case changes.
    pub description: String,
    /// After-tax project NPV at 8 % (or the first configured rate), USD.
    pub npv_usd: f64,
    /// Discount rate of `npv_usd`, %.
    pub npv_rate_pct: f64,
    /// After-tax project IRR, %.
    pub irr_pct: Option<f64>,
    /// Equity IRR, %.
    pub equity_irr_pct: Option<f64>,
    /// Minimum senior DSCR.
    pub min_dscr: Option<f64>,
    /// Average senior DSCR.
    pub avg_dscr: Option<f64>,
    /// Minimum LLCR.
    pub min_llcr: Option<f64>,
    /// No funding shortfall.
    pub funded: bool,
    /// Funding shortfall, USD.
    pub funding_shortfall_usd: f64,
    /// First quarter of the shortfall.
    pub first_shortfall: Option<String>,
    /// Quarters with the DSCR below the default covenant.
    pub default_quarters: usize,
    /// Quarters with the DSCR below the lock-up level.
    pub lock_up_quarters: usize,
    /// Quarters with debt service unpaid.
    pub payment_default_quarters: usize,
    /// First quarter with debt service unpaid.
    pub first_payment_default: Option<String>,
    /// Debt left at final maturity, USD.
    pub debt_outstanding_at_maturity_usd: f64,
    /// Sponsor support (contingent equity and support before completion), USD.
    pub sponsor_support_usd: f64,
}

fn npv_at(r: &FinanceResult, rate: f64) -> f64 {
    r.metrics
        .npv
        .iter()
        .find(|n| n.discount_rate_pct == rate)
        .or(r.metrics.npv.first())
        .map_or(f64::NAN, |n| n.project_after_tax_usd)
}

fn npv_rate(cfg: &FinanceConfig) -> f64 {
    let rates = &cfg.metrics.discount_rates_pct;
    if rates.contains(&8.0) {
        8.0
    } else {
        rates.first().copied().unwrap_or(f64::NAN)
    }
}

/// Summarises one run.
pub fn summarise(
    name: &str,
    description: &str,
    cfg: &FinanceConfig,
    r: &FinanceResult,
) -> CaseResult {
    let m = &r.metrics;
    let rate = npv_rate(cfg);
    CaseResult {
        name: name.into(),
        description: description.into(),
        npv_usd: npv_at(r, rate),
        npv_rate_pct: rate,
        irr_pct: m.project_irr_after_tax_pct,
        equity_irr_pct: m.equity_irr_pct,
        min_dscr: m.min_dscr,
        avg_dscr: m.avg_dscr,
        min_llcr: m.min_llcr,
        funded: m.funded,
        funding_shortfall_usd: m.funding_shortfall_usd,
        first_shortfall: m.first_shortfall.clone(),
        default_quarters: m.default_quarters,
        lock_up_quarters: m.lock_up_quarters,
        payment_default_quarters: m.payment_default_quarters,
        first_payment_default: m.first_payment_default.clone(),
        debt_outstanding_at_maturity_usd: m.debt_outstanding_at_maturity_usd,
        sponsor_support_usd: m.sponsor_support_usd,
    }
}

/// The sensitivity table: the base case (which sizes the debt) and every case of
/// [`all_cases`], each run with the base case's sizing.
pub fn run_cases(cfg: &FinanceConfig, production: &ProductionProfile) -> Vec<CaseResult> {
    run_cases_with_debt(cfg, production, &size_debt(cfg, production))
}

/// [`run_cases`] with the debt already sized (on the banking case, which may be another
/// production than the one valued): every case, the base first, holds `sized`.
pub fn run_cases_with_debt(
    cfg: &FinanceConfig,
    production: &ProductionProfile,
    sized: &SizedDebt,
) -> Vec<CaseResult> {
    let sized = sized.clone();
    let base = run_with_debt(cfg, production, &sized);
    let mut out = vec![summarise("base", "base case", cfg, &base)];
    for spec in all_cases(cfg) {
        let r = run_case(&spec, cfg, production, &sized);
        out.push(summarise(&spec.name, &spec.description, cfg, &r));
    }
    out
}

/// Breakevens of the base case, each solved by bisection with the base case's sizing.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Breakevens {
    /// Copper price of the base case (first model year), USD/lb.
    pub base_cu_price_usd_per_lb: f64,
    /// Copper price at which the after-tax project NPV (8 %) is zero, USD/lb.
    pub cu_price_npv_zero_usd_per_lb: Option<f64>,
    /// Copper price at which the minimum DSCR is 1.0, USD/lb.
    pub cu_price_min_dscr_1_usd_per_lb: Option<f64>,
    /// Copper price at which the minimum DSCR is the lock-up level, USD/lb.
    pub cu_price_lock_up_usd_per_lb: Option<f64>,
    /// Lock-up DSCR used.
    pub lock_up_dscr: f64,
    /// Largest capital overrun the funding plan absorbs without a shortfall, %.
    pub capex_overrun_absorbed_pct: Option<f64>,
    /// The sculpted debt every breakeven holds (signed amount of the base case's sizing),
    /// USD: a run that re-sizes its debt gives other breakevens.
    pub debt_held_usd: f64,
    /// What that debt was sized on ([`SizedDebt::sized_on`]).
    pub debt_sized_on: String,
}

/// Root of an increasing `f` on `[lo, hi]` by bisection (None if no sign change).
fn bisect(mut lo: f64, mut hi: f64, f: impl Fn(f64) -> f64) -> Option<f64> {
    let (flo, fhi) = (f(lo), f(hi));
    if !(flo <= 0.0 && fhi >= 0.0) {
        return None;
    }
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-7 {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// Solves the breakevens: copper price factors in [0, 1] (NPV = 0, minimum DSCR = 1 and =
/// lock-up), capex factor in [1, 3] (the last one without a funding shortfall).
pub fn breakevens(cfg: &FinanceConfig, production: &ProductionProfile) -> Breakevens {
    breakevens_with_debt(cfg, production, &size_debt(cfg, production))
}

/// [`breakevens`] with the debt already sized (on the banking case).
pub fn breakevens_with_debt(
    cfg: &FinanceConfig,
    production: &ProductionProfile,
    sized: &SizedDebt,
) -> Breakevens {
    let sized = sized.clone();
    let rate = npv_rate(cfg);
    let with_cu = |f: f64| {
        let spec = CaseSpec {
            cu_price_factor: f,
            ..Default::default()
        };
        run_case(&spec, cfg, production, &sized)
    };
    let min_dscr = |f: f64| with_cu(f).metrics.min_dscr.unwrap_or(0.0);
    let base_price = cfg
        .revenue
        .cu_cathode
        .price_usd_per_lb
        .as_ref()
        .map_or(0.0, |p| p.at(cfg.timing.start_year));
    let lock = cfg.covenants.lock_up_dscr;
    let price = |f: Option<f64>| f.map(|f| f * base_price);
    let capex = bisect(1.0, 3.0, |f| {
        let spec = CaseSpec {
            capex_factor: f,
            ..Default::default()
        };
        let funded = run_case(&spec, cfg, production, &sized).metrics.funded;
        if funded {
            -1.0
        } else {
            1.0
        }
    });
    Breakevens {
        base_cu_price_usd_per_lb: base_price,
        cu_price_npv_zero_usd_per_lb: price(bisect(0.0, 1.0, |f| npv_at(&with_cu(f), rate))),
        cu_price_min_dscr_1_usd_per_lb: price(bisect(0.0, 1.0, |f| min_dscr(f) - 1.0)),
        cu_price_lock_up_usd_per_lb: price(bisect(0.0, 1.0, |f| min_dscr(f) - lock)),
        lock_up_dscr: lock,
        capex_overrun_absorbed_pct: capex
            .map(|f| ((1.0 + cfg.capex.overrun_pct / 100.0) * f - 1.0) * 100.0),
        debt_held_usd: sized.sized_usd,
        debt_sized_on: sized.sized_on.clone(),
    }
}
