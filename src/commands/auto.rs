//! `provision auto [MODEL…]`: probe, plan, read what Ollama holds, then pull,
//! create and verify only what differs; a report per model and script-friendly
//! exit codes.

use crate::apply::{self, Action, Decision, ModelReport, Observed, Progress, Status, Summary};
use crate::cli::{AutoArgs, Global};
use crate::exit;
use crate::fit::Budget;
use crate::lock::{self, Contention, RunLock};
use crate::ollama::{Interrupt, Ollama, OllamaError};
use crate::plan::{Plan, SCHEMA_VERSION, TierReport};
use crate::probe::{Device, Roots};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

pub fn run(global: &Global, args: &AutoArgs) -> Result<ExitCode> {
    // `ollama -v` is skipped: the run's calls are `list`, `show`, `pull`, `create`.
    let device = super::with_overrides(global, Device::probe_with(&Roots::from_env(), false));
    let plan = super::build_plan(global, &device, &args.models)?;
    let progress = Progress::new(args.quiet);
    let writes = !(args.dry_run || args.check);
    let ollama = Ollama::from_flags(global)?;
    let _lock = if writes {
        Some(take_lock(args.no_wait, &progress)?)
    } else {
        None
    };
    // After the lock: a run waiting for it still dies on the first Ctrl-C.
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let ollama = ollama.with_interrupt(interrupt);
    let observed = apply::observe(&ollama, &plan.models)?;
    let mut decided = decide_all(&ollama, &plan, observed, args.force);
    if writes {
        act(&ollama, &progress, &plan, &mut decided, args.fail_fast)?;
    } else {
        for (report, _) in &decided {
            if let Some(error) = &report.error {
                eprintln!("provision: {}: {error}", report.name);
            }
        }
    }
    let reports: Vec<ModelReport> = decided.into_iter().map(|(r, _)| r).collect();
    let summary = Summary::of(&reports);
    print_report(global.json, args, &plan, &reports, &summary)?;
    Ok(ExitCode::from(exit_code(args, &summary)))
}

/// 1 when a model failed; with `--check`, 3 when changes are needed; else 0.
fn exit_code(args: &AutoArgs, summary: &Summary) -> u8 {
    if summary.failed > 0 {
        exit::FAILURE
    } else if args.check && summary.planned > 0 {
        exit::CHANGES_NEEDED
    } else {
        exit::OK
    }
}

/// The lock at `$XDG_STATE_HOME/provision/lock` (or `~/.local/state/…`).
pub(super) fn take_lock(no_wait: bool, progress: &Progress) -> Result<RunLock> {
    let path = lock::default_path(
        std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
    .context("could not place the lock file: set XDG_STATE_HOME or HOME")?;
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

/// The decision and the initial report of each model, in plan order.
fn decide_all(
    ollama: &Ollama,
    plan: &Plan,
    observed: Vec<Result<Observed, String>>,
    force: bool,
) -> Vec<(ModelReport, Decision)> {
    plan.models
        .iter()
        .zip(observed)
        .map(|(model, seen)| match seen {
            Ok(seen) => {
                let decision = apply::decide(model, &seen, force);
                let commands = apply::commands(ollama, model, decision.action);
                (ModelReport::new(model, &decision, commands), decision)
            }
            Err(error) => {
                let decision = Decision {
                    action: Action::Create,
                    reason: "could not read the installed model".to_string(),
                    existed: true,
                };
                let mut report = ModelReport::new(model, &decision, Vec::new());
                report.status = Status::Failed;
                report.error = Some(error);
                (report, decision)
            }
        })
        .collect()
}

/// Runs each planned change; failures are reported and, without `fail_fast`,
/// do not stop the others. An interrupt stops everything (exit 130).
fn act(
    ollama: &Ollama,
    progress: &Progress,
    plan: &Plan,
    decided: &mut [(ModelReport, Decision)],
    fail_fast: bool,
) -> Result<()> {
    let mut stopped = false;
    let mut pulled: Vec<&str> = Vec::new();
    for (model, (report, decision)) in plan.models.iter().zip(decided.iter_mut()) {
        let tag = model.fit.tag.as_deref().unwrap_or_default();
        if decision.action == Action::PullCreate && pulled.contains(&tag) {
            // An earlier model of this run pulled the same base.
            decision.action = Action::Create;
            report.action = Action::Create;
            report.commands = apply::commands(ollama, model, Action::Create);
        }
        if report.status == Status::Planned && stopped {
            report.status = Status::Skipped;
            report.reason = format!(
                "not attempted after a failure (--fail-fast); {}",
                report.reason
            );
            continue;
        }
        if report.status == Status::Planned {
            if decision.action == Action::PullCreate {
                pulled.push(tag);
            }
            match apply::execute(ollama, progress, model, decision) {
                Ok(()) if decision.existed => report.status = Status::Updated,
                Ok(()) => report.status = Status::Created,
                Err(error) if interrupted(&error) => return Err(error),
                Err(error) => {
                    report.status = Status::Failed;
                    report.error = Some(exit::one_line(&format!("{error:#}")));
                }
            }
        }
        if let (Status::Failed, Some(error)) = (report.status, &report.error) {
            eprintln!("provision: {}: {error}", report.name);
            stopped |= fail_fast;
        }
    }
    Ok(())
}

fn interrupted(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<OllamaError>(),
            Some(OllamaError::Interrupted { .. })
        )
    })
}

fn print_report(
    json: bool,
    args: &AutoArgs,
    plan: &Plan,
    reports: &[ModelReport],
    summary: &Summary,
) -> Result<()> {
    let mode = if args.dry_run {
        "dry_run"
    } else if args.check {
        "check"
    } else {
        "run"
    };
    let text = if json {
        let report = AutoReport {
            schema_version: SCHEMA_VERSION,
            profile: &plan.profile,
            catalog_as_of: &plan.catalog_as_of,
            device: &plan.budget,
            tier: &plan.tier,
            mode,
            models: reports,
            summary: summary.clone(),
        };
        serde_json::to_string_pretty(&report)? + "\n"
    } else if args.quiet {
        return Ok(());
    } else if args.dry_run {
        super::auto_text::dry_run(plan, reports)
    } else {
        super::auto_text::summary(plan, reports, summary)
    };
    exit::print(&text)
}
