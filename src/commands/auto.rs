//! `provision auto [MODEL…]`: plan, read what Ollama holds, decide the steps of
//! each model, then run only what differs; a report per model and script-friendly
//! exit codes.

mod report;

use super::upkeep::Upkeep;
use crate::cli::AutoArgs;
use crate::context::Context;
use crate::execute::{Executor, Progress};
use crate::exit::Outcome;
use crate::interrupt::{Interrupt, is_interrupted};
use crate::inventory::Inventory;
use crate::loaded::AfterAuto;
use crate::lock::{self, Contention, RunLock};
use crate::output;
use crate::plan::Plan;
use crate::server_env::ServerEnv;
use crate::state::Recorder;
use crate::steps::{self, Action, Decision, ModelReport, Observed, Status, Summary};
use anyhow::{Context as _, Result};
use report::print_report;

pub fn run(ctx: &Context, args: &AutoArgs) -> Result<Outcome> {
    check_inputs(ctx, args)?;
    let progress = Progress::new(args.quiet, ctx.terminal_redraws());
    let writes = writes(args);
    let ollama = ctx.ollama()?;
    let _lock = match writes {
        true => Some(take_lock(ctx, args.no_wait, &progress)?),
        false => None,
    };
    // After the lock: a run waiting for it still dies on the first Ctrl-C.
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let ollama = ollama.with_interrupt(interrupt.clone());
    let inventory = Inventory::read(&ollama)?;
    let plan = super::plan(ctx, &args.models, Some(&inventory))?;
    let observed = inventory.observe(&plan.models)?;
    let mut reports = decide_all(&plan, observed, args.force, &ollama.program());
    let outdated = super::outdated::update(ctx, args, &plan, &inventory, &mut reports)?;
    let mut server = server_env(ctx, args, &plan, &ollama.program());
    let recorder = Recorder::open(ctx.paths.state.as_deref(), super::prune::names(&inventory));
    let executor = Executor::new(&ollama, &progress).recording(&recorder);
    act_or_plan(ctx, args, &executor, &mut reports, &mut server)?;
    server.warn(args.quiet);
    let acts = writes.then_some((&executor, &progress));
    let prune = super::prune::after_auto(ctx, args, &plan, &reports, &inventory, &recorder, acts)?;
    let verified = match args.verify {
        true => Some(super::verify::after_auto(
            ctx, args, &ollama, interrupt, &progress, &plan, &reports,
        )?),
        false => None,
    };
    let finished = Finished {
        summary: Summary::of(&reports),
        server,
        upkeep: Upkeep { outdated, prune },
        verified,
    };
    print_report(ctx, args, &plan, &reports, &finished)?;
    Ok(outcome(args, &finished))
}

/// The profile, the MODEL names and the template fail here, before Ollama is
/// looked for and before any wait for the lock.
fn check_inputs(ctx: &Context, args: &AutoArgs) -> Result<()> {
    crate::server_env::require_server_device(ctx)?;
    crate::plan::select(&ctx.profile()?.profile, &args.models)?;
    ctx.renderer()?;
    Ok(())
}

/// When the run writes: room for the pulls, the models' steps, then the server
/// settings. Otherwise the failures known already are said and the settings only
/// planned.
fn act_or_plan(
    ctx: &Context,
    args: &AutoArgs,
    executor: &Executor,
    reports: &mut [ModelReport],
    server: &mut ServerEnv,
) -> Result<()> {
    if !writes(args) {
        reports.iter().for_each(say_failure);
        server.plan_only();
        return Ok(());
    }
    let steps = reports.iter_mut().flat_map(|r| r.steps.iter_mut());
    super::room_for_pulls(ctx, steps, args.force)?;
    act(executor, reports, args.fail_fast)?;
    server.apply(executor)
}

/// How a run ended besides the models: the server settings, the upkeep and,
/// with `--verify`, the load check.
struct Finished {
    summary: Summary,
    server: ServerEnv,
    upkeep: Upkeep,
    verified: Option<AfterAuto>,
}

