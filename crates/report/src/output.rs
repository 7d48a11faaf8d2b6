//! Where a run's outputs go, and how they get there safely.
//!
//! The CLI turns each output flag (`--json PATH`, `--csv PATH`) into a [`Destination`],
//! gathers them in an [`OutputSet`] *before* the run (so a bad path fails in a second, not
//! after an hour of simulation), and after the run hands every destination its bytes in a
//! single [`OutputSet::commit`].
//!
//! # What a path means
//!
//! | path given | what happens |
//! | --- | --- |
//! | `-` | written to standard output ([`Kind::Stdout`]); a file named `-` is `./-` |
//! | a regular file, or nothing yet | replaced atomically: a temporary file in the same directory, fsync, rename ([`Kind::Replace`]) |
//! | a character device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) | *written through*: opened for writing and written, never replaced or renamed over ([`Kind::WriteThrough`]) |
//! | a symbolic link | **followed**: handled as what it points to. A link to a regular file has its *target* replaced (the link stays a link, pointing at the new file); a link to a device is written through; a dangling link has its target created |
//! | a directory | an error ([`OutputError::IsDirectory`]) |
//!
//! Following links is what `>` in a shell does and what users mean by `--json latest.json`
//! where `latest.json` links into a results folder; replacing the link itself would
//! silently detach it.
//!
//! # Committing several outputs together
//!
//! [`commit`] first writes every file destination to a temporary file beside it
//! (`.NAME.manto-PID.tmp`) and fsyncs it, then writes the streams (standard output and
//! write-through destinations), and only then renames all temporaries over their
//! destinations, one after the other, and fsyncs the directories. So the JSON and CSV of
//! one run are committed together: if anything fails before the renames, no file
//! destination is touched and every temporary is removed; after a kill, either none is
//! renamed or (in the microseconds of the rename loop) a prefix of them.
//!
//! Temporaries a killed run left behind are removed by the next commit to the same name
//! ([`clean_stale_temps`]), and [`install_interrupt_cleanup`] removes the live ones when the
//! process is interrupted (Ctrl-C, and `kill`'s SIGTERM and SIGHUP).
//!
//! # Example
//!
//! How a CLI's `emit` uses it (`wide` is a `--wide` flag):
//!
//! ```no_run
//! use manto_report::export::{CsvExporter, Exporter, JsonExporter, Output, TerminalExporter};
//! use manto_report::output::{install_interrupt_cleanup, OutputSet};
//! use std::path::Path;
//!
//! fn emit(
//!     output: &dyn Output,
//!     json: Option<&Path>,
//!     csv: Option<&Path>,
//!     wide: bool,
//! ) -> Result<(), Box<dyn std::error::Error>> {
//!     install_interrupt_cleanup()?; // once, early in main
//!     // Before the run: refuses directories, missing folders, one file named twice.
//!     let flags: [(&str, Option<&Path>, &dyn Exporter); 2] =
//!         [("--json", json, &JsonExporter), ("--csv", csv, &CsvExporter)];
//!     let wanted: Vec<_> = flags.iter().filter_map(|(f, p, e)| Some((*f, (*p)?, *e))).collect();
//!     let set = OutputSet::new(&wanted.iter().map(|(f, p, _)| (*f, *p)).collect::<Vec<_>>())?;
//!     // ... the run ...
//!     if !set.writes_stdout() {
//!         let terminal = if wide { TerminalExporter::full() } else { TerminalExporter::fitted() };
//!         print!("{}", String::from_utf8_lossy(&terminal.serialize(output)?));
//!     }
//!     let bytes = wanted.iter().map(|(_, _, e)| e.serialize(output)).collect::<Result<Vec<_>, _>>()?;
//!     set.commit(&bytes)?; // all files renamed together, or none
//!     Ok(())
//! }
//! ```

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Why an output could not be planned or written. Every message names the path and, when
/// the destination came with one, the command-line flag.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The path names a directory.
    #[error("{}{}: is a directory, not a file", .path.display(), by(.flag))]
    IsDirectory {
        /// Flag the path was given with, if any.
        flag: Option<String>,
        /// The path as given.
        path: PathBuf,
    },
    /// The path has no file name (`..`, `/`, an empty path).
    #[error("{}{}: names no file", .path.display(), by(.flag))]
    NoFileName {
        /// Flag the path was given with, if any.
        flag: Option<String>,
        /// The path as given.
        path: PathBuf,
    },
    /// The path cannot be examined: its directory does not exist, a link loops, no
    /// permission to look.
    #[error("cannot use {}{}: {source}", .path.display(), by(.flag))]
    Resolve {
        /// Flag the path was given with, if any.
        flag: Option<String>,
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Two flags name the same destination (the same file, device or standard output).
    #[error("{first_flag} and {second_flag} both write to {}{}", .first_path.display(), also_as(.first_path, .second_path))]
    SameDestination {
        /// The flag that named it first.
        first_flag: String,
        /// The path given with the first flag.
        first_path: PathBuf,
        /// The flag that named it again.
        second_flag: String,
        /// The path given with the second flag.
        second_path: PathBuf,
    },
    /// Writing the output (or its temporary file) failed; nothing was replaced.
    #[error("cannot write {}{}: {source}", .path.display(), by(.flag))]
    Write {
        /// Flag the path was given with, if any.
        flag: Option<String>,
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Renaming the finished temporary file over the destination failed. Outputs renamed
    /// before this one are committed; this one and those after it are not.
    #[error("cannot replace {}{}: {source}", .path.display(), by(.flag))]
    Replace {
        /// Flag the path was given with, if any.
        flag: Option<String>,
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The interrupt handler could not be installed.
    #[error("cannot install the interrupt handler: {0}")]
    Interrupt(#[from] ctrlc::Error),
}

fn by(flag: &Option<String>) -> String {
    flag.as_deref()
        .map_or(String::new(), |f| format!(" (given to {f})"))
}

fn also_as(first: &Path, second: &Path) -> String {
    if first == second {
        String::new()
    } else {
        format!(" (also spelt {})", second.display())
    }
}

impl OutputError {
    /// The flag the failing destination was given with, if known (the second flag for
    /// [`OutputError::SameDestination`]).
    pub fn flag(&self) -> Option<&str> {
        match self {
            OutputError::IsDirectory { flag, .. }
            | OutputError::NoFileName { flag, .. }
            | OutputError::Resolve { flag, .. }
            | OutputError::Write { flag, .. }
            | OutputError::Replace { flag, .. } => flag.as_deref(),
            OutputError::SameDestination { second_flag, .. } => Some(second_flag),
            OutputError::Interrupt(_) => None,
        }
    }

    /// The system error underneath, if there is one.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            OutputError::Resolve { source, .. }
            | OutputError::Write { source, .. }
            | OutputError::Replace { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// How a [`Destination`] is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Standard output (the path `-`).
    Stdout,
    /// A regular file (existing or not): written to a temporary file beside `target` and
    /// renamed over it.
    Replace {
        /// The file actually replaced: the path itself, or where its symbolic links lead.
        target: PathBuf,
    },
    /// Something that exists and is not a regular file (character device, FIFO, socket),
    /// possibly behind symbolic links: opened for writing and written, never replaced.
    WriteThrough,
}

/// What a destination is on disk, for telling two spellings of one destination apart.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identity {
    /// An existing file system object (device and inode on Unix).
    #[cfg(unix)]
    Inode(u64, u64),
    /// A path that does not exist yet (or, off Unix, any path), canonicalised.
    Path(PathBuf),
    /// Standard output when its inode cannot be read.
    Stdout,
}

/// One output destination, parsed from a path the user gave.
#[derive(Clone, Debug)]
pub struct Destination {
    flag: Option<String>,
    path: PathBuf,
    kind: Kind,
    identity: Identity,
}

impl Destination {
    /// Examines `path` (see the [module docs](self) for what each kind of path means).
    /// Fails if it is a directory, has no file name, or its directory does not exist.
    pub fn parse(path: impl AsRef<Path>) -> Result<Destination, OutputError> {
        Self::parse_inner(None, path.as_ref())
    }

    /// Like [`Destination::parse`], remembering the flag the path came with (`--json`) for
    /// error messages.
    pub fn parse_flag(flag: &str, path: impl AsRef<Path>) -> Result<Destination, OutputError> {
        Self::parse_inner(Some(flag.to_string()), path.as_ref())
    }

    /// Standard output.
    pub fn stdout() -> Destination {
        Destination {
            flag: None,
            path: PathBuf::from("-"),
            kind: Kind::Stdout,
            identity: stdout_identity(),
        }
    }

    fn parse_inner(flag: Option<String>, path: &Path) -> Result<Destination, OutputError> {
        if path.as_os_str() == "-" {
            return Ok(Destination {
                flag,
                ..Destination::stdout()
            });
        }
        let resolve = |source: io::Error| OutputError::Resolve {
            flag: flag.clone(),
            path: path.to_path_buf(),
            source,
        };
        // `newdir/` names a directory whether or not it exists (`Path` drops the slash,
        // which would write a file `newdir`).
        if path
            .as_os_str()
            .to_string_lossy()
            .ends_with(std::path::is_separator)
        {
            return match fs::metadata(path) {
                Ok(m) if m.is_dir() => Err(OutputError::IsDirectory {
                    flag,
                    path: path.to_path_buf(),
                }),
                _ => Err(resolve(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    "ends with a slash, so it names a directory, not a file (and there is none)",
                ))),
            };
        }
        // `metadata` follows symbolic links: the destination is what they point to.
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(OutputError::IsDirectory {
                flag,
                path: path.to_path_buf(),
            }),
            Ok(meta) if meta.is_file() => {
                let target = fs::canonicalize(path).map_err(resolve)?;
                Ok(Destination {
                    identity: identity_of(&meta, &target),
                    flag,
                    path: path.to_path_buf(),
                    kind: Kind::Replace { target },
                })
            }
            Ok(meta) => Ok(Destination {
                identity: identity_of(&meta, path),
                flag,
                path: path.to_path_buf(),
                kind: Kind::WriteThrough,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Nothing there yet, or a dangling link: the file to create is at the end
                // of the link chain, in a directory that must exist.
                let end = follow_links(path).map_err(resolve)?;
                let (Some(dir), Some(name)) = (parent_dir(&end), end.file_name()) else {
                    return Err(OutputError::NoFileName {
                        flag,
                        path: path.to_path_buf(),
                    });
                };
                let dir = fs::canonicalize(dir).map_err(resolve)?;
                if !dir.is_dir() {
                    return Err(resolve(io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!("{} is not a directory", dir.display()),
                    )));
                }
                let target = dir.join(name);
                Ok(Destination {
                    identity: Identity::Path(target.clone()),
                    flag,
                    path: path.to_path_buf(),
                    kind: Kind::Replace { target },
                })
            }
            Err(e) => Err(resolve(e)),
        }
    }

    /// The path as given (`-` for standard output).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The flag the path was given with, if any.
    pub fn flag(&self) -> Option<&str> {
        self.flag.as_deref()
    }

    /// How it is written.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// Whether this destination is the process's standard output: `-`, or a path to the
    /// same file, pipe or terminal (such as `/dev/stdout`). A CLI printing tables to
    /// standard output should skip them when an output goes there.
    pub fn is_stdout(&self) -> bool {
        self.kind == Kind::Stdout || self.identity == stdout_identity()
    }

    fn err_write(&self, source: io::Error) -> OutputError {
        OutputError::Write {
            flag: self.flag.clone(),
            path: self.path.clone(),
            source,
        }
    }
}

/// The directory of `path` (`.` for a bare file name), or `None` for a path without a
/// file name.
fn parent_dir(path: &Path) -> Option<&Path> {
    path.file_name()?;
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => Some(d),
        _ => Some(Path::new(".")),
    }
}

