//! Tensor infos: name, shape, ggml type and data offset, each checked as ggml's
//! `gguf_init_from_reader` checks them (`src/gguf.cpp`, ggml-org/ggml at d99724f2).

use super::cursor::Cursor;
use super::error::Error;
use super::header::TensorInfo;
use super::types::GgmlType;
use std::collections::HashSet;

/// ggml's GGML_MAX_DIMS.
const MAX_DIMS: u32 = 4;

pub(crate) fn tensor_infos(
    c: &mut Cursor<'_>,
    count: u64,
    alignment: u64,
) -> Result<Vec<TensorInfo>, Error> {
    // check_count bounded count by the input, so this capacity is justified by it.
    let mut tensors = Vec::with_capacity(count.min(c.room() / 25) as usize);
    let mut names = HashSet::new();
    for index in 0..count {
        let at = c.pos();
        let info = tensor_info(c, index, alignment)?;
        if !names.insert(info.name.clone()) {
            return Err(Error::malformed(
                at,
                format!("duplicate tensor name {:?}", info.name),
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
    let what = || format!("tensor {name:?}");
    let (dims, elements) = shape(c, &what)?;
    let at = c.pos();
    let id = c.u32(&what)?;
    let ggml_type = GgmlType::from_id(id)
        .ok_or_else(|| Error::malformed(at, format!("{} has unknown ggml type {id}", what())))?;
    let row = dims.first().copied().unwrap_or(1);
    let bytes = row
        .is_multiple_of(ggml_type.block_size())
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
    if !offset.is_multiple_of(alignment) {
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

/// Dimensions and their product, which must fit in an int64 as ggml keeps it.
fn shape(c: &mut Cursor<'_>, what: &dyn Fn() -> String) -> Result<(Vec<u64>, u64), Error> {
    let at = c.pos();
    let n_dims = c.u32(what)?;
    if n_dims > MAX_DIMS {
        let reason = format!("{} has {n_dims} dimensions (at most {MAX_DIMS})", what());
        return Err(Error::malformed(at, reason));
    }
    let mut dims = Vec::with_capacity(n_dims as usize);
    let mut elements: u64 = 1;
    for _ in 0..n_dims {
        let at = c.pos();
        let dim = c.u64(what)?;
        elements = elements
            .checked_mul(dim)
            .filter(|&e| e <= i64::MAX as u64)
            .ok_or_else(|| Error::malformed(at, format!("{} has too many elements", what())))?;
        dims.push(dim);
    }
    Ok((dims, elements))
}

pub(crate) fn check_data_fits(
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
                    "the data of tensor {:?} runs past the end of the file ({file_len} bytes)",
                    t.name
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::gguf::write::Writer;
    use crate::gguf::{Error, GgmlType, Limits, read_header, read_header_with};

    fn reason(w: &Writer) -> String {
        match read_header(&w.header()) {
            Err(Error::Malformed { reason, .. }) => reason,
            other => panic!("expected a malformed header, got {other:?}"),
        }
    }

    #[test]
    fn shapes_are_checked() {
        let mut w = Writer::new();
        w.tensor("t", &[1, 1, 1, 1, 1], GgmlType::F32);
        assert!(reason(&w).contains("5 dimensions"));
        let mut w = Writer::new();
        w.tensor("t", &[1 << 32, 1 << 32], GgmlType::F32);
        assert!(reason(&w).contains("too many elements"));
        let mut w = Writer::new();
        w.tensor("t", &[100, 2], GgmlType::Q4_K);
        assert!(reason(&w).contains("not whole Q4_K blocks"));
        let mut w = Writer::new();
        w.tensor("t", &[256, 0], GgmlType::Q4_K);
        assert_eq!(read_header(&w.header()).unwrap().tensors[0].bytes, 0);
    }

    #[test]
    fn types_names_and_offsets_are_checked() {
        let mut w = Writer::new();
        w.tensor("t", &[32], GgmlType::F32);
        let mut bytes = w.header();
        // Preamble 24 bytes, then name (8 + 1), dims count 4, one dim 8, type 4, offset 8.
        let info_end = 24 + 8 + 1 + 4 + 8 + 4 + 8;
        bytes[info_end - 12..info_end - 8].copy_from_slice(&5u32.to_le_bytes());
        assert!(
            matches!(read_header(&bytes), Err(Error::Malformed { reason, .. }) if reason.contains("unknown ggml type 5"))
        );
        bytes[info_end - 12..info_end - 8].copy_from_slice(&0u32.to_le_bytes());
        bytes[info_end - 8..info_end].copy_from_slice(&3u64.to_le_bytes());
        assert!(
            matches!(read_header(&bytes), Err(Error::Malformed { reason, .. }) if reason.contains("not aligned"))
        );
        let mut w = Writer::new();
        w.tensor("t", &[32], GgmlType::F32)
            .tensor("t", &[32], GgmlType::F32);
        assert!(reason(&w).contains("duplicate tensor name \"t\""));
    }

    #[test]
    fn with_a_known_file_length_data_must_fit() {
        let mut w = Writer::new();
        w.tensor("t", &[1024], GgmlType::F32);
        let header = w.header();
        let whole = header.len() as u64 + 4096;
        assert!(
            read_header_with(
                &header,
                Limits {
                    file_len: Some(whole),
                    ..Limits::default()
                }
            )
            .is_ok()
        );
        let short = Limits {
            file_len: Some(whole - 1),
            ..Limits::default()
        };
        assert!(
            read_header_with(&header, short)
                .unwrap_err()
                .to_string()
                .contains("runs past the end")
        );
    }
}
