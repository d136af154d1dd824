//! Exit codes and the one-line error report.
//!
//! 0 success, 1 runtime failure, 2 usage error, 3 `--check` found changes to make,
//! 130 interrupted. A closed stdout (`provision probe | head -1`) is not an error.

use std::io::{self, Write};
use std::process::ExitCode;

pub const OK: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const CHANGES_NEEDED: u8 = 3;
pub const INTERRUPTED: u8 = 130;

/// An error the user caused by what they typed: exit 2 instead of 1.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Prints `provision: <error and its causes>` on stderr and picks the exit code.
pub fn report(error: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(error) {
        return ExitCode::from(OK);
    }
    let message = one_line(&format!("{error:#}"));
    let _ = writeln!(io::stderr(), "provision: {message}");
    if error.downcast_ref::<UsageError>().is_some() {
        ExitCode::from(USAGE)
    } else if is_interrupted(error) {
        ExitCode::from(INTERRUPTED)
    } else {
        ExitCode::from(FAILURE)
    }
}

/// Writes to stdout, treating a closed pipe as success by the caller (see `report`).
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// An `ollama` call killed because the user pressed Ctrl-C.
fn is_interrupted(error: &anyhow::Error) -> bool {
    use crate::ollama::OllamaError;
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<OllamaError>(),
            Some(OllamaError::Interrupted { .. })
        )
    })
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Folds a message onto one line so scripts can rely on `provision: …` being a
/// single line of stderr.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_messages_to_one_line() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }

    #[test]
    fn an_interrupted_ollama_call_exits_130() {
        let error = anyhow::Error::new(crate::ollama::OllamaError::Interrupted {
            command: "ollama pull x".into(),
        })
        .context("could not apply the plan");
        assert!(is_interrupted(&error));
        assert!(!is_interrupted(&anyhow::anyhow!("other")));
    }

    #[test]
    fn broken_pipe_is_quiet_success() {
        let error = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("could not print");
        assert!(is_broken_pipe(&error));
    }
}
