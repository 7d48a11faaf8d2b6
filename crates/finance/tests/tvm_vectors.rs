//! Published known answers for `finance::tvm`, each cited, plus invariants.
//!
//! Sources:
//! * [NPF] numpy-financial test suite,
//!   <https://github.com/numpy/numpy-financial/blob/main/numpy_financial/tests/test_financial.py>.
//!   Where that file has a `Decimal` variant of a test, its exact decimal answer
//!   is used here (to 1e-9 relative or better); otherwise the float answer and
//!   the precision it states.
//! * [XL-*] Microsoft's Excel function reference, "Example" section of each
//!   page, <https://support.microsoft.com/en-us/office/...-function-...>
//!   (NPV, IRR, XNPV, XIRR, PMT, MIRR, RATE, NPER, IPMT, PPMT). Excel shows
//!   results rounded to the cell format; the assertions use that rounding.
//!
//! Tolerances are stated per assertion as "abs" (absolute) or "rel".
//! Published decimals are quoted with all their digits, beyond f64 precision.
#![allow(clippy::excessive_precision)]

use manto_finance::tvm::{
    discounted_payback, fv, ipmt, irr, mirr, nper, npv, npv_excel, payback_period, pmt, ppmt, pv,
    rate, xirr, xnpv, TvmError, When, IRR_SCAN_MAX, IRR_SCAN_MIN,
};
use proptest::prelude::*;

#[track_caller]
fn close(actual: f64, expected: f64, abs_tol: f64) {
    assert!(
        (actual - expected).abs() <= abs_tol,
        "expected {expected} ± {abs_tol}, got {actual} (off by {:e})",
        (actual - expected).abs()
    );
}

#[track_caller]
fn close_rel(actual: f64, expected: f64, rel_tol: f64) {
    assert!(
        (actual - expected).abs() <= rel_tol * expected.abs(),
        "expected {expected} within rel {rel_tol}, got {actual} (rel err {:e})",
        ((actual - expected) / expected).abs()
    );
}

/// Rounds to `dp` decimals, to compare with published rounded figures.
fn round(x: f64, dp: i32) -> f64 {
    let m = 10f64.powi(dp);
    (x * m).round() / m
}

/// The roots carried by a `MultipleIrr`, or a panic naming what came back.
#[track_caller]
fn multiple_roots(result: Result<f64, TvmError>) -> Vec<f64> {
    match result {
        Err(TvmError::MultipleIrr(roots)) => roots,
        other => panic!("expected MultipleIrr, got {other:?}"),
    }
}

/// |NPV| relative to the NPV of the absolute flows: ~0 at a true root.
fn relative_npv(rate: f64, flows: &[f64]) -> f64 {
    let abs: Vec<f64> = flows.iter().map(|c| c.abs()).collect();
    npv(rate, flows).abs() / npv(rate, &abs)
}

// ===========================================================================
// NPV
// ===========================================================================

#[test]
fn npf_npv() {
    // [NPF] test_npv_decimal: 122.894854950942692161628715.
    close(
        npv(0.05, &[-15000.0, 1500.0, 2500.0, 3500.0, 4500.0, 6000.0]),
        122.894_854_950_942_69,
        1e-9,
    );
}

#[test]
fn npv_rate_zero_is_the_plain_sum() {
    close(npv(0.0, &[-100.0, 30.0, 40.0, 50.0]), 20.0, 0.0);
    close(npv(0.1, &[]), 0.0, 0.0);
}

#[test]
fn xl_npv_first_value_discounted() {
    // [XL-NPV] example 1: =NPV(10%, -10000, 3000, 4200, 6800) = 1,188.44
    // (the -10,000 is one year from today, so it is discounted).
    let v = npv_excel(0.10, &[-10000.0, 3000.0, 4200.0, 6800.0]);
    close(round(v, 2), 1188.44, 1e-9);
}

#[test]
fn xl_npv_initial_outlay_added_outside() {
    // [XL-NPV] example 2: initial cost 40,000 at the start (not discounted),
    // returns 8,000 9,200 10,000 12,000 14,500 at 8%:
    // =NPV(A2, A4:A8)+A3 = 1,922.06
    let returns = [8000.0, 9200.0, 10000.0, 12000.0, 14500.0];
    let excel = npv_excel(0.08, &returns) - 40000.0;
    close(round(excel, 2), 1922.06, 1e-9);
    // The same thing with the numpy convention (first flow at t = 0).
    let mut flows = vec![-40000.0];
    flows.extend_from_slice(&returns);
    close(npv(0.08, &flows), excel, 1e-8);

    // ... and with a loss of 9,000 in year 6: =NPV(A2, A4:A8, -9000)+A3 = -3,749.47
    let mut with_loss = returns.to_vec();
    with_loss.push(-9000.0);
    close(
        round(npv_excel(0.08, &with_loss) - 40000.0, 2),
        -3749.47,
        1e-9,
    );
}

// ===========================================================================
// XNPV / XIRR
// ===========================================================================

