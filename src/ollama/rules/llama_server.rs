//! The llama-server era (≥ 0.30.0, commit 9db4bdbad): how Ollama predicts a model's
//! memory before spawning `llama-server`, the generation batch it picks, and when
//! it evicts loaded models first. All of it is unchanged from v0.30.0 to
//! v0.33.0-rc2 (`llm/llama_server.go` `PredictServerVRAM`, `server/sched.go`).

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// The GGUF facts `PredictServerVRAM` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerModel {
    /// Size of the model blob (`os.Stat`).
    pub file_bytes: u64,
    pub block_count: u64,
    /// Smallest `attention.head_count_kv` (over layers when it is an array; 0 counts as 1).
    pub head_count_kv_min: u64,
    pub embedding_length: u64,
    /// Largest `attention.head_count` (over layers when it is an array).
    pub head_count_max: u64,
    /// `context_length` (0 when the header has none).
    pub n_ctx_train: u64,
}

/// `effectiveLlamaServerContext`: `min(num_ctx, n_ctx_train) × max(parallel, 1)`,
/// no cap when `n_ctx_train` is 0 (`effectiveContext`).
pub fn predicted_context(num_ctx: u64, n_ctx_train: u64, parallel: u64) -> u64 {
    let per_slot = if n_ctx_train > 0 {
        num_ctx.min(n_ctx_train)
    } else {
        num_ctx
    };
    per_slot.saturating_mul(parallel.max(1))
}

/// `PredictServerVRAM`: file size plus an f16 KV cache of
/// `2 × block_count × head_count_kv_min × (embedding_length / head_count_max) × ctx × 2`
/// bytes, whatever `OLLAMA_KV_CACHE_TYPE` says. `ctx` is [`predicted_context`].
pub fn predict_server_vram(model: &ServerModel, ctx: u64) -> u64 {
    let kv_heads = model.head_count_kv_min.max(1);
    let head_dim = model
        .embedding_length
        .checked_div(model.head_count_max)
        .unwrap_or(0);
    let kv = 4u64
        .saturating_mul(model.block_count)
        .saturating_mul(kv_heads)
        .saturating_mul(head_dim)
        .saturating_mul(ctx);
    model.file_bytes.saturating_add(kv)
}

/// `generationBatchSurcharge`: what a larger generation batch adds to the
/// prediction (2048: 2 GiB, 1024: 768 MiB, smaller: nothing); nothing for a model
/// that does not generate (`generationBatchSurchargeForCompletion`).
pub fn batch_surcharge(completion: bool, batch: u64) -> u64 {
    match batch {
        _ if !completion => 0,
        2048.. => 2 * GIB,
        1024.. => 768 * MIB,
        _ => 0,
    }
}

/// How the generation batch is chosen when the request leaves `num_batch` unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchDevice {
    /// A CUDA device with flash attention disabled; `small` when one has ≤ 8 GiB.
    CudaWithoutFlashAttention { small: bool },
    /// Any other placement.
    Other,
}

/// `automaticGenerationBatch`: 2048 above 32768 cells, 1024 above 4096, else 512,
/// stepped down while the prediction plus the surcharge does not fit 80 % of
/// `available` (and, for 2048/1024, while the prediction exceeds 60 %/75 % of it).
/// Without flash attention on CUDA: 512, or 256 past 4096 cells on a ≤ 8 GiB GPU.
pub fn automatic_batch(
    device: BatchDevice,
    effective_ctx: u64,
    predicted: u64,
    available: u64,
) -> u64 {
    if let BatchDevice::CudaWithoutFlashAttention { small } = device {
        return if small && effective_ctx > 4096 {
            256
        } else {
            512
        };
    }
    let mut batch = match effective_ctx {
        32769.. => 2048,
        4097.. => 1024,
        _ => 512,
    };
    while batch > 512 && !batch_fits(batch, predicted, available) {
        batch = if batch > 1024 { 1024 } else { 512 };
    }
    batch
}

