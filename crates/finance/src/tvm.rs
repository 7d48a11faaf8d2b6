//! Time value of money: discounting, internal rates of return, level annuities
//! and payback.
//!
//! These are the building blocks the project-finance model uses to value cash
//! flow series (NPV, IRR, MIRR, payback) and to size level debt service
//! (PMT, IPMT, PPMT, NPER, RATE). All functions work on `f64`.
//!
//! # Conventions
//!
//! * **Rates are per period and decimal**: `0.08` is 8 % per period. For monthly
//!   payments on an annual rate, pass `annual / 12.0` and count `nper` in months.
//! * **Sign convention** (numpy-financial and Excel): cash you pay out is
//!   negative, cash you receive is positive. A loan of 15 000 received today has
//!   `pv = 15000.0` and its payments come back negative.
//! * **Periodic flows** (`npv`, `irr`, `mirr`, payback): `flows[i]` occurs at the
//!   end of period `i`, so `flows[0]` is at `t = 0`, today.
//!   - [`npv`] follows **numpy-financial**: `flows[0]` is *not* discounted,
//!     `NPV = Σ flows[i] / (1 + rate)^i`.
//!   - [`npv_excel`] follows **Excel's `NPV`**: the first value is discounted one
//!     full period, `NPV = Σ flows[i] / (1 + rate)^(i + 1)`. In Excel an initial
//!     outlay at `t = 0` must be added outside the function:
//!     `npv_excel(r, &flows[1..]) + flows[0] == npv(r, &flows)`.
//! * **Dated flows** (`xnpv`, `xirr`) follow Excel's `XNPV`/`XIRR`: dates are
//!   whole day numbers (`i64`, e.g. Excel serial numbers or days since any fixed
//!   epoch), the first date in the list is the valuation date `d_0`, no other
//!   date may precede it, and each flow is discounted by
//!   `(1 + rate)^((d_i - d_0) / 365)`.
//! * **Annuities** (`fv`, `pv`, `pmt`, `ipmt`, `ppmt`, `nper`, `rate`) solve the
//!   numpy-financial / Excel time-value equation
//!   `pv·(1+r)^n + pmt·(1 + r·w)·((1+r)^n − 1)/r + fv = 0`, where `w` is
//!   [`When::factor`] (0 for payments at period end, 1 for period start). At
//!   `r = 0` the annuity factor is exactly `n`, so a zero rate is handled exactly
//!   rather than by a limit.
//!
//! # IRR honesty
//!
//! An IRR is a root of `NPV(rate) = 0`, a polynomial in `1/(1+rate)`. By
//! Descartes' rule of signs the number of roots with `rate > -1` is at most the
//! number of sign changes of the flows. [`irr`] and [`xirr`] therefore:
//!
//! * return [`TvmError::NoIrr`] when the flows never change sign;
//! * with exactly one sign change, return the unique root, wherever it is on
//!   `(-1, ∞)`, found by safeguarded Newton iteration inside a sign bracket;
//! * with two or more sign changes, scan the NPV over
//!   `[IRR_SCAN_MIN, IRR_SCAN_MAX]` (−99 % to 1 000 %) on a fine grid, locate
//!   every sign change and every tangential (double) root, refine each, and
//!   return [`TvmError::MultipleIrr`] if there are two or more distinct roots,
//!   the root if there is exactly one, and [`TvmError::NoIrrInRange`] if there
//!   is none. Roots closer together than `1e-6` are reported as one; roots
//!   outside the scan range are not looked for in this case.
//!
//! Unlike spreadsheet IRR, the answer never depends on a starting guess when
//! several rates solve the equation.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Lowest rate (−99 % per period) examined when flows change sign more than
/// once and [`irr`] / [`xirr`] have to look for several roots.
pub const IRR_SCAN_MIN: f64 = -0.99;

/// Highest rate (1 000 % per period) examined when flows change sign more than
/// once and [`irr`] / [`xirr`] have to look for several roots.
pub const IRR_SCAN_MAX: f64 = 10.0;

