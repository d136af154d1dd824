//! `provision plan [MODEL…]`: the tier this device gets, and for each model the
//! quantization, tag, memory estimate and settings `provision auto` would use.

use crate::cli::PlanArgs;
use crate::context::Context;
use crate::exit::Outcome;
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::Plan;
use crate::probe::Device;
use crate::probe::bandwidth::Bandwidth;
use crate::server_env;
use crate::tier::TierInput;
use serde::Serialize;

/// The `plan --json` object.
#[derive(Debug, Serialize)]
pub struct PlanReport<'a> {
    pub schema_version: u32,
    pub device: &'a Device,
    /// What the tier is decided on.
    pub budget: TierInput,
    /// The memory bandwidths speeds were predicted from (null when they were not).
    pub bandwidth: Option<&'a Bandwidth>,
    #[serde(flatten)]
    pub plan: &'a Plan,
}

pub fn run(ctx: &Context, args: &PlanArgs) -> anyhow::Result<Outcome> {
    let plan = super::plan_with(ctx, &args.models, None, args.remote)?;
    if let Some(format) = args.server_env_format {
        let desired = server_env::Desired::of(&plan.server_settings, Some(plan.ollama.version));
        output::print(&server_env::formats::render(format, &desired))?;
    } else if ctx.json() {
        output::json(&PlanReport {
            schema_version: SCHEMA_VERSION,
            device: ctx.device(),
            budget: plan.budget.tier_input(),
            bandwidth: ctx.resolved_bandwidth(),
            plan: &plan,
        })?;
    } else {
        output::print(&output::plan::text(&plan, ctx.resolved_bandwidth()))?;
    }
    Ok(Outcome::Success)
}
