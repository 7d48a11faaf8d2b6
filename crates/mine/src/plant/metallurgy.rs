//! Metallurgy by ore attribute: the recovery of each metal, the acid consumed and the
//! throughput the plant can reach, as functions of the clay content of the feed, read from
//! a table (`[plant.metallurgy]`).
//!
//! El Boleo's ore is 40–50% montmorillonite clay (Northern Miner 2005): clay-rich feed
//! settles and washes badly in the counter-current decantation circuit, which limits the
//! throughput and loses dissolved metal with the washed solids, and it consumes acid. The
//! table is the scenario's (test work by ore type); rows are interpolated linearly in clay
//! content and held flat beyond the first and last rows.

use crate::limits;
use des::input::Invalid;
use serde::{Deserialize, Serialize};

/// One row of the metallurgy table: what the plant does with feed of `clay_pct` % clay.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetallurgyRow {
    /// Clay content of the feed, % of dry ore.
    pub clay_pct: f64,
    /// Copper recovered to cathode, % of copper fed.
    pub cu_recovery_pct: f64,
    /// Cobalt recovered to cathode, % of cobalt fed.
    pub co_recovery_pct: f64,
    /// Zinc recovered to zinc sulphate, % of zinc fed.
    pub zn_recovery_pct: f64,
    /// Manganese recovered to carbonate, % of manganese fed.
    pub mn_recovery_pct: f64,
    /// Throughput the plant can reach on this feed, % of design.
    pub throughput_pct: f64,
    /// Sulphuric acid consumed, kg per dry t fed.
    pub acid_kg_per_dry_t: f64,
}

/// The metallurgy table and its shifts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetallurgyConfig {
    /// Rows in increasing clay content.
    pub by_clay: Vec<MetallurgyRow>,
    /// Points added to every row's recovery of `[cu, co, zn, mn]` (a recovery curve shifted
    /// as a whole, for the risk study), the result held within 0–100%.
    #[serde(default)]
    pub recovery_shift_pct: [f64; 4],
    /// Factor on every row's acid consumption (for the risk study).
    #[serde(default = "one")]
    pub acid_factor: f64,
}

fn one() -> f64 {
    1.0
}

/// What the plant does with one feed: recoveries `[cu, co, zn, mn]` %, throughput % of
/// design, acid kg per dry t.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Metallurgy {
    /// Recoveries of `[cu, co, zn, mn]`, % of the metal fed.
    pub recovery_pct: [f64; 4],
    /// Throughput the plant can reach, % of design.
    pub throughput_pct: f64,
    /// Acid consumed, kg per dry t fed.
    pub acid_kg_per_dry_t: f64,
}

impl MetallurgyRow {
    fn values(&self) -> [f64; 6] {
        [
            self.cu_recovery_pct,
            self.co_recovery_pct,
            self.zn_recovery_pct,
            self.mn_recovery_pct,
            self.throughput_pct,
            self.acid_kg_per_dry_t,
        ]
    }
}

impl MetallurgyConfig {
    /// The metallurgy of feed with `clay_pct` % clay: the table interpolated linearly
    /// between rows (flat beyond its ends), then the shifts applied.
    pub fn at(&self, clay_pct: f64) -> Metallurgy {
        let rows = &self.by_clay;
        let v = match (rows.first(), rows.last()) {
            (Some(first), Some(last)) => match rows.iter().position(|r| r.clay_pct >= clay_pct) {
                Some(0) => first.values(),
                None => last.values(),
                Some(k) => {
                    let (a, b) = (&rows[k - 1], &rows[k]);
                    let w = (clay_pct - a.clay_pct) / (b.clay_pct - a.clay_pct);
                    let (va, vb) = (a.values(), b.values());
                    std::array::from_fn(|i| va[i] + (vb[i] - va[i]) * w)
                }
            },
            _ => [100.0, 100.0, 100.0, 100.0, 100.0, 0.0],
        };
        Metallurgy {
            recovery_pct: std::array::from_fn(|k| {
                (v[k] + self.recovery_shift_pct[k]).clamp(0.0, 100.0)
            }),
            throughput_pct: v[4],
            acid_kg_per_dry_t: v[5] * self.acid_factor,
        }
    }

