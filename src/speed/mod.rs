//! How fast a model will run here, before it is pulled.
//!
//! Decoding reads every weight a token uses once, and the KV cache of the
//! context, so it is bound by memory bandwidth:
//!
//! ```text
//! decode tokens/s ≈ η × bandwidth / n ÷ (weights read per token + KV cache at num_ctx)
//! ```
//!
//! * weights read per token: the blob without the vision tower and without the
//!   input embedding table (one row is looked up, unless tied to the output);
//!   of a mixture of experts only the experts a token uses
//!   (`Facts::weights_read_per_token` for a file whose header was read, else the
//!   blob scaled by the catalog's active parameters).
//! * KV cache: one slot's whole cache at the planned `num_ctx`, the speed at the
//!   end of a full context (the slowest point of a conversation).
//! * bandwidth: the CPU's measured read bandwidth, the GPU's from the table of
//!   known parts, or `--bandwidth`. A partial offload reads its GPU layers at
//!   the GPU's bandwidth and the rest at the CPU's; the times add up.
//! * n: models of the profile that decode at the same time
//!   (`roster.decode_together`) share the bandwidth equally.
//! * η, the efficiency: [`EFFICIENCY`] = 0.55, llmfit's default
//!   (`llmfit-core/src/fit.rs` at 3f44fd30: "real throughput is ~50–70% of this
//!   ceiling", validated there on an RTX 4090, a T4 and an M1 Max), which also
//!   matches llama.cpp on a CPU: a 13900K with DDR5-6400 (102.4 GB/s) decoding a
//!   3.8 GB 7B Q4_0 at 18.3 tokens/s reads 70 GB/s, 0.68 of the peak
//!   (ggml-org/llama.cpp#34); and Ollama 0.5.4 on a 2-core VM reading 22 GB/s
//!   reached 0.72 (F16), 0.69 (Q8_0) and 0.45 (Q4_K_M, bound by dequantizing on
//!   two cores) of it (README, "Speed"). `provision bench` measurements on this
//!   machine replace the prediction of what they measured and correct η for
//!   the rest ([`calibrate`]).
//!
//! Prompt processing is compute-bound, two FLOPs per active parameter a token:
//!
//! ```text
//! CPU: prompt tokens/s ≈ cores × PROMPT_CLOCK × FLOP/cycle of the SIMD × PROMPT_EFFICIENCY ÷ (2 × active parameters)
//! GPU: prompt tokens/s ≈ GPU_PROMPT_EFFICIENCY × dense FP16 FLOP/s ÷ (2 × active parameters)
//! ```
//!
//! The GPU's FP16 figure is the table's (`hardware/gpus.yaml`); a GPU without
//! one leaves the prompt speed unknown. A partial offload processes its GPU
//! layers at the GPU's rate and the rest at the CPU's; the times add up. A
//! prompt speed is not corrected by [`calibrate`]: those ratios measure how
//! much of the bandwidth decoding reaches, not of the compute; a configuration
//! `bench` measured exactly shows its measured prompt speed instead.

pub mod calibrate;
pub mod goal;
mod predict;

pub use calibrate::{Correction, MeasuredSpeed};
pub use goal::{Goal, GoalCheck, LatencyGoal, SpeedGoal};
pub use predict::{bytes_per_token, predict};

use crate::estimate::KvCacheType;
use crate::gguf::Facts;
use serde::Serialize;

/// The share of the bandwidth a decoding step achieves (see the module comment).
pub const EFFICIENCY: f64 = 0.55;
/// The clock prompt speeds assume, in GHz: the cores' real clock is not probed.
pub const PROMPT_CLOCK_GHZ: f64 = 3.0;
/// The share of peak FLOPs llama.cpp reaches on a prompt: a 13900K's 8 P-cores
/// (AVX2, ~5.5 GHz: 1.4 TFLOP/s peak) process a 7B prompt at 33.7 tokens/s,
/// 0.45 TFLOP/s (ggml-org/llama.cpp#34), a third of the peak.
pub const PROMPT_EFFICIENCY: f64 = 0.3;
/// The share of a GPU's dense FP16 peak (FP32 accumulate) llama.cpp reaches
/// on a prompt. An RTX 4090 (165.2 TFLOP/s) processes a llama 8B prompt at
/// 9279 tokens/s in Q4_K_S and 10359 in Q4_0 (int8 tensor-core kernels,
/// ggml-org/llama.cpp#7860 and #7676, pp2048 and pp512 at 512-token batches):
/// 0.90 and 1.01 of it; a 7B Q4_0 at 7980 tokens/s with the older kernels,
/// 0.65 (#4766). GeForce Ada's int8 rate is four times that figure, a data
/// centre part's only twice, and H100's figure needs kernels llama.cpp's do not
/// use, so those reach less of it. 0.5 is below every measurement found (the
/// slow side: a latency goal is then stricter, not missed); expect the truth
/// within about half to twice the prediction.
pub const GPU_PROMPT_EFFICIENCY: f64 = 0.5;

