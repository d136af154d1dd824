//! Server defaults per version: the context a request without `num_ctx` gets,
//! `OLLAMA_NUM_PARALLEL`, `OLLAMA_MAX_LOADED_MODELS`, `OLLAMA_KEEP_ALIVE`.

use super::version::{OllamaVersion, v};
use std::time::Duration;

const GIB: u64 = 1 << 30;

/// `OLLAMA_CONTEXT_LENGTH` default 4096 (commit 44b466eeb); 2048 before.
const CONTEXT_4096: OllamaVersion = v(0, 6, 7);
/// Default 0 = by total VRAM (commit 0334ffa62).
const CONTEXT_BY_VRAM: OllamaVersion = v(0, 15, 5);
/// `OLLAMA_NUM_PARALLEL`/`OLLAMA_MAX_LOADED_MODELS` 0 = automatic (commit 9929751cc).
const AUTO_CONCURRENCY: OllamaVersion = v(0, 2, 0);
/// `defaultParallel` 2 (commit fe5b9bb21); 4 before.
const AUTO_PARALLEL_2: OllamaVersion = v(0, 6, 7);
/// `OLLAMA_NUM_PARALLEL` default 1 (commit 20c3266e9, first tagged v0.9.7-rc0).
const PARALLEL_1: OllamaVersion = v(0, 9, 7);
/// gpt-oss gets at least 8192 (`server/routes.go` `scheduleRunner`, v0.11.0).
const GPT_OSS_FLOOR: OllamaVersion = v(0, 11, 0);
/// …unless total VRAM is under 20 GiB (commit f2e9c9aff, `lowVRAMThreshold`).
const LOW_VRAM_MODE: OllamaVersion = v(0, 11, 4);
/// qwen3vl and qwen3vlmoe join the floor (`server/routes.go` at v0.12.7).
const QWEN3VL_FLOOR: OllamaVersion = v(0, 12, 7);

/// Total VRAM as `server/routes.go` `Serve` sums it: each GPU's total memory less
/// `OLLAMA_GPU_OVERHEAD` (saturating where Go's unsigned subtraction would wrap).
pub fn total_vram(gpu_totals: &[u64], gpu_overhead: u64) -> u64 {
    gpu_totals.iter().fold(0u64, |sum, &total| {
        sum.saturating_add(total.saturating_sub(gpu_overhead))
    })
}

/// The server's default context: 2048 before 0.6.7 (`api.DefaultOptions`,
/// `envconfig.ContextLength` from 0.5.13), 4096 from 0.6.7, and from 0.15.5 by total
/// VRAM: ≥ 47 GiB → 262144, ≥ 23 GiB → 32768, else 4096 (GiB = 2^30; upstream uses
/// 47/23 rather than 48/24 "to account for small differences").
pub fn default_context(version: OllamaVersion, total_vram: u64) -> u64 {
    if version >= CONTEXT_BY_VRAM {
        return match total_vram {
            t if t >= 47 * GIB => 262_144,
            t if t >= 23 * GIB => 32_768,
            _ => 4096,
        };
    }
    if version >= CONTEXT_4096 { 4096 } else { 2048 }
}

/// What sets a request's context, highest precedence first after the request itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContextSources<'a> {
    /// The model's `PARAMETER num_ctx`.
    pub model_num_ctx: Option<u64>,
    /// `OLLAMA_CONTEXT_LENGTH` as set on the server (0.5.13 and later read it).
    pub env_context_length: Option<u64>,
    /// The model family from its config (`gptoss`, `qwen3vl`, …).
    pub family: &'a str,
    /// [`total_vram`].
    pub total_vram: u64,
}

