//! `provision auto [MODEL…]`: plan, read what Ollama holds, decide the steps of
//! each model, then run only what differs; a report per model and script-friendly
//! exit codes.

use super::upkeep::Upkeep;
use crate::cli::AutoArgs;
use crate::context::Context;
use crate::execute::{Executor, Progress};
use crate::exit::Outcome;
use crate::interrupt::{Interrupt, is_interrupted};
use crate::inventory::Inventory;
use crate::loaded::AfterAuto;
use crate::lock::{self, Contention, RunLock};
use crate::outdated::TagStatus;
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::{Plan, TierReport};
use crate::probe::Budget;
use crate::prune::PruneReport;
use crate::server_env::{ServerEnv, session::Report as ServerEnvReport};
use crate::state::Recorder;
use crate::steps::{self, Action, Decision, ModelReport, Observed, Status, Summary};
use anyhow::{Context as _, Result};
use serde::Serialize;

/// The `auto --json` object (documented in the README, "provision auto").
#[derive(Debug, Serialize)]
pub struct AutoReport<'a> {
    pub schema_version: u32,
    pub profile: &'a str,
    /// The date the bundled catalog's data is as of.
    pub catalog_as_of: &'a str,
    /// The memory, cores and GPUs the models were planned on.
    pub device: &'a Budget,
    pub tier: &'a TierReport,
    /// `run`, `dry_run` or `check`.
    pub mode: &'static str,
    pub models: &'a [ModelReport],
    pub summary: Summary,
    /// The Ollama server's environment (README, "Server settings").
    pub server_env: &'a ServerEnvReport,
    /// With `--update`: each base tag in use against the registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outdated: Option<&'a [TagStatus]>,
    /// With `--prune`: what was (or would be) removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prune: Option<&'a PruneReport>,
    /// With `--verify`: the loads (dry run) or the load check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<&'a AfterAuto>,
}

pub fn run(ctx: &Context, args: &AutoArgs) -> Result<Outcome> {
    crate::server_env::require_server_device(ctx)?;
    // The profile, the MODEL names and the template fail here, before Ollama is
    // looked for and before any wait for the lock.
    crate::plan::select(&ctx.profile()?.profile, &args.models)?;
    ctx.renderer()?;
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
    if writes {
        let steps = reports.iter_mut().flat_map(|r| r.steps.iter_mut());
        super::room_for_pulls(ctx, steps, args.force)?;
        act(&executor, &mut reports, args.fail_fast)?;
        server.apply(&executor)?;
    } else {
        reports.iter().for_each(say_failure);
        server.plan_only();
    }
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

fn print_report(
    ctx: &Context,
    args: &AutoArgs,
    plan: &Plan,
    reports: &[ModelReport],
    finished: &Finished,
) -> Result<()> {
    let Finished {
        summary,
        server,
        upkeep,
        verified,
    } = finished;
    let mode = if args.dry_run {
        "dry_run"
    } else if args.check {
        "check"
    } else {
        "run"
    };
    if ctx.json() {
        return output::json(&AutoReport {
            schema_version: SCHEMA_VERSION,
            profile: &plan.profile,
            catalog_as_of: &plan.catalog_as_of,
            device: &plan.budget,
            tier: &plan.tier,
            mode,
            models: reports,
            summary: summary.clone(),
            server_env: server.report(),
            outdated: upkeep.outdated.as_deref(),
            prune: upkeep.prune.as_ref(),
            verify: verified.as_ref(),
        });
    }
    if args.quiet {
        return Ok(());
    }
    let mut text = if args.dry_run {
        output::auto::dry_run(plan, reports)
    } else {
        output::auto::summary(plan, reports, summary)
    };
    text.push_str(&server.text(args.dry_run));
    text.push_str(&upkeep.text(!writes(args)));
    if let Some(verified) = verified {
        text.push_str(&output::verify::after_auto(verified));
    }
    output::print(&text)
}
