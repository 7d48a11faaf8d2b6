//! Grade that varies: each underground panel's grades drawn around its manto's mean from a
//! spatial model (`[deposit.grade]`), so that head grade moves with what is mined.
//!
//! The model (docs/ore-plant.md, "Grade variability"):
//! - At point (composite) support the natural log of each metal's grade, Y(x), is Gaussian
//!   with a spherical variogram γ(h) = c0 + c·sph(h/a) for h > 0 (nugget c0, total sill
//!   c0 + c, range a); the four metals share it (one structure, the intrinsic model of
//!   coregionalisation) and their normal scores are correlated by a declared 4×4 matrix.
//! - Change of support to a panel V by the average covariance (Journel and Huijbregts 1978,
//!   *Mining Geostatistics*, ch. II; Isaaks and Srivastava 1989, ch. 19): with grade
//!   Z = m·exp(Y − σ²/2), the covariance of two panel averages is
//!   m²·(E[exp(C_Y(x − y))] − 1), x uniform in V_i, y uniform in V_j, and the panel grades
//!   are taken jointly lognormal with those means and covariances (permanence of
//!   lognormality), i.e. ln Z_V ~ N(ln m − s_ii/2, S) with
//!   S_ij = ln E[exp(C_Y(x − y))]. The nugget is variability at composite support and
//!   averages out of a panel (its share of a panel's variance is c0 × composite ÷ panel
//!   volume), so it does not enter S.
//! - Geometry: a panel is a rectangle in plan (the manto is thin); its area is its tonnage
//!   ÷ (mining thickness × dry density), its width `panel_width_m` (default: square); a
//!   mine's panels in one manto lie end to end along a line in mining order. Panels of
//!   different mines or mantos are independent.
//! - Draws: panel p of mine i in trial k reads four standard normals from
//!   `StreamKey::root(seed).child(GRADE_STREAMS).child(k).child(i).child(p)`, so a trial's
//!   grades depend on nothing but (scenario, seed, trial).

use crate::layout::{Grades, LayoutConfig};
use des::input::Invalid;
use des::StreamKey;
use serde::{Deserialize, Serialize};

/// Domain tag of the grade streams.
pub const GRADE_STREAMS: u64 = 0x6AD3_5EED;

/// Largest total sill of ln grade: 4 is a coefficient of variation of about 740% at
/// composite support, beyond any base-metal deposit's.
pub const MAX_SILL: f64 = 4.0;

/// Points per axis of the midpoint rule for the average covariance over the region where
/// the covariance is not zero (at most 2a × 2a): spacing a/32.
const GRID: usize = 64;

/// `[deposit.grade]`: the spatial model of grade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeConfig {
    /// Nugget of the point variogram of ln grade (dimensionless, a variance).
    #[serde(default)]
    pub nugget: f64,
    /// Total sill of the point variogram of ln grade, nugget included: the variance of ln
    /// grade between composites far apart.
    pub sill: f64,
    /// Range of the spherical structure, m.
    pub range_m: f64,
    /// Correlation of the metals' normal scores, rows and columns Cu, Co, Zn, Mn; the
    /// identity when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<Vec<Vec<f64>>>,
    /// Panel width across the mining direction, m; absent: square panels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_width_m: Option<f64>,
}

impl GradeConfig {
    /// Problems under `path` (e.g. "deposit.grade").
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        des::input::check_range(
            &mut out,
            format!("{path}.sill"),
            "sill",
            self.sill,
            (0.0, MAX_SILL),
            "",
        );
        if !(self.nugget >= 0.0 && self.nugget <= self.sill) {
            out.push(Invalid::new(
                format!("{path}.nugget"),
                "must be between 0 and the sill (the total sill includes the nugget)",
            ));
        }
        des::input::check_range(
            &mut out,
            format!("{path}.range_m"),
            "range",
            self.range_m,
            (0.1, 100_000.0),
            " m",
        );
        if let Some(w) = self.panel_width_m {
            des::input::check_range(
                &mut out,
                format!("{path}.panel_width_m"),
                "panel width",
                w,
                (1.0, 100_000.0),
                " m",
            );
        }
        if let Some(r) = &self.correlation {
            let p = format!("{path}.correlation");
            if r.len() != 4 || r.iter().any(|row| row.len() != 4) {
                out.push(Invalid::new(p, "must be 4 rows of 4 (Cu, Co, Zn, Mn)"));
            } else if (0..4).any(|i| r[i][i] != 1.0) {
                out.push(Invalid::new(p, "the diagonal must be 1"));
            } else if (0..4).any(|i| (0..4).any(|j| r[i][j] != r[j][i] || !(r[i][j].abs() <= 1.0)))
            {
                out.push(Invalid::new(
                    p,
                    "must be symmetric with entries between -1 and 1",
                ));
            } else if cholesky(r).is_none() {
                out.push(Invalid::new(
                    p,
                    "is not positive definite (no set of four metals can have these correlations)",
                ));
            }
        }
        out
    }

    /// The partial sill c of the spherical structure.
    pub fn structure(&self) -> f64 {
        (self.sill - self.nugget).max(0.0)
    }

    /// ln E[exp(C_Y(x − y))] for x uniform in panel `a`, y in panel `b` (see the module).
    pub fn log_cov(&self, a: &Rect, b: &Rect) -> f64 {
        mean_exp_cov(self.structure(), self.range_m, a, b).ln()
    }
}

