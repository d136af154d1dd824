//! `provision probe`: what the machine is, after overrides.

use crate::cli::ProbeArgs;
use crate::context::Context;
use crate::exit::Outcome;
use crate::output::{self, SCHEMA_VERSION, device, table};
use crate::probe::Device;
use crate::probe::bandwidth::Bandwidth;
use crate::tier::TierInput;
use serde::Serialize;

/// The `probe --json` object.
#[derive(Debug, Serialize)]
pub struct ProbeReport<'a> {
    pub schema_version: u32,
    pub device: &'a Device,
    pub budget: TierInput,
    /// Memory bandwidth: the CPU's (measured once per machine) and each GPU's.
    pub bandwidth: &'a Bandwidth,
}

pub fn run(ctx: &Context, _args: &ProbeArgs) -> anyhow::Result<Outcome> {
    let device = ctx.device();
    let budget = ctx.budget().tier_input();
    let bandwidth = ctx.bandwidth();
    if ctx.json() {
        output::json(&ProbeReport {
            schema_version: SCHEMA_VERSION,
            device,
            budget,
            bandwidth,
        })?;
    } else {
        output::print(&table(&rows(device, &budget, bandwidth)))?;
    }
    Ok(Outcome::Success)
}

fn rows(device: &Device, budget: &TierInput, bandwidth: &Bandwidth) -> Vec<Vec<String>> {
    let mut rows = device::machine_rows(device);
    rows.extend(device::gpu_rows(device));
    rows.extend(device::bandwidth_rows(bandwidth));
    rows.push(device::budget_row(budget));
    rows.extend(device::ollama_rows(device));
    rows.extend(device::note_rows(device));
    rows
}
