//! How long Ollama keeps a model loaded after a request (`keep_alive`), checked
//! as the server reads it: `api.Duration.UnmarshalJSON` (`api/types.go` at
//! v0.5.4 and v0.33.0-rc2) takes a number of seconds or a Go duration string;
//! anything negative means forever, 0 unloads.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A `keep_alive` value, kept as written (`-1`, `5m`, `24h`, `1h30m`).
#[derive(Debug, Clone, PartialEq)]
pub struct KeepAlive {
    text: String,
    seconds: f64,
}

impl KeepAlive {
    /// Keep the model loaded until the server stops (`-1`).
    pub fn forever() -> KeepAlive {
        KeepAlive {
            text: "-1".into(),
            seconds: -1.0,
        }
    }

    /// Parses a whole number of seconds or a Go duration; one line saying what
    /// is wrong otherwise.
    pub fn parse(text: &str) -> Result<KeepAlive, String> {
        let text = text.trim();
        let seconds = match text.parse::<i64>() {
            Ok(whole) => whole as f64,
            Err(_) => go_duration_seconds(text).ok_or_else(|| {
                format!("keep_alive {text:?} is neither whole seconds (-1, 300) nor a duration (5m, 24h, 1h30m)")
            })?,
        };
        Ok(KeepAlive {
            text: text.to_string(),
            seconds,
        })
    }

    /// Whether the model stays until the server stops.
    pub fn is_forever(&self) -> bool {
        self.seconds < 0.0
    }

    /// The request's `keep_alive`: a JSON number for whole seconds (a string
    /// `-1` is not a Go duration), the duration string otherwise.
    pub fn to_json(&self) -> serde_json::Value {
        match self.text.parse::<i64>() {
            Ok(whole) => whole.into(),
            Err(_) => self.text.clone().into(),
        }
    }
}

impl fmt::Display for KeepAlive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for KeepAlive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for KeepAlive {
    /// A YAML/JSON integer or string.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Whole(i64),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Whole(n) => n.to_string(),
            Raw::Text(text) => text,
        };
        KeepAlive::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Go's `time.ParseDuration` in seconds: an optional sign, then one or more
/// `<number><unit>` (units ns, us, µs, ms, s, m, h); a bare `0` is allowed.
fn go_duration_seconds(text: &str) -> Option<f64> {
    let (negative, mut rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        if !number.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_and_durations() {
        let forever = KeepAlive::parse("-1").unwrap();
        assert!(forever.is_forever());
        assert_eq!(forever.to_json(), serde_json::json!(-1));
        let five = KeepAlive::parse("5m").unwrap();
        assert_eq!(five.seconds, 300.0);
        assert_eq!(five.to_json(), serde_json::json!("5m"));
        assert_eq!(KeepAlive::parse("1h30m").unwrap().seconds, 5400.0);
        assert_eq!(KeepAlive::parse("1.5s").unwrap().seconds, 1.5);
        assert!(KeepAlive::parse("-1m").unwrap().is_forever());
        assert_eq!(KeepAlive::parse("0").unwrap().seconds, 0.0);
        assert_eq!(
            KeepAlive::parse("300").unwrap().to_json(),
            serde_json::json!(300)
        );
        for bad in ["", "m", "5 m", "5x", ".m", "1h-5m", "--1s"] {
            assert!(KeepAlive::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn yaml_takes_integers_and_strings() {
        let value: KeepAlive = serde_yaml::from_str("-1").unwrap();
        assert!(value.is_forever());
        let value: KeepAlive = serde_yaml::from_str("24h").unwrap();
        assert_eq!(value.to_string(), "24h");
        let error = serde_yaml::from_str::<KeepAlive>("soon").unwrap_err();
        assert!(error.to_string().contains("\"soon\""), "{error}");
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,20}") {
            let _ = KeepAlive::parse(&text);
        }
    }
}
