//! Time-value functions and the project-finance model (in progress).

pub mod tvm;
