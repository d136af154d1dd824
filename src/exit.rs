//! Exit codes: what each outcome and each error means to a script.
//!
//! 0 success, 1 runtime failure, 2 usage error, 3 `--check` found changes to make
//! (or `outdated` found an outdated tag), 130 interrupted. A closed stdout (`provision probe | head -1`) is not an error.

use std::io;

pub const OK: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const CHANGES_NEEDED: u8 = 3;
pub const INTERRUPTED: u8 = 130;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Something it acted on failed (reported per item); exit 1.
    Failed,
    /// `--check` found changes to make, or `outdated` an outdated tag; exit 3.
    ChangesNeeded,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => OK,
            Outcome::Failed => FAILURE,
            Outcome::ChangesNeeded => CHANGES_NEEDED,
        }
    }
}

/// An error the user caused by what they typed: exit 2 instead of 1.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The exit code of a run that ended with `error`.
pub fn code_of(error: &anyhow::Error) -> u8 {
    if is_broken_pipe(error) {
        OK
    } else if error.downcast_ref::<UsageError>().is_some() {
        USAGE
    } else if crate::interrupt::is_interrupted(error) {
        INTERRUPTED
    } else {
        FAILURE
    }
}

/// Whether the error is stdout closed by its reader (`| head -1`): not an error.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_ollama_call_exits_130() {
        let error = anyhow::Error::new(crate::ollama::OllamaError::Interrupted {
            command: "ollama pull x".into(),
        })
        .context("could not apply the plan");
        assert_eq!(code_of(&error), INTERRUPTED);
        assert_eq!(code_of(&anyhow::anyhow!("other")), FAILURE);
    }

    #[test]
    fn usage_errors_exit_2_and_a_broken_pipe_is_quiet_success() {
        assert_eq!(code_of(&UsageError("bad".into()).into()), USAGE);
        let error = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("could not print");
        assert_eq!(code_of(&error), OK);
    }
}
