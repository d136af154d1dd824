//! Parameter maps in profiles (`num_ctx: 2048`, `stop: ["<|im_end|>"]`), checked
//! against Ollama's names and types while the YAML is read, so that an error
//! carries the line and column of the offending key.

use crate::modelfile::params::{self, Kind, Lookup, ParamValue};
use crate::modelfile::ranges;
use crate::modelfile::{Parameter, quote};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Parameters in the order written; `stop` may hold several values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parameters(pub Vec<Parameter>);

impl Parameters {
    /// Parameter names present, once each, in order.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in &self.0 {
            if !names.contains(&p.name.as_str()) {
                names.push(&p.name);
            }
        }
        names
    }

    /// Every value given for `name`.
    pub fn values(&self, name: &str) -> Vec<ParamValue> {
        self.0
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.value.clone())
            .collect()
    }
}

impl Serialize for Parameters {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let names = self.names();
        let mut map = serializer.serialize_map(Some(names.len()))?;
        for name in names {
            let values = self.values(name);
            if name == "stop" {
                map.serialize_entry(name, &values)?;
            } else {
                map.serialize_entry(name, &values[values.len() - 1])?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Parameters {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor)
    }
}

struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = Parameters;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of Ollama parameter names to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parameters, A::Error> {
        let mut out = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        while let Some((name, kind)) = map.next_key_seed(NameSeed { seen: &seen })? {
            for value in map.next_value_seed(ValueSeed { name: &name, kind })? {
                out.push(Parameter::new(name.clone(), value));
            }
            seen.push(name);
        }
        Ok(Parameters(out))
    }
}

/// Reads a parameter name and checks it inside the key's own deserialization, so
/// the YAML error points at the key: `None` kind is a deprecated name.
struct NameSeed<'a> {
    seen: &'a [String],
}

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = (String, Option<Kind>);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed<'_> {
    type Value = (String, Option<Kind>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Ollama parameter name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        if self.seen.iter().any(|seen| seen == name) {
            return Err(E::custom(format!("parameter {name} is given twice")));
        }
        match params::lookup(name) {
            Lookup::Unknown => Err(E::custom(params::unknown_parameter(name))),
            Lookup::Deprecated => Ok((name.to_string(), None)),
            Lookup::Known(kind) => Ok((name.to_string(), Some(kind))),
        }
    }
}

/// Reads one parameter's value as its kind requires; `None` is a deprecated name,
/// whose value Ollama never parses.
struct ValueSeed<'a> {
    name: &'a str,
    kind: Option<Kind>,
}

impl ValueSeed<'_> {
    /// A scalar value, checked against the parameter's range while the YAML
    /// parser still points at it (`p.yaml:3:12: parameter num_ctx must be …`).
    fn one<E: de::Error>(&self, value: ParamValue) -> Result<Vec<ParamValue>, E> {
        if self.kind.is_some() {
            ranges::check(self.name, &value).map_err(E::custom)?;
        }
        Ok(vec![value])
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Vec<ParamValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Vec<ParamValue>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let what = match self.kind {
            Some(Kind::Int) => "an integer",
            Some(Kind::Float) => "a number",
            Some(Kind::Bool) => "true or false",
            Some(Kind::Text) => "a string or a list of strings",
            None => "a scalar",
        };
        write!(f, "{what} for parameter {}", self.name)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        match self.kind {
            Some(Kind::Bool) | None => self.one(ParamValue::Bool(v)),
            _ => Err(E::invalid_type(de::Unexpected::Bool(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match self.kind {
            Some(Kind::Int) | None => self.one(ParamValue::Int(v)),
            Some(Kind::Float) => self.visit_f64(v as f64),
            _ => Err(E::invalid_type(de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        let single = v as f32;
        match self.kind {
            Some(Kind::Float) | None if single.is_finite() => self.one(ParamValue::Float(single)),
            Some(Kind::Float) | None => Err(E::invalid_value(de::Unexpected::Float(v), &self)),
            _ => Err(E::invalid_type(de::Unexpected::Float(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match self.kind {
            Some(Kind::Text) | None => Ok(vec![text(self.name, v)?]),
            _ => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if self.kind != Some(Kind::Text) {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let mut values = Vec::new();
        while let Some(item) = seq.next_element::<String>()? {
            values.push(text(self.name, &item)?);
        }
        Ok(values)
    }
}

/// A text value, refused here if no quoting could write it into a Modelfile.
fn text<E: de::Error>(name: &str, value: &str) -> Result<ParamValue, E> {
    quote(&format!("PARAMETER {name}"), value).map_err(E::custom)?;
    Ok(ParamValue::Text(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Result<Parameters, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_typed_values_in_order() {
        let p =
            read("num_ctx: 2048\ntemperature: 1\nuse_mmap: true\nstop: [\"<|im_end|>\", \"x\"]\n")
                .unwrap();
        let expected = [
            Parameter::new("num_ctx", ParamValue::Int(2048)),
            Parameter::new("temperature", ParamValue::Float(1.0)),
            Parameter::new("use_mmap", ParamValue::Bool(true)),
            Parameter::new("stop", ParamValue::Text("<|im_end|>".into())),
            Parameter::new("stop", ParamValue::Text("x".into())),
        ];
        assert_eq!(p.0, expected);
        assert_eq!(
            read("stop: one\n").unwrap().values("stop"),
            [ParamValue::Text("one".into())]
        );
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"num_ctx":2048,"temperature":1.0,"use_mmap":true,"stop":["<|im_end|>","x"]}"#
        );
    }

    #[test]
    fn refuses_unknown_names_and_wrong_types_with_location() {
        let cases = [
            (
                "num_ctx: 1024\nTemperature: 1\n",
                "unknown parameter 'Temperature'",
                "line 2",
            ),
            (
                "seed: 1\nnum_ctx: 4096.0\n",
                "invalid type: floating point `4096.0`, expected an integer for parameter num_ctx",
                "line 2",
            ),
            (
                "use_mmap: yes\n",
                "expected true or false for parameter use_mmap",
                "line 1",
            ),
            (
                "temperature: \"0.7\"\n",
                "expected a number for parameter temperature",
                "line 1",
            ),
            (
                "top_k: 1\ntop_k: 2\n",
                "parameter top_k is given twice",
                "line 2",
            ),
            (
                "stop: [\"a\\u00a0b\"]\n",
                "PARAMETER stop cannot be written",
                "line 1",
            ),
            ("temperature: 1e300\n", "invalid value", "line 1"),
            (
                "seed: 1\nnum_ctx: 0\n",
                "parameter num_ctx must be at least 4, not 0",
                "line 2 column 10",
            ),
            (
                "num_ctx: -5\n",
                "parameter num_ctx must be at least 4, not -5",
                "line 1",
            ),
            (
                "num_thread: -1\n",
                "parameter num_thread must be at least 0",
                "line 1",
            ),
            (
                "top_p: 2\n",
                "parameter top_p must be from 0 to 1, not 2",
                "line 1",
            ),
            ("temperature: .nan\n", "invalid value", "line 1"),
        ];
        for (yaml, message, line) in cases {
            let error = read(yaml).unwrap_err();
            assert!(
                error.contains(message) && error.contains(line),
                "{yaml:?}: {error}"
            );
        }
    }

    #[test]
    fn deprecated_names_are_kept_for_a_warning() {
        let p = read("mirostat: 1\n").unwrap();
        assert_eq!(p.0, [Parameter::new("mirostat", ParamValue::Int(1))]);
    }
}
