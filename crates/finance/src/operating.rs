//! Operating calculations: revenue by product less realisation costs and royalty,
//! operating cost built from its drivers (with the MXN share re-priced at the year's
//! exchange rate), and working-capital balances. Pure functions over period series.

use crate::config::{Opex, Product, Revenue, WorkingCapital};
use crate::production::ProductionProfile;
use crate::timeline::Timeline;

/// Pounds per metric tonne.
pub const LB_PER_T: f64 = 2204.62262;
/// Days in a quarter of a 365-day year.
pub const DAYS_PER_QUARTER: f64 = 365.0 / 4.0;

/// Revenue lines by period, USD.
#[derive(Clone, Debug, Default)]
pub struct RevenueLines {
    /// Gross payable value of copper cathode.
    pub cu: Vec<f64>,
    /// Gross payable value of cobalt cathode.
    pub co: Vec<f64>,
    /// Gross payable value of zinc sulphate monohydrate.
    pub zn: Vec<f64>,
    /// Gross payable value of manganese carbonate.
    pub mn: Vec<f64>,
    /// Sum of the four.
    pub gross: Vec<f64>,
    /// Treatment and refining charges.
    pub refining: Vec<f64>,
    /// Freight.
    pub freight: Vec<f64>,
    /// Insurance.
    pub insurance: Vec<f64>,
    /// Gross less refining, freight and insurance.
    pub net: Vec<f64>,
    /// Royalty on net revenue.
    pub royalty: Vec<f64>,
}

/// Operating-cost lines by period, USD.
#[derive(Clone, Debug, Default)]
pub struct OpexLines {
    /// Underground consumables and maintenance per dry t.
    pub underground: Vec<f64>,
    /// Open-pit mining per dry t.
    pub open_pit: Vec<f64>,
    /// Section crews: shifts × crew size × wage (MXN) at the year's rate.
    pub crew_labour: Vec<f64>,
    /// Roof bolts.
    pub bolts: Vec<f64>,
    /// Development consumables per metre advanced.
    pub development: Vec<f64>,
    /// Mine overheads per person.
    pub mine_overhead: Vec<f64>,
    /// Processing per dry t fed.
    pub processing: Vec<f64>,
    /// Acid.
    pub acid: Vec<f64>,
    /// Limestone.
    pub limestone: Vec<f64>,
    /// Power.
    pub power: Vec<f64>,
    /// General and administrative.
    pub g_and_a: Vec<f64>,
    /// Total operating cost.
    pub total: Vec<f64>,
}

/// Closing working-capital balances by period, USD.
#[derive(Clone, Debug, Default)]
pub struct WorkingCapitalLines {
    /// Trade receivables.
    pub receivables: Vec<f64>,
    /// Inventories.
    pub inventory: Vec<f64>,
    /// Trade payables.
    pub payables: Vec<f64>,
}

fn price_per_t(p: &Product, year: i32) -> f64 {
    match (&p.price_usd_per_lb, &p.price_usd_per_t) {
        (Some(lb), _) => lb.at(year) * LB_PER_T,
        (None, Some(t)) => t.at(year),
        (None, None) => 0.0,
    }
}

/// Revenue lines from product tonnes (full time base) and the price decks; `usd_index`
/// escalates prices and realisation costs per tonne (1 every period for a nominal deck).
pub fn revenue(
    r: &Revenue,
    tl: &Timeline,
    prod: &ProductionProfile,
    usd_index: &[f64],
) -> RevenueLines {
    let n = tl.len();
    let products = [
        (
            &r.cu_cathode,
            tl.place_operations(&prod.series(|p| p.cu_cathode_t)),
        ),
        (
            &r.co_cathode,
            tl.place_operations(&prod.series(|p| p.co_cathode_t)),
        ),
        (&r.znso4, tl.place_operations(&prod.series(|p| p.znso4_t))),
        (&r.mnco3, tl.place_operations(&prod.series(|p| p.mnco3_t))),
    ];
    let gross_of = |(p, t): &(&Product, Vec<f64>)| -> Vec<f64> {
        (0..n)
            .map(|i| t[i] * price_per_t(p, tl.year[i]) * usd_index[i] * p.payable_pct / 100.0)
            .collect()
    };
    let g: Vec<Vec<f64>> = products.iter().map(gross_of).collect();
    let sum_over = |f: &dyn Fn(&Product, f64) -> f64| -> Vec<f64> {
        (0..n)
            .map(|i| products.iter().map(|(p, t)| f(p, t[i])).sum())
            .collect()
    };
    let refining: Vec<f64> = sum_over(&|p, t| t * p.refining_usd_per_t)
        .iter()
        .zip(usd_index)
        .map(|(a, e)| a * e)
        .collect();
    let freight: Vec<f64> = sum_over(&|p, t| t * p.freight_usd_per_t)
        .iter()
        .zip(usd_index)
        .map(|(a, e)| a * e)
        .collect();
    let gross: Vec<f64> = (0..n).map(|i| g.iter().map(|v| v[i]).sum()).collect();
    let insurance: Vec<f64> = (0..n)
        .map(|i| {
            (0..4)
                .map(|k| g[k][i] * products[k].0.insurance_pct / 100.0)
                .sum()
        })
        .collect();
    let net: Vec<f64> = (0..n)
        .map(|i| gross[i] - refining[i] - freight[i] - insurance[i])
        .collect();
    let royalty = net
        .iter()
        .map(|v| v.max(0.0) * r.royalty_nsr_pct / 100.0)
        .collect();
    let mut it = g.into_iter();
    RevenueLines {
        cu: it.next().unwrap_or_default(),
        co: it.next().unwrap_or_default(),
        zn: it.next().unwrap_or_default(),
        mn: it.next().unwrap_or_default(),
        gross,
        refining,
        freight,
        insurance,
        net,
        royalty,
    }
}

