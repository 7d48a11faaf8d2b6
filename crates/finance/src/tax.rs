//! Fiscal calculations of the Mexican regime: the special mining duty on its own base,
//! tax depreciation by asset class (straight line on cost from the in-service quarter),
//! employee profit sharing (PTU), corporate income tax (ISR) with tax losses carried
//! forward (FIFO vintages by year of origin) and IETU with its credits, each pool kept as a
//! corkscrew, and provisional payments of income tax with the annual true-up.
//!
//! The rates of each year are the scenario's fiscal vintage (`finance.tax.rules` as enacted
//! or as known at a date, resolved by `FinanceConfig::apply_fiscal_rules`). Taxes are
//! computed quarter by quarter. Income tax is paid in the quarter, or provisionally with
//! the true-up (`tax.payments`). PTU accrues in the quarter and is paid in May of the
//! following year (the second quarter; Ley Federal del Trabajo art. 122: within 60 days of
//! the annual return, due by 31 March), and is deducted from the income-tax base when paid
//! (LISR 2014 art. 9, fr. I; LISR 2002 art. 10). A tax loss may be used in the ten years
//! following the year it arose in and expires at the end of the tenth (LISR 2014 art. 57;
//! LISR 2002 art. 61). An IETU credit may be used in the `4 × ietu_credit_years` quarters
//! after the quarter it arose in.

use crate::config::Tax;
use crate::corkscrew::Corkscrew;
use crate::timeline::Timeline;

/// Tax rates by period, as fractions.
#[derive(Clone, Debug, Default)]
pub struct Rates {
    /// Corporate income tax.
    pub cit: Vec<f64>,
    /// Employee profit sharing.
    pub ptu: Vec<f64>,
    /// Special mining duty.
    pub duty: Vec<f64>,
    /// IETU (flat business tax).
    pub ietu: Vec<f64>,
}

/// Rates of each period picked by its calendar year.
pub fn rates(t: &Tax, tl: &Timeline) -> Rates {
    let pick = |s: &crate::config::ByYear| tl.year.iter().map(|&y| s.at(y) / 100.0).collect();
    Rates {
        cit: pick(&t.income_tax_pct),
        ptu: pick(&t.ptu_pct),
        duty: pick(&t.mining_duty_pct),
        ietu: pick(&t.ietu_pct),
    }
}

/// Special mining duty: rate × max(0, base), base = revenue less deductible costs
/// excluding depreciation, interest and investment.
pub fn mining_duty(base: &[f64], rate: &[f64]) -> Vec<f64> {
    base.iter().zip(rate).map(|(b, r)| r * b.max(0.0)).collect()
}

/// Tax depreciation of additions to one class: each period's additions are in service
/// from the later of the next period and `cod`, and are deducted at `rate_pct / 4` of
/// cost per quarter until exhausted; whatever is left is written off at
/// `tl.end_of_operations` (abandonment). Returns (depreciation, written-down value
/// corkscrew).
pub fn depreciation(
    name: &str,
    additions: &[f64],
    rate_pct: f64,
    tl: &Timeline,
) -> (Vec<f64>, Corkscrew) {
    let n = additions.len();
    let q_rate = rate_pct / 400.0;
    let write_off = tl.end_of_operations.min(n.saturating_sub(1));
    let mut dep = vec![0.0; n];
    for (s, &cost) in additions.iter().enumerate() {
        if cost == 0.0 {
            continue;
        }
        let mut left = cost;
        for (t, d) in dep.iter_mut().enumerate().skip((s + 1).max(tl.cod)) {
            let take = if t >= write_off {
                left
            } else {
                (cost * q_rate).min(left)
            };
            *d += take;
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
    }
    let mut ck = Corkscrew {
        name: name.to_string(),
        ..Default::default()
    };
    let mut bal = 0.0;
    for t in 0..n {
        ck.opening.push(bal);
        bal += additions[t] - dep[t];
        ck.closing.push(bal);
    }
    ck.additions = additions.to_vec();
    ck.reductions = dep.clone();
    (dep, ck)
}

/// One quarter's taxes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaxStep {
    /// Profit before PTU and losses: EBITDA − duty − tax depreciation − interest.
    pub base_usd: f64,
    /// Employee profit sharing accrued (rate × the positive base).
    pub ptu_usd: f64,
    /// PTU paid in the quarter (last year's, in the second quarter).
    pub ptu_paid_usd: f64,
    /// Income-tax base before losses (base − PTU paid if deductible).
    pub taxable_before_losses_usd: f64,
    /// Losses brought forward used.
    pub losses_used_usd: f64,
    /// Taxable income after losses.
    pub taxable_usd: f64,
    /// Corporate income tax: ISR, plus the IETU top-up when IETU exceeds it.
    pub income_tax_usd: f64,
    /// Of `income_tax_usd`, the IETU paid above ISR.
    pub ietu_usd: f64,
}

