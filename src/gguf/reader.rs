//! The GGUF header reader: magic, version, metadata key/values, tensor infos.
//!
//! Layout and rules from `docs/gguf.md` and `src/gguf.cpp` (`gguf_init_from_reader`)
//! in ggml-org/ggml at d99724f2: versions 2 and 3, little-endian; at most 4 dims;
//! dims non-negative as int64 with a representable product; a row a whole number of
//! blocks; `general.alignment` a u32 power of two (default 32); no duplicate keys or
//! tensor names; tensor offsets aligned.

use super::cursor::{Cursor, Limits};
use super::error::Error;
use super::header::{Header, TensorInfo};
use super::types::GgmlType;
use super::value::{Array, Value, ValueType};
use std::collections::{BTreeMap, HashSet};

/// Arrays up to this length keep their elements (per-layer head counts, EOS ids);
/// longer ones (tokens, merges, scores) are skipped, keeping type and length.
pub const KEEP_ARRAY_LEN: u64 = 4096;
/// At most this many array elements are kept over a whole header, so a hostile
/// header of many short arrays cannot make the reader allocate far beyond its size.
const KEEP_TOTAL: u64 = 1 << 20;
/// Arrays of arrays deeper than this are refused (real files have none).
const MAX_DEPTH: u32 = 8;
/// ggml's GGML_MAX_DIMS.
const MAX_DIMS: u32 = 4;
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
            return Err(Error::malformed(start, format!("duplicate key '{key}'")));
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
    let id = c.u32(&|| format!("the type of '{key}'"))?;
    let ty = ValueType::from_id(id)
        .ok_or_else(|| Error::malformed(at, format!("key '{key}' has unknown value type {id}")))?;
    Ok((key, value(c, ty, key, 0, kept)?))
}

fn value(
    c: &mut Cursor<'_>,
    ty: ValueType,
    key: &str,
    depth: u32,
    kept: &mut u64,
) -> Result<Value, Error> {
    let what = || format!("the value of '{key}'");
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
                        format!("'{key}' is a bool of value {b}"),
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
            format!("'{key}' nests arrays deeper than {MAX_DEPTH}"),
        ));
    }
    let id = c.u32(&|| format!("the element type of '{key}'"))?;
    let element = ValueType::from_id(id).ok_or_else(|| {
        Error::malformed(at, format!("array '{key}' has unknown element type {id}"))
    })?;
    let len = c.u64(&|| format!("the length of '{key}'"))?;
    c.check_count(len, element.min_size(), &|| {
        format!("array '{key}' of {len} elements")
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
    let what = || format!("array '{key}'");
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

fn tensor_infos(c: &mut Cursor<'_>, count: u64, alignment: u64) -> Result<Vec<TensorInfo>, Error> {
    // check_count bounded count by the input, so this capacity is justified by it.
    let mut tensors = Vec::with_capacity(count.min(c.room() / 25) as usize);
    let mut names = HashSet::new();
    for index in 0..count {
        let at = c.pos();
        let info = tensor_info(c, index, alignment)?;
        if !names.insert(info.name.clone()) {
            return Err(Error::malformed(
                at,
                format!("duplicate tensor name '{}'", info.name),
            ));
        }
        tensors.push(info);
    }
    Ok(tensors)
}

fn tensor_info(c: &mut Cursor<'_>, index: u64, alignment: u64) -> Result<TensorInfo, Error> {
    let name = c
        .string(&|| format!("the name of tensor {index}"))?
        .to_owned();
    let what = || format!("tensor '{name}'");
    let at = c.pos();
    let n_dims = c.u32(&what)?;
    if n_dims > MAX_DIMS {
        return Err(Error::malformed(
            at,
            format!("{} has {n_dims} dimensions (at most {MAX_DIMS})", what()),
        ));
    }
    let mut dims = Vec::with_capacity(n_dims as usize);
    let mut elements: u64 = 1;
    for _ in 0..n_dims {
        let at = c.pos();
        let dim = c.u64(&what)?;
        elements = elements
            .checked_mul(dim)
            .filter(|&e| e <= i64::MAX as u64)
            .ok_or_else(|| Error::malformed(at, format!("{} has too many elements", what())))?;
        dims.push(dim);
    }
    let at = c.pos();
    let id = c.u32(&what)?;
    let ggml_type = GgmlType::from_id(id)
        .ok_or_else(|| Error::malformed(at, format!("{} has unknown ggml type {id}", what())))?;
    let row = dims.first().copied().unwrap_or(1);
    let bytes = (row % ggml_type.block_size() == 0)
        .then(|| ggml_type.bytes_for(elements))
        .flatten()
        .ok_or_else(|| {
            Error::malformed(
                at,
                format!("{} rows of {row} are not whole {ggml_type} blocks", what()),
            )
        })?;
    let at = c.pos();
    let offset = c.u64(&what)?;
    if offset % alignment != 0 {
        return Err(Error::malformed(
            at,
            format!("{} offset {offset} is not aligned to {alignment}", what()),
        ));
    }
    Ok(TensorInfo {
        name,
        dims,
        ggml_type,
        offset,
        elements,
        bytes,
    })
}

fn check_data_fits(
    tensors: &[TensorInfo],
    data_offset: u64,
    file_len: u64,
    at: usize,
) -> Result<(), Error> {
    for t in tensors {
        let end = data_offset
            .checked_add(t.offset)
            .and_then(|s| s.checked_add(t.bytes));
        if end.is_none_or(|end| end > file_len) {
            return Err(Error::malformed(
                at,
                format!(
                    "the data of tensor '{}' runs past the end of the file ({file_len} bytes)",
                    t.name
                ),
            ));
        }
    }
    Ok(())
}
