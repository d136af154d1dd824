//! A GGUF writer for building test fixtures: headers of real model shapes (and,
//! optionally, zeroed tensor data) that the reader, a stand-in registry or a fake
//! model store can serve. Layout as ggml's `gguf_write_to_buf` (`src/gguf.cpp`,
//! ggml-org/ggml at d99724f2): tensors in the order given, each offset the previous
//! one's end rounded up to the alignment.

use super::reader::DEFAULT_ALIGNMENT;
use super::types::GgmlType;
use super::value::{Value, ValueType};
use std::io::{self, Write};

/// Builds a GGUF file in memory.
#[derive(Debug, Clone)]
pub struct Writer {
    version: u32,
    alignment: u64,
    metadata: Vec<u8>,
    kv_count: u64,
    tensors: Vec<Tensor>,
}

#[derive(Debug, Clone)]
struct Tensor {
    name: String,
    dims: Vec<u64>,
    ggml_type: GgmlType,
    bytes: u64,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

impl Writer {
    /// An empty version-3 file with the default alignment (32).
    pub fn new() -> Writer {
        Writer {
            version: 3,
            alignment: DEFAULT_ALIGNMENT,
            metadata: Vec::new(),
            kv_count: 0,
            tensors: Vec::new(),
        }
    }

    /// Sets the version field (2 and 3 have the same layout).
    pub fn version(&mut self, version: u32) -> &mut Self {
        self.version = version;
        self
    }

    /// Adds a key/value. `general.alignment` as a u32 also sets the data alignment.
    pub fn kv(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        let value = value.into();
        if let (Value::U32(a), "general.alignment") = (&value, key) {
            self.alignment = u64::from(*a).max(1);
        }
        self.key(key, value.value_type().id());
        encode(&mut self.metadata, &value);
        self
    }

    /// Adds an array of strings without building values (tokenizer tokens, merges).
    pub fn kv_strings<'s>(
        &mut self,
        key: &str,
        items: impl ExactSizeIterator<Item = &'s str>,
    ) -> &mut Self {
        self.array_head(key, ValueType::String, items.len());
        for item in items {
            put_str(&mut self.metadata, item);
        }
        self
    }

    /// Adds an array of `count` strings, each formatted by `item` into a reused buffer,
    /// so fixtures can write hundreds of thousands of tokens without allocating each.
    pub fn kv_strings_from(
        &mut self,
        key: &str,
        count: usize,
        mut item: impl FnMut(usize, &mut String),
    ) -> &mut Self {
        self.array_head(key, ValueType::String, count);
        let mut buf = String::new();
        for i in 0..count {
            buf.clear();
            item(i, &mut buf);
            put_str(&mut self.metadata, &buf);
        }
        self
    }

    /// Adds an array of i32 (tokenizer token types).
    pub fn kv_i32s(&mut self, key: &str, items: impl ExactSizeIterator<Item = i32>) -> &mut Self {
        self.array_head(key, ValueType::I32, items.len());
        for item in items {
            self.metadata.extend_from_slice(&item.to_le_bytes());
        }
        self
    }

    /// Adds an array of f32 (tokenizer scores).
    pub fn kv_f32s(&mut self, key: &str, items: impl ExactSizeIterator<Item = f32>) -> &mut Self {
        self.array_head(key, ValueType::F32, items.len());
        for item in items {
            self.metadata.extend_from_slice(&item.to_le_bytes());
        }
        self
    }

    /// Adds a key with a raw type id and payload, for tests of hostile input.
    pub fn kv_raw(&mut self, key: &str, type_id: u32, payload: &[u8]) -> &mut Self {
        self.key(key, type_id);
        self.metadata.extend_from_slice(payload);
        self
    }

    /// Adds a tensor info; `dims` innermost first, as ggml orders them. A shape that
    /// is not whole blocks of `ggml_type` is written as given, with no data.
    pub fn tensor(&mut self, name: &str, dims: &[u64], ggml_type: GgmlType) -> &mut Self {
        let elements = dims.iter().try_fold(1u64, |n, &d| n.checked_mul(d));
        let bytes = elements.and_then(|n| ggml_type.bytes_for(n)).unwrap_or(0);
        self.tensors.push(Tensor {
            name: name.to_owned(),
            dims: dims.to_vec(),
            ggml_type,
            bytes,
        });
        self
    }

