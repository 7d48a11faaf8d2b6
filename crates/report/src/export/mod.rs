//! One exporter per output format, behind the tiny [`Exporter`] trait; a format that
//! fails says why in an [`ExportError`].

mod csv;
mod data_csv;
mod json;
mod terminal;

pub use self::csv::CsvExporter;
pub use self::data_csv::DataCsvExporter;
pub use self::json::JsonExporter;
pub use self::terminal::{render, render_fitted, stdout_width, TerminalExporter};

use crate::Table;

/// Something a run produces: serialisable for JSON, and tabular for the text formats.
pub trait Output {
    /// The value written as JSON.
    fn json(&self) -> serde_json::Value;
    /// Every table of the output, as written to CSV.
    fn tables(&self) -> Vec<Table>;
    /// The subset shown in the terminal; long tables go only to CSV and JSON. All of
    /// [`Output::tables`] unless the output says otherwise.
    fn terminal_tables(&self) -> Vec<Table> {
        self.tables()
    }
    /// A per-unit data table (one row per iteration) written whole as a wide CSV
    /// ([`DataCsvExporter`]); `None` for outputs without one.
    fn data(&self) -> Option<Table> {
        None
    }
}

/// Why an exporter could not serialise an output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// JSON serialisation failed (a map with non-string keys, a failing `Serialize`).
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV serialisation failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    /// Writing the serialised bytes failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// The HTML report or the workbook could not be built (a chart, a sheet).
    #[error("cannot build the report: {0}")]
    Report(String),
}

/// The first number of `output`'s tables (and of its per-unit data table) that is NaN or
/// infinite, as `table TABLE, row ROW, column COLUMN is VALUE`; `None` when every number
/// is finite. The CLI checks it before writing anything (an undefined value is
/// [`Cell::Missing`](crate::Cell::Missing), never a NaN).
pub fn non_finite(output: &dyn Output) -> Option<String> {
    let data = output.data();
    output.tables().iter().chain(data.iter()).find_map(|t| {
        t.rows.iter().find_map(|row| {
            row.iter()
                .zip(&t.columns)
                .find_map(|(cell, col)| match cell {
                    crate::Cell::Num(v, _) if !v.is_finite() => Some(format!(
                        "output {}, row {}, column {col} is {v}",
                        t.name,
                        row.first().map(|c| c.raw()).unwrap_or_default()
                    )),
                    _ => None,
                })
        })
    })
}

/// Turns an output into the bytes of one format.
pub trait Exporter {
    /// Serialises `output`.
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, ExportError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cell;

    struct One(f64);

    impl Output for One {
        fn json(&self) -> serde_json::Value {
            serde_json::Value::Null
        }
        fn tables(&self) -> Vec<Table> {
            let mut t = Table::new("finance_summary", "t", &["metric", "value"]);
            t.push(vec!["npv5_usd".into(), Cell::Num(1.0, 0)]);
            t.push(vec!["npv8_usd".into(), Cell::Num(self.0, 0)]);
            t.push(vec!["irr_pct".into(), Cell::Missing]);
            vec![t]
        }
    }

    #[test]
    fn a_nan_or_an_infinity_in_an_output_is_named() {
        assert_eq!(non_finite(&One(2.0)), None);
        assert_eq!(
            non_finite(&One(f64::NAN)).as_deref(),
            Some("output finance_summary, row npv8_usd, column value is NaN")
        );
        assert_eq!(
            non_finite(&One(f64::NEG_INFINITY)).as_deref(),
            Some("output finance_summary, row npv8_usd, column value is -inf")
        );
    }
}
