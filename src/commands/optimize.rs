//! `provision optimize MODEL`: make the tier's version of an installed model,
//! unless it is already at or below the tier's precision.

use crate::cli::OptimizeArgs;
use crate::context::Context;
use crate::execute::{Executor, Progress};
use crate::exit::{Outcome, UsageError};
use crate::facts;
use crate::interrupt::Interrupt;
use crate::inventory::Inventory;
use crate::name::ModelName;
use crate::ollama::rules::{OllamaTarget, OllamaVersion};
use crate::ollama::{ErrorClass, Ollama};
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::{TierReport, tier_report};
use crate::quant::Quant;
use crate::quantize::{Optimization, optimization, optimized_name};
use crate::steps::{OptimizeReport, OptimizeStatus, Step, optimize_steps};
use anyhow::{Context as _, Result, anyhow};

pub fn run(ctx: &Context, args: &OptimizeArgs) -> Result<Outcome> {
    check_names(args)?;
    let tier = tier(ctx)?;
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let ollama = ctx.ollama()?.with_interrupt(interrupt);
    let current = current_level(ctx, &ollama, &args.model)?;
    let version = server_version(&ollama)?;
    let optimization =
        optimization(&args.model, current, tier.tier(), version).map_err(anyhow::Error::msg)?;
    let mut report = OptimizeReport {
        schema_version: SCHEMA_VERSION,
        model: args.model.clone(),
        quantization: current,
        tier,
        optimization,
        target: None,
        status: OptimizeStatus::AlreadyOptimized,
        commands: Vec::new(),
        steps: Vec::new(),
    };
    if report.optimization != Optimization::AlreadyOptimized {
        let progress = Progress::new(args.quiet, ctx.terminal_redraws());
        let _lock = match args.dry_run {
            true => None,
            false => Some(super::auto::take_lock(ctx, false, &progress)?),
        };
        // Only a model that needs a new version costs the `ollama list`.
        decide(
            &Inventory::read(&ollama)?,
            args,
            &mut report,
            &ollama.program(),
        )?;
        if report.status == OptimizeStatus::Planned && !args.dry_run {
            super::room_for_pulls(ctx, report.steps.iter_mut(), args.force)?;
            Executor::new(&ollama, &progress).run(&report.steps)?;
            report.status = OptimizeStatus::Created;
        }
    }
    print(ctx.json(), &report)?;
    Ok(Outcome::Success)
}

/// The server's version (`ollama -v`), whose `create --quantize` makes the target.
fn server_version(ollama: &Ollama) -> Result<OllamaVersion> {
    let reported = ollama.version()?;
    let text = reported.server.or(reported.client);
    let target = OllamaTarget::from_reported(text.as_deref()).map_err(anyhow::Error::msg)?;
    Ok(target.version)
}

/// MODEL and `--name` must be names Ollama accepts, before anything runs: a bad
/// `--name` would otherwise surface only when `ollama create` refuses it.
fn check_names(args: &OptimizeArgs) -> Result<()> {
    ModelName::parse(&args.model).map_err(|e| UsageError(e.to_string()))?;
    if let Some(name) = &args.name {
        ModelName::parse(name).map_err(|e| UsageError(format!("--name: {e}")))?;
    }
    Ok(())
}

/// The model's level: its GGUF's own file type when the model store can be read
/// (`ollama show` reports the manifest config's, which can be wrong: ollama#12354),
/// else as `ollama show` reports it. A MODEL Ollama does not hold is a usage
/// error, as an unknown MODEL is in every command.
fn current_level(ctx: &Context, ollama: &Ollama, model: &str) -> Result<Quant> {
    let store = ctx.device().ollama.models_dir.as_deref();
    let cache = facts::Cache::new(ctx.paths.cache.as_deref());
    let read = store.and_then(|dir| facts::installed(dir, model, &cache));
    if let Some(quant) = read.as_ref().and_then(|f| f.quant()) {
        return Ok(quant);
    }
    let info = ollama.show(model).map_err(|error| match error.class() {
        Some(ErrorClass::ModelNotFound { .. }) => UsageError(error.to_string()).into(),
        _ => anyhow::Error::new(error),
    })?;
    let shown = info.known_quantization().unwrap_or("unknown");
    shown.parse().map_err(|_| {
        anyhow!("could not optimize {model}: `ollama show` reports quantization {shown}")
    })
}

/// The tier: `--tier`, else the device's under the selected profile's thresholds.
fn tier(ctx: &Context) -> Result<TierReport> {
    let profile = &ctx.profile()?.profile;
    let input = ctx.budget().tier_input();
    Ok(tier_report(input, &profile.thresholds, ctx.flags.tier))
}

/// The target and the steps that make it, unless it already holds the level.
fn decide(
    inventory: &Inventory,
    args: &OptimizeArgs,
    report: &mut OptimizeReport,
    program: &str,
) -> Result<()> {
    let (source, level, quantize) = match &report.optimization {
        Optimization::Quantize { level, .. } => (args.model.clone(), *level, Some(*level)),
        Optimization::FromTag { tag, level } => (tag.clone(), *level, None),
        Optimization::AlreadyOptimized => return Ok(()),
    };
    let target = match &args.name {
        Some(name) => name.clone(),
        None => optimized_name(&args.model, level).map_err(anyhow::Error::msg)?,
    };
    report.target = Some(target.clone());
    let existed = inventory.is_listed(&target);
    if existed && inventory.show(&target)?.known_quantization() == Some(level.name()) {
        report.status = OptimizeStatus::Unchanged;
        return Ok(());
    }
    anyhow::ensure!(
        !existed || crate::name::in_provision_namespace(&target) || args.force,
        "{target} exists and provision does not own it; pass --force to replace it"
    );
    let pull = quantize.is_none() && !inventory.is_listed(&source);
    report.steps = optimize_steps(&source, &target, level, quantize, pull, existed);
    report.commands = report
        .steps
        .iter()
        .map(|s| s.command_line(program))
        .collect();
    report.status = OptimizeStatus::Planned;
    Ok(())
}

fn print(json: bool, report: &OptimizeReport) -> Result<()> {
    if json {
        return output::json(report);
    }
    let tier = &report.tier;
    let target = report.target.as_deref().unwrap_or_default();
    let text = match (&report.optimization, report.status) {
        (Optimization::AlreadyOptimized, _) => format!(
            "{} is already optimized: {} is at or below the {}-bit tier's {}\n",
            report.model, report.quantization, tier.bits, tier.quantization
        ),
        (_, OptimizeStatus::Unchanged) => format!(
            "{target} already holds the {}-bit version of {}\n",
            tier.bits, report.model
        ),
        (_, OptimizeStatus::Planned) => {
            let mut text: String = report.commands.iter().map(|c| format!("$ {c}\n")).collect();
            if let Some(modelfile) = report.steps.iter().find_map(Step::modelfile) {
                text.push_str("<Modelfile>:\n");
                text.extend(modelfile.lines().map(|line| format!("    {line}\n")));
            }
            text
        }
        (optimization, _) => {
            let note = match optimization {
                Optimization::Quantize {
                    note: Some(note), ..
                } => format!(" ({note})"),
                _ => String::new(),
            };
            format!(
                "created {target} from {} ({}){note}\n",
                report.model, report.quantization
            )
        }
    };
    output::print(&text)
}
