//! Per-layer attention from a header: heads, KV heads, cache kinds and head sizes.

use super::{FactsError, Keys, Layer};
use crate::gguf::layers::{self, LayerKind};

/// Per-layer heads and cache kinds, and the head sizes.
pub(super) struct Attention {
    heads: Vec<u64>,
    heads_kv: Vec<u64>,
    pub(super) kinds: Vec<LayerKind>,
    pub(super) window: Option<u64>,
    pub(super) key_length: u64,
    pub(super) value_length: u64,
    /// Head sizes on sliding-window layers, where the header sets them apart.
    pub(super) key_length_swa: u64,
    pub(super) value_length_swa: u64,
}

impl Attention {
    /// As `load_hparams`: `head_count_kv` defaults to `head_count`, head sizes to
    /// `embedding_length / head_count` of the first layer.
    pub(super) fn read(
        keys: &Keys<'_>,
        n: usize,
        embd: Option<u64>,
    ) -> Result<Attention, FactsError> {
        let heads = keys
            .per_layer("attention.head_count", n)?
            .unwrap_or_else(|| vec![0; n]);
        let heads_kv = keys
            .per_layer("attention.head_count_kv", n)?
            .unwrap_or_else(|| heads.clone());
        let ff = keys
            .per_layer("feed_forward_length", n)?
            .unwrap_or_else(|| vec![0; n]);
        let (kinds, window) = layers::layer_kinds(keys.header, keys.arch, &heads_kv, &ff);
        let default_head = match (embd, heads.first()) {
            (Some(e), Some(&h0)) if h0 > 0 => e / h0,
            _ => 0,
        };
        let key_length = keys.u64("attention.key_length").unwrap_or(default_head);
        let value_length = keys.u64("attention.value_length").unwrap_or(default_head);
        Ok(Attention {
            key_length,
            value_length,
            key_length_swa: keys.u64("attention.key_length_swa").unwrap_or(key_length),
            value_length_swa: keys
                .u64("attention.value_length_swa")
                .unwrap_or(value_length),
            heads,
            heads_kv,
            kinds,
            window,
        })
    }

    /// Each layer's cache kind and heads, with its tensors' `bytes`.
    pub(super) fn layers(&self, bytes: &[u64]) -> Vec<Layer> {
        (0..self.kinds.len())
            .map(|i| Layer {
                kind: self.kinds[i],
                head_count: self.heads[i],
                head_count_kv: self.heads_kv[i],
                bytes: bytes[i],
            })
            .collect()
    }
}
