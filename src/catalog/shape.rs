//! A catalog size as the estimate reads every model: GGUF-style facts. Sizes
//! whose header was read carry those facts; the others get facts derived from the
//! catalog's dimensions.

use super::{Dims, ModelSize};
use crate::gguf::{Facts, Kind, Layer, LayerKind, TensorBytes};
use std::borrow::Cow;

/// Gemma 3's SigLIP vision tower as Ollama's converter writes it (896 px images,
/// 14 px patches, 3 channels, 16 heads, width 1152; `convert/convert_gemma3.go` at
/// v0.12.10), whose graph `VisionGraphSize` sizes at 4 × (896² × 3 + 1152 × 14 +
/// 4096² × 16) bytes (`fs/ggml/ggml.go` at v0.12.10).
const GEMMA3_VISION_GRAPH: u64 = 1_083_440_128;

impl ModelSize {
    /// The facts the estimate reads: from the model's header when it was read,
    /// else derived from the catalog's dimensions (`architecture` is the size's).
    pub fn shape(&self, architecture: &str) -> Cow<'_, Facts> {
        match &self.facts {
            Some(facts) => Cow::Borrowed(facts),
            None => Cow::Owned(from_dims(architecture, self.params, &self.dims)),
        }
    }
}

/// Facts with the catalog's dimensions: the first `sliding_window_layers` layers
/// slide (which ones does not change a total), byte counts unknown (zero).
fn from_dims(architecture: &str, params: u64, dims: &Dims) -> Facts {
    let sliding = dims.sliding_window_layers.unwrap_or(0);
    let layers = (0..dims.layers)
        .map(|i| Layer {
            kind: if i < sliding {
                LayerKind::Sliding
            } else {
                LayerKind::Full
            },
            head_count: u64::from(dims.heads),
            head_count_kv: u64::from(dims.kv_heads),
            bytes: 0,
        })
        .collect();
    let key = u64::from(dims.head_dim);
    let value = u64::from(dims.value_head_dim.unwrap_or(dims.head_dim));
    let vision = dims.vision_bytes.is_some() && architecture == "gemma3";
    Facts {
        kind: Kind::Model,
        architecture: architecture.to_string(),
        name: None,
        file_type: None,
        file_type_name: None,
        parameters: params,
        projector_parameters: 0,
        active_parameters: dims.active_params.unwrap_or(params),
        block_count: u64::from(dims.layers),
        context_length: Some(u64::from(dims.context)),
        embedding_length: Some(u64::from(dims.embedding)),
        vocab_size: Some(u64::from(dims.vocab)),
        key_length: key,
        value_length: value,
        key_length_swa: key,
        value_length_swa: value,
        sliding_window: dims.sliding_window.map(u64::from).filter(|_| sliding > 0),
        expert_count: u64::from(dims.experts.unwrap_or(0)),
        expert_used_count: u64::from(dims.experts_used.unwrap_or(0)),
        recurrent: None,
        projector_type: None,
        layers,
        bytes: TensorBytes::default(),
        vision_graph_bytes: if vision { GEMMA3_VISION_GRAPH } else { 0 },
        tied_embeddings: dims.tied_embeddings,
        bytes_by_type: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::gguf::{CacheType, KvOptions};

    #[test]
    fn catalog_dimensions_give_the_kv_cache_llama_cpp_allocates() {
        let size = Catalog::bundled().resolve("llama3.1:8b").unwrap().size;
        let shape = size.shape("llama");
        let kv = shape.kv_cache(&KvOptions::new(8192, CacheType::F16));
        assert_eq!(
            kv.total,
            1 << 30,
            "32 layers × 8 heads × 128 × 2 × 2 B × 8192"
        );
        assert_eq!(shape.block_count, 32);
    }

    #[test]
    fn sliding_window_layers_hold_the_window_only() {
        let size = Catalog::bundled().resolve("gemma3:12b").unwrap().size;
        let shape = size.shape("gemma3");
        let kv = shape.kv_cache(&KvOptions::new(8192, CacheType::F16));
        // Ollama's log for gemma3:12b at 8192: KV 992 MiB (3072 MiB without the window).
        assert_eq!(kv.total, 992 << 20);
        assert_eq!(shape.vision_graph_bytes, super::GEMMA3_VISION_GRAPH);
    }
}
