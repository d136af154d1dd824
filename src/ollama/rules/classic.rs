//! The classic estimator (`llm/memory.go` `EstimateGPULayers` and `GraphSize` in
//! `llm/ggml.go` at v0.5.4, `fs/ggml/ggml.go` at v0.6.8; deleted in 0.12.11): KV
//! cache, compute graph and the total it logs as `memory.required.full`.

/// `kvCacheBytesPerElement`: the estimator's bytes per cached element for
/// `OLLAMA_KV_CACHE_TYPE` (q8_0 1, q4_0 0.5, anything else f16's 2). Lower than
/// ggml's real block sizes (34/32, 18/32), as upstream's comments admit.
pub fn kv_bytes_per_element(cache_type: &str) -> f64 {
    match cache_type {
        "q8_0" => 1.0,
        "q4_0" => 0.5,
        _ => 2.0,
    }
}

/// The model dimensions `GraphSize` reads from the GGUF header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dimensions<'a> {
    pub architecture: &'a str,
    pub block_count: u64,
    pub embedding_length: u64,
    pub head_count: u64,
    pub head_count_kv: u64,
    /// `attention.key_length` (default `embedding_length / head_count`).
    pub key_length: u64,
    /// `attention.value_length` (default `embedding_length / head_count`).
    pub value_length: u64,
    /// Entries of `tokenizer.ggml.tokens`.
    pub vocab: u64,
}

/// `GraphSize`'s KV: `context × block_count × (key_length + value_length) ×
/// head_count_kv × bytes/element`, where `context` already includes the parallel
/// slots (`server/sched.go` at v0.5.4: `NumCtx = origNumCtx × numParallel`).
pub fn kv_bytes(dims: &Dimensions, context: u64, cache_type: &str) -> u64 {
    let elements = context
        .saturating_mul(dims.block_count)
        .saturating_mul(dims.key_length.saturating_add(dims.value_length))
        .saturating_mul(dims.head_count_kv);
    (elements as f64 * kv_bytes_per_element(cache_type)) as u64
}

/// `GraphSize`'s `(partialOffload, fullOffload)` for `llama` (dense) and `qwen2`;
/// None for an architecture this module does not carry. `batch` is
/// `min(num_ctx, num_batch)`, `context` includes the parallel slots.
pub fn graph_bytes(dims: &Dimensions, context: u64, batch: u64) -> Option<(u64, u64)> {
    // Header values come from outside: clamped to u32 (no model is near), three of
    // them multiply within u128.
    let wide = |x: u64| u128::from(x.min(u64::from(u32::MAX)));
    let (e, h, hkv, vocab) = (
        wide(dims.embedding_length),
        wide(dims.head_count),
        wide(dims.head_count_kv),
        wide(dims.vocab),
    );
    let (ctx, batch) = (wide(context), wide(batch));
    let vocab_graph = 4 * batch * (e + vocab);
    let vocab_partial = vocab_graph + e * vocab * 105 / 128;
    let (partial, full) = match dims.architecture {
        "llama" => {
            let head_width = e.checked_div(h)?;
            let full = (4 * batch * (1 + 4 * e + ctx * (1 + h))).max(vocab_graph);
            let attention = 4 * batch * (1 + e + ctx.max(e))
                + e * e * 9 / 16
                + 4 * ctx * (batch * h + head_width * hkv);
            (4 * batch * e + attention.max(vocab_partial), full)
        }
        "qwen2" => {
            let full = vocab_graph.max(4 * batch * (1 + 2 * e + ctx + ctx * h));
            let partial =
                vocab_partial.max(4 * (batch * (1 + 2 * e + ctx * (1 + h)) + e * (1 + ctx)));
            (partial, full)
        }
        _ => return None,
    };
    let narrow = |x: u128| u64::try_from(x).unwrap_or(u64::MAX);
    Some((narrow(partial), narrow(full)))
}

/// What `EstimateGPULayers` adds up for a model whose layers all fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Bytes of one repeating layer (`blk.0`, taken for every layer).
    pub layer_bytes: u64,
    /// `output_norm` plus `output` (or `token_embd` when the output is tied).
    pub output_bytes: u64,
    pub kv_bytes: u64,
    pub graph_partial: u64,
    pub graph_full: u64,
    /// GPUs the layers are spread over (each holds a graph and a spare layer).
    pub gpus: u64,
    /// `MinimumMemory` per GPU: 457 MiB for CUDA and ROCm, 512 MiB for Metal.
    pub minimum_bytes: u64,
    pub metal: bool,
    pub projector_bytes: u64,
}

