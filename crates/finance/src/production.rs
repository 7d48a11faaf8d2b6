//! The production the finance model values: one [`ProductionPeriod`] per quarter of
//! operation, from the scenario's yearly table here, or from the mine model's schedule
//! (the adapter lives in the study layer: this crate never sees mine types).

use crate::config::{ProductionTable, ZN_IN_ZNSO4_H2O};
use serde::{Deserialize, Serialize};

/// Physical quantities of one operating quarter.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ProductionPeriod {
    /// Ore mined, wet tonnes.
    pub ore_mined_wet_t: f64,
    /// Ore mined, dry tonnes.
    pub ore_mined_dry_t: f64,
    /// Underground ore, dry tonnes.
    pub underground_dry_t: f64,
    /// Open-pit ore, dry tonnes.
    pub open_pit_dry_t: f64,
    /// Plant feed, dry tonnes.
    pub plant_feed_dry_t: f64,
    /// Continuous-miner section production shifts worked.
    pub section_shifts: f64,
    /// Metres of heading advanced.
    pub advance_m: f64,
    /// Roof bolts installed.
    pub bolts: f64,
    /// Average people on the mine payroll.
    pub mine_headcount: f64,
    /// Copper cathode, t.
    pub cu_cathode_t: f64,
    /// Cobalt cathode, t.
    pub co_cathode_t: f64,
    /// Zinc sulphate monohydrate product, t.
    pub znso4_t: f64,
    /// Manganese carbonate product, t (0 if not produced).
    pub mnco3_t: f64,
    /// Sulphuric acid consumed, t, when the mine model computes it (a metallurgy table by
    /// ore type); absent, the opex's `acid_kg_per_dry_t` × plant feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acid_t: Option<f64>,
}

/// The production schedule: quarter 0 is the first quarter of ramp-up/production.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ProductionProfile {
    /// One entry per operating quarter.
    pub periods: Vec<ProductionPeriod>,
}

impl ProductionProfile {
    /// Splits a yearly table evenly into quarters (flows ÷ 4; the headcount, an average, is
    /// kept). Zinc given as contained metal becomes ZnSO4·H2O product tonnes.
    pub fn from_table(t: &ProductionTable) -> ProductionProfile {
        let at = |col: &Vec<f64>, y: usize| col.get(y).copied().unwrap_or(0.0) / 4.0;
        let periods = (0..t.plant_feed_dry_t.len())
            .flat_map(|y| {
                let p = ProductionPeriod {
                    ore_mined_wet_t: at(&t.ore_mined_wet_t, y),
                    ore_mined_dry_t: at(&t.ore_mined_dry_t, y),
                    underground_dry_t: at(&t.underground_dry_t, y),
                    open_pit_dry_t: at(&t.open_pit_dry_t, y),
                    plant_feed_dry_t: at(&t.plant_feed_dry_t, y),
                    section_shifts: at(&t.section_shifts, y),
                    advance_m: at(&t.advance_m, y),
                    bolts: at(&t.bolts, y),
                    mine_headcount: 4.0 * at(&t.mine_headcount, y),
                    cu_cathode_t: at(&t.cu_cathode_t, y),
                    co_cathode_t: at(&t.co_cathode_t, y),
                    znso4_t: at(&t.znso4_t, y) + at(&t.zn_contained_t, y) / ZN_IN_ZNSO4_H2O,
                    mnco3_t: at(&t.mnco3_t, y),
                    acid_t: None,
                };
                std::iter::repeat_n(p, 4)
            })
            .collect();
        ProductionProfile { periods }
    }

    /// Number of operating quarters.
    pub fn len(&self) -> usize {
        self.periods.len()
    }

    /// True when there is no production at all.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// One quantity as a series over the operating quarters.
    pub fn series(&self, f: impl Fn(&ProductionPeriod) -> f64) -> Vec<f64> {
        self.periods.iter().map(f).collect()
    }
}
