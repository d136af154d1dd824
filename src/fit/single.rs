//! Fitting one model: walk down from the tier's quantization, shrink the context
//! before dropping below the quality floor, offload part of the layers to a GPU
//! that is too small, and never pick what does not fit. With a speed goal, a
//! level that fits but decodes too slowly is passed over for the next one.

use super::goal::{Fitted, Judge, outcome, speed_of};
use super::model::{Walk, no_candidates};
use super::{Budget, FitPolicy, ModelFit, ModelRequest, Offload, Run, gpu_layers};
use crate::estimate::{Estimate, Placement};
use crate::quant::Quant;
use crate::size::Binary;
use crate::tier::Tier;

/// One way of fitting a group of levels: whole, with a shrunk context, or
/// partly offloaded.
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
    let phases: [Phase; 3] = [whole, shrunk, offloaded];
    for group in [&upper, &lower] {
        for phase in phases {
            for &quant in group {
                let Some(fitted) = phase(&walk, quant, &mut notes) else {
                    continue;
                };
                if judge.take(&walk, &fitted, &mut notes) {
                    return chosen(&walk, fitted, &notes);
                }
            }
        }
    }
    match judge.fastest(&mut notes) {
        Some(fitted) => chosen(&walk, fitted, &notes),
        None => no_fit(&walk, &candidates, notes),
    }
}

/// What the reason says before any level: a capped context, no candidates.
fn first_notes(walk: &Walk, candidates: &[Quant]) -> Vec<String> {
    let request = walk.request;
    let mut notes = Vec::new();
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
    Some(fitted(quant, estimate, None, sentence))
}

/// The level at the largest smaller context that fits, if one does (and the
/// level does not fit whole).
fn shrunk(walk: &Walk, quant: Quant, _notes: &mut Vec<String>) -> Option<Fitted> {
    let requested = walk.requested_ctx();
    if walk
        .estimate(quant, requested, walk.placement())
        .total_bytes
        <= walk.usable
    {
        return None;
    }
    let ctx = walk.shrunk_ctx(quant)?;
    let estimate = walk.estimate(quant, ctx, walk.placement());
    let sentence = format!(
        "{quant} fits with num_ctx {ctx} instead of {requested}: needs {} of budget {}",
        Binary(estimate.total_bytes),
        Binary(walk.usable)
    );
    Some(fitted(quant, estimate, None, sentence))
}

/// The level partly offloaded to the GPU, if the policy allows it and both
/// parts fit.
fn offloaded(walk: &Walk, quant: Quant, _notes: &mut Vec<String>) -> Option<Fitted> {
    if walk.placement() != Placement::Gpu || !walk.policy.partial_offload {
        return None;
    }
    // A level that fits on the GPU (whole or with less context) was judged there.
    let whole = walk.estimate(quant, walk.requested_ctx(), walk.placement());
    if whole.total_bytes <= walk.usable || walk.shrunk_ctx(quant).is_some() {
        return None;
    }
    let offload = walk.offload(quant)?;
    let layers = walk.request.resolved.size.dims.layers;
    let sentence = format!(
        "{quant} fits with a partial offload: {}/{layers} layers on the GPU ({}), {} in RAM",
        offload.num_gpu,
        Binary(offload.gpu_bytes),
        Binary(offload.ram_bytes)
    );
    let estimate = walk.estimate(quant, walk.requested_ctx(), Placement::Cpu);
    Some(fitted(quant, estimate, Some(offload), sentence))
}

fn fitted(quant: Quant, estimate: Estimate, offload: Option<Offload>, sentence: String) -> Fitted {
    Fitted {
        quant,
        estimate,
        offload,
        sentence,
    }
}

fn chosen(walk: &Walk, fitted: Fitted, notes: &[String]) -> ModelFit {
    let resolved = &walk.request.resolved;
    let (quant, estimate, offload) = (fitted.quant, fitted.estimate, fitted.offload);
    let placement = walk.placement();
    let layers = resolved.size.dims.layers;
    let whole = match placement {
        Placement::Gpu => Run::Gpu,
        Placement::Cpu => Run::Cpu,
    };
    let (run, num_gpu, needed) = match offload {
        Some(o) => (Run::PartialOffload, o.num_gpu, o.gpu_bytes),
        None => (whole, gpu_layers(placement, layers), estimate.total_bytes),
    };
    let speed = speed_of(walk, quant, estimate.num_ctx, offload);
    ModelFit {
        model: format!("{}:{}", resolved.family.name, resolved.size.size),
        tier: walk.tier,
        fits: true,
        quantization: Some(quant),
        tag: Some(format!(
            "{}:{}",
            resolved.family.name,
            resolved.size.tag_for(quant)
        )),
        size_exact: walk.file_bytes(quant).1,
        run: Some(run),
        estimate,
        needed_bytes: needed,
        budget_bytes: walk.usable,
        num_ctx: estimate.num_ctx,
        num_thread: walk.budget.cores,
        num_gpu,
        offload,
        speed,
        speed_goal: outcome(walk, speed),
        reason: notes.join("; "),
    }
}

/// Nothing fits: report the smallest candidate at the smallest context.
fn no_fit(walk: &Walk, candidates: &[Quant], mut notes: Vec<String>) -> ModelFit {
    let resolved = &walk.request.resolved;
    let smallest = candidates.last().copied().unwrap_or(resolved.quant);
    let ctx = walk.policy.min_ctx.min(walk.requested_ctx());
    let estimate = walk.estimate(smallest, ctx, walk.placement());
    // With no candidate at all the notes already say why; the estimate of the
    // default quantization is kept only to show its size.
    if !candidates.is_empty() {
        notes.push(format!(
            "does not fit: even {smallest} at num_ctx {ctx} needs {} > budget {}",
            Binary(estimate.total_bytes),
            Binary(walk.usable)
        ));
    }
    ModelFit {
        model: format!("{}:{}", resolved.family.name, resolved.size.size),
        tier: walk.tier,
        fits: false,
        quantization: None,
        tag: None,
        size_exact: walk.file_bytes(smallest).1,
        run: None,
        estimate,
        needed_bytes: estimate.total_bytes,
        budget_bytes: walk.usable,
        num_ctx: ctx,
        num_thread: walk.budget.cores,
        num_gpu: 0,
        offload: None,
        speed: None,
        speed_goal: None,
        reason: notes.join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::fit::GpuInfo;
    use crate::speed::{Goal, Machine, SpeedGoal};
    use proptest::prelude::*;

    fn machine(gbps: u64) -> Machine {
        Machine {
            cpu_bytes_per_s: Some(gbps * 1_000_000_000),
            gpu_bytes_per_s: Some(gbps * 4_000_000_000),
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
