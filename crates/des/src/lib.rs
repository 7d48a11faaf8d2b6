//! The discrete-event simulation core of manto.
//!
//! It knows nothing of mining: integer simulation time ([`SimTime`]), a cancellable event
//! queue with deterministic tie-breaking ([`EventQueue`]), random streams keyed by a path
//! from the seed ([`random`], [`StreamKey`]), the input distributions users type into a
//! scenario ([`Dist`]), the replication statistics reported on the outputs ([`Summary`]),
//! and distributions in Rockwell Arena's notation
//! ([`arena`]), unit-suffixed keys in feet and short tons ([`units`]), the input layer every crate reports bad input through ([`input`]: TOML parsing with
//! file:line:key errors, range checks).
//!
//! A façade: the modules are private but `arena`, `input`, `random` and `units`, whose free functions are the
//! API; callers use the types re-exported here.

pub mod arena;
mod dist;
pub mod input;
mod queue;
pub mod random;
mod stats;
mod time;
pub mod units;

pub use dist::{Dist, DistError, DistKind, Sampler};
pub use queue::{EventId, EventQueue};
pub use random::{Stream, StreamKey};
pub use stats::{t975, Summary};
pub use time::{SimTime, MS_PER_DAY, MS_PER_H, MS_PER_MIN, MS_PER_S};
