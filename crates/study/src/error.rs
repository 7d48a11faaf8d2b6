//! The study layer's errors. Every variant is bad input (exit code 2 in the CLI): the
//! library never prints.

use des::input::InputError;

/// What can go wrong before a study runs.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The scenario (file or override) is invalid: one located problem per entry.
    #[error("{}", join(.0))]
    Input(Vec<InputError>),
    /// A flag or argument is unusable.
    #[error("{flag}: {message}")]
    Usage {
        /// The flag as typed, e.g. `--confidence`.
        flag: String,
        /// What is wrong with it.
        message: String,
    },
}

impl StudyError {
    /// A usage error for `flag`.
    pub fn usage(flag: impl Into<String>, message: impl Into<String>) -> StudyError {
        StudyError::Usage {
            flag: flag.into(),
            message: message.into(),
        }
    }

    /// One line per problem, as the CLI prints them (each prefixed `error: `).
    pub fn lines(&self) -> Vec<String> {
        match self {
            StudyError::Input(v) => v.iter().map(|e| e.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}

fn join(v: &[InputError]) -> String {
    v.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