/// [XL-XNPV], [XL-XIRR] example: 1/1/2008, 3/1/2008, 10/30/2008, 2/15/2009,
/// 4/1/2009 as Excel serial numbers (1/1/2008 = 39448 per the same pages).
const XL_DATES: [i64; 5] = [39448, 39508, 39751, 39859, 39904];
const XL_FLOWS: [f64; 5] = [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0];

#[test]
fn xl_xnpv() {
    // [XL-XNPV]: =XNPV(.09, A2:A6, B2:B6) = 2,086.65 (VBA reference page:
    // "2086.6476 or 2086.65").
    let v = xnpv(0.09, &XL_FLOWS, &XL_DATES).unwrap();
    close(v, 2086.6476, 5e-5);
}

#[test]
fn xl_xirr() {
    // [XL-XIRR]: =XIRR(A3:A7, B3:B7, 0.1) = 0.373362535 (37.34%). Excel
    // iterates "until the result is accurate within 0.000001 percent" (1e-8);
    // the exact root is 0.37336253351883…, 1.5e-9 from Excel's figure (an
    // independent bisection in Python agrees to 1e-15).
    let r = xirr(&XL_FLOWS, &XL_DATES, Some(0.1)).unwrap();
    close(r, 0.373_362_535, 1e-8);
    close(round(r * 100.0, 2), 37.34, 1e-9);
    // No guess (Excel default 10%) and a far-off guess give the same unique root.
    close(xirr(&XL_FLOWS, &XL_DATES, None).unwrap(), r, 1e-12);
    close(xirr(&XL_FLOWS, &XL_DATES, Some(3.0)).unwrap(), r, 1e-12);
    // XNPV at the XIRR is zero.
    close(xnpv(r, &XL_FLOWS, &XL_DATES).unwrap(), 0.0, 1e-8);
}

#[test]
fn xirr_dates_in_any_order_after_the_first() {
    // Excel: dates after the first may be in any order.
    // The Excel example with the last four (flow, date) pairs reversed.
    let flows = [-10000.0, 2750.0, 3250.0, 4250.0, 2750.0];
    let dates = [39448, 39904, 39859, 39751, 39508];
    let r = xirr(&flows, &dates, None).unwrap();
    close(r, xirr(&XL_FLOWS, &XL_DATES, None).unwrap(), 1e-12);
}

#[test]
fn xnpv_rejects_bad_dates() {
    // Excel: a date before the start date, or mismatched counts, is #NUM!.
    assert!(matches!(
        xnpv(0.1, &[-1.0, 2.0], &[100, 99]),
        Err(TvmError::InvalidInput(_))
    ));
    assert!(matches!(
        xnpv(0.1, &[-1.0, 2.0], &[100]),
        Err(TvmError::InvalidInput(_))
    ));
    assert!(matches!(
        xirr(&[-1.0, 2.0], &[100, 99], None),
        Err(TvmError::InvalidInput(_))
    ));
}

#[test]
fn xirr_no_sign_change_and_multiple_roots() {
    assert_eq!(xirr(&[100.0, 200.0], &[0, 365], None), Err(TvmError::NoIrr));
    // Whole-year spacing turns XNPV into the periodic NPV: [-1, 5, -6] has
    // roots at 100% and 200% (see `two_real_irrs_are_reported`).
    let roots = multiple_roots(xirr(&[-1.0, 5.0, -6.0], &[0, 365, 730], None));
    assert_eq!(roots.len(), 2, "{roots:?}");
    close(roots[0], 1.0, 1e-9);
    close(roots[1], 2.0, 1e-9);
    // Same-day flows are netted before counting sign changes: -1 and +3 on day
    // 0 net to +2, so [+2, +1] never changes sign.
    assert_eq!(
        xirr(&[-1.0, 1.0, 3.0], &[0, 365, 0], None),
        Err(TvmError::NoIrr)
    );
}

// ===========================================================================
// IRR
// ===========================================================================

#[test]
fn npf_irr_unique_roots() {
    // [NPF] TestIrr::test_basic_values (numpy asserts 2 decimals; the rounded
    // values it lists are checked to the precision they are written with).
    let r = irr(&[-150000.0, 15000.0, 25000.0, 35000.0, 45000.0, 60000.0]).unwrap();
    close(round(r, 4), 0.0524, 1e-12);
    let r = irr(&[-100.0, 0.0, 0.0, 74.0]).unwrap();
    close(round(r, 4), -0.0955, 1e-12);
    let r = irr(&[-100.0, 39.0, 59.0, 55.0, 20.0]).unwrap();
    close(round(r, 5), 0.28095, 1e-12);
    let r = irr(&[-100.0, 100.0, 0.0, 7.0]).unwrap();
    close(round(r, 5), 0.06206, 1e-12);
}

