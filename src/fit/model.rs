//! The walk over one model's levels: its facts, its candidates, the estimate of
//! each at a context and placement, a shrunk context, a partial offload.

use super::{Budget, FitPolicy, ModelRequest};
use crate::estimate::{Estimate, EstimateInput, Placement, RUNTIME_MINIMUM_BYTES, estimate};
use crate::gguf::Facts;
use crate::ollama::rules::MemoryRule;
use crate::ollama::rules::memory::ollama_engine_required;
use crate::quant::Quant;
use crate::tier::Tier;
use serde::Serialize;
use std::borrow::Cow;

/// A partial offload: `num_gpu` layers on the GPU, the rest in RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Offload {
    pub num_gpu: u32,
    pub gpu_bytes: u64,
    pub ram_bytes: u64,
}

/// Everything the walk needs about one model and the device.
pub(super) struct Walk<'a> {
    pub request: &'a ModelRequest<'a>,
    pub budget: &'a Budget,
    pub policy: &'a FitPolicy,
    pub tier: Tier,
    pub usable: u64,
    /// The model's facts, derived once for every estimate of the walk.
    shape: Cow<'a, Facts>,
    rule: MemoryRule,
}

impl<'a> Walk<'a> {
    pub fn new(
        request: &'a ModelRequest<'a>,
        budget: &'a Budget,
        policy: &'a FitPolicy,
        tier: Tier,
    ) -> Walk<'a> {
        let resolved = &request.resolved;
        let architecture = resolved.size.architecture(resolved.family);
        let shape = resolved.size.shape(architecture);
        let rule = MemoryRule::for_model(
            policy.ollama,
            ollama_engine_required(&shape.architecture),
            false,
        );
        Walk {
            request,
            budget,
            policy,
            tier,
            usable: policy.usable(budget.memory_bytes()),
            shape,
            rule,
        }
    }

    /// The model's facts.
    pub fn shape(&self) -> &Facts {
        &self.shape
    }

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

    /// The estimate of `quant` at `num_ctx`; a size measured in exactly that
    /// configuration replaces its total.
    pub fn estimate(&self, quant: Quant, num_ctx: u32, placement: Placement) -> Estimate {
        let mut estimate = self.estimated(quant, num_ctx, placement);
        let measured = self
            .request
            .measured
            .iter()
            .find(|m| m.quant == quant && m.num_ctx == estimate.num_ctx);
        if let Some(measured) = measured {
            estimate.total_bytes = measured.total_bytes;
        }
        estimate
    }

    fn estimated(&self, quant: Quant, num_ctx: u32, placement: Placement) -> Estimate {
        let size = self.request.resolved.size;
        estimate(&EstimateInput {
            shape: &self.shape,
            rule: self.rule,
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
    /// quantization fits, if any.
    pub fn shrunk_ctx(&self, quant: Quant) -> Option<u32> {
        let fits =
            |ctx: u32| self.estimate(quant, ctx, self.placement()).total_bytes <= self.usable;
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

    /// A partial offload of `quant` at the requested context, if its GPU part and
    /// its RAM part both fit.
    pub fn offload(&self, quant: Quant) -> Option<Offload> {
        let ctx = self.requested_ctx();
        let cpu = self.estimate(quant, ctx, Placement::Cpu);
        let fixed = RUNTIME_MINIMUM_BYTES + cpu.graph_bytes;
        let layers = self.request.resolved.size.dims.layers;
        let room = self.usable.checked_sub(fixed)?;
        let on_gpu = ((room / cpu.layer_bytes.max(1)) as u32).min(layers.saturating_sub(1));
        let ram_bytes = cpu.total_bytes - u64::from(on_gpu) * cpu.layer_bytes;
        let ram_usable = self.policy.usable(self.budget.ram_bytes);
        (on_gpu > 0 && ram_bytes <= ram_usable).then_some(Offload {
            num_gpu: on_gpu,
            gpu_bytes: fixed + u64::from(on_gpu) * cpu.layer_bytes,
            ram_bytes,
        })
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
    let walk = Walk::new(
        request,
        budget,
        policy,
        Tier::of_quant(request.resolved.quant),
    );
    walk.estimate(request.resolved.quant, num_ctx, walk.placement())
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
