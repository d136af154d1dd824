//! Facts from `ollama show --verbose`, for an installed model whose blob cannot be
//! read here (a store of another user, a remote `OLLAMA_HOST`): the Metadata rows
//! become GGUF key/values again and the Tensors rows tensor infos.
//!
//! What the text loses: numbers pass through a float64 (`%g`), exact below 2^53;
//! arrays are cut to about ten characters (a cut tokenizer array keeps its length, a
//! cut per-layer array is dropped and noted); without a Tensors section the byte counts
//! are unknown and the parameter count is `general.parameter_count`.

use crate::gguf::{self, Array, Facts, GgmlType, Header, TensorInfo, Value, ValueType};
use crate::ollama::{TensorRow, Verbose};
use std::collections::BTreeMap;

/// The facts of the model `show --verbose` described, and what had to be assumed.
pub fn facts_of(verbose: &Verbose) -> Result<(Facts, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut metadata = BTreeMap::new();
    for (key, text) in &verbose.metadata {
        match value(text) {
            Some(value) => {
                metadata.insert(key.clone(), value);
            }
            None => notes.push(format!("{key} was cut short by `ollama show`; not used")),
        }
    }
    let tensors = tensors(&verbose.tensors)?;
    let header = Header {
        version: 3,
        metadata,
        tensors,
        alignment: gguf::DEFAULT_ALIGNMENT,
        header_len: 0,
        data_offset: 0,
    };
    let mut facts = Facts::from_header(&header).map_err(|e| e.to_string())?;
    if header.tensors.is_empty() {
        facts.parameters = header.u64("general.parameter_count").unwrap_or(0);
        facts.active_parameters = facts.parameters;
        notes.push("`ollama show` listed no tensors: byte counts are unknown".to_string());
    }
    Ok((facts, notes))
}

/// A Metadata value: a bool, a number, a string, or an array (`None` for an array of
/// numbers cut short, which cannot be restored).
fn value(text: &str) -> Option<Value> {
    let text = text.trim();
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return array(inner);
    }
    Some(number(text).unwrap_or_else(|| Value::String(text.to_string())))
}

/// `%g` of a float64: integers come back as integers.
fn number(text: &str) -> Option<Value> {
    let starts_like_a_number = text.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    let x: f64 = text.parse().ok().filter(|x: &f64| x.is_finite())?;
    if !starts_like_a_number {
        return None;
    }
    let integral = x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15;
    Some(match integral {
        true if x >= 0.0 => Value::U64(x as u64),
        true => Value::I64(x as i64),
        false => Value::F64(x),
    })
}

/// `[a b c]`, or `[a b ...+N more]` when cut: a cut array keeps its length only.
fn array(inner: &str) -> Option<Value> {
    let (shown, more) = match inner.rsplit_once(" ...+") {
        Some((shown, tail)) => {
            let more = tail.strip_suffix(" more")?.parse::<u64>().ok()?;
            (shown, Some(more))
        }
        None => (inner, None),
    };
    let items: Vec<&str> = shown.split_whitespace().collect();
    let numbers: Option<Vec<Value>> = items.iter().map(|i| number(i)).collect();
    let bools: Option<Vec<Value>> = items
        .iter()
        .map(|i| match *i {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        })
        .collect();
    let (element, values) = match (numbers, bools) {
        (Some(n), _) if !n.is_empty() => (ValueType::U64, Some(n)),
        (_, Some(b)) if !b.is_empty() => (ValueType::Bool, Some(b)),
        _ => (ValueType::String, None),
    };
    match more {
        // A cut array of numbers or flags is per-layer data that cannot be restored.
        Some(_) if element != ValueType::String => None,
        Some(more) => Some(Value::Array(Array {
            element,
            len: (items.len() as u64).saturating_add(more),
            values: None,
        })),
        None => Some(Value::Array(Array {
            element,
            len: items.len() as u64,
            values,
        })),
    }
}

