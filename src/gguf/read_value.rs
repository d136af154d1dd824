//! Metadata values: scalars, strings and arrays, nested or not. Long arrays are
//! stepped over, keeping their element type and length (`docs/gguf.md`,
//! `gguf_metadata_value_t`, in ggml-org/ggml at d99724f2).

use super::cursor::Cursor;
use super::error::Error;
use super::value::{Array, Value, ValueType};

/// Arrays up to this length keep their elements (per-layer head counts, EOS ids);
/// longer ones (tokens, merges, scores) are skipped, keeping type and length.
pub const KEEP_ARRAY_LEN: u64 = 4096;
/// At most this many array elements are kept over a whole header, so a hostile
/// header of many short arrays cannot make the reader allocate far beyond its size.
pub(crate) const KEEP_TOTAL: u64 = 1 << 20;
/// Arrays of arrays deeper than this are refused (real files have none).
const MAX_DEPTH: u32 = 8;

pub(crate) fn value(
    c: &mut Cursor<'_>,
    ty: ValueType,
    key: &str,
    depth: u32,
    kept: &mut u64,
) -> Result<Value, Error> {
    let what = || format!("the value of {key:?}");
    Ok(match ty {
        ValueType::U8 => Value::U8(c.u8(&what)?),
        ValueType::I8 => Value::I8(c.u8(&what)? as i8),
        ValueType::U16 => Value::U16(c.u16(&what)?),
        ValueType::I16 => Value::I16(c.u16(&what)? as i16),
        ValueType::U32 => Value::U32(c.u32(&what)?),
        ValueType::I32 => Value::I32(c.u32(&what)? as i32),
        ValueType::F32 => Value::F32(f32::from_bits(c.u32(&what)?)),
        ValueType::U64 => Value::U64(c.u64(&what)?),
        ValueType::I64 => Value::I64(c.u64(&what)? as i64),
        ValueType::F64 => Value::F64(f64::from_bits(c.u64(&what)?)),
        ValueType::Bool => {
            let at = c.pos();
            match c.u8(&what)? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => {
                    return Err(Error::malformed(
                        at,
                        format!("{key:?} is a bool of value {b}"),
                    ));
                }
            }
        }
        ValueType::String => Value::String(c.string(&what)?.to_owned()),
        ValueType::Array => Value::Array(array(c, key, depth, kept)?),
    })
}

fn array(c: &mut Cursor<'_>, key: &str, depth: u32, kept: &mut u64) -> Result<Array, Error> {
    let at = c.pos();
    if depth >= MAX_DEPTH {
        return Err(Error::malformed(
            at,
            format!("{key:?} nests arrays deeper than {MAX_DEPTH}"),
        ));
    }
    let id = c.u32(&|| format!("the element type of {key:?}"))?;
    let element = ValueType::from_id(id).ok_or_else(|| {
        Error::malformed(at, format!("array {key:?} has unknown element type {id}"))
    })?;
    let len = c.u64(&|| format!("the length of {key:?}"))?;
    c.check_count(len, element.min_size(), &|| {
        format!("array {key:?} of {len} elements")
    })?;
    if len > KEEP_ARRAY_LEN || len > *kept {
        skip_elements(c, element, len, key, depth)?;
        return Ok(Array {
            element,
            len,
            values: None,
        });
    }
    *kept -= len;
    // len <= KEEP_ARRAY_LEN, and check_count proved the input can hold it.
    let mut values = Vec::with_capacity(len as usize);
    for _ in 0..len {
        values.push(value(c, element, key, depth + 1, kept)?);
    }
    Ok(Array {
        element,
        len,
        values: Some(values),
    })
}

/// Steps over `len` elements without keeping them (strings are not checked as UTF-8).
fn skip_elements(
    c: &mut Cursor<'_>,
    element: ValueType,
    len: u64,
    key: &str,
    depth: u32,
) -> Result<(), Error> {
    let what = || format!("array {key:?}");
    if let Some(size) = element.fixed_size() {
        // check_count proved len * size fits in u64.
        c.take(len * size, &what)?;
        return Ok(());
    }
    for _ in 0..len {
        match element {
            ValueType::String => {
                c.string_bytes(&what)?;
            }
            _ => {
                let mut none = 0;
                array(c, key, depth + 1, &mut none)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::write::Writer;
    use crate::gguf::{Header, read_header};

    fn reason(result: Result<Header, Error>) -> String {
        match result {
            Err(Error::Malformed { reason, .. }) => reason,
            other => panic!("expected a malformed header, got {other:?}"),
        }
    }

    #[test]
    fn long_arrays_keep_their_length_only() {
        let tokens: Vec<String> = (0..5000).map(|i| format!("t{i}")).collect();
        let mut w = Writer::new();
        w.kv_strings("tokenizer.ggml.tokens", tokens.iter().map(String::as_str))
            .kv("short", vec![1u32, 2, 3])
            .kv(
                "nested",
                Value::from(vec![Value::from(vec![1u8]), Value::from(vec![2u8, 3])]),
            );
        let h = read_header(&w.header()).unwrap();
        let tokens = h
            .get("tokenizer.ggml.tokens")
            .and_then(Value::as_array)
            .unwrap();
        assert_eq!(
            (tokens.element, tokens.len, tokens.values.is_none()),
            (ValueType::String, 5000, true)
        );
        assert_eq!(
            h.get("short")
                .and_then(Value::as_array)
                .and_then(Array::as_u64s),
            Some(vec![1, 2, 3])
        );
        let nested = h.get("nested").and_then(Value::as_array).unwrap();
        assert_eq!(nested.values.as_ref().map(Vec::len), Some(2));
    }

    #[test]
    fn arrays_nest_only_so_deep() {
        let mut payload = Vec::new();
        for _ in 0..MAX_DEPTH {
            payload.extend_from_slice(&9u32.to_le_bytes());
            payload.extend_from_slice(&1u64.to_le_bytes());
        }
        payload.extend_from_slice(&0u32.to_le_bytes());
        payload.extend_from_slice(&0u64.to_le_bytes());
        let mut w = Writer::new();
        w.kv_raw("deep", 9, &payload);
        assert!(reason(read_header(&w.header())).contains("deeper"));
    }
}
