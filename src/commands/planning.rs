//! The glue every planning command shares: gathers what the planner needs from
//! outside (model facts, what Ollama holds, its version, measurements recorded
//! here) and hands it to the pure `plan::build`.

use super::measured;
use crate::context::Context;
use crate::facts::{self, Gathered};
use crate::inventory::{self, Inventory};
use crate::ollama::rules::OllamaTarget;
use crate::output;
use crate::plan::{Chosen, Inputs, Plan};
use anyhow::Result;

/// What Ollama holds, when it was asked: `Err(None)` when it did not need to
/// be, `Err(Some(why))` when it could not be.
type Asked<'a> = Result<&'a Inventory, Option<String>>;

/// The plan of `selection` on this device (see the module comment).
pub(super) fn plan(
    ctx: &Context,
    selection: &[Chosen],
    inventory: Option<&Inventory>,
    remote: bool,
) -> Result<Plan> {
    // A remote server's device cannot be probed from here.
    crate::server_env::require_server_device(ctx)?;
    let profile = &ctx.profile()?.profile;
    let renderer = ctx.renderer()?;
    let wants_measurements = measured::recorded_here(ctx)?;
    let read;
    let ollama: Asked = match inventory {
        Some(inventory) => Ok(inventory),
        None if inventory::needs_ollama(selection) || wants_measurements => {
            read = ctx.ollama().and_then(|ollama| Inventory::read(&ollama));
            read.as_ref()
                .map_err(|e| Some(crate::text::one_line(&e.to_string())))
        }
        None => Err(None),
    };
    let gathered = model_facts(ctx, selection, &ollama, remote)?;
    let local = local_bases(selection, &gathered, &ollama);
    let measured = match wants_measurements {
        true => measured::applicable(ctx, ollama.clone().map_err(Option::unwrap_or_default))?,
        false => Vec::new(),
    };
    crate::plan::build(&Inputs {
        ollama: target(ctx, &ollama)?,
        budget: &ctx.budget(),
        profile,
        forced_tier: ctx.flags.tier,
        selection,
        renderer,
        local: &local,
        measured: &measured,
        known: &gathered.known,
        machine: speed_machine(ctx, profile),
    })
}

/// The facts of every base (store, cache, catalog, registry); a base nobody
/// knows fails the plan, except a profile's base Ollama could not be asked
/// about, which may be installed and is planned as not fitting, with the reason.
fn model_facts(
    ctx: &Context,
    selection: &[Chosen],
    ollama: &Asked,
    remote: bool,
) -> Result<Gathered> {
    let bases: Vec<String> = selection.iter().map(|c| c.model.base.clone()).collect();
    let sources = facts_sources(ctx, ollama.as_ref().ok().copied(), remote);
    let gathered = facts::gather(&sources, &bases);
    for warning in &gathered.warnings {
        output::warn(warning);
    }
    for unknown in &gathered.unknown {
        let chosen = selection.iter().find(|c| c.model.base == unknown.name);
        let by_profile = chosen.is_some_and(|c| c.named_by_profile);
        if by_profile && matches!(ollama, Err(Some(_))) {
            continue;
        }
        let name = chosen.map_or(unknown.name.as_str(), |c| c.model.name.as_str());
        // A name typed on the command line is a usage error; a profile's base is not.
        let error = match by_profile {
            true => anyhow::anyhow!("{}", unknown.message),
            false => unknown.error(),
        };
        return Err(error.context(format!("could not plan model '{name}'")));
    }
    Ok(gathered)
}

/// Where model facts come from in this run: the model store, the cache, the
/// registry and what Ollama lists.
pub(crate) fn facts_sources<'a>(
    ctx: &'a Context,
    inventory: Option<&'a Inventory>,
    remote: bool,
) -> facts::Sources<'a> {
    facts::Sources {
        store: ctx.device().ollama.models_dir.as_deref(),
        cache: facts::Cache::new(ctx.paths.cache.as_deref()),
        registry: ctx.registry().map_err(|e| format!("{e:#}")),
        inventory,
        remote,
    }
}

/// What Ollama reports about the bases no fact source knew (a user's own import
/// whose store could not be read), or why it could not be asked.
fn local_bases(
    selection: &[Chosen],
    gathered: &Gathered,
    ollama: &Asked,
) -> Vec<crate::plan::LocalBase> {
    let rest: Vec<Chosen> = selection
        .iter()
        .filter(|c| facts::find(&gathered.known, &c.model.base).is_none())
        .cloned()
        .collect();
    match ollama {
        Ok(inventory) => inventory.local_bases(&rest),
        Err(Some(why)) => inventory::unreadable_bases(&rest, why),
        Err(None) => Vec::new(),
    }
}

/// The Ollama the plan is made for: the version `ollama -v` reported (the run's
/// inventory asked it; else the probe did), or the newest when none answered.
fn target(ctx: &Context, ollama: &Asked) -> Result<OllamaTarget> {
    let reported = match ollama {
        Ok(inventory) => inventory.version().map(String::from),
        Err(_) => ctx.device().ollama.version.clone(),
    };
    OllamaTarget::from_reported(reported.as_deref()).map_err(anyhow::Error::msg)
}

/// The machine speeds are predicted on, when they are wanted: the command
/// shows them, or a model has a speed goal. Only then is the bandwidth
/// resolved (and measured, the first time on a machine).
pub(super) fn speed_machine(
    ctx: &Context,
    profile: &crate::profile::Profile,
) -> Option<crate::speed::Machine> {
    if !ctx.shows_speed() && !profile.has_speed_goals() {
        return None;
    }
    let bandwidth = ctx.bandwidth();
    let device = ctx.device();
    let gpu = bandwidth.largest_gpu(device);
    Some(crate::speed::Machine {
        cpu_bytes_per_s: bandwidth.cpu.bytes_per_s,
        gpu_bytes_per_s: gpu.and_then(|g| g.bytes_per_s),
        // The table's TFLOPS (10^12 FLOP/s); prompt speed on the GPU needs it.
        gpu_flops: gpu.and_then(|g| g.fp16_tflops).map(|t| t * 1e12),
        cores: ctx.budget().cores,
        simd: device.cpu.simd.clone(),
    })
}
