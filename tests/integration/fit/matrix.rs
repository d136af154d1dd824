//! The device matrix: RAM × cores × GPU for llama3.1:8b, llama3.2:3b and
//! llama3.1:70b under the default fit policy (num_ctx 4096, reserve 1 GiB + 5 %,
//! quality floor Q4_K_M, intermediates Q6_K and Q5_K_M, partial offload allowed).
//!
//! The expectations were worked out by hand from the reference figures, not from
//! this crate's output. Usable budget = memory − 1 GiB − 5 %: 8 GiB → 6.6,
//! 16 → 14.2, 24 → 21.8, 32 → 29.4, 64 → 59.8, 128 → 120.6, 512 → 485.4 GiB.
//! Needs at num_ctx 4096, for an Ollama of the classic estimator (`super::policy`):
//! on a GPU weights + KV + graph + 457 MiB + one spare layer; on a CPU weights + KV
//! + graph (no GPU minimum, no spare layer: `llm/memory.go` at v0.12.10):
//!
//! | model | F16 | Q8_0 | Q6_K | Q5_K_M | Q4_K_M | Q2_K |
//! |---|---|---|---|---|---|---|
//! | 8B on CPU (whole file) | 15.75 | 8.74 | 6.93 | 6.13 | 5.37 | 3.75 |
//! | 8B on GPU (token_embd stays in RAM) | 15.64 | 8.90 | 7.16 | 6.40 | 5.68 | 4.13 |
//! | 3B on CPU (tied embeddings) | 6.68 | 3.87 | 3.15 | 2.85 | 2.57 | 1.96 |
//! | 3B on GPU | 7.36 | 4.45 | 3.70 | 3.39 | 3.10 | 2.47 |
//! | 70B on CPU | 133.25 | 71.65 | 55.73 | 48.34 | 41.42 | 26.38 |
//! | 70B on GPU | 133.35 | 71.92 | 56.05 | 48.69 | 41.81 | 26.82 |
//!
//! e.g. 8B F16 on CPU: 16,068,895,872 B file (14.97 GiB) + KV 2·32·8·128·4096·2 B
//! (0.50) + graph 4·512·(1 + 4·4096 + 4096·33) B (0.29) = 15.75 GiB; on a GPU the
//! token_embd (0.98 GiB) stays in RAM, and 457 MiB (0.45) and one layer ((file −
//! output 0.98 GiB − token_embd 0.98 GiB)/32 + KV/32 ≈ 0.42) are added.
//! Tier (default thresholds): CPU needs ≥ 8 GiB and 8 cores for 16-bit, ≥ 4 GiB and
//! 4 cores for 8-bit, ≥ 2 GiB for 4-bit; any GPU of ≥ 8 GiB is 16-bit.
//! Cells: `Q` = fits at num_ctx 4096 on the budget device; `Q/n` = partial offload
//! with n layers on the GPU (GPU room = usable − 457 MiB − graph, divided by one
//! layer; the rest must fit usable RAM); `-` = does not fit. For instance 3B on
//! 4 GiB RAM (usable 2.8): Q5_K_M needs 2.85, Q4_K_M 2.57 fits; 8B on 8 GiB RAM
//! (usable 6.6): Q6_K needs 6.93, Q5_K_M 6.13 fits; 70B with an 8 GiB GPU and 64 GiB
//! RAM: Q6_K layers are 0.69 GiB, (6.6 − 0.45 − 0.57)/0.69 → 8 on the GPU, leaving
//! 56.85 − 8 × 0.69 ≈ 51.3 GiB ≤ 59.8 in RAM, while Q8_0 would leave 67.8 GiB.

use super::{GIB, budget, cpu, request};
use provision::fit::{Budget, FitPolicy, ModelFit, ModelRequest, Run, fit_model};
use provision::quant::Quant;
use provision::tier::{BudgetSource, Thresholds, TierInput, decide};
const RAMS: [u64; 9] = [2, 4, 8, 16, 24, 32, 64, 128, 512];
const CORES: [u32; 4] = [2, 4, 8, 32];

type Table = [(&'static str, u64, [[&'static str; 4]; 9]); 12];

