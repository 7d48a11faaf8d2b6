//! The discrete-event simulation core of manto.
//!
//! It knows nothing of mining: integer simulation time ([`time`]), a cancellable event queue
//! with deterministic tie-breaking ([`queue`]), independent random streams per replication
//! ([`random`]), the input distributions users type into a scenario ([`dist`]) and the
//! replication statistics (means and confidence intervals) reported on the outputs ([`stats`]).

pub mod dist;
pub mod input;
pub mod queue;
pub mod random;
pub mod stats;
pub mod time;

pub use dist::{Dist, DistError};
pub use queue::{EventId, EventQueue};
pub use random::{Stream, StreamKey};
pub use stats::Summary;
pub use time::SimTime;
