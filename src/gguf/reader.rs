//! The GGUF header reader: magic, version, metadata key/values, tensor infos.
//!
//! Layout and rules from `docs/gguf.md` and `src/gguf.cpp` (`gguf_init_from_reader`)
//! in ggml-org/ggml at d99724f2: versions 2 and 3, little-endian; at most 4 dims;
//! dims non-negative as int64 with a representable product; a row a whole number of
//! blocks; `general.alignment` a u32 power of two (default 32); no duplicate keys or
//! tensor names; tensor offsets aligned.

use super::cursor::{Cursor, Limits};
use super::error::Error;
use super::header::Header;
use super::tensor_infos::{check_data_fits, tensor_infos};
use super::value::{Array, Value, ValueType};
use std::collections::BTreeMap;

/// Arrays up to this length keep their elements (per-layer head counts, EOS ids);
/// longer ones (tokens, merges, scores) are skipped, keeping type and length.
pub const KEEP_ARRAY_LEN: u64 = 4096;
/// At most this many array elements are kept over a whole header, so a hostile
/// header of many short arrays cannot make the reader allocate far beyond its size.
const KEEP_TOTAL: u64 = 1 << 20;
/// Arrays of arrays deeper than this are refused (real files have none).
const MAX_DEPTH: u32 = 8;
/// The alignment when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// Reads a header from the start of a file, whole or a prefix of it.
pub fn read_header(bytes: &[u8]) -> Result<Header, Error> {
    read_header_with(bytes, Limits::default())
}

/// Reads a header from the start of a file within `limits` (give the file length
/// when known, e.g. from a registry manifest, so declared sizes are checked).
pub fn read_header_with(bytes: &[u8], limits: Limits) -> Result<Header, Error> {
    let mut c = Cursor::new(bytes, limits);
    let version = preamble(&mut c)?;
    let tensor_count = c.u64(&|| "the tensor count".into())?;
    let kv_count = c.u64(&|| "the metadata count".into())?;
    // Each key/value takes at least 14 bytes, each tensor info at least 25.
    c.check_count(kv_count, 14, &|| format!("{kv_count} metadata entries"))?;
    c.check_count(tensor_count, 25, &|| format!("{tensor_count} tensor infos"))?;
    let mut kept = KEEP_TOTAL;
    let mut metadata = BTreeMap::new();
    for _ in 0..kv_count {
        let start = c.pos();
        let (key, value) = key_value(&mut c, &mut kept)?;
        if metadata.insert(key.to_owned(), value).is_some() {
            return Err(Error::malformed(start, format!("duplicate key {key:?}")));
        }
    }
    let alignment = alignment(&metadata, c.pos())?;
    let tensors = tensor_infos(&mut c, tensor_count, alignment)?;
    let header_len = c.pos() as u64;
    let data_offset = header_len
        .checked_next_multiple_of(alignment)
        .ok_or_else(|| Error::malformed(c.pos(), "the data offset overflows"))?;
    if let Some(file_len) = limits.file_len {
        check_data_fits(&tensors, data_offset, file_len, c.pos())?;
    }
    Ok(Header {
        version,
        metadata,
        tensors,
        alignment,
        header_len,
        data_offset,
    })
}

/// Magic and version.
fn preamble(c: &mut Cursor<'_>) -> Result<u32, Error> {
    // Compare byte by byte so a wrong first byte is malformed even in a 1-byte prefix.
    for expected in *b"GGUF" {
        let at = c.pos();
        let byte = c.u8(&|| "the magic".into())?;
        if byte != expected {
            return Err(Error::malformed(at, "bad magic: not a GGUF file"));
        }
    }
    let at = c.pos();
    match c.u32(&|| "the version".into())? {
        version @ (2 | 3) => Ok(version),
        1 => Err(Error::malformed(
            at,
            "GGUF version 1 is not supported (only 2 and 3)",
        )),
        v if (1..=3).contains(&v.swap_bytes()) => Err(Error::malformed(
            at,
            "big-endian GGUF files are not supported",
        )),
        v => Err(Error::malformed(
            at,
            format!("unsupported GGUF version {v} (only 2 and 3)"),
        )),
    }
}

fn key_value<'a>(c: &mut Cursor<'a>, kept: &mut u64) -> Result<(&'a str, Value), Error> {
    let at = c.pos();
    let key = c.string(&|| "a metadata key".into())?;
    if key.is_empty() {
        return Err(Error::malformed(at, "empty metadata key"));
    }
    let at = c.pos();
    let id = c.u32(&|| format!("the type of {key:?}"))?;
    let ty = ValueType::from_id(id)
        .ok_or_else(|| Error::malformed(at, format!("key {key:?} has unknown value type {id}")))?;
    Ok((key, value(c, ty, key, 0, kept)?))
}

