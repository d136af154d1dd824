//! The memory a model needs once loaded: weights + KV cache + compute graph +
//! runtime overhead, calibrated against Ollama's own estimator.
//!
//! * weights: the model blob (catalog size or the installed size) plus any vision
//!   projector. On a GPU the input embedding table of a model with a separate output
//!   matrix stays in host RAM, as Ollama's estimator counts it, so it is left out.
//! * KV cache: `2 × layers × kv_heads × head_dim × ctx × bytes/element × parallel`
//!   (llama.cpp's exact sizes: f16 2, q8_0 1.0625, q4_0 0.5625; ctx padded to 256),
//!   with ctx capped at the model's native context.
//! * compute graph: Ollama's `GraphSize` "full" formula for the architecture.
//! * overhead: Ollama's per-GPU minimum (457 MiB) plus one spare layer (weights
//!   and cache), which Ollama reserves as a buffer.

use crate::catalog::Dims;
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
    /// Bytes per cached element, exactly as llama.cpp allocates them.
    pub fn bytes_per_element(self) -> f64 {
        match self {
            KvCacheType::F16 => 2.0,
            KvCacheType::Q8_0 => 34.0 / 32.0,
            KvCacheType::Q4_0 => 18.0 / 32.0,
        }
    }

    /// The value `OLLAMA_KV_CACHE_TYPE` takes.
    pub fn name(self) -> &'static str {
        match self {
            KvCacheType::F16 => "f16",
            KvCacheType::Q8_0 => "q8_0",
            KvCacheType::Q4_0 => "q4_0",
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
    /// GGUF architecture (`llama`, `qwen2`, …), which picks the graph formula.
    pub architecture: &'a str,
    pub dims: &'a Dims,
    pub quant: Quant,
    /// Bytes of the model blob.
    pub file_bytes: u64,
    /// Bytes of a vision projector blob (0 if none).
    pub projector_bytes: u64,
    /// Requested context per slot (`num_ctx`); capped at the native context.
    pub num_ctx: u32,
    /// Parallel request slots (`OLLAMA_NUM_PARALLEL`).
    pub parallel: u32,
    pub kv_cache: KvCacheType,
    pub placement: Placement,
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
    let dims = input.dims;
    let num_ctx = input.num_ctx.min(dims.context).max(1);
    let kv = kv_cache_bytes(dims, num_ctx, input.parallel, input.kv_cache);
    let embedding = matrix_bytes(dims, embedding_bits(input.quant));
    let output = matrix_bytes(dims, output_bits(input.quant));
    let host_embedding = if dims.tied_embeddings { 0 } else { embedding };
    let repeating = input.file_bytes.saturating_sub(output + host_embedding);
    let layers = u64::from(dims.layers.max(1));
    let layer_bytes = repeating / layers + kv / layers;
    let weights = match input.placement {
        Placement::Gpu => input.file_bytes.saturating_sub(host_embedding),
        Placement::Cpu => input.file_bytes,
    }
    .saturating_add(input.projector_bytes);
    let graph = graph_bytes(input.architecture, dims, num_ctx, input.parallel);
    let overhead = RUNTIME_MINIMUM_BYTES.saturating_add(layer_bytes);
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

/// `2 × layers × kv_heads × head_dim × ctx × bytes/element × parallel`, with ctx
/// padded to 256 cells and keys and values sized separately when they differ.
pub fn kv_cache_bytes(dims: &Dims, num_ctx: u32, parallel: u32, kv: KvCacheType) -> u64 {
    let ctx = u64::from(num_ctx).div_ceil(KV_PADDING) * KV_PADDING * u64::from(parallel.max(1));
    let width = u64::from(dims.head_dim + dims.value_head_dim.unwrap_or(dims.head_dim));
    let elements = u64::from(dims.layers) * u64::from(dims.kv_heads) * width * ctx;
    (elements as f64 * kv.bytes_per_element()).round() as u64
}

/// Ollama's compute-graph size (`GraphSize`, full offload) for `llama` and
/// `qwen2`; Qwen 3 uses the Qwen 2 line, every other architecture the llama one.
pub fn graph_bytes(architecture: &str, dims: &Dims, num_ctx: u32, parallel: u32) -> u64 {
    let ctx = u64::from(num_ctx) * u64::from(parallel.max(1));
    let batch = NUM_BATCH.min(u64::from(num_ctx));
    let (e, v, h) = (
        u64::from(dims.embedding),
        u64::from(dims.vocab),
        u64::from(dims.heads),
    );
    let logits = 4 * batch * (e + v);
    let attention = match architecture {
        "qwen2" | "qwen3" => 4 * batch * (1 + 2 * e + ctx + ctx * h),
        _ => 4 * batch * (1 + 4 * e + ctx * (1 + h)),
    };
    logits.max(attention)
}

fn matrix_bytes(dims: &Dims, bits: f64) -> u64 {
    (f64::from(dims.vocab) * f64::from(dims.embedding) * bits / 8.0) as u64
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

    fn gpu_estimate(name: &str, num_ctx: u32) -> Estimate {
        let r = Catalog::bundled().resolve(name).unwrap();
        estimate(&EstimateInput {
            architecture: &r.family.architecture,
            dims: &r.size.dims,
            quant: r.quant,
            file_bytes: r.size.quant(r.quant).unwrap().bytes,
            projector_bytes: r.size.projector_bytes,
            num_ctx,
            parallel: 1,
            kv_cache: KvCacheType::F16,
            placement: Placement::Gpu,
        })
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
        let dims = |name: &str| Catalog::bundled().resolve(name).unwrap().size.dims;
        let gib = |bytes: u64| bytes as f64 / GIB;
        assert_eq!(
            gib(kv_cache_bytes(
                &dims("llama3.1:8b"),
                4096,
                1,
                KvCacheType::F16
            )),
            0.5
        );
        assert_eq!(
            gib(kv_cache_bytes(
                &dims("llama3.1:8b"),
                131072,
                1,
                KvCacheType::F16
            )),
            16.0
        );
        assert_eq!(
            gib(kv_cache_bytes(
                &dims("llama3.1:8b"),
                4096,
                4,
                KvCacheType::F16
            )),
            2.0
        );
        let q8 = gib(kv_cache_bytes(
            &dims("llama3.1:70b"),
            32768,
            1,
            KvCacheType::Q8_0,
        ));
        assert!((q8 - 5.3125).abs() < 1e-9, "{q8}");
        let q4 = gib(kv_cache_bytes(
            &dims("qwen2.5:7b"),
            32768,
            1,
            KvCacheType::Q4_0,
        ));
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
    fn cpu_holds_the_whole_file() {
        let r = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let input = |placement| EstimateInput {
            architecture: "llama",
            dims: &r.size.dims,
            quant: Quant::Q4KM,
            file_bytes: 4_920_738_944,
            projector_bytes: 0,
            num_ctx: 4096,
            parallel: 1,
            kv_cache: KvCacheType::F16,
            placement,
        };
        let cpu = estimate(&input(Placement::Cpu));
        let gpu = estimate(&input(Placement::Gpu));
        assert_eq!(cpu.weights_bytes, 4_920_738_944);
        // token_embd Q4_K: 128256 × 4096 × 4.5 / 8 bytes stay in host RAM on a GPU.
        assert_eq!(cpu.weights_bytes - gpu.weights_bytes, 295_501_824);
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
            for placement in [Placement::Gpu, Placement::Cpu] {
                let e = estimate(&EstimateInput {
                    architecture: &r.family.architecture,
                    dims: &r.size.dims,
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
