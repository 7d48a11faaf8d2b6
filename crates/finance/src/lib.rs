//! The project-finance model of manto: from a production schedule to the project's cash
//! flows, debt, returns and quarterly financial statements, laid out as a bankable model
//! a lender's technical adviser can audit line by line.
//!
//! FAST layout, and the façade follows it: the public modules are the inputs ([`config`],
//! the `[finance]` tables of a scenario, validated by [`FinanceConfig::validate`]), the
//! outputs ([`result`]: tables, statements, corkscrews, [`result::Metrics`], the
//! [`result::LINE_ITEMS`] list) and the time-value functions ([`tvm`]). The calculations
//! are private pure functions over quarterly series (`timeline`, `capex`, `operating`,
//! `tax`, `financing`, `statements`, `metrics`) that [`run`] wires together; [`audit`]
//! re-checks a result from its reported flows. This crate sees production
//! ([`ProductionProfile`]), never mine types. Conventions are in docs/finance.md.

mod audit;
mod capex;
pub mod cases;
pub mod config;
mod corkscrew;
mod financing;
pub mod limits;
mod metrics;
mod model;
mod operating;
mod production;
pub mod result;
pub mod sizing;
mod statements;
mod tax;
mod timeline;
pub mod tvm;

pub use audit::{audit, AuditError};
pub use config::FinanceConfig;
pub use corkscrew::{Corkscrew, CorkscrewError};
pub use model::{run, run_with_debt, FinanceResult};
pub use operating::LB_PER_T;
pub use production::{ProductionPeriod, ProductionProfile};
pub use sizing::{size_debt, SizedDebt};