/// Follows a chain of symbolic links from `path` to its last element (which need not
/// exist).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match parent_dir(&p) {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

#[cfg(unix)]
fn identity_of(meta: &fs::Metadata, _path: &Path) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity::Inode(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity_of(_meta: &fs::Metadata, path: &Path) -> Identity {
    Identity::Path(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

#[cfg(unix)]
fn stdout_identity() -> Identity {
    use std::os::fd::AsFd;
    io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| File::from(fd).metadata().ok())
        .map_or(Identity::Stdout, |m| identity_of(&m, Path::new("-")))
}

#[cfg(not(unix))]
fn stdout_identity() -> Identity {
    Identity::Stdout
}

/// The outputs of one run: every destination distinct.
#[derive(Clone, Debug, Default)]
pub struct OutputSet {
    destinations: Vec<Destination>,
}

impl OutputSet {
    /// Parses each `(flag, path)` pair (see [`Destination::parse`]) and refuses a
    /// destination named twice, however spelt (`out.json` and `a/../out.json`, `-` and
    /// `/dev/stdout`, two links to one file) with [`OutputError::SameDestination`] naming
    /// both flags.
    pub fn new<P: AsRef<Path>>(outputs: &[(&str, P)]) -> Result<OutputSet, OutputError> {
        let mut destinations: Vec<Destination> = Vec::with_capacity(outputs.len());
        for (flag, path) in outputs {
            let d = Destination::parse_flag(flag, path)?;
            if let Some(first) = destinations
                .iter()
                .find(|e| e.identity == d.identity || (e.is_stdout() && d.is_stdout()))
            {
                return Err(OutputError::SameDestination {
                    first_flag: first.flag.clone().unwrap_or_default(),
                    first_path: first.path.clone(),
                    second_flag: flag.to_string(),
                    second_path: d.path.clone(),
                });
            }
            destinations.push(d);
        }
        Ok(OutputSet { destinations })
    }

    /// The destination that is the existing file `input` (the same file however spelt:
    /// device and inode on Unix, the canonical path elsewhere), if any: an output that
    /// would replace a file the run reads.
    pub fn same_file(&self, input: &Path) -> Option<&Destination> {
        let meta = fs::metadata(input).ok()?;
        let canonical = fs::canonicalize(input).ok()?;
        let id = identity_of(&meta, &canonical);
        self.destinations.iter().find(|d| {
            d.identity == id || matches!(&d.kind, Kind::Replace { target } if *target == canonical)
        })
    }

    /// The destinations, in the order given.
    pub fn destinations(&self) -> &[Destination] {
        &self.destinations
    }

    /// Whether any destination is standard output (see [`Destination::is_stdout`]).
    pub fn writes_stdout(&self) -> bool {
        self.destinations.iter().any(Destination::is_stdout)
    }

    /// Writes `contents[i]` to the `i`-th destination, all together (see [`commit`]).
    ///
    /// # Panics
    /// If `contents` does not have one entry per destination.
    pub fn commit<B: AsRef<[u8]>>(&self, contents: &[B]) -> Result<(), OutputError> {
        self.commit_to(contents, &mut io::stdout().lock())
    }

    /// [`OutputSet::commit`] with standard output replaced by `stdout` (for tests, or to
    /// buffer).
    pub fn commit_to<B: AsRef<[u8]>>(
        &self,
        contents: &[B],
        stdout: &mut dyn Write,
    ) -> Result<(), OutputError> {
        assert_eq!(
            contents.len(),
            self.destinations.len(),
            "one content per destination"
        );
        let pairs: Vec<(&Destination, &[u8])> = self
            .destinations
            .iter()
            .zip(contents.iter().map(AsRef::as_ref))
            .collect();
        commit_to(&pairs, stdout)
    }
}

/// Writes each destination its bytes, all or nothing as far as the file system allows:
///
/// 1. every [`Kind::Replace`] destination is written to a temporary file in its directory
///    (after removing that name's stale temporaries, [`clean_stale_temps`]) and fsynced;
/// 2. standard output and [`Kind::WriteThrough`] destinations are written;
/// 3. the temporaries are renamed over their destinations and the directories fsynced.
///
/// A failure in 1 or 2 removes every temporary and leaves every file destination as it
/// was (a stream written in 2 cannot be taken back). A failure in 3 leaves the outputs
/// renamed before it committed. Temporaries are registered for
/// [`install_interrupt_cleanup`] while they exist.
///
/// Opening a FIFO for writing waits until something opens it for reading, as a shell's
/// `>` does. The destinations should be distinct ([`OutputSet::new`] makes sure).
pub fn commit(outputs: &[(&Destination, &[u8])]) -> Result<(), OutputError> {
    commit_to(outputs, &mut io::stdout().lock())
}

/// [`commit`] with standard output replaced by `stdout`.
pub fn commit_to(
    outputs: &[(&Destination, &[u8])],
    stdout: &mut dyn Write,
) -> Result<(), OutputError> {
    let mut temps = Temps::default();
    // 1. Temporaries.
    for (d, bytes) in outputs {
        if let Kind::Replace { target } = &d.kind {
            let tmp = write_temp(target, bytes).map_err(|e| d.err_write(e))?;
            temps.0.push((tmp, target.clone(), d));
        }
    }
    // 2. Streams.
    for (d, bytes) in outputs {
        match &d.kind {
            Kind::Stdout => stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|e| d.err_write(e))?,
            Kind::WriteThrough => OpenOptions::new()
                .write(true)
                .open(&d.path)
                .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
                .map_err(|e| d.err_write(e))?,
            Kind::Replace { .. } => {}
        }
    }
    // 3. Renames.
    let mut dirs: Vec<PathBuf> = Vec::new();
    while !temps.0.is_empty() {
        let (tmp, target, d) = temps.0.remove(0);
        if let Err(source) = fs::rename(&tmp, &target) {
            let _ = fs::remove_file(&tmp);
            unregister(&tmp);
            return Err(OutputError::Replace {
                flag: d.flag.clone(),
                path: d.path.clone(),
                source,
            });
        }
        unregister(&tmp);
        if let Some(dir) = parent_dir(&target) {
            if !dirs.iter().any(|x| x == dir) {
                dirs.push(dir.to_path_buf());
            }
        }
    }
    for dir in dirs {
        // Makes the renames durable; some file systems cannot sync a directory.
        let _ = File::open(dir).and_then(|f| f.sync_all());
    }
    Ok(())
}

/// Temporaries not yet renamed; dropping removes them (the error paths of [`commit_to`]).
#[derive(Default)]
struct Temps<'a>(Vec<(PathBuf, PathBuf, &'a Destination)>);

