//! What `auto` prints when it is done: the `--json` object, or the text of the mode.

use super::Finished;
use crate::cli::AutoArgs;
use crate::context::Context;
use crate::loaded::AfterAuto;
use crate::outdated::TagStatus;
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::{Plan, TierReport};
use crate::probe::Budget;
use crate::prune::PruneReport;
use crate::server_env::session::Report as ServerEnvReport;
use crate::steps::{ModelReport, Summary};
use anyhow::Result;
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

/// The report: JSON, nothing with `--quiet`, else the text of the mode.
pub(super) fn print_report(
    ctx: &Context,
    args: &AutoArgs,
    plan: &Plan,
    reports: &[ModelReport],
    finished: &Finished,
) -> Result<()> {
    if ctx.json() {
        return output::json(&auto_report(args, plan, reports, finished));
    }
    if args.quiet {
        return Ok(());
    }
    let mut text = if args.dry_run {
        output::auto::dry_run(plan, reports)
    } else {
        output::auto::summary(plan, reports, &finished.summary)
    };
    text.push_str(&finished.server.text(args.dry_run));
    text.push_str(&finished.upkeep.text(!super::writes(args)));
    if let Some(verified) = &finished.verified {
        text.push_str(&output::verify::after_auto(verified));
    }
    output::print(&text)
}

/// The `auto --json` object of a finished run.
fn auto_report<'a>(
    args: &AutoArgs,
    plan: &'a Plan,
    reports: &'a [ModelReport],
    finished: &'a Finished,
) -> AutoReport<'a> {
    AutoReport {
        schema_version: SCHEMA_VERSION,
        profile: &plan.profile,
        catalog_as_of: &plan.catalog_as_of,
        device: &plan.budget,
        tier: &plan.tier,
        mode: mode(args),
        models: reports,
        summary: finished.summary.clone(),
        server_env: finished.server.report(),
        outdated: finished.upkeep.outdated.as_deref(),
        prune: finished.upkeep.prune.as_ref(),
        verify: finished.verified.as_ref(),
    }
}

/// `run`, `dry_run` or `check`, as the JSON report names the mode.
fn mode(args: &AutoArgs) -> &'static str {
    if args.dry_run {
        "dry_run"
    } else if args.check {
        "check"
    } else {
        "run"
    }
}
