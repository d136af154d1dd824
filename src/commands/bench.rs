//! `provision bench [MODEL…] [--quants Q,…]`: time a short fixed generation
//! of each planned model (or of the installed levels of one model), report
//! load time and prompt and decode tokens/s, and record the speeds.

use crate::bench::{self, BenchRow};
use crate::catalog::Catalog;
use crate::cli::BenchArgs;
use crate::context::Context;
use crate::execute::Progress;
use crate::exit::{Outcome, UsageError};
use crate::interrupt::Interrupt;
use crate::inventory::Inventory;
use crate::levels::installed::Scope;
use crate::loaded::Placement;
use crate::measurements::{self, Key, Measurement, Store, device_key};
use crate::ollama::api::{Api, ApiError, Generation, Running};
use crate::ollama::{ErrorClass, KeepAlive};
use crate::output::{self, SCHEMA_VERSION};
use crate::quant::Quant;
use anyhow::{Context as _, Result};
use serde::Serialize;

/// The `bench --json` object (documented in the README, "provision bench").
#[derive(Debug, Serialize)]
pub struct BenchReport<'a> {
    pub schema_version: u32,
    pub server: &'a str,
    pub ollama_version: &'a str,
    pub prompt: &'static str,
    pub seed: i64,
    pub num_predict: u32,
    pub models: &'a [BenchRow],
}

/// One model to time.
struct Target {
    name: String,
    quantization: Option<Quant>,
    /// The plan's context (none for a library tag: its own default).
    num_ctx: Option<u32>,
    /// Why it cannot run (not installed), known before asking the server.
    missing: Option<String>,
}

pub fn run(ctx: &Context, args: &BenchArgs) -> Result<Outcome> {
    let profile = &ctx.profile()?.profile;
    let interrupt = Interrupt::on_signals().context("could not install the Ctrl-C handler")?;
    let api = ctx.api()?.with_interrupt(interrupt);
    let (targets, concurrent) = match args.quants.is_empty() {
        true => planned(ctx, &args.models)?,
        false => (levels(ctx, &args.models, &args.quants)?, false),
    };
    let version = api.version()?;
    let keep_alive = profile
        .keep_alive
        .clone()
        .or_else(|| concurrent.then(KeepAlive::forever));
    let progress = Progress::new(args.quiet || ctx.json(), ctx.terminal_redraws());
    let before = api.ps()?;
    let mut rows = Vec::new();
    for target in &targets {
        let warm = before.iter().any(|r| r.is(&target.name));
        let row = time(&api, &progress, target, keep_alive.as_ref(), warm)?;
        // Unloaded after timing unless it was loaded before or the roster is
        // kept loaded together, so the next model gets the memory it was planned on.
        if row.status == "ok" && !warm && !concurrent {
            api.unload(&target.name)?;
        }
        rows.push(row);
    }
    record(ctx, &rows, &version)?;
    print(ctx, args, &api, &version, &rows)?;
    Ok(match rows.iter().any(|r| r.status != "ok") {
        true => Outcome::Failed,
        false => Outcome::Success,
    })
}

/// The plan's fitting models, and whether they are kept loaded together.
fn planned(ctx: &Context, models: &[String]) -> Result<(Vec<Target>, bool)> {
    let plan = super::plan(ctx, models, None)?;
    let targets = plan
        .models
        .iter()
        .filter(|m| m.fit.fits)
        .map(|m| Target {
            name: m.name.clone(),
            quantization: m.fit.quantization,
            num_ctx: Some(m.fit.num_ctx),
            missing: None,
        })
        .collect();
    Ok((targets, plan.concurrent))
}

/// The installed copy of each level of one library model (`--quants`).
fn levels(ctx: &Context, models: &[String], quants: &[Quant]) -> Result<Vec<Target>> {
    let [model] = models else {
        return Err(UsageError(
            "--quants compares the levels of one model: name exactly one MODEL".into(),
        )
        .into());
    };
    let catalog = Catalog::bundled();
    let resolved = catalog
        .resolve(model)
        .map_err(|error| UsageError(format!("--quants needs a library model: {error}")))?;
    let (family, size) = (resolved.family, resolved.size);
    let inventory = Inventory::read(&ctx.ollama()?)?;
    let gathered = inventory.installed(Scope::Library { family, size });
    if !gathered.problems.is_empty() {
        output::warn(&format!(
            "installed: could not read {}",
            gathered.problems.join("; ")
        ));
    }
    Ok(quants
        .iter()
        .map(|&quant| {
            let copy = gathered.installed.iter().find(|i| i.quant == quant);
            let tag = format!("{}:{}", family.name, size.tag_for(quant));
            Target {
                name: copy.map_or_else(|| tag.clone(), |c| c.name.clone()),
                quantization: Some(quant),
                num_ctx: None,
                missing: copy.is_none().then(|| {
                    format!("no installed copy at {quant}: pull it with `ollama pull {tag}`")
                }),
            }
        })
        .collect())
}

