//! Output formats of manto: results become [`Table`]s (or stay serde values for JSON), and
//! each format is one small [`export::Exporter`] in its own file, as in hyperfine's
//! `src/export/`. Where outputs go is [`output`]: `-` for standard output, devices and
//! pipes written through, files replaced atomically and all of a run's files committed
//! together ([`output::OutputSet`]); [`write_atomic`] is the one-file shorthand.

mod backtest;
mod build;
mod cases;
pub mod export;
mod finance;
mod fleet;
pub mod html;
pub mod output;
mod risk;
mod run;
mod schedule;
mod section;
mod table;
pub mod xlsx;

pub use build::build_iterations_table;
pub use finance::CaseFinance;
pub use fleet::SizingReport;
pub use output::{Destination, OutputError, OutputSet};
pub use risk::iterations_table;
pub use run::Headline;
pub use section::SectionInUnits;
pub use table::{csv_safe, Cell, Table};

use std::path::Path;

/// Writes `bytes` to `path` as [`output::commit`] does for one destination: a regular file
/// (or a new one) is replaced through a temporary file in the same directory, fsync and
/// rename, so a reader never sees a half-written file and a failed run leaves no partial
/// output; `-` is standard output; a device, FIFO or socket is written through, never
/// replaced; symbolic links are followed. The error's kind is the system's where there is
/// one, and its message names the path.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let to_io = |e: OutputError| {
        let kind = e
            .io_error()
            .map_or(std::io::ErrorKind::InvalidInput, std::io::Error::kind);
        std::io::Error::new(kind, e)
    };
    let dest = Destination::parse(path).map_err(to_io)?;
    output::commit(&[(&dest, bytes)]).map_err(to_io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("manto-report-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("out.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // A directory that does not exist fails without creating anything.
        assert!(write_atomic(&dir.join("missing/out.json"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
