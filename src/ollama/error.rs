//! Typed failures of the `ollama` program, classified from its `Error:` line with
//! the era-tolerant match table of the reference (§13).

use std::fmt;

/// What kind of failure an `Error:` message reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// No server answers (all three historical wordings, or a raw transport error).
    ServerDown,
    /// `show`/`rm` of a model that is not installed.
    ModelNotFound {
        name: String,
    },
    /// `pull` (or `create FROM`) of a name the registry does not have.
    ManifestNotFound,
    InvalidName,
    UnknownParameter {
        name: String,
    },
    BadParameterValue {
        kind: String,
        value: String,
    },
    UnsupportedQuantization {
        requested: String,
    },
    AlreadyQuantized,
    DiskFull,
    /// A Modelfile grammar error, which Ollama's client reports before the server
    /// sees the file (`(line N): …`, `no FROM line`, `unexpected EOF: <text>`).
    ModelfileSyntax,
    /// The server itself failed: a 5xx answer no other class explains, or an
    /// answer that ended early (`unexpected EOF`, `EOF`, a reset connection).
    ServerFailed,
    Other,
}

/// The HTTP status of a `NNN Status Text: …` message, if it has one.
fn status_code(message: &str) -> Option<u16> {
    if strip_status_prefix(message) == message {
        return None;
    }
    message.get(..3)?.parse().ok()
}

/// Whether the answer ended before the server finished: Go's HTTP client reads a
/// truncated body as `unexpected EOF` (plain, unlike the parser's `unexpected EOF:
/// <text>`). The client's parser also says plain `unexpected EOF` for a quote never
/// closed at the end of a file, but `provision` hands Ollama only files its own
/// implementation of that grammar has read back, so here it is the server's.
fn ended_early(first: &str) -> bool {
    matches!(first, "unexpected EOF" | "EOF")
        || first.ends_with(": EOF")
        || first.ends_with("connection reset by peer")
}

/// Strips an optional `NNN Status Text: ` prefix (`400 Bad Request: `).
pub fn strip_status_prefix(message: &str) -> &str {
    let bytes = message.as_bytes();
    let code = bytes.len() > 5 && bytes[..3].iter().all(u8::is_ascii_digit) && bytes[3] == b' ';
    if !code || !bytes[4].is_ascii_alphabetic() {
        return message;
    }
    let rest = &message[4..];
    let text_len = rest
        .find(|c: char| !(c.is_ascii_alphabetic() || " '-".contains(c)))
        .unwrap_or(rest.len());
    rest[text_len..].strip_prefix(": ").unwrap_or(message)
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    text.strip_prefix(start)?.strip_suffix(end)
}

fn classify_parameter(message: &str) -> Option<ErrorClass> {
    if let Some(name) = between(message, "unknown parameter '", "'") {
        return Some(ErrorClass::UnknownParameter {
            name: name.to_string(),
        });
    }
    let rest = message.strip_prefix("invalid ")?;
    let (kind, value) = rest.split_once(" value [")?;
    let value = value.strip_suffix(']')?;
    matches!(kind, "int" | "float" | "bool").then(|| ErrorClass::BadParameterValue {
        kind: kind.to_string(),
        value: value.to_string(),
    })
}

fn classify_quantization(message: &str) -> Option<ErrorClass> {
    if message.starts_with("quantization is only supported for F16") {
        return Some(ErrorClass::AlreadyQuantized);
    }
    let requested = message
        .strip_prefix("unsupported quantization type ")
        .and_then(|rest| rest.split(' ').next())
        .or_else(|| message.strip_prefix("unknown fileType: "))?;
    Some(ErrorClass::UnsupportedQuantization {
        requested: requested.trim().to_string(),
    })
}

/// Classifies an `Error:` message by what it says and by who said it: the HTTP
/// status, when the message still has its prefix, tells a server failure from a
/// client-side one.
pub fn classify(message: &str) -> ErrorClass {
    let status = status_code(message.trim());
    let message = strip_status_prefix(message.trim());
    let first = message.lines().next().unwrap_or_default();
    if first.contains("could not connect to ollama server")
        || first.contains("could not connect to ollama app")
        || (first.starts_with("Head \"")
            && (first.contains("dial tcp") || first.contains("connect")))
    {
        return ErrorClass::ServerDown;
    }
    if first.starts_with("pull model manifest: file does not exist") {
        return ErrorClass::ManifestNotFound;
    }
    if let Some(name) = between(first, "model '", "' not found") {
        return ErrorClass::ModelNotFound {
            name: name.to_string(),
        };
    }
    if first.starts_with("invalid model name") {
        return ErrorClass::InvalidName;
    }
    if first.contains("no space left on device") {
        return ErrorClass::DiskFull;
    }
    if let Some(class) = classify_parameter(first).or_else(|| classify_quantization(first)) {
        return class;
    }
    if status.is_some_and(|code| code >= 500) || ended_early(first) {
        return ErrorClass::ServerFailed;
    }
    let syntax = first.starts_with("(line ")
        || first == "no FROM line"
        || first.starts_with("unexpected EOF:");
    if syntax {
        ErrorClass::ModelfileSyntax
    } else {
        ErrorClass::Other
    }
}