/// Times one model; a failure of the model is its row's error, a server that
/// stops answering (or Ctrl-C) ends the run.
fn time(
    api: &Api,
    progress: &Progress,
    target: &Target,
    keep_alive: Option<&KeepAlive>,
    warm: bool,
) -> Result<BenchRow> {
    let mut row = untimed(target, warm);
    if row.error.is_some() {
        say_failure(&row);
        return Ok(row);
    }
    let generation = Generation {
        prompt: bench::PROMPT,
        options: bench::options(),
        keep_alive,
    };
    let task = progress.spinner(format!("timing {}", target.name));
    let answer = api.generate(&target.name, &generation);
    task.finish(answer.is_ok());
    match answer {
        Ok(answer) => {
            row.status = "ok";
            row.speed = Some(bench::speed(&answer));
            let running = api.ps()?.into_iter().find(|r| r.is(&target.name));
            describe(&mut row, running.as_ref());
        }
        Err(ApiError::Status { class, message, .. }) => {
            row.error = Some(match class {
                ErrorClass::ModelNotFound { .. } => {
                    "not installed: run `provision auto` to create it".to_string()
                }
                _ => format!("could not run: {message}"),
            });
            say_failure(&row);
        }
        Err(error) => return Err(error.into()),
    }
    Ok(row)
}

/// A target's row before it ran: failed with the reason known beforehand, if any.
fn untimed(target: &Target, warm: bool) -> BenchRow {
    BenchRow {
        name: target.name.clone(),
        quantization: target.quantization,
        status: "failed",
        warm,
        speed: None,
        size_bytes: None,
        size_vram_bytes: None,
        placement: None,
        error: target.missing.clone(),
        digest: None,
        num_ctx: target.num_ctx,
    }
}

/// Size, placement and context from the model's `ps` entry after its run.
fn describe(row: &mut BenchRow, running: Option<&Running>) {
    let Some(running) = running else { return };
    row.size_bytes = Some(running.size);
    row.size_vram_bytes = Some(running.size_vram);
    row.placement = Some(Placement::of(running.size, running.size_vram).to_string());
    row.digest = Some(running.digest.clone()).filter(|d| !d.is_empty());
    if row.num_ctx.is_none() {
        row.num_ctx = running.context_length.filter(|c| *c > 0);
    }
}

fn say_failure(row: &BenchRow) {
    if let Some(error) = &row.error {
        output::error(&format!("{}: {error}", row.name));
    }
}

/// Records the speeds (and sizes) of the models that ran, keyed like
/// `verify`'s; a library tag whose context the server does not report is
/// recorded at `num_ctx` 0 (its default).
fn record(ctx: &Context, rows: &[BenchRow], version: &str) -> Result<()> {
    let Some(path) = ctx.measurements_path() else {
        return Ok(());
    };
    let num_parallel = ctx.profile()?.profile.fit_policy().num_parallel;
    let device = device_key(ctx.device());
    let measured_at = measurements::now();
    let measured: Vec<Measurement> = rows
        .iter()
        .filter_map(|row| {
            let speed = row.speed.as_ref()?;
            Some(Measurement {
                key: Key {
                    digest: row.digest.clone()?,
                    num_ctx: row.num_ctx.unwrap_or(0),
                    num_parallel,
                    ollama_version: version.to_string(),
                    device: device.clone(),
                },
                model: row.name.clone(),
                quantization: row.quantization,
                size_bytes: row.size_bytes,
                size_vram_bytes: row.size_vram_bytes,
                load_seconds: (!row.warm).then_some(speed.load_seconds),
                prompt_tokens_per_s: speed.prompt_tokens_per_s,
                decode_tokens_per_s: speed.decode_tokens_per_s,
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

fn print(
    ctx: &Context,
    args: &BenchArgs,
    api: &Api,
    version: &str,
    rows: &[BenchRow],
) -> Result<()> {
    if ctx.json() {
        return output::json(&BenchReport {
            schema_version: SCHEMA_VERSION,
            server: api.base(),
            ollama_version: version,
            prompt: bench::PROMPT,
            seed: bench::SEED,
            num_predict: bench::NUM_PREDICT,
            models: rows,
        });
    }
    if args.quiet {
        return Ok(());
    }
    output::print(&output::bench::text(api.base(), version, rows))
}
