//! Parser for `ollama show --parameters`: `%-30s %#v` lines in random order.

use super::goquote;
use anyhow::{Result, bail};

/// A parameter value as `%#v` printed it.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A Go-quoted string, unescaped.
    Text(String),
    /// A number, with the text as printed (`0.95`, `1e+06`).
    Number { value: f64, text: String },
    /// `true` or `false`.
    Bool(bool),
}

impl ParamValue {
    /// The value as a Modelfile would spell it (strings unquoted).
    pub fn as_modelfile_text(&self) -> String {
        match self {
            ParamValue::Text(text) => text.clone(),
            ParamValue::Number { text, .. } => text.clone(),
            ParamValue::Bool(b) => b.to_string(),
        }
    }
}

/// One `name value` pair; `stop` may appear several times.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub value: ParamValue,
}

/// Parses one value as `%#v` prints strings, float64 numbers and bools.
pub fn parse_value(text: &str) -> Result<ParamValue> {
    if text.starts_with('"') {
        return match goquote::unquote(text) {
            Some(unquoted) => Ok(ParamValue::Text(unquoted)),
            None => bail!("could not unquote parameter value {text}"),
        };
    }
    match text {
        "true" => return Ok(ParamValue::Bool(true)),
        "false" => return Ok(ParamValue::Bool(false)),
        _ => {}
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    match text.parse::<f64>() {
        Ok(value) if numeric && !text.is_empty() => Ok(ParamValue::Number {
            value,
            text: text.to_string(),
        }),
        _ => bail!("could not parse parameter value {text:?}"),
    }
}

/// Parses the whole output; blank lines (no parameters) yield nothing.
pub fn parse_parameters(text: &str) -> Result<Vec<Parameter>> {
    let mut parameters = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(|c: char| c.is_whitespace()) else {
            bail!(
                "could not parse `ollama show --parameters` line {}: {line:?}",
                index + 1
            );
        };
        let value = parse_value(value.trim_start())
            .map_err(|e| anyhow::anyhow!("line {}: {e}", index + 1))?;
        parameters.push(Parameter {
            name: name.to_string(),
            value,
        });
    }
    Ok(parameters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_padded_lines_of_every_type() {
        let text = "repeat_penalty                 1\nstop                           \"<start_of_turn>\"\nnum_ctx                        1e+06\nuse_mmap                       false\nstop                           \"### User:\"\n";
        let parsed = parse_parameters(text).unwrap();
        assert_eq!(parsed.len(), 5);
        assert_eq!(parsed[1].value, ParamValue::Text("<start_of_turn>".into()));
        assert!(matches!(parsed[2].value, ParamValue::Number { value, .. } if value == 1e6));
        assert_eq!(parsed[3].value, ParamValue::Bool(false));
        assert_eq!(parsed[4].value.as_modelfile_text(), "### User:");
    }

    #[test]
    fn an_empty_line_means_no_parameters() {
        assert!(parse_parameters("\n").unwrap().is_empty());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_parameters("stop \"open\n").is_err());
        assert!(parse_parameters("lonely\n").is_err());
        assert!(parse_parameters("x inf\n").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            let _ = parse_parameters(&text);
        }
    }
}
