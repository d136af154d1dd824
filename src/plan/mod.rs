//! The plan: for each model of the profile, what `provision` would create on this
//! device and why. Plain data, computed by pure functions of the device, the
//! profile and the bundled catalog; printing it is `plan`/`--dry-run`, executing
//! it is `auto`.

mod local;
mod model;
mod models;
mod roster;
mod source;
mod tier;

pub use local::LocalBase;
pub use models::{NAMESPACE, ad_hoc_target, select};
pub use tier::{TierReport, tier_report};

use model::{ModelContext, planned};
use roster::fit_all;
use source::Source;

use crate::catalog::{Catalog, Resolved};
use crate::fit::{Budget, GpuInfo, ModelFit, ModelRequest, ServerSetting};
use crate::modelfile::{Modelfile, ParamValue, Renderer};
use crate::probe::{Device, tier_input};
use crate::profile::{Profile, RosterModel, resolve_parameters};
use crate::quant::Quant;
use crate::size::Binary;
use crate::tier::Tier;
use anyhow::Result;
use serde::Serialize;

/// Bumped when a JSON field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `plan`, `modelfile` and `auto` print or act on.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub profile: String,
    /// The date the bundled catalog's data is as of.
    pub catalog_as_of: String,
    pub tier: TierReport,
    /// The memory and cores models are planned on (the JSON shows `device`).
    #[serde(skip)]
    pub budget: Budget,
    /// Whether the models must fit in memory together.
    pub concurrent: bool,
    pub models: Vec<PlannedModel>,
    /// Sum of the estimates, the budget and what is left, for concurrent rosters.
    pub roster: Option<RosterTotals>,
    /// Ollama server variables this roster needs.
    pub server_settings: Vec<ServerSetting>,
}

/// One model: the name it gets, what it is built from, and the fit decision.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedModel {
    /// The name `ollama create` gives it.
    pub name: String,
    /// The model it is built from, as the profile or the command line named it.
    pub base: String,
    pub role: String,
    /// Whether the profile names it (so `auto` may overwrite it).
    pub named_by_profile: bool,
    #[serde(flatten)]
    pub fit: ModelFit,
    /// The fraction of the budget it takes in a concurrent roster.
    pub share: Option<f64>,
    /// The level `ollama create --quantize` makes from a local float base; none
    /// for library tags and for a local base kept at its own level.
    pub quantize: Option<Quant>,
    /// Why `quantize` is not the tier's own level, when it is not (tier 2).
    pub quantize_note: Option<String>,
    /// The Modelfile `auto` would hand to `ollama create`; none when it does not fit.
    #[serde(skip)]
    pub modelfile: Option<Modelfile>,
    /// The same, rendered.
    pub modelfile_text: Option<String>,
    /// Validation warnings (deprecated parameters, repeated names).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterTotals {
    pub fits: bool,
    pub memory_bytes: u64,
    pub budget_bytes: u64,
    pub total_bytes: u64,
    pub buffer_bytes: u64,
    pub reason: String,
}

/// What a plan is computed from.
pub struct Inputs<'a> {
    pub device: &'a Device,
    pub profile: &'a Profile,
    pub forced_tier: Option<Tier>,
    /// Models named on the command line; empty means the profile's roster.
    pub wanted: &'a [String],
    pub renderer: &'a Renderer,
    /// What Ollama reports about the bases the catalog does not know; a base
    /// that is in neither is an error.
    pub local: &'a [LocalBase],
}

