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
    /// Every table of the output, as written to CSV.
    fn tables(&self) -> Vec<Table>;
    /// The subset shown in the terminal; long tables go only to CSV and JSON. All of
    /// [`Output::tables`] unless the output says otherwise.
    fn terminal_tables(&self) -> Vec<Table> {
        self.tables()
    }
}

/// Turns an output into the bytes of one format.
pub trait Exporter {
    /// Serialises `output`.
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, String>;
}
