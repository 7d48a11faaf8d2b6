//! Wide CSV of an output's per-unit data table (the risk study's per-iteration table):
//! one header row of column names, one row per unit, numbers at full precision (Rust's
//! shortest round-trip form), empty cells for undefined values, text cells neutralised
//! against formula injection ([`crate::csv_safe`]). Loads directly in pandas
//! (`pd.read_csv`), R (`read.csv`) or a spreadsheet.

use super::{ExportError, Exporter, Output};

/// Writes [`Output::data`] as a wide CSV (an output without one writes only a header
/// saying so).
pub struct DataCsvExporter;

impl Exporter for DataCsvExporter {
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, ExportError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        match output.data() {
            Some(t) => {
                w.write_record(&t.columns)?;
                for row in &t.rows {
                    w.write_record(row.iter().map(|c| c.csv()))?;
                }
            }
            None => w.write_record(["no per-iteration data"])?,
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}
