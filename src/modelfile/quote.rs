//! Writing a value so Ollama's lexer reads back exactly that value. Modelfiles have
//! no escape sequences, so each value gets the first of bare, `"…"` or `"""…"""`
//! that survives a read-back by the grammar itself, or is refused with the reason.

use super::grammar;
use super::lexical::{is_newline, is_print};
use std::fmt;

/// Why a value cannot be written into a Modelfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteError {
    /// The instruction or parameter, e.g. `SYSTEM` or `PARAMETER stop`.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cannot be written into a Modelfile: {}",
            self.field, self.reason
        )
    }
}

impl std::error::Error for QuoteError {}

/// Returns `value` written for the Modelfile: bare when Ollama reads it back
/// unchanged, otherwise quoted. Multi-line values prefer `"""…"""`.
pub fn quote(field: &str, value: &str) -> Result<String, QuoteError> {
    let error = |reason: String| QuoteError {
        field: field.to_string(),
        reason,
    };
    if let Some(bad) = value
        .chars()
        .find(|&c| !(is_print(c) || c == '\t' || is_newline(c)))
    {
        return Err(error(format!(
            "it contains the non-printable character U+{:04X}, which Ollama's parser drops",
            bad as u32
        )));
    }
    let bare = value.to_string();
    let double = format!("\"{value}\"");
    let triple = format!("\"\"\"{value}\"\"\"");
    let candidates = if value.contains(is_newline) {
        [bare, triple, double]
    } else {
        [bare, double, triple]
    };
    candidates
        .into_iter()
        .find(|written| !written.is_empty() && reads_back(written, value))
        .ok_or_else(|| error(unquotable_reason(value)))
}

/// True when `SYSTEM <written>` followed by another instruction parses as exactly
/// `value` and then that instruction.
fn reads_back(written: &str, value: &str) -> bool {
    let text = format!("FROM m\nSYSTEM {written}\nLICENSE end\n");
    match grammar::parse(&text) {
        Ok(parsed) => {
            parsed.commands.len() == 3
                && parsed.commands[1].name == "system"
                && parsed.commands[1].args == value
                && parsed.commands[2].args == "end"
        }
        Err(_) => false,
    }
}

/// Explains, for a value no form can carry, which rule each quoting breaks.
fn unquotable_reason(value: &str) -> String {
    let line_ends = |suffix: &str| {
        value
            .split(is_newline)
            .rev()
            .skip(1)
            .any(|line| line.trim_end_matches([' ', '\t']).ends_with(suffix))
    };
    let mut why = Vec::new();
    if line_ends("\"\"\"") {
        why.push("a line of it ends with \"\"\", which would close \"\"\"…\"\"\" early");
    } else if value.ends_with('"') || value.starts_with('"') {
        why.push("it starts or ends with a double quote, which \"\"\"…\"\"\" would swallow");
    }
    if line_ends("\"") {
        why.push("a line of it ends with \", which would close \"…\" early");
    } else if value.starts_with('"') {
        why.push("it starts with a double quote, which would turn \"…\" into \"\"\"…");
    }
    format!(
        "it needs quoting (it is multi-line, empty, starts with a quote or has leading or trailing whitespace) \
         but Modelfiles have no escape sequences, and {}",
        why.join("; and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(value: &str) -> String {
        quote("SYSTEM", value).unwrap()
    }

    #[test]
    fn picks_the_plainest_form_that_reads_back() {
        assert_eq!(q("<|eot_id|>"), "<|eot_id|>");
        assert_eq!(q("say \"hi\""), "say \"hi\"");
        assert_eq!(q(" padded "), "\" padded \"");
        assert_eq!(q(""), "\"\"");
        assert_eq!(q("\"quoted\""), "\"\"quoted\"\"");
        assert_eq!(q("two\nlines"), "\"\"\"two\nlines\"\"\"");
        assert_eq!(q("ends with \"\nquote"), "\"\"\"ends with \"\nquote\"\"\"");
        assert_eq!(q("a\"\"\"b\nc"), "\"\"\"a\"\"\"b\nc\"\"\"");
        assert_eq!(
            q("# not a comment\nFROM evil"),
            "\"\"\"# not a comment\nFROM evil\"\"\""
        );
        assert_eq!(q("tab\tinside"), "tab\tinside");
        assert_eq!(q("crlf\r\nline"), "\"\"\"crlf\r\nline\"\"\"");
    }

    #[test]
    fn refuses_what_would_read_back_differently() {
        let error = quote("SYSTEM", "\"\"\"\nFROM evil\nPARAMETER num_ctx 1").unwrap_err();
        assert_eq!(error.field, "SYSTEM");
        assert!(
            error
                .to_string()
                .starts_with("SYSTEM cannot be written into a Modelfile: it needs quoting"),
            "{error}"
        );
        assert!(error.reason.contains("ends with \"\"\""), "{error}");
        let error = quote("PARAMETER stop", "a\u{a0}b").unwrap_err();
        assert!(error.reason.contains("U+00A0"), "{error}");
        assert!(quote("SYSTEM", "x\"\"\"\ny\"\nz").is_err());
    }
}