/// `memory.required.full`: per GPU its minimum, one spare layer (weights plus its KV
/// share) and a graph (full on one GPU, partial on several, full on Metal), plus
/// every layer with its KV share, the output layer and the projector.
pub fn required_bytes(load: &Load, block_count: u64) -> u64 {
    let kv_per_layer = load.kv_bytes.checked_div(block_count).unwrap_or(0);
    let layer = load.layer_bytes.saturating_add(kv_per_layer);
    let graph = if load.gpus > 1 && !load.metal {
        load.graph_partial
    } else {
        load.graph_full
    };
    let per_gpu = load
        .minimum_bytes
        .saturating_add(layer)
        .saturating_add(graph);
    per_gpu
        .saturating_mul(load.gpus.max(1))
        .saturating_add(layer.saturating_mul(block_count))
        .saturating_add(load.output_bytes)
        .saturating_add(load.projector_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    /// qwen2.5-coder:32b (HF config.json): 64 blocks, 40 heads, 8 KV heads of 128,
    /// embedding 5120, vocabulary 152064, n_ctx_train 32768.
    const CODER_32B: Dimensions = Dimensions {
        architecture: "qwen2",
        block_count: 64,
        embedding_length: 5120,
        head_count: 40,
        head_count_kv: 8,
        key_length: 128,
        value_length: 128,
        vocab: 152_064,
    };

    fn coder_load(context: u64) -> Load {
        // Q4_K_M blob 19,851,336,256 bytes; token_embd Q4_K (4.5 bits) stays out, output
        // Q6_K (6.5625 bits) is the output layer; the rest spread over 64 blocks.
        let embd = 152_064 * 5120 * 9 / 16;
        let output = 152_064 * 5120 * 105 / 128;
        let (graph_partial, graph_full) = graph_bytes(&CODER_32B, context, 512).unwrap();
        Load {
            layer_bytes: (19_851_336_256 - embd - output) / 64,
            output_bytes: output,
            kv_bytes: kv_bytes(&CODER_32B, context, "f16"),
            graph_partial,
            graph_full,
            gpus: 2,
            minimum_bytes: 457 * MIB,
            metal: false,
            projector_bytes: 0,
        }
    }

    #[test]
    fn kv_follows_graph_size() {
        // 65536 × 64 × 256 × 8 × 2 bytes = 16 GiB, uncapped past n_ctx_train 32768.
        assert_eq!(kv_bytes(&CODER_32B, 65_536, "f16"), 16 << 30);
        assert_eq!(kv_bytes(&CODER_32B, 65_536, "q8_0"), 8 << 30);
        assert_eq!(kv_bytes(&CODER_32B, 65_536, "q4_0"), 4 << 30);
    }

    #[test]
    fn graph_matches_the_logged_values() {
        // Logged `graph.full` (reference §3.2): llama3.1:8b 296.0 MiB @4096, qwen2.5:7b 304.0 MiB.
        let llama = Dimensions {
            architecture: "llama",
            block_count: 32,
            embedding_length: 4096,
            head_count: 32,
            head_count_kv: 8,
            key_length: 128,
            value_length: 128,
            vocab: 128_256,
        };
        let full = graph_bytes(&llama, 4096, 512).unwrap().1 as f64 / MIB as f64;
        assert!((full - 296.0).abs() < 0.05, "{full}");
        let qwen7b = Dimensions {
            embedding_length: 3584,
            head_count: 28,
            head_count_kv: 4,
            vocab: 152_064,
            block_count: 28,
            ..CODER_32B
        };
        assert_eq!(graph_bytes(&qwen7b, 4096, 512).unwrap().1, 304 * MIB);
        assert_eq!(
            graph_bytes(
                &Dimensions {
                    architecture: "gemma3",
                    ..llama
                },
                4096,
                512
            ),
            None
        );
    }

    #[test]
    fn reproduces_the_public_qwen2_5_coder_32b_figures_on_two_gpus() {
        // Public 0.5/0.6 logs: 50,009 MiB at num_ctx 65,536 and 79,961 MiB at 131,072.
        // The difference, 29,952 MiB, is exactly what the formula adds on two GPUs:
        // ΔKV 16 GiB + 2 × Δpartial graph (4 × 65536 × (512 × 41 + 5120) bytes each)
        // + 2 spare layers' KV share (2 × 16 GiB / 64).
        let at = |ctx| required_bytes(&coder_load(ctx), 64);
        assert_eq!(at(131_072) - at(65_536), 29_952 * MIB);
        // The level itself depends on tensor sizes rebuilt here from bits per weight:
        // within 0.5 % of the logged 50,009 MiB.
        let mib = at(65_536) as f64 / MIB as f64;
        eprintln!("classic qwen2.5-coder:32b @65536 on two GPUs: {mib:.0} MiB (logged 50,009)");
        assert!((mib / 50_009.0 - 1.0).abs() < 0.005, "{mib:.0} MiB");
        // On one GPU the same model needs the full graph and one spare layer only.
        let one = Load {
            gpus: 1,
            ..coder_load(65_536)
        };
        assert!(required_bytes(&one, 64) < at(65_536));
    }
}