const MATRIX: Table = [
    // llama3.1:8b, GPU none
    (
        "llama3.1:8b",
        0,
        [
            ["-", "-", "-", "-"],                     // 2 GiB RAM
            ["-", "-", "-", "-"],                     // 4 GiB RAM
            ["Q4_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 8 GiB RAM (2 cores: tier 4)
            ["Q4_K_M", "Q8_0", "Q8_0", "Q8_0"],       // 16 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 24 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 32 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 64 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 128 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 512 GiB RAM
        ],
    ),
    // llama3.1:8b, GPU 8 (8 GiB)
    (
        "llama3.1:8b",
        8,
        [
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 2 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 4 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 8 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 16 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 24 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 32 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 64 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 128 GiB RAM
            ["Q5_K_M", "Q5_K_M", "Q5_K_M", "Q5_K_M"], // 512 GiB RAM
        ],
    ),
    // llama3.1:8b, GPU 24 (24 GiB)
    (
        "llama3.1:8b",
        24,
        [
            ["F16", "F16", "F16", "F16"], // 2 GiB RAM
            ["F16", "F16", "F16", "F16"], // 4 GiB RAM
            ["F16", "F16", "F16", "F16"], // 8 GiB RAM
            ["F16", "F16", "F16", "F16"], // 16 GiB RAM
            ["F16", "F16", "F16", "F16"], // 24 GiB RAM
            ["F16", "F16", "F16", "F16"], // 32 GiB RAM
            ["F16", "F16", "F16", "F16"], // 64 GiB RAM
            ["F16", "F16", "F16", "F16"], // 128 GiB RAM
            ["F16", "F16", "F16", "F16"], // 512 GiB RAM
        ],
    ),
    // llama3.1:8b, GPU 80 (80 GiB)
    (
        "llama3.1:8b",
        80,
        [
            ["F16", "F16", "F16", "F16"], // 2 GiB RAM
            ["F16", "F16", "F16", "F16"], // 4 GiB RAM
            ["F16", "F16", "F16", "F16"], // 8 GiB RAM
            ["F16", "F16", "F16", "F16"], // 16 GiB RAM
            ["F16", "F16", "F16", "F16"], // 24 GiB RAM
            ["F16", "F16", "F16", "F16"], // 32 GiB RAM
            ["F16", "F16", "F16", "F16"], // 64 GiB RAM
            ["F16", "F16", "F16", "F16"], // 128 GiB RAM
            ["F16", "F16", "F16", "F16"], // 512 GiB RAM
        ],
    ),
    // llama3.2:3b, GPU none
    (
        "llama3.2:3b",
        0,
        [
            ["-", "-", "-", "-"],                     // 2 GiB RAM
            ["Q4_K_M", "Q4_K_M", "Q4_K_M", "Q4_K_M"], // 4 GiB RAM
            ["Q4_K_M", "Q8_0", "Q8_0", "Q8_0"],       // 8 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 16 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 24 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 32 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 64 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 128 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],         // 512 GiB RAM
        ],
    ),
    // llama3.2:3b, GPU 8 (8 GiB)
    (
        "llama3.2:3b",
        8,
        [
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 2 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 4 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 8 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 16 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 24 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 32 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 64 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 128 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 512 GiB RAM
        ],
    ),
    // llama3.2:3b, GPU 24 (24 GiB)
    (
        "llama3.2:3b",
        24,
        [
            ["F16", "F16", "F16", "F16"], // 2 GiB RAM
            ["F16", "F16", "F16", "F16"], // 4 GiB RAM
            ["F16", "F16", "F16", "F16"], // 8 GiB RAM
            ["F16", "F16", "F16", "F16"], // 16 GiB RAM
            ["F16", "F16", "F16", "F16"], // 24 GiB RAM
            ["F16", "F16", "F16", "F16"], // 32 GiB RAM
            ["F16", "F16", "F16", "F16"], // 64 GiB RAM
            ["F16", "F16", "F16", "F16"], // 128 GiB RAM
            ["F16", "F16", "F16", "F16"], // 512 GiB RAM
        ],
    ),
    // llama3.2:3b, GPU 80 (80 GiB)
    (
        "llama3.2:3b",
        80,
        [
            ["F16", "F16", "F16", "F16"], // 2 GiB RAM
            ["F16", "F16", "F16", "F16"], // 4 GiB RAM
            ["F16", "F16", "F16", "F16"], // 8 GiB RAM
            ["F16", "F16", "F16", "F16"], // 16 GiB RAM
            ["F16", "F16", "F16", "F16"], // 24 GiB RAM
            ["F16", "F16", "F16", "F16"], // 32 GiB RAM
            ["F16", "F16", "F16", "F16"], // 64 GiB RAM
            ["F16", "F16", "F16", "F16"], // 128 GiB RAM
            ["F16", "F16", "F16", "F16"], // 512 GiB RAM
        ],
    ),
    // llama3.1:70b, GPU none
    (
        "llama3.1:70b",
        0,
        [
            ["-", "-", "-", "-"],               // 2 GiB RAM
            ["-", "-", "-", "-"],               // 4 GiB RAM
            ["-", "-", "-", "-"],               // 8 GiB RAM
            ["-", "-", "-", "-"],               // 16 GiB RAM
            ["-", "-", "-", "-"],               // 24 GiB RAM
            ["Q2_K", "Q2_K", "Q2_K", "Q2_K"],   // 32 GiB RAM
            ["Q4_K_M", "Q6_K", "Q6_K", "Q6_K"], // 64 GiB RAM
            ["Q4_K_M", "Q8_0", "Q8_0", "Q8_0"], // 128 GiB RAM
            ["Q4_K_M", "Q8_0", "F16", "F16"],   // 512 GiB RAM
        ],
    ),
    // llama3.1:70b, GPU 8 (8 GiB)
    (
        "llama3.1:70b",
        8,
        [
            ["-", "-", "-", "-"],                         // 2 GiB RAM
            ["-", "-", "-", "-"],                         // 4 GiB RAM
            ["-", "-", "-", "-"],                         // 8 GiB RAM
            ["-", "-", "-", "-"],                         // 16 GiB RAM
            ["Q2_K/18", "Q2_K/18", "Q2_K/18", "Q2_K/18"], // 24 GiB RAM
            ["Q2_K/18", "Q2_K/18", "Q2_K/18", "Q2_K/18"], // 32 GiB RAM
            ["Q6_K/8", "Q6_K/8", "Q6_K/8", "Q6_K/8"],     // 64 GiB RAM
            ["Q8_0/6", "Q8_0/6", "Q8_0/6", "Q8_0/6"],     // 128 GiB RAM
            ["F16/3", "F16/3", "F16/3", "F16/3"],         // 512 GiB RAM
        ],
    ),
    // llama3.1:70b, GPU 24 (24 GiB)
    (
        "llama3.1:70b",
        24,
        [
            ["-", "-", "-", "-"],                                 // 2 GiB RAM
            ["-", "-", "-", "-"],                                 // 4 GiB RAM
            ["Q2_K/67", "Q2_K/67", "Q2_K/67", "Q2_K/67"],         // 8 GiB RAM
            ["Q2_K/67", "Q2_K/67", "Q2_K/67", "Q2_K/67"],         // 16 GiB RAM
            ["Q4_K_M/42", "Q4_K_M/42", "Q4_K_M/42", "Q4_K_M/42"], // 24 GiB RAM
            ["Q5_K_M/35", "Q5_K_M/35", "Q5_K_M/35", "Q5_K_M/35"], // 32 GiB RAM
            ["Q8_0/24", "Q8_0/24", "Q8_0/24", "Q8_0/24"],         // 64 GiB RAM
            ["F16/12", "F16/12", "F16/12", "F16/12"],             // 128 GiB RAM
            ["F16/12", "F16/12", "F16/12", "F16/12"],             // 512 GiB RAM
        ],
    ),
    // llama3.1:70b, GPU 80 (80 GiB)
    (
        "llama3.1:70b",
        80,
        [
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 2 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 4 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 8 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 16 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 24 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 32 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 64 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 128 GiB RAM
            ["Q8_0", "Q8_0", "Q8_0", "Q8_0"], // 512 GiB RAM
        ],
    ),
];

fn fit(name: &str, budget: &Budget) -> ModelFit {
    let tier = decide(
        TierInput {
            memory_bytes: budget.memory_bytes(),
            source: budget.source(),
            cores: budget.cores as usize,
        },
        &Thresholds::default(),
    )
    .tier;
    fit_model(&request(name), budget, tier, &super::policy())
}

fn check(cell: &str, fit: &ModelFit, gpu: bool) -> Result<(), String> {
    if cell == "-" {
        return match fit.fits {
            false => Ok(()),
            true => Err("expected no fit".into()),
        };
    }
    let (quant, offload) = match cell.split_once('/') {
        Some((q, n)) => (q, Some(n.parse::<u32>().unwrap())),
        None => (cell, None),
    };
    let expected: Quant = quant.parse().unwrap();
    if !fit.fits || fit.quantization != Some(expected) {
        return Err(format!("expected {expected}"));
    }
    let run = match (offload, gpu) {
        (Some(_), _) => Run::PartialOffload,
        (None, true) => Run::Gpu,
        (None, false) => Run::Cpu,
    };
    if fit.run != Some(run) || fit.num_ctx != 4096 {
        return Err(format!("expected {run:?} at num_ctx 4096"));
    }
    if let Some(n) = offload
        && fit.num_gpu != n
    {
        return Err(format!("expected num_gpu {n}"));
    }
    Ok(())
}

#[test]
fn device_matrix() {
    let mut failures = Vec::new();
    for (name, gpu_gib, rows) in MATRIX {
        for (ram, row) in RAMS.iter().zip(rows) {
            for (cores, cell) in CORES.iter().zip(row) {
                let budget = budget(*ram, *cores, gpu_gib);
                let fit = fit(name, &budget);
                if let Err(why) = check(cell, &fit, gpu_gib > 0) {
                    failures.push(format!(
                        "{name} ram {ram} cores {cores} gpu {gpu_gib}: {why}, got {:?} {:?} ctx {} num_gpu {}: {}",
                        fit.quantization, fit.run, fit.num_ctx, fit.num_gpu, fit.reason
                    ));
                }
                // Never recommend what does not fit, and never offload without a GPU.
                assert!(
                    !fit.fits || fit.needed_bytes <= fit.budget_bytes,
                    "{name}: {}",
                    fit.reason
                );
                if gpu_gib == 0 {
                    assert_eq!(fit.num_gpu, 0);
                    assert!(fit.offload.is_none());
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn done_when_two_core_24_gib_cpu_gets_tier_4_and_q4_k_m() {
    let budget = budget(24, 2, 0);
    let fit = fit("llama3.1:8b", &budget);
    assert_eq!(fit.tier.bits(), 4);
    assert_eq!(fit.quantization, Some(Quant::Q4KM));
    assert_eq!(fit.tag.as_deref(), Some("llama3.1:8b-instruct-q4_K_M"));
    assert!(fit.size_exact, "Q4_K_M has a registry-exact size");
    assert_eq!(
        fit.reason,
        "Q4_K_M fits: needs 5.4 GiB of budget 21.8 GiB at num_ctx 4096"
    );
}

#[test]
fn done_when_16_gib_8_cores_falls_from_f16_to_q8_0() {
    let fit = fit("llama3.1:8b", &budget(16, 8, 0));
    assert_eq!(fit.tier.bits(), 16);
    assert_eq!(fit.quantization, Some(Quant::Q8_0));
    assert_eq!(
        fit.reason,
        "F16 needs 15.8 GiB > budget 14.2 GiB; Q8_0 fits: needs 8.7 GiB of budget 14.2 GiB at num_ctx 4096"
    );
}

#[test]
fn done_when_70b_on_8_gib_does_not_fit_and_says_both_numbers() {
    let fit = fit("llama3.1:70b", &budget(8, 8, 0));
    assert!(!fit.fits && fit.quantization.is_none() && fit.tag.is_none());
    // Smallest candidate Q2_K at the 2048 floor: 25.5 GiB vs 6.6 GiB usable.
    assert!(
        fit.reason
            .ends_with("does not fit: even Q2_K at num_ctx 2048 needs 25.5 GiB > budget 6.6 GiB"),
        "{}",
        fit.reason
    );
    assert!(fit.needed_bytes > fit.budget_bytes);
}

/// Peers' wrong answers on a 2-core, 23.5 GiB, CPU-only machine (peers.md).
#[test]
fn peer_regressions_on_a_23_5_gib_cpu_only_machine() {
    let ram = 23 * GIB + GIB / 2;
    let cpu = |cores| super::cpu(ram, cores);
    // canirunllm sized the KV cache at the 131072 native context: CANNOT_RUN.
    let fit8 = fit("llama3.1:8b", &cpu(2));
    assert!(fit8.fits && fit8.num_ctx == 4096);
    assert_eq!(fit8.estimate.kv_cache_bytes, GIB / 2);
    // canirunllm planned a CPU offload with no GPU.
    let qwen = fit("qwen3:8b", &cpu(2));
    assert_eq!(
        (qwen.run, qwen.num_gpu, qwen.offload),
        (Some(Run::Cpu), 0, None)
    );
    // llmfit/llm-checker never offer F16: 8B F16 at 8K is ≈ 17.4 GiB < 21.3 usable.
    let policy = FitPolicy {
        num_ctx: 8192,
        ..super::policy()
    };
    let f16 = fit_model(
        &request("llama3.1:8b"),
        &cpu(8),
        provision::tier::Tier::T16,
        &policy,
    );
    assert_eq!(f16.quantization, Some(Quant::F16), "{}", f16.reason);
    assert_eq!(f16.num_ctx, 8192);
    // The tag is the chosen one, with its full name.
    assert_eq!(f16.tag.as_deref(), Some("llama3.1:8b-instruct-fp16"));
}

#[test]
fn context_shrinks_before_quality_drops_below_the_floor() {
    // 8B on 6.5 GiB RAM (usable 5.18): Q4_K_M needs 5.37 at 4096 and 5.09 at 2048,
    // so it fits only with a smaller context, which the default policy prefers to
    // Q2_K (3.75); Q5_K_M needs 5.84 even at 2048.
    let budget = cpu(6 * GIB + GIB / 2, 8);
    let fit = fit("llama3.1:8b", &budget);
    assert_eq!(fit.quantization, Some(Quant::Q4KM), "{}", fit.reason);
    assert!((2048..4096).contains(&fit.num_ctx), "{}", fit.num_ctx);
    assert!(fit.reason.contains("fits with num_ctx"), "{}", fit.reason);
    let keep_ctx = FitPolicy {
        shrink_context_first: false,
        ..super::policy()
    };
    let tier = provision::tier::Tier::T16;
    let fit = fit_model(&request("llama3.1:8b"), &budget, tier, &keep_ctx);
    assert_eq!(fit.quantization, Some(Quant::Q2K), "{}", fit.reason);
    assert_eq!(fit.num_ctx, 4096);
}

#[test]
fn budget_source_follows_the_gpu() {
    assert_eq!(budget(16, 8, 0).source(), BudgetSource::Ram);
    assert_eq!(budget(16, 8, 24).source(), BudgetSource::Gpu);
    assert_eq!(budget(16, 8, 24).memory_bytes(), 24 * GIB);
}

#[test]
fn a_tier_without_a_published_tag_does_not_fit_and_says_why() {
    // qwen3 (2025) publishes only F16, Q8_0 and Q4_K_M: nothing at the 2-bit tier.
    let fit = fit_model(
        &request("qwen3:8b"),
        &budget(64, 8, 0),
        provision::tier::Tier::T2,
        &super::policy(),
    );
    assert!(!fit.fits);
    assert!(
        fit.reason
            .starts_with("the library publishes no quantization of it at or below Q2_K"),
        "{}",
        fit.reason
    );
}

#[test]
fn a_full_tag_pins_the_quantization() {
    // llama3.1:8b-instruct-fp16 on 16 GiB (usable 14.2): F16 needs 16.62, and the
    // user named it, so the fit does not quietly switch to Q8_0.
    let f16 = fit("llama3.1:8b-instruct-fp16", &budget(16, 8, 0));
    assert!(!f16.fits, "{}", f16.reason);
    let fit = fit("llama3.1:8b-instruct-q6_K", &budget(16, 2, 0));
    assert_eq!(
        fit.quantization,
        Some(Quant::Q6K),
        "pinned above the 4-bit tier: {}",
        fit.reason
    );
}

#[test]
fn an_installed_size_replaces_the_catalog_estimate() {
    let installed = ModelRequest {
        installed: Some((Quant::Q4KM, 5 * GIB)),
        ..request("llama3.1:8b")
    };
    let fit = fit_model(
        &installed,
        &budget(24, 2, 0),
        provision::tier::Tier::T4,
        &super::policy(),
    );
    assert_eq!(fit.estimate.weights_bytes, 5 * GIB);
    assert!(fit.size_exact);
}

#[test]
fn the_context_is_capped_at_the_native_length_and_said_so() {
    // qwen2.5's native context is 32768 (HF max_position_embeddings).
    let policy = FitPolicy {
        num_ctx: 65536,
        min_ctx: 2048,
        ..super::policy()
    };
    let fit = fit_model(
        &request("qwen2.5:7b"),
        &budget(64, 8, 0),
        provision::tier::Tier::T16,
        &policy,
    );
    assert_eq!(fit.num_ctx, 32768);
    assert!(
        fit.reason
            .starts_with("num_ctx 65536 capped at the native context 32768; "),
        "{}",
        fit.reason
    );
}
