//! Microsoft Project XML (MSPDI) files (read and write).
use super::config::FileNetwork;
use des::input::InputError;

/// Parses an MSPDI file.
pub fn parse(_text: &str, file: &str) -> Result<FileNetwork, InputError> {
    Err(InputError {
        file: file.into(),
        line: None,
        path: String::new(),
        message: "MSPDI not yet supported".into(),
    })
}
