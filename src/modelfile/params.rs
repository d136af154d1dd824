//! PARAMETER names and value types as Ollama checks them (`api.FormatParams`,
//! `parser.deprecatedParameters`), and typed parameter values.

use serde::{Serialize, Serializer};
use std::fmt;

/// The type Ollama parses a parameter's text into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `strconv.ParseInt(s, 10, 64)`.
    Int,
    /// `strconv.ParseFloat(s, 32)`, stored as float32.
    Float,
    /// `strconv.ParseBool`.
    Bool,
    /// Any text; only `stop`, which repeats.
    Text,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Bool => "bool",
            Kind::Text => "string",
        })
    }
}

/// The parameters current Ollama accepts (JSON tags of `api.Options` and `api.Runner`).
pub const PARAMETERS: [(&str, Kind); 20] = [
    ("num_ctx", Kind::Int),
    ("num_batch", Kind::Int),
    ("num_gpu", Kind::Int),
    ("main_gpu", Kind::Int),
    ("use_mmap", Kind::Bool),
    ("num_thread", Kind::Int),
    ("draft_num_predict", Kind::Int),
    ("num_keep", Kind::Int),
    ("seed", Kind::Int),
    ("num_predict", Kind::Int),
    ("top_k", Kind::Int),
    ("top_p", Kind::Float),
    ("min_p", Kind::Float),
    ("typical_p", Kind::Float),
    ("repeat_last_n", Kind::Int),
    ("temperature", Kind::Float),
    ("repeat_penalty", Kind::Float),
    ("presence_penalty", Kind::Float),
    ("frequency_penalty", Kind::Float),
    ("stop", Kind::Text),
];

/// Names Ollama still accepts but drops, printing `warning: parameter X is deprecated`.
pub const DEPRECATED: [&str; 9] = [
    "penalize_newline",
    "low_vram",
    "f16_kv",
    "logits_all",
    "vocab_only",
    "use_mlock",
    "mirostat",
    "mirostat_tau",
    "mirostat_eta",
];

/// What Ollama makes of a parameter name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Known(Kind),
    Deprecated,
    Unknown,
}

/// Looks a name up; names are case-sensitive, as upstream's map lookup is.
pub fn lookup(name: &str) -> Lookup {
    if let Some((_, kind)) = PARAMETERS.iter().find(|(n, _)| *n == name) {
        Lookup::Known(*kind)
    } else if DEPRECATED.contains(&name) {
        Lookup::Deprecated
    } else {
        Lookup::Unknown
    }
}

/// The error for a name Ollama would refuse, listing the valid names.
pub fn unknown_parameter(name: &str) -> String {
    let valid: Vec<&str> = PARAMETERS.iter().map(|(n, _)| *n).collect();
    let hint = valid
        .iter()
        .find(|v| v.eq_ignore_ascii_case(name))
        .map(|v| format!(" (names are case-sensitive: did you mean '{v}'?)"))
        .unwrap_or_default();
    format!(
        "unknown parameter '{name}'{hint}; valid parameters: {}",
        valid.join(", ")
    )
}

/// A typed parameter value. Floats are float32 because Ollama stores them so, and
/// compare bit for bit: that is exactly what survives a render and a read-back.
#[derive(Debug, Clone)]
pub enum ParamValue {
    Int(i64),
    Float(f32),
    Bool(bool),
    Text(String),
}

impl PartialEq for ParamValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ParamValue::Int(a), ParamValue::Int(b)) => a == b,
            (ParamValue::Float(a), ParamValue::Float(b)) => a.to_bits() == b.to_bits(),
            (ParamValue::Bool(a), ParamValue::Bool(b)) => a == b,
            (ParamValue::Text(a), ParamValue::Text(b)) => a == b,
            _ => false,
        }
    }
}

impl ParamValue {
    /// Parses a parameter's text the way `api.FormatParams` does for `kind`, with
    /// its error wording (`invalid int value [4096.0]`).
    pub fn parse(kind: Kind, text: &str) -> Result<ParamValue, String> {
        let invalid = || format!("invalid {kind} value [{text}]");
        match kind {
            Kind::Int => text.parse().map(ParamValue::Int).map_err(|_| invalid()),
            Kind::Float => parse_float(text).map(ParamValue::Float).ok_or_else(invalid),
            Kind::Bool => parse_bool(text).map(ParamValue::Bool).ok_or_else(invalid),
            Kind::Text => Ok(ParamValue::Text(text.to_string())),
        }
    }

