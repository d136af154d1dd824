//! `provision plan`: the tier this device gets and why. Per-model rows join
//! the JSON object under `models` once the catalog exists.

use crate::probe::{Device, SCHEMA_VERSION, tier_input};
use crate::quant::Quant;
use crate::report::{self, row, table};
use crate::tier::{Thresholds, Tier, TierDecision, TierInput, decide};
use serde::Serialize;
use std::process::ExitCode;

/// The `plan --json` object.
#[derive(Debug, Serialize)]
pub struct PlanReport<'a> {
    pub schema_version: u32,
    pub device: &'a Device,
    pub budget: TierInput,
    pub tier: TierReport,
}

/// The device-level tier as `plan --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierReport {
    pub bits: u8,
    pub label: &'static str,
    pub quantization: Quant,
    pub reason: String,
    /// True when `--tier` chose it instead of the device.
    pub forced: bool,
}

/// The tier decided from `budget`, unless `forced` overrides it.
pub fn tier_report(budget: TierInput, forced: Option<Tier>) -> TierReport {
    let decided = decide(budget, &Thresholds::default());
    let (decision, forced) = match forced {
        Some(tier) => {
            let reason = format!(
                "forced by --tier (the device alone gets {}-bit)",
                decided.tier
            );
            let decision = TierDecision {
                tier,
                label: tier.label(),
                quantization: tier.quant(),
                reason,
            };
            (decision, true)
        }
        None => (decided, false),
    };
    TierReport {
        bits: decision.tier.bits(),
        label: decision.label,
        quantization: decision.quantization,
        reason: decision.reason,
        forced,
    }
}

pub fn run(device: &Device, forced: Option<Tier>, json: bool) -> anyhow::Result<ExitCode> {
    let budget = tier_input(device);
    let tier = tier_report(budget, forced);
    let text = if json {
        let report = PlanReport {
            schema_version: SCHEMA_VERSION,
            device,
            budget,
            tier,
        };
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        let mut rows = report::machine_rows(device);
        rows.extend(report::gpu_rows(device));
        rows.push(report::budget_row(&budget));
        rows.push(row("tier", format!("{}-bit {}", tier.bits, tier.label)));
        rows.push(row("quantization", tier.quantization.name()));
        rows.push(row("reason", tier.reason));
        rows.extend(report::note_rows(device));
        table(&rows)
    };
    crate::exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tier::BudgetSource;

    const GIB: u64 = 1 << 30;

    fn ram(gib: u64, cores: usize) -> TierInput {
        TierInput {
            memory_bytes: gib * GIB,
            source: BudgetSource::Ram,
            cores,
        }
    }

    #[test]
    fn decided_tier() {
        let tier = tier_report(ram(6, 4), None);
        assert_eq!(
            (tier.bits, tier.label, tier.quantization, tier.forced),
            (8, "MEDIUM", Quant::Q8_0, false)
        );
    }

    #[test]
    fn forced_tier_says_so() {
        let tier = tier_report(ram(1, 4), Some(Tier::T16));
        assert_eq!(
            (tier.bits, tier.quantization, tier.forced),
            (16, Quant::F16, true)
        );
        assert_eq!(
            tier.reason,
            "forced by --tier (the device alone gets 2-bit)"
        );
    }
}