#[test]
fn npf_irr_with_two_roots_is_reported_as_multiple() {
    // [NPF] lists irr([-100, 100, 0, -7]) = -0.0833. The flows change sign
    // twice and NPV has a second real root at about -67.89% (inside the scan
    // range), so we report both instead of picking one.
    let flows = [-100.0, 100.0, 0.0, -7.0];
    let roots = multiple_roots(irr(&flows));
    assert_eq!(roots.len(), 2, "{roots:?}");
    close(round(roots[0], 4), -0.6789, 1e-12);
    close(round(roots[1], 4), -0.0833, 1e-12);
    for &r in &roots {
        assert!(relative_npv(r, &flows) < 1e-12, "npv({r}) not ~0");
    }
}

#[test]
fn npf_irr_with_three_roots_is_reported_as_multiple() {
    // [NPF] lists irr([-5, 10.5, 1, -8, 1]) ≈ 0.0886 (asserted to 2 decimals).
    // Three sign changes, and three real roots: about -87.02%, 8.86%, 70.96%.
    let flows = [-5.0, 10.5, 1.0, -8.0, 1.0];
    let roots = multiple_roots(irr(&flows));
    assert_eq!(roots.len(), 3, "{roots:?}");
    close(round(roots[0], 4), -0.8702, 1e-12);
    close(round(roots[1], 4), 0.0886, 1e-12);
    close(round(roots[2], 4), 0.7096, 1e-12);
    for &r in &roots {
        assert!(relative_npv(r, &flows) < 1e-12, "npv({r}) not ~0");
    }
    // [NPF] test_trailing_zeros: trailing zero flows change nothing.
    let padded = [-5.0, 10.5, 1.0, -8.0, 1.0, 0.0, 0.0, 0.0];
    assert_eq!(multiple_roots(irr(&padded)).len(), 3);
}

#[test]
fn npf_irr_npv_congruence() {
    // [NPF] test_npv_irr_congruence: npv(irr(x), x) = 0 (atol 1e-10).
    let flows = [-40000.0, 5000.0, 8000.0, 12000.0, 30000.0];
    let r = irr(&flows).unwrap();
    close(npv(r, &flows), 0.0, 1e-10);
}

#[test]
fn npf_irr_no_solution() {
    // [NPF] test_numpy_gh_6744: irr([-1, -2, -3]) is NaN -> NoIrr here.
    assert_eq!(irr(&[-1.0, -2.0, -3.0]), Err(TvmError::NoIrr));
}

#[test]
fn npf_irr_gh_15_root_next_to_minus_one() {
    // [NPF] test_gh_15: one sign change, root at -0.9999999990596069 (rtol 1e-9).
    let v = [
        -3000.0,
        2.3926932267015667e-07,
        4.1672087103345505e-16,
        5.3965110036378706e-25,
        5.1962551071806174e-34,
        3.7202955645436402e-43,
        1.9804961711632469e-52,
        7.8393517651814181e-62,
        2.3072565113911438e-71,
        5.0491839233308912e-81,
        8.2159177668499263e-91,
        9.9403244366963527e-101,
        8.942410813633967e-111,
        5.9816122646481191e-121,
        2.9750309031844241e-131,
        1.1002067043497954e-141,
        3.0252876563518021e-152,
        6.1854121948207909e-163,
        9.4032980015353301e-174,
        1.0629218520017728e-184,
        8.9337141847171845e-196,
        5.5830607698467935e-207,
        2.5943122036622652e-218,
        8.9635842466507006e-230,
        2.3027710094332358e-241,
        4.3987510596745562e-253,
        6.2476630372575209e-265,
        6.598046841695288e-277,
        5.1811095266842017e-289,
        3.0250999925830644e-301,
        1.3133070599585015e-313,
    ];
    let r = irr(&v).unwrap();
    close_rel(r, -0.999_999_999_059_606_9, 1e-9);
}

#[test]
fn xl_irr() {
    // [XL-IRR]: initial cost -70,000 then net income 12,000 15,000 18,000
    // 21,000 26,000.
    // =IRR(A2:A6) after four years = -2.1%
    let r = irr(&[-70000.0, 12000.0, 15000.0, 18000.0, 21000.0]).unwrap();
    close(round(r * 100.0, 1), -2.1, 1e-9);
    // =IRR(A2:A7) after five years = 8.7%
    let r = irr(&[-70000.0, 12000.0, 15000.0, 18000.0, 21000.0, 26000.0]).unwrap();
    close(round(r * 100.0, 1), 8.7, 1e-9);
    // =IRR(A2:A4,-10%) after two years = -44.4% (Excel needs the guess; the
    // root is unique, so we need none).
    let r = irr(&[-70000.0, 12000.0, 15000.0]).unwrap();
    close(round(r * 100.0, 1), -44.4, 1e-9);
}

#[test]
fn irr_of_all_positive_flows_is_no_irr() {
    let e = irr(&[100.0, 200.0, 300.0]).unwrap_err();
    assert_eq!(e, TvmError::NoIrr);
    assert_eq!(e.to_string(), "no IRR: the cash flows never change sign");
    assert_eq!(irr(&[]), Err(TvmError::NoIrr));
    assert_eq!(irr(&[0.0, 0.0]), Err(TvmError::NoIrr));
}

