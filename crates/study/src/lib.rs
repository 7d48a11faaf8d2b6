//! Studies: the layer between the models and the outputs.
//!
//! It owns the **scenario** (one TOML document whose tables belong to the crates that use
//! them; bundled scenarios; `--set` overrides applied to the text and validated exactly like
//! the file) and the **pipeline** from the section DES to the debt cover: the section study,
//! the life-of-mine trials and their mean schedule, the finance model on the chosen
//! production, the headline run and fleet sizing. **One trial is a value**: [`trial`] takes
//! (scenario, seed, k) and returns that trial's schedule, production and finance result,
//! which is what Monte Carlo risk and sharded runs are built from. Every study whose work
//! is a set of independent indices is split the same way: a function computing the
//! records of some indices ([`section_replications`], [`schedule_trials_for`],
//! [`size_section_years`]) and a pure aggregate of the complete, index-ordered set
//! ([`section_summary`], [`schedule_of`], [`size_of`]);
//! the unsharded run calls both, and [`shard`] splits and merges between them.
//!
//! The one adapter from mine types to finance types ([`production::profile`]) lives here,
//! so `finance` never sees the mine. Errors are [`StudyError`]s; the library never prints.

pub mod backtest;
pub mod build;
mod error;
mod overrides;
mod pipeline;
pub mod production;
pub mod risk;
mod scenario;
pub mod shard;

mod trace;

/// "did you mean `x`?" for an unknown name (`unknown command `y`, expected one of `a`,
/// `b`` gets the closest candidate appended), as the scenario's unknown keys get.
pub use des::input::with_hint;
/// The unit system of a scenario's outputs (`units = "imperial"`, `manto section --units`).
pub use des::units::UnitSystem;
pub use error::StudyError;
pub use overrides::Override;
pub use pipeline::{
    banking_sizing, cases, finance_case, finance_study, hold_debt, production_for, run, schedule,
    schedule_of, schedule_trial, schedule_trials, schedule_trials_for, section_replications,
    section_study, section_summary, size, size_of, size_section_years, size_units, trial,
    CasesResult, Estimate, NpvSummary, Production, Progress, RunResult, Silent, SizeOptions,
    SizePlan, Trial, TrialValuations, TrialValue, SECONDS_PER_SECTION_DAY, SIZE_DEFAULT_SCENARIOS,
};
pub use scenario::{
    bundled, is_section_only, load, load_section, parse, parse_section_only, text, Bundled,
    Scenario, SectionParts, SectionScenario, SectionSource, BUNDLED, DEFAULT, FULL_TABLES,
    SECTION_TABLES,
};
pub use trace::{report_study, shift_trace, ReportStudy, ShiftTrace, Spell};

/// Most worker threads a run may use (`--threads`; `mine::limits::MAX_THREADS`).
pub const MAX_THREADS: usize = mine::limits::MAX_THREADS;