/// When a quarter is: its calendar year and quarter, and whether it is the model's last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct When {
    /// Calendar year.
    pub year: i32,
    /// Quarter of the year, 1 to 4.
    pub quarter: u32,
    /// The model's last quarter (everything owed is settled).
    pub last: bool,
}

/// PTU owed and its payment in the second quarter (May) of the following year; whatever is
/// owed is paid in the model's last quarter.
#[derive(Clone, Debug, Default)]
pub struct PtuPayments {
    year: Option<i32>,
    this_year: f64,
    due: f64,
}

impl PtuPayments {
    /// PTU paid in quarter `w` when `accrued` accrues in it (quarters stepped in order).
    pub fn step(&mut self, w: When, accrued: f64) -> f64 {
        if self.year != Some(w.year) {
            self.due += self.this_year;
            self.this_year = 0.0;
            self.year = Some(w.year);
        }
        self.this_year += accrued;
        let mut paid = 0.0;
        if w.quarter == 2 {
            paid = self.due;
            self.due = 0.0;
        }
        if w.last {
            paid += self.due + self.this_year;
            self.due = 0.0;
            self.this_year = 0.0;
        }
        paid
    }
}

/// Tax losses carried forward, by calendar year of origin (FIFO): a loss of year `y` may
/// be used through the end of year `y + years` and expires in the first quarter after.
#[derive(Clone, Debug)]
pub struct LossPool {
    vintages: Vec<(i32, f64)>,
    life_years: i32,
    /// Corkscrew of the pool (additions: new losses; reductions: used + expired).
    pub corkscrew: Corkscrew,
    /// Losses expired by period.
    pub expired: Vec<f64>,
    /// PTU owed and paid (its payment is deducted from the base).
    pub ptu: PtuPayments,
}

impl LossPool {
    /// An empty pool whose losses live `years` years after the year they arise in.
    pub fn new(name: &str, years: u32) -> LossPool {
        LossPool {
            vintages: Vec::new(),
            life_years: i32::try_from(years).unwrap_or(i32::MAX),
            corkscrew: Corkscrew {
                name: name.to_string(),
                ..Default::default()
            },
            expired: Vec::new(),
            ptu: PtuPayments::default(),
        }
    }

    /// Losses carried forward now.
    pub fn balance(&self) -> f64 {
        self.vintages.iter().map(|v| v.1).sum()
    }

    /// Taxes of the quarter `w` (quarters must be stepped in order) from `base_usd` at
    /// rates `cit` and `ptu`: PTU accrues on the positive base; the PTU paid in the quarter
    /// is deducted when `ptu_deductible`.
    pub fn step(
        &mut self,
        w: When,
        base_usd: f64,
        cit: f64,
        ptu: f64,
        ptu_deductible: bool,
    ) -> TaxStep {
        let opening = self.balance();
        let life = self.life_years;
        let lives = |v: &(i32, f64)| w.year <= v.0.saturating_add(life);
        let expired: f64 = self
            .vintages
            .iter()
            .filter(|v| !lives(v))
            .map(|v| v.1)
            .sum();
        self.vintages.retain(lives);
        let ptu_usd = ptu * base_usd.max(0.0);
        let ptu_paid_usd = self.ptu.step(w, ptu_usd);
        let before = base_usd - if ptu_deductible { ptu_paid_usd } else { 0.0 };
        let (mut added, mut used) = (0.0, 0.0);
        if before < 0.0 {
            added = -before;
            match self.vintages.last_mut() {
                Some(v) if v.0 == w.year => v.1 += added,
                _ => self.vintages.push((w.year, added)),
            }
        } else {
            let mut need = before;
            for v in self.vintages.iter_mut() {
                let take = v.1.min(need);
                v.1 -= take;
                need -= take;
                used += take;
            }
            self.vintages.retain(|v| v.1 > 0.0);
        }
        let closing = self.balance();
        let ck = &mut self.corkscrew;
        ck.opening.push(opening);
        ck.additions.push(added);
        ck.reductions.push(used + expired);
        ck.closing.push(closing);
        self.expired.push(expired);
        let taxable = before.max(0.0) - used;
        TaxStep {
            base_usd,
            ptu_usd,
            ptu_paid_usd,
            taxable_before_losses_usd: before,
            losses_used_usd: used,
            taxable_usd: taxable,
            income_tax_usd: cit * taxable,
            ietu_usd: 0.0,
        }
    }
}

