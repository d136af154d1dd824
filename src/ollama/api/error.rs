//! Failures of the HTTP API, classified like the CLI's: no answer is the same
//! "server not running" advice, an `{"error": …}` body goes through the same
//! match table (`super::super::error::classify`).

use crate::interrupt::Interrupted;
use crate::ollama::error::{ErrorClass, classify, strip_status_prefix};
use std::fmt;

/// A failed API call.
#[derive(Debug)]
pub enum ApiError {
    /// No answer: connection refused, name not resolved, TLS failure.
    Unreachable {
        doing: String,
        url: String,
        reason: String,
    },
    /// The server answered with an error status.
    Status {
        doing: String,
        url: String,
        status: u16,
        message: String,
        class: ErrorClass,
    },
    /// No complete answer in time.
    TimedOut {
        doing: String,
        url: String,
        seconds: u64,
    },
    /// Ctrl-C while waiting.
    Interrupted { doing: String },
    /// An answer that is not what the API documents (or too large).
    Unreadable {
        doing: String,
        url: String,
        reason: String,
    },
}

impl ApiError {
    /// The error of an answer with status `status` and body `body` (Ollama's
    /// `{"error": "…"}`, or text such as `404 page not found`).
    pub fn from_status(doing: &str, url: &str, status: u16, body: &[u8]) -> ApiError {
        let text = String::from_utf8_lossy(body);
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(String::from))
            .unwrap_or_else(|| text.chars().take(200).collect());
        let message = crate::text::one_line(strip_status_prefix(message.trim()));
        ApiError::Status {
            doing: doing.to_string(),
            url: url.to_string(),
            status,
            class: classify(&message),
            message,
        }
    }

    /// The failure class callers branch on: no answer is a server that is down.
    pub fn class(&self) -> Option<ErrorClass> {
        match self {
            ApiError::Unreachable { .. } => Some(ErrorClass::ServerDown),
            ApiError::Status { class, .. } => Some(class.clone()),
            _ => None,
        }
    }

    /// The server's own message of an error status.
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiError::Status { message, .. } => Some(message),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unreachable { doing, url, reason } => {
                let advice = ErrorClass::ServerDown.advice().unwrap_or_default();
                write!(
                    f,
                    "{advice} (could not {doing}: no answer from {url}: {reason})"
                )
            }
            ApiError::Status {
                doing,
                url,
                status,
                message,
                class,
            } => {
                let detail = format!("could not {doing}: {url} answered {status}: {message}");
                match class.advice() {
                    Some(advice) => write!(f, "{advice} ({detail})"),
                    None => f.write_str(&detail),
                }
            }
            ApiError::TimedOut {
                doing,
                url,
                seconds,
            } => write!(
                f,
                "timed out after {seconds}s waiting for {url} to {doing} (is the server hung?)"
            ),
            ApiError::Interrupted { doing } => write!(f, "interrupted while waiting to {doing}"),
            ApiError::Unreadable { doing, url, reason } => {
                write!(
                    f,
                    "could not {doing}: unreadable answer from {url}: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for ApiError {
    /// An interrupted call names [`Interrupted`] as its cause (exit 130).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApiError::Interrupted { .. } => Some(&Interrupted),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_is_classified_like_the_cli() {
        let error = ApiError::from_status(
            "load chat",
            "http://h/api/generate",
            404,
            br#"{"error":"model 'chat' not found"}"#,
        );
        assert_eq!(
            error.class(),
            Some(ErrorClass::ModelNotFound {
                name: "chat".into()
            })
        );
        assert!(
            error
                .to_string()
                .starts_with("model `chat` is not installed")
        );
        let plain = ApiError::from_status("x", "u", 404, b"404 page not found");
        assert_eq!(plain.message(), Some("404 page not found"));
        assert_eq!(plain.class(), Some(ErrorClass::Other));
    }

    #[test]
    fn no_answer_gives_the_server_down_advice() {
        let error = ApiError::Unreachable {
            doing: "ask the server for its version".into(),
            url: "http://127.0.0.1:11434".into(),
            reason: "connection refused".into(),
        };
        let text = error.to_string();
        assert!(
            text.starts_with("the Ollama server is not running: start it with `ollama serve`"),
            "{text}"
        );
        assert!(text.contains("connection refused"), "{text}");
        assert_eq!(error.class(), Some(ErrorClass::ServerDown));
    }

    #[test]
    fn an_interrupted_call_exits_130() {
        let error = anyhow::Error::new(ApiError::Interrupted {
            doing: "load chat".into(),
        });
        assert_eq!(crate::exit::code_of(&error), crate::exit::INTERRUPTED);
    }
}