/// The `num_ctx` a request without one gets: the model's parameter, else
/// `OLLAMA_CONTEXT_LENGTH`, else [`default_context`] (0 in the variable means "by
/// VRAM" from 0.15.5 and is taken literally before); then the gpt-oss/qwen3vl floor
/// of 8192 and the scheduler's minimum of 4 (`GetRunner`). The load may still cap it
/// at the model's native context (`memory::MemoryRule::kv_context`).
pub fn request_context(version: OllamaVersion, sources: &ContextSources) -> u64 {
    let env = sources
        .env_context_length
        .filter(|_| version >= v(0, 5, 13));
    let server_default = match env {
        Some(0) if version >= CONTEXT_BY_VRAM => default_context(version, sources.total_vram),
        Some(n) => n,
        None => default_context(version, sources.total_vram),
    };
    let chosen = sources.model_num_ctx.unwrap_or(server_default);
    let floor = context_floor(version, sources.family, sources.total_vram).unwrap_or(0);
    chosen.max(floor).max(4)
}

/// The minimum context some families get whatever was asked (`opts.NumCtx =
/// max(opts.NumCtx, 8192)` in `server/routes.go`, 0.11.0 to 0.15.4).
pub fn context_floor(version: OllamaVersion, family: &str, total_vram: u64) -> Option<u64> {
    if !(GPT_OSS_FLOOR..CONTEXT_BY_VRAM).contains(&version) {
        return None;
    }
    let listed = matches!(family, "gptoss" | "gpt-oss")
        || (version >= QWEN3VL_FLOOR && matches!(family, "qwen3vl" | "qwen3vlmoe"));
    let low_vram = version >= LOW_VRAM_MODE && total_vram < 20 * GIB;
    (listed && !low_vram).then_some(8192)
}

/// Parallel slots when `OLLAMA_NUM_PARALLEL` is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParallelDefault {
    Fixed(u64),
    /// The scheduler tries `first` slots and falls back to 1 when that does not fit
    /// the GPUs; on a CPU it uses `first` (`server/sched.go` `defaultParallel`).
    Auto {
        first: u64,
    },
}

/// `OLLAMA_NUM_PARALLEL`'s default: 1 up to 0.1.48, automatic 4/1 from 0.2.0,
/// automatic 2/1 from 0.6.7, 1 from 0.9.7.
pub fn default_parallel(version: OllamaVersion) -> ParallelDefault {
    match version {
        v if v >= PARALLEL_1 => ParallelDefault::Fixed(1),
        v if v >= AUTO_PARALLEL_2 => ParallelDefault::Auto { first: 2 },
        v if v >= AUTO_CONCURRENCY => ParallelDefault::Auto { first: 4 },
        _ => ParallelDefault::Fixed(1),
    }
}

/// `OLLAMA_MAX_LOADED_MODELS`'s default, compared with the number of models loaded
/// in total: 1 up to 0.1.48; from 0.2.0, 3 × the GPUs (3 on a CPU). Up to 0.12.6 a
/// GPU that cannot report free memory reliably (AMD on Windows) makes it 1 × the
/// GPUs (commit 3258a89b6 removed that in 0.12.7).
pub fn default_max_loaded(version: OllamaVersion, gpus: u64, reliable_free_memory: bool) -> u64 {
    if version < AUTO_CONCURRENCY {
        return 1;
    }
    let per_gpu = if reliable_free_memory || version >= v(0, 12, 7) {
        3
    } else {
        1
    };
    per_gpu * gpus.max(1)
}

