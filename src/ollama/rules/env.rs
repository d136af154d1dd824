//! The server variables each version reads (`envconfig/config.go` across tags), and
//! what `OLLAMA_KV_CACHE_TYPE` and `OLLAMA_FLASH_ATTENTION` do per version.

use super::version::{OllamaVersion, v};

const LLAMA_SERVER: OllamaVersion = v(0, 30, 0);

/// `(name, first version that reads it, first version that no longer does)`, from
/// the `OLLAMA_*` names in `envconfig/config.go` at each tag from v0.1.45 to
/// v0.33.0-rc2. `OLLAMA_MAX_VRAM` left the file in v0.2.8 and came back in v0.3.2;
/// it is listed by its last stretch only, since no version ever acted on it.
const VARIABLES: [(&str, OllamaVersion, Option<OllamaVersion>); 35] = [
    ("OLLAMA_DEBUG", v(0, 1, 45), None),
    ("OLLAMA_FLASH_ATTENTION", v(0, 1, 45), None),
    ("OLLAMA_HOST", v(0, 1, 45), None),
    ("OLLAMA_KEEP_ALIVE", v(0, 1, 45), None),
    ("OLLAMA_LLM_LIBRARY", v(0, 1, 45), None),
    ("OLLAMA_MAX_LOADED_MODELS", v(0, 1, 45), None),
    ("OLLAMA_MAX_QUEUE", v(0, 1, 45), None),
    ("OLLAMA_MODELS", v(0, 1, 45), None),
    ("OLLAMA_NOHISTORY", v(0, 1, 45), None),
    ("OLLAMA_NOPRUNE", v(0, 1, 45), None),
    ("OLLAMA_NUM_PARALLEL", v(0, 1, 45), None),
    ("OLLAMA_ORIGINS", v(0, 1, 45), None),
    ("OLLAMA_SCHED_SPREAD", v(0, 1, 45), None),
    ("OLLAMA_INTEL_GPU", v(0, 1, 45), Some(v(0, 12, 11))),
    ("OLLAMA_RUNNERS_DIR", v(0, 1, 45), Some(v(0, 3, 11))),
    ("OLLAMA_TMPDIR", v(0, 1, 45), Some(v(0, 5, 2))),
    ("OLLAMA_MAX_VRAM", v(0, 3, 2), Some(v(0, 7, 0))),
    ("OLLAMA_GPU_OVERHEAD", v(0, 3, 10), None),
    ("OLLAMA_LOAD_TIMEOUT", v(0, 3, 10), None),
    ("OLLAMA_MULTIUSER_CACHE", v(0, 3, 13), Some(v(0, 30, 0))),
    ("OLLAMA_KV_CACHE_TYPE", v(0, 5, 0), None),
    ("OLLAMA_NEW_ENGINE", v(0, 5, 12), Some(v(0, 30, 0))),
    ("OLLAMA_CONTEXT_LENGTH", v(0, 5, 13), None),
    ("OLLAMA_AUTH", v(0, 8, 0), None),
    ("OLLAMA_NEW_ESTIMATES", v(0, 11, 5), Some(v(0, 11, 11))),
    ("OLLAMA_REMOTES", v(0, 12, 0), None),
    ("OLLAMA_VULKAN", v(0, 12, 11), None),
    ("OLLAMA_EDITOR", v(0, 16, 0), None),
    ("OLLAMA_NO_CLOUD", v(0, 16, 2), None),
    ("OLLAMA_DEBUG_LOG_REQUESTS", v(0, 18, 3), None),
    ("OLLAMA_MAX_TRANSFER_STREAMS", v(0, 23, 3), None),
    ("OLLAMA_GO_TEMPLATE", v(0, 30, 0), None),
    ("OLLAMA_IGPU_ENABLE", v(0, 30, 0), None),
    // Read by llama-server itself, which Ollama starts from 0.30.0 on.
    ("LLAMA_ARG_FIT", v(0, 30, 0), None),
    ("LLAMA_ARG_FIT_TARGET", v(0, 30, 0), None),
];

/// Whether this version's server reads `name`.
pub fn reads(version: OllamaVersion, name: &str) -> bool {
    VARIABLES
        .iter()
        .any(|&(n, from, until)| n == name && version >= from && until.is_none_or(|u| version < u))
}

/// Why `provision` must not recommend `name` to this version, or Ok when it may.
pub fn check_variable(version: OllamaVersion, name: &str) -> Result<(), String> {
    if reads(version, name) {
        return Ok(());
    }
    match VARIABLES.iter().find(|(n, ..)| *n == name) {
        Some((_, from, _)) if version < *from => Err(format!(
            "{name} is not read by Ollama {version} (it arrived in {from})"
        )),
        Some((_, _, Some(until))) => Err(format!(
            "{name} was removed in Ollama {until}; {version} ignores it"
        )),
        _ => Err(format!("{name} is not an Ollama server variable")),
    }
}

/// How a version treats `OLLAMA_KV_CACHE_TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvCacheRule {
    /// Before 0.5.0: the variable does not exist; the cache is f16.
    F16Only,
    /// 0.5.0–0.24: f16, q8_0 or q4_0 (`SupportsKVCacheType`), and a quantized type
    /// is used only while flash attention is on; otherwise the runner logs "quantized
    /// kv cache requested but flash attention disabled" and keeps f16
    /// (`llm/server.go` at v0.12.4).
    NeedsFlashAttention,
    /// From 0.30.0: passed to llama-server as `--cache-type-k/-v` unchecked
    /// (`llm/llama_server.go`); the memory prediction still assumes f16.
    PassedToLlamaServer,
}

