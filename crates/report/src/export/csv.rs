//! CSV in long ("tidy") form: `table,row,column,value`, one line per cell, so every table
//! of a result fits one file and pivots directly in a spreadsheet. Text cells are
//! neutralised against formula injection ([`crate::csv_safe`]).

use super::{ExportError, Exporter, Output};

/// Writes every table's cells as `table,row,column,value` records.
pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, ExportError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["table", "row", "column", "value"])?;
        for t in output.tables() {
            for row in &t.rows {
                let label = row.first().map(|c| c.csv()).unwrap_or_default();
                for (col, cell) in t.columns.iter().zip(row).skip(1) {
                    w.write_record([t.name.as_str(), &label, col, &cell.csv()])?;
                }
            }
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}
