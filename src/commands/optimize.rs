//! `provision optimize MODEL`: make the tier's version of an installed model,
//! unless it is already at or below the tier's precision.

use crate::apply::{self, Optimization, Progress, optimization, optimized_name};
use crate::cli::{Global, OptimizeArgs};
use crate::exit;
use crate::name::ModelName;
use crate::ollama::{Interrupt, Ollama, OllamaError};
use crate::plan::{SCHEMA_VERSION, TierReport, tier_report};
use crate::probe::{Device, Roots, tier_input};
use crate::quant::Quant;
use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use std::process::ExitCode;

/// The `optimize --json` object.
#[derive(Debug, Serialize)]
pub struct OptimizeReport {
    pub schema_version: u32,
    pub model: String,
    /// The model's quantization as `ollama show` reports it.
    pub quantization: Quant,
    pub tier: TierReport,
    #[serde(flatten)]
    pub optimization: Optimization,
    /// The model created (or that would be); none when already optimized.
    pub target: Option<String>,
    /// `already_optimized`, `unchanged` (the target exists as planned), `created`, `planned`.
    pub status: &'static str,
    pub commands: Vec<String>,
}

pub fn run(global: &Global, args: &OptimizeArgs) -> Result<ExitCode> {
    let tier = tier(global)?;
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let ollama = Ollama::from_flags(global)?.with_interrupt(interrupt);
    let info = ollama.show(&args.model)?;
    let shown = info.known_quantization().unwrap_or("unknown");
    let current: Quant = shown.parse().map_err(|_| {
        anyhow!(
            "could not optimize {}: `ollama show` reports quantization {shown}",
            args.model
        )
    })?;
    let optimization =
        optimization(&args.model, current, tier.tier()).map_err(anyhow::Error::msg)?;
    let mut report = OptimizeReport {
        schema_version: SCHEMA_VERSION,
        model: args.model.clone(),
        quantization: current,
        tier,
        optimization,
        target: None,
        status: "already_optimized",
        commands: Vec::new(),
    };
    if report.optimization != Optimization::AlreadyOptimized {
        let _lock = match args.dry_run {
            true => None,
            false => Some(super::auto::take_lock(false, &Progress::new(args.quiet))?),
        };
        make(&ollama, args, &mut report)?;
    }
    print(global.json, &report)?;
    Ok(ExitCode::from(exit::OK))
}

/// The tier: `--tier`, else the device's under the selected profile's thresholds.
fn tier(global: &Global) -> Result<TierReport> {
    let device = super::with_overrides(global, Device::probe_with(&Roots::from_env(), false));
    let profile = super::load_profile(global)?.profile;
    Ok(tier_report(
        tier_input(&device),
        &profile.thresholds,
        global.tier,
    ))
}

/// Creates the target unless it already holds the level (or `--dry-run`).
fn make(ollama: &Ollama, args: &OptimizeArgs, report: &mut OptimizeReport) -> Result<()> {
    let (source, level, quantize) = match &report.optimization {
        Optimization::Quantize { level, .. } => (args.model.clone(), *level, Some(level.name())),
        Optimization::FromTag { tag, level } => (tag.clone(), *level, None),
        Optimization::AlreadyOptimized => return Ok(()),
    };
    let target = match &args.name {
        Some(name) => name.clone(),
        None => optimized_name(&args.model, level).map_err(anyhow::Error::msg)?,
    };
    report.target = Some(target.clone());
    let listed: Vec<String> = ollama.list()?.into_iter().map(|e| e.name).collect();
    let is_listed = |name: &str| {
        let key = ModelName::parse(name).map(|n| n.key()).ok();
        listed
            .iter()
            .any(|l| ModelName::parse(l).map(|n| n.key()).ok() == key)
    };
    let existed = is_listed(&target);
    if existed && ollama.show(&target)?.known_quantization() == Some(level.name()) {
        report.status = "unchanged";
        return Ok(());
    }
    ensure_owned(&target, existed, args.force)?;
    let pull = quantize.is_none() && !is_listed(&source);
    report.commands = commands(ollama, &target, &source, quantize, pull);
    if args.dry_run {
        report.status = "planned";
        return Ok(());
    }
    let progress = Progress::new(args.quiet);
    if pull {
        let mut step = progress.bar(format!("pulling {source}"));
        let pulled = ollama.pull(&source, Some(&mut |s| step.update(s)));
        step.finish(pulled.is_ok());
        pulled?;
    }
    create(ollama, &progress, &target, &source, quantize, existed)?;
    verify(ollama, &target, level)?;
    report.status = "created";
    Ok(())
}

/// `ollama show` of the created model must report the level.
fn verify(ollama: &Ollama, target: &str, level: Quant) -> Result<()> {
    let made = ollama.show(target)?;
    let made = made.known_quantization().unwrap_or("unknown");
    anyhow::ensure!(
        made.eq_ignore_ascii_case(level.name()),
        "could not verify {target}: `ollama show` reports quantization {made}, planned {level}"
    );
    Ok(())
}

fn ensure_owned(target: &str, existed: bool, force: bool) -> Result<()> {
    let ours = ModelName::parse(target)
        .is_ok_and(|n| n.namespace.eq_ignore_ascii_case(crate::plan::NAMESPACE));
    anyhow::ensure!(
        !existed || ours || force,
        "{target} exists and provision does not own it; pass --force to replace it"
    );
    Ok(())
}

fn commands(
    ollama: &Ollama,
    target: &str,
    source: &str,
    quantize: Option<&str>,
    pull: bool,
) -> Vec<String> {
    let mut create = vec!["create", target, "-f", "<Modelfile>"];
    if let Some(level) = quantize {
        create.extend(["-q", level]);
    }
    let mut lines = Vec::new();
    if pull {
        lines.push(ollama.command_line(&["pull", source]));
    }
    lines.push(ollama.command_line(&create));
    lines
}

fn create(
    ollama: &Ollama,
    progress: &Progress,
    target: &str,
    source: &str,
    quantize: Option<&str>,
    existed: bool,
) -> Result<()> {
    let mut step = progress.spinner(format!("creating {target} from {source}"));
    let text = format!("FROM {source}\n");
    let created = ollama.create(target, &text, quantize, Some(&mut |s| step.update(s)));
    step.finish(created.is_ok());
    if let Err(error) = created {
        if matches!(error, OllamaError::Interrupted { .. }) && !existed {
            apply::remove_half_created(ollama, target);
        }
        return Err(error.into());
    }
    Ok(())
}

/// What the create builds from: the model itself, or the library tag.
fn source(report: &OptimizeReport) -> &str {
    match &report.optimization {
        Optimization::FromTag { tag, .. } => tag,
        _ => &report.model,
    }
}

fn print(json: bool, report: &OptimizeReport) -> Result<()> {
    if json {
        return exit::print(&(serde_json::to_string_pretty(report)? + "\n"));
    }
    let tier = &report.tier;
    let target = report.target.as_deref().unwrap_or_default();
    let text = match (&report.optimization, report.status) {
        (Optimization::AlreadyOptimized, _) => format!(
            "{} is already optimized: {} is at or below the {}-bit tier's {}\n",
            report.model, report.quantization, tier.bits, tier.quantization
        ),
        (_, "unchanged") => format!(
            "{target} already holds the {}-bit version of {}\n",
            tier.bits, report.model
        ),
        (_, "planned") => {
            let mut text: String = report.commands.iter().map(|c| format!("$ {c}\n")).collect();
            text.push_str(&format!("<Modelfile>:\n    FROM {}\n", source(report)));
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
    exit::print(&text)
}
