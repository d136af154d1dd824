//! The device-level tier as plans and reports print it: decided from the budget
//! under the profile's thresholds, or forced with `--tier`.

use crate::quant::Quant;
use crate::tier::{Thresholds, Tier, TierDecision, TierInput, decide};
use serde::Serialize;

/// The device-level tier as reports print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierReport {
    pub bits: u8,
    pub label: &'static str,
    pub quantization: Quant,
    pub reason: String,
    /// True when `--tier` chose it instead of the device.
    pub forced: bool,
}

impl TierReport {
    pub fn tier(&self) -> Tier {
        Tier::try_from(self.bits).expect("TierReport holds a valid tier")
    }
}

/// The tier decided from `budget` under `thresholds`, unless `forced` overrides it.
pub fn tier_report(budget: TierInput, thresholds: &Thresholds, forced: Option<Tier>) -> TierReport {
    let decided = decide(budget, thresholds);
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
        let tier = tier_report(ram(6, 4), &Thresholds::default(), None);
        assert_eq!(
            (tier.bits, tier.label, tier.quantization, tier.forced),
            (8, "MEDIUM", Quant::Q8_0, false)
        );
    }

    #[test]
    fn forced_tier_says_so() {
        let tier = tier_report(ram(1, 4), &Thresholds::default(), Some(Tier::T16));
        assert_eq!(
            (tier.bits, tier.quantization, tier.forced),
            (16, Quant::F16, true)
        );
        assert_eq!(
            tier.reason,
            "forced by --tier (the device alone gets 2-bit)"
        );
        assert_eq!(tier.tier(), Tier::T16);
    }
}