/// Number of grid points of the multiple-root scan, evenly spaced in
/// `ln(1 + rate)` (about 0.17 % apart near a zero rate).
const SCAN_POINTS: usize = 4001;
/// Convergence tolerance of root refinement: change in rate, or NPV relative
/// to the magnitude of the discounted flows.
const ROOT_TOL: f64 = 1e-12;
/// A local extremum of the NPV whose value is this small relative to the
/// magnitude of the discounted flows counts as a tangential (double) root.
const TOUCH_TOL: f64 = 1e-10;
/// Roots closer than this (in rate) are reported as one.
const DISTINCT_TOL: f64 = 1e-6;
/// Iteration cap of every solver loop.
const MAX_ITER: usize = 300;
/// Day-count basis of `xnpv` / `xirr`, as in Excel.
const DAYS_PER_YEAR: f64 = 365.0;
/// Starting guess for Newton iterations when the caller gives none (Excel's).
const DEFAULT_GUESS: f64 = 0.1;

/// When level payments fall within each period: Excel's `type` argument and
/// numpy-financial's `when`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum When {
    /// Payments at the end of each period (ordinary annuity; Excel `type = 0`,
    /// numpy `when = 'end'`). The default.
    #[default]
    End,
    /// Payments at the beginning of each period (annuity due; Excel `type = 1`,
    /// numpy `when = 'begin'`).
    Begin,
}

impl When {
    /// The numeric code used in the time-value equation: `0.0` for
    /// [`When::End`], `1.0` for [`When::Begin`].
    pub fn factor(self) -> f64 {
        match self {
            When::End => 0.0,
            When::Begin => 1.0,
        }
    }
}

/// Why a rate of return or other solved quantity could not be produced.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TvmError {
    /// The cash flows are all of one sign (or all zero), so no discount rate
    /// makes their NPV zero.
    #[error("no IRR: the cash flows never change sign")]
    NoIrr,
    /// Two or more distinct rates make the NPV zero; the roots found, in
    /// ascending order, as decimal rates.
    #[error("IRR is not unique: roots at {}", percent_list(.0))]
    MultipleIrr(Vec<f64>),
    /// The flows change sign more than once but the NPV has no root between
    /// [`IRR_SCAN_MIN`] and [`IRR_SCAN_MAX`].
    #[error(
        "no IRR found between {:.0}% and {:.0}% although the cash flows change sign {sign_changes} times",
        IRR_SCAN_MIN * 100.0,
        IRR_SCAN_MAX * 100.0
    )]
    NoIrrInRange {
        /// Number of sign changes in the (date-ordered) flows.
        sign_changes: usize,
    },
    /// MIRR is undefined unless there is at least one negative and one positive
    /// flow.
    #[error("MIRR needs at least one negative and one positive cash flow")]
    MirrNeedsBothSigns,
    /// An iterative solver found no value satisfying the equation.
    #[error("no solution: {0}")]
    NoSolution(String),
    /// The arguments are inconsistent or out of domain.
    #[error("invalid input: {0}")]
    InvalidInput(String),
}

