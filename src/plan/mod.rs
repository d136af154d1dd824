//! The plan: for each model of the profile, what `provision` would create on this
//! device and why. Plain data, computed by pure functions of the device, the
//! profile and the bundled catalog; printing it is `plan`/`--dry-run`, executing
//! it is `auto`.

mod local;
mod measured;
mod model;
mod models;
mod roster;
mod source;
mod speeds;
mod tier;

pub use local::LocalBase;
pub use models::{Chosen, NAMESPACE, ad_hoc_target, select};
pub use tier::{TierReport, tier_report};

use model::{ModelContext, planned_models};
use roster::fit_all;
use source::Source;

use crate::catalog::{Catalog, Resolved};
use crate::facts::{Known, Provenance};
use crate::fit::{FitPolicy, MeasuredSize, ModelFit, ModelRequest, ServerSetting, SpeedRequest};
use crate::measurements::{Measured, Measurement};
use crate::modelfile::{Modelfile, ParamValue, Parameter, Renderer};
use crate::ollama::rules::{OllamaTarget, env};
use crate::probe::Budget;
use crate::profile::{Profile, RosterModel, resolve_parameters};
use crate::quant::Quant;
use crate::tier::Tier;
use anyhow::Result;
use serde::Serialize;

/// Everything `plan`, `modelfile` and `auto` print or act on.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub profile: String,
    /// The Ollama version the plan was made for.
    pub ollama: OllamaTarget,
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
    /// Where the model's facts and its weights size came from.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The context the model's resolved parameters ask for, before fitting.
    #[serde(skip)]
    pub asked_ctx: Option<u32>,
    /// The measurement on this machine the fit used instead of the estimate
    /// (null when none applies).
    pub measured: Option<Measured>,
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
    /// The Ollama the models are planned for: its rules size and write them.
    pub ollama: OllamaTarget,
    pub budget: &'a Budget,
    pub profile: &'a Profile,
    pub forced_tier: Option<Tier>,
    /// The models to plan, from [`select`].
    pub selection: &'a [Chosen],
    pub renderer: &'a Renderer,
    /// What Ollama reports about the bases the catalog does not know; a base
    /// that is in neither is an error.
    pub local: &'a [LocalBase],
    /// Measurements on this machine that apply to the installed models (read
    /// by the command layer, `crate::measurements::applicable`).
    pub measured: &'a [Measurement],
    /// Live facts (installed headers, the registry), which win over the catalog.
    pub known: &'a [Known],
    /// The bandwidths and cores speeds are predicted from; none when speeds
    /// are not wanted (no goal, a command that does not show them).
    pub machine: Option<crate::speed::Machine>,
}

/// Computes the plan (see the module comment).
pub fn build(inputs: &Inputs) -> Result<Plan> {
    let catalog = Catalog::bundled();
    let (profile, budget) = (inputs.profile, inputs.budget);
    let tier = tier_report(budget.tier_input(), &profile.thresholds, inputs.forced_tier);
    let policy = policy(profile, inputs);
    let facts = facts(inputs, catalog, tier.tier())?;
    let sizes = measured::sizes(inputs.selection, inputs.measured);
    let speeds = speeds::speeds(
        profile,
        inputs.selection,
        &facts,
        inputs.measured,
        policy.machine.as_ref(),
        policy.kv_cache_type,
    );
    let requests = requests(inputs.selection, &facts, &sizes, &speeds)?;
    let concurrent = profile.roster.concurrent && requests.len() > 1;
    let fitted = fit_all(&requests, budget, tier.tier(), &policy, concurrent);
    let device = budget.describe();
    let context = ModelContext {
        profile,
        ollama: inputs.ollama.version,
        tier: tier.tier(),
        device: &device,
        renderer: inputs.renderer,
        measured: inputs.measured,
    };
    let models = planned_models(
        &context,
        inputs,
        facts,
        (fitted.fits, fitted.shares),
        &policy,
    )?;
    Ok(Plan {
        profile: profile.name.clone(),
        ollama: inputs.ollama,
        catalog_as_of: catalog.as_of.clone(),
        tier,
        budget: budget.clone(),
        concurrent,
        models,
        roster: fitted.roster,
        server_settings: fitted.server_settings,
    })
}

