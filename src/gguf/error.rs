//! Why a GGUF header could not be read: too little input yet, or input that is not
//! a GGUF file this reader supports.

use std::fmt;

/// The outcome of a failed read. A caller reading a remote blob by ranges grows its
/// range on [`Error::Incomplete`] and gives up on anything else. Each message is one
/// line a caller can prefix with the file or URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is a valid prefix so far but ends inside the header: at least
    /// `needed` bytes from the start of the file are required (a lower bound: more
    /// may be needed once those are read).
    Incomplete { needed: u64, have: u64 },
    /// The input cannot be the start of a GGUF file this reader supports.
    Malformed { offset: u64, reason: String },
    /// Reading the input failed.
    Io(String),
}

impl Error {
    /// The bytes needed when the input is an incomplete prefix.
    pub fn needed(&self) -> Option<u64> {
        match self {
            Error::Incomplete { needed, .. } => Some(*needed),
            _ => None,
        }
    }

    pub(crate) fn malformed(offset: usize, reason: impl Into<String>) -> Error {
        Error::Malformed {
            offset: offset as u64,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Incomplete { needed, have } => write!(
                f,
                "incomplete GGUF header: {have} bytes read, at least {needed} needed"
            ),
            Error::Malformed { offset, reason } => {
                write!(f, "not a valid GGUF file (at byte {offset}): {reason}")
            }
            Error::Io(message) => write!(f, "could not read the GGUF header: {message}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let errors = [
            Error::Incomplete {
                needed: 10,
                have: 4,
            },
            Error::malformed(0, "bad magic"),
            Error::Io("broken pipe".into()),
        ];
        for error in errors {
            assert!(!error.to_string().contains('\n'), "{error}");
        }
        assert_eq!(
            Error::Incomplete {
                needed: 10,
                have: 4
            }
            .needed(),
            Some(10)
        );
        assert_eq!(Error::malformed(3, "x").needed(), None);
    }
}
