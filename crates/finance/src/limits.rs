//! Bounds on the finance inputs that drive loops or allocations (years, quarters, list
//! lengths) and on ratios and rates beyond which a value means nothing. Inclusive; listed
//! with their reasons in docs/scenario.md#limits.

pub use des::input::{check_count, check_len, check_range, fmt_num};

/// Most operating years of a production table (as `schedule.years` in the mine model).
pub const MAX_SCHEDULE_YEARS: u32 = 100;

/// Calendar years a finance input may name (start of construction, year ranges of prices
/// and rates): the model's quarters are counted from them, and a year near `i32::MAX` would
/// overflow the range arithmetic.
pub const FINANCE_YEARS: (i32, i32) = (1900, 2300);
/// Most construction quarters (20 years), and most closure quarters.
pub const MAX_FINANCE_QUARTERS: usize = 80;
/// Most ranges in one by-year schedule, capex areas and phases, facilities, depreciation
/// classes and discount rates each.
pub const MAX_FINANCE_LIST_LEN: usize = 200;
/// Most grace quarters of a loan (the model runs at most a few hundred quarters).
pub const MAX_GRACE_QUARTERS: usize = 400;
/// Longest loan tenor, years.
pub const MAX_TENOR_YEARS: f64 = 100.0;
/// Most quarters of debt service a DSRA holds.
pub const MAX_DSRA_QUARTERS: usize = 40;
/// Most working-capital days (a year).
pub const MAX_WORKING_CAPITAL_DAYS: f64 = 365.0;
/// Largest DSCR (target or covenant) that means anything.
pub const MAX_DSCR: f64 = 100.0;
/// Largest annual discount rate, %.
pub const MAX_DISCOUNT_RATE_PCT: f64 = 1_000.0;
/// Largest annual inflation, % (hyperinflation beyond it makes a deck meaningless; the
/// floor is −50 %).
pub const MAX_INFLATION_PCT: f64 = 1_000.0;

/// Largest money amount, unit cost or rate of use a finance input may give (capex areas,
/// owner's and closure costs, sustaining capital, every opex rate: US$ or MXN, per unit or
/// in total; crew sizes, kg or kWh per tonne). 10^12 is a thousand times the largest
/// mine ever built (about US$ 1e10); products of several such inputs stay far inside an
/// f64, where `1e308` made NPVs NaN.
pub const MAX_AMOUNT: f64 = 1e12;
