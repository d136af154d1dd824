//! `provision inspect MODEL`: one model's facts, where each came from, and its memory
//! at 2K, 8K, 32K and its native context.

use crate::catalog::{Catalog, Resolved};
use crate::cli::InspectArgs;
use crate::context::Context;
use crate::exit::Outcome;
use crate::facts::report::{Report, Subject};
use crate::facts::{self, Known, Source};
use crate::fit::{FitPolicy, ModelRequest, estimate_at, speed_at};
use crate::inventory::Inventory;
use crate::output::{self, SCHEMA_VERSION};
use anyhow::{Result, anyhow};
use serde::Serialize;
use std::path::Path;

/// The `inspect --json` object.
#[derive(Serialize)]
struct Inspected<'a> {
    schema_version: u32,
    #[serde(flatten)]
    report: &'a Report,
    /// The context `levels[].speed` is for; none when speeds are unknown.
    speed_num_ctx: Option<u32>,
}

pub fn run(ctx: &Context, args: &InspectArgs) -> Result<Outcome> {
    let name = args.model.trim();
    let found = if is_file(name) {
        Found::Known(Box::new(
            facts::file(Path::new(name)).map_err(|e| anyhow!(e))?,
        ))
    } else {
        find(ctx, name, args.remote)?
    };
    let subject = found.subject(name);
    let profile = &ctx.profile()?.profile;
    let policy = FitPolicy {
        machine: super::planning::speed_machine(ctx, profile),
        ..profile.fit_policy()
    };
    let budget = ctx.budget();
    let request = ModelRequest::new(subject.resolved);
    let as_of = &Catalog::bundled().as_of;
    let mut report = Report::build(subject, as_of, |context| {
        estimate_at(&request, &budget, &policy, context)
    });
    let speed_ctx = policy.requested_ctx(None, request.resolved.size.dims.context);
    for level in &mut report.levels {
        level.speed = speed_at(&request, &budget, &policy, level.quant, speed_ctx);
    }
    let speed_num_ctx = report
        .levels
        .iter()
        .any(|l| l.speed.is_some())
        .then_some(speed_ctx);
    if ctx.json() {
        output::json(&Inspected {
            schema_version: SCHEMA_VERSION,
            report: &report,
            speed_num_ctx,
        })?;
    } else {
        output::print(&output::inspect::text(&report, speed_num_ctx))?;
    }
    Ok(Outcome::Success)
}

/// A path to a file rather than a model name.
fn is_file(name: &str) -> bool {
    crate::name::is_path(name) || (name.ends_with(".gguf") && Path::new(name).is_file())
}

/// Where the facts of a name were found.
enum Found {
    Known(Box<Known>),
    Catalog(Resolved<'static>),
}

impl Found {
    fn subject<'a>(&'a self, model: &'a str) -> Subject<'a> {
        match self {
            Found::Known(known) => Subject {
                model,
                resolved: known.resolved(),
                shape: known.shape,
                read_from: Some(known.read_from.clone()),
                probed: known.probed,
                notes: known.notes.clone(),
            },
            Found::Catalog(resolved) => Subject {
                model,
                resolved: *resolved,
                shape: Source::Catalog,
                read_from: None,
                probed: false,
                notes: Vec::new(),
            },
        }
    }
}

/// The live facts of `name`, else the catalog's; Ollama is asked only about a name
/// the catalog does not know.
fn find(ctx: &Context, name: &str, remote: bool) -> Result<Found> {
    let listed = Catalog::bundled().resolve(name);
    let read;
    let inventory = match &listed {
        Ok(_) => None,
        Err(_) => {
            read = ctx.ollama().ok().and_then(|o| Inventory::read(&o).ok());
            read.as_ref()
        }
    };
    let sources = super::facts_sources(ctx, inventory, remote);
    let gathered = facts::gather(&sources, &[name.to_string()]);
    for warning in &gathered.warnings {
        output::warn(warning);
    }
    let mut gathered = gathered.known_or_fail()?;
    match (gathered.known.pop(), listed) {
        (Some(known), _) => Ok(Found::Known(Box::new(known))),
        (None, Ok(resolved)) => Ok(Found::Catalog(resolved)),
        (None, Err(lookup)) => Err(lookup.into()),
    }
}
