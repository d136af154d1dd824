//! One model's part of a roster: the option picked for it and why that one.

use super::goals::goal_sentence;
use super::{Fitting, Option_, model_name};
use crate::estimate::Estimate;
use crate::fit::{ModelRequest, RosterShare};
use crate::size::Binary;
use crate::tier::Tier;

/// The share of `request`, given its options (after its speed goal, which left
/// `speed_notes`) and the one picked (`pick`).
pub(super) fn share(
    fitting: &Fitting,
    request: &ModelRequest,
    options: &[Option_],
    pick: usize,
    speed_notes: &[String],
) -> RosterShare {
    let resolved = &request.resolved;
    let Some(chosen) = options.get(pick) else {
        return no_option(request, fitting.tier);
    };
    let mut reasons = speed_notes.to_vec();
    reasons.push(reason(options, chosen, pick, fitting.fits));
    reasons.extend(request.speed.goal.and_then(|g| goal_sentence(&g, chosen)));
    RosterShare {
        model: model_name(request),
        priority: request.priority,
        quantization: Some(chosen.quant),
        tag: Some(format!(
            "{}:{}",
            resolved.family.name,
            resolved.size.tag_for(chosen.quant)
        )),
        estimate: chosen.estimate,
        share: chosen.estimate.total_bytes as f64 / fitting.usable.max(1) as f64,
        num_ctx: chosen.estimate.num_ctx,
        num_gpu: crate::fit::gpu_layers(
            crate::fit::placement(fitting.budget),
            resolved.size.dims.layers,
        ),
        speed: chosen.speed,
        reason: reasons.join("; "),
    }
}

/// A model with no quantization to try: it takes nothing, and says why.
fn no_option(request: &ModelRequest, tier: Tier) -> RosterShare {
    RosterShare {
        model: model_name(request),
        priority: request.priority,
        quantization: None,
        tag: None,
        estimate: empty_estimate(),
        share: 0.0,
        num_ctx: 0,
        num_gpu: 0,
        speed: None,
        reason: crate::fit::verdict::no_candidates(request, tier),
    }
}

/// Why `chosen` (option `pick`): the smallest when nothing fits, else the best that
/// fits alongside the others, naming the better one that did not.
fn reason(options: &[Option_], chosen: &Option_, pick: usize, fits: bool) -> String {
    match (fits, pick) {
        (false, _) => format!(
            "smallest option {} needs {}",
            chosen.quant,
            Binary(chosen.estimate.total_bytes)
        ),
        (true, 0) => format!("{} fits alongside the others", chosen.quant),
        (true, _) => format!(
            "{} ({}) does not fit alongside the others; {} ({}) does",
            options[0].quant,
            Binary(options[0].estimate.total_bytes),
            chosen.quant,
            Binary(chosen.estimate.total_bytes)
        ),
    }
}

fn empty_estimate() -> Estimate {
    Estimate {
        weights_bytes: 0,
        kv_cache_bytes: 0,
        graph_bytes: 0,
        overhead_bytes: 0,
        total_bytes: 0,
        num_ctx: 0,
        layer_bytes: 0,
    }
}