/// Whether the run changes anything (not `--dry-run`, not `--check`).
fn writes(args: &AutoArgs) -> bool {
    !(args.dry_run || args.check)
}

/// The server variables of the plan, read and decided (`--server-env`).
fn server_env(ctx: &Context, args: &AutoArgs, plan: &Plan, program: &str) -> ServerEnv {
    let file = args.server_env_file.as_deref();
    ServerEnv::prepare(ctx, plan, args.server_env, file, program)
}

/// Failed when a model, the server settings or a removal failed; with `--check`,
/// changes needed when there are (a model, the server settings, a model to prune).
fn outcome(args: &AutoArgs, finished: &Finished) -> Outcome {
    let Finished {
        summary,
        server,
        upkeep,
        verified,
    } = finished;
    let load_failed = verified.as_ref().and_then(AfterAuto::failed) == Some(true);
    if summary.failed > 0 || server.failed() || upkeep.failed() || load_failed {
        Outcome::Failed
    } else if args.check && (summary.planned > 0 || server.changes_needed() || upkeep.pending()) {
        Outcome::ChangesNeeded
    } else {
        Outcome::Success
    }
}

/// The lock at `$XDG_STATE_HOME/provision/lock` (or `~/.local/state/…`).
pub(super) fn take_lock(ctx: &Context, no_wait: bool, progress: &Progress) -> Result<RunLock> {
    let path = ctx.paths.lock()?;
    let contention = if no_wait {
        Contention::Fail
    } else {
        Contention::Wait
    };
    lock::acquire(&path, contention, |pid| {
        let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        progress.note(&format!("waiting for another provision run{who} to finish"));
    })
}

/// The report of each model, in plan order, with its steps; a base several
/// models share is pulled by the first of them only.
fn decide_all(
    plan: &Plan,
    observed: Vec<Result<Observed, String>>,
    force: bool,
    program: &str,
) -> Vec<ModelReport> {
    let mut reports: Vec<ModelReport> = plan
        .models
        .iter()
        .zip(observed)
        .map(|(model, seen)| match seen {
            Ok(seen) => ModelReport::new(model, &steps::decide(model, &seen, force), program),
            Err(error) => unreadable(model, error, program),
        })
        .collect();
    steps::share_pulls_among(&mut reports, program);
    reports
}

/// A model whose installed copy could not be read: failed, nothing to run.
fn unreadable(model: &crate::plan::PlannedModel, error: String, program: &str) -> ModelReport {
    let decision = Decision {
        action: Action::Create,
        reason: "could not read the installed model".to_string(),
        existed: true,
        steps: Vec::new(),
    };
    let mut report = ModelReport::new(model, &decision, program);
    report.status = Status::Failed;
    report.error = Some(error);
    report
}

/// Runs each planned model's steps; failures are reported and, without
/// `fail_fast`, do not stop the others. An interrupt stops everything (exit 130).
fn act(executor: &Executor, reports: &mut [ModelReport], fail_fast: bool) -> Result<()> {
    let mut stopped = false;
    for report in reports.iter_mut() {
        if report.status == Status::Planned && stopped {
            report.status = Status::Skipped;
            report.reason = format!(
                "not attempted after a failure (--fail-fast); {}",
                report.reason
            );
            continue;
        }
        if report.status == Status::Planned {
            let existed = report.replaces();
            match executor.run(&report.steps) {
                Ok(()) if existed => report.status = Status::Updated,
                Ok(()) => report.status = Status::Created,
                Err(error) if is_interrupted(&error) => return Err(error),
                Err(error) => {
                    report.status = Status::Failed;
                    report.error = Some(crate::text::one_line(&format!("{error:#}")));
                }
            }
        }
        say_failure(report);
        stopped |= fail_fast && report.status == Status::Failed;
    }
    Ok(())
}

/// `provision: <model>: <error>` for a failed model.
fn say_failure(report: &ModelReport) {
    if let (Status::Failed, Some(error)) = (report.status, &report.error) {
        output::error(&format!("{}: {error}", report.name));
    }
}
