//! Fitting one model: walk down from the tier's quantization, shrink the context
//! before dropping below the quality floor, offload part of the layers to a GPU
//! that is too small or run on the CPU (see [`super::fallback`]), and never pick
//! what does not fit. With a speed goal, a level that fits but decodes too
//! slowly is passed over for the next one.

use super::fallback::{offloaded, on_cpu};
use super::goal::{Fitted, Judge};
use super::model::Walk;
use super::verdict::{How, chosen, no_candidates, no_fit, reserve_took_all};
use super::{Budget, FitPolicy, ModelFit, ModelRequest};
use crate::quant::Quant;
use crate::size::Binary;
use crate::tier::Tier;

/// One way of fitting a level: whole, with a shrunk context, partly offloaded,
/// or on the CPU.
type Phase = fn(&Walk, Quant, &mut Vec<String>) -> Option<Fitted>;

/// Fits one model on the device under the policy (see the module comment).
pub fn fit_model(
    request: &ModelRequest,
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
) -> ModelFit {
    let walk = Walk::new(request, budget, policy, tier);
    let candidates = walk.candidates();
    let (upper, lower): (Vec<Quant>, Vec<Quant>) = if policy.shrink_context_first {
        candidates.iter().partition(|q| **q >= policy.quality_floor)
    } else {
        (candidates.clone(), Vec::new())
    };
    let mut notes = first_notes(&walk, &candidates);
    let mut judge = Judge::new(request.speed.goal);
    let phases: [Phase; 4] = [whole, shrunk, offloaded, on_cpu];
    for group in [&upper, &lower] {
        for phase in phases {
            for &quant in group {
                let Some(fitted) = phase(&walk, quant, &mut notes) else {
                    continue;
                };
                if judge.take(&walk, &fitted, &mut notes) {
                    return chosen(&walk, fitted.quant, fitted.estimate, fitted.how, &notes);
                }
            }
        }
    }
    match judge.fastest(&mut notes) {
        Some(f) => chosen(&walk, f.quant, f.estimate, f.how, &notes),
        None => no_fit(&walk, &candidates, notes),
    }
}

/// What the reason says before any level: a reserve that took everything, a
/// capped context, no candidates.
fn first_notes(walk: &Walk, candidates: &[Quant]) -> Vec<String> {
    let request = walk.request;
    let mut notes = Vec::new();
    if walk.usable == 0 {
        notes.push(reserve_took_all(walk.budget, walk.policy));
    }
    let native = request.resolved.size.dims.context;
    let asked = request.num_ctx.unwrap_or(walk.policy.num_ctx);
    if asked > native {
        notes.push(format!(
            "num_ctx {asked} capped at the native context {native}"
        ));
    }
    if candidates.is_empty() {
        notes.push(no_candidates(request, walk.tier));
    }
    notes
}

/// The level whole at the requested context, if it fits.
fn whole(walk: &Walk, quant: Quant, notes: &mut Vec<String>) -> Option<Fitted> {
    let ctx = walk.requested_ctx();
    let estimate = walk.estimate(quant, ctx, walk.placement());
    if estimate.total_bytes > walk.usable {
        notes.push(format!(
            "{quant} needs {} > budget {}",
            Binary(estimate.total_bytes),
            Binary(walk.usable)
        ));
        return None;
    }
    let sentence = format!(
        "{quant} fits: needs {} of budget {} at num_ctx {ctx}",
        Binary(estimate.total_bytes),
        Binary(walk.usable)
    );
    Some(Fitted {
        quant,
        estimate,
        how: How::Whole,
        sentence,
    })
}

