//! Which memory rule an Ollama version loads models by, and the context its KV
//! cache is sized for.
//!
//! * Classic (≤ 0.11.10, and llama.cpp-engine models to 0.24): `llm/memory.go`
//!   `EstimateGPULayers` over `GraphSize`'s KV and graph ([`super::classic`]). Up to
//!   0.9.2 the KV is sized for the requested `num_ctx × parallel` even past the
//!   model's `n_ctx_train`: `server/sched.go` sets `NumCtx = origNumCtx × numParallel`
//!   and `llm/server.go` passes it to the estimate and to `--ctx-size` unchecked (both
//!   at v0.5.4). From 0.9.3 `NewLlamaServer` caps it (commit 10a8e04a8, "avoid
//!   context overflow").
//! * Measured (Ollama-engine models: opt-in with `OLLAMA_NEW_ESTIMATES` from 0.11.5,
//!   `llm/server.go` `newEstimates := textProcessor != nil && envconfig.NewMemoryEstimates()`;
//!   default from 0.11.11): the runner allocates the real buffers and reports them
//!   (`ml.BackendMemory`); the KV cache is `kvcache/causal.go` `Init`. From 0.12.11
//!   (commit f560bd077) llama.cpp-engine models use the same layouts, with the KV and
//!   graph still taken from `GraphSize`.
//! * Llama-server (≥ 0.30.0, commit 9db4bdbad): admission by `PredictServerVRAM`
//!   ([`super::llama_server`]), then llama-server fits layers itself.

use super::version::{OllamaVersion, v};

const CONTEXT_CAPPED: OllamaVersion = v(0, 9, 3);
const NEW_ESTIMATES_OPT_IN: OllamaVersion = v(0, 11, 5);
const NEW_ESTIMATES_DEFAULT: OllamaVersion = v(0, 11, 11);
const LLAMA_SERVER: OllamaVersion = v(0, 30, 0);

/// Whether the architecture runs on Ollama's own engine rather than the llama.cpp
/// runner (`fs/ggml/ggml.go` `OllamaEngineRequired` at v0.12.10): its memory is
/// measured from 0.11.11 on.
pub fn ollama_engine_required(architecture: &str) -> bool {
    [
        "gemma3",
        "gemma3n",
        "gptoss",
        "gpt-oss",
        "llama4",
        "mistral3",
        "mllama",
        "qwen25vl",
        "qwen3",
        "qwen3moe",
        "qwen3vl",
        "qwen3vlmoe",
    ]
    .contains(&architecture)
}

/// How a version sizes a model before loading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryRule {
    /// `EstimateGPULayers`; `capped` is whether the KV context is capped at `n_ctx_train`.
    Classic { capped: bool },
    /// The runner's measured allocations (Ollama engine).
    Measured,
    /// `PredictServerVRAM` for admission, llama-server's `--fit` for placement.
    LlamaServer,
}

impl MemoryRule {
    /// The rule for a model on this version. `ollama_engine` is whether the model
    /// runs on Ollama's own engine (new architectures such as gemma3, llama4, qwen3;
    /// `f.KV().OllamaEngineRequired()` or `OLLAMA_NEW_ENGINE`) rather than the
    /// llama.cpp runner; `new_estimates` is whether `OLLAMA_NEW_ESTIMATES` is set.
    pub fn for_model(
        version: OllamaVersion,
        ollama_engine: bool,
        new_estimates: bool,
    ) -> MemoryRule {
        if version >= LLAMA_SERVER {
            return MemoryRule::LlamaServer;
        }
        let measured = ollama_engine
            && (version >= NEW_ESTIMATES_DEFAULT
                || (version >= NEW_ESTIMATES_OPT_IN && new_estimates));
        if measured {
            return MemoryRule::Measured;
        }
        MemoryRule::Classic {
            capped: version >= CONTEXT_CAPPED,
        }
    }

    /// Cells the KV cache is sized for (all slots together): `num_ctx × parallel`,
    /// with `num_ctx` first capped at `n_ctx_train` (when the GGUF states one) except
    /// by the uncapped classic estimator. Saturates instead of overflowing.
    pub fn kv_context(self, num_ctx: u64, n_ctx_train: u64, parallel: u64) -> u64 {
        let per_slot = match self {
            MemoryRule::Classic { capped: false } => num_ctx,
            _ if n_ctx_train > 0 => num_ctx.min(n_ctx_train),
            _ => num_ctx,
        };
        per_slot.saturating_mul(parallel.max(1))
    }
}

