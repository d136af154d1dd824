//! A parsed GGUF header: metadata, tensor infos, alignment and data offset.

use super::types::GgmlType;
use super::value::Value;
use std::collections::BTreeMap;

/// A parsed GGUF header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The format version (2 or 3).
    pub version: u32,
    /// Metadata by key.
    pub metadata: BTreeMap<String, Value>,
    /// Tensor infos in file order.
    pub tensors: Vec<TensorInfo>,
    /// The data alignment (`general.alignment`, default 32).
    pub alignment: u64,
    /// Bytes from the start of the file to the end of the tensor infos.
    pub header_len: u64,
    /// Where tensor data starts: `header_len` rounded up to the alignment.
    pub data_offset: u64,
}

/// One tensor's name, shape, type and data offset (relative to the data section).
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// Dimensions, innermost (row length) first, as ggml orders them.
    pub dims: Vec<u64>,
    pub ggml_type: GgmlType,
    pub offset: u64,
    /// The product of `dims`.
    pub elements: u64,
    /// Exact bytes of the tensor's data.
    pub bytes: u64,
}

impl Header {
    /// The value of a metadata key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.get(key)
    }

    /// A metadata key as a non-negative integer.
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.get(key)?.as_u64()
    }

    /// A metadata key as a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// `general.architecture`.
    pub fn architecture(&self) -> Option<&str> {
        self.str("general.architecture")
    }
}
