//! The project-finance model of manto: from a production schedule to the project's cash
//! flows, debt, returns and quarterly financial statements, laid out as a bankable model
//! a lender's technical adviser can audit line by line.
//!
//! FAST layout: inputs in [`config`] (the `[finance]` tables of a scenario, validated by
//! [`FinanceConfig::validate`]); calculations as pure functions over quarterly series in
//! [`timeline`], [`capex`], [`operating`], [`tax`], [`financing`]; outputs in [`result`]
//! (tables, statements, corkscrews, [`result::Metrics`]). [`run`] wires them together.
//! Time-value functions live in [`tvm`]. Conventions are documented in docs/finance.md.

mod audit;
pub mod capex;
pub mod config;
pub mod corkscrew;
pub mod financing;
mod metrics;
pub mod model;
pub mod operating;
pub mod production;
pub mod result;
mod statements;
pub mod tax;
pub mod timeline;
pub mod tvm;

pub use audit::{audit, AuditError};
pub use config::FinanceConfig;
pub use corkscrew::{Corkscrew, CorkscrewError};
pub use model::{run, FinanceResult};
pub use production::{ProductionPeriod, ProductionProfile};
