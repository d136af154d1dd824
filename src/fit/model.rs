//! The walk over one model's levels: its facts, its candidates, the estimate of
//! each at a context and placement, a shrunk context, Ollama's admission figure.

use super::{Budget, FitPolicy, ModelRequest};
use crate::estimate::{Estimate, EstimateInput, Placement, estimate};
use crate::gguf::Facts;
use crate::ollama::rules::MemoryRule;
use crate::ollama::rules::memory::ollama_engine_required;
use crate::quant::Quant;
use crate::tier::Tier;
use std::borrow::Cow;

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
    /// What Ollama ≥ 0.30 compares with 80 % of the free memory before it loads
    /// the model next to others (`server/sched.go` `Scheduler.load`): its
    /// `PredictServerVRAM` plus the generation-batch surcharge. None for the
    /// versions that load by another rule.
    pub fn admission(&self, quant: Quant, num_ctx: u32) -> Option<u64> {
        use crate::ollama::rules::llama_server::{self as server, BatchDevice};
        if self.rule != MemoryRule::LlamaServer {
            return None;
        }
        let shape = &self.shape;
        let heads = shape.layers.iter().map(|l| l.head_count);
        let kv_min = shape
            .layers
            .iter()
            .map(|l| l.head_count_kv)
            .filter(|&k| k > 0)
            .min();
        let model = server::ServerModel {
            file_bytes: self.file_bytes(quant).0,
            block_count: shape.block_count,
            head_count_kv_min: kv_min.unwrap_or(1),
            embedding_length: shape.embedding_length.unwrap_or(0),
            head_count_max: heads.max().unwrap_or(0),
            n_ctx_train: shape.context_length.unwrap_or(0),
        };
        let request = server::LoadRequest {
            num_ctx: u64::from(num_ctx),
            parallel: u64::from(self.policy.num_parallel.max(1)),
            completion: true,
            num_batch: None,
            device: BatchDevice::Other,
            available: self.budget.memory_bytes(),
        };
        Some(server::predict_load(&model, &request).predicted_for_load)
    }

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
    let walk = Walk::new(
        request,
        budget,
        policy,
        Tier::of_quant(request.resolved.quant),
    );
    walk.estimate(request.resolved.quant, num_ctx, walk.placement())
}

/// How fast `quant` of the request's model decodes here whole at `num_ctx`
/// (`policy.machine`'s bandwidth); none when it is unknown or not asked for.
pub fn speed_at(
    request: &ModelRequest,
    budget: &Budget,
    policy: &FitPolicy,
    quant: Quant,
    num_ctx: u32,
) -> Option<crate::speed::Speed> {
    let walk = Walk::new(request, budget, policy, Tier::of_quant(quant));
    super::goal::speed_of(&walk, quant, num_ctx, super::verdict::How::Whole)
}
