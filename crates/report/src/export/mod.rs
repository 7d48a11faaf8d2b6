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

/// Turns an output into the bytes of one format.
pub trait Exporter {
    /// Serialises `output`.
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, ExportError>;
}