#[test]
fn two_real_irrs_are_reported() {
    // -1 + 5x - 6x² = -(2x - 1)(3x - 1) with x = 1/(1+r): r = 100% and 200%.
    let e = irr(&[-1.0, 5.0, -6.0]).unwrap_err();
    let roots = multiple_roots(Err(e.clone()));
    assert_eq!(roots.len(), 2, "{roots:?}");
    close(roots[0], 1.0, 1e-10);
    close(roots[1], 2.0, 1e-10);
    assert_eq!(e.to_string(), "IRR is not unique: roots at 100.0%, 200.0%");
}

#[test]
fn double_root_is_a_single_irr() {
    // -1 + 2x - x² = -(1 - x)²: NPV touches zero at r = 0 without crossing.
    let r = irr(&[-1.0, 2.0, -1.0]).unwrap();
    close(r, 0.0, 1e-6);
}

#[test]
fn sign_changes_without_real_root() {
    // 1 - 2x + 1.5x² has negative discriminant: two sign changes, no root.
    let e = irr(&[1.0, -2.0, 1.5]).unwrap_err();
    assert_eq!(e, TvmError::NoIrrInRange { sign_changes: 2 });
    let lo = format!("{:.0}%", IRR_SCAN_MIN * 100.0);
    let hi = format!("{:.0}%", IRR_SCAN_MAX * 100.0);
    assert_eq!((lo.as_str(), hi.as_str()), ("-99%", "1000%"));
    assert!(
        e.to_string().contains(&lo) && e.to_string().contains(&hi),
        "{e}"
    );
}

#[test]
fn unique_irr_outside_the_scan_range_is_still_found() {
    // One sign change: the unique root is found wherever it is. -1 + 51x at
    // x = 1/(1+r) gives r = 50 (5000%).
    close(irr(&[-1.0, 51.0]).unwrap(), 50.0, 1e-9);
}

#[test]
fn irr_rejects_non_finite_flows() {
    assert!(matches!(
        irr(&[-1.0, f64::NAN, 2.0]),
        Err(TvmError::InvalidInput(_))
    ));
}

// ===========================================================================
// MIRR
// ===========================================================================

#[test]
fn npf_mirr() {
    // [NPF] test_mirr_decimal, exact decimal answers.
    let v = [
        -4500.0, -800.0, 800.0, 800.0, 600.0, 600.0, 800.0, 800.0, 700.0, 3000.0,
    ];
    close(
        mirr(&v, 0.08, 0.055).unwrap(),
        0.066_597_175_031_553_548_874,
        1e-13,
    );
    let v = [-120000.0, 39000.0, 30000.0, 21000.0, 37000.0, 46000.0];
    close(
        mirr(&v, 0.10, 0.12).unwrap(),
        0.126_094_130_365_905_145_83,
        1e-13,
    );
    let v = [100.0, 200.0, -50.0, 300.0, -200.0];
    close(
        mirr(&v, 0.05, 0.06).unwrap(),
        0.342_823_387_842_176_663_65,
        1e-13,
    );
    // ... and NaN for all-positive flows -> an error here.
    let v = [39000.0, 30000.0, 21000.0, 37000.0, 46000.0];
    assert_eq!(mirr(&v, 0.10, 0.12), Err(TvmError::MirrNeedsBothSigns));
}

#[test]
fn xl_mirr() {
    // [XL-MIRR]: cost -120,000, returns 39,000 30,000 21,000 37,000 46,000;
    // finance 10%, reinvest 12%. The current page shows the results with a 0%
    // cell format (13%, -5%, 13%); earlier editions of the same page gave
    // 12.61%, -4.80%, 13.48%. Both roundings are checked.
    let five = [-120000.0, 39000.0, 30000.0, 21000.0, 37000.0, 46000.0];
    let r = mirr(&five, 0.10, 0.12).unwrap();
    close(round(r * 100.0, 2), 12.61, 1e-9);
    close(round(r * 100.0, 0), 13.0, 1e-9);
    // =MIRR(A2:A5, A8, A9): after three years.
    let r = mirr(&five[..4], 0.10, 0.12).unwrap();
    close(round(r * 100.0, 2), -4.80, 1e-9);
    close(round(r * 100.0, 0), -5.0, 1e-9);
    // =MIRR(A2:A7, A8, 14%): five years, reinvesting at 14%.
    let r = mirr(&five, 0.10, 0.14).unwrap();
    close(round(r * 100.0, 2), 13.48, 1e-9);
    close(round(r * 100.0, 0), 13.0, 1e-9);
}

// ===========================================================================
// FV / PV / PMT
// ===========================================================================

