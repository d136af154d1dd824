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
use super::read_value::value;
use super::tensor_infos::{check_data_fits, tensor_infos};
use super::value::{Value, ValueType};
use std::collections::BTreeMap;

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
    let mut kept = super::read_value::KEEP_TOTAL;
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
