//! One continuous-miner section: its inputs ([`config`]), the event-driven model
//! ([`model`]), and replications summarised with confidence intervals ([`report`]).

mod config;
mod model;
pub mod network;
pub mod plan;
mod report;

pub use config::{
    BeltConfig, BolterConfig, BoltingKind, CostsConfig, FailureMode, FeederConfig, Geometry,
    HaulageConfig, HaulerKind, MinerConfig, SectionConfig,
};
pub use model::{
    simulate, simulate_in, simulate_logged, simulate_traced, CutRecord, HaulCycle, MachineKind,
    MachineTally, MassBalance, PhaseTally, Replication, RunSpec, ShiftTally, State, TraceSegment,
    LEGS, N_LEGS, N_STATES,
};
pub use report::{
    replication, replication_in, run, summarise, BlockReport, Bottleneck, CostReport,
    GroundClassReport, HaulCycleReport, MachineReport, MassBalanceReport, Percentiles, PhaseReport,
    RunOptions, SectionReport, SectionsNeeded, Targets,
};
