//! The memory a model needs once loaded: weights + KV cache + compute graph +
//! runtime overhead, from the model's facts (its GGUF header, or the catalog's
//! dimensions) and the memory rule of the Ollama version that loads it.
//!
//! * weights: the model blob (catalog, registry or installed size) plus any separate
//!   projector blob. On a GPU the input embedding table of a model with a separate
//!   output matrix stays in host RAM, as Ollama counts it, so it is left out; on a
//!   CPU the whole file is in RAM. MoE experts count whole: all of them are loaded.
//! * KV cache: per layer as llama.cpp allocates it (`gguf::Facts::kv_cache`): a
//!   full-attention layer holds the context (padded to 256 cells), a sliding-window
//!   layer at most its window plus a batch, a recurrent layer its state and no KV;
//!   per-layer KV head counts; llama.cpp's block sizes (f16 2, q8_0 34/32, q4_0 18/32
//!   bytes per value). The context is capped at the native one, except by Ollama's
//!   classic estimator up to 0.9.2, which sized it as asked
//!   ([`crate::ollama::rules::MemoryRule`]).
//! * compute graph: Ollama's `GraphSize` "full" formula (`ollama::rules::classic`;
//!   the llama line for architectures it has no formula for), plus a vision tower's
//!   graph (`VisionGraphSize`).
//! * overhead, on a GPU only: Ollama's per-GPU minimum (457 MiB) and, for the
//!   classic and measured estimators, one spare layer (weights and cache) they keep
//!   as a buffer. llama-server (≥ 0.30) places layers itself and keeps no spare; a
//!   CPU has neither.

use crate::gguf::{CacheType, Facts, KvOptions};
use crate::ollama::rules::MemoryRule;
use crate::ollama::rules::classic;
use crate::quant::Quant;
use serde::{Deserialize, Serialize};

const MIB: u64 = 1 << 20;
/// Ollama's `MinimumMemory` for CUDA/ROCm (Metal reserves 512 MiB).
pub const RUNTIME_MINIMUM_BYTES: u64 = 457 * MIB;
/// llama.cpp pads the KV cache to 256 cells with flash attention.
const KV_PADDING: u64 = 256;
/// Ollama's default `num_batch`.
const NUM_BATCH: u64 = 512;

/// The element type of the KV cache (`OLLAMA_KV_CACHE_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KvCacheType {
    #[default]
    F16,
    Q8_0,
    Q4_0,
}

impl KvCacheType {
    /// The value `OLLAMA_KV_CACHE_TYPE` takes.
    pub fn name(self) -> &'static str {
        match self {
            KvCacheType::F16 => "f16",
            KvCacheType::Q8_0 => "q8_0",
            KvCacheType::Q4_0 => "q4_0",
        }
    }

    fn cache(self) -> CacheType {
        match self {
            KvCacheType::F16 => CacheType::F16,
            KvCacheType::Q8_0 => CacheType::Q8_0,
            KvCacheType::Q4_0 => CacheType::Q4_0,
        }
    }
}

/// Where the model runs: all layers on a GPU, or on the CPU from RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    Gpu,
    Cpu,
}

/// What the estimate looks at.
#[derive(Debug, Clone, Copy)]
pub struct EstimateInput<'a> {
    /// The model's facts; its architecture picks the graph formula.
    pub shape: &'a Facts,
    pub quant: Quant,
    /// Bytes of the model blob.
    pub file_bytes: u64,
    /// Bytes of a separate projector blob (0 if none).
    pub projector_bytes: u64,
    /// Requested context per slot (`num_ctx`).
    pub num_ctx: u32,
    /// Parallel request slots (`OLLAMA_NUM_PARALLEL`).
    pub parallel: u32,
    pub kv_cache: KvCacheType,
    pub placement: Placement,
    /// How the Ollama version that loads the model sizes it.
    pub rule: MemoryRule,
}