impl ErrorClass {
    /// One actionable sentence for the user, or None when ollama's own message is best.
    pub fn advice(&self) -> Option<String> {
        Some(match self {
            ErrorClass::ServerDown => "the Ollama server is not running: start it with `ollama serve` or `systemctl start ollama`".into(),
            ErrorClass::ModelNotFound { name } => format!("model `{name}` is not installed: check `ollama list` or pull it with `ollama pull {name}`"),
            ErrorClass::ManifestNotFound => "the registry has no such model or tag: check the name and tag on https://ollama.com/library".into(),
            ErrorClass::InvalidName => "the model name is invalid: use [host/][namespace/]model[:tag] with letters, digits, `_`, `-` and `.`".into(),
            ErrorClass::UnknownParameter { name } => format!("the Modelfile sets unknown parameter `{name}`: remove it or fix its spelling (names are case-sensitive)"),
            ErrorClass::BadParameterValue { kind, value } => format!("PARAMETER value `{value}` is not a valid {kind}: fix it in the Modelfile"),
            ErrorClass::UnsupportedQuantization { requested } => format!("ollama cannot quantize to {requested}: `create -q` accepts F32, F16, BF16, Q8_0, Q4_K_S and Q4_K_M; pull a pre-quantized tag instead"),
            ErrorClass::AlreadyQuantized => "the source model is already quantized: `create -q` needs an F16, BF16 or F32 source, so pull a pre-quantized tag instead".into(),
            ErrorClass::DiskFull => "the disk holding the Ollama model store is full: free space or move OLLAMA_MODELS".into(),
            ErrorClass::ModelfileSyntax => "the Modelfile has a syntax error".into(),
            ErrorClass::ServerFailed => "the Ollama server failed while answering: see its log (`journalctl -u ollama`, or ~/.ollama/logs/server.log)".into(),
            ErrorClass::Other => return None,
        })
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ErrorClass::ServerDown => "server not running",
            ErrorClass::ModelNotFound { .. } => "model not found",
            ErrorClass::ManifestNotFound => "manifest not found",
            ErrorClass::InvalidName => "invalid model name",
            ErrorClass::UnknownParameter { .. } => "unknown parameter",
            ErrorClass::BadParameterValue { .. } => "bad parameter value",
            ErrorClass::UnsupportedQuantization { .. } => "unsupported quantization type",
            ErrorClass::AlreadyQuantized => "source already quantized",
            ErrorClass::DiskFull => "no space left on device",
            ErrorClass::ModelfileSyntax => "modelfile syntax error",
            ErrorClass::ServerFailed => "server failed",
            ErrorClass::Other => "other",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn status_prefixes_are_stripped() {
        assert_eq!(
            strip_status_prefix("400 Bad Request: invalid model name"),
            "invalid model name"
        );
        assert_eq!(
            strip_status_prefix("500 Internal Server Error: x: y"),
            "x: y"
        );
        assert_eq!(strip_status_prefix("404 Not Found"), "404 Not Found");
        assert_eq!(
            strip_status_prefix("model 'a' not found"),
            "model 'a' not found"
        );
        assert_eq!(
            strip_status_prefix("pull model manifest: 400"),
            "pull model manifest: 400"
        );
    }

    #[test]
    fn the_match_table() {
        use ErrorClass::*;
        let cases = [
            (
                "could not connect to ollama server, run 'ollama serve' to start it",
                ServerDown,
            ),
            (
                "ollama server not responding - could not connect to ollama server, run 'ollama serve' to start it",
                ServerDown,
            ),
            (
                "could not connect to ollama app, is it running?",
                ServerDown,
            ),
            (
                "Head \"http://host:11434/\": dial tcp: lookup host: no such host",
                ServerDown,
            ),
            (
                "pull model manifest: file does not exist\n\n\"x:cloud\" is available",
                ManifestNotFound,
            ),
            (
                "model 'foo:latest' not found",
                ModelNotFound {
                    name: "foo:latest".into(),
                },
            ),
            ("400 Bad Request: invalid model name", InvalidName),
            ("invalid model name: ./x", InvalidName),
            (
                "unknown parameter 'foo'",
                UnknownParameter { name: "foo".into() },
            ),
            (
                "invalid float value [0.7 # x]",
                BadParameterValue {
                    kind: "float".into(),
                    value: "0.7 # x".into(),
                },
            ),
            (
                "500 Internal Server Error: unsupported quantization type NVFP4 - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0",
                UnsupportedQuantization {
                    requested: "NVFP4".into(),
                },
            ),
            (
                "unknown fileType: Q9",
                UnsupportedQuantization {
                    requested: "Q9".into(),
                },
            ),
            (
                "quantization is only supported for F16 and F32 models",
                AlreadyQuantized,
            ),
            (
                "500 Internal Server Error: quantization is only supported for F16, BF16 and F32 models",
                AlreadyQuantized,
            ),
            (
                "write /x/blobs/sha256-1-partial: no space left on device",
                DiskFull,
            ),
            ("(line 3): command must be one of \"from\"", ModelfileSyntax),
            ("no FROM line", ModelfileSyntax),
            ("unexpected EOF: num", ModelfileSyntax),
            (
                "400 Bad Request: (line 2): command must be one",
                ModelfileSyntax,
            ),
            ("unexpected EOF", ServerFailed),
            ("500 Internal Server Error: unexpected EOF", ServerFailed),
            ("500 Internal Server Error: (line 1): x", ServerFailed),
            (
                "500 Internal Server Error: emulated create failure",
                ServerFailed,
            ),
            (
                "read tcp 127.0.0.1:1->127.0.0.1:11434: read: connection reset by peer",
                ServerFailed,
            ),
            ("400 Bad Request: something else", Other),
            ("pull model manifest: 400", Other),
        ];
        for (message, expected) in cases {
            assert_eq!(classify(message), expected, "{message}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            let _ = classify(&text);
            let _ = classify(&format!("400 Bad{text}"));
        }
    }
}