#[test]
fn npf_fv() {
    // [NPF] TestFv::test_float (rtol 1e-10) and test_when_is_begin_float.
    close_rel(
        fv(0.075, 20.0, -2000.0, 0.0, When::End),
        86609.362673042924,
        1e-10,
    );
    close_rel(
        fv(0.075, 20.0, -2000.0, 0.0, When::Begin),
        93105.064874,
        1e-10,
    );
    // test_broadcast: fv([[0.1],[0.2]], 5, 100, 0, [0, 1]).
    close_rel(fv(0.1, 5.0, 100.0, 0.0, When::End), -610.51, 1e-10);
    close_rel(fv(0.1, 5.0, 100.0, 0.0, When::Begin), -671.561, 1e-10);
    close_rel(fv(0.2, 5.0, 100.0, 0.0, When::End), -744.16, 1e-10);
    close_rel(fv(0.2, 5.0, 100.0, 0.0, When::Begin), -892.992, 1e-10);
    // test_some_rates_zero: fv(0, 5, 100, 0) = -500 exactly.
    assert_eq!(fv(0.0, 5.0, 100.0, 0.0, When::End), -500.0);
}

#[test]
fn npf_pv() {
    // [NPF] test_pv_decimal: -127128.1709461939327295222005.
    close_rel(
        pv(0.07, 20.0, 12000.0, 0.0, When::End),
        -127_128.170_946_193_93,
        1e-12,
    );
}

#[test]
fn npf_pmt() {
    // [NPF] test_pmt_decimal: -304.1459143262052370338701494; rate 0 -> -250.
    close_rel(
        pmt(0.08 / 12.0, 60.0, 15000.0, 0.0, When::End),
        -304.145_914_326_205_24,
        1e-12,
    );
    assert_eq!(pmt(0.0, 60.0, 15000.0, 0.0, When::End), -250.0);
    // test_pmt_decimal broadcast answers.
    close_rel(
        pmt(0.0, 12.0, 2000.0, 0.0, When::End),
        -166.666_666_666_666_67,
        1e-13,
    );
    close_rel(
        pmt(0.8, 3.0, 20000.0, 0.0, When::End),
        -19_311.258_278_145_695,
        1e-12,
    );
    close_rel(
        pmt(0.3, 12.0, 2000.0, 0.0, When::End),
        -626.908_140_170_075_77,
        1e-12,
    );
}

#[test]
fn xl_pmt() {
    // [XL-PMT]: 8% annual, 10 monthly payments, 10,000 loan.
    // =PMT(A2/12,A3,A4) = ($1,037.03); =PMT(A2/12,A3,A4,,1) = ($1,030.16).
    close(
        round(pmt(0.08 / 12.0, 10.0, 10000.0, 0.0, When::End), 2),
        -1037.03,
        1e-9,
    );
    close(
        round(pmt(0.08 / 12.0, 10.0, 10000.0, 0.0, When::Begin), 2),
        -1030.16,
        1e-9,
    );
    // Second example: saving 50,000 in 18 years at 6%:
    // =PMT(A9/12,A10*12,0,A11) = ($129.08).
    close(
        round(pmt(0.06 / 12.0, 18.0 * 12.0, 0.0, 50000.0, When::End), 2),
        -129.08,
        1e-9,
    );
}

#[test]
fn rate_zero_is_exact() {
    assert_eq!(fv(0.0, 10.0, -100.0, -1000.0, When::Begin), 2000.0);
    assert_eq!(pv(0.0, 10.0, -100.0, 500.0, When::End), 500.0);
    assert_eq!(pmt(0.0, 4.0, 1000.0, 200.0, When::Begin), -300.0);
    assert_eq!(ipmt(0.0, 2.0, 4.0, 1000.0, 0.0, When::End), 0.0);
    assert_eq!(ppmt(0.0, 2.0, 4.0, 1000.0, 0.0, When::End), -250.0);
}

// ===========================================================================
// IPMT / PPMT
// ===========================================================================

#[test]
fn npf_ipmt() {
    // [NPF] TestIpmt: ipmt(0.1/12, 1, 24, 2000) = -16.666667 (rtol 1e-6; the
    // decimal test gives -16.66666666666666666666666667).
    close_rel(
        ipmt(0.1 / 12.0, 1.0, 24.0, 2000.0, 0.0, When::End),
        -16.666_666_666_666_667,
        1e-12,
    );
    // test_when_is_begin: the first payment at period start carries no interest.
    assert_eq!(ipmt(0.1 / 12.0, 1.0, 24.0, 2000.0, 0.0, When::Begin), 0.0);
    // test_broadcasting: periods 0..4 -> [nan, -16.66666667, -16.03647345,
    // -15.40102862, -14.76028842] (rtol 1e-6).
    assert!(ipmt(0.1 / 12.0, 0.0, 24.0, 2000.0, 0.0, When::End).is_nan());
    let expected = [
        -16.666_666_67,
        -16.036_473_45,
        -15.401_028_62,
        -14.760_288_42,
    ];
    for (i, &e) in expected.iter().enumerate() {
        let per = (i + 1) as f64;
        close(ipmt(0.1 / 12.0, per, 24.0, 2000.0, 0.0, When::End), e, 5e-9);
    }
    // test_gh_17 (values from Google Sheets' IPMT), payments at period start.
    let r = 0.001988079518355057;
    assert_eq!(ipmt(r, 1.0, 360.0, 300000.0, 0.0, When::Begin), 0.0);
    close_rel(
        ipmt(r, 2.0, 360.0, 300000.0, 0.0, When::Begin),
        -594.107158,
        1e-6,
    );
    close_rel(
        ipmt(r, 3.0, 360.0, 300000.0, 0.0, When::Begin),
        -592.971592,
        1e-6,
    );
}

