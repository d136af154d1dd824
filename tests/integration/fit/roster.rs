//! Rosters kept loaded together: quantizations chosen for the best total quality
//! within the budget, shares and buffer reported, Ollama server settings derived.
//!
//! Expected picks were found by hand with an exhaustive search over the per-model
//! needs below (GiB, default reserve 1 GiB + 5 %), not from this crate's output.

use super::{GIB, budget};
use provision::estimate::KvCacheType;
use provision::fit::{FitPolicy, ModelRequest, fit_roster};
use provision::quant::Quant;
use provision::tier::Tier;

fn request(name: &str, priority: f64) -> ModelRequest<'static> {
    ModelRequest {
        priority,
        ..super::request(name)
    }
}

fn quants(fit: &provision::fit::RosterFit) -> Vec<Option<Quant>> {
    fit.models.iter().map(|m| m.quantization).collect()
}

/// A 24 GiB GPU (usable 21.8) holding a chat agent, a router and a vision model.
/// Needs on the GPU at num_ctx 4096: llama3.2:3b F16 7.36 / Q8_0 4.45,
/// qwen2.5:0.5b F16 1.75, llava:7b F16 15.49 / Q8_0 9.09 (the 0.58 GiB projector
/// included). All F16 = 24.60 > 21.8. Moving llava (priority 0.5) to Q8_0 costs
/// 0.5 × (0.001355 − 0.000551) of KL divergence, less than moving both others
/// (2 × 0.000804); total 18.19 GiB, 5.81 GiB left free.
#[test]
fn a_24_gib_gpu_moves_the_vision_model_to_q8_0() {
    let budget = budget(64, 8, 24);
    let roster = [
        request("llama3.2:3b", 1.0),
        request("qwen2.5:0.5b", 1.0),
        request("llava:7b", 0.5),
    ];
    let fit = fit_roster(&roster, &budget, Tier::T16, &super::policy(), true);
    assert!(fit.fits, "{}", fit.reason);
    assert_eq!(
        quants(&fit),
        [Some(Quant::F16), Some(Quant::F16), Some(Quant::Q8_0)]
    );
    assert_eq!(
        fit.models[2].tag.as_deref(),
        Some("llava:7b-v1.6-mistral-q8_0")
    );
    assert!(
        fit.models[2]
            .reason
            .starts_with("F16 (15.5 GiB) does not fit alongside the others; Q8_0 (9.1 GiB) does"),
        "{}",
        fit.models[2].reason
    );
    let gib = |bytes: u64| bytes as f64 / GIB as f64;
    assert!(
        (gib(fit.total_bytes) - 18.19).abs() < 0.01,
        "{}",
        gib(fit.total_bytes)
    );
    assert!(
        (gib(fit.buffer_bytes) - 5.81).abs() < 0.01,
        "{}",
        gib(fit.buffer_bytes)
    );
    let shares: f64 = fit.models.iter().map(|m| m.share).sum();
    assert!((shares - fit.total_bytes as f64 / fit.budget_bytes as f64).abs() < 1e-9);
    let f16_llava =
        fit.models[0].estimate.total_bytes + fit.models[1].estimate.total_bytes + 15 * GIB;
    assert!(
        f16_llava > fit.budget_bytes,
        "llava at F16 would break the budget"
    );
}

/// A 512 GiB, 32-core CPU server (usable 485.4) at num_ctx 32768 × 2 slots: a
/// llama3.3:70b judge (priority 1) and three agents (priority 2). Needs (CPU: no
/// GPU minimum, no spare layer): judge F16 159.61 / Q8_0 98.01, qwen2.5:72b F16
/// 163.59, qwen2.5-coder:32b F16 82.18, qwen3:32b F16 85.18. All F16 = 490.56 >
/// 485.4; the cheapest loss is the judge at Q8_0: 428.96 GiB, 83.04 GiB free.
#[test]
fn a_512_gib_server_holds_a_70b_judge_at_q8_0_and_three_agents() {
    let budget = budget(512, 32, 0);
    let policy = FitPolicy {
        num_ctx: 32768,
        num_parallel: 2,
        ..super::policy()
    };
    let roster = [
        request("llama3.3:70b", 1.0),
        request("qwen2.5:72b", 2.0),
        request("qwen2.5-coder:32b", 2.0),
        request("qwen3:32b", 2.0),
    ];
    let fit = fit_roster(&roster, &budget, Tier::T16, &policy, true);
    assert!(fit.fits, "{}", fit.reason);
    assert_eq!(
        quants(&fit),
        [
            Some(Quant::Q8_0),
            Some(Quant::F16),
            Some(Quant::F16),
            Some(Quant::F16)
        ]
    );
    let gib = |bytes: u64| bytes as f64 / GIB as f64;
    assert!(
        (gib(fit.buffer_bytes) - 83.04).abs() < 0.01,
        "{}",
        gib(fit.buffer_bytes)
    );
    assert!(
        fit.models
            .iter()
            .all(|m| m.num_gpu == 0 && m.num_ctx == 32768)
    );
    let server: Vec<(&str, &str)> = fit
        .server
        .iter()
        .map(|s| (s.name, s.value.as_str()))
        .collect();
    assert_eq!(
        server,
        [
            ("OLLAMA_MAX_LOADED_MODELS", "4"),
            ("OLLAMA_KEEP_ALIVE", "-1"),
            ("OLLAMA_NUM_PARALLEL", "2"),
            ("OLLAMA_CONTEXT_LENGTH", "32768"),
        ]
    );
}

#[test]
fn a_roster_that_cannot_fit_says_so_with_both_numbers() {
    let budget = budget(32, 8, 0);
    let roster = [request("llama3.1:70b", 1.0), request("llama3.1:8b", 1.0)];
    let fit = fit_roster(&roster, &budget, Tier::T16, &super::policy(), false);
    assert!(!fit.fits);
    // 70B Q2_K alone needs 26.38 GiB of 29.4; with 8B Q2_K (3.75) the sum is 30.13.
    assert_eq!(
        fit.reason,
        "the roster does not fit: even at the lowest quantizations it needs 30.1 GiB > budget 29.4 GiB"
    );
    assert!(fit.server.iter().all(|s| s.name != "OLLAMA_KEEP_ALIVE"));
}

#[test]
fn a_quantized_kv_cache_shrinks_the_roster_and_turns_flash_attention_on() {
    let budget = budget(16, 8, 0);
    let roster = [request("llama3.1:8b", 1.0), request("llama3.2:3b", 1.0)];
    let f16 = fit_roster(
        &roster,
        &budget,
        Tier::T16,
        &FitPolicy {
            num_ctx: 32768,
            ..super::policy()
        },
        false,
    );
    let policy = FitPolicy {
        num_ctx: 32768,
        kv_cache_type: KvCacheType::Q8_0,
        ..super::policy()
    };
    let q8 = fit_roster(&roster, &budget, Tier::T16, &policy, false);
    assert!(q8.models[0].estimate.kv_cache_bytes * 2 < f16.models[0].estimate.kv_cache_bytes + GIB);
    assert!(q8.quality_loss <= f16.quality_loss);
    assert!(
        q8.server
            .iter()
            .any(|s| s.name == "OLLAMA_FLASH_ATTENTION" && s.value == "1")
    );
}