/// A panel in plan: its centre along the mine's line, length along it and width across, m.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Rect {
    /// Centre along the line, m.
    pub centre_m: f64,
    /// Length along the line, m.
    pub length_m: f64,
    /// Width across, m.
    pub width_m: f64,
}

/// Spherical correlation ρ(h) = 1 − 1.5 h/a + 0.5 (h/a)³ for h < a, 0 beyond.
fn spherical(h: f64, a: f64) -> f64 {
    if h >= a {
        0.0
    } else {
        let r = h / a;
        1.0 - 1.5 * r + 0.5 * r * r * r
    }
}

/// Density at `t` of Y − X for X uniform on [−p/2, p/2], Y on [d − q/2, d + q/2]: a
/// trapezoid (the convolution of two uniform densities).
fn trapezoid(t: f64, d: f64, p: f64, q: f64) -> f64 {
    let (lo, hi) = (p.min(q), p.max(q));
    let x = (t - d).abs();
    let half_sum = (lo + hi) / 2.0;
    let half_diff = (hi - lo) / 2.0;
    if x >= half_sum {
        0.0
    } else if x <= half_diff {
        1.0 / hi
    } else {
        (half_sum - x) / (lo * hi)
    }
}

/// E[exp(c·ρ(|y − x|))] for x uniform in `a`, y uniform in `b`: 1 plus the integral of
/// f_u f_v (exp(c ρ) − 1) over the square |u|, |v| < range where ρ is not zero (midpoint
/// rule, [`GRID`] points per axis), u along the line and v across.
pub fn mean_exp_cov(c: f64, range: f64, a: &Rect, b: &Rect) -> f64 {
    if c == 0.0 {
        return 1.0;
    }
    let d = b.centre_m - a.centre_m;
    let (u_lo, u_hi) = (
        (d - (a.length_m + b.length_m) / 2.0).max(-range),
        (d + (a.length_m + b.length_m) / 2.0).min(range),
    );
    let v_half = ((a.width_m + b.width_m) / 2.0).min(range);
    if u_lo >= u_hi {
        return 1.0;
    }
    let (du, dv) = ((u_hi - u_lo) / GRID as f64, 2.0 * v_half / GRID as f64);
    let fv: Vec<(f64, f64)> = (0..GRID)
        .map(|j| {
            let v = -v_half + (j as f64 + 0.5) * dv;
            (v, trapezoid(v, 0.0, a.width_m, b.width_m))
        })
        .collect();
    let mut sum = 0.0;
    for i in 0..GRID {
        let u = u_lo + (i as f64 + 0.5) * du;
        let fu = trapezoid(u, d, a.length_m, b.length_m);
        if fu == 0.0 {
            continue;
        }
        let mut row = 0.0;
        for &(v, f) in &fv {
            let h = (u * u + v * v).sqrt();
            if h < range {
                row += f * (c * spherical(h, range)).exp_m1();
            }
        }
        sum += fu * row;
    }
    1.0 + sum * du * dv
}

/// Lower-triangular Cholesky factor of a symmetric positive definite matrix, or `None`.
pub fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if !(d > 1e-12) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// One underground panel as the pool deals it: its mine, manto and tonnage.
#[derive(Copy, Clone, Debug)]
pub struct PanelSpec {
    /// Mine index.
    pub mine: usize,
    /// Manto index.
    pub manto: usize,
    /// Panel tonnage, dry t (as declared, before any ground factor).
    pub dry_t: f64,
}