#[test]
fn npf_ppmt() {
    // [NPF] test_ppmt_decimal: -710.2541257864217612489830917.
    close_rel(
        ppmt(0.1 / 12.0, 1.0, 60.0, 55000.0, 0.0, When::End),
        -710.254_125_786_421_76,
        1e-12,
    );
    // test_ppmt_special_rate_decimal: -90238044.2322778884413969909.
    close_rel(
        ppmt(0.23 / 12.0, 1.0, 60.0, 10_000_000_000.0, 0.0, When::End),
        -90_238_044.232_277_888,
        1e-12,
    );
    // test_broadcast: ppmt(0.1/12, 1..4, 24, 2000) (to 4 decimals), and with
    // when = [0, 1, 'end', 'begin'].
    let end = [
        -75.623_186_01,
        -76.253_379_23,
        -76.888_824_05,
        -77.529_564_25,
    ];
    for (i, &e) in end.iter().enumerate() {
        let per = (i + 1) as f64;
        close(ppmt(0.1 / 12.0, per, 24.0, 2000.0, 0.0, When::End), e, 1e-8);
    }
    let whens = [When::End, When::Begin, When::End, When::Begin];
    let mixed = [
        -75.623_186_01,
        -75.623_186_01,
        -76.888_824_05,
        -76.888_824_05,
    ];
    for (i, (&w, &e)) in whens.iter().zip(&mixed).enumerate() {
        let per = (i + 1) as f64;
        close(ppmt(0.1 / 12.0, per, 24.0, 2000.0, 0.0, w), e, 1e-8);
    }
}

#[test]
fn xl_ipmt() {
    // [XL-IPMT]: 10% annual, 3-year loan of 8,000.
    // =IPMT(A2/12, A3, A4*12, A5), first month = ($66.67)
    close(
        round(ipmt(0.10 / 12.0, 1.0, 36.0, 8000.0, 0.0, When::End), 2),
        -66.67,
        1e-9,
    );
    // =IPMT(A2, 3, A4, A5), last year with yearly payments = ($292.45)
    close(
        round(ipmt(0.10, 3.0, 3.0, 8000.0, 0.0, When::End), 2),
        -292.45,
        1e-9,
    );
}

#[test]
fn xl_ppmt() {
    // [XL-PPMT]: =PPMT(A2/12, 1, A3*12, A4) with 10%, 2 years, 2,000 = ($75.62)
    close(
        round(ppmt(0.10 / 12.0, 1.0, 24.0, 2000.0, 0.0, When::End), 2),
        -75.62,
        1e-9,
    );
    // =PPMT(A8, A9, 10, A10) with 8%, year 10 of 10, 200,000 = ($27,598.05)
    close(
        round(ppmt(0.08, 10.0, 10.0, 200000.0, 0.0, When::End), 2),
        -27598.05,
        1e-9,
    );
}

#[test]
fn ipmt_ppmt_outside_the_term_are_nan() {
    // Excel: per must be between 1 and nper.
    assert!(ipmt(0.01, 0.0, 12.0, 100.0, 0.0, When::End).is_nan());
    assert!(ipmt(0.01, 13.0, 12.0, 100.0, 0.0, When::End).is_nan());
    assert!(ppmt(0.01, 13.0, 12.0, 100.0, 0.0, When::Begin).is_nan());
}

// ===========================================================================
// NPER / RATE
// ===========================================================================

#[test]
fn npf_nper() {
    // [NPF] TestNper::test_basic_values (rtol 1e-5, from Google Sheets' NPER)
    // and test_broadcast ([21.5449442, 20.76156441] to 4 decimals).
    close_rel(
        nper(0.075, -2000.0, 0.0, 100000.0, When::End),
        21.544944,
        1e-5,
    );
    close(
        nper(0.075, -2000.0, 0.0, 100000.0, When::End),
        21.544_944_2,
        1e-7,
    );
    close(
        nper(0.075, -2000.0, 0.0, 100000.0, When::Begin),
        20.761_564_41,
        1e-7,
    );
    assert_eq!(nper(0.0, -2000.0, 0.0, 100000.0, When::End), 50.0);
    // test_gh_18: nper(0.1, 0, -500, 1500) = 11.52670461 (Google Sheets).
    close(
        nper(0.1, 0.0, -500.0, 1500.0, When::End),
        11.526_704_61,
        1e-8,
    );
    // test_infinite_payments: nper(0, -0.0, 1000) = inf.
    assert_eq!(nper(0.0, -0.0, 1000.0, 0.0, When::End), f64::INFINITY);
    // test_no_interest: nper(0, -100, 1000) == 10.
    assert_eq!(nper(0.0, -100.0, 1000.0, 0.0, When::End), 10.0);
}

