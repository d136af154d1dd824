//! Whether one quantization level fits this device, as `auto` would judge it.

use crate::fit::{Budget, FitPolicy, ModelRequest, estimate_at, fit_model};
use crate::quant::Quant;
use crate::tier::Tier;

/// The verdict on one level.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantFit {
    /// Whether the fit finds a way to run it: whole at the requested context, at a
    /// smaller context, partly offloaded to the GPU, or on the CPU when the GPU
    /// holds no layer of it.
    pub fits: bool,
    /// The estimated memory at the requested (profile) context, on the device
    /// models are placed on.
    pub total_bytes: u64,
    /// How it fits when not whole at the requested context.
    pub note: Option<String>,
    /// How fast it decodes as it fits (none when it does not, or unknown).
    pub speed: Option<crate::speed::Speed>,
}

/// Fits `request` pinned to `quant` (the tier is no ceiling here: this answers
/// whether the level fits, not whether `auto` would pick it). `bytes` replaces the
/// catalog's blob size (a registry-exact size).
pub fn fit_quant(
    request: &ModelRequest,
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
    quant: Quant,
    bytes: Option<u64>,
) -> QuantFit {
    let mut pinned = *request;
    pinned.resolved = pinned.resolved.pinned(quant);
    pinned.installed = bytes.map(|b| (quant, b));
    let fit = fit_model(&pinned, budget, tier, policy);
    let layers = pinned.resolved.size.dims.layers;
    let requested = policy.requested_ctx(request.num_ctx, pinned.resolved.size.dims.context);
    let at_requested = estimate_at(&pinned, budget, policy, requested);
    let shrunk =
        (fit.num_ctx < at_requested.num_ctx).then(|| format!("at num_ctx {}", fit.num_ctx));
    let note = match (fit.fits, fit.offload, fit.pinned_num_gpu) {
        (false, _, _) => None,
        (true, Some(offload), _) => Some(format!(
            "partial offload {}/{layers} layers",
            offload.num_gpu
        )),
        // A GPU too small for any layer: the whole model on the CPU.
        (true, None, Some(0)) => Some(
            ["on the CPU".to_string()]
                .into_iter()
                .chain(shrunk)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (true, None, _) => shrunk,
    };
    QuantFit {
        fits: fit.fits,
        total_bytes: at_requested.total_bytes,
        note,
        speed: fit.speed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn ram(gib: u64) -> Budget {
        Budget {
            ram_bytes: gib << 30,
            cores: 4,
            gpus: Vec::new(),
        }
    }

    fn fit(gib: u64, quant: Quant) -> QuantFit {
        let resolved = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let request = ModelRequest::new(resolved);
        fit_quant(
            &request,
            &ram(gib),
            Tier::T4,
            &FitPolicy::default(),
            quant,
            None,
        )
    }

    #[test]
    fn each_level_is_judged_on_its_own_size_regardless_of_the_tier() {
        let f16 = fit(64, Quant::F16);
        assert!(f16.fits, "the 4-bit tier is no ceiling for FITS");
        assert!(f16.total_bytes > 16_000_000_000);
        assert_eq!(f16.note, None);
        let small = fit(8, Quant::F16);
        assert!(!small.fits);
        assert_eq!(
            small.total_bytes, f16.total_bytes,
            "same context, same total"
        );
        assert!(fit(8, Quant::Q4KM).fits);
    }

    #[test]
    fn a_registry_size_replaces_the_catalog_size() {
        let resolved = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let request = ModelRequest::new(resolved);
        let grows = |budget: &Budget, policy: &FitPolicy| {
            let catalog = fit_quant(&request, budget, Tier::T8, policy, Quant::Q8_0, None);
            let bigger = Some(9_540_775_552);
            let remote = fit_quant(&request, budget, Tier::T8, policy, Quant::Q8_0, bigger);
            remote.total_bytes - catalog.total_bytes
        };
        // A billion more weight bytes. On a GPU the classic estimator (≤ 0.12.10)
        // adds a 32nd of it in its spare layer; llama-server (the newest) keeps no
        // spare, and neither does a CPU.
        let classic = FitPolicy {
            ollama: crate::ollama::rules::OllamaVersion::parse("0.12.10").unwrap(),
            ..FitPolicy::default()
        };
        let gpu = Budget {
            gpus: vec![crate::probe::GpuInfo {
                name: "g".into(),
                memory_bytes: 24 << 30,
            }],
            ..ram(16)
        };
        assert_eq!(grows(&gpu, &classic), 1_031_250_000);
        assert_eq!(grows(&gpu, &FitPolicy::default()), 1_000_000_000);
        assert_eq!(grows(&ram(16), &classic), 1_000_000_000);
    }

    #[test]
    fn a_level_that_fits_only_with_a_smaller_context_says_so() {
        let resolved = Catalog::bundled().resolve("llama3.1:8b").unwrap();
        let mut request = ModelRequest::new(resolved);
        request.num_ctx = Some(131_072);
        let verdict = fit_quant(
            &request,
            &ram(16),
            Tier::T8,
            &FitPolicy::default(),
            Quant::Q4KM,
            None,
        );
        assert!(verdict.fits);
        assert!(verdict.note.unwrap().starts_with("at num_ctx "));
        assert!(verdict.total_bytes > 16 << 30);
    }
}