/// Operating cost from the production drivers (full time base). `usd_index` and
/// `mxn_index` escalate the USD and MXN parts of each cost (1 for a nominal deck).
pub fn opex(
    o: &Opex,
    tl: &Timeline,
    prod: &ProductionProfile,
    usd_index: &[f64],
    mxn_index: &[f64],
) -> OpexLines {
    let n = tl.len();
    let fx: Vec<f64> = tl.year.iter().map(|&y| o.mxn_per_usd.at(y)).collect();
    // USD cost estimated at the base rate: its USD share escalated in USD, its MXN share
    // escalated in MXN and re-priced at the year's rate.
    let repriced = |share_pct: f64, i: usize| {
        let s = share_pct / 100.0;
        (1.0 - s) * usd_index[i] + s * o.base_mxn_per_usd * mxn_index[i] / fx[i]
    };
    let q =
        |f: fn(&crate::production::ProductionPeriod) -> f64| tl.place_operations(&prod.series(f));
    let (ug, op, feed) = (
        q(|p| p.underground_dry_t),
        q(|p| p.open_pit_dry_t),
        q(|p| p.plant_feed_dry_t),
    );
    let (shifts, adv, bolts, heads) = (
        q(|p| p.section_shifts),
        q(|p| p.advance_m),
        q(|p| p.bolts),
        q(|p| p.mine_headcount),
    );
    let sh = &o.mxn_share;
    let line = |driver: &[f64], rate: f64, share: f64| -> Vec<f64> {
        (0..n)
            .map(|i| driver[i] * rate * repriced(share, i))
            .collect()
    };
    let ops_quarters: Vec<f64> = tl.operations.iter().map(|f| f / 4.0).collect();
    let mut l = OpexLines {
        underground: line(&ug, o.underground_usd_per_dry_t, sh.mining_pct),
        open_pit: line(&op, o.open_pit_usd_per_dry_t, sh.mining_pct),
        crew_labour: (0..n)
            .map(|i| shifts[i] * o.crew_size * o.wage_mxn_per_shift * mxn_index[i] / fx[i])
            .collect(),
        bolts: line(&bolts, o.usd_per_bolt, sh.bolts_pct),
        development: line(&adv, o.usd_per_m_advance, sh.development_pct),
        mine_overhead: (0..n)
            .map(|i| {
                heads[i] / 4.0
                    * o.mine_overhead_usd_per_person_year
                    * repriced(sh.mine_overhead_pct, i)
            })
            .collect(),
        processing: line(&feed, o.processing_usd_per_dry_t, sh.processing_pct),
        // The mine's own acid where it computed it (a metallurgy table by ore type),
        // else the flat rate per dry t fed.
        acid: if prod.periods.iter().any(|p| p.acid_t.is_some()) {
            let rate_t = o.acid_kg_per_dry_t / 1000.0;
            let acid_t = tl.place_operations(
                &prod.series(|p| p.acid_t.unwrap_or(p.plant_feed_dry_t * rate_t)),
            );
            line(&acid_t, o.acid_usd_per_t, sh.acid_pct)
        } else {
            line(
                &feed,
                o.acid_kg_per_dry_t / 1000.0 * o.acid_usd_per_t,
                sh.acid_pct,
            )
        },
        limestone: line(
            &feed,
            o.limestone_t_per_dry_t * o.limestone_usd_per_t,
            sh.limestone_pct,
        ),
        power: line(
            &feed,
            o.power_kwh_per_dry_t * o.power_usd_per_kwh,
            sh.power_pct,
        ),
        g_and_a: line(&ops_quarters, o.g_and_a_usd_per_year, sh.g_and_a_pct),
        total: vec![],
    };
    l.total = (0..n)
        .map(|i| {
            [
                &l.underground,
                &l.open_pit,
                &l.crew_labour,
                &l.bolts,
                &l.development,
                &l.mine_overhead,
                &l.processing,
                &l.acid,
                &l.limestone,
                &l.power,
                &l.g_and_a,
            ]
            .iter()
            .map(|v| v[i])
            .sum()
        })
        .collect();
    l
}