/// What the device offers for speed: the bandwidths and the cores.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Machine {
    /// The CPU's RAM read bandwidth, bytes/s; none when unknown.
    pub cpu_bytes_per_s: Option<u64>,
    /// The bandwidth of the GPU models are placed on.
    pub gpu_bytes_per_s: Option<u64>,
    /// That GPU's peak dense FP16 compute, FLOP/s; none when the table has no
    /// figure for it (its prompt speed is then unknown).
    pub gpu_flops: Option<f64>,
    /// Cores a model's threads run on.
    pub cores: u32,
    /// SIMD features the probe found (`avx2`, `avx512f`, `neon`, …).
    pub simd: Vec<&'static str>,
}

/// Where a model's layers are when it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Where {
    Gpu,
    Cpu,
    /// This fraction of the weights on the GPU, the rest in RAM.
    Split {
        gpu_fraction: f64,
    },
}

/// One model at one level, as the prediction sees it.
#[derive(Debug, Clone, Copy)]
pub struct Load<'a> {
    pub facts: &'a Facts,
    /// Bytes of the model blob at this level.
    pub file_bytes: u64,
    /// Bytes of a vision tower inside the blob (not read for text tokens).
    pub vision_bytes: u64,
    pub num_ctx: u32,
    pub kv_cache: KvCacheType,
    pub placement: Where,
    /// Models decoding at the same time (1 = alone).
    pub sharing: u32,
    /// What this machine's measurements say of η (see [`calibrate`]).
    pub correction: Option<Correction>,
}

/// Where a speed comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeedSource {
    /// `provision bench` measured exactly this model, level and context here.
    Measured,
    /// The formula with η corrected by measurements of this machine.
    Calibrated,
    /// The formula.
    Predicted,
}

/// A model's speed at one level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Speed {
    pub decode_tokens_per_s: f64,
    /// None where it is neither measured nor predictable (a GPU without a
    /// compute figure, no cores).
    pub prompt_tokens_per_s: Option<f64>,
    pub source: SpeedSource,
    /// Bytes a generated token reads: the weights it uses and the KV cache.
    pub bytes_per_token: u64,
    /// The efficiency the prediction used (none for a measured speed).
    pub efficiency: Option<f64>,
    /// Models decoding at the same time, sharing the bandwidth (1 = alone).
    pub decoding_together: u32,
}

impl Speed {
    /// `~4.7 tok/s` (predicted) or `4.7 tok/s measured`.
    pub fn short(&self) -> String {
        match self.source {
            SpeedSource::Measured => {
                format!("{} tok/s measured", rounded(self.decode_tokens_per_s))
            }
            _ => format!("~{} tok/s", rounded(self.decode_tokens_per_s)),
        }
    }
}

/// A TOK/S table cell: `~2.1` predicted, `3.4 measured`, `-` unknown.
pub fn cell(speed: Option<&Speed>) -> String {
    match speed {
        Some(s) if s.source == SpeedSource::Measured => {
            format!("{} measured", rounded(s.decode_tokens_per_s))
        }
        Some(s) => format!("~{}", rounded(s.decode_tokens_per_s)),
        None => "-".to_string(),
    }
}

/// Tokens per second as plans print them: one decimal below 100.
pub fn rounded(tokens_per_s: f64) -> String {
    if tokens_per_s >= 100.0 {
        format!("{tokens_per_s:.0}")
    } else {
        format!("{tokens_per_s:.1}")
    }
}