    /// Problems with the metallurgy inputs, under `path`.
    pub fn validate(&self, path: &str) -> Vec<Invalid> {
        let mut out = Vec::new();
        let key = format!("{path}.by_clay");
        if !limits::check_len(
            &mut out,
            key.clone(),
            self.by_clay.len(),
            limits::MAX_LIST_LEN,
        ) {
            return out;
        }
        if self.by_clay.is_empty() {
            out.push(Invalid::new(key.clone(), "needs at least one row"));
        }
        for (i, r) in self.by_clay.iter().enumerate() {
            let k = |f: &str| format!("{key}[{i}].{f}");
            if !(0.0..=100.0).contains(&r.clay_pct) {
                out.push(Invalid::new(k("clay_pct"), "must be between 0 and 100 %"));
            } else if i > 0 && !(r.clay_pct > self.by_clay[i - 1].clay_pct) {
                out.push(Invalid::new(
                    k("clay_pct"),
                    "rows must be in increasing clay order",
                ));
            }
            for (f, v) in [
                ("cu_recovery_pct", r.cu_recovery_pct),
                ("co_recovery_pct", r.co_recovery_pct),
                ("zn_recovery_pct", r.zn_recovery_pct),
                ("mn_recovery_pct", r.mn_recovery_pct),
            ] {
                if !(0.0..=100.0).contains(&v) {
                    out.push(Invalid::new(k(f), "a recovery must be between 0 and 100 %"));
                }
            }
            if !(r.throughput_pct > 0.0 && r.throughput_pct <= 150.0) {
                out.push(Invalid::new(
                    k("throughput_pct"),
                    "must be above 0 and at most 150 % of design",
                ));
            }
            if !(r.acid_kg_per_dry_t >= 0.0 && r.acid_kg_per_dry_t <= 2_000.0) {
                out.push(Invalid::new(
                    k("acid_kg_per_dry_t"),
                    "must be between 0 and 2,000 kg per dry t",
                ));
            }
        }
        for (m, s) in ["cu", "co", "zn", "mn"].iter().zip(self.recovery_shift_pct) {
            if !(-100.0..=100.0).contains(&s) {
                out.push(Invalid::new(
                    format!("{path}.recovery_shift_pct"),
                    format!("the {m} shift must be between -100 and 100 points"),
                ));
            }
        }
        if !(self.acid_factor >= 0.0 && self.acid_factor <= 10.0) {
            out.push(Invalid::new(
                format!("{path}.acid_factor"),
                "must be between 0 and 10",
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(clay: f64, cu: f64, thr: f64, acid: f64) -> MetallurgyRow {
        MetallurgyRow {
            clay_pct: clay,
            cu_recovery_pct: cu,
            co_recovery_pct: cu - 20.0,
            zn_recovery_pct: cu - 40.0,
            mn_recovery_pct: 0.0,
            throughput_pct: thr,
            acid_kg_per_dry_t: acid,
        }
    }

    fn table() -> MetallurgyConfig {
        MetallurgyConfig {
            by_clay: vec![row(30.0, 88.0, 100.0, 300.0), row(50.0, 78.0, 80.0, 400.0)],
            recovery_shift_pct: [0.0; 4],
            acid_factor: 1.0,
        }
    }

    #[test]
    fn rows_are_read_exactly_and_interpolated_linearly() {
        let t = table();
        let m = t.at(30.0);
        assert_eq!(m.recovery_pct, [88.0, 68.0, 48.0, 0.0]);
        assert_eq!((m.throughput_pct, m.acid_kg_per_dry_t), (100.0, 300.0));
        // A quarter of the way from 30% to 50% clay.
        let m = t.at(35.0);
        assert_eq!(m.recovery_pct, [85.5, 65.5, 45.5, 0.0]);
        assert_eq!((m.throughput_pct, m.acid_kg_per_dry_t), (95.0, 325.0));
        // Flat beyond the ends.
        assert_eq!(t.at(10.0), t.at(30.0));
        assert_eq!(t.at(70.0), t.at(50.0));
    }

    #[test]
    fn shifts_move_every_row_and_stay_within_bounds() {
        let mut t = table();
        t.recovery_shift_pct = [-10.0, 50.0, 0.0, -5.0];
        t.acid_factor = 1.5;
        let m = t.at(50.0);
        assert_eq!(m.recovery_pct, [68.0, 100.0, 38.0, 0.0]);
        assert_eq!(m.acid_kg_per_dry_t, 600.0);
    }

    #[test]
    fn bad_tables_are_refused_by_key() {
        let mut t = table();
        t.by_clay[1].clay_pct = 30.0;
        t.by_clay[0].cu_recovery_pct = 101.0;
        t.acid_factor = -1.0;
        let paths: Vec<String> = t
            .validate("plant.metallurgy")
            .into_iter()
            .map(|i| i.path)
            .collect();
        assert_eq!(
            paths,
            [
                "plant.metallurgy.by_clay[0].cu_recovery_pct",
                "plant.metallurgy.by_clay[1].clay_pct",
                "plant.metallurgy.acid_factor"
            ]
        );
    }
}
