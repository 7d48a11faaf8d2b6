//! Input distributions (placeholder: being written).

/// A stochastic input.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// A constant.
    Fixed(f64),
}
