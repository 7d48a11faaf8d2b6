//! The mine model of manto: a continuous-miner section simulated event by event
//! ([`section`]) under a shift calendar ([`calendar`]).
//!
//! Built on the mining-agnostic engine in `des`; the life-of-mine schedule, plant and fleet
//! sizing build on [`section`].

// Validation writes `!(x > 0.0)` on purpose: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod calendar;
pub mod section;

pub use calendar::CalendarConfig;
pub use section::SectionConfig;