fn value(
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

fn alignment(metadata: &BTreeMap<String, Value>, at: usize) -> Result<u64, Error> {
    match metadata.get("general.alignment") {
        None => Ok(DEFAULT_ALIGNMENT),
        Some(Value::U32(a)) if a.is_power_of_two() => Ok(u64::from(*a)),
        Some(other) => Err(Error::malformed(
            at,
            format!("general.alignment must be a u32 power of two, not {other:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::write::Writer;

    /// The preamble with `tensors` and `kvs` counts.
    fn preamble_bytes(version: u32, tensors: u64, kvs: u64) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend_from_slice(&version.to_le_bytes());
        b.extend_from_slice(&tensors.to_le_bytes());
        b.extend_from_slice(&kvs.to_le_bytes());
        b
    }

    fn reason(result: Result<Header, Error>) -> String {
        match result {
            Err(Error::Malformed { reason, .. }) => reason,
            other => panic!("expected a malformed header, got {other:?}"),
        }
    }

    #[test]
    fn magic_is_checked_byte_by_byte() {
        assert_eq!(read_header(b"GG").unwrap_err().needed(), Some(3));
        assert!(reason(read_header(b"X")).contains("bad magic"));
        assert!(reason(read_header(b"GGML\x03\0\0\0")).contains("bad magic"));
    }

    #[test]
    fn only_versions_2_and_3_are_read() {
        assert!(read_header(&preamble_bytes(2, 0, 0)).is_ok());
        assert!(read_header(&preamble_bytes(3, 0, 0)).is_ok());
        assert!(reason(read_header(&preamble_bytes(1, 0, 0))).contains("version 1"));
        assert!(reason(read_header(&preamble_bytes(4, 0, 0))).contains("version 4"));
        assert!(
            reason(read_header(&preamble_bytes(3u32.swap_bytes(), 0, 0))).contains("big-endian")
        );
    }

    #[test]
    fn counts_the_input_cannot_hold_are_malformed() {
        assert!(reason(read_header(&preamble_bytes(3, 0, u64::MAX))).contains("metadata entries"));
        assert!(reason(read_header(&preamble_bytes(3, 1 << 40, 0))).contains("tensor infos"));
        let limits = Limits {
            file_len: Some(100),
            ..Limits::default()
        };
        assert!(reason(read_header_with(&preamble_bytes(3, 0, 10), limits)).contains("cannot fit"));
        // A plausible count over a short prefix is only incomplete.
        assert_eq!(
            read_header(&preamble_bytes(3, 0, 10)).unwrap_err().needed(),
            Some(32)
        );
    }

    #[test]
    fn unknown_value_types_and_bad_bools_are_malformed() {
        let mut w = Writer::new();
        w.kv_raw("general.x", 13, &[0; 8]);
        assert!(reason(read_header(&w.header())).contains("unknown value type 13"));
        let mut w = Writer::new();
        w.kv_raw("general.flag", 7, &[2]);
        assert!(reason(read_header(&w.header())).contains("bool"));
        let mut w = Writer::new();
        w.kv_raw("a", 9, &[0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        assert!(reason(read_header(&w.header())).contains("unknown element type"));
    }

    #[test]
    fn keys_must_be_unique_nonempty_utf8() {
        let mut w = Writer::new();
        w.kv("a", 1u32).kv("a", 2u32);
        assert!(reason(read_header(&w.header())).contains("duplicate key \"a\""));
        let mut w = Writer::new();
        w.kv("", 1u32);
        assert!(reason(read_header(&w.header())).contains("empty"));
        let mut bytes = preamble_bytes(3, 0, 1);
        bytes.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0xc3]);
        assert!(reason(read_header(&bytes)).contains("UTF-8"));
    }

    #[test]
    fn long_strings_are_incomplete_until_a_limit_rules_them_out() {
        let mut bytes = preamble_bytes(3, 0, 1);
        bytes.extend_from_slice(&(1000u64).to_le_bytes());
        assert_eq!(
            read_header(&bytes).unwrap_err().needed(),
            Some(bytes.len() as u64 + 1000)
        );
        let limits = Limits {
            file_len: Some(500),
            ..Limits::default()
        };
        assert!(reason(read_header_with(&bytes, limits)).contains("past the end of the file"));
        let limits = Limits {
            file_len: None,
            max_header: 500,
        };
        assert!(reason(read_header_with(&bytes, limits)).contains("larger than 500 bytes"));
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

    #[test]
    fn alignment_must_be_a_u32_power_of_two() {
        let mut w = Writer::new();
        w.kv("general.alignment", 64u32);
        assert_eq!(read_header(&w.header()).unwrap().alignment, 64);
        let mut w = Writer::new();
        w.kv("general.alignment", 48u32);
        assert!(reason(read_header(&w.header())).contains("power of two"));
        let mut w = Writer::new();
        w.kv("general.alignment", 64u64);
        assert!(reason(read_header(&w.header())).contains("general.alignment"));
    }
}