/// The profile's fit policy for the Ollama the plan is made for, with the
/// machine speeds are predicted on.
fn policy(profile: &Profile, inputs: &Inputs) -> FitPolicy {
    let mut policy = FitPolicy {
        ollama: inputs.ollama.version,
        machine: inputs.machine.clone(),
        ..profile.fit_policy()
    };
    // Before 0.5.0 Ollama has no quantized KV cache: size it as the f16 it uses.
    if env::kv_cache_rule(policy.ollama) == env::KvCacheRule::F16Only {
        policy.kv_cache_type = crate::estimate::KvCacheType::F16;
    }
    policy
}

/// Where each model's facts come from, and its parameters, resolved once: the
/// fit reads their num_ctx, the Modelfile all of them.
fn facts<'c>(
    inputs: &Inputs<'c>,
    catalog: &'c Catalog,
    tier: Tier,
) -> Result<Vec<(Source<'c>, Vec<Parameter>)>> {
    // A concurrent roster's models run at the same time: they share the cores.
    let together = match inputs.profile.roster.concurrent {
        true => inputs.selection.len(),
        false => 1,
    };
    let cores = crate::profile::cores_per_model(inputs.budget.cores, together);
    inputs
        .selection
        .iter()
        .map(|chosen| {
            let version = inputs.ollama.version;
            let source = Source::of(
                catalog,
                &chosen.model,
                inputs.local,
                inputs.known,
                tier,
                version,
            )?;
            let params = resolve_parameters(inputs.profile, &chosen.model, tier, cores);
            Ok((source, params))
        })
        .collect()
}

/// The fit request of every plannable model, in order.
fn requests<'c>(
    selection: &[Chosen],
    facts: &'c [(Source<'c>, Vec<Parameter>)],
    measured: &'c [Vec<MeasuredSize>],
    speeds: &'c speeds::Speeds,
) -> Result<Vec<ModelRequest<'c>>> {
    let mut requests = Vec::new();
    let speed = speeds.requests.iter().zip(&speeds.measured);
    for (((chosen, (source, params)), sizes), (speed, timed)) in
        selection.iter().zip(facts).zip(measured).zip(speed)
    {
        if let Some(resolved) = source.resolved(&chosen.model)? {
            let mut request = request(&chosen.model, resolved, asked_ctx(params));
            request.listed_only = source.local().is_some();
            request.measured = sizes;
            request.speed = SpeedRequest {
                measured: timed,
                ..*speed
            };
            requests.push(request);
        }
    }
    Ok(requests)
}

/// The `num_ctx` resolved parameters ask for (the last one wins, as in Ollama).
pub fn asked_ctx(parameters: &[Parameter]) -> Option<u32> {
    parameters
        .iter()
        .rev()
        .find(|p| p.name == "num_ctx")
        .and_then(|p| match p.value {
            ParamValue::Int(n) => u32::try_from(n).ok(),
            _ => None,
        })
}

/// The fit request for a roster model: the context its parameters ask for, its
/// priority and its precision bounds.
pub fn request<'c>(
    model: &RosterModel,
    resolved: Resolved<'c>,
    num_ctx: Option<u32>,
) -> ModelRequest<'c> {
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
        measured: &[],
        speed: SpeedRequest::default(),
    }
}

/// The most precise quantization a tier holds: F16 for 16, else just under the
/// next tier up (tier 4 holds Q6_K and Q5_K_M as well as Q4_K_M).
fn highest_in_tier(tier: Tier) -> Quant {
    Quant::all()
        .find(|q| Tier::of_quant(*q) == tier && !matches!(q, Quant::F32))
        .unwrap_or(tier.quant())
}

/// Plans `wanted` (the roster when empty) on a budget of `ram` bytes and
/// `cores` without a GPU, with the built-in template: the unit tests' planner.
#[cfg(test)]
pub(crate) fn for_tests(
    profile: &Profile,
    budget: (u64, u32),
    tier: Option<Tier>,
    wanted: &[String],
    local: &[LocalBase],
) -> Plan {
    let budget = Budget {
        ram_bytes: budget.0,
        cores: budget.1,
        gpus: Vec::new(),
    };
    build(&Inputs {
        ollama: OllamaTarget::NEWEST,
        budget: &budget,
        profile,
        forced_tier: tier,
        selection: &select(profile, wanted).unwrap(),
        renderer: &Renderer::new(None).unwrap(),
        local,
        measured: &[],
        known: &[],
        machine: None,
    })
    .unwrap()
}