/// Closing working-capital balances: days of the quarter's net revenue or operating cost.
pub fn working_capital(
    w: &WorkingCapital,
    net_revenue: &[f64],
    opex: &[f64],
) -> WorkingCapitalLines {
    let bal = |flows: &[f64], days: f64| {
        flows
            .iter()
            .map(|f| f.max(0.0) * days / DAYS_PER_QUARTER)
            .collect()
    };
    WorkingCapitalLines {
        receivables: bal(net_revenue, w.receivable_days),
        inventory: bal(opex, w.inventory_days),
        payables: bal(opex, w.payable_days),
    }
}

/// IVA paid on purchases, refunded after the lag, and the receivable (a corkscrew).
#[derive(Clone, Debug, Default)]
pub struct VatLines {
    /// IVA paid.
    pub paid: Vec<f64>,
    /// IVA refunded.
    pub refund: Vec<f64>,
    /// The receivable: opening, paid, refunded, closing.
    pub receivable: crate::corkscrew::Corkscrew,
}

/// IVA on capital (initial, sustaining, closure) and operating purchases
/// ([`crate::config::Vat`]).
pub fn vat(v: &crate::config::Vat, tl: &Timeline, capital: &[f64], opex: &[f64]) -> VatLines {
    let n = tl.len();
    let paid: Vec<f64> = (0..n)
        .map(|i| {
            v.rate_pct(tl.year[i]) / 100.0
                * (v.capex_taxable_pct / 100.0 * capital[i].max(0.0)
                    + v.opex_taxable_pct / 100.0 * opex[i].max(0.0))
        })
        .collect();
    let lag = v.refund_lag_quarters;
    let mut refund = vec![0.0; n];
    for (i, p) in paid.iter().enumerate() {
        if n > 0 {
            refund[(i + lag).min(n - 1)] += p;
        }
    }
    VatLines {
        receivable: crate::corkscrew::Corkscrew::from_flows(
            "vat_receivable",
            paid.clone(),
            refund.clone(),
        ),
        paid,
        refund,
    }
}

/// A revolving IVA facility by period (all zero when IVA is funded by the sources).
#[derive(Clone, Debug, Default)]
pub struct VatFacilityLines {
    /// Drawn for the IVA paid, within the limit.
    pub drawing: Vec<f64>,
    /// Repaid from the refunds.
    pub repayment: Vec<f64>,
    /// Interest on the opening balance, paid in cash.
    pub interest: Vec<f64>,
    /// Balance (a liability).
    pub corkscrew: crate::corkscrew::Corkscrew,
}

/// The IVA facility: interest on the opening balance at `rate_pct ÷ 4`; drawn for the
/// quarter's IVA paid up to the limit; repaid from the quarter's refunds up to the balance.
pub fn vat_facility(v: &crate::config::Vat, vat: &VatLines) -> VatFacilityLines {
    let n = vat.paid.len();
    let on = v.funding == crate::config::VatFunding::Facility;
    let (mut drawing, mut repayment, mut interest) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut bal = 0.0_f64;
    for t in 0..n {
        if !on {
            continue;
        }
        interest[t] = v.facility_rate_pct / 400.0 * bal;
        drawing[t] = vat.paid[t].min((v.facility_limit_usd - bal).max(0.0));
        repayment[t] = vat.refund[t].min(bal + drawing[t]);
        bal += drawing[t] - repayment[t];
    }
    VatFacilityLines {
        corkscrew: crate::corkscrew::Corkscrew::from_flows(
            "vat_facility",
            drawing.clone(),
            repayment.clone(),
        ),
        drawing,
        repayment,
        interest,
    }
}
