//! The verdict a walk ends with, as a [`ModelFit`]: the chosen quantization and
//! how it runs, or "does not fit" with the memory it would need; each with the
//! reason, every rejected option and its numbers.

use super::fallback::{Offload, falls_back};
use super::goal::{outcome, speed_of};
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

/// The verdict for a quantization that runs, `how` it runs.
pub(super) fn chosen(
    walk: &Walk,
    quant: Quant,
    estimate: Estimate,
    how: How,
    notes: &[String],
) -> ModelFit {
    let resolved = &walk.request.resolved;
    let placed = placed(walk, &estimate, how);
    let (file_bytes, size_exact) = walk.file_bytes(quant);
    let speed = speed_of(walk, quant, estimate.num_ctx, how);
    ModelFit {
        model: model_name(walk),
        tier: walk.tier,
        fits: true,
        quantization: Some(quant),
        tag: Some(format!(
            "{}:{}",
            resolved.family.name,
            resolved.size.tag_for(quant)
        )),
        size_exact,
        download_bytes: Some(file_bytes.saturating_add(resolved.size.projector_bytes)),
        run: Some(placed.run),
        estimate,
        needed_bytes: placed.needed,
        budget_bytes: placed.budget,
        num_ctx: estimate.num_ctx,
        num_thread: walk.budget.cores,
        num_gpu: placed.num_gpu,
        offload: placed.offload,
        pinned_num_gpu: placed.pinned,
        speed,
        speed_goal: outcome(walk, speed),
        reason: notes.join("; "),
    }
}

/// Where a chosen quantization runs, and the bytes measured against which budget.
struct Placed {
    run: Run,
    num_gpu: u32,
    /// The whole estimate, or only the GPU's part when layers are offloaded.
    needed: u64,
    budget: u64,
    offload: Option<Offload>,
    /// The `num_gpu` the Modelfile must pin: Ollama's own placement would differ.
    pinned: Option<u32>,
}

fn placed(walk: &Walk, estimate: &Estimate, how: How) -> Placed {
    let placement = walk.placement();
    match how {
        How::Whole => Placed {
            run: match placement {
                Placement::Gpu => Run::Gpu,
                Placement::Cpu => Run::Cpu,
            },
            num_gpu: gpu_layers(placement, walk.request.resolved.size.dims.layers),
            needed: estimate.total_bytes,
            budget: walk.usable,
            offload: None,
            pinned: None,
        },
        How::Offload(o) => Placed {
            run: Run::PartialOffload,
            num_gpu: o.num_gpu,
            needed: o.gpu_bytes,
            budget: walk.usable,
            offload: Some(o),
            pinned: Some(o.num_gpu),
        },
        How::CpuFallback => Placed {
            run: Run::Cpu,
            num_gpu: 0,
            needed: estimate.total_bytes,
            budget: walk.ram_usable(),
            offload: None,
            pinned: Some(0),
        },
    }
}

/// `family:size`, the model the verdict is about whatever its level.
fn model_name(walk: &Walk) -> String {
    let resolved = &walk.request.resolved;
    format!("{}:{}", resolved.family.name, resolved.size.size)
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
        notes.push(too_big(walk, smallest, ctx, &estimate));
    }
    ModelFit {
        model: model_name(walk),
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
        speed: None,
        speed_goal: None,
        reason: notes.join("; "),
    }
}

/// Why even the smallest candidate does not fit, with the CPU's numbers too
/// when the model could have fallen back to it.
fn too_big(walk: &Walk, smallest: Quant, ctx: u32, estimate: &Estimate) -> String {
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
    why
}
