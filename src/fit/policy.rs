//! `FitPolicy`: the knobs a profile's `fit:` section sets.

use crate::estimate::KvCacheType;
use crate::ollama::rules::OllamaVersion;
use crate::quant::Quant;
use crate::size::{Binary, ByteSize};
use crate::tier::Tier;
use serde::{Deserialize, Serialize};

const GIB: u64 = 1 << 30;

/// How models are fitted. Every field has a default, so a profile sets only what
/// it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FitPolicy {
    /// Context per request slot to plan for (`num_ctx`); capped at each model's
    /// native context. Default 4096, Ollama's CPU default.
    pub num_ctx: u32,
    /// The smallest context the fit may shrink to. Default 2048.
    pub min_ctx: u32,
    /// Shrink the context (down to `min_ctx`) before going below `quality_floor`.
    pub shrink_context_first: bool,
    /// The quantization below which quality counts as degraded. Default Q4_K_M.
    pub quality_floor: Quant,
    /// Quantizations tried between the canonical tiers. Default Q6_K, Q5_K_M.
    pub intermediate_quants: Vec<Quant>,
    /// Plan a partial GPU offload (`num_gpu` layers) when a model does not fit a GPU.
    pub partial_offload: bool,
    /// Run a model on the CPU (`num_gpu 0`) when the GPU holds no layer of it
    /// and RAM holds all of it.
    pub cpu_fallback: bool,
    /// Parallel request slots per model (`OLLAMA_NUM_PARALLEL`). Default 1.
    pub num_parallel: u32,
    /// KV cache element type (`OLLAMA_KV_CACHE_TYPE`); not f16 needs flash attention.
    pub kv_cache_type: KvCacheType,
    /// Memory kept free for the OS and other work. Set by the profile's top-level
    /// `reserve:` (one place in the YAML), not inside `fit:`.
    #[serde(skip)]
    pub reserve: Reserve,
    /// The Ollama version models are planned for: its memory rule sizes them. Set
    /// by the planner from the server it talks to (the newest without one).
    #[serde(skip)]
    pub ollama: OllamaVersion,
    /// The bandwidths and cores speeds are predicted from; none when speeds
    /// were not asked for. Set by the planner from the probe.
    #[serde(skip)]
    pub machine: Option<crate::speed::Machine>,
}

/// Memory kept free for the OS and other work: `absolute` plus `fraction` of the
/// memory. Default 1 GiB + 5 %.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserve {
    #[serde(default)]
    pub absolute: ByteSize,
    #[serde(default)]
    pub fraction: f64,
}

impl Default for Reserve {
    fn default() -> Self {
        Reserve {
            absolute: ByteSize(GIB),
            fraction: 0.05,
        }
    }
}

impl Reserve {
    /// `2.2 GiB (2.0 GiB + 10 %)`: the bytes the reserve asks for out of `memory`
    /// (before it is capped at `memory`), and how they are made up.
    pub fn describe(&self, memory: u64) -> String {
        let share = (memory as f64 * self.fraction.clamp(0.0, 1.0)) as u64;
        format!(
            "{} ({} + {} %)",
            Binary(self.absolute.0.saturating_add(share)),
            Binary(self.absolute.0),
            self.fraction * 100.0
        )
    }

    /// Bytes kept free out of `memory` (never more than `memory`).
    pub fn bytes(&self, memory: u64) -> u64 {
        let share = (memory as f64 * self.fraction.clamp(0.0, 1.0)) as u64;
        self.absolute.0.saturating_add(share).min(memory)
    }
}

impl Default for FitPolicy {
    fn default() -> Self {
        FitPolicy {
            num_ctx: 4096,
            min_ctx: 2048,
            shrink_context_first: true,
            quality_floor: Quant::Q4KM,
            intermediate_quants: vec![Quant::Q6K, Quant::Q5KM],
            partial_offload: true,
            cpu_fallback: true,
            num_parallel: 1,
            kv_cache_type: KvCacheType::F16,
            reserve: Reserve::default(),
            ollama: OllamaVersion::NEWEST,
            machine: None,
        }
    }
}

impl FitPolicy {
    /// The memory models may use out of `memory`: minus the reserve.
    pub fn usable(&self, memory: u64) -> u64 {
        memory - self.reserve.bytes(memory)
    }

    /// The context a model is planned at: what its parameters ask for (`asked`),
    /// else the policy's `num_ctx`, never more than its native context.
    pub fn requested_ctx(&self, asked: Option<u32>, native: u32) -> u32 {
        asked.unwrap_or(self.num_ctx).min(native)
    }