/// The estimate and its parts, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Estimate {
    pub weights_bytes: u64,
    pub kv_cache_bytes: u64,
    pub graph_bytes: u64,
    pub overhead_bytes: u64,
    pub total_bytes: u64,
    /// The context per slot the estimate used (after the native cap).
    pub num_ctx: u32,
    /// One repeating layer: its weights and its share of the KV cache (what a
    /// partial offload moves per `num_gpu` step).
    pub layer_bytes: u64,
}

/// Estimates the memory a model needs with these settings. Blob sizes come from
/// outside (`ollama list`, the registry), so the sums saturate: an absurd size is
/// an estimate that fits nothing, never an overflow.
pub fn estimate(input: &EstimateInput) -> Estimate {
    let shape = input.shape;
    let native = shape.context_length.unwrap_or(0);
    let per_slot = input
        .rule
        .kv_context(u64::from(input.num_ctx), native, 1)
        .max(1);
    let num_ctx = u32::try_from(per_slot).unwrap_or(u32::MAX);
    let kv = kv_cache_bytes(shape, per_slot, input.parallel, input.kv_cache);
    let (embedding, output) = embedding_and_output(shape, input.quant);
    let host_embedding = if shape.tied_embeddings { 0 } else { embedding };
    let repeating = input.file_bytes.saturating_sub(output + host_embedding);
    let layers = shape.block_count.max(1);
    let layer_bytes = repeating / layers + kv / layers;
    let weights = match input.placement {
        Placement::Gpu => input.file_bytes.saturating_sub(host_embedding),
        Placement::Cpu => input.file_bytes,
    }
    .saturating_add(input.projector_bytes);
    let graph =
        graph_bytes(shape, per_slot, input.parallel).saturating_add(shape.vision_graph_bytes);
    let overhead = match (input.placement, input.rule) {
        (Placement::Cpu, _) => 0,
        (Placement::Gpu, MemoryRule::LlamaServer) => RUNTIME_MINIMUM_BYTES,
        (Placement::Gpu, _) => RUNTIME_MINIMUM_BYTES.saturating_add(layer_bytes),
    };
    Estimate {
        weights_bytes: weights,
        kv_cache_bytes: kv,
        graph_bytes: graph,
        overhead_bytes: overhead,
        total_bytes: [kv, graph, overhead]
            .into_iter()
            .fold(weights, u64::saturating_add),
        num_ctx,
        layer_bytes,
    }
}

/// The KV cache (and recurrent state) of `parallel` slots of `num_ctx` positions,
/// with the context padded to 256 cells.
pub fn kv_cache_bytes(shape: &Facts, num_ctx: u64, parallel: u32, kv: KvCacheType) -> u64 {
    let options = KvOptions {
        parallel: u64::from(parallel.max(1)),
        ..KvOptions::new(num_ctx.div_ceil(KV_PADDING) * KV_PADDING, kv.cache())
    };
    shape.kv_cache(&options).total
}

/// Ollama's compute-graph size (`GraphSize`, full offload) for `llama` and
/// `qwen2`; Qwen 3 uses the Qwen 2 line, every other architecture the llama one.
pub fn graph_bytes(shape: &Facts, num_ctx: u64, parallel: u32) -> u64 {
    let architecture = match shape.architecture.as_str() {
        "qwen2" | "qwen3" => "qwen2",
        _ => "llama",
    };
    let head_count = shape.layers.iter().map(|l| l.head_count).max().unwrap_or(0);
    let dims = classic::Dimensions {
        architecture,
        block_count: shape.block_count,
        embedding_length: shape.embedding_length.unwrap_or(0),
        head_count,
        head_count_kv: 0,
        key_length: shape.key_length,
        value_length: shape.value_length,
        vocab: shape.vocab_size.unwrap_or(0),
    };
    let context = num_ctx.saturating_mul(u64::from(parallel.max(1)));
    let batch = NUM_BATCH.min(num_ctx);
    classic::graph_bytes(&dims, context, batch).map_or(0, |(_, full)| full)
}

