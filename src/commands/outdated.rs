//! `provision outdated` and `auto --update`: ask the registry for the digest of
//! each base tag in use and compare it with the installed manifest's.

use crate::cli::{AutoArgs, OutdatedArgs};
use crate::context::Context;
use crate::exit::Outcome;
use crate::inventory::Inventory;
use crate::outdated::{self, Status, TagStatus};
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::Plan;
use crate::registry::TagRef;
use crate::steps::ModelReport;
use anyhow::Result;
use serde::Serialize;
use std::time::Duration;

/// The `outdated --json` object (documented in the README, "provision outdated").
#[derive(Debug, Serialize)]
struct Report<'a> {
    schema_version: u32,
    profile: &'a str,
    /// The registry asked.
    registry: &'a str,
    /// Why the registry could not be asked, when it could not.
    offline: Option<&'a str>,
    tags: &'a [TagStatus],
    summary: Counts,
}

/// How many tags are in each state.
#[derive(Debug, Default, Serialize)]
struct Counts {
    current: usize,
    outdated: usize,
    not_found: usize,
    unknown: usize,
}

/// What the registry said about the tags in use.
pub(super) struct Checked {
    pub statuses: Vec<TagStatus>,
    pub registry: String,
    pub offline: Option<String>,
}

pub fn run(ctx: &Context, args: &OutdatedArgs) -> Result<Outcome> {
    ctx.profile()?;
    ctx.renderer()?;
    let inventory = Inventory::read(&ctx.ollama()?)?;
    let plan = super::plan(ctx, &[], Some(&inventory))?;
    let checked = check(ctx, &plan, &inventory, args.remote_timeout)?;
    if ctx.json() {
        output::json(&Report {
            schema_version: SCHEMA_VERSION,
            profile: &plan.profile,
            registry: &checked.registry,
            offline: checked.offline.as_deref(),
            tags: &checked.statuses,
            summary: counts(&checked.statuses),
        })?;
    } else {
        output::print(&output::outdated::text(&checked.statuses))?;
    }
    Ok(match outdated::outdated(&checked.statuses).is_empty() {
        true => Outcome::Success,
        false => Outcome::ChangesNeeded,
    })
}

/// `auto --update`: the models built on a republished tag get pull, create and
/// verify steps. Offline: one warning, nothing changes. `None` without `--update`.
pub(super) fn update(
    ctx: &Context,
    args: &AutoArgs,
    plan: &Plan,
    inventory: &Inventory,
    reports: &mut [ModelReport],
) -> Result<Option<Vec<TagStatus>>> {
    if !args.update {
        return Ok(None);
    }
    let checked = check(ctx, plan, inventory, args.remote_timeout)?;
    let stale = outdated::outdated(&checked.statuses);
    let program = inventory.program();
    outdated::refresh(plan, reports, &stale, args.force, &program);
    Ok(Some(checked.statuses))
}

/// Asks the registry about every installed library base tag of `plan`, all
/// within `timeout_secs`; when it cannot be reached, one warning and every
/// status unknown.
pub(super) fn check(
    ctx: &Context,
    plan: &Plan,
    inventory: &Inventory,
    timeout_secs: u64,
) -> Result<Checked> {
    let registry = ctx
        .registry()?
        .with_timeout(Duration::from_secs(timeout_secs));
    let in_use = outdated::in_use(plan, inventory.entries());
    let tags: Vec<TagRef> = in_use.iter().map(|t| t.at.clone()).collect();
    let digests = registry.digest_many(&tags);
    if let Some(why) = &digests.offline {
        output::warn(&format!(
            "could not ask the registry {} whether the tags in use changed: {why}",
            registry.base()
        ));
    }
    Ok(Checked {
        statuses: outdated::compare(&in_use, &digests.answers),
        registry: registry.base().to_string(),
        offline: digests.offline,
    })
}

fn counts(statuses: &[TagStatus]) -> Counts {
    let mut counts = Counts::default();
    for status in statuses {
        *match status.status {
            Status::Current => &mut counts.current,
            Status::Outdated => &mut counts.outdated,
            Status::NotFound => &mut counts.not_found,
            Status::Unknown => &mut counts.unknown,
        } += 1;
    }
    counts
}
