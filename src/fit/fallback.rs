//! When a model does not fit the GPU whole: part of its layers there (a partial
//! offload), or, when the GPU holds no layer of it, all of it on the CPU
//! (`num_gpu 0`) as long as RAM allows. Neither applies without a GPU.

use super::goal::Fitted;
use super::model::Walk;
use super::verdict::How;
use crate::estimate::{Placement, RUNTIME_MINIMUM_BYTES};
use crate::quant::Quant;
use crate::size::Binary;
use serde::Serialize;

/// A partial offload: `num_gpu` layers on the GPU, the rest in RAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Offload {
    pub num_gpu: u32,
    pub gpu_bytes: u64,
    pub ram_bytes: u64,
}

/// Whether a model that does not fit the GPU may run on the CPU instead.
pub(super) fn falls_back(walk: &Walk) -> bool {
    walk.placement() == Placement::Gpu && walk.policy.cpu_fallback
}

/// A partial offload of `quant` at the requested context, if its GPU part and
/// its RAM part both fit.
fn offload(walk: &Walk, quant: Quant) -> Option<Offload> {
    let ctx = walk.requested_ctx();
    let cpu = walk.estimate(quant, ctx, Placement::Cpu);
    let fixed = RUNTIME_MINIMUM_BYTES + cpu.graph_bytes;
    let layers = walk.request.resolved.size.dims.layers;
    let room = walk.usable.checked_sub(fixed)?;
    let on_gpu = u32::try_from(room / cpu.layer_bytes.max(1))
        .unwrap_or(u32::MAX)
        .min(layers.saturating_sub(1));
    let moved = u64::from(on_gpu).saturating_mul(cpu.layer_bytes);
    let ram_bytes = cpu.total_bytes.saturating_sub(moved);
    (on_gpu > 0 && ram_bytes <= walk.ram_usable()).then_some(Offload {
        num_gpu: on_gpu,
        gpu_bytes: fixed.saturating_add(moved),
        ram_bytes,
    })
}

/// `quant` partly offloaded to the GPU, if the policy allows it, the level does
/// not fit the GPU whole (at any context), and both parts fit.
pub(super) fn offloaded(walk: &Walk, quant: Quant, _notes: &mut Vec<String>) -> Option<Fitted> {
    if walk.placement() != Placement::Gpu || !walk.policy.partial_offload || fits_gpu(walk, quant) {
        return None;
    }
    let offload = offload(walk, quant)?;
    let layers = walk.request.resolved.size.dims.layers;
    let sentence = format!(
        "{quant} fits with a partial offload: {}/{layers} layers on the GPU ({}), {} in RAM",
        offload.num_gpu,
        Binary(offload.gpu_bytes),
        Binary(offload.ram_bytes)
    );
    let mut estimate = walk.estimate(quant, walk.requested_ctx(), Placement::Cpu);
    // Both devices hold a runtime minimum and a graph: the GPU's come on top of
    // the CPU estimate, so the total is what the two parts add up to.
    let total = offload.gpu_bytes.saturating_add(offload.ram_bytes);
    let gpu_fixed = total.saturating_sub(estimate.total_bytes);
    estimate.overhead_bytes = estimate.overhead_bytes.saturating_add(gpu_fixed);
    estimate.total_bytes = total;
    Some(Fitted {
        quant,
        estimate,
        how: How::Offload(offload),
        sentence,
    })
}

