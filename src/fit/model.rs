//! Fitting one model: walk down from the tier's quantization, shrink the context
//! before dropping below the quality floor, offload part of the layers to a GPU
//! that is too small, and never pick what does not fit.

use super::{Budget, FitPolicy, ModelFit, ModelRequest, Run, gpu_layers};
use crate::estimate::{Estimate, EstimateInput, Placement, RUNTIME_MINIMUM_BYTES, estimate};
use crate::gguf::Facts;
use crate::ollama::rules::MemoryRule;
use crate::ollama::rules::memory::ollama_engine_required;
use crate::quant::Quant;
use crate::size::Binary;
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
    /// quantization fits, if any.
    fn shrunk_ctx(&self, quant: Quant) -> Option<u32> {
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
    fn offload(&self, quant: Quant) -> Option<Offload> {
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
    let mut notes = Vec::new();
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
    }
    no_fit(&walk, &candidates, notes)
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
            return Some(chosen(walk, quant, estimate, None, notes));
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
        if let Some(ctx) = walk.shrunk_ctx(quant) {
            let estimate = walk.estimate(quant, ctx, walk.placement());
            notes.push(format!(
                "{quant} fits with num_ctx {ctx} instead of {requested}: needs {} of budget {}",
                Binary(estimate.total_bytes),
                Binary(walk.usable)
            ));
            return Some(chosen(walk, quant, estimate, None, notes));
        }
    }
    None
}

fn offload_fit(walk: &Walk, group: &[Quant], notes: &mut Vec<String>) -> Option<ModelFit> {
    if walk.placement() != Placement::Gpu || !walk.policy.partial_offload {
        return None;
    }
    let layers = walk.request.resolved.size.dims.layers;
    group.iter().find_map(|&quant| {
        let offload = walk.offload(quant)?;
        notes.push(format!(
            "{quant} fits with a partial offload: {}/{layers} layers on the GPU ({}), {} in RAM",
            offload.num_gpu,
            Binary(offload.gpu_bytes),
            Binary(offload.ram_bytes)
        ));
        let estimate = walk.estimate(quant, walk.requested_ctx(), Placement::Cpu);
        Some(chosen(walk, quant, estimate, Some(offload), notes))
    })
}

fn chosen(
    walk: &Walk,
    quant: Quant,
    estimate: Estimate,
    offload: Option<Offload>,
    notes: &[String],
) -> ModelFit {
    let resolved = &walk.request.resolved;
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
        reason: notes.join("; "),
    }
}
