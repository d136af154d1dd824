//! KV-cache and recurrent-state bytes for a context, as llama.cpp allocates them.
//!
//! Per layer (ggml-org/llama.cpp): a full-attention layer holds `ctx` cells; a
//! sliding one `min(ctx, pad256(window * seqs + ubatch))` cells
//! (`src/llama-kv-cache-iswa.cpp` at 02c28f53); a cell is one K row of
//! `head_count_kv * key_length` and one V row of `head_count_kv * value_length`
//! values in the cache type (`llama_hparams::n_embd_k_gqa`, `src/llama-hparams.cpp`
//! at 01b77b57); a recurrent layer holds `n_embd_r + n_embd_s` f32 values per
//! sequence and no KV. gemma3:12b at 8192 with f16 comes to 992 MiB this way, as
//! Ollama logged it (3072 MiB if every layer held the whole context).

use super::facts::Facts;
use super::layers::LayerKind;
use super::types::GgmlType;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The KV cache types Ollama offers (`OLLAMA_KV_CACHE_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheType {
    F16,
    Q8_0,
    Q4_0,
}

impl CacheType {
    fn ggml(self) -> GgmlType {
        match self {
            CacheType::F16 => GgmlType::F16,
            CacheType::Q8_0 => GgmlType::Q8_0,
            CacheType::Q4_0 => GgmlType::Q4_0,
        }
    }

    /// Bytes of a row of `values` in this type (whole blocks, rounded up).
    fn row_bytes(self, values: u64) -> u64 {
        let t = self.ggml();
        values
            .div_ceil(t.block_size())
            .saturating_mul(t.block_bytes())
    }
}

impl fmt::Display for CacheType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CacheType::F16 => "f16",
            CacheType::Q8_0 => "q8_0",
            CacheType::Q4_0 => "q4_0",
        })
    }
}

impl FromStr for CacheType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f16" => Ok(CacheType::F16),
            "q8_0" => Ok(CacheType::Q8_0),
            "q4_0" => Ok(CacheType::Q4_0),
            other => Err(format!(
                "unknown KV cache type '{other}' (known: f16, q8_0, q4_0)"
            )),
        }
    }
}

/// What the cache is sized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvOptions {
    /// Context positions per sequence (`num_ctx`).
    pub context: u64,
    pub cache: CacheType,
    /// The physical batch (`n_ubatch`, 512 by default): sliding layers keep this many
    /// positions beyond the window.
    pub ubatch: u64,
    /// Sequences served at once (`OLLAMA_NUM_PARALLEL`): the context and recurrent
    /// states are multiplied by it.
    pub parallel: u64,
    /// Sliding layers hold the whole context (`--swa-full`).
    pub swa_full: bool,
}

impl KvOptions {
    /// One sequence of `context` positions, batch 512, sliding windows honoured.
    pub fn new(context: u64, cache: CacheType) -> KvOptions {
        KvOptions {
            context,
            cache,
            ubatch: 512,
            parallel: 1,
            swa_full: false,
        }
    }
}

/// Cache bytes, per layer and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvCache {
    pub per_layer: Vec<u64>,
    /// KV bytes of attention layers.
    pub attention: u64,
    /// Recurrent state bytes.
    pub recurrent: u64,
    pub total: u64,
}

impl Facts {
    /// Bytes of one position's K and V rows on layer `i` (0 for a layer without KV).
    fn cell_bytes(&self, i: usize, cache: CacheType) -> u64 {
        let layer = &self.layers[i];
        let (k, v) = match layer.kind {
            LayerKind::Full | LayerKind::RecurrentAndFull => (self.key_length, self.value_length),
            LayerKind::Sliding => (self.key_length_swa, self.value_length_swa),
            LayerKind::Recurrent | LayerKind::NoCache => return 0,
        };
        let kv = layer.head_count_kv;
        cache
            .row_bytes(kv.saturating_mul(k))
            .saturating_add(cache.row_bytes(kv.saturating_mul(v)))
    }

    /// KV bytes one more position of context costs, over all attention layers
    /// (sliding layers included, as if the window were not yet full).
    pub fn kv_bytes_per_token(&self, cache: CacheType) -> u64 {
        (0..self.layers.len()).fold(0u64, |sum, i| sum.saturating_add(self.cell_bytes(i, cache)))
    }

    /// Cells a full layer and a sliding layer hold for `options`.
    fn cells(&self, options: &KvOptions) -> (u64, u64) {
        let parallel = options.parallel.max(1);
        let full = options.context.saturating_mul(parallel);
        let window = self
            .sliding_window
            .unwrap_or(0)
            .saturating_mul(parallel)
            .saturating_add(options.ubatch)
            .checked_next_multiple_of(256)
            .unwrap_or(u64::MAX);
        (
            full,
            if options.swa_full {
                full
            } else {
                full.min(window)
            },
        )
    }

    /// The KV cache and recurrent state for `options`.
    pub fn kv_cache(&self, options: &KvOptions) -> KvCache {
        let (full_cells, swa_cells) = self.cells(options);
        // Recurrent states are f32 (llama.cpp creates them GGML_TYPE_F32), one per sequence.
        let state = self.recurrent.as_ref().map_or(0, |r| r.state_elements);
        let state = state
            .saturating_mul(4)
            .saturating_mul(options.parallel.max(1));
        let (mut attention, mut recurrent) = (0u64, 0u64);
        let per_layer = (0..self.layers.len())
            .map(|i| {
                let kind = self.layers[i].kind;
                let cells = if kind == LayerKind::Sliding {
                    swa_cells
                } else {
                    full_cells
                };
                let kv = self.cell_bytes(i, options.cache).saturating_mul(cells);
                let holds_state =
                    matches!(kind, LayerKind::Recurrent | LayerKind::RecurrentAndFull);
                let rs = if holds_state { state } else { 0 };
                attention = attention.saturating_add(kv);
                recurrent = recurrent.saturating_add(rs);
                kv.saturating_add(rs)
            })
            .collect();
        KvCache {
            per_layer,
            attention,
            recurrent,
            total: attention.saturating_add(recurrent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_types_parse_and_size_rows_in_blocks() {
        assert_eq!("Q8_0".parse(), Ok(CacheType::Q8_0));
        assert!("q5_1".parse::<CacheType>().is_err());
        assert_eq!(CacheType::F16.row_bytes(1024), 2048);
        assert_eq!(CacheType::Q8_0.row_bytes(1024), 1088);
        assert_eq!(CacheType::Q4_0.row_bytes(1024), 576);
        assert_eq!(CacheType::Q4_0.row_bytes(33), 36);
        assert_eq!(CacheType::Q8_0.to_string(), "q8_0");
    }
}