impl Drop for Temps<'_> {
    fn drop(&mut self) {
        for (tmp, _, _) in &self.0 {
            let _ = fs::remove_file(tmp);
            unregister(tmp);
        }
    }
}

/// The temporary file name of output `name` for process `pid`: `.NAME.manto-PID.tmp`.
pub fn temp_name(name: &OsStr, pid: u32) -> String {
    format!(".{}.manto-{pid}.tmp", name.to_string_lossy())
}

/// Writes `bytes` to a fresh temporary beside `target`, fsynced, with the permissions of
/// the file it will replace; returns its path.
fn write_temp(target: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let (Some(dir), Some(name)) = (parent_dir(target), target.file_name()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "output path has no file name",
        ));
    };
    let _ = clean_stale_temps(dir, name);
    let tmp = dir.join(temp_name(name, std::process::id()));
    let result = (|| {
        let mut f = create_registered(&tmp)?;
        if let Ok(old) = fs::metadata(target) {
            f.set_permissions(old.permissions())?;
        }
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            unregister(&tmp);
            Err(e)
        }
    }
}

/// Removes the temporaries of output `name` in `dir` that belong to processes no longer
/// running, and returns how many it removed. It recognises this module's
/// `.NAME.manto-PID.tmp` and the `.NAME.PID.tmp` of earlier versions of manto.
///
/// Whether a process runs is read from `/proc/PID` on Linux; elsewhere (or without
/// `/proc`) nothing is removed. A PID reused by another process keeps its temporary until
/// that process ends too. Called by [`commit`] for every file it replaces.
pub fn clean_stale_temps(dir: &Path, name: &OsStr) -> io::Result<usize> {
    if !can_tell_liveness() {
        return Ok(0);
    }
    let name = name.to_string_lossy();
    let prefix = format!(".{name}.");
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some(rest) = file
            .to_str()
            .and_then(|f| f.strip_prefix(prefix.as_str()))
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        let pid = rest.strip_prefix("manto-").unwrap_or(rest);
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if !pid_running(pid) && entry.file_type().is_ok_and(|t| t.is_file()) {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(removed)
}

#[cfg(target_os = "linux")]
fn can_tell_liveness() -> bool {
    Path::new("/proc/self").exists()
}

#[cfg(not(target_os = "linux"))]
fn can_tell_liveness() -> bool {
    false
}

fn pid_running(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Temporaries that exist right now, for the interrupt handler.
fn live() -> &'static Mutex<Vec<PathBuf>> {
    static LIVE: OnceLock<Mutex<Vec<PathBuf>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Creates the temporary `tmp` and registers it, in one critical section with the
/// interrupt handler (which removes every registered temporary and exits holding the same
/// lock): a temporary is either created and registered before the handler looks, so the
/// handler removes it, or never created, as this thread then waits on the lock until the
/// process exits. (Registering first and creating after, outside the lock, left the file
/// the handler had just failed to find.)
fn create_registered(tmp: &Path) -> io::Result<File> {
    let mut l = live().lock().unwrap_or_else(|p| p.into_inner());
    // `create_new` never follows a link planted at the temporary's name. A file of that
    // name can only be ours: an earlier process with our PID, or an earlier failed
    // attempt of this one.
    let f = match OpenOptions::new().write(true).create_new(true).open(tmp) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(tmp)?;
            OpenOptions::new().write(true).create_new(true).open(tmp)?
        }
        r => r?,
    };
    l.push(tmp.to_path_buf());
    Ok(f)
}

fn unregister(tmp: &Path) {
    let mut l = live().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(i) = l.iter().position(|p| p == tmp) {
        l.swap_remove(i);
    }
}

/// The temporaries this process has open right now (what the interrupt handler would
/// remove).
pub fn live_temporaries() -> Vec<PathBuf> {
    live().lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Installs a handler for Ctrl-C (SIGINT), SIGTERM and SIGHUP that removes this process's
/// live temporaries ([`live_temporaries`]) and exits with code 130. Call it once at the
/// start of `main`; calling it again does nothing. It replaces the default behaviour of
/// those signals (which is also to end the process), so a program that handles them
/// itself should not call it.
pub fn install_interrupt_cleanup() -> Result<(), OutputError> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    ctrlc::set_handler(|| {
        // The lock is held to the exit: no temporary is created after the removal.
        let live = live().lock().unwrap_or_else(|p| p.into_inner());
        for tmp in live.iter() {
            let _ = fs::remove_file(tmp);
        }
        std::process::exit(130);
    })?;
    let _ = INSTALLED.set(());
    Ok(())
}
