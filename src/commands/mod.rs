//! One file per subcommand: `run(&Context, &Args) -> Result<Outcome>`, glue from
//! the context to the pieces and to output. Dispatch only dispatches.

mod auto;
mod bench;
mod completions;
mod inspect;
mod list_quants;
mod measured;
mod modelfile;
mod optimize;
mod outdated;
mod plan;
mod planning;
mod probe;
mod profiles;
mod prune;
mod upkeep;
mod verify;

use crate::cli::{Cli, Command};
use crate::context::{Context, Env};
use crate::exit::Outcome;
use crate::inventory::Inventory;
use crate::plan::{Chosen, Plan};
use crate::steps::Step;
use anyhow::Result;

/// Builds the context and runs the subcommand.
pub fn dispatch(cli: Cli, env: Env) -> Result<Outcome> {
    // `auto`, `optimize`, `prune` and `outdated` talk to Ollama themselves and keep
    // their calls to a minimum: their probe skips `ollama -v`.
    let asks_version = !matches!(
        cli.command,
        Command::Auto(_) | Command::Optimize(_) | Command::Prune(_) | Command::Outdated(_)
    );
    let shows_speed = matches!(
        cli.command,
        Command::Probe(_) | Command::Plan(_) | Command::ListQuants(_) | Command::Inspect(_)
    );
    let ctx = Context::new(cli.global, env, asks_version).showing_speed(shows_speed);
    match &cli.command {
        Command::Probe(args) => probe::run(&ctx, args),
        Command::Plan(args) => plan::run(&ctx, args),
        Command::Inspect(args) => inspect::run(&ctx, args),
        Command::Modelfile(args) => modelfile::run(&ctx, args),
        Command::ListQuants(args) => list_quants::run(&ctx, args),
        Command::Auto(args) => auto::run(&ctx, args),
        Command::Optimize(args) => optimize::run(&ctx, args),
        Command::Prune(args) => prune::run(&ctx, args),
        Command::Outdated(args) => outdated::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Bench(args) => bench::run(&ctx, args),
        Command::Profiles(args) => profiles::run(&ctx, args),
        Command::Completions(args) => completions::run(&ctx, args),
    }
}

/// The plan of `models` (the profile's roster when empty) on this device, with
/// model facts from the store, the cache, the catalog or the registry (see
/// `planning`).
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

pub(super) use planning::facts_sources;

/// Like [`plan_with`], for models already selected.
fn plan_selection(
    ctx: &Context,
    selection: &[Chosen],
    inventory: Option<&Inventory>,
    remote: bool,
) -> Result<Plan> {
    planning::plan(ctx, selection, inventory, remote)
}

/// Before anything is pulled: gives each pull its size (the registry's, else the
/// catalog's) and refuses the run when what is still to download does not fit
/// the model store's free space; `force` tries anyway, with a warning.
fn room_for_pulls<'s>(
    ctx: &Context,
    steps: impl Iterator<Item = &'s mut Step>,
    force: bool,
) -> Result<()> {
    let mut pulls: Vec<(&mut Option<u64>, String)> = steps
        .filter_map(|step| match step {
            Step::Pull { tag, bytes } => Some((bytes, tag.clone())),
            _ => None,
        })
        .collect();
    if pulls.is_empty() {
        return Ok(());
    }
    let tags: Vec<String> = pulls.iter().map(|(_, tag)| tag.clone()).collect();
    let side = &ctx.device().ollama;
    let registry = ctx.registry().map_err(|e| format!("no registry: {e:#}"));
    let store = side.models_dir.as_deref();
    let download = crate::download::gather(registry.as_ref().map_err(String::clone), &tags, store);
    for ((bytes, _), size) in pulls.iter_mut().zip(&download.pulls) {
        if size.bytes.is_some() {
            **bytes = size.bytes;
        }
    }
    let shown = store.map_or_else(|| "?".to_string(), |s| s.display().to_string());
    match crate::download::check(&download, side.models_dir_free_bytes, &shown) {
        Ok(()) => Ok(()),
        Err(message) if force => {
            crate::output::warn(&format!("{message} (--force: trying anyway)"));
            Ok(())
        }
        Err(message) => Err(anyhow::anyhow!(message)),
    }
}
