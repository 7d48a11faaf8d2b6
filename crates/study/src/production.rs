//! The one adapter between the mine and the finance model: a schedule's quarters (or one
//! trial's) become the [`ProductionProfile`] the finance model values. It lives here so that
//! `finance` sees production, never mine types.

use finance::{ProductionPeriod, ProductionProfile};
use mine::schedule::Period;

/// Quarter by quarter; the first quarter is the first operating quarter. With a
/// metallurgy table (`metallurgy`) the acid the plant consumed goes with each quarter, for
/// the finance model to price.
pub fn profile(quarters: &[Period], metallurgy: bool) -> ProductionProfile {
    let periods = quarters
        .iter()
        .map(|q| ProductionPeriod {
            ore_mined_wet_t: q.mined_wet_t,
            ore_mined_dry_t: q.mined_dry_t,
            underground_dry_t: q.underground_dry_t,
            open_pit_dry_t: q.open_pit_dry_t,
            plant_feed_dry_t: q.plant_feed_dry_t,
            section_shifts: q.section_shifts,
            advance_m: q.advance_m,
            bolts: q.bolts,
            mine_headcount: q.headcount,
            cu_cathode_t: q.cu_cathode_t,
            co_cathode_t: q.co_cathode_t,
            znso4_t: q.znso4_t,
            mnco3_t: q.mnco3_t,
            acid_t: metallurgy.then_some(q.acid_t),
        })
        .collect();
    ProductionProfile { periods }
}