/// The cache types `provision` may recommend: the three `SupportsKVCacheType` lists.
pub const KV_CACHE_TYPES: [&str; 3] = ["f16", "q8_0", "q4_0"];

/// [`KvCacheRule`] for a version.
pub fn kv_cache_rule(version: OllamaVersion) -> KvCacheRule {
    if version >= LLAMA_SERVER {
        KvCacheRule::PassedToLlamaServer
    } else if version >= v(0, 5, 0) {
        KvCacheRule::NeedsFlashAttention
    } else {
        KvCacheRule::F16Only
    }
}

/// What flash attention does when `OLLAMA_FLASH_ATTENTION` is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashAttentionDefault {
    /// Off (`envconfig.FlashAttention` is a plain Bool), before 0.11.8.
    Off,
    /// On for the architectures `GGML.FlashAttention()` lists (gpt-oss and qwen3
    /// at v0.12.4, more later), when the GPUs support it (0.11.8–0.24).
    PerModel,
    /// llama-server's `--flash-attn auto` on supporting GPUs (from 0.30.0).
    Auto,
}

/// [`FlashAttentionDefault`] for a version (commit 85ccf7354 in v0.11.8 turned it on
/// for models that want it; v0.12.4 let `OLLAMA_FLASH_ATTENTION=0` turn it off).
pub fn flash_attention_default(version: OllamaVersion) -> FlashAttentionDefault {
    if version >= LLAMA_SERVER {
        FlashAttentionDefault::Auto
    } else if version >= v(0, 11, 8) {
        FlashAttentionDefault::PerModel
    } else {
        FlashAttentionDefault::Off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_variables_are_never_recommended() {
        // envconfig/config.go: OLLAMA_NEW_ENGINE v0.5.12..v0.24.0, OLLAMA_MULTIUSER_CACHE
        // v0.3.13..v0.24.0 (both gone at v0.30.0), OLLAMA_NEW_ESTIMATES only v0.11.5..v0.11.10,
        // OLLAMA_INTEL_GPU gone at v0.12.11, OLLAMA_TMPDIR at v0.5.2.
        let newest = OllamaVersion::NEWEST;
        for gone in [
            "OLLAMA_NEW_ENGINE",
            "OLLAMA_MULTIUSER_CACHE",
            "OLLAMA_INTEL_GPU",
            "OLLAMA_TMPDIR",
            "OLLAMA_MAX_VRAM",
            "OLLAMA_NEW_ESTIMATES",
            "OLLAMA_RUNNERS_DIR",
        ] {
            assert!(!reads(newest, gone), "{gone}");
            assert!(
                check_variable(newest, gone)
                    .unwrap_err()
                    .contains("was removed in Ollama"),
                "{gone}"
            );
        }
        assert!(reads(v(0, 24, 0), "OLLAMA_NEW_ENGINE"));
        assert!(reads(v(0, 11, 10), "OLLAMA_NEW_ESTIMATES"));
        assert!(!reads(v(0, 11, 11), "OLLAMA_NEW_ESTIMATES"));
        assert!(reads(v(0, 5, 1), "OLLAMA_TMPDIR"));
    }

    #[test]
    fn new_variables_are_not_recommended_to_older_servers() {
        // OLLAMA_CONTEXT_LENGTH first appears in envconfig/config.go at v0.5.13,
        // OLLAMA_KV_CACHE_TYPE at v0.5.0, OLLAMA_VULKAN at v0.12.11.
        assert_eq!(
            check_variable(v(0, 5, 4), "OLLAMA_CONTEXT_LENGTH"),
            Err("OLLAMA_CONTEXT_LENGTH is not read by Ollama 0.5.4 (it arrived in 0.5.13)".into())
        );
        assert!(reads(v(0, 5, 13), "OLLAMA_CONTEXT_LENGTH"));
        assert!(!reads(v(0, 4, 7), "OLLAMA_KV_CACHE_TYPE"));
        assert!(reads(v(0, 12, 11), "OLLAMA_VULKAN"));
        assert!(reads(v(0, 1, 45), "OLLAMA_KEEP_ALIVE"));
        assert!(reads(newest(), "LLAMA_ARG_FIT_TARGET"));
        assert!(!reads(v(0, 24, 0), "LLAMA_ARG_FIT"));
        assert_eq!(
            check_variable(newest(), "OLLAMA_GPU"),
            Err("OLLAMA_GPU is not an Ollama server variable".into())
        );
    }

    fn newest() -> OllamaVersion {
        OllamaVersion::NEWEST
    }

    #[test]
    fn kv_cache_and_flash_attention_per_era() {
        assert_eq!(kv_cache_rule(v(0, 4, 7)), KvCacheRule::F16Only);
        assert_eq!(kv_cache_rule(v(0, 5, 0)), KvCacheRule::NeedsFlashAttention);
        assert_eq!(kv_cache_rule(v(0, 24, 0)), KvCacheRule::NeedsFlashAttention);
        assert_eq!(kv_cache_rule(v(0, 30, 0)), KvCacheRule::PassedToLlamaServer);
        assert_eq!(
            flash_attention_default(v(0, 11, 7)),
            FlashAttentionDefault::Off
        );
        assert_eq!(
            flash_attention_default(v(0, 11, 8)),
            FlashAttentionDefault::PerModel
        );
        assert_eq!(
            flash_attention_default(newest()),
            FlashAttentionDefault::Auto
        );
    }
}
