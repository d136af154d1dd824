//! The compute graph of a vision tower stored inside a model file, as Ollama sizes
//! it: `fs/ggml/ggml.go` `VisionGraphSize` (ollama/ollama at v0.12.10, the last
//! classic estimator), counted with the projector's weights in `llm/memory.go`.

use super::facts::Keys;

/// Bytes of the vision graph, or 0 when the file has no vision tower or the
/// architecture has no formula in Ollama.
pub(crate) fn vision_graph_bytes(keys: &Keys<'_>) -> u64 {
    let get = |key: &str| keys.u64(&format!("vision.{key}")).unwrap_or(0);
    if get("block_count") == 0 {
        return 0;
    }
    let (image, patch, channels) = (get("image_size"), get("patch_size"), get("num_channels"));
    let (heads, embedding) = (get("attention.head_count"), get("embedding_length"));
    let Some(per_side) = image.checked_div(patch) else {
        return 0;
    };
    let patches = per_side.saturating_mul(per_side);
    match keys.arch {
        // 4 × (image² × channels + embedding × patch + patches² × heads)
        "gemma3" | "mistral3" => image
            .saturating_mul(image)
            .saturating_mul(channels)
            .saturating_add(embedding.saturating_mul(patch))
            .saturating_add(patches.saturating_mul(patches).saturating_mul(heads))
            .saturating_mul(4),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use crate::gguf::{Facts, fixtures, read_header};

    fn facts(writer: crate::gguf::write::Writer) -> Facts {
        Facts::from_header(&read_header(&writer.header()).unwrap()).unwrap()
    }

    #[test]
    fn gemma3s_vision_graph_is_about_a_gibibyte() {
        // SigLIP at 896 px, 14 px patches, 3 channels, 16 heads, width 1152:
        // 4 × (896² × 3 + 1152 × 14 + 4096² × 16) = 1,083,440,128 bytes.
        assert_eq!(
            facts(fixtures::gemma3_12b()).vision_graph_bytes,
            1_083_440_128
        );
        assert_eq!(facts(fixtures::llama31_8b()).vision_graph_bytes, 0);
    }
}