/// The panels of every mine in mining order, as `[deposit.mines]` declares them.
pub fn panel_specs(layout: &LayoutConfig) -> Vec<Vec<PanelSpec>> {
    layout
        .mines
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            m.panels
                .iter()
                .flat_map(|run| {
                    let manto = layout.manto_index(&run.manto).expect("validated manto");
                    std::iter::repeat_n(
                        PanelSpec {
                            mine: mi,
                            manto,
                            dry_t: run.dry_t,
                        },
                        run.count as usize,
                    )
                })
                .collect()
        })
        .collect()
}

/// The plan rectangles of one mine's panels of one manto (in mining order, end to end),
/// given their tonnages, the manto's thickness and the dry in-situ density.
pub fn rects(cfg: &GradeConfig, dry_t: &[f64], thickness_m: f64, dry_density: f64) -> Vec<Rect> {
    let mut at = 0.0;
    dry_t
        .iter()
        .map(|t| {
            let area = t / (thickness_m * dry_density);
            let width = cfg.panel_width_m.unwrap_or_else(|| area.sqrt());
            let length = area / width;
            let r = Rect {
                centre_m: at + length / 2.0,
                length_m: length,
                width_m: width,
            };
            at += length;
            r
        })
        .collect()
}

/// Most panels of one line within a range of one another (the band of the log-covariance
/// matrix, which bounds the work of a trial: panels × band² for its factor).
pub const MAX_BAND: usize = 256;

/// A symmetric band (skyline) matrix by rows: row i holds columns `start[i]..=i`.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// First stored column of each row.
    pub start: Vec<usize>,
    /// Row i's entries, columns `start[i]..=i`.
    pub rows: Vec<Vec<f64>>,
}

impl Band {
    /// Entry (i, j), j ≤ i (zero outside the band).
    pub fn at(&self, i: usize, j: usize) -> f64 {
        if j < self.start[i] {
            0.0
        } else {
            self.rows[i][j - self.start[i]]
        }
    }

    /// The Cholesky factor in the same skyline (a band matrix's factor keeps its band), or
    /// `None` when the matrix is not positive definite.
    pub fn cholesky(&self) -> Option<Band> {
        let n = self.rows.len();
        let mut l = Band {
            start: self.start.clone(),
            rows: self.rows.iter().map(|r| vec![0.0; r.len()]).collect(),
        };
        for i in 0..n {
            for j in self.start[i]..=i {
                let k0 = self.start[i].max(l.start[j]);
                let s: f64 = (k0..j).map(|k| l.at(i, k) * l.at(j, k)).sum();
                let v = if i == j {
                    let d = self.at(i, i) - s;
                    if !(d > 1e-12) {
                        return None;
                    }
                    d.sqrt()
                } else {
                    (self.at(i, j) - s) / l.at(j, j)
                };
                l.rows[i][j - l.start[i]] = v;
            }
        }
        Some(l)
    }
}

/// The index of the first panel within a range of panel `i` (panels end to end in order).
fn band_start(rects: &[Rect], i: usize, range: f64) -> usize {
    let b = &rects[i];
    (0..=i)
        .find(|&j| {
            let a = &rects[j];
            (b.centre_m - b.length_m / 2.0) - (a.centre_m + a.length_m / 2.0) < range
        })
        .unwrap_or(i)
}

/// The widest band of a line of panels (see [`MAX_BAND`]).
pub fn band_width(rects: &[Rect], range: f64) -> usize {
    (0..rects.len())
        .map(|i| i + 1 - band_start(rects, i, range))
        .max()
        .unwrap_or(0)
}

/// The log-covariance matrix S of a line of panels (see the module), zero where panels are
/// a range or more apart, memoised over identical (length, length, width, width, offset).
pub fn log_cov_matrix(cfg: &GradeConfig, rects: &[Rect]) -> Band {
    let mut memo: std::collections::HashMap<[u64; 5], f64> = std::collections::HashMap::new();
    let start: Vec<usize> = (0..rects.len())
        .map(|i| band_start(rects, i, cfg.range_m))
        .collect();
    let rows = (0..rects.len())
        .map(|i| {
            (start[i]..=i)
                .map(|j| {
                    let (a, b) = (&rects[j], &rects[i]);
                    let key = [
                        a.length_m.to_bits(),
                        b.length_m.to_bits(),
                        a.width_m.to_bits(),
                        b.width_m.to_bits(),
                        (b.centre_m - a.centre_m).to_bits(),
                    ];
                    *memo.entry(key).or_insert_with(|| cfg.log_cov(a, b))
                })
                .collect()
        })
        .collect();
    Band { start, rows }
}

