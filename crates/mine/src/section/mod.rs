//! One continuous-miner section: its inputs ([`config`]), the event-driven model
//! ([`model`]), and replications summarised with confidence intervals ([`report`]).

pub mod config;
pub mod model;
pub mod report;

pub use config::SectionConfig;
pub use model::{simulate, MachineKind, Replication, RunSpec, State};
pub use report::{run, RunOptions, SectionReport, Targets};