fn tensors(rows: &[TensorRow]) -> Result<Vec<TensorInfo>, String> {
    rows.iter()
        .map(|row| {
            let bad = |why: &str| format!("tensor {} {why}", row.name);
            let ggml_type = ggml_type(&row.ggml_type).ok_or_else(|| bad("has an unknown type"))?;
            let elements = row
                .shape
                .iter()
                .try_fold(1u64, |n, d| n.checked_mul(*d))
                .ok_or_else(|| bad("is too large"))?;
            let bytes = ggml_type
                .bytes_for(elements)
                .ok_or_else(|| bad("is not a whole number of blocks"))?;
            Ok(TensorInfo {
                name: row.name.clone(),
                dims: row.shape.clone(),
                ggml_type,
                offset: 0,
                elements,
                bytes,
            })
        })
        .collect()
}

/// The ggml type printed as `name` (`Q4_K`, `MXFP4`).
fn ggml_type(name: &str) -> Option<GgmlType> {
    (0..64)
        .rev()
        .filter_map(GgmlType::from_id)
        .find(|t| t.name().eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn metadata_text_becomes_values_again() {
        assert_eq!(value("131072"), Some(Value::U64(131072)));
        assert_eq!(value("8.030261248e+09"), Some(Value::U64(8_030_261_248)));
        assert_eq!(value("1e-05"), Some(Value::F64(1e-5)));
        assert_eq!(value("true"), Some(Value::Bool(true)));
        assert_eq!(value("llama"), Some(Value::String("llama".into())));
        assert_eq!(value("inf"), Some(Value::String("inf".into())));
        let Some(Value::Array(tokens)) = value("[! \" # ...+128253 more]") else {
            panic!("an array");
        };
        assert_eq!((tokens.len, tokens.values), (128256, None));
        assert_eq!(value("[8 8 4 ...+45 more]"), None);
        let Some(Value::Array(heads)) = value("[8 8 4]") else {
            panic!("an array");
        };
        assert_eq!(heads.as_u64s(), Some(vec![8, 8, 4]));
    }

    #[test]
    fn metadata_and_tensors_give_the_facts() {
        let verbose = Verbose {
            metadata: rows(&[
                ("general.architecture", "llama"),
                ("general.file_type", "15"),
                ("llama.block_count", "1"),
                ("llama.embedding_length", "4096"),
                ("llama.attention.head_count", "32"),
                ("llama.attention.head_count_kv", "8"),
                ("llama.context_length", "131072"),
                ("llama.feed_forward_length", "[14336 ...+31 more]"),
            ]),
            tensors: vec![TensorRow {
                name: "blk.0.attn_q.weight".into(),
                ggml_type: "Q4_K".into(),
                shape: vec![4096, 4096],
            }],
        };
        let (facts, notes) = facts_of(&verbose).unwrap();
        assert_eq!(facts.block_count, 1);
        assert_eq!(facts.key_length, 128);
        assert_eq!(facts.bytes.total, 4096 * 4096 / 256 * 144);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("llama.feed_forward_length"));
    }

    #[test]
    fn without_tensors_the_parameter_count_is_the_metadata_one() {
        let verbose = Verbose {
            metadata: rows(&[
                ("general.architecture", "llama"),
                ("general.parameter_count", "1.23e+09"),
            ]),
            tensors: Vec::new(),
        };
        let (facts, notes) = facts_of(&verbose).unwrap();
        assert_eq!(facts.parameters, 1_230_000_000);
        assert!(notes[0].contains("no tensors"), "{notes:?}");
        let bad = Verbose {
            tensors: vec![TensorRow {
                name: "x".into(),
                ggml_type: "Q9_Z".into(),
                shape: vec![1],
            }],
            ..verbose
        };
        assert_eq!(facts_of(&bad).unwrap_err(), "tensor x has an unknown type");
    }
}
