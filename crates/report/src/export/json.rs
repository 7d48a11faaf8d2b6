//! JSON: the output's serde value, pretty-printed, with a trailing newline.

use super::{ExportError, Exporter, Output};

/// Writes the full result as JSON (schema in docs/output.md).
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn serialize(&self, output: &dyn Output) -> Result<Vec<u8>, ExportError> {
        let mut bytes = serde_json::to_vec_pretty(&output.json())?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
