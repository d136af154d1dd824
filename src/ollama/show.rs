//! Parser for the default view of `ollama show MODEL`, in every layout since v0.1.45.

use super::goquote;
use anyhow::{Result, bail};

/// A parameter count as printed: `8.0B`, `494.03M`, `7B`, `12K` or a plain integer.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterCount {
    pub text: String,
    /// The count the text stands for (HumanNumber rounds, so this is approximate).
    pub approx: u64,
}

impl ParameterCount {
    /// Parses `^(\d+(?:\.\d+)?)([BMK])?$`.
    pub fn parse(text: &str) -> Option<ParameterCount> {
        let (number, scale) = match text.chars().last()? {
            'B' => (&text[..text.len() - 1], 1e9),
            'M' => (&text[..text.len() - 1], 1e6),
            'K' => (&text[..text.len() - 1], 1e3),
            _ => (text, 1.0),
        };
        let mut parts = number.splitn(2, '.');
        let whole = parts.next()?;
        let digits =
            |s: &str| !s.is_empty() && s.len() < 16 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || parts.next().is_some_and(|f| !digits(f)) {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        Some(ParameterCount {
            text: text.to_string(),
            approx: (value * scale).round() as u64,
        })
    }
}

/// Everything the default view shows, with unknown rows and sections ignored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShowInfo {
    pub architecture: Option<String>,
    pub parameters: Option<ParameterCount>,
    pub context_length: Option<u64>,
    pub embedding_length: Option<u64>,
    /// The GGUF file-type name as printed; may be empty or `unknown`.
    pub quantization: String,
    pub requires: Option<String>,
    pub capabilities: Vec<String>,
    /// Projector rows (`architecture`, `parameters`, …) as key/value text.
    pub projector: Vec<(String, String)>,
    /// Parameters in printed order; Go-quoted values are unquoted, split pieces rejoined.
    pub parameters_section: Vec<(String, String)>,
    /// The first System lines (and `...` when truncated).
    pub system: Vec<String>,
    /// The first License lines (and `...` when truncated).
    pub license: Vec<String>,
}

impl ShowInfo {
    /// The quantization name, or None when it is empty or `unknown`.
    pub fn known_quantization(&self) -> Option<&str> {
        match self.quantization.as_str() {
            "" => None,
            q if q.eq_ignore_ascii_case("unknown") => None,
            q => Some(q),
        }
    }
}

/// Splits a table row into cells: TABs in the old layout, runs of 2+ spaces now.
fn cells(row: &str) -> Vec<String> {
    if row.contains('\t') {
        return row
            .split('\t')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
    }
    let mut out = Vec::new();
    for piece in row.trim().split("  ") {
        let piece = piece.trim();
        if !piece.is_empty() {
            out.push(piece.to_string());
        }
    }
    out
}

fn apply_model_row(info: &mut ShowInfo, key: &str, value: String) -> Result<()> {
    let number = |v: &str| v.parse::<u64>().ok();
    match key {
        "architecture" | "arch" => info.architecture = Some(value),
        "parameters" => {
            let count = ParameterCount::parse(&value);
            if count.is_none() && !value.is_empty() {
                bail!("could not parse parameter count {value:?}");
            }
            info.parameters = count;
        }
        "context length" => info.context_length = number(&value),
        "embedding length" => info.embedding_length = number(&value),
        "quantization" => info.quantization = value,
        "requires" => info.requires = Some(value),
        _ => {}
    }
    Ok(())
}

fn apply_row(info: &mut ShowInfo, section: &str, line: &str) -> Result<()> {
    let cells = cells(line);
    let Some(key) = cells.first().cloned() else {
        return Ok(());
    };
    let value = cells[1..].join(" ");
    match section {
        "Model" => apply_model_row(info, &key, value)?,
        "Capabilities" => info.capabilities.push(key),
        "Projector" => info.projector.push((key, value)),
        "Parameters" => {
            let value = goquote::unquote(&value).unwrap_or(value);
            info.parameters_section.push((key, value));
        }
        "System" => info.system.push(line.trim().to_string()),
        "License" => info.license.push(line.trim().to_string()),
        _ => {}
    }
    Ok(())
}

/// Parses the default view. Sections start with two spaces, rows with four (or
/// with `  \t` in the v0.1.45–v0.3.10 layout); a blank line ends a section.
pub fn parse_show(text: &str) -> Result<ShowInfo> {
    let mut info = ShowInfo::default();
    let mut section: Option<String> = None;
    let mut saw_model = false;
    for line in text.lines() {
        let row = line
            .strip_prefix("    ")
            .or_else(|| line.strip_prefix("  \t"));
        match (row, line.strip_prefix("  ")) {
            _ if line.trim().is_empty() => section = None,
            (Some(row), _) => {
                if let Some(name) = &section {
                    apply_row(&mut info, name, row)?;
                }
            }
            (None, Some(header)) if !header.starts_with(char::is_whitespace) => {
                let name = header.trim_end().to_string();
                saw_model |= name == "Model";
                section = Some(name);
            }
            _ => {}
        }
    }
    if !saw_model {
        bail!("could not find the Model section in the output of `ollama show`");
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parameter_counts() {
        let approx = |t: &str| ParameterCount::parse(t).map(|c| c.approx);
        assert_eq!(approx("8.0B"), Some(8_000_000_000));
        assert_eq!(approx("494.03M"), Some(494_030_000));
        assert_eq!(approx("7B"), Some(7_000_000_000));
        assert_eq!(approx("12K"), Some(12_000));
        assert_eq!(approx("123456"), Some(123_456));
        for bad in ["", "B", "1.B", ".5B", "1e9", "8.0G", "-1"] {
            assert_eq!(approx(bad), None, "{bad}");
        }
    }

    #[test]
    fn empty_and_unknown_quantization() {
        let info =
            parse_show("  Model\n    architecture    llama    \n    quantization    \n\n").unwrap();
        assert_eq!(info.quantization, "");
        assert_eq!(info.known_quantization(), None);
        let info = parse_show("  Model\n    quantization    unknown    \n\n").unwrap();
        assert_eq!(info.known_quantization(), None);
    }

    #[test]
    fn without_a_model_section_it_is_an_error() {
        assert!(parse_show("Error: something\n").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(text in "(  Model\n)?(\\PC|\n|\t){0,160}") {
            let _ = parse_show(&text);
        }
    }
}
