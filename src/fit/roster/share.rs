//! One model's part of a roster: the option picked for it and why that one.

use super::{Option_, model_name};
use crate::estimate::Estimate;
use crate::fit::{Budget, ModelRequest, RosterShare};
use crate::size::Binary;
use crate::tier::Tier;

/// The share of `request`, given its options and the one picked (`pick`) for a
/// roster that `fits` in `usable` bytes or not.
pub(super) fn share(
    request: &ModelRequest,
    options: &[Option_],
    pick: usize,
    usable: u64,
    fits: bool,
    budget: &Budget,
    tier: Tier,
) -> RosterShare {
    let resolved = &request.resolved;
    let Some(chosen) = options.get(pick) else {
        return no_option(request, tier);
    };
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
        share: chosen.estimate.total_bytes as f64 / usable.max(1) as f64,
        num_ctx: chosen.estimate.num_ctx,
        num_gpu: crate::fit::gpu_layers(crate::fit::placement(budget), resolved.size.dims.layers),
        reason: reason(options, chosen, pick, fits),
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