fn percent_list(roots: &[f64]) -> String {
    roots
        .iter()
        .map(|r| format!("{:.1}%", r * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------
// Net present value
// ---------------------------------------------------------------------------

/// Net present value with the **numpy-financial convention**: `flows[0]` is at
/// `t = 0` and is not discounted; `flows[i]` is discounted `i` periods.
///
/// `npv(rate, flows) = Σ flows[i] / (1 + rate)^i`. Returns `0.0` for no flows.
/// See [`npv_excel`] for Excel's convention.
pub fn npv(rate: f64, flows: &[f64]) -> f64 {
    npv_parts(rate, flows).0
}

/// Net present value with **Excel's `NPV` convention**: the first value is
/// discounted one full period, i.e. every flow is at the *end* of its period.
///
/// `npv_excel(rate, flows) = Σ flows[i] / (1 + rate)^(i + 1)
/// = npv(rate, flows) / (1 + rate)`. To value an outlay made today, add it
/// outside: `npv_excel(r, &flows[1..]) + flows[0]`.
pub fn npv_excel(rate: f64, flows: &[f64]) -> f64 {
    npv(rate, flows) / (1.0 + rate)
}

/// NPV, its derivative with respect to the rate, and the NPV of the absolute
/// flows (the magnitude against which rounding is judged), by Horner's rule in
/// `x = 1 / (1 + rate)`.
fn npv_parts(rate: f64, flows: &[f64]) -> (f64, f64, f64) {
    let x = 1.0 / (1.0 + rate);
    let (mut p, mut dp, mut scale) = (0.0_f64, 0.0_f64, 0.0_f64);
    for &c in flows.iter().rev() {
        dp = dp * x + p;
        p = p * x + c;
        scale = scale * x + c.abs();
    }
    // d/d(rate) of p(x(rate)) = p'(x) · dx/d(rate) = p'(x) · (−x²).
    (p, -dp * x * x, scale)
}

/// Net present value of dated cash flows, per Excel's `XNPV`.
///
/// `dates` are day numbers (Excel serial numbers, or days since any epoch);
/// `dates[0]` is the valuation date and every flow is discounted by
/// `(1 + rate)^((dates[i] - dates[0]) / 365)`, so `flows[0]` is undiscounted.
///
/// # Errors
/// [`TvmError::InvalidInput`] if `flows` and `dates` differ in length or are
/// empty, a flow is not finite, a date precedes `dates[0]`, or `rate <= -1`.
pub fn xnpv(rate: f64, flows: &[f64], dates: &[i64]) -> Result<f64, TvmError> {
    let times = year_fractions(flows, dates)?;
    if rate.is_nan() || rate <= -1.0 {
        return Err(TvmError::InvalidInput(format!(
            "XNPV rate must be greater than -100%, got {rate}"
        )));
    }
    Ok(xnpv_parts(rate, flows, &times).0)
}

/// Validates dated flows and converts dates to years since `dates[0]`.
fn year_fractions(flows: &[f64], dates: &[i64]) -> Result<Vec<f64>, TvmError> {
    if flows.len() != dates.len() {
        return Err(TvmError::InvalidInput(format!(
            "{} cash flows but {} dates",
            flows.len(),
            dates.len()
        )));
    }
    if flows.is_empty() {
        return Err(TvmError::InvalidInput("no cash flows".into()));
    }
    check_finite(flows)?;
    let d0 = dates[0];
    dates
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if d < d0 {
                Err(TvmError::InvalidInput(format!(
                    "date #{i} ({d}) precedes the first date ({d0})"
                )))
            } else {
                Ok((d - d0) as f64 / DAYS_PER_YEAR)
            }
        })
        .collect()
}

/// XNPV, its derivative with respect to the rate, and the XNPV of the absolute
/// flows.
fn xnpv_parts(rate: f64, flows: &[f64], times: &[f64]) -> (f64, f64, f64) {
    let log_growth = rate.ln_1p();
    let (mut v, mut d, mut scale) = (0.0_f64, 0.0_f64, 0.0_f64);
    for (&c, &t) in flows.iter().zip(times) {
        let df = (-t * log_growth).exp();
        v += c * df;
        d -= t * c * df;
        scale += c.abs() * df;
    }
    (v, d / (1.0 + rate), scale)
}

fn check_finite(flows: &[f64]) -> Result<(), TvmError> {
    match flows.iter().position(|c| !c.is_finite()) {
        Some(i) => Err(TvmError::InvalidInput(format!(
            "cash flow #{i} is not finite ({})",
            flows[i]
        ))),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------
// Internal rates of return
// ---------------------------------------------------------------------------

/// Internal rate of return of periodic flows (`flows[0]` at `t = 0`): the rate
/// at which [`npv`] is zero.
///
/// Honest about existence and uniqueness (see the module docs):
/// * no sign change → [`TvmError::NoIrr`];
/// * one sign change → the unique root on `(-1, ∞)`, to `1e-12`;
/// * several sign changes → every root in `[IRR_SCAN_MIN, IRR_SCAN_MAX]` is
///   located; two or more give [`TvmError::MultipleIrr`], none gives
///   [`TvmError::NoIrrInRange`], exactly one is returned.
///
/// # Errors
/// The cases above, and [`TvmError::InvalidInput`] for non-finite flows.
pub fn irr(flows: &[f64]) -> Result<f64, TvmError> {
    check_finite(flows)?;
    let eval = |r: f64| npv_parts(r, flows);
    solve_rate_of_return(flows, &eval, DEFAULT_GUESS)
}

/// Internal rate of return of dated flows, per Excel's `XIRR`: the annual rate
/// at which [`xnpv`] is zero (365-day years, dates as day numbers, `dates[0]`
/// the start; other dates may come in any order but not before it).
///
/// Existence and uniqueness are handled exactly as in [`irr`], with sign changes
/// counted in date order (flows on the same day are netted). `guess` (default
/// 10 %) is only the starting point of the Newton iteration when the root is
/// unique; it never selects among several roots.
///
/// # Errors
/// As [`irr`], plus [`TvmError::InvalidInput`] for the date problems listed in
/// [`xnpv`].
pub fn xirr(flows: &[f64], dates: &[i64], guess: Option<f64>) -> Result<f64, TvmError> {
    let times = year_fractions(flows, dates)?;
    // Sign changes must be counted in time order, with same-day flows netted.
    let mut order: Vec<usize> = (0..flows.len()).collect();
    order.sort_by_key(|&i| dates[i]);
    let mut netted: Vec<f64> = Vec::with_capacity(flows.len());
    let mut last_date = None;
    for &i in &order {
        if last_date == Some(dates[i]) {
            *netted.last_mut().expect("a previous flow exists") += flows[i];
        } else {
            netted.push(flows[i]);
            last_date = Some(dates[i]);
        }
    }
    let eval = |r: f64| xnpv_parts(r, flows, &times);
    solve_rate_of_return(&netted, &eval, guess.unwrap_or(DEFAULT_GUESS))
}

/// Shared IRR / XIRR logic. `ordered` are the flows in time order (used only to
/// count sign changes); `eval` gives (value, derivative, scale) at a rate.
fn solve_rate_of_return(
    ordered: &[f64],
    eval: &dyn Fn(f64) -> (f64, f64, f64),
    guess: f64,
) -> Result<f64, TvmError> {
    let signs: Vec<f64> = ordered
        .iter()
        .filter(|&&c| c != 0.0)
        .map(|c| c.signum())
        .collect();
    let sign_changes = signs.windows(2).filter(|w| w[0] != w[1]).count();
    match sign_changes {
        0 => Err(TvmError::NoIrr),
        1 => {
            // Descartes: exactly one root on (-1, ∞). As rate → −1 the latest
            // flow dominates; as rate → ∞ the earliest does.
            let sign_near_minus_one = *signs.last().expect("one sign change implies flows");
            unique_root(eval, sign_near_minus_one, guess)
        }
        _ => {
            let roots = scan_roots(eval);
            match roots.len() {
                0 => Err(TvmError::NoIrrInRange { sign_changes }),
                1 => Ok(roots[0]),
                _ => Err(TvmError::MultipleIrr(roots)),
            }
        }
    }
}

/// Finds the single root of a function known to have exactly one root on
/// `(-1, ∞)`: it has sign `sign_near_minus_one` left of the root and the
/// opposite sign right of it. Starts from the scan range and widens it.
/// Infinite values (overflow of the discount factors near −100 %) still carry
/// the right sign and are used; NaN is not.
fn unique_root(
    eval: &dyn Fn(f64) -> (f64, f64, f64),
    sign_near_minus_one: f64,
    guess: f64,
) -> Result<f64, TvmError> {
    let (mut lo, mut hi) = (IRR_SCAN_MIN, IRR_SCAN_MAX);
    let (mut f_lo, mut f_hi) = (eval(lo).0, eval(hi).0);
    for _ in 0..MAX_ITER {
        if f_lo.is_nan() || f_hi.is_nan() {
            break;
        }
        if f_lo == 0.0 {
            return Ok(lo);
        }
        if f_hi == 0.0 {
            return Ok(hi);
        }
        if f_lo.signum() != f_hi.signum() {
            return Ok(refine_root(eval, lo, hi, f_lo, guess));
        }
        if f_lo.signum() == sign_near_minus_one {
            // Both ends are left of the root: move right.
            lo = hi;
            f_lo = f_hi;
            hi = 2.0 * hi + 1.0;
            f_hi = eval(hi).0;
        } else {
            // Both ends are right of the root: move towards −1.
            hi = lo;
            f_hi = f_lo;
            lo = -1.0 + (1.0 + lo) / 16.0;
            f_lo = eval(lo).0;
        }
    }
    Err(TvmError::NoSolution(
        "could not bracket the rate of return (it lies too close to -100% or is too large)".into(),
    ))
}

/// Safeguarded Newton iteration on a sign bracket `[lo, hi]` (`f_lo` is the
/// value at `lo`), starting from `start` when it lies inside the bracket.
/// Stops when the rate changes by less than `ROOT_TOL` or the value is below
/// `ROOT_TOL` relative to the magnitude of the discounted flows.
fn refine_root(
    eval: &dyn Fn(f64) -> (f64, f64, f64),
    mut lo: f64,
    mut hi: f64,
    f_lo: f64,
    start: f64,
) -> f64 {
    let s_lo = f_lo.signum();
    let mut x = if start > lo && start < hi {
        start
    } else {
        0.5 * (lo + hi)
    };
    let mut last_step = hi - lo;
    for _ in 0..MAX_ITER {
        let (f, d, scale) = eval(x);
        if f == 0.0 || (f.is_finite() && f.abs() <= ROOT_TOL * scale) {
            return x;
        }
        if f.signum() == s_lo {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - f / d;
        let next = if d != 0.0
            && newton.is_finite()
            && newton > lo
            && newton < hi
            && (newton - x).abs() < 0.5 * last_step.abs()
        {
            newton
        } else {
            0.5 * (lo + hi)
        };
        last_step = next - x;
        x = next;
        if last_step.abs() <= ROOT_TOL || hi - lo <= ROOT_TOL {
            return x;
        }
    }
    x
}

/// Bisection for a sign change of the derivative (a local extremum).
fn refine_extremum(eval: &dyn Fn(f64) -> (f64, f64, f64), mut lo: f64, mut hi: f64) -> f64 {
    let s_lo = eval(lo).1.signum();
    for _ in 0..MAX_ITER {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let d = eval(mid).1;
        if d == 0.0 {
            return mid;
        }
        if d.signum() == s_lo {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Every root of `eval` in `[IRR_SCAN_MIN, IRR_SCAN_MAX]`, ascending.
///
/// The grid is refined with every local extremum (sign change of the
/// derivative between grid points), so the function is monotone between
/// consecutive nodes; a root is then either a sign change between nodes, a node
/// where the value is exactly zero, or an extremum that touches zero.
fn scan_roots(eval: &dyn Fn(f64) -> (f64, f64, f64)) -> Vec<f64> {
    let y0 = (1.0 + IRR_SCAN_MIN).ln();
    let y1 = (1.0 + IRR_SCAN_MAX).ln();
    let last = SCAN_POINTS - 1;
    let grid: Vec<f64> = (0..SCAN_POINTS)
        .map(|k| match k {
            0 => IRR_SCAN_MIN,
            k if k == last => IRR_SCAN_MAX,
            k => (y0 + (y1 - y0) * k as f64 / last as f64).exp_m1(),
        })
        .collect();
    let values: Vec<(f64, f64, f64)> = grid.iter().map(|&r| eval(r)).collect();

    // (rate, value, scale, is_extremum)
    let mut nodes: Vec<(f64, f64, f64, bool)> = Vec::with_capacity(SCAN_POINTS + 8);
    for k in 0..SCAN_POINTS {
        let (v, d, s) = values[k];
        nodes.push((grid[k], v, s, d == 0.0));
        if k < last {
            let d_next = values[k + 1].1;
            if d * d_next < 0.0 {
                let e = refine_extremum(eval, grid[k], grid[k + 1]);
                let (ve, _, se) = eval(e);
                nodes.push((e, ve, se, true));
            }
        }
    }

    let mut roots = Vec::new();
    for i in 0..nodes.len() {
        let (r, v, s, is_extremum) = nodes[i];
        if v.is_nan() {
            continue;
        }
        if v == 0.0 {
            roots.push(r);
            continue;
        }
        let prev = if i > 0 { nodes[i - 1].1 } else { v };
        let next = if i + 1 < nodes.len() {
            nodes[i + 1].1
        } else {
            v
        };
        if is_extremum
            && v.is_finite()
            && v.abs() <= TOUCH_TOL * s
            && v * prev >= 0.0
            && v * next >= 0.0
        {
            roots.push(r); // tangential (even-multiplicity) root
            continue;
        }
        if i + 1 < nodes.len() && v * next < 0.0 {
            roots.push(refine_root(
                eval,
                r,
                nodes[i + 1].0,
                v,
                0.5 * (r + nodes[i + 1].0),
            ));
        }
    }
    merge_close(roots)
}

/// Sorts roots and replaces clusters closer than `DISTINCT_TOL` by their mean.
fn merge_close(mut roots: Vec<f64>) -> Vec<f64> {
    roots.sort_by(|a, b| a.total_cmp(b));
    let mut merged: Vec<f64> = Vec::with_capacity(roots.len());
    let mut cluster: Vec<f64> = Vec::new();
    for r in roots {
        if let Some(&first) = cluster.first() {
            if r - first > DISTINCT_TOL {
                merged.push(cluster.iter().sum::<f64>() / cluster.len() as f64);
                cluster.clear();
            }
        }
        cluster.push(r);
    }
    if !cluster.is_empty() {
        merged.push(cluster.iter().sum::<f64>() / cluster.len() as f64);
    }
    merged
}

/// Modified internal rate of return of periodic flows (`flows[0]` at `t = 0`),
/// as in numpy-financial and Excel's `MIRR`.
///
/// Negative flows are discounted to `t = 0` at `finance_rate`, positive flows
/// are compounded to the last period at `reinvest_rate`, and
/// `MIRR = (FV(positives) / −PV(negatives))^(1/(n−1)) − 1` with `n` the number
/// of flows.
///
/// # Errors
/// [`TvmError::MirrNeedsBothSigns`] unless there is at least one negative and
/// one positive flow (numpy returns NaN, Excel `#DIV/0!`);
/// [`TvmError::InvalidInput`] for non-finite flows.
pub fn mirr(flows: &[f64], finance_rate: f64, reinvest_rate: f64) -> Result<f64, TvmError> {
    check_finite(flows)?;
    let has_positive = flows.iter().any(|&c| c > 0.0);
    let has_negative = flows.iter().any(|&c| c < 0.0);
    if !(has_positive && has_negative) {
        return Err(TvmError::MirrNeedsBothSigns);
    }
    let last = (flows.len() - 1) as f64;
    let (mut fv_positive, mut pv_negative) = (0.0_f64, 0.0_f64);
    for (i, &c) in flows.iter().enumerate() {
        let t = i as f64;
        if c > 0.0 {
            fv_positive += c * (1.0 + reinvest_rate).powf(last - t);
        } else if c < 0.0 {
            pv_negative += c / (1.0 + finance_rate).powf(t);
        }
    }
    Ok((fv_positive / -pv_negative).powf(1.0 / last) - 1.0)
}

// ---------------------------------------------------------------------------
// Level annuities
// ---------------------------------------------------------------------------

/// `((1+r)^n, ((1+r)^n − 1)/r)`, computed without cancellation for small `r`
/// and exactly `(1, n)` at `r = 0`.
fn growth_and_annuity(rate: f64, nper: f64) -> (f64, f64) {
    if rate == 0.0 {
        (1.0, nper)
    } else {
        let growth_minus_one = (nper * rate.ln_1p()).exp_m1();
        (growth_minus_one + 1.0, growth_minus_one / rate)
    }
}

/// Future value after `nper` periods of a present amount `pv` plus level
/// payments `pmt` (numpy-financial `fv`, Excel `FV`).
///
/// `fv = −(pv·(1+r)^n + pmt·(1 + r·w)·((1+r)^n − 1)/r)`, and
/// `−(pv + pmt·n)` at `rate = 0`. Sign convention: money paid out negative.
pub fn fv(rate: f64, nper: f64, pmt: f64, pv: f64, when: When) -> f64 {
    let (growth, annuity) = growth_and_annuity(rate, nper);
    -(pv * growth + pmt * (1.0 + rate * when.factor()) * annuity)
}

/// Present value of level payments `pmt` over `nper` periods plus a final
/// amount `fv` (numpy-financial `pv`, Excel `PV`).
///
/// `pv = −(fv + pmt·(1 + r·w)·((1+r)^n − 1)/r) / (1+r)^n`, and
/// `−(fv + pmt·n)` at `rate = 0`.
pub fn pv(rate: f64, nper: f64, pmt: f64, fv: f64, when: When) -> f64 {
    let (growth, annuity) = growth_and_annuity(rate, nper);
    -(fv + pmt * (1.0 + rate * when.factor()) * annuity) / growth
}

/// Level payment per period that takes a present value `pv` to a future value
/// `fv` in `nper` periods, principal plus interest (numpy-financial `pmt`,
/// Excel `PMT`).
///
/// `pmt = −(fv + pv·(1+r)^n) / ((1 + r·w)·((1+r)^n − 1)/r)`, and
/// `−(fv + pv)/n` at `rate = 0`. A loan received (`pv > 0`) gives a negative
/// payment.
pub fn pmt(rate: f64, nper: f64, pv: f64, fv: f64, when: When) -> f64 {
    let (growth, annuity) = growth_and_annuity(rate, nper);
    -(fv + pv * growth) / ((1.0 + rate * when.factor()) * annuity)
}

/// Interest part of the level payment in period `per` (1-based) (numpy-financial
/// `ipmt`, Excel `IPMT`).
///
/// With payments at period end it is `−rate` times the balance `B` carried
/// into the period. With payments at period start the first payment carries no
/// interest (`0.0`) and later ones are `−rate · B / (1 + rate)`, as in numpy
/// and Excel. Returns NaN unless `1 <= per <= nper`; `0.0` at `rate = 0`.
///
/// numpy computes `B` as `−fv(rate, per − 1, pmt, pv, when)`, which cancels
/// catastrophically when `(1+rate)^nper` is large. The same quantity is computed
/// here as `B = (pv·((1+r)^n − (1+r)^k) − fv·((1+r)^k − 1)) / ((1+r)^n − 1)`
/// with `k = per − 1`, which has no such cancellation.
pub fn ipmt(rate: f64, per: f64, nper: f64, pv: f64, fv: f64, when: When) -> f64 {
    if !(per >= 1.0 && per <= nper) {
        return f64::NAN;
    }
    if rate == 0.0 {
        return 0.0;
    }
    let balance = outstanding_balance(rate, per - 1.0, nper, pv, fv);
    match when {
        When::End => -balance * rate,
        When::Begin if per == 1.0 => 0.0,
        When::Begin => -balance * rate / (1.0 + rate),
    }
}

/// Balance of a level-payment schedule after `k` of `nper` payments (same sign
/// as `pv`), for `rate != 0`. Identical for payments at period end or start.
fn outstanding_balance(rate: f64, k: f64, nper: f64, pv: f64, fv: f64) -> f64 {
    let log_growth = rate.ln_1p();
    let growth_k = (k * log_growth).exp();
    let growth_k_minus_one = (k * log_growth).exp_m1();
    let growth_n_minus_one = (nper * log_growth).exp_m1();
    let growth_n_minus_k = growth_k * ((nper - k) * log_growth).exp_m1();
    (pv * growth_n_minus_k - fv * growth_k_minus_one) / growth_n_minus_one
}

/// Principal part of the level payment in period `per` (1-based):
/// `pmt − ipmt` (numpy-financial `ppmt`, Excel `PPMT`). Returns NaN unless
/// `1 <= per <= nper`.
pub fn ppmt(rate: f64, per: f64, nper: f64, pv: f64, fv: f64, when: When) -> f64 {
    pmt(rate, nper, pv, fv, when) - ipmt(rate, per, nper, pv, fv, when)
}

/// Number of periods for level payments `pmt` to take `pv` to `fv`
/// (numpy-financial `nper`, Excel `NPER`).
///
/// `nper = ln((−fv + z) / (pv + z)) / ln(1 + r)` with `z = pmt·(1 + r·w)/r`,
/// and `−(fv + pv)/pmt` at `rate = 0` (±infinity when `pmt = 0`). The result is
/// fractional in general, may be negative (Excel's own example gives
/// −9.578…), and is NaN when no number of periods solves the equation.
pub fn nper(rate: f64, pmt: f64, pv: f64, fv: f64, when: When) -> f64 {
    if rate == 0.0 {
        return -(fv + pv) / pmt;
    }
    let z = pmt * (1.0 + rate * when.factor()) / rate;
    ((-fv + z) / (pv + z)).ln() / rate.ln_1p()
}

/// Interest rate per period that makes level payments `pmt` take `pv` to `fv`
/// in `nper` periods (numpy-financial `rate`, Excel `RATE`).
///
/// Newton iteration from `guess` (default 10 %, as Excel) to `1e-12`; if that
/// fails, the equation is scanned over `[IRR_SCAN_MIN, IRR_SCAN_MAX]` and the
/// root closest to `guess` is returned. When several rates solve the equation
/// the one reached from `guess` is returned.
///
/// # Errors
/// [`TvmError::InvalidInput`] for non-finite arguments or `nper <= 0`;
/// [`TvmError::NoSolution`] when no rate solves the equation (e.g. `pmt`, `pv`
/// and `fv` all of one sign).
pub fn rate(
    nper: f64,
    pmt: f64,
    pv: f64,
    fv: f64,
    when: When,
    guess: Option<f64>,
) -> Result<f64, TvmError> {
    if ![nper, pmt, pv, fv].iter().all(|v| v.is_finite()) {
        return Err(TvmError::InvalidInput(
            "RATE arguments must be finite".into(),
        ));
    }
    if nper <= 0.0 {
        return Err(TvmError::InvalidInput(format!(
            "RATE needs a positive number of periods, got {nper}"
        )));
    }
    let w = when.factor();
    // Residual of the time-value equation, its derivative, and its magnitude.
    let eval = |r: f64| -> (f64, f64, f64) {
        let (growth, annuity) = growth_and_annuity(r, nper);
        let d_growth = nper * growth / (1.0 + r);
        let d_annuity = if r == 0.0 {
            nper * (nper - 1.0) / 2.0
        } else {
            (d_growth - annuity) / r
        };
        let due = 1.0 + r * w;
        let value = pv * growth + pmt * due * annuity + fv;
        let derivative = pv * d_growth + pmt * (w * annuity + due * d_annuity);
        let scale = pv.abs() * growth + (pmt * due * annuity).abs() + fv.abs();
        (value, derivative, scale)
    };
    let guess = guess.unwrap_or(DEFAULT_GUESS);

    let mut r = guess;
    for _ in 0..MAX_ITER {
        let (v, d, scale) = eval(r);
        if !(v.is_finite() && d.is_finite()) || d == 0.0 {
            break;
        }
        if v == 0.0 {
            return Ok(r);
        }
        let next = r - v / d;
        if !next.is_finite() || next <= -1.0 {
            break;
        }
        let step = next - r;
        r = next;
        if step.abs() <= ROOT_TOL {
            let (v, _, scale_at) = eval(r);
            if v.abs() <= 1e-9 * scale_at.max(scale) {
                return Ok(r);
            }
            break;
        }
    }

    scan_roots(&eval)
        .into_iter()
        .min_by(|a, b| (a - guess).abs().total_cmp(&(b - guess).abs()))
        .ok_or_else(|| {
            TvmError::NoSolution(format!(
                "no interest rate between {:.0}% and {:.0}% solves the annuity equation",
                IRR_SCAN_MIN * 100.0,
                IRR_SCAN_MAX * 100.0
            ))
        })
}

// ---------------------------------------------------------------------------
// Payback
// ---------------------------------------------------------------------------

/// Simple payback period of periodic flows (`flows[0]` at `t = 0`), in periods.
///
/// The first time the cumulative cash flow, having been negative, returns to
/// zero or above. Flow `k >= 1` is taken to accrue evenly over period
/// `(k−1, k]`, so the crossing is interpolated linearly within that period:
/// `(k − 1) + (−cumulative_{k−1}) / flows[k]`. Later dips below zero (e.g.
/// closure costs) are not considered. Returns `Some(0.0)` if the cumulative flow
/// is never negative and `None` if it never recovers.
pub fn payback_period(flows: &[f64]) -> Option<f64> {
    payback(flows.iter().copied())
}

/// Discounted payback period: [`payback_period`] applied to the flows
/// discounted at `rate` with the [`npv`] convention (`flows[i] / (1+rate)^i`,
/// the first flow undiscounted).
pub fn discounted_payback(rate: f64, flows: &[f64]) -> Option<f64> {
    payback(
        flows
            .iter()
            .enumerate()
            .map(|(i, &c)| c / (1.0 + rate).powi(i as i32)),
    )
}

fn payback(flows: impl Iterator<Item = f64>) -> Option<f64> {
    let mut cumulative = 0.0_f64;
    let mut been_negative = false;
    for (k, c) in flows.enumerate() {
        let before = cumulative;
        cumulative += c;
        if cumulative < 0.0 {
            been_negative = true;
        } else if been_negative {
            // Only reachable for k >= 1 with before < 0 and c > 0.
            return Some((k - 1) as f64 + (-before) / c);
        }
    }
    if been_negative {
        None
    } else {
        Some(0.0)
    }
}