/// Problems with the grade model's geometry under `path`: more than [`MAX_BAND`] panels of
/// one line within a range of each other.
pub fn validate_geometry(
    cfg: &GradeConfig,
    layout: &LayoutConfig,
    dry_density: f64,
    path: &str,
) -> Vec<Invalid> {
    for panels in panel_specs(layout) {
        for (manto, tonnes) in lines(&panels) {
            let r = rects(cfg, &tonnes, layout.mantos[manto].thickness_m, dry_density);
            let w = band_width(&r, cfg.range_m);
            if w > MAX_BAND {
                return vec![Invalid::new(
                    format!("{path}.range_m"),
                    format!(
                        "{w} panels of manto `{}` lie within a range of one another; at most {MAX_BAND} may (a shorter range or larger panels)",
                        layout.mantos[manto].name
                    ),
                )];
            }
        }
    }
    Vec::new()
}

/// One mine's panels grouped by manto (each group a line, in mining order): (manto,
/// tonnages).
fn lines(panels: &[PanelSpec]) -> Vec<(usize, Vec<f64>)> {
    let mut mantos: Vec<usize> = panels.iter().map(|p| p.manto).collect();
    mantos.sort_unstable();
    mantos.dedup();
    mantos
        .into_iter()
        .map(|m| {
            let t = panels
                .iter()
                .filter(|p| p.manto == m)
                .map(|p| p.dry_t)
                .collect();
            (m, t)
        })
        .collect()
}

/// Every panel's grades in trial `trial`, per mine in mining order: the manto's grades
/// exactly when the structure is zero (no draw is made), else the model's lognormal draw.
pub fn panel_grades(
    cfg: &GradeConfig,
    layout: &LayoutConfig,
    dry_density: f64,
    seed: u64,
    trial: u64,
) -> Vec<Vec<Grades>> {
    let specs = panel_specs(layout);
    let mean = |p: &PanelSpec| layout.mantos[p.manto].grades;
    if cfg.structure() == 0.0 {
        return specs.iter().map(|m| m.iter().map(mean).collect()).collect();
    }
    let corr = cfg.correlation.clone().unwrap_or_else(|| {
        (0..4)
            .map(|i| (0..4).map(|j| f64::from(u8::from(i == j))).collect())
            .collect()
    });
    let lm = cholesky(&corr).expect("validated correlation");
    let key = StreamKey::root(seed).child(GRADE_STREAMS).child(trial);
    specs
        .iter()
        .enumerate()
        .map(|(mi, panels)| {
            // Independent normals per panel, from the panel's own stream.
            let z: Vec<[f64; 4]> = (0..panels.len())
                .map(|p| {
                    let mut rng = key.child(mi as u64).child(p as u64).stream();
                    let (a, b) = (box_muller(&mut rng), box_muller(&mut rng));
                    [a.0, a.1, b.0, b.1]
                })
                .collect();
            let mut out: Vec<Grades> = panels.iter().map(mean).collect();
            // Each manto of this mine is one line of panels.
            let mut mantos: Vec<usize> = panels.iter().map(|p| p.manto).collect();
            mantos.sort_unstable();
            mantos.dedup();
            for manto in mantos {
                let idx: Vec<usize> = (0..panels.len())
                    .filter(|&p| panels[p].manto == manto)
                    .collect();
                let tonnes: Vec<f64> = idx.iter().map(|&p| panels[p].dry_t).collect();
                let r = rects(cfg, &tonnes, layout.mantos[manto].thickness_m, dry_density);
                let s = log_cov_matrix(cfg, &r);
                let ls = s.cholesky().unwrap_or_else(|| diagonal_root(&s));
                let m = layout.mantos[manto].grades;
                let means = [m.cu_pct, m.co_pct, m.zn_pct, m.mn_pct];
                for (a, &p) in idx.iter().enumerate() {
                    // Spatial: w_k = (L_s z_k)_a; across metals: ξ = L_m w.
                    let mut w = [0.0; 4];
                    for (k, wk) in w.iter_mut().enumerate() {
                        *wk = (ls.start[a]..=a).map(|b| ls.at(a, b) * z[idx[b]][k]).sum();
                    }
                    let var = s.at(a, a);
                    let g: [f64; 4] = std::array::from_fn(|k| {
                        let xi: f64 = (0..=k).map(|l| lm[k][l] * w[l]).sum();
                        (means[k] * (xi - var / 2.0).exp()).min(100.0)
                    });
                    out[p] = Grades {
                        cu_pct: g[0],
                        co_pct: g[1],
                        zn_pct: g[2],
                        mn_pct: g[3],
                    };
                }
            }
            out
        })
        .collect()
}

