//! One exporter per output format, behind the tiny [`Exporter`] trait.

mod csv;
mod json;
mod terminal;

pub use self::csv::CsvExporter;
pub use self::json::JsonExporter;
pub use self::terminal::TerminalExporter;

use crate::Table;

/// Something a run produces: serialisable for JSON, and tabular for the text formats.
pub trait Output {
    /// The value written as JSON.
    fn json(&self) -> serde_json::Value;
    /// The tables shown in the terminal and written to CSV.
    fn tables(&self) -> Vec<Table>;
}

/// Turns an output into the bytes of one format.
pub trait Exporter {
    /// Serialises `output`.
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, String>;
}
