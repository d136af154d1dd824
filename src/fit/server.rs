//! The Ollama server settings a roster needs, using only variables the server reads.

use super::FitPolicy;
use crate::estimate::KvCacheType;
use serde::Serialize;

/// One environment variable for `ollama serve` and why it is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerSetting {
    pub name: &'static str,
    pub value: String,
    pub reason: String,
}

/// `OLLAMA_MAX_LOADED_MODELS` (≥ roster size), `OLLAMA_KEEP_ALIVE=-1` for rosters
/// that stay hot, `OLLAMA_NUM_PARALLEL`, `OLLAMA_CONTEXT_LENGTH`, and
/// `OLLAMA_KV_CACHE_TYPE` with `OLLAMA_FLASH_ATTENTION` (a quantized KV cache is
/// used only with flash attention on).
///
/// `num_ctx` is the largest context the models were planned at. The variables
/// that keep models loaded together are set only for rosters that stay hot.
/// Which of them the planned-for Ollama reads is `server_env::Desired`'s call.
pub fn server_settings(
    models: usize,
    policy: &FitPolicy,
    always_hot: bool,
    num_ctx: u32,
) -> Vec<ServerSetting> {
    let set = |name, value: String, reason: String| ServerSetting {
        name,
        value,
        reason,
    };
    let mut settings = Vec::new();
    if always_hot {
        settings.push(set(
            "OLLAMA_MAX_LOADED_MODELS",
            models.max(1).to_string(),
            format!("keep all {models} roster models loaded at once"),
        ));
        settings.push(set(
            "OLLAMA_KEEP_ALIVE",
            "-1".into(),
            "never unload the roster".into(),
        ));
    }
    settings.push(set(
        "OLLAMA_NUM_PARALLEL",
        policy.num_parallel.max(1).to_string(),
        "request slots per model; the KV cache scales with them".into(),
    ));
    settings.push(set(
        "OLLAMA_CONTEXT_LENGTH",
        num_ctx.to_string(),
        "default context for requests without num_ctx; the largest one planned".into(),
    ));
    if policy.kv_cache_type != KvCacheType::F16 {
        let kind = policy.kv_cache_type.name();
        settings.push(set(
            "OLLAMA_FLASH_ATTENTION",
            "1".into(),
            format!("required for a {kind} KV cache"),
        ));
        settings.push(set(
            "OLLAMA_KV_CACHE_TYPE",
            kind.into(),
            format!("{kind} KV cache, as sized"),
        ));
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(settings: &[ServerSetting]) -> Vec<(&str, &str)> {
        settings
            .iter()
            .map(|s| (s.name, s.value.as_str()))
            .collect()
    }

    #[test]
    fn default_policy_sets_only_real_variables() {
        let settings = server_settings(4, &FitPolicy::default(), true, 4096);
        assert_eq!(
            names(&settings),
            [
                ("OLLAMA_MAX_LOADED_MODELS", "4"),
                ("OLLAMA_KEEP_ALIVE", "-1"),
                ("OLLAMA_NUM_PARALLEL", "1"),
                ("OLLAMA_CONTEXT_LENGTH", "4096"),
            ]
        );
        assert!(
            settings.iter().all(|s| s.name != "OLLAMA_NUM_CTX"),
            "not an Ollama variable"
        );
    }

    #[test]
    fn quantized_kv_cache_turns_flash_attention_on() {
        let policy = FitPolicy {
            kv_cache_type: KvCacheType::Q8_0,
            num_parallel: 2,
            ..FitPolicy::default()
        };
        let settings = server_settings(2, &policy, false, 4096);
        assert_eq!(
            names(&settings),
            [
                ("OLLAMA_NUM_PARALLEL", "2"),
                ("OLLAMA_CONTEXT_LENGTH", "4096"),
                ("OLLAMA_FLASH_ATTENTION", "1"),
                ("OLLAMA_KV_CACHE_TYPE", "q8_0"),
            ]
        );
    }
}