/// Two independent standard normals from two uniforms (Box and Muller 1958, Ann. Math.
/// Stat. 29(2)): √(−2 ln U1) (cos 2πU2, sin 2πU2), U1 in (0, 1].
fn box_muller(rng: &mut des::random::Stream) -> (f64, f64) {
    use rand::Rng;
    let u1 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

/// The factor of the diagonal alone (panels independent, each with its own variance): the
/// deterministic fallback for a log-covariance matrix that rounding has left not quite
/// positive definite (docs/ore-plant.md).
fn diagonal_root(s: &Band) -> Band {
    let n = s.rows.len();
    Band {
        start: (0..n).collect(),
        rows: (0..n).map(|i| vec![s.at(i, i).max(0.0).sqrt()]).collect(),
    }
}

/// `[deposit.dilution]`: planned dilution, a skin of waste cut with the ore of every
/// underground panel, at its own grades.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DilutionConfig {
    /// Waste as % of ore tonnes (give this or `skin_m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_pct: Option<f64>,
    /// Thickness of waste cut with the ore (roof and floor together), m: waste ÷ ore =
    /// skin ÷ the manto's mining thickness (same density assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skin_m: Option<f64>,
    /// Grades of the waste, % (0 when absent).
    #[serde(flatten)]
    pub grades: Grades,
    /// Clay content of the waste, % of dry waste (read by `[plant.metallurgy]`; 0 absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clay_pct: Option<f64>,
}

