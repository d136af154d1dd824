//! `num_thread` in a profile: `auto` (the effective cores), a fixed count, or a rule
//! such as `{fraction: 0.75, min: 2, max: 16}`.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How many threads a model gets, as a function of the effective cores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumThread {
    /// One thread per effective core.
    Auto,
    Fixed(u32),
    Rule(ThreadRule),
}

/// `floor(fraction × cores)`, clamped to `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadRule {
    pub fraction: f64,
    #[serde(default = "one")]
    pub min: u32,
    #[serde(default = "many")]
    pub max: u32,
}

fn one() -> u32 {
    1
}

fn many() -> u32 {
    u32::MAX
}

/// The cores each model may count on: all of them, or, for `models` kept loaded
/// together (a concurrent roster, whose requests run at the same time), an even
/// share, at least one. Oversubscribed threads slow llama.cpp down.
pub fn cores_per_model(cores: u32, models: usize) -> u32 {
    let models = u32::try_from(models.max(1)).unwrap_or(u32::MAX);
    (cores / models).max(1)
}

impl NumThread {
    /// The thread count for a machine with `cores` effective cores. Never more
    /// threads than cores: oversubscribing makes llama.cpp slower, not faster.
    pub fn resolve(self, cores: u32) -> u32 {
        let cores = cores.max(1);
        let wanted = match self {
            NumThread::Auto => cores,
            NumThread::Fixed(n) => n,
            NumThread::Rule(rule) => {
                let share = (rule.fraction * f64::from(cores)).floor() as u32;
                share.clamp(rule.min, rule.max)
            }
        };
        wanted.min(cores).max(1)
    }
}

impl Serialize for NumThread {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumThread::Auto => serializer.serialize_str("auto"),
            NumThread::Fixed(n) => serializer.serialize_u32(*n),
            NumThread::Rule(rule) => {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("fraction", &rule.fraction)?;
                map.serialize_entry("min", &rule.min)?;
                map.serialize_entry("max", &rule.max)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for NumThread {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ThreadVisitor)
    }
}

struct ThreadVisitor;

impl<'de> Visitor<'de> for ThreadVisitor {
    type Value = NumThread;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`auto`, a thread count, or {fraction, min, max}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NumThread, E> {
        match v {
            "auto" => Ok(NumThread::Auto),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumThread, E> {
        match u32::try_from(v) {
            Ok(n) if n >= 1 => Ok(NumThread::Fixed(n)),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumThread, E> {
        Err(E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NumThread, A::Error> {
        let rule = ThreadRule::deserialize(de::value::MapAccessDeserializer::new(map))?;
        if !(rule.fraction > 0.0 && rule.fraction <= 1.0) {
            return Err(de::Error::custom(format!(
                "num_thread fraction must be in (0, 1], not {}",
                rule.fraction
            )));
        }
        if rule.min < 1 || rule.min > rule.max {
            return Err(de::Error::custom(format!(
                "num_thread needs 1 <= min <= max, not min {} max {}",
                rule.min, rule.max
            )));
        }
        Ok(NumThread::Rule(rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Result<NumThread, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn coder_rule_is_three_quarters_of_cores_within_bounds() {
        let rule = read("{fraction: 0.75, min: 2, max: 16}").unwrap();
        let table = [
            (1, 1),
            (2, 2),
            (3, 2),
            (4, 3),
            (6, 4),
            (8, 6),
            (16, 12),
            (32, 16),
            (64, 16),
        ];
        for (cores, threads) in table {
            assert_eq!(rule.resolve(cores), threads, "{cores} cores");
        }
    }

    #[test]
    fn concurrent_models_share_the_cores() {
        assert_eq!(cores_per_model(32, 4), 8);
        assert_eq!(cores_per_model(6, 4), 1);
        assert_eq!(cores_per_model(2, 5), 1);
        assert_eq!(cores_per_model(8, 1), 8);
        assert_eq!(cores_per_model(8, 0), 8);
    }

    #[test]
    fn auto_and_fixed() {
        assert_eq!(read("auto").unwrap().resolve(6), 6);
        assert_eq!(read("4").unwrap().resolve(8), 4);
        assert_eq!(read("4").unwrap().resolve(2), 2);
    }

    #[test]
    fn refuses_nonsense() {
        for (yaml, fragment) in [
            ("automatic", "invalid value"),
            ("0", "invalid value"),
            ("-2", "invalid value"),
            ("{fraction: 1.5}", "fraction must be in (0, 1]"),
            ("{fraction: 0.5, min: 4, max: 2}", "min <= max"),
            ("{fraction: 0.5, maximum: 2}", "unknown field `maximum`"),
        ] {
            let error = read(yaml).unwrap_err();
            assert!(error.contains(fragment), "{yaml}: {error}");
        }
    }
}