#[test]
fn xl_nper() {
    // [XL-NPER]: 12% annual, -100 per month, pv -1,000, fv 10,000.
    // =NPER(A2/12, A3, A4, A5, 1) = 59.6738657
    close(
        nper(0.12 / 12.0, -100.0, -1000.0, 10000.0, When::Begin),
        59.673_865_7,
        5e-8,
    );
    // =NPER(A2/12, A3, A4, A5) = 60.0821229
    close(
        nper(0.12 / 12.0, -100.0, -1000.0, 10000.0, When::End),
        60.082_122_9,
        5e-8,
    );
    // =NPER(A2/12, A3, A4) = -9.57859404 (fv 0: the "payback" lies in the past)
    close(
        nper(0.12 / 12.0, -100.0, -1000.0, 0.0, When::End),
        -9.578_594_04,
        5e-9,
    );
}

#[test]
fn npf_rate() {
    // [NPF] test_rate: 0.1107 (4 decimals); test_rate_decimal:
    // 0.1106908537142689284704528100. With pmt = 0 the exact answer is
    // (10000/3500)^(1/10) - 1 = 0.110690853710752806253825900629… (40-digit
    // decimal arithmetic); numpy's Decimal value is 3.5e-12 above it because its
    // Newton iteration stops at a step of 1e-6. We check the exact value tightly
    // and numpy's to the accuracy its own stopping rule gives.
    let r = rate(10.0, 0.0, -3500.0, 10000.0, When::End, None).unwrap();
    close(r, 0.110_690_853_710_752_81, 1e-15);
    close(r, 0.110_690_853_714_268_93, 1e-11);
    close(round(r, 4), 0.1107, 1e-12);
    // test_rate_with_infeasible_solution: pmt, pv, fv all positive -> NaN in
    // numpy, an error here, for either payment timing.
    for when in [When::End, When::Begin] {
        assert!(
            matches!(
                rate(12.0, 400.0, 10000.0, 5000.0, when, None),
                Err(TvmError::NoSolution(_))
            ),
            "{when:?}"
        );
    }
}

#[test]
fn xl_rate() {
    // [XL-RATE]: 4-year loan, -200 monthly, 8,000.
    // =RATE(A2*12, A3, A4) shown as 1% (0-decimal format; 0.77% to 2 decimals),
    // =RATE(A2*12, A3, A4)*12 = 9.24%.
    let monthly = rate(48.0, -200.0, 8000.0, 0.0, When::End, None).unwrap();
    close(round(monthly * 100.0, 0), 1.0, 1e-9);
    close(round(monthly * 100.0, 2), 0.77, 1e-9);
    close(round(monthly * 12.0 * 100.0, 2), 9.24, 1e-9);
}

#[test]
fn rate_rejects_bad_input() {
    assert!(matches!(
        rate(0.0, -1.0, 10.0, 0.0, When::End, None),
        Err(TvmError::InvalidInput(_))
    ));
    assert!(matches!(
        rate(10.0, f64::NAN, 10.0, 0.0, When::End, None),
        Err(TvmError::InvalidInput(_))
    ));
}

// ===========================================================================
// Payback (hand-computed)
// ===========================================================================

#[test]
fn payback_interpolates_within_the_period() {
    // Cumulative: -1000, -700, -300, +200 -> 2 + 300/500 = 2.6 periods.
    close(
        payback_period(&[-1000.0, 300.0, 400.0, 500.0]).unwrap(),
        2.6,
        1e-12,
    );
    // Exactly zero at the end of period 2.
    close(
        payback_period(&[-100.0, 50.0, 50.0, 10.0]).unwrap(),
        2.0,
        1e-12,
    );
    // A zero first flow: cumulative goes negative in period 1 and recovers
    // in period 3: 2 + 50/60.
    close(
        payback_period(&[0.0, -100.0, 50.0, 60.0]).unwrap(),
        2.0 + 50.0 / 60.0,
        1e-12,
    );
    // Never recovers / never negative.
    assert_eq!(payback_period(&[-1000.0, 300.0, 400.0]), None);
    assert_eq!(payback_period(&[10.0, 20.0]), Some(0.0));
}

