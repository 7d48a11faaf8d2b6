//! Pillars: strength from a published formula against the tributary-area load, the safety
//! factor, the extraction ratio, and pillars sized for a minimum safety factor.
//!
//! - Bieniawski (1984), square pillars: `S = S1 (0.64 + 0.36 w/h)`.
//! - Mark-Bieniawski (Mark & Chase 1997, ARMPS), rectangular pillars:
//!   `S = S1 (0.64 + 0.54 w/h - 0.18 w^2/(L h))`; for a square pillar (`L = w`) it is
//!   Bieniawski's.
//! - Salamon & Munro (1967): `S = K h^-0.66 w^0.46` (MPa, m; K = 7.176 MPa for South
//!   African coal).
//! - Tributary-area load: `sigma = rho g H (C1 C2) / (w L)`, with C1, C2 the centres
//!   across and along the panel and `w = C1 - B`, `L = C2 - B` for openings `B` wide.
//! - Extraction ratio `e = 1 - w L / (C1 C2)`.

use super::config::{PillarConfig, PillarFormula};

/// Standard gravity, m/s2.
const G: f64 = 9.806_65;

/// Pillar strength, MPa, of a `w` x `l` pillar `h` high (m) by `formula` with in-situ
/// strength `s1` (K for Salamon-Munro), MPa. `w` is the smaller side.
pub fn strength_mpa(formula: PillarFormula, s1: f64, w: f64, l: f64, h: f64) -> f64 {
    match formula {
        PillarFormula::Bieniawski => s1 * (0.64 + 0.36 * w / h),
        PillarFormula::MarkBieniawski => s1 * (0.64 + 0.54 * w / h - 0.18 * w * w / (l * h)),
        PillarFormula::SalamonMunro => s1 * h.powf(-0.66) * w.powf(0.46),
    }
}

/// Tributary-area vertical stress on a pillar, MPa: overburden of `density` t/m3 over
/// `depth_m`, times centres `c1` x `c2` over the pillar's `w` x `l`.
pub fn tributary_stress_mpa(density: f64, depth_m: f64, c1: f64, c2: f64, w: f64, l: f64) -> f64 {
    density * 1_000.0 * G * depth_m / 1e6 * (c1 * c2) / (w * l)
}

/// Extraction ratio of pillars `w` x `l` on centres `c1` x `c2`.
pub fn extraction_ratio(c1: f64, c2: f64, w: f64, l: f64) -> f64 {
    1.0 - (w * l) / (c1 * c2)
}

/// The pillar check of one manto.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PillarCheck {
    /// Manto name.
    pub manto: String,
    /// Pillar height (the manto's thickness), m.
    pub height_m: f64,
    /// Pillar width and length, m (as designed, or sized).
    pub width_m: f64,
    /// Pillar length, m.
    pub length_m: f64,
    /// Strength, MPa.
    pub strength_mpa: f64,
    /// Tributary-area stress, MPa.
    pub stress_mpa: f64,
    /// Safety factor.
    pub safety_factor: f64,
    /// Extraction ratio of the declared geometry.
    pub extraction_declared: f64,
    /// Extraction ratio used (the sized pillars' when sized, else the declared).
    pub extraction: f64,
    /// Factor on the panels' tonnes: extraction / extraction_declared.
    pub tonnage_factor: f64,
}

/// Checks (or, with `cfg.size`, sizes) the pillars of a panel with entries `b` wide on
/// centres `c1` x `c2`, `h` high. Sizing keeps the declared pillar's aspect ratio and
/// scales it until the safety factor is the minimum (bisection to 1 mm).
pub fn check(cfg: &PillarConfig, manto: &str, b: f64, c1: f64, c2: f64, h: f64) -> PillarCheck {
    let (w0, l0) = ((c1 - b).min(c2 - b), (c1 - b).max(c2 - b));
    let sf = |w: f64, l: f64| {
        strength_mpa(cfg.formula, cfg.strength_mpa, w, l, h)
            / tributary_stress_mpa(
                cfg.overburden_density_t_per_m3,
                cfg.depth_of_cover_m,
                w + b,
                l + b,
                w,
                l,
            )
    };
    let e0 = extraction_ratio(c1, c2, w0, l0);
    let (w, l) = if cfg.size {
        let aspect = l0 / w0;
        let (mut lo, mut hi) = (0.1_f64, 500.0_f64);
        if sf(hi, hi * aspect) < cfg.min_safety_factor {
            (hi, hi * aspect)
        } else {
            while hi - lo > 1e-3 {
                let mid = 0.5 * (lo + hi);
                if sf(mid, mid * aspect) >= cfg.min_safety_factor {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            (hi, hi * aspect)
        }
    } else {
        (w0, l0)
    };
    let strength = strength_mpa(cfg.formula, cfg.strength_mpa, w, l, h);
    let stress = tributary_stress_mpa(
        cfg.overburden_density_t_per_m3,
        cfg.depth_of_cover_m,
        w + b,
        l + b,
        w,
        l,
    );
    let e = extraction_ratio(w + b, l + b, w, l);
    PillarCheck {
        manto: manto.to_string(),
        height_m: h,
        width_m: w,
        length_m: l,
        strength_mpa: strength,
        stress_mpa: stress,
        safety_factor: strength / stress,
        extraction_declared: e0,
        extraction: e,
        tonnage_factor: e / e0,
    }
}
