//! One continuous-miner section: its inputs ([`config`]), the event-driven model
//! ([`model`]), and replications summarised with confidence intervals ([`report`]).

mod config;
mod model;
mod report;

pub use config::{
    BeltConfig, BolterConfig, FailureMode, FeederConfig, Geometry, HaulageConfig, HaulerKind,
    MinerConfig, SectionConfig,
};
pub use model::{
    simulate, simulate_in, simulate_traced, MachineKind, MachineTally, MassBalance, Replication,
    RunSpec, ShiftTally, State, TraceSegment, N_STATES,
};
pub use report::{
    replication, replication_in, run, summarise, Bottleneck, GroundClassReport, MachineReport,
    MassBalanceReport, Percentiles, RunOptions, SectionReport, SectionsNeeded, Targets,
};
