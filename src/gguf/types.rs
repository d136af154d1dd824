//! GGML tensor types (block size and bytes per block) and `general.file_type` names.
//!
//! Sources: `include/ggml.h` (`enum ggml_type`), `src/ggml.c` (`type_traits`) and
//! `src/ggml-common.h` (the `static_assert`ed block sizes) in ggml-org/ggml at d99724f2;
//! the same table is `GGML_QUANT_SIZES` in llama.cpp's `gguf-py/gguf/constants.py`.
//! File types: `enum llama_ftype` in llama.cpp `include/llama.h`. Ollama's gpt-oss
//! converter (`convert/convert_gptoss.go`, v0.11 to v0.33) writes file type 4 and calls
//! it MXFP4 (`fs/ggml/type.go` at v0.12.0); Ollama 0.11 also wrote the experts as
//! tensor type 4 with MXFP4's layout, so both ids mean MXFP4 here.

use serde::{Serialize, Serializer};
use std::fmt;

/// One row of the type table: id, name, elements per block, bytes per block.
struct Traits {
    id: u32,
    name: &'static str,
    block: u64,
    bytes: u64,
}

const fn t(id: u32, name: &'static str, block: u64, bytes: u64) -> Traits {
    Traits {
        id,
        name,
        block,
        bytes,
    }
}

/// Every tensor type a GGUF file may carry. Ids 5, 31–33 and 36–38 were removed
/// from ggml and are rejected. Id 4 was Q4_2 in ggml (removed); Ollama 0.11 wrote
/// gpt-oss's MXFP4 experts with it, with MXFP4's layout (32 values in 17 bytes).
const TYPES: [Traits; 36] = [
    t(0, "F32", 1, 4),
    t(1, "F16", 1, 2),
    t(2, "Q4_0", 32, 18),
    t(3, "Q4_1", 32, 20),
    t(4, "MXFP4", 32, 17),
    t(6, "Q5_0", 32, 22),
    t(7, "Q5_1", 32, 24),
    t(8, "Q8_0", 32, 34),
    t(9, "Q8_1", 32, 36),
    t(10, "Q2_K", 256, 84),
    t(11, "Q3_K", 256, 110),
    t(12, "Q4_K", 256, 144),
    t(13, "Q5_K", 256, 176),
    t(14, "Q6_K", 256, 210),
    t(15, "Q8_K", 256, 292),
    t(16, "IQ2_XXS", 256, 66),
    t(17, "IQ2_XS", 256, 74),
    t(18, "IQ3_XXS", 256, 98),
    t(19, "IQ1_S", 256, 50),
    t(20, "IQ4_NL", 32, 18),
    t(21, "IQ3_S", 256, 110),
    t(22, "IQ2_S", 256, 82),
    t(23, "IQ4_XS", 256, 136),
    t(24, "I8", 1, 1),
    t(25, "I16", 1, 2),
    t(26, "I32", 1, 4),
    t(27, "I64", 1, 8),
    t(28, "F64", 1, 8),
    t(29, "IQ1_M", 256, 56),
    t(30, "BF16", 1, 2),
    t(34, "TQ1_0", 256, 54),
    t(35, "TQ2_0", 256, 66),
    t(39, "MXFP4", 32, 17),
    t(40, "NVFP4", 64, 36),
    t(41, "Q1_0", 128, 18),
    t(42, "Q2_0", 64, 18),
];

/// The table row of `id`, evaluated at compile time for the constants below.
const fn index_of(id: u32) -> u8 {
    let mut i = 0;
    while i < TYPES.len() {
        if TYPES[i].id == id {
            return i as u8;
        }
        i += 1;
    }
    panic!("not a ggml type id");
}

/// A GGML tensor type, known to have a block size and a byte size (it holds its
/// row in the table, so no lookup can fail).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct GgmlType(u8);