/// The cells the Ollama engine's causal cache allocates for a layer
/// (`kvcache/causal.go` `Init` at v0.12.11): `parallel × capacity` for full
/// attention, `parallel × window (+1 when parallel > 1) + batch` for a
/// sliding-window layer whose window is shorter, rounded up to the backend's padding
/// (`ml/backend/ggml/ggml.go` `CacheConfig`: 256 with flash attention, else 32).
pub fn measured_cache_cells(
    capacity: u64,
    parallel: u64,
    window: Option<u64>,
    batch: u64,
    flash_attention: bool,
) -> u64 {
    let parallel = parallel.max(1);
    let memory = window.map(|w| if parallel > 1 { w.saturating_add(1) } else { w });
    let cells = match memory {
        Some(memory) if memory < capacity => parallel.saturating_mul(memory).saturating_add(batch),
        _ => parallel.saturating_mul(capacity),
    };
    let padding = if flash_attention { 256 } else { 32 };
    cells.div_ceil(padding).saturating_mul(padding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_rule_per_era() {
        let rule = MemoryRule::for_model;
        // server/sched.go + llm/server.go at v0.5.4: no cap; 10a8e04a8 (v0.9.3) adds it.
        assert_eq!(
            rule(v(0, 5, 4), false, false),
            MemoryRule::Classic { capped: false }
        );
        assert_eq!(
            rule(v(0, 9, 2), true, true),
            MemoryRule::Classic { capped: false }
        );
        assert_eq!(
            rule(v(0, 9, 3), false, false),
            MemoryRule::Classic { capped: true }
        );
        // llm/server.go at v0.11.5: new estimates only for the Ollama engine, only when asked.
        assert_eq!(
            rule(v(0, 11, 5), true, false),
            MemoryRule::Classic { capped: true }
        );
        assert_eq!(rule(v(0, 11, 5), true, true), MemoryRule::Measured);
        assert_eq!(
            rule(v(0, 11, 10), false, true),
            MemoryRule::Classic { capped: true }
        );
        // v0.11.11: the default for Ollama-engine models; llama.cpp models stay classic.
        assert_eq!(rule(v(0, 11, 11), true, false), MemoryRule::Measured);
        assert_eq!(
            rule(v(0, 24, 0), false, false),
            MemoryRule::Classic { capped: true }
        );
        // 9db4bdbad (v0.30.0): every GGUF model runs in llama-server.
        assert_eq!(rule(v(0, 30, 0), false, false), MemoryRule::LlamaServer);
        assert_eq!(
            rule(OllamaVersion::NEWEST, true, true),
            MemoryRule::LlamaServer
        );
    }

    #[test]
    fn only_the_old_classic_estimator_sizes_past_the_native_context() {
        // qwen2.5-coder:32b: n_ctx_train 32768, asked for 131072 with one slot.
        let uncapped = MemoryRule::Classic { capped: false };
        assert_eq!(uncapped.kv_context(131_072, 32_768, 1), 131_072);
        assert_eq!(uncapped.kv_context(8192, 32_768, 4), 32_768);
        for rule in [
            MemoryRule::Classic { capped: true },
            MemoryRule::Measured,
            MemoryRule::LlamaServer,
        ] {
            assert_eq!(rule.kv_context(131_072, 32_768, 1), 32_768, "{rule:?}");
            // The cap is per slot (llm/server.go at v0.9.3: NumCtx/numParallel > trainCtx).
            assert_eq!(rule.kv_context(131_072, 32_768, 2), 65_536, "{rule:?}");
            // A GGUF without context_length is not capped (`trainCtx > 0`).
            assert_eq!(rule.kv_context(4096, 0, 1), 4096, "{rule:?}");
        }
        assert_eq!(uncapped.kv_context(u64::MAX, 0, 4), u64::MAX);
    }

    #[test]
    fn measured_cache_cells_follow_causal_init() {
        // Full attention: 4096 × 1, already a multiple of 256.
        assert_eq!(measured_cache_cells(4096, 1, None, 512, true), 4096);
        // 1000 cells round up to 1024 with flash attention, 1024 (32 × 32) without.
        assert_eq!(measured_cache_cells(1000, 1, None, 512, true), 1024);
        assert_eq!(measured_cache_cells(1000, 1, None, 512, false), 1024);
        assert_eq!(measured_cache_cells(1001, 1, None, 512, false), 1024);
        assert_eq!(measured_cache_cells(1025, 1, None, 512, false), 1056);
        // gemma3's 1024-token window at 8192 × 2 slots: 2 × 1025 + 512 = 2562 → 2816.
        assert_eq!(measured_cache_cells(8192, 2, Some(1024), 512, true), 2816);
        // A window as long as the context holds the whole context.
        assert_eq!(measured_cache_cells(1024, 1, Some(1024), 512, true), 1024);
    }
}