/// `OLLAMA_KEEP_ALIVE`'s default on every supported version: 5 minutes
/// (`defaultSessionDuration` at v0.1.45, `envconfig.KeepAlive` from v0.3.2).
pub fn default_keep_alive(_version: OllamaVersion) -> Duration {
    Duration::from_secs(5 * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_context_per_era() {
        // api/types.go DefaultOptions NumCtx 2048 (v0.5.4); envconfig 2048 (v0.5.13),
        // 4096 (v0.6.7, 44b466eeb); routes.go Serve tiers (v0.15.5, 0334ffa62).
        assert_eq!(default_context(v(0, 5, 4), 80 * GIB), 2048);
        assert_eq!(default_context(v(0, 6, 6), 0), 2048);
        assert_eq!(default_context(v(0, 6, 7), 80 * GIB), 4096);
        assert_eq!(default_context(v(0, 15, 4), 80 * GIB), 4096);
        let newest = |vram| default_context(OllamaVersion::NEWEST, vram);
        assert_eq!(newest(47 * GIB), 262_144);
        assert_eq!(newest(47 * GIB - 1), 32_768);
        assert_eq!(newest(23 * GIB), 32_768);
        assert_eq!(newest(23 * GIB - 1), 4096);
        assert_eq!(newest(0), 4096);
        // A 24 GB card reports ~23.6 GiB; two of them with a 1 GiB overhead each: 45.2 GiB.
        let card = 25_393_692_672; // 23.65 GiB
        assert_eq!(newest(total_vram(&[card], 0)), 32_768);
        assert_eq!(newest(total_vram(&[card, card], GIB)), 32_768);
        assert_eq!(total_vram(&[GIB], 2 * GIB), 0);
    }

    #[test]
    fn request_context_precedence_and_floors() {
        let ctx = |version, model, env, family, vram| {
            request_context(
                version,
                &ContextSources {
                    model_num_ctx: model,
                    env_context_length: env,
                    family,
                    total_vram: vram,
                },
            )
        };
        assert_eq!(ctx(v(0, 5, 4), None, Some(8192), "llama", 0), 2048); // variable not read yet
        assert_eq!(ctx(v(0, 5, 13), None, Some(8192), "llama", 0), 8192);
        assert_eq!(
            ctx(v(0, 6, 7), Some(16_384), Some(8192), "llama", 0),
            16_384
        );
        assert_eq!(ctx(v(0, 6, 7), None, Some(0), "llama", 0), 4); // GetRunner's minimum
        assert_eq!(
            ctx(OllamaVersion::NEWEST, None, Some(0), "llama", 24 * GIB),
            32_768
        );
        // gpt-oss: 8192 at least on 0.11.0–0.15.4, unless under 20 GiB from 0.11.4.
        assert_eq!(ctx(v(0, 11, 0), Some(2048), None, "gptoss", 0), 8192);
        assert_eq!(ctx(v(0, 11, 4), None, None, "gptoss", 16 * GIB), 4096);
        assert_eq!(ctx(v(0, 11, 4), None, None, "gpt-oss", 20 * GIB), 8192);
        assert_eq!(ctx(v(0, 12, 6), None, None, "qwen3vl", 24 * GIB), 4096);
        assert_eq!(ctx(v(0, 12, 7), None, None, "qwen3vl", 24 * GIB), 8192);
        assert_eq!(ctx(v(0, 15, 5), None, None, "gptoss", 16 * GIB), 4096);
    }

    #[test]
    fn parallel_and_max_loaded_defaults() {
        // envconfig at v0.1.45: NumParallel = 1, MaxRunners = 1; v0.2.0: 0 = auto with
        // sched.go defaultParallel 4 and defaultModelsPerGPU 3; defaultParallel 2 at v0.6.7;
        // NumParallel default 1 at v0.9.7-rc0 (20c3266e9).
        assert_eq!(default_parallel(v(0, 1, 45)), ParallelDefault::Fixed(1));
        assert_eq!(
            default_parallel(v(0, 2, 0)),
            ParallelDefault::Auto { first: 4 }
        );
        assert_eq!(
            default_parallel(v(0, 6, 6)),
            ParallelDefault::Auto { first: 4 }
        );
        assert_eq!(
            default_parallel(v(0, 6, 7)),
            ParallelDefault::Auto { first: 2 }
        );
        assert_eq!(
            default_parallel(v(0, 9, 6)),
            ParallelDefault::Auto { first: 2 }
        );
        assert_eq!(default_parallel(v(0, 9, 7)), ParallelDefault::Fixed(1));
        assert_eq!(
            default_parallel(OllamaVersion::NEWEST),
            ParallelDefault::Fixed(1)
        );
        assert_eq!(default_max_loaded(v(0, 1, 45), 2, true), 1);
        assert_eq!(default_max_loaded(v(0, 5, 4), 0, true), 3);
        assert_eq!(default_max_loaded(v(0, 5, 4), 2, true), 6);
        assert_eq!(default_max_loaded(v(0, 5, 4), 2, false), 2);
        assert_eq!(default_max_loaded(OllamaVersion::NEWEST, 2, false), 6);
        assert_eq!(
            default_keep_alive(OllamaVersion::NEWEST),
            Duration::from_secs(300)
        );
    }
}