impl GgmlType {
    pub const F32: GgmlType = GgmlType(index_of(0));
    pub const F16: GgmlType = GgmlType(index_of(1));
    pub const Q4_0: GgmlType = GgmlType(index_of(2));
    pub const Q8_0: GgmlType = GgmlType(index_of(8));
    pub const Q4_K: GgmlType = GgmlType(index_of(12));
    pub const Q5_K: GgmlType = GgmlType(index_of(13));
    pub const Q6_K: GgmlType = GgmlType(index_of(14));
    pub const BF16: GgmlType = GgmlType(index_of(30));
    pub const MXFP4: GgmlType = GgmlType(index_of(39));
    /// MXFP4 as Ollama 0.11 wrote it into gpt-oss blobs (ggml's removed Q4_2 id).
    pub const MXFP4_OLLAMA: GgmlType = GgmlType(index_of(4));

    /// The type with this id, or `None` for an id ggml does not define.
    pub fn from_id(id: u32) -> Option<GgmlType> {
        let index = TYPES.iter().position(|t| t.id == id)?;
        u8::try_from(index).ok().map(GgmlType)
    }

    fn traits(self) -> &'static Traits {
        &TYPES[usize::from(self.0)]
    }

    /// The on-disk id.
    pub fn id(self) -> u32 {
        self.traits().id
    }

    /// The name ggml prints (`Q4_K`, `MXFP4`).
    pub fn name(self) -> &'static str {
        self.traits().name
    }

    /// Elements per block: a row's length must be a multiple of it.
    pub fn block_size(self) -> u64 {
        self.traits().block
    }

    /// Bytes per block.
    pub fn block_bytes(self) -> u64 {
        self.traits().bytes
    }

    /// Bytes `elements` values take, or `None` if they are not a whole number of
    /// blocks or the size overflows.
    pub fn bytes_for(self, elements: u64) -> Option<u64> {
        let block = self.block_size();
        elements.is_multiple_of(block).then_some(())?;
        (elements / block).checked_mul(self.block_bytes())
    }
}

impl fmt::Debug for GgmlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.id())
    }
}

impl fmt::Display for GgmlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for GgmlType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The name of a `general.file_type` value (`llama_ftype`), e.g. 15 → `Q4_K_M`.
/// Id 4 is Ollama's MXFP4 (gpt-oss); llama.cpp's own MXFP4 file type is 38.
pub fn file_type_name(id: u64) -> Option<&'static str> {
    Some(match id {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        4 => "MXFP4",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        39 => "NVFP4",
        40 => "Q1_0",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_match_ggml_common() {
        // (id, elements, bytes) spot checks against the static_asserts in ggml-common.h.
        for (id, block, bytes) in [
            (12, 256, 144),
            (14, 256, 210),
            (8, 32, 34),
            (39, 32, 17),
            (34, 256, 54),
            (23, 256, 136),
        ] {
            let ty = GgmlType::from_id(id).unwrap();
            assert_eq!(
                (ty.block_size(), ty.block_bytes()),
                (block, bytes),
                "{ty:?}"
            );
        }
    }

    #[test]
    fn removed_and_unknown_ids_are_rejected() {
        for id in [5, 31, 32, 33, 36, 37, 38, 43, 1000, u32::MAX] {
            assert_eq!(GgmlType::from_id(id), None, "{id}");
        }
    }

    #[test]
    fn ids_are_unique() {
        for (i, a) in TYPES.iter().enumerate() {
            assert!(TYPES[i + 1..].iter().all(|b| b.id != a.id), "{}", a.name);
        }
    }

    #[test]
    fn bytes_need_whole_blocks_and_do_not_overflow() {
        assert_eq!(
            GgmlType::Q4_K.bytes_for(4096 * 4096),
            Some(4096 * 4096 / 256 * 144)
        );
        assert_eq!(GgmlType::Q4_K.bytes_for(100), None);
        assert_eq!(GgmlType::F32.bytes_for(u64::MAX), None);
        assert_eq!(
            GgmlType::MXFP4_OLLAMA.bytes_for(64),
            GgmlType::MXFP4.bytes_for(64)
        );
    }

    #[test]
    fn file_types_name_the_llama_ftype() {
        assert_eq!(file_type_name(15), Some("Q4_K_M"));
        assert_eq!(file_type_name(1), Some("F16"));
        assert_eq!(file_type_name(7), Some("Q8_0"));
        assert_eq!(file_type_name(38), Some("MXFP4_MOE"));
        assert_eq!(file_type_name(4), Some("MXFP4"));
        assert_eq!(file_type_name(5), None);
    }
}
