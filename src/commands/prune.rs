//! `provision prune` and `auto --prune`: remove the base tags `provision` pulled
//! that nothing uses any more, through the one executor.

use crate::cli::{AutoArgs, PruneArgs};
use crate::context::Context;
use crate::execute::{Executor, Progress};
use crate::exit::Outcome;
use crate::interrupt::{Interrupt, is_interrupted};
use crate::inventory::Inventory;
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::Plan;
use crate::prune::{self, Options, PruneReport, RemovalStatus, Usage};
use crate::state::Recorder;
use crate::steps::{ModelReport, Status};
use anyhow::{Context as _, Result};
use serde::Serialize;

/// The `prune --json` object (documented in the README, "provision prune").
#[derive(Debug, Serialize)]
struct Report<'a> {
    schema_version: u32,
    profile: &'a str,
    /// `run` or `dry_run`.
    mode: &'static str,
    #[serde(flatten)]
    prune: &'a PruneReport,
}

pub fn run(ctx: &Context, args: &PruneArgs) -> Result<Outcome> {
    ctx.profile()?;
    ctx.renderer()?;
    let progress = Progress::new(args.quiet, ctx.terminal_redraws());
    let ollama = ctx.ollama()?;
    let _lock = match args.dry_run {
        false => Some(super::auto::take_lock(ctx, args.no_wait, &progress)?),
        true => None,
    };
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let ollama = ollama.with_interrupt(interrupt);
    let inventory = Inventory::read(&ollama)?;
    let plan = super::plan(ctx, &[], Some(&inventory))?;
    let recorder = Recorder::open(ctx.paths.state.as_deref(), names(&inventory));
    let options = Options {
        prune_targets: args.prune_targets,
    };
    let writes = !args.dry_run;
    let mut report = decide(ctx, &inventory, &plan, &recorder, &[], options, writes);
    if writes {
        let executor = Executor::new(&ollama, &progress).recording(&recorder);
        carry_out(&executor, &progress, &mut report)?;
    }
    if ctx.json() {
        let mode = if writes { "run" } else { "dry_run" };
        output::json(&Report {
            schema_version: SCHEMA_VERSION,
            profile: &plan.profile,
            mode,
            prune: &report,
        })?;
    } else if !args.quiet {
        output::print(&output::prune::text(&report, args.dry_run))?;
    }
    Ok(match report.failed() {
        0 => Outcome::Success,
        _ => Outcome::Failed,
    })
}

/// `auto --prune`, once the models are in place: when it `acts`, against what
/// Ollama holds now (listed again) and carried out; otherwise what would go once
/// the planned changes are made. `None` without `--prune` (or `--prune-targets`).
pub(super) fn after_auto(
    ctx: &Context,
    args: &AutoArgs,
    plan: &Plan,
    reports: &[ModelReport],
    inventory: &Inventory,
    recorder: &Recorder,
    acts: Option<(&Executor, &Progress)>,
) -> Result<Option<PruneReport>> {
    if !(args.prune || args.prune_targets) {
        return Ok(None);
    }
    let options = Options {
        prune_targets: args.prune_targets,
    };
    let Some((executor, progress)) = acts else {
        let rebuilt: Vec<String> = reports
            .iter()
            .filter(|r| r.status == Status::Planned)
            .map(|r| r.name.clone())
            .collect();
        let report = decide(ctx, inventory, plan, recorder, &rebuilt, options, false);
        return Ok(Some(report));
    };
    let now = inventory.reread()?;
    let mut report = decide(ctx, &now, plan, recorder, &[], options, true);
    carry_out(executor, progress, &mut report)?;
    Ok(Some(report))
}

/// The prune of `plan` on what `inventory` holds. Records of models no longer
/// installed are forgotten when `forget` is set, else only reported.
fn decide(
    ctx: &Context,
    inventory: &Inventory,
    plan: &Plan,
    recorder: &Recorder,
    rebuilt: &[String],
    options: Options,
    forget: bool,
) -> PruneReport {
    let listed = |name: &str| inventory.is_listed(name);
    let forgotten = match forget {
        true => recorder.forget_unlisted(listed),
        false => recorder.state().forget_unlisted(listed),
    };
    let mut state = recorder.state();
    state.forget_unlisted(listed);
    let usage = Usage {
        tags: plan
            .models
            .iter()
            .filter(|m| m.fit.fits)
            .filter_map(|m| m.fit.tag.clone())
            .collect(),
        targets: plan.models.iter().map(|m| m.name.clone()).collect(),
        rebuilt: rebuilt.to_vec(),
    };
    let mut holdings = prune::holdings(inventory.entries());
    if prune::needs_blobs(&state, &holdings, &usage) {
        let store = ctx.device().ollama.models_dir.clone();
        prune::read_blobs(&mut holdings, store.as_deref(), inventory);
    }
    let decided = prune::decide(&state, &holdings, &usage, options);
    PruneReport::planned(decided, forgotten, &inventory.program())
}

/// Runs each removal; a failure is reported and the others go on. An interrupt
/// stops everything (exit 130).
fn carry_out(executor: &Executor, progress: &Progress, report: &mut PruneReport) -> Result<()> {
    for removal in &mut report.removals {
        progress.note(&format!("removing {}", removal.item.name));
        match executor.run(std::slice::from_ref(&removal.step)) {
            Ok(()) => removal.status = RemovalStatus::Removed,
            Err(error) if is_interrupted(&error) => return Err(error),
            Err(error) => {
                let line = crate::text::one_line(&format!("{error:#}"));
                output::error(&format!("{}: {line}", removal.item.name));
                removal.status = RemovalStatus::Failed;
                removal.error = Some(line);
            }
        }
    }
    report.settle();
    Ok(())
}

/// The names `ollama list` printed, for the recorder.
pub(super) fn names(inventory: &Inventory) -> impl Iterator<Item = &str> {
    inventory.entries().iter().map(|e| e.name.as_str())
}
