//! The mine model of manto: a continuous-miner section simulated event by event
//! ([`section`]) under a shift calendar ([`calendar`]).
//!
//! The life-of-mine [`schedule`] runs the sections of the [`layout`]'s mines panel by panel
//! and feeds the [`plant`] through its stockpile. Built on the mining-agnostic engine in `des`.

// Validation writes `!(x > 0.0)` on purpose: unlike `x <= 0.0` it also rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod calendar;
pub mod fleet;
pub mod grade;
pub mod ground;
pub mod layout;
pub mod limits;
pub mod plant;
pub mod schedule;
pub mod section;

pub use calendar::CalendarConfig;
pub use section::SectionConfig;