impl DilutionConfig {
    /// Problems under `path` (e.g. "deposit.dilution").
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        match (self.planned_pct, self.skin_m) {
            (Some(_), Some(_)) | (None, None) => out.push(Invalid::new(
                format!("{path}.planned_pct"),
                "give one of planned_pct (waste as % of ore) or skin_m (waste thickness)",
            )),
            (Some(p), None) => des::input::check_range(
                &mut out,
                format!("{path}.planned_pct"),
                "planned dilution",
                p,
                (0.0, 100.0),
                " %",
            ),
            (None, Some(m)) => des::input::check_range(
                &mut out,
                format!("{path}.skin_m"),
                "waste skin",
                m,
                (0.0, 5.0),
                " m",
            ),
        }
        for (k, v) in [
            ("cu_pct", self.grades.cu_pct),
            ("co_pct", self.grades.co_pct),
            ("zn_pct", self.grades.zn_pct),
            ("mn_pct", self.grades.mn_pct),
            ("clay_pct", self.clay_pct.unwrap_or(0.0)),
        ] {
            des::input::check_range(
                &mut out,
                format!("{path}.{k}"),
                "a grade",
                v,
                (0.0, 100.0),
                " %",
            );
        }
        out
    }

    /// Waste per tonne of ore in a manto of mining thickness `thickness_m`.
    pub fn ratio(&self, thickness_m: f64) -> f64 {
        match (self.planned_pct, self.skin_m) {
            (Some(p), _) => p / 100.0,
            (None, Some(m)) => m / thickness_m,
            (None, None) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(nugget: f64, sill: f64, range_m: f64) -> GradeConfig {
        GradeConfig {
            nugget,
            sill,
            range_m,
            correlation: None,
            panel_width_m: None,
        }
    }

    fn square(centre_m: f64, side: f64) -> Rect {
        Rect {
            centre_m,
            length_m: side,
            width_m: side,
        }
    }

    #[test]
    fn change_of_support_meets_its_closed_forms() {
        // Range much larger than the panel: C_Y(h) ≈ c (1 − 1.5 h/a), so
        // S ≈ c (1 − 1.5 E|x − y| / a), E|x − y| = 0.521405 L in a square of side L
        // ((2 + √2 + 5 ln(1 + √2)) / 15).
        let (c, a, l) = (0.3, 1e5, 400.0);
        let mean_dist = (2.0 + 2f64.sqrt() + 5.0 * (1.0 + 2f64.sqrt()).ln()) / 15.0 * l;
        let s = cfg(0.0, c, a).log_cov(&square(0.0, l), &square(0.0, l));
        let want = c * (1.0 - 1.5 * mean_dist / a);
        assert!((s - want).abs() < 1e-4 * c, "{s} vs {want}");
        // Range much smaller: S ≈ ∫ (e^{C} − 1) dA / area ≈ c π a² / 5 / area (the
        // spherical correlation integrates to π a² / 5 over the plane), within the
        // O(c) and O(a/L) terms (about 1%).
        let (c, a, l) = (0.01, 20.0, 2000.0);
        let s = cfg(0.0, c, a).log_cov(&square(0.0, l), &square(0.0, l));
        let want = c * std::f64::consts::PI * a * a / 5.0 / (l * l);
        assert!((s / want - 1.0).abs() < 0.02, "{s} vs {want}");
        // Panels a range apart do not covary; the nugget never enters.
        let g = cfg(0.2, 0.5, 100.0);
        assert_eq!(g.log_cov(&square(0.0, 100.0), &square(200.0, 100.0)), 0.0);
        assert_eq!(
            g.log_cov(&square(0.0, 100.0), &square(0.0, 100.0)),
            cfg(0.0, 0.3, 100.0).log_cov(&square(0.0, 100.0), &square(0.0, 100.0))
        );
    }

    #[test]
    fn average_covariance_matches_point_pairs() {
        // Two adjacent 60 m × 40 m panels, range 50 m: the average of exp(C_Y) over point
        // pairs, brute force on 40 × 40 points in each panel.
        let (c, a) = (0.8, 50.0);
        let p = Rect {
            centre_m: 0.0,
            length_m: 60.0,
            width_m: 40.0,
        };
        let q = Rect {
            centre_m: 60.0,
            ..p
        };
        let pts = |r: &Rect| -> Vec<(f64, f64)> {
            let n = 40;
            (0..n * n)
                .map(|k| {
                    let (i, j) = (k / n, k % n);
                    (
                        r.centre_m - r.length_m / 2.0 + (i as f64 + 0.5) * r.length_m / n as f64,
                        -r.width_m / 2.0 + (j as f64 + 0.5) * r.width_m / n as f64,
                    )
                })
                .collect()
        };
        for (x, y) in [(&p, &p), (&p, &q)] {
            let (px, py) = (pts(x), pts(y));
            let mut sum = 0.0;
            for u in &px {
                for v in &py {
                    let h = ((u.0 - v.0).powi(2) + (u.1 - v.1).powi(2)).sqrt();
                    sum += (c * spherical(h, a)).exp();
                }
            }
            let brute = sum / (px.len() * py.len()) as f64;
            let got = mean_exp_cov(c, a, x, y);
            assert!((got / brute - 1.0).abs() < 5e-3, "{got} vs {brute}");
        }
    }

    fn layout(panels: u32) -> LayoutConfig {
        toml::from_str(&format!(
            r#"
mantos = [{{ name = "m", reserve_dry_t = 1e9, thickness_m = 2.5, cu_pct = 1.5, co_pct = 0.07, zn_pct = 0.6, mn_pct = 3.0 }}]
mines = [{{ name = "A", section_start_years = [1], panel_move_days = 7, panels = [{{ manto = "m", count = {panels}, dry_t = 100000 }}] }}]
"#
        ))
        .unwrap()
    }

    #[test]
    fn zero_variance_grades_reproduce_the_manto_grades_exactly() {
        let l = layout(5);
        for g in panel_grades(&cfg(0.2, 0.2, 100.0), &l, 2.0, 7, 3)
            .iter()
            .flatten()
        {
            assert_eq!(*g, l.mantos[0].grades);
        }
        // With a structure they move.
        let g = panel_grades(&cfg(0.0, 0.2, 100.0), &l, 2.0, 7, 3);
        assert_ne!(g[0][0], l.mantos[0].grades);
    }

    #[test]
    fn panel_grades_match_their_declared_statistics() {
        // 8 square panels of 100,000 t at 2.5 m and 2 t/m³ (141 m a side) along a line;
        // point sill 0.5 with nugget 0.1 (structure 0.4), range 300 m; Cu–Co correlation
        // 0.6. Over N trials, at panel 0 and lags 1 to 3 (one pair per trial, so the
        // terms are independent): the mean grade, the variance of ln grade, the
        // semivariogram of ln grade and the Cu–Co correlation within 4 standard errors.
        let mut g = cfg(0.1, 0.5, 300.0);
        let rho = 0.6;
        g.correlation = Some(vec![
            vec![1.0, rho, 0.3, 0.0],
            vec![rho, 1.0, 0.2, 0.0],
            vec![0.3, 0.2, 1.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0],
        ]);
        let l = layout(8);
        let r = rects(&g, &[100_000.0; 8], 2.5, 2.0);
        let s = log_cov_matrix(&g, &r);
        let n = 4000;
        let draws: Vec<Vec<Grades>> = (0..n)
            .map(|k| panel_grades(&g, &l, 2.0, 11, k).remove(0))
            .collect();
        let nf = n as f64;
        let m = 1.5;
        let ln = |x: &Grades| (x.cu_pct / m).ln();
        // Mean grade.
        let s00 = s.at(0, 0);
        let mean = draws.iter().map(|d| d[0].cu_pct).sum::<f64>() / nf;
        let se = (m * m * s00.exp_m1() / nf).sqrt();
        assert!((mean - m).abs() < 4.0 * se, "mean {mean}, se {se}");
        // Variance of ln grade (the mean of ln(Z/m) is −S00/2).
        let mu = -s00 / 2.0;
        let var = draws.iter().map(|d| (ln(&d[0]) - mu).powi(2)).sum::<f64>() / nf;
        let se = s00 * (2.0 / nf).sqrt();
        assert!((var - s00).abs() < 4.0 * se, "var {var} vs {s00}");
        // Semivariogram of ln grade at lags 1-3.
        let mut gammas = Vec::new();
        for d in 1..=3 {
            let want = (s.at(0, 0) + s.at(d, d) - 2.0 * s.at(d, 0)) / 2.0;
            let got = draws
                .iter()
                .map(|x| (ln(&x[0]) - ln(&x[d]) + (s00 - s.at(d, d)) / 2.0).powi(2))
                .sum::<f64>()
                / nf
                / 2.0;
            let se = want * (2.0 / nf).sqrt();
            assert!((got - want).abs() < 4.0 * se, "lag {d}: {got} vs {want}");
            gammas.push(want);
        }
        // Spatial structure: the semivariogram rises with lag (not a pure nugget).
        assert!(gammas[0] < 0.7 * gammas[2], "{gammas:?}");
        // Cu–Co correlation of the normal scores.
        let co = |x: &Grades| (x.co_pct / 0.07).ln();
        let (a, b): (Vec<f64>, Vec<f64>) = draws.iter().map(|d| (ln(&d[0]), co(&d[0]))).unzip();
        let ma = a.iter().sum::<f64>() / nf;
        let mb = b.iter().sum::<f64>() / nf;
        let cov: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        let r = cov / (va * vb).sqrt();
        let se = (1.0 - rho * rho) / nf.sqrt();
        assert!((r - rho).abs() < 4.0 * se, "correlation {r}");
    }

    #[test]
    fn draws_depend_on_the_trial_only() {
        let l = layout(6);
        let g = cfg(0.0, 0.3, 200.0);
        assert_eq!(
            panel_grades(&g, &l, 2.0, 5, 9),
            panel_grades(&g, &l, 2.0, 5, 9)
        );
        assert_ne!(
            panel_grades(&g, &l, 2.0, 5, 9),
            panel_grades(&g, &l, 2.0, 5, 10)
        );
    }

    #[test]
    fn bad_tables_are_refused_by_key() {
        let mut g = cfg(0.6, 0.5, 100.0);
        g.correlation = Some(vec![
            vec![1.0, 0.99, -0.99, 0.0],
            vec![0.99, 1.0, 0.99, 0.0],
            vec![-0.99, 0.99, 1.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0],
        ]);
        let e = g.validate("deposit.grade");
        let paths: Vec<&str> = e.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["deposit.grade.nugget", "deposit.grade.correlation"]);
        assert!(
            e[1].message.contains("positive definite"),
            "{}",
            e[1].message
        );
        // Tiny panels in a long range: the band is bounded.
        let l = layout(400);
        let e = validate_geometry(&cfg(0.0, 0.3, 50_000.0), &l, 2.0, "deposit.grade");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "deposit.grade.range_m");
        assert!(validate_geometry(&cfg(0.0, 0.3, 500.0), &l, 2.0, "deposit.grade").is_empty());
    }
}
