//! One file per subcommand: `run(&Context, &Args) -> Result<Outcome>`, glue from
//! the context to the pieces and to output. Dispatch only dispatches.

mod auto;
mod bench;
mod completions;
mod list_quants;
mod measured;
mod modelfile;
mod optimize;
mod outdated;
mod plan;
mod probe;
mod profiles;
mod prune;
mod upkeep;
mod verify;

use crate::cli::{Cli, Command};
use crate::context::{Context, Env};
use crate::exit::Outcome;
use crate::inventory::{self, Inventory};
use crate::ollama::rules::OllamaTarget;
use crate::plan::{Chosen, Inputs, Plan};
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
        Command::Probe(_) | Command::Plan(_) | Command::ListQuants(_)
    );
    let ctx = Context::new(cli.global, env, asks_version).showing_speed(shows_speed);
    match &cli.command {
        Command::Probe(args) => probe::run(&ctx, args),
        Command::Plan(args) => plan::run(&ctx, args),
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

/// The plan of `models` (the profile's roster when empty) on this device. Bases
/// the catalog does not know are looked up in `inventory`; without one, Ollama is
/// asked only when such a base exists, and when it cannot be asked those models
/// are planned as not fitting, with the reason.
fn plan(ctx: &Context, models: &[String], inventory: Option<&Inventory>) -> Result<Plan> {
    let selection = crate::plan::select(&ctx.profile()?.profile, models)?;
    plan_selection(ctx, &selection, inventory)
}

/// Like [`plan`], for models already selected. Measurements recorded on this
/// machine are used when they apply (`measured::applicable`); only then, or
/// for a base the catalog does not know, is Ollama asked what it holds.
fn plan_selection(
    ctx: &Context,
    selection: &[Chosen],
    inventory: Option<&Inventory>,
) -> Result<Plan> {
    // A remote server's device cannot be probed from here.
    crate::server_env::require_server_device(ctx)?;
    let profile = &ctx.profile()?.profile;
    let renderer = ctx.renderer()?;
    let wants_measurements = measured::recorded_here(ctx)?;
    let needs_bases = inventory::needs_ollama(selection);
    let read;
    let inventory = match inventory {
        Some(inventory) => Ok(inventory),
        None if needs_bases || wants_measurements => {
            read = ctx.ollama().and_then(|ollama| Inventory::read(&ollama));
            read.as_ref()
                .map_err(|error| crate::text::one_line(&error.to_string()))
        }
        None => Err(String::new()),
    };
    let local = match &inventory {
        Ok(inventory) => inventory.local_bases(selection),
        Err(why) if needs_bases => inventory::unreadable_bases(selection, why),
        Err(_) => Vec::new(),
    };
    let reported = match &inventory {
        Ok(inventory) => inventory.version().map(String::from),
        Err(_) => ctx.device().ollama.version.clone(),
    };
    let ollama = OllamaTarget::from_reported(reported.as_deref()).map_err(anyhow::Error::msg)?;
    let measured = match wants_measurements {
        true => measured::applicable(ctx, inventory)?,
        false => Vec::new(),
    };
    crate::plan::build(&Inputs {
        ollama,
        budget: &ctx.budget(),
        profile,
        forced_tier: ctx.flags.tier,
        selection,
        renderer,
        local: &local,
        measured: &measured,
        machine: speed_machine(ctx, profile),
    })
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
    Some(crate::speed::Machine {
        cpu_bytes_per_s: bandwidth.cpu.bytes_per_s,
        gpu_bytes_per_s: bandwidth.largest_gpu(device).and_then(|g| g.bytes_per_s),
        cores: ctx.budget().cores,
        simd: device.cpu.simd.clone(),
    })
}
