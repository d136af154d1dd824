//! `provision verify [MODEL…]` (and `auto --verify`): load the planned models
//! through Ollama, judge what `GET /api/ps` shows against the plan, record the
//! sizes measured for later plans.

use crate::cli::{AutoArgs, VerifyArgs};
use crate::context::Context;
use crate::execute::{Executor, Progress};
use crate::exit::Outcome;
use crate::interrupt::Interrupt;
use crate::loaded::{self, AfterAuto, LoadCheck, Verification};
use crate::measurements::{self, Key, Measurement, Store, device_key};
use crate::ollama::{Api, Ollama};
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::Plan;
use crate::probe::Budget;
use crate::steps::{self, ModelReport, Status};
use anyhow::{Context as _, Result};
use serde::Serialize;

/// The `verify --json` object (documented in the README, "provision verify").
#[derive(Debug, Serialize)]
pub struct VerifyReport<'a> {
    pub schema_version: u32,
    pub profile: &'a str,
    /// The memory, cores and GPUs the models were planned on.
    pub device: &'a Budget,
    #[serde(flatten)]
    pub verification: &'a Verification,
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> Result<Outcome> {
    ctx.profile()?;
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let api = ctx.api()?.with_interrupt(interrupt.clone());
    let ollama = ctx.ollama()?.with_interrupt(interrupt);
    let plan = super::plan(ctx, &args.models, None)?;
    let progress = Progress::new(args.quiet || ctx.json(), ctx.terminal_redraws());
    let executor = Executor::new(&ollama, &progress).with_api(&api);
    let verification = check(ctx, &executor, &api, &plan, |_| true)?;
    if ctx.json() {
        output::json(&VerifyReport {
            schema_version: SCHEMA_VERSION,
            profile: &plan.profile,
            device: &plan.budget,
            verification: &verification,
        })?;
    } else if !args.quiet {
        output::print(&output::verify::text(&verification))?;
    }
    Ok(outcome(&verification))
}

/// `auto --verify`: load the models `auto` left in place (created, updated or
/// unchanged) and check them; with `--dry-run`, only the loads it would run.
pub(super) fn after_auto(
    ctx: &Context,
    args: &AutoArgs,
    ollama: &Ollama,
    interrupt: Interrupt,
    progress: &Progress,
    plan: &Plan,
    reports: &[ModelReport],
) -> Result<AfterAuto> {
    let in_place = |name: &str| {
        reports.iter().any(|r| {
            r.name == name
                && match args.dry_run {
                    true => !matches!(r.status, Status::Failed | Status::Skipped),
                    false => matches!(
                        r.status,
                        Status::Created | Status::Updated | Status::Unchanged
                    ),
                }
        })
    };
    if args.dry_run {
        let keep_alive = steps::keep_alive(&ctx.profile()?.profile, plan);
        let loads = steps::load_steps(plan, keep_alive.as_ref(), in_place);
        let steps = loads.iter().map(|s| s.to_string()).collect();
        return Ok(AfterAuto::Planned { steps });
    }
    let api = ctx.api()?.with_interrupt(interrupt);
    let executor = Executor::new(ollama, progress).with_api(&api);
    Ok(AfterAuto::Checked(check(
        ctx, &executor, &api, plan, in_place,
    )?))
}

/// Failed when a model failed its check; warnings do not fail it.
pub(super) fn outcome(verification: &Verification) -> Outcome {
    match verification.summary.failed {
        0 => Outcome::Success,
        _ => Outcome::Failed,
    }
}

/// Loads the plan's models that pass `include` (together for a concurrent
/// roster), judges them, says each failure and warning once on stderr, and
/// records the sizes measured.
pub(super) fn check(
    ctx: &Context,
    executor: &Executor,
    api: &Api,
    plan: &Plan,
    include: impl Fn(&str) -> bool,
) -> Result<Verification> {
    let version = api.version()?;
    let keep_alive = steps::keep_alive(&ctx.profile()?.profile, plan);
    let steps = steps::load_steps(plan, keep_alive.as_ref(), include);
    let observations = executor.run_loads(&steps)?;
    let (models, roster) = loaded::judge(plan, &observations);
    say(&models);
    record(ctx, plan, &models, &version)?;
    Ok(Verification {
        server: api.base().to_string(),
        ollama_version: version,
        concurrent: plan.concurrent,
        keep_alive,
        summary: loaded::CheckSummary::of(&models),
        models,
        roster,
    })
}

/// `provision: NAME: …` for each failure, `provision: warning: NAME: …` for
/// each warning.
fn say(checks: &[LoadCheck]) {
    for check in checks {
        for failure in &check.failures {
            output::error(&format!("{}: {failure}", check.name));
        }
        for warning in &check.warnings {
            output::warn(&format!("{}: {warning}", check.name));
        }
    }
}

/// Records the size of every model that loaded, keyed by what it is (digest,
/// context, slots, Ollama version, device). A store that cannot be written is a
/// warning: the check itself stands.
fn record(ctx: &Context, plan: &Plan, checks: &[LoadCheck], version: &str) -> Result<()> {
    let Some(path) = ctx.measurements_path() else {
        return Ok(());
    };
    let num_parallel = ctx.profile()?.profile.fit_policy().num_parallel;
    let device = device_key(ctx.device());
    let measured_at = measurements::now();
    let measured: Vec<Measurement> = plan
        .models
        .iter()
        .zip(checks)
        .filter_map(|(model, check)| {
            Some(Measurement {
                key: Key {
                    digest: check.digest.clone()?,
                    num_ctx: model.fit.num_ctx,
                    num_parallel,
                    ollama_version: version.to_string(),
                    device: device.clone(),
                },
                model: model.name.clone(),
                quantization: model.fit.quantization,
                size_bytes: Some(check.size_bytes?),
                size_vram_bytes: check.size_vram_bytes,
                load_seconds: None,
                prompt_tokens_per_s: None,
                decode_tokens_per_s: None,
                measured_at: measured_at.clone(),
            })
        })
        .collect();
    if !measured.is_empty()
        && let Err(error) = Store::record(&path, measured)
    {
        output::warn(&format!("{error:#}"));
    }
    Ok(())
}
