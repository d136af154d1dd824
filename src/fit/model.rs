//! Fitting one model: walk down from the tier's quantization, shrink the context
//! before dropping below the quality floor, offload part of the layers to a GPU
//! that is too small or run on the CPU (see [`super::fallback`]), and never pick
//! what does not fit.

use super::fallback::{cpu_fit, offload_fit};
use super::verdict::{How, chosen, no_candidates, no_fit, reserve_took_all};
use super::{Budget, FitPolicy, ModelFit, ModelRequest};
use crate::estimate::{Estimate, EstimateInput, Placement, estimate};
use crate::quant::Quant;
use crate::size::Binary;
use crate::tier::Tier;

/// Everything the walk needs about one model and the device.
pub(super) struct Walk<'a> {
    pub request: &'a ModelRequest<'a>,
    pub budget: &'a Budget,
    pub policy: &'a FitPolicy,
    pub tier: Tier,
    pub usable: u64,
}

impl Walk<'_> {
    pub fn placement(&self) -> Placement {
        super::placement(self.budget)
    }

    /// Blob bytes of a quantization: the installed size when it is installed.
    pub fn file_bytes(&self, quant: Quant) -> (u64, bool) {
        match self.request.installed {
            Some((installed, bytes)) if installed == quant => (bytes, true),
            _ => {
                let entry = self.request.resolved.size.quant(quant);
                entry.map_or((0, false), |q| (q.bytes, q.exact))
            }
        }
    }

    pub fn estimate(&self, quant: Quant, num_ctx: u32, placement: Placement) -> Estimate {
        let size = self.request.resolved.size;
        estimate(&EstimateInput {
            architecture: &self.request.resolved.family.architecture,
            dims: &size.dims,
            quant,
            file_bytes: self.file_bytes(quant).0,
            projector_bytes: size.projector_bytes,
            num_ctx,
            parallel: self.policy.num_parallel,
            kv_cache: self.policy.kv_cache_type,
            placement,
        })
    }

    /// The quantizations to try, highest first; only the named one if the request
    /// spelled out a full tag.
    pub fn candidates(&self) -> Vec<Quant> {
        let resolved = &self.request.resolved;
        if resolved.quant_pinned {
            return vec![resolved.quant];
        }
        let published = resolved.size.quants.iter().map(|q| q.quant);
        let (min, max) = (self.request.min_quant, self.request.max_quant);
        let mut quants = if self.request.listed_only {
            published.collect()
        } else {
            self.policy.candidates(published, self.tier)
        };
        quants.retain(|q| min.is_none_or(|m| *q >= m) && max.is_none_or(|m| *q <= m));
        quants
    }

    /// The context asked for (the request's, else the policy's), capped at the
    /// model's native context.
    pub fn requested_ctx(&self) -> u32 {
        let native = self.request.resolved.size.dims.context;
        self.policy.requested_ctx(self.request.num_ctx, native)
    }

    /// The largest context in [min_ctx, requested) (steps of 256) at which the
    /// quantization fits `usable` when placed on `placement`, if any.
    pub fn shrunk_ctx(&self, quant: Quant, placement: Placement, usable: u64) -> Option<u32> {
        let fits = |ctx: u32| self.estimate(quant, ctx, placement).total_bytes <= usable;
        let floor = self.policy.min_ctx.min(self.requested_ctx());
        if !fits(floor) {
            return None;
        }
        let (mut low, mut high) = (floor / 256, self.requested_ctx() / 256);
        while low < high {
            let mid = (low + high).div_ceil(2);
            if fits(mid * 256) {
                low = mid
            } else {
                high = mid - 1
            }
        }
        Some((low * 256).max(floor))
    }

    /// The RAM models may use when they run on the CPU: the RAM budget minus the
    /// reserve.
    pub fn ram_usable(&self) -> u64 {
        self.policy.usable(self.budget.ram_bytes)
    }
}

/// The estimate of the request's level, whole, at `num_ctx` on the device models
/// are placed on (the installed or registry size when the request carries one).
pub fn estimate_at(
    request: &ModelRequest,
    budget: &Budget,
    policy: &FitPolicy,
    num_ctx: u32,
) -> Estimate {
    let walk = Walk {
        request,
        budget,
        policy,
        tier: Tier::of_quant(request.resolved.quant),
        usable: policy.usable(budget.memory_bytes()),
    };
    walk.estimate(request.resolved.quant, num_ctx, walk.placement())
}

/// Fits one model on the device under the policy (see the module comment).
pub fn fit_model(
    request: &ModelRequest,
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
) -> ModelFit {
    let usable = policy.usable(budget.memory_bytes());
    let walk = Walk {
        request,
        budget,
        policy,
        tier,
        usable,
    };
    let candidates = walk.candidates();
    let (upper, lower): (Vec<Quant>, Vec<Quant>) = if policy.shrink_context_first {
        candidates.iter().partition(|q| **q >= policy.quality_floor)
    } else {
        (candidates.clone(), Vec::new())
    };
    let mut notes = Vec::new();
    if usable == 0 {
        notes.push(reserve_took_all(budget, policy));
    }
    let native = request.resolved.size.dims.context;
    let asked = request.num_ctx.unwrap_or(policy.num_ctx);
    if asked > native {
        notes.push(format!(
            "num_ctx {asked} capped at the native context {native}"
        ));
    }
    if candidates.is_empty() {
        notes.push(no_candidates(request, tier));
    }
    for group in [&upper, &lower] {
        if let Some(fit) = full_fit(&walk, group, &mut notes) {
            return fit;
        }
        if let Some(fit) = shrunk_fit(&walk, group, &mut notes) {
            return fit;
        }
        if let Some(fit) = offload_fit(&walk, group, &mut notes) {
            return fit;
        }
        if let Some(fit) = cpu_fit(&walk, group, &mut notes) {
            return fit;
        }
    }
    no_fit(&walk, &candidates, notes)
}

fn full_fit(walk: &Walk, group: &[Quant], notes: &mut Vec<String>) -> Option<ModelFit> {
    let ctx = walk.requested_ctx();
    for &quant in group {
        let estimate = walk.estimate(quant, ctx, walk.placement());
        if estimate.total_bytes <= walk.usable {
            let why = format!(
                "{quant} fits: needs {} of budget {} at num_ctx {ctx}",
                Binary(estimate.total_bytes),
                Binary(walk.usable)
            );
            notes.push(why);
            return Some(chosen(walk, quant, estimate, How::Whole, notes));
        }
        notes.push(format!(
            "{quant} needs {} > budget {}",
            Binary(estimate.total_bytes),
            Binary(walk.usable)
        ));
    }
    None
}

fn shrunk_fit(walk: &Walk, group: &[Quant], notes: &mut Vec<String>) -> Option<ModelFit> {
    let requested = walk.requested_ctx();
    for &quant in group {
        if let Some(ctx) = walk.shrunk_ctx(quant, walk.placement(), walk.usable) {
            let estimate = walk.estimate(quant, ctx, walk.placement());
            notes.push(format!(
                "{quant} fits with num_ctx {ctx} instead of {requested}: needs {} of budget {}",
                Binary(estimate.total_bytes),
                Binary(walk.usable)
            ));
            return Some(chosen(walk, quant, estimate, How::Whole, notes));
        }
    }
    None
}