/// Bytes of the token embedding and of the output matrix (0 when tied) at `quant`:
/// the header's own when the facts are of a file at that level, else the matrix
/// at the type llama.cpp gives it in that level's mix.
fn embedding_and_output(shape: &Facts, quant: Quant) -> (u64, u64) {
    if shape.quant() == Some(quant) && shape.bytes.token_embedding > 0 {
        return (shape.bytes.token_embedding, shape.bytes.output);
    }
    let elements =
        shape.vocab_size.unwrap_or(0) as f64 * shape.embedding_length.unwrap_or(0) as f64;
    let output = if shape.tied_embeddings {
        0
    } else {
        (elements * output_bits(quant) / 8.0) as u64
    };
    ((elements * embedding_bits(quant) / 8.0) as u64, output)
}

/// Block bits of the type a file type stores `token_embd` in (its base type).
fn embedding_bits(quant: Quant) -> f64 {
    match quant {
        Quant::F32 => 32.0,
        // gpt-oss keeps everything but its MoE experts at F16.
        Quant::F16 | Quant::BF16 | Quant::MXFP4 => 16.0,
        Quant::Q8_0 => 8.5,
        Quant::Q6K => 6.5625,
        Quant::Q5KM | Quant::Q5KS | Quant::Q5_0 => 5.5,
        Quant::Q5_1 => 6.0,
        Quant::Q4KM | Quant::Q4KS | Quant::Q4_0 => 4.5,
        Quant::Q4_1 => 5.0,
        Quant::Q3KL | Quant::Q3KM | Quant::Q3KS => 3.4375,
        Quant::Q2K => 2.625,
    }
}