    fn key(&mut self, key: &str, type_id: u32) {
        self.kv_count += 1;
        put_str(&mut self.metadata, key);
        self.metadata.extend_from_slice(&type_id.to_le_bytes());
    }

    fn array_head(&mut self, key: &str, element: ValueType, len: usize) {
        self.key(key, ValueType::Array.id());
        self.metadata.extend_from_slice(&element.id().to_le_bytes());
        self.metadata.extend_from_slice(&(len as u64).to_le_bytes());
    }

    /// Each tensor's data offset, relative to the data section.
    fn offsets(&self) -> Vec<u64> {
        let mut next = 0u64;
        self.tensors
            .iter()
            .map(|t| {
                let offset = next;
                let padded = t
                    .bytes
                    .checked_next_multiple_of(self.alignment)
                    .unwrap_or(u64::MAX);
                next = next.saturating_add(padded);
                offset
            })
            .collect()
    }

    /// The header, padded to the alignment: exactly the bytes before tensor data.
    pub fn header(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.metadata.len() + 64 * self.tensors.len() + 64);
        out.extend_from_slice(b"GGUF");
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(self.tensors.len() as u64).to_le_bytes());
        out.extend_from_slice(&self.kv_count.to_le_bytes());
        out.extend_from_slice(&self.metadata);
        for (t, offset) in self.tensors.iter().zip(self.offsets()) {
            put_str(&mut out, &t.name);
            out.extend_from_slice(&(t.dims.len() as u32).to_le_bytes());
            for d in &t.dims {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.extend_from_slice(&t.ggml_type.id().to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.resize(out.len().next_multiple_of(self.alignment as usize), 0);
        out
    }

    /// Bytes of the data section: every tensor, each padded to the alignment but the last.
    pub fn data_len(&self) -> u64 {
        let last = self.tensors.last().map_or(0, |t| t.bytes);
        self.offsets().last().map_or(0, |o| o.saturating_add(last))
    }

    /// Writes the header followed by zeroed tensor data: a whole file of this shape.
    pub fn write_file(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.header())?;
        let zeros = [0u8; 1 << 16];
        let mut left = self.data_len();
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            out.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        Ok(())
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A value's payload (its type id is written by the caller).
fn encode(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::U8(v) => out.push(*v),
        Value::I8(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::U16(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::I16(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::F32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Bool(v) => out.push(u8::from(*v)),
        Value::String(s) => put_str(out, s),
        Value::U64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::I64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::F64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Array(a) => {
            let values = a.values.as_deref().unwrap_or_default();
            out.extend_from_slice(&a.element.id().to_le_bytes());
            out.extend_from_slice(&(values.len() as u64).to_le_bytes());
            for v in values {
                encode(out, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::read_header;

    #[test]
    fn writes_what_the_reader_reads() {
        let mut w = Writer::new();
        w.kv("general.architecture", "llama")
            .kv("llama.block_count", 2u32)
            .kv("llama.attention.head_count_kv", vec![8u32, 0])
            .kv_strings("tokenizer.ggml.tokens", ["a", "b", "c"].into_iter())
            .tensor("token_embd.weight", &[256, 3], GgmlType::Q4_K)
            .tensor("output_norm.weight", &[256], GgmlType::F32);
        let header = read_header(&w.header()).unwrap();
        assert_eq!(header.architecture(), Some("llama"));
        assert_eq!(header.u64("llama.block_count"), Some(2));
        assert_eq!(header.tensors.len(), 2);
        assert_eq!(header.tensors[0].bytes, 3 * 144);
        assert_eq!(header.tensors[1].offset, 448);
        assert_eq!(header.data_offset, w.header().len() as u64);
        assert_eq!(w.data_len(), 448 + 1024);
    }

    #[test]
    fn whole_file_has_header_and_data() {
        let mut w = Writer::new();
        w.kv("general.alignment", 64u32)
            .tensor("a", &[32], GgmlType::F16);
        let mut file = Vec::new();
        w.write_file(&mut file).unwrap();
        assert_eq!(file.len() % 64, 0);
        assert_eq!(file.len() as u64, w.header().len() as u64 + 64);
    }
}