#[test]
fn discounted_payback_is_later_than_simple() {
    let flows = [-1000.0, 300.0, 400.0, 500.0, 600.0];
    // Discounted at 10%: -1000, 272.73, 330.58, 375.66, 409.81.
    // Cumulative: -1000, -727.27, -396.69, -21.04, +388.77 -> 3 + 21.04/409.81.
    let d = discounted_payback(0.10, &flows).unwrap();
    let c3 = -1000.0 + 300.0 / 1.1 + 400.0 / 1.21 + 500.0 / 1.331;
    close(d, 3.0 + (-c3) / (600.0 / 1.4641), 1e-12);
    assert!(d > payback_period(&flows).unwrap());
    close(discounted_payback(0.0, &flows).unwrap(), 2.6, 1e-12);
    // At a rate above the IRR the discounted flows never pay back.
    let r = irr(&flows).unwrap();
    assert_eq!(discounted_payback(r + 0.05, &flows), None);
}

// ===========================================================================
// Invariants
// ===========================================================================

fn any_when() -> impl Strategy<Value = When> {
    prop_oneof![Just(When::End), Just(When::Begin)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Principal repayments over the term add up to the loan: Σ ppmt = −pv.
    #[test]
    fn loan_is_fully_repaid(
        r in 1e-4..0.3f64,
        n in 1u32..360,
        loan in 1.0..1e7f64,
        when in any_when(),
    ) {
        let nper_f = f64::from(n);
        let total: f64 = (1..=n)
            .map(|k| ppmt(r, f64::from(k), nper_f, loan, 0.0, when))
            .sum();
        prop_assert!((total + loan).abs() <= 1e-8 * loan, "sum ppmt = {total}, pv = {loan}");
    }

    /// Each payment splits into interest and principal: ipmt + ppmt = pmt, and
    /// (payments at period end) the interest is the rate times the balance of an
    /// explicitly simulated amortisation schedule.
    #[test]
    fn payment_splits_into_interest_and_principal(
        r in 1e-4..0.3f64,
        n in 1u32..360,
        loan in 1.0..1e7f64,
        when in any_when(),
    ) {
        let nper_f = f64::from(n);
        let payment = pmt(r, nper_f, loan, 0.0, when);
        let mut balance = loan;
        for k in 1..=n {
            let per = f64::from(k);
            let i = ipmt(r, per, nper_f, loan, 0.0, when);
            let p = ppmt(r, per, nper_f, loan, 0.0, when);
            prop_assert!((i + p - payment).abs() <= 1e-9 * payment.abs());
            if when == When::End {
                prop_assert!((i - (-balance * r)).abs() <= 1e-8 * loan);
                balance += p; // p is negative: principal repaid
            }
        }
    }

    /// NPV at the IRR is zero for a conventional investment (one outlay, then
    /// receipts), and the IRR is unique.
    #[test]
    fn npv_at_irr_is_zero(
        outlay in 1.0..1e6f64,
        receipts in prop::collection::vec(0.01..1e5f64, 1..40),
    ) {
        let mut flows = vec![-outlay];
        flows.extend(receipts);
        let r = irr(&flows).expect("one sign change has a unique IRR");
        prop_assert!(relative_npv(r, &flows) <= 1e-9, "npv({r}) = {}", npv(r, &flows));
    }

    /// RATE and NPER invert PMT.
    #[test]
    fn rate_and_nper_invert_pmt(
        r in 1e-3..0.3f64,
        n in 2u32..360,
        loan in 100.0..1e7f64,
        when in any_when(),
    ) {
        let nper_f = f64::from(n);
        let payment = pmt(r, nper_f, loan, 0.0, when);
        let solved = rate(nper_f, payment, loan, 0.0, when, None).unwrap();
        prop_assert!((solved - r).abs() <= 1e-9, "rate {solved} vs {r}");
        // NPER is ill-conditioned once (1+r)^n is huge: the payment then hardly
        // depends on the term (an almost perpetual loan), and the formula's
        // (pv + z) cancels to relative accuracy ~ eps·(1+r)^n. Check it where
        // the question is well posed.
        if (1.0 + r).powf(nper_f) <= 1e6 {
            let periods = nper(r, payment, loan, 0.0, when);
            prop_assert!((periods - nper_f).abs() <= 1e-6 * nper_f, "nper {periods} vs {n}");
        }
    }

    /// An annuity's IRR is its RATE; FV and PV are consistent.
    #[test]
    fn annuity_irr_matches_rate_and_pv_fv_agree(
        r in 1e-3..0.3f64,
        n in 1usize..120,
        payment in 1.0..1e5f64,
    ) {
        let nper_f = n as f64;
        let price = pv(r, nper_f, payment, 0.0, When::End); // negative: paid
        let mut flows = vec![price];
        flows.resize(n + 1, payment);
        let found = irr(&flows).unwrap();
        prop_assert!((found - r).abs() <= 1e-9, "irr {found} vs {r}");
        // FV of the fair price plus the payments is zero, up to rounding of the
        // two terms it cancels, each about |price|·(1+r)^n.
        let future = fv(r, nper_f, payment, price, When::End);
        let magnitude = price.abs() * (1.0 + r).powf(nper_f);
        prop_assert!(future.abs() <= 1e-12 * magnitude, "fv of a fair annuity = {future}");
    }
}