/// `output.weight` is Q6_K in every mix except Q8_0 and the float types.
fn output_bits(quant: Quant) -> f64 {
    match quant {
        Quant::F32 | Quant::F16 | Quant::BF16 | Quant::Q8_0 | Quant::MXFP4 => embedding_bits(quant),
        _ => 6.5625,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    const GIB: f64 = (1u64 << 30) as f64;

    /// The estimate of a catalog model at its default level under `rule`.
    fn estimate_of(name: &str, num_ctx: u32, placement: Placement, rule: MemoryRule) -> Estimate {
        let r = Catalog::bundled().resolve(name).unwrap();
        let shape = r.size.shape(r.size.architecture(r.family));
        estimate(&EstimateInput {
            shape: &shape,
            quant: r.quant,
            file_bytes: r.size.quant(r.quant).unwrap().bytes,
            projector_bytes: r.size.projector_bytes,
            num_ctx,
            parallel: 1,
            kv_cache: KvCacheType::F16,
            placement,
            rule,
        })
    }

    /// The classic estimator with the context capped (0.9.3 – 0.11.10), which the
    /// calibration figures come from.
    const CLASSIC: MemoryRule = MemoryRule::Classic { capped: true };

    fn gpu_estimate(name: &str, num_ctx: u32) -> Estimate {
        estimate_of(name, num_ctx, Placement::Gpu, CLASSIC)
    }

    /// Ollama's classic estimator, single CUDA GPU, f16 KV, one slot
    /// (quantization-and-memory.md §3.2, "Computed requirements").
    #[test]
    fn within_three_percent_of_ollamas_estimator() {
        let table = [
            ("llama3.1:8b", 2048, 5.39),
            ("llama3.1:8b", 4096, 5.68),
            ("llama3.1:8b", 8192, 6.45),
            ("llama3.1:8b", 32768, 11.09),
            ("llama3.1:8b", 131072, 29.66),
            ("llama3.2:3b", 4096, 3.08),
            ("qwen2.5:7b", 4096, 5.18),
            ("llama3.1:70b", 4096, 41.83),
        ];
        for (name, ctx, ollama_gib) in table {
            let total = gpu_estimate(name, ctx).total_bytes as f64 / GIB;
            let error = total / ollama_gib - 1.0;
            eprintln!(
                "calibration {name} @{ctx}: {total:.3} GiB vs {ollama_gib} ({:+.2} %)",
                error * 100.0
            );
            assert!(
                error.abs() < 0.03,
                "{name} @{ctx}: {total:.3} GiB vs {ollama_gib} ({:+.2} %)",
                error * 100.0
            );
        }
    }

    #[test]
    fn kv_cache_matches_the_reference_table() {
        // §3.6: Llama 3.1 8B f16 @4k 0.50 GiB, @128k 16.0; 70B @32k q8_0 5.31; Qwen2.5 7B @32k q4_0 0.49.
        let kv = |name: &str, ctx: u64, parallel, kind| {
            let r = Catalog::bundled().resolve(name).unwrap();
            kv_cache_bytes(&r.size.shape(&r.family.architecture), ctx, parallel, kind)
        };
        let gib = |bytes: u64| bytes as f64 / GIB;
        assert_eq!(gib(kv("llama3.1:8b", 4096, 1, KvCacheType::F16)), 0.5);
        assert_eq!(gib(kv("llama3.1:8b", 131072, 1, KvCacheType::F16)), 16.0);
        assert_eq!(gib(kv("llama3.1:8b", 4096, 4, KvCacheType::F16)), 2.0);
        let q8 = gib(kv("llama3.1:70b", 32768, 1, KvCacheType::Q8_0));
        assert!((q8 - 5.3125).abs() < 1e-9, "{q8}");
        let q4 = gib(kv("qwen2.5:7b", 32768, 1, KvCacheType::Q4_0));
        assert!((q4 - 0.4921875).abs() < 1e-9, "{q4}");
    }

    #[test]
    fn graph_matches_ollamas_logged_values() {
        // §3.2: graph full 296.0 MiB (8B @4096), 560.0 (8B @8192), 304.0 (Qwen2.5 7B @4096).
        let mib = |name: &str, ctx| gpu_estimate(name, ctx).graph_bytes as f64 / MIB as f64;
        // Ollama logs one decimal.
        let table = [
            ("llama3.1:8b", 4096, 296.0),
            ("llama3.1:8b", 8192, 560.0),
            ("qwen2.5:7b", 4096, 304.0),
            ("llama3.1:70b", 4096, 584.0),
        ];
        for (name, ctx, logged) in table {
            assert!(
                (mib(name, ctx) - logged).abs() < 0.05,
                "{name} @{ctx}: {}",
                mib(name, ctx)
            );
        }
    }

    #[test]
    fn context_is_capped_at_the_native_length() {
        let capped = gpu_estimate("qwen2.5:7b", 131072);
        assert_eq!(capped.num_ctx, 32768);
        assert_eq!(capped, gpu_estimate("qwen2.5:7b", 32768));
    }

    #[test]
    fn cpu_holds_the_whole_file_and_no_gpu_overhead() {
        let r = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let shape = r.size.shape("llama");
        let input = |placement| EstimateInput {
            shape: &shape,
            quant: Quant::Q4KM,
            file_bytes: 4_920_738_944,
            projector_bytes: 0,
            num_ctx: 4096,
            parallel: 1,
            kv_cache: KvCacheType::F16,
            placement,
            rule: CLASSIC,
        };
        let cpu = estimate(&input(Placement::Cpu));
        let gpu = estimate(&input(Placement::Gpu));
        assert_eq!(cpu.weights_bytes, 4_920_738_944);
        // token_embd Q4_K: 128256 × 4096 × 4.5 / 8 bytes stay in host RAM on a GPU.
        assert_eq!(cpu.weights_bytes - gpu.weights_bytes, 295_501_824);
        // llm/memory.go at v0.12.10: without a GPU no MinimumMemory and no spare layer.
        assert_eq!(cpu.overhead_bytes, 0);
        assert_eq!(gpu.overhead_bytes, RUNTIME_MINIMUM_BYTES + gpu.layer_bytes);
    }

    #[test]
    fn the_classic_estimator_before_0_9_3_sizes_the_context_asked_for() {
        // qwen2.5-coder:32b Q4_K_M at 131072 on 0.5/0.6 needed ~78 GiB (public logs,
        // 79,961 MiB on two GPUs); from 0.9.3 the KV stops at n_ctx_train (32768).
        let rule = |capped| MemoryRule::Classic { capped };
        let uncapped = estimate_of("qwen2.5-coder:32b", 131072, Placement::Gpu, rule(false));
        let capped = estimate_of("qwen2.5-coder:32b", 131072, Placement::Gpu, rule(true));
        assert_eq!((uncapped.num_ctx, capped.num_ctx), (131072, 32768));
        assert_eq!(
            uncapped.kv_cache_bytes,
            32 << 30,
            "64 × 8 × 256 × 2 B × 131072"
        );
        // On one GPU: weights, 32 GiB of KV, a ~10.5 GiB graph at that context; the
        // public figure is on two GPUs, each with its own graph and spare layer.
        let gib = |e: Estimate| e.total_bytes as f64 / GIB;
        assert!((60.0..63.0).contains(&gib(uncapped)), "{}", gib(uncapped));
        assert!((25.0..32.0).contains(&gib(capped)), "{}", gib(capped));
    }

    #[test]
    fn llama_server_keeps_no_spare_layer() {
        // llm/llama_server.go at v0.33.0-rc2: llama-server places the layers itself.
        let classic = gpu_estimate("llama3.1:8b", 8192);
        let server = estimate_of("llama3.1:8b", 8192, Placement::Gpu, MemoryRule::LlamaServer);
        assert_eq!(
            classic.total_bytes - server.total_bytes,
            classic.layer_bytes
        );
        assert_eq!(server.overhead_bytes, RUNTIME_MINIMUM_BYTES);
    }

    #[test]
    fn sliding_window_layers_and_a_vision_graph_count_for_gemma3() {
        // Ollama logged gemma3:12b KV 608 MiB at 2048 and 992 MiB at 8192 (SWA).
        let at = |ctx| gpu_estimate("gemma3:12b", ctx);
        assert_eq!(at(2048).kv_cache_bytes, 608 << 20);
        assert_eq!(at(8192).kv_cache_bytes, 992 << 20);
        assert!(at(8192).graph_bytes > 1 << 30, "the SigLIP graph is ~1 GiB");
    }

    #[test]
    fn moe_weights_count_whole_and_facts_from_a_header_are_used() {
        let writer = crate::gguf::fixtures::qwen3_coder_30b();
        let header = crate::gguf::read_header(&writer.header()).unwrap();
        let facts = Facts::from_header(&header).unwrap();
        let file_bytes = facts.bytes.total + writer.header().len() as u64;
        let estimate = estimate(&EstimateInput {
            shape: &facts,
            quant: Quant::Q4KM,
            file_bytes,
            projector_bytes: 0,
            num_ctx: 4096,
            parallel: 1,
            kv_cache: KvCacheType::F16,
            placement: Placement::Cpu,
            rule: MemoryRule::LlamaServer,
        });
        // All 128 experts are loaded though a token reads 8 of them.
        assert_eq!(estimate.weights_bytes, file_bytes);
        assert!(facts.bytes.read_per_token < file_bytes / 3);
        // 48 layers × 4 KV heads × 128 × 2 × 2 B = 96 KiB a token.
        assert_eq!(estimate.kv_cache_bytes, 4096 * 96 * 1024);
    }

    proptest::proptest! {
        #[test]
        fn any_blob_size_estimates_without_overflow(
            file_bytes in proptest::num::u64::ANY,
            projector_bytes in proptest::num::u64::ANY,
            num_ctx in proptest::num::u32::ANY,
            parallel in 1u32..=64,
        ) {
            let r = Catalog::bundled().resolve("llama3.1:8b").unwrap();
            let shape = r.size.shape("llama");
            for placement in [Placement::Gpu, Placement::Cpu] {
                let e = estimate(&EstimateInput {
                    shape: &shape,
                    rule: CLASSIC,
                    quant: r.quant,
                    file_bytes,
                    projector_bytes,
                    num_ctx,
                    parallel,
                    kv_cache: KvCacheType::F16,
                    placement,
                });
                proptest::prop_assert!(e.total_bytes >= e.weights_bytes);
            }
        }
    }
}