/// `generationBatchFits` with `generationBatchHasHeadroom`.
fn batch_fits(batch: u64, predicted: u64, available: u64) -> bool {
    if predicted == 0 || available == 0 {
        return true;
    }
    let threshold = eighty_percent(available);
    let headroom = match batch {
        2048.. => percent(available, 60),
        1024.. => percent(available, 75),
        _ => u64::MAX,
    };
    predicted <= threshold
        && predicted <= headroom
        && batch_surcharge(true, batch) <= threshold - predicted
}

fn percent(bytes: u64, pct: u64) -> u64 {
    u64::try_from(u128::from(bytes) * u128::from(pct) / 100).unwrap_or(u64::MAX)
}

/// `freeMemory*80/100`, without Go's overflow past 2^64 / 80.
pub fn eighty_percent(free: u64) -> u64 {
    percent(free, 80)
}

/// The pre-flight check `Scheduler.load` runs when other models are loaded (and the
/// request asks for a full load on GPUs without an explicit partial `num_gpu`):
/// true when `predicted + surcharge` fits 80 % of the free memory of the GPUs it
/// would use; otherwise Ollama evicts before spawning llama-server.
pub fn admits(predicted_for_load: u64, free: u64) -> bool {
    predicted_for_load <= eighty_percent(free)
}

/// What `Scheduler.load` computes before spawning llama-server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadPrediction {
    /// [`predicted_context`].
    pub ctx: u64,
    /// [`predict_server_vram`].
    pub predicted: u64,
    /// The generation batch llama-server gets.
    pub batch: u64,
    /// `predicted` plus [`batch_surcharge`]: what the 80 % admission check compares.
    pub predicted_for_load: u64,
}

/// The request side of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadRequest {
    pub num_ctx: u64,
    /// `OLLAMA_NUM_PARALLEL` (1 for embedding models and the architectures
    /// `Scheduler.load` lists, e.g. mllama, qwen3vl, qwen35).
    pub parallel: u64,
    /// Whether the model generates text (embedding models do not).
    pub completion: bool,
    /// `num_batch` when the request or Modelfile sets it; None lets Ollama choose.
    pub num_batch: Option<u64>,
    pub device: BatchDevice,
    /// Free memory of the GPUs the model would be placed on (`availableMemoryForPlacement`).
    pub available: u64,
}

