//! The `ollama` boundary: the wrapper that runs the program, pure parsers of its
//! output, the client of the server's HTTP API, and the typed failures callers
//! branch on.

pub mod api;
pub mod error;
mod goquote;
pub mod host;
pub mod keep_alive;
pub mod list;
pub mod parameters;
mod process;
pub mod progress;
pub mod rules;
pub mod show;
pub mod show_modelfile;
pub mod show_verbose;
pub mod version;
mod wrapper;

pub use crate::interrupt::Interrupt;
pub use api::{Api, ApiError};
pub use error::ErrorClass;
pub use keep_alive::KeepAlive;
pub use list::{DisplayedSize, ListEntry};
pub use parameters::{ParamValue, Parameter};
pub use progress::{ProgressLine, ProgressState};
pub use show::{ParameterCount, ShowInfo};
pub use show_modelfile::ShownModelfile;
pub use show_verbose::{TensorRow, Verbose};
pub use version::Version;

pub use wrapper::{DEFAULT_TIMEOUT, Ollama, OnProgress, command_line};

use crate::interrupt::Interrupted;
use std::fmt;
use std::path::PathBuf;

/// A failed use of `ollama`.
#[derive(Debug)]
pub enum OllamaError {
    /// No `ollama` binary could be found (or the explicit path does not exist).
    Missing { explicit: Option<PathBuf> },
    /// The program could not be started or waited for.
    Spawn {
        command: String,
        source: std::io::Error,
    },
    /// `ollama` exited non-zero (or without reporting success).
    Failed {
        doing: String,
        command: String,
        code: i32,
        message: String,
        class: ErrorClass,
    },
    /// A quick call did not finish in time.
    TimedOut { command: String, seconds: f64 },
    /// The caller's [`Interrupt`] fired; the child was killed.
    Interrupted { command: String },
    /// `ollama` succeeded but printed something we cannot read.
    Unreadable {
        command: String,
        source: anyhow::Error,
    },
}

impl OllamaError {
    /// The failure class when ollama reported an error.
    pub fn class(&self) -> Option<&ErrorClass> {
        match self {
            OllamaError::Failed { class, .. } => Some(class),
            _ => None,
        }
    }
}

impl fmt::Display for OllamaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OllamaError::Missing { explicit: Some(path) } => write!(f, "could not find `ollama` at {} (from --ollama or OLLAMA_BIN): fix the path or unset it to search PATH", path.display()),
            OllamaError::Missing { explicit: None } => f.write_str("could not find `ollama` on PATH: install it with `curl -fsSL https://ollama.com/install.sh | sh` (https://ollama.com/download), or set OLLAMA_BIN to its path"),
            OllamaError::Spawn { command, source } => write!(f, "could not run `{command}`: {source}"),
            OllamaError::Failed { doing, command, code, message, class } => {
                let detail = format!("could not {doing}: `{command}` exited with code {code}: {message}");
                match class.advice() {
                    Some(advice) => write!(f, "{advice} ({detail})"),
                    None => f.write_str(&detail),
                }
            }
            OllamaError::TimedOut { command, seconds } => write!(f, "timed out after {seconds}s waiting for `{command}` (is the server hung?)"),
            OllamaError::Interrupted { command } => write!(f, "interrupted while running `{command}`"),
            OllamaError::Unreadable { command, source } => write!(f, "could not read the output of `{command}`: {source:#}"),
        }
    }
}

impl std::error::Error for OllamaError {
    /// An interrupted call names [`Interrupted`] as its cause, so the exit code
    /// (130) is found without knowing this type.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        // Other causes are already part of the message; naming them here would
        // print them twice in `{error:#}`.
        match self {
            OllamaError::Interrupted { .. } => Some(&Interrupted),
            _ => None,
        }
    }
}