/// `quant` whole on the CPU, at the requested context or a shrunk one, when the
/// GPU holds no layer of it (a level the GPU holds was judged there: it is faster).
pub(super) fn on_cpu(walk: &Walk, quant: Quant, _notes: &mut Vec<String>) -> Option<Fitted> {
    // Cheapest test first: most walks have no GPU to fall back from.
    if !falls_back(walk) || fits_gpu(walk, quant) {
        return None;
    }
    if walk.policy.partial_offload && offload(walk, quant).is_some() {
        return None;
    }
    let ram = walk.ram_usable();
    let requested = walk.requested_ctx();
    let whole = walk.estimate(quant, requested, Placement::Cpu);
    let ctx = if whole.total_bytes <= ram {
        requested
    } else {
        walk.shrunk_ctx(quant, Placement::Cpu, ram)?
    };
    let estimate = walk.estimate(quant, ctx, Placement::Cpu);
    let shrunk = match ctx < requested {
        true => format!(" instead of {requested}"),
        false => String::new(),
    };
    let sentence = format!(
        "{quant} runs on the CPU (num_gpu 0), as the GPU budget {} holds no layer of it: \
         needs {} of RAM budget {} at num_ctx {ctx}{shrunk}",
        Binary(walk.usable),
        Binary(estimate.total_bytes),
        Binary(ram)
    );
    Some(Fitted {
        quant,
        estimate,
        how: How::CpuFallback,
        sentence,
    })
}

/// Whether `quant` fits the GPU whole, at the requested or a shrunk context.
fn fits_gpu(walk: &Walk, quant: Quant) -> bool {
    let placement = walk.placement();
    walk.estimate(quant, walk.requested_ctx(), placement)
        .total_bytes
        <= walk.usable
        || walk.shrunk_ctx(quant, placement, walk.usable).is_some()
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::fit::{Budget, FitPolicy, GpuInfo, ModelRequest, Run, fit_model};
    use crate::tier::Tier;

    const GIB: u64 = 1 << 30;

    fn on(gpu: u64, ram: u64, policy: &FitPolicy) -> crate::fit::ModelFit {
        let budget = Budget {
            ram_bytes: ram,
            cores: 8,
            gpus: vec![GpuInfo {
                name: "small".into(),
                memory_bytes: gpu,
            }],
        };
        let resolved = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        fit_model(&ModelRequest::new(resolved), &budget, Tier::T4, policy)
    }

    #[test]
    fn a_gpu_that_holds_no_layer_falls_back_to_the_cpu() {
        // 1.5 GiB − 1.1 GiB reserve leaves less than the runtime minimum: no layer.
        let fit = on(3 * GIB / 2, 64 * GIB, &FitPolicy::default());
        assert!(fit.fits, "{}", fit.reason);
        assert_eq!(
            (fit.run, fit.num_gpu, fit.pinned_num_gpu),
            (Some(Run::Cpu), 0, Some(0))
        );
        assert_eq!(fit.budget_bytes, FitPolicy::default().usable(64 * GIB));
        assert!(fit.reason.contains("Q4_K_M runs on the CPU (num_gpu 0), as the GPU budget 435.2 MiB holds no layer of it"), "{}", fit.reason);
        let fit = on(GIB, 64 * GIB, &FitPolicy::default());
        assert!(
            fit.reason.starts_with("budget 0 B: the reserve of "),
            "{}",
            fit.reason
        );
        assert!(
            fit.reason.contains("takes all of the GPU's 1.0 GiB"),
            "{}",
            fit.reason
        );
    }

    #[test]
    fn no_fallback_when_the_policy_says_so_or_ram_is_short() {
        let off = FitPolicy {
            cpu_fallback: false,
            ..FitPolicy::default()
        };
        assert!(!on(GIB, 64 * GIB, &off).fits);
        let fit = on(GIB, 4 * GIB, &FitPolicy::default());
        assert!(!fit.fits);
        assert!(
            fit.reason.contains("on the CPU > RAM budget"),
            "{}",
            fit.reason
        );
    }

    #[test]
    fn a_gpu_with_room_for_layers_still_offloads_part() {
        let fit = on(6 * GIB, 64 * GIB, &FitPolicy::default());
        assert_eq!(fit.run, Some(Run::PartialOffload), "{}", fit.reason);
        assert_eq!(fit.pinned_num_gpu, fit.offload.map(|o| o.num_gpu));
        let offload = fit.offload.unwrap();
        assert_eq!(
            fit.estimate.total_bytes,
            offload.gpu_bytes + offload.ram_bytes
        );
        let e = fit.estimate;
        let parts = e.weights_bytes + e.kv_cache_bytes + e.graph_bytes + e.overhead_bytes;
        assert_eq!(parts, e.total_bytes);
    }
}