/// `Scheduler.load`'s prediction (`server/sched.go` at v0.33.0-rc2, lines 535-542).
pub fn predict_load(model: &ServerModel, request: &LoadRequest) -> LoadPrediction {
    let ctx = predicted_context(request.num_ctx, model.n_ctx_train, request.parallel);
    let predicted = predict_server_vram(model, ctx);
    let batch = match request.num_batch {
        Some(batch) => batch,
        None if request.completion => {
            automatic_batch(request.device, ctx, predicted, request.available)
        }
        None => 512,
    };
    let predicted_for_load = predicted.saturating_add(batch_surcharge(request.completion, batch));
    LoadPrediction {
        ctx,
        predicted,
        batch,
        predicted_for_load,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// qwen2.5-coder:32b Q4_K_M: 64 blocks, 8 KV heads, embedding 5120 over 40 heads
    /// (head width 128), n_ctx_train 32768, blob 19,851,336,256 bytes.
    const CODER_32B: ServerModel = ServerModel {
        file_bytes: 19_851_336_256,
        block_count: 64,
        head_count_kv_min: 8,
        embedding_length: 5120,
        head_count_max: 40,
        n_ctx_train: 32_768,
    };

    fn request(num_ctx: u64, parallel: u64, available: u64) -> LoadRequest {
        LoadRequest {
            num_ctx,
            parallel,
            completion: true,
            num_batch: None,
            device: BatchDevice::Other,
            available,
        }
    }

    #[test]
    fn predicts_file_plus_an_f16_cache_of_the_capped_context() {
        // effectiveLlamaServerContext: min(131072, 32768) × 1.
        assert_eq!(predicted_context(131_072, 32_768, 1), 32_768);
        assert_eq!(predicted_context(8192, 32_768, 4), 32_768);
        assert_eq!(predicted_context(8192, 0, 2), 16_384);
        // 2 × 64 × 8 × 128 × 32768 × 2 = 8 GiB on top of the file.
        assert_eq!(
            predict_server_vram(&CODER_32B, 32_768),
            19_851_336_256 + (8 << 30)
        );
        // Asking for 131072 changes nothing: the classic estimator's 32 GiB KV is gone.
        let p = predict_load(&CODER_32B, &request(131_072, 1, 0));
        assert_eq!((p.ctx, p.predicted), (32_768, 19_851_336_256 + (8 << 30)));
        // head_count_kv_min 0 (layers without attention) counts as 1; no heads, no KV.
        let odd = ServerModel {
            head_count_kv_min: 0,
            head_count_max: 0,
            ..CODER_32B
        };
        assert_eq!(predict_server_vram(&odd, 4096), odd.file_bytes);
    }

    #[test]
    fn batch_and_surcharge_follow_the_context_and_the_headroom() {
        let predicted = 19_851_336_256 + (8 << 30); // 28,441,270,848
        // 32768 cells → 1024; 48 GiB free: 80 % = 41.2e9, 75 % = 38.7e9, room for 768 MiB.
        let p = predict_load(&CODER_32B, &request(32_768, 1, 48 * GIB));
        assert_eq!(
            (p.batch, p.predicted_for_load),
            (1024, predicted + 768 * MIB)
        );
        // 36 GiB free: 75 % = 28,991,029,248 still holds the prediction → 1024.
        assert_eq!(
            automatic_batch(BatchDevice::Other, 32_768, predicted, 36 * GIB),
            1024
        );
        // 65536 cells start at 2048, which needs the prediction ≤ 60 % of 37 GiB
        // (23.8e9 < 28.4e9): one step down to 1024, which fits.
        assert_eq!(
            automatic_batch(BatchDevice::Other, 65_536, predicted, 37 * GIB),
            1024
        );
        // 30 GiB: 80 % = 25.8e9 < prediction → down to 512, no surcharge.
        assert_eq!(
            automatic_batch(BatchDevice::Other, 32_768, predicted, 30 * GIB),
            512
        );
        // Unknown free memory (0) fits anything (generationBatchFits).
        assert_eq!(
            automatic_batch(BatchDevice::Other, 65_536, predicted, 0),
            2048
        );
        let cuda = |small| BatchDevice::CudaWithoutFlashAttention { small };
        assert_eq!(automatic_batch(cuda(true), 8192, predicted, 0), 256);
        assert_eq!(automatic_batch(cuda(true), 4096, predicted, 0), 512);
        assert_eq!(automatic_batch(cuda(false), 65_536, predicted, 0), 512);
        // An explicit num_batch is kept and still charged; embedding models pay nothing.
        let explicit = LoadRequest {
            num_batch: Some(2048),
            ..request(4096, 1, 0)
        };
        assert_eq!(
            predict_load(&CODER_32B, &explicit).predicted_for_load
                - predict_server_vram(&CODER_32B, 4096),
            2 * GIB
        );
        let embed = LoadRequest {
            completion: false,
            ..request(65_536, 1, 0)
        };
        assert_eq!(predict_load(&CODER_32B, &embed).batch, 512);
        assert_eq!(batch_surcharge(false, 2048), 0);
    }

    #[test]
    fn admission_needs_eighty_percent_of_free_memory() {
        // With another model loaded, 34 GiB free: 80 % = 29,205,777,612 ≥ 29,246,577,216? No.
        let p = predict_load(&CODER_32B, &request(32_768, 1, 48 * GIB));
        assert!(!admits(p.predicted_for_load, 34 * GIB));
        assert!(admits(p.predicted_for_load, 35 * GIB));
        assert!(admits(100, 125));
        assert!(!admits(101, 125));
        assert_eq!(eighty_percent(u64::MAX), u64::MAX / 5 * 4);
    }
}
