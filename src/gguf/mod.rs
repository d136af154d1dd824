//! GGUF model files: a pure header reader, the model facts derived from a header,
//! and the memory arithmetic (KV cache, weights read per token) that uses them.
//!
//! Reading never panics and never allocates more than the input justifies. A read
//! that runs out of input is [`Error::Incomplete`] with the bytes needed, so a caller
//! fetching a registry blob with `Range: bytes=0-N` grows `N` until the header is
//! whole; anything that cannot be a GGUF file is [`Error::Malformed`].
//!
//! ```
//! use provision::gguf::{self, fixtures};
//! let bytes = fixtures::llama31_8b().header();
//! let header = gguf::read_header(&bytes).unwrap();
//! let facts = gguf::Facts::from_header(&header).unwrap();
//! assert_eq!(facts.block_count, 32);
//! assert_eq!(facts.kv_bytes_per_token(gguf::CacheType::F16), 128 << 10);
//! ```

mod cursor;
mod error;
mod facts;
pub mod fixtures;
mod header;
mod kv;
mod layers;
mod read_value;
mod reader;
mod recurrent;
mod tally;
mod tensor_infos;
mod types;
mod value;
mod vision;
pub mod write;

pub use cursor::{DEFAULT_MAX_HEADER, Limits};
pub use error::Error;
pub use facts::{Facts, FactsError, Kind, Layer, TensorBytes};
pub use header::{Header, TensorInfo};
pub use kv::{CacheType, KvCache, KvOptions};
pub use layers::LayerKind;
pub use read_value::KEEP_ARRAY_LEN;
pub use reader::{DEFAULT_ALIGNMENT, read_header, read_header_with};
pub use recurrent::Recurrent;
pub use types::{GgmlType, file_type_name};
pub use value::{Array, Value, ValueType};

use std::io::Read;

/// The first read from a stream: most of a small header, a fair start on a big one.
const FIRST_READ: u64 = 256 << 10;

/// Reads a header from a stream (a file, a response body), reading only what the
/// header needs: it reads a first block, then at least as far as the reader asks,
/// doubling, up to `limits.max_header`. The stream ending inside the header is
/// malformed (a truncated file).
pub fn read_header_from(mut input: impl Read, limits: Limits) -> Result<Header, Error> {
    let mut buf = Vec::new();
    let mut want = FIRST_READ.min(limits.max_header);
    loop {
        let have = buf.len() as u64;
        let got = (&mut input)
            .take(want.saturating_sub(have))
            .read_to_end(&mut buf)
            .map_err(|e| Error::Io(e.to_string()))?;
        let ended = (buf.len() as u64) < want || got == 0;
        match read_header_with(&buf, limits) {
            Err(Error::Incomplete { needed, have }) if ended => {
                return Err(Error::Malformed {
                    offset: have,
                    reason: format!(
                        "the file ends at byte {have}, inside its header (at least {needed} bytes needed)"
                    ),
                });
            }
            Err(Error::Incomplete { needed, .. }) => {
                want = needed.max(want.saturating_mul(2)).min(limits.max_header)
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_reading_grows_until_the_header_is_whole() {
        let bytes = fixtures::deepseek_r1_8b().header();
        assert!(
            bytes.len() as u64 > FIRST_READ,
            "the fixture should need several reads"
        );
        let header = read_header_from(bytes.as_slice(), Limits::default()).unwrap();
        assert_eq!(header.data_offset, bytes.len() as u64);
    }

    #[test]
    fn a_truncated_stream_is_malformed_not_incomplete() {
        let bytes = fixtures::llama31_8b().header();
        let error = read_header_from(&bytes[..1000], Limits::default()).unwrap_err();
        assert!(matches!(error, Error::Malformed { .. }), "{error}");
        assert!(error.to_string().contains("ends at byte 1000"), "{error}");
    }

    #[test]
    fn a_header_over_the_limit_is_refused() {
        let bytes = fixtures::llama31_8b().header();
        let limits = Limits {
            file_len: None,
            max_header: 1 << 20,
        };
        let error = read_header_from(bytes.as_slice(), limits).unwrap_err();
        assert!(
            error.to_string().contains("larger than 1048576 bytes"),
            "{error}"
        );
    }
}