    /// The type of this value.
    pub fn kind(&self) -> Kind {
        match self {
            ParamValue::Int(_) => Kind::Int,
            ParamValue::Float(_) => Kind::Float,
            ParamValue::Bool(_) => Kind::Bool,
            ParamValue::Text(_) => Kind::Text,
        }
    }
}

/// Written so that Go reads back the same value: shortest float32 text, no exponent.
impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::Text(v) => f.write_str(v),
        }
    }
}

impl Serialize for ParamValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ParamValue::Int(v) => serializer.serialize_i64(*v),
            ParamValue::Float(v) => serializer.serialize_f32(*v),
            ParamValue::Bool(v) => serializer.serialize_bool(*v),
            ParamValue::Text(v) => serializer.serialize_str(v),
        }
    }
}

/// Go's `ParseFloat(s, 32)` for decimal text: out-of-range values are errors, `inf`,
/// `infinity` (signed) and `nan` (unsigned) are accepted. Hexadecimal floats, which
/// Go also takes, are refused: stricter than Ollama, never looser.
fn parse_float(text: &str) -> Option<f32> {
    let unsigned = text.trim_start_matches(['+', '-']);
    if text.len() - unsigned.len() > 1 || unsigned.starts_with("0x") || unsigned.starts_with("0X") {
        return None;
    }
    let special = unsigned.to_ascii_lowercase();
    if special == "nan" && unsigned.len() != text.len() {
        return None;
    }
    let value: f32 = text.parse().ok()?;
    let literal_infinity = special == "inf" || special == "infinity";
    (!value.is_infinite() || literal_infinity).then_some(value)
}

/// Go's `strconv.ParseBool`.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_names_up_case_sensitively() {
        assert_eq!(lookup("num_ctx"), Lookup::Known(Kind::Int));
        assert_eq!(lookup("stop"), Lookup::Known(Kind::Text));
        assert_eq!(lookup("mirostat"), Lookup::Deprecated);
        assert_eq!(lookup("Temperature"), Lookup::Unknown);
        assert_eq!(lookup("tfs_z"), Lookup::Unknown);
        let message = unknown_parameter("Temperature");
        assert!(message.starts_with("unknown parameter 'Temperature' (names are case-sensitive: did you mean 'temperature'?)"), "{message}");
        assert!(message.contains("num_ctx, num_batch"), "{message}");
    }

    #[test]
    fn ints_are_base_10() {
        assert_eq!(
            ParamValue::parse(Kind::Int, "+4096"),
            Ok(ParamValue::Int(4096))
        );
        assert_eq!(ParamValue::parse(Kind::Int, "-1"), Ok(ParamValue::Int(-1)));
        for bad in ["4096.0", "0x10", "1_000", "", " 1", "99999999999999999999"] {
            assert_eq!(
                ParamValue::parse(Kind::Int, bad),
                Err(format!("invalid int value [{bad}]"))
            );
        }
    }

    #[test]
    fn floats_follow_go() {
        for (text, value) in [
            ("0.7", 0.7f32),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("-0", -0.0),
        ] {
            assert_eq!(
                ParamValue::parse(Kind::Float, text),
                Ok(ParamValue::Float(value)),
                "{text}"
            );
        }
        assert!(ParamValue::parse(Kind::Float, "-Inf").is_ok());
        assert!(ParamValue::parse(Kind::Float, "NaN").is_ok());
        for bad in ["1e40", "+nan", "0x1p-2", "abc", "0.7 # x", "--1", ""] {
            assert!(ParamValue::parse(Kind::Float, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bools_follow_go() {
        assert_eq!(
            ParamValue::parse(Kind::Bool, "T"),
            Ok(ParamValue::Bool(true))
        );
        assert_eq!(
            ParamValue::parse(Kind::Bool, "False"),
            Ok(ParamValue::Bool(false))
        );
        for bad in ["yes", "tRUE", "on", ""] {
            assert_eq!(
                ParamValue::parse(Kind::Bool, bad),
                Err(format!("invalid bool value [{bad}]"))
            );
        }
    }

    #[test]
    fn floats_print_back_to_the_same_bits() {
        for value in [0.7f32, 1e-7, 3.4e38, 0.1, 1_000_000.0] {
            let text = ParamValue::Float(value).to_string();
            assert_eq!(
                ParamValue::parse(Kind::Float, &text),
                Ok(ParamValue::Float(value))
            );
        }
    }
}
