//! One file per subcommand: `run(&Context, &Args) -> Result<Outcome>`, glue from
//! the context to the pieces and to output. Dispatch only dispatches.

mod auto;
mod completions;
mod inspect;
mod list_quants;
mod modelfile;
mod optimize;
mod plan;
mod probe;
mod profiles;

use crate::cli::{Cli, Command};
use crate::context::{Context, Env};
use crate::exit::Outcome;
use crate::facts;
use crate::inventory::{self, Inventory};
use crate::output;
use crate::plan::{Chosen, Inputs, Plan};
use anyhow::Result;

/// Builds the context and runs the subcommand.
pub fn dispatch(cli: Cli, env: Env) -> Result<Outcome> {
    // `auto` and `optimize` talk to Ollama themselves and keep their calls to a
    // minimum: their probe skips `ollama -v`.
    let asks_version = !matches!(cli.command, Command::Auto(_) | Command::Optimize(_));
    let ctx = Context::new(cli.global, env, asks_version);
    match &cli.command {
        Command::Probe(args) => probe::run(&ctx, args),
        Command::Plan(args) => plan::run(&ctx, args),
        Command::Inspect(args) => inspect::run(&ctx, args),
        Command::Modelfile(args) => modelfile::run(&ctx, args),
        Command::ListQuants(args) => list_quants::run(&ctx, args),
        Command::Auto(args) => auto::run(&ctx, args),
        Command::Optimize(args) => optimize::run(&ctx, args),
        Command::Profiles(args) => profiles::run(&ctx, args),
        Command::Completions(args) => completions::run(&ctx, args),
    }
}

/// The plan of `models` (the profile's roster when empty) on this device, from
/// each model's facts (see [`crate::facts`]). Bases the catalog does not know are
/// looked up in `inventory`; without one, Ollama is asked only when such a base
/// exists, and when it cannot be asked those of the profile's models are planned as
/// not fitting, with the reason.
fn plan(ctx: &Context, models: &[String], inventory: Option<&Inventory>) -> Result<Plan> {
    plan_with(ctx, models, inventory, false)
}

/// Like [`plan`]; `remote` asks the registry for the facts of catalog models too.
fn plan_with(
    ctx: &Context,
    models: &[String],
    inventory: Option<&Inventory>,
    remote: bool,
) -> Result<Plan> {
    let selection = crate::plan::select(&ctx.profile()?.profile, models)?;
    plan_selection(ctx, &selection, inventory, remote)
}

/// Like [`plan_with`], for models already selected.
fn plan_selection(
    ctx: &Context,
    selection: &[Chosen],
    inventory: Option<&Inventory>,
    remote: bool,
) -> Result<Plan> {
    let profile = &ctx.profile()?.profile;
    let renderer = ctx.renderer()?;
    let read;
    let ollama: Result<&Inventory, Option<String>> = match inventory {
        Some(inventory) => Ok(inventory),
        None if inventory::needs_ollama(selection) => {
            read = ctx.ollama().and_then(|ollama| Inventory::read(&ollama));
            read.as_ref()
                .map_err(|e| Some(crate::text::one_line(&e.to_string())))
        }
        None => Err(None),
    };
    let bases: Vec<String> = selection.iter().map(|c| c.model.base.clone()).collect();
    let gathered = facts::gather(
        &facts_sources(ctx, ollama.as_ref().ok().copied(), remote),
        &bases,
    );
    for warning in &gathered.warnings {
        output::warn(warning);
    }
    for unknown in &gathered.unknown {
        let chosen = selection.iter().find(|c| c.model.base == unknown.name);
        // A profile's base Ollama could not be asked about may be installed: it is
        // planned as not fitting, with that reason, as before there were live facts.
        let maybe_installed = matches!(ollama, Err(Some(_)));
        if chosen.is_some_and(|c| c.named_by_profile) && maybe_installed {
            continue;
        }
        let name = chosen.map_or(unknown.name.as_str(), |c| c.model.name.as_str());
        // A name typed on the command line is a usage error; a profile's base is not.
        let error = match chosen.is_some_and(|c| c.named_by_profile) {
            true => anyhow::anyhow!("{}", unknown.message),
            false => unknown.error(),
        };
        return Err(error.context(format!("could not plan model '{name}'")));
    }
    let rest: Vec<Chosen> = selection
        .iter()
        .filter(|c| facts::find(&gathered.known, &c.model.base).is_none())
        .cloned()
        .collect();
    let local = match &ollama {
        Ok(inventory) => inventory.local_bases(&rest),
        Err(Some(why)) => inventory::unreadable_bases(&rest, why),
        Err(None) => Vec::new(),
    };
    crate::plan::build(&Inputs {
        budget: &ctx.budget(),
        profile,
        forced_tier: ctx.flags.tier,
        selection,
        renderer,
        local: &local,
        known: &gathered.known,
    })
}

/// Where model facts come from in this run: the model store, the cache, the registry
/// and what Ollama lists.
fn facts_sources<'a>(
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
