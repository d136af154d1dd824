//! The verdict a walk ends with, as a [`ModelFit`]: the chosen quantization and
//! how it runs, or "does not fit" with the memory it would need; each with the
//! reason, every rejected option and its numbers.

use super::fallback::{Offload, falls_back};
use super::model::Walk;
use super::{Budget, FitPolicy, ModelFit, ModelRequest, Run, gpu_layers};
use crate::estimate::{Estimate, Placement};
use crate::quant::Quant;
use crate::size::Binary;
use crate::tier::Tier;

/// `budget 0 B: the reserve of 2.2 GiB (2.0 GiB + 10 %) takes all of the GPU's
/// 2.0 GiB`: which reserve left nothing, on which device.
pub(super) fn reserve_took_all(budget: &Budget, policy: &FitPolicy) -> String {
    let memory = budget.memory_bytes();
    let device = match super::placement(budget) {
        Placement::Gpu => "the GPU's",
        Placement::Cpu => "the RAM budget's",
    };
    format!(
        "budget 0 B: the reserve of {} takes all of {device} {}",
        policy.reserve.describe(memory),
        Binary(memory)
    )
}

/// Why no quantization is left to try: the library, or the profile's bounds.
pub(super) fn no_candidates(request: &ModelRequest, tier: Tier) -> String {
    let ceiling = format!("at or below {} (tier {tier})", tier.quant());
    let bound = |q: Option<Quant>, word: &str| q.map(|q| format!("{word} {q}"));
    let bounds: Vec<String> = [
        bound(request.min_quant, "at least"),
        bound(request.max_quant, "at most"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if bounds.is_empty() {
        format!("the library publishes no quantization of it {ceiling}")
    } else {
        format!(
            "no published quantization is both {} (the profile's bounds) and {ceiling}",
            bounds.join(" and ")
        )
    }
}

/// How a chosen quantization runs.
#[derive(Debug, Clone, Copy)]
pub(super) enum How {
    /// Whole, where the budget places models (the GPU when there is one).
    Whole,
    /// Part of its layers on the GPU, the rest in RAM.
    Offload(Offload),
    /// Whole on the CPU although there is a GPU (`num_gpu 0`).
    CpuFallback,
}

pub(super) fn chosen(
    walk: &Walk,
    quant: Quant,
    estimate: Estimate,
    how: How,
    notes: &[String],
) -> ModelFit {
    let resolved = &walk.request.resolved;
    let placement = walk.placement();
    let layers = resolved.size.dims.layers;
    let whole = match placement {
        Placement::Gpu => Run::Gpu,
        Placement::Cpu => Run::Cpu,
    };
    let (run, num_gpu, needed, budget, pinned) = match how {
        How::Whole => (
            whole,
            gpu_layers(placement, layers),
            estimate.total_bytes,
            walk.usable,
            None,
        ),
        How::Offload(o) => (
            Run::PartialOffload,
            o.num_gpu,
            o.gpu_bytes,
            walk.usable,
            Some(o.num_gpu),
        ),
        How::CpuFallback => (
            Run::Cpu,
            0,
            estimate.total_bytes,
            walk.ram_usable(),
            Some(0),
        ),
    };
    let offload = match how {
        How::Offload(o) => Some(o),
        _ => None,
    };
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
        download_bytes: Some(
            walk.file_bytes(quant)
                .0
                .saturating_add(resolved.size.projector_bytes),
        ),
        run: Some(run),
        estimate,
        needed_bytes: needed,
        budget_bytes: budget,
        num_ctx: estimate.num_ctx,
        num_thread: walk.budget.cores,
        num_gpu,
        offload,
        pinned_num_gpu: pinned,
        reason: notes.join("; "),
    }
}

/// Nothing fits: report the smallest candidate at the smallest context.
pub(super) fn no_fit(walk: &Walk, candidates: &[Quant], mut notes: Vec<String>) -> ModelFit {
    let resolved = &walk.request.resolved;
    let smallest = candidates.last().copied().unwrap_or(resolved.quant);
    let ctx = walk.policy.min_ctx.min(walk.requested_ctx());
    let estimate = walk.estimate(smallest, ctx, walk.placement());
    // With no candidate at all the notes already say why; the estimate of the
    // default quantization is kept only to show its size.
    if !candidates.is_empty() {
        let mut why = format!(
            "does not fit: even {smallest} at num_ctx {ctx} needs {} > budget {}",
            Binary(estimate.total_bytes),
            Binary(walk.usable)
        );
        if falls_back(walk) {
            let cpu = walk.estimate(smallest, ctx, Placement::Cpu);
            why += &format!(
                ", and {} on the CPU > RAM budget {}",
                Binary(cpu.total_bytes),
                Binary(walk.ram_usable())
            );
        }
        notes.push(why);
    }
    ModelFit {
        model: format!("{}:{}", resolved.family.name, resolved.size.size),
        tier: walk.tier,
        fits: false,
        quantization: None,
        tag: None,
        size_exact: walk.file_bytes(smallest).1,
        download_bytes: None,
        run: None,
        estimate,
        needed_bytes: estimate.total_bytes,
        budget_bytes: walk.usable,
        num_ctx: ctx,
        num_thread: walk.budget.cores,
        num_gpu: 0,
        offload: None,
        pinned_num_gpu: None,
        reason: notes.join("; "),
    }
}