/// IETU by period after its credits, before the ISR credit: rate × the positive cash-flow
/// base; a negative base gives a credit of rate × |base| (a vintage) used FIFO against
/// the IETU of the next `4 × credit_years` quarters, then expired. The base is the
/// quarter's income less deductions paid: net revenue − royalty − opex − closure − capital
/// spent (initial and sustaining, deducted immediately); interest is neither. Returns
/// (IETU after credits, credits corkscrew).
pub fn ietu(base: &[f64], rate: &[f64], credit_years: u32) -> (Vec<f64>, Corkscrew) {
    let life = credit_years as usize * 4;
    let mut vintages: Vec<(usize, f64)> = Vec::new();
    let mut ck = Corkscrew {
        name: "ietu_credits".into(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(base.len());
    for (t, (&b, &r)) in base.iter().zip(rate).enumerate() {
        let opening: f64 = vintages.iter().map(|v| v.1).sum();
        let expired: f64 = vintages
            .iter()
            .filter(|(v, _)| t > v + life)
            .map(|v| v.1)
            .sum();
        vintages.retain(|(v, _)| t <= v + life);
        let (mut added, mut used, mut due) = (0.0, 0.0, 0.0);
        if b < 0.0 {
            added = r * -b;
            if added > 0.0 {
                vintages.push((t, added));
            }
        } else {
            due = r * b;
            for v in vintages.iter_mut() {
                let take = v.1.min(due);
                v.1 -= take;
                due -= take;
                used += take;
            }
            vintages.retain(|v| v.1 > 0.0);
        }
        ck.opening.push(opening);
        ck.additions.push(added);
        ck.reductions.push(used + expired);
        ck.closing.push(vintages.iter().map(|v| v.1).sum());
        out.push(due);
    }
    (out, ck)
}

/// The greater of ISR and IETU: the IETU above the quarter's ISR is added to its income
/// tax (ISR paid is credited against IETU).
pub fn add_ietu(step: &mut TaxStep, ietu_usd: f64) {
    step.ietu_usd = (ietu_usd - step.income_tax_usd).max(0.0);
    step.income_tax_usd += step.ietu_usd;
}

/// Provisional payments of income tax and their annual true-up (see
/// [`crate::config::TaxPayments`]), stepped quarter by quarter from period 0.
#[derive(Clone, Debug, Default)]
pub struct Provisional {
    on: bool,
    year: Option<i32>,
    coefficient: f64,
    revenue_ytd: f64,
    taxable_ytd: f64,
    accrued_ytd: f64,
    paid_ytd: f64,
    losses_at_start: f64,
}

impl Provisional {
    /// Provisional payments when `on`; otherwise tax is paid as computed.
    pub fn new(on: bool) -> Provisional {
        Provisional {
            on,
            ..Default::default()
        }
    }

    /// Income tax paid in a quarter of calendar `year` whose computed tax is `accrued`:
    /// returns (paid, of which the true-up of the previous year; negative: refunded).
    /// `losses_open` is the tax-loss pool at the start of the quarter; `last` settles the
    /// year in the model's last quarter.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        year: i32,
        accrued: f64,
        taxable_before_losses: f64,
        revenue: f64,
        losses_open: f64,
        rate: f64,
        last: bool,
    ) -> (f64, f64) {
        if !self.on {
            return (accrued, 0.0);
        }
        let mut true_up = 0.0;
        if self.year != Some(year) {
            if self.year.is_some() {
                true_up = self.accrued_ytd - self.paid_ytd;
                self.coefficient = if self.revenue_ytd > 0.0 {
                    (self.taxable_ytd / self.revenue_ytd).max(0.0)
                } else {
                    0.0
                };
            }
            self.year = Some(year);
            self.revenue_ytd = 0.0;
            self.taxable_ytd = 0.0;
            self.accrued_ytd = 0.0;
            self.paid_ytd = 0.0;
            self.losses_at_start = losses_open;
        }
        self.revenue_ytd += revenue;
        self.taxable_ytd += taxable_before_losses;
        self.accrued_ytd += accrued;
        let due = rate * (self.coefficient * self.revenue_ytd - self.losses_at_start).max(0.0);
        let mut provisional = (due - self.paid_ytd).max(0.0);
        self.paid_ytd += provisional;
        if last {
            provisional += self.accrued_ytd - self.paid_ytd;
            self.paid_ytd = self.accrued_ytd;
        }
        (provisional + true_up, true_up)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(year: i32, quarter: u32) -> When {
        When {
            year,
            quarter,
            last: false,
        }
    }

    #[test]
    fn ptu_is_paid_in_may_of_the_following_year() {
        // 2011: 10 a quarter accrues (40); 2012Q1 accrues 5 and pays nothing; 2012Q2 pays
        // 2011's 40; the last quarter (2012Q4) pays what 2012 accrued (5 + 1 + 2 + 3).
        let mut p = PtuPayments::default();
        let paid: Vec<f64> = [
            (2011, 1, 10.0),
            (2011, 2, 10.0),
            (2011, 3, 10.0),
            (2011, 4, 10.0),
        ]
        .into_iter()
        .chain([(2012, 1, 5.0), (2012, 2, 1.0), (2012, 3, 2.0)])
        .map(|(y, q, a)| p.step(w(y, q), a))
        .collect();
        assert_eq!(paid, vec![0.0, 0.0, 0.0, 0.0, 0.0, 40.0, 0.0]);
        let last = When {
            year: 2012,
            quarter: 4,
            last: true,
        };
        assert_eq!(p.step(last, 3.0), 11.0);
    }

    #[test]
    fn a_loss_expires_at_the_end_of_the_tenth_following_year() {
        // A loss of 100 in 2011Q3 is usable through 2021Q4 (ten years after 2011, not 40
        // quarters: those would end in 2021Q3) and expires in 2022Q1.
        let step = |pool: &mut LossPool, y: i32, q: u32, base: f64| {
            pool.step(w(y, q), base, 0.3, 0.0, true)
        };
        let mut pool = LossPool::new("losses", 10);
        step(&mut pool, 2011, 3, -100.0);
        for y in 2011..=2021 {
            for q in 1..=4 {
                if (y, q) > (2011, 3) && (y, q) < (2021, 4) {
                    step(&mut pool, y, q, 0.0);
                }
            }
        }
        assert_eq!(pool.balance(), 100.0, "still usable in 2021Q4");
        let s = step(&mut pool, 2021, 4, 30.0);
        assert_eq!((s.losses_used_usd, s.taxable_usd), (30.0, 0.0));
        let s = step(&mut pool, 2022, 1, 50.0);
        assert_eq!(s.losses_used_usd, 0.0, "expired with 2021");
        assert_eq!(pool.expired.last(), Some(&70.0));
        assert!((s.income_tax_usd - 15.0).abs() < 1e-12);
    }

    #[test]
    fn ptu_paid_is_deducted_when_paid() {
        // PTU 10% on a base of 100 a quarter in 2011; in 2012Q2 the 40 paid is deducted
        // from that quarter's base of 100 (income tax 30% × 60), not in 2011.
        let mut pool = LossPool::new("losses", 10);
        for q in 1..=4 {
            let s = pool.step(w(2011, q), 100.0, 0.3, 0.1, true);
            assert_eq!((s.ptu_usd, s.ptu_paid_usd), (10.0, 0.0));
            assert!((s.income_tax_usd - 30.0).abs() < 1e-12);
        }
        pool.step(w(2012, 1), 100.0, 0.3, 0.1, true);
        let s = pool.step(w(2012, 2), 100.0, 0.3, 0.1, true);
        assert_eq!(s.ptu_paid_usd, 40.0);
        assert!((s.income_tax_usd - 18.0).abs() < 1e-12);
    }
}
