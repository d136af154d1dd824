//! `provision probe`: what the machine is, after overrides.

use crate::probe::{Device, SCHEMA_VERSION, tier_input};
use crate::report::{self, table};
use crate::tier::TierInput;
use serde::Serialize;
use std::process::ExitCode;

/// The `probe --json` object.
#[derive(Debug, Serialize)]
pub struct ProbeReport<'a> {
    pub schema_version: u32,
    pub device: &'a Device,
    pub budget: TierInput,
}

pub fn run(device: &Device, json: bool) -> anyhow::Result<ExitCode> {
    let budget = tier_input(device);
    let text = if json {
        let report = ProbeReport {
            schema_version: SCHEMA_VERSION,
            device,
            budget,
        };
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        table(&human_rows(device, &budget))
    };
    crate::exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn human_rows(device: &Device, budget: &TierInput) -> Vec<Vec<String>> {
    let mut rows = report::machine_rows(device);
    rows.extend(report::gpu_rows(device));
    rows.push(report::budget_row(budget));
    rows.extend(report::ollama_rows(device));
    rows.extend(report::note_rows(device));
    rows
}