    /// Checks values serde cannot: the context floor within the context, at least
    /// one slot, a reserve fraction below 1.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.num_ctx < 256 {
            anyhow::bail!("fit.num_ctx must be at least 256, not {}", self.num_ctx);
        }
        if self.min_ctx > self.num_ctx {
            anyhow::bail!(
                "fit.min_ctx ({}) must not exceed fit.num_ctx ({})",
                self.min_ctx,
                self.num_ctx
            );
        }
        // llama.cpp holds at most 64 sequences (`LLAMA_MAX_SEQ` in
        // llama/llama.cpp/src/llama-cparams.h, ollama/ollama at v0.12.0).
        if !(1..=64).contains(&self.num_parallel) {
            anyhow::bail!(
                "fit.num_parallel must be from 1 to 64 (llama.cpp's most sequences), not {}",
                self.num_parallel
            );
        }
        if !(0.0..1.0).contains(&self.reserve.fraction) {
            anyhow::bail!(
                "reserve.fraction must be at least 0 and below 1, not {}",
                self.reserve.fraction
            );
        }
        Ok(())
    }

    /// The quantizations worth trying, highest first: those published, no more
    /// precise than the tier allows, and either canonical or allowed intermediates;
    /// every such published level when none is on that ladder.
    pub fn candidates(&self, published: impl Iterator<Item = Quant>, tier: Tier) -> Vec<Quant> {
        let ceiling = tier.quant();
        let canonical = [
            Quant::F16,
            Quant::BF16,
            Quant::Q8_0,
            Quant::Q4KM,
            Quant::Q2K,
        ];
        let allowed: Vec<Quant> = published
            .filter(|q| *q <= ceiling || (tier == Tier::T16 && q.is_float() && *q != Quant::F32))
            .collect();
        let on_ladder = |q: &Quant| canonical.contains(q) || self.intermediate_quants.contains(q);
        let mut quants: Vec<Quant> = allowed.iter().copied().filter(on_ladder).collect();
        // A model published only off the ladder (gpt-oss in MXFP4, a QAT Q4_0)
        // is planned at the levels it has.
        if quants.is_empty() {
            quants = allowed;
        }
        quants.sort_by(|a, b| b.cmp(a));
        quants
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fit_section_reads_sizes_and_rejects_unknown_keys() {
        let policy: FitPolicy =
            serde_yaml::from_str("num_ctx: 8192\nkv_cache_type: q8_0\n").unwrap();
        assert_eq!(policy.num_ctx, 8192);
        assert!(serde_yaml::from_str::<FitPolicy>("reserve: 2GiB\n").is_err());
        assert_eq!(policy.kv_cache_type, KvCacheType::Q8_0);
        assert_eq!(policy.min_ctx, 2048, "unset fields keep their defaults");
        assert!(serde_yaml::from_str::<FitPolicy>("num_ctxx: 1\n").is_err());
    }

    #[test]
    fn validation_names_the_bad_key() {
        assert!(FitPolicy::default().validate().is_ok());
        let bad = [
            FitPolicy {
                min_ctx: 8192,
                ..FitPolicy::default()
            },
            FitPolicy {
                num_parallel: 0,
                ..FitPolicy::default()
            },
            FitPolicy {
                reserve: Reserve {
                    fraction: 1.5,
                    ..Reserve::default()
                },
                ..FitPolicy::default()
            },
            FitPolicy {
                num_ctx: 0,
                ..FitPolicy::default()
            },
        ];
        for (policy, key) in bad.iter().zip([
            "fit.min_ctx",
            "fit.num_parallel",
            "reserve.fraction",
            "fit.num_ctx",
        ]) {
            let error = policy.validate().unwrap_err().to_string();
            assert!(error.starts_with(key), "{error}");
        }
    }

    #[test]
    fn a_model_published_only_off_the_ladder_is_planned_at_what_it_has() {
        let policy = FitPolicy::default();
        // gpt-oss: MXFP4 only.
        let mxfp4 = policy.candidates([Quant::MXFP4].into_iter(), Tier::T8);
        assert_eq!(mxfp4, [Quant::MXFP4]);
        // gemma3 with its QAT Q4_0 beside Q4_K_M: the ladder's Q4_K_M only.
        let qat = policy.candidates([Quant::Q4KM, Quant::Q4_0].into_iter(), Tier::T4);
        assert_eq!(qat, [Quant::Q4KM]);
    }

    #[test]
    fn usable_memory_subtracts_both_reserves() {
        let policy = FitPolicy::default();
        // 16 GiB − 1 GiB − 5 % (0.8 GiB) = 14.2 GiB.
        assert_eq!(policy.usable(16 * GIB), 16 * GIB - GIB - 16 * GIB / 20);
        assert_eq!(policy.usable(GIB / 2), 0);
    }

    #[test]
    fn candidates_stop_at_the_tier_and_skip_unlisted_quants() {
        let all = || Quant::all();
        let policy = FitPolicy::default();
        assert_eq!(
            policy.candidates(all(), Tier::T8),
            [
                Quant::Q8_0,
                Quant::Q6K,
                Quant::Q5KM,
                Quant::Q4KM,
                Quant::Q2K
            ]
        );
        assert_eq!(
            policy.candidates(all(), Tier::T16)[..2],
            [Quant::F16, Quant::BF16]
        );
        let new_family = [Quant::F16, Quant::Q8_0, Quant::Q4KM].into_iter();
        assert_eq!(policy.candidates(new_family, Tier::T4), [Quant::Q4KM]);
    }
}