/// The level at the largest smaller context that fits, if one does (and the
/// level does not fit whole: then it was judged whole).
fn shrunk(walk: &Walk, quant: Quant, _notes: &mut Vec<String>) -> Option<Fitted> {
    let (requested, placement) = (walk.requested_ctx(), walk.placement());
    if walk.estimate(quant, requested, placement).total_bytes <= walk.usable {
        return None;
    }
    let ctx = walk.shrunk_ctx(quant, placement, walk.usable)?;
    let estimate = walk.estimate(quant, ctx, placement);
    let sentence = format!(
        "{quant} fits with num_ctx {ctx} instead of {requested}: needs {} of budget {}",
        Binary(estimate.total_bytes),
        Binary(walk.usable)
    );
    Some(Fitted {
        quant,
        estimate,
        how: How::Whole,
        sentence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::fit::GpuInfo;
    use crate::speed::{Goal, LatencyGoal, Machine, SpeedGoal};
    use proptest::prelude::*;

    fn machine(gbps: u64) -> Machine {
        Machine {
            cpu_bytes_per_s: Some(gbps * 1_000_000_000),
            gpu_bytes_per_s: Some(gbps * 4_000_000_000),
            gpu_flops: None,
            cores: 16,
            simd: vec!["avx2"],
        }
    }

    fn goal(tokens_per_s: f64) -> Option<Goal> {
        Some(Goal {
            speed: Some(SpeedGoal {
                min_tokens_per_s: tokens_per_s,
            }),
            latency: None,
        })
    }

    /// The level chosen for `name` with `goal` on a device of `gib` RAM (and a
    /// GPU of `vram` GiB, 0 for none) reading `gbps`.
    fn chosen(name: &str, gib: u64, vram: u64, gbps: u64, goal: Option<Goal>) -> ModelFit {
        let mut request = ModelRequest::new(Catalog::bundled().resolve(name).unwrap().unpinned());
        request.speed.goal = goal;
        let budget = Budget {
            ram_bytes: gib << 30,
            cores: 16,
            gpus: (vram > 0)
                .then(|| GpuInfo {
                    name: "g".into(),
                    memory_bytes: vram << 30,
                })
                .into_iter()
                .collect(),
        };
        let policy = FitPolicy {
            machine: Some(machine(gbps)),
            ..FitPolicy::default()
        };
        fit_model(&request, &budget, Tier::T16, &policy)
    }

    #[test]
    fn a_goal_leaves_f16_for_the_most_precise_level_fast_enough() {
        let fit = chosen("llama3.1:70b", 512, 0, 200, goal(2.0));
        assert_eq!(fit.quantization, Some(Quant::Q5KM), "{}", fit.reason);
        assert!(
            fit.reason.starts_with("F16 fits but runs ~0.8 tok/s < 2; "),
            "{}",
            fit.reason
        );
        assert!(
            fit.reason.contains("; Q6_K fits but runs ~1.9 tok/s < 2; "),
            "{}",
            fit.reason
        );
        assert!(
            fit.reason.ends_with("runs ~2.2 tok/s ≥ 2"),
            "{}",
            fit.reason
        );
        let outcome = fit.speed_goal.unwrap();
        assert!(outcome.check.met && fit.speed.unwrap().decode_tokens_per_s >= 2.0);
        let fit_first = chosen("llama3.1:70b", 512, 0, 200, None);
        assert_eq!(
            fit_first.quantization,
            Some(Quant::F16),
            "no goal, fit first"
        );
    }

    #[test]
    fn no_level_fast_enough_means_the_fastest_that_fits() {
        let fit = chosen("llama3.1:70b", 512, 0, 200, goal(50.0));
        assert_eq!(fit.quantization, Some(Quant::Q2K), "{}", fit.reason);
        assert!(
            fit.reason
                .contains("no level meets ≥ 50 tok/s: Q2_K, the fastest that fits, runs ~"),
            "{}",
            fit.reason
        );
        assert!(!fit.speed_goal.unwrap().check.met);
    }

    #[test]
    fn an_unknown_bandwidth_leaves_the_goal_unchecked_and_says_so() {
        let mut request = ModelRequest::new(Catalog::bundled().resolve("llama3.1:8b").unwrap());
        request.speed.goal = goal(5.0);
        let budget = Budget {
            ram_bytes: 64 << 30,
            cores: 8,
            gpus: Vec::new(),
        };
        let policy = FitPolicy {
            machine: Some(Machine::default()),
            ..FitPolicy::default()
        };
        let fit = fit_model(&request, &budget, Tier::T16, &policy);
        assert_eq!(fit.quantization, Some(Quant::F16));
        assert!(
            fit.reason.ends_with("speed goal ≥ 5 tok/s not checked: the memory bandwidth is unknown (give --bandwidth)"),
            "{}",
            fit.reason
        );
        assert_eq!((fit.speed, fit.speed_goal), (None, None));
    }

    #[test]
    fn a_latency_goal_on_a_gpu_counts_the_prompt_when_the_gpu_has_a_compute_figure() {
        let mut request = ModelRequest::new(Catalog::bundled().resolve("llama3.1:8b").unwrap());
        request.speed.goal = Some(Goal {
            speed: None,
            latency: Some(LatencyGoal {
                tokens: 64,
                seconds: 2.0,
                prompt_tokens: 4096,
            }),
        });
        let budget = Budget {
            ram_bytes: 64 << 30,
            cores: 16,
            gpus: vec![GpuInfo {
                name: "g".into(),
                memory_bytes: 48 << 30,
            }],
        };
        let on = |gpu_flops| {
            let policy = FitPolicy {
                machine: Some(Machine {
                    gpu_flops,
                    ..machine(250)
                }),
                ..FitPolicy::default()
            };
            fit_model(&request, &budget, Tier::T16, &policy)
        };
        let (known, unknown) = (on(Some(165.2e12)), on(None));
        assert_eq!(unknown.speed.unwrap().prompt_tokens_per_s, None);
        let unknown_check = unknown.speed_goal.unwrap().check;
        let speed = known.speed.unwrap();
        let prompt = speed.prompt_tokens_per_s.expect("a GPU prompt speed");
        let check = known.speed_goal.unwrap().check;
        let decode_part = 64.0 / speed.decode_tokens_per_s;
        let answer = check.answer_seconds.unwrap();
        assert!(
            (answer - (4096.0 / prompt + decode_part)).abs() < 1e-9,
            "{answer}"
        );
        // The prompt's time leaves less for the answer: a faster decode is
        // asked, and the level chosen is never more precise for it.
        assert_eq!(unknown_check.min_tokens_per_s, 32.0);
        assert!(check.min_tokens_per_s > 32.0, "{}", check.min_tokens_per_s);
        assert!(
            known.quantization < unknown.quantization,
            "{:?} ({}) vs {:?} ({})",
            known.quantization,
            known.reason,
            unknown.quantization,
            unknown.reason
        );
    }

    proptest! {
        #[test]
        fn raising_the_goal_never_raises_the_precision(
            name in prop::sample::select(vec![
                "llama3.1:70b", "llama3.1:8b", "qwen2.5-coder:32b", "qwen3:30b", "gemma3:12b", "llama3.2:3b",
            ]),
            gib in 4u64..1024,
            vram in prop_oneof![Just(0u64), 4u64..96],
            gbps in 5u64..1000,
            low in 0.1f64..150.0,
            raise in 0.0f64..150.0,
        ) {
            let slower = chosen(name, gib, vram, gbps, goal(low));
            let faster = chosen(name, gib, vram, gbps, goal(low + raise));
            prop_assert!(
                faster.quantization <= slower.quantization,
                "{} at ≥ {} tok/s: {:?} ({}) but at ≥ {}: {:?} ({})",
                name, low + raise, faster.quantization, faster.reason, low, slower.quantization, slower.reason
            );
        }
    }
}