/// Computes the plan (see the module comment).
pub fn build(inputs: &Inputs) -> Result<Plan> {
    let catalog = Catalog::bundled();
    let profile = inputs.profile;
    let tier = tier_report(
        tier_input(inputs.device),
        &profile.thresholds,
        inputs.forced_tier,
    );
    let budget = budget(inputs.device);
    let policy = profile.fit_policy();
    let chosen = select(profile, inputs.wanted)?;
    let sources: Vec<Source> = chosen
        .iter()
        .map(|(model, _)| Source::of(catalog, model, inputs.local, tier.tier()))
        .collect::<Result<_>>()?;
    let mut requests: Vec<ModelRequest> = Vec::new();
    for ((model, _), source) in chosen.iter().zip(&sources) {
        if let Some(resolved) = source.resolved(model)? {
            let mut request = request(profile, model, resolved, tier.tier(), budget.cores);
            request.listed_only = source.local().is_some();
            requests.push(request);
        }
    }
    let concurrent = profile.roster.concurrent && requests.len() > 1;
    let fitted = fit_all(&requests, &budget, tier.tier(), &policy, concurrent);
    let (mut fits, mut shares) = (fitted.fits.into_iter(), fitted.shares.into_iter());
    let device_line = device_line(&budget);
    let context = ModelContext {
        profile,
        tier: tier.tier(),
        cores: budget.cores,
        device: &device_line,
    };
    let models = chosen
        .into_iter()
        .zip(&sources)
        .map(|((model, named), source)| {
            let (fit, share) = match source {
                Source::Unplannable(why) => {
                    let fit = source::unplannable(&model, why, &budget, tier.tier(), &policy);
                    (fit, None)
                }
                _ => (
                    fits.next().expect("a fit per request"),
                    shares.next().flatten(),
                ),
            };
            planned(
                &context,
                model,
                named,
                fit,
                share,
                source.local(),
                inputs.renderer,
            )
        })
        .collect::<Result<_>>()?;
    Ok(Plan {
        profile: profile.name.clone(),
        catalog_as_of: catalog.as_of.clone(),
        tier,
        budget,
        concurrent,
        models,
        roster: fitted.roster,
        server_settings: fitted.server_settings,
    })
}

/// The fit module's view of the device: the RAM budget, the cores and each GPU.
pub fn budget(device: &Device) -> Budget {
    Budget {
        ram_bytes: device.memory.effective_bytes.unwrap_or(0),
        cores: u32::try_from(device.cpu.effective_cores)
            .unwrap_or(u32::MAX)
            .max(1),
        gpus: device
            .gpus
            .iter()
            .map(|gpu| GpuInfo {
                name: gpu.name.clone(),
                memory_bytes: gpu.total_bytes,
            })
            .collect(),
    }
}

/// One line about the memory and cores models are planned on.
pub fn device_line(budget: &Budget) -> String {
    let gpu = match budget.gpus.iter().max_by_key(|g| g.memory_bytes) {
        Some(gpu) => format!("GPU {} with {}", gpu.name, Binary(gpu.memory_bytes)),
        None => "no GPU".to_string(),
    };
    format!(
        "{} RAM budget, {} cores, {gpu}",
        Binary(budget.ram_bytes),
        budget.cores
    )
}

/// The fit request for a roster model: its context from the resolved parameters
/// (at the device tier), its priority and its precision bounds.
pub fn request<'c>(
    profile: &Profile,
    model: &RosterModel,
    resolved: Resolved<'c>,
    tier: Tier,
    cores: u32,
) -> ModelRequest<'c> {
    let num_ctx = resolve_parameters(profile, model, tier, cores)
        .iter()
        .rev()
        .find(|p| p.name == "num_ctx")
        .and_then(|p| match p.value {
            ParamValue::Int(n) => u32::try_from(n).ok(),
            _ => None,
        });
    let min_quant = [model.min_quant, model.min_tier.map(Tier::quant)]
        .into_iter()
        .flatten()
        .max();
    let max_quant = [model.max_quant, model.max_tier.map(highest_in_tier)]
        .into_iter()
        .flatten()
        .min();
    ModelRequest {
        resolved,
        priority: f64::from(model.priority),
        installed: None,
        num_ctx,
        min_quant,
        max_quant,
        listed_only: false,
    }
}

/// The most precise quantization a tier holds: F16 for 16, else just under the
/// next tier up (tier 4 holds Q6_K and Q5_K_M as well as Q4_K_M).
fn highest_in_tier(tier: Tier) -> Quant {
    Quant::all()
        .find(|q| Tier::of_quant(*q) == tier && !matches!(q, Quant::F32))
        .unwrap_or(tier.quant())
}
