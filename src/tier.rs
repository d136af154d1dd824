//! The Matryoshka ladder: 16-bit → 8-bit → 4-bit → 2-bit, and the device-level
//! tier decision. Each smaller tier fits inside the budget of the larger one.

use crate::quant::Quant;
use crate::size::{Binary, ByteSize};
use serde::{Deserialize, Serialize};
use std::fmt;

const GIB: u64 = 1 << 30;

/// A rung of the ladder, named by its bits per weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Tier {
    T2,
    T4,
    T8,
    T16,
}

impl Tier {
    /// Highest first.
    pub const LADDER: [Tier; 4] = [Tier::T16, Tier::T8, Tier::T4, Tier::T2];

    pub fn bits(self) -> u8 {
        match self {
            Tier::T16 => 16,
            Tier::T8 => 8,
            Tier::T4 => 4,
            Tier::T2 => 2,
        }
    }

    /// The label people see next to the number.
    pub fn label(self) -> &'static str {
        match self {
            Tier::T16 => "HIGH",
            Tier::T8 => "MEDIUM",
            Tier::T4 => "MOBILE",
            Tier::T2 => "TINY",
        }
    }

    /// The canonical Ollama quantization of the tier.
    pub fn quant(self) -> Quant {
        match self {
            Tier::T16 => Quant::F16,
            Tier::T8 => Quant::Q8_0,
            Tier::T4 => Quant::Q4KM,
            Tier::T2 => Quant::Q2K,
        }
    }

    /// The tier a quantization belongs to: the highest tier whose canonical
    /// quantization it does not exceed in precision.
    pub fn of_quant(quant: Quant) -> Tier {
        if quant.is_float() {
            return Tier::T16;
        }
        Tier::LADDER
            .into_iter()
            .find(|tier| quant >= tier.quant())
            .unwrap_or(Tier::T2)
    }
}

impl From<Tier> for u8 {
    fn from(tier: Tier) -> u8 {
        tier.bits()
    }
}

impl TryFrom<u8> for Tier {
    type Error = String;

    fn try_from(bits: u8) -> Result<Self, Self::Error> {
        match bits {
            16 => Ok(Tier::T16),
            8 => Ok(Tier::T8),
            4 => Ok(Tier::T4),
            2 => Ok(Tier::T2),
            other => Err(format!("tier must be 16, 8, 4 or 2, not {other}")),
        }
    }
}

impl std::str::FromStr for Tier {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bits: u8 = text
            .trim()
            .trim_end_matches("-bit")
            .parse()
            .map_err(|_| format!("tier must be 16, 8, 4 or 2, not '{text}'"))?;
        Tier::try_from(bits)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.bits())
    }
}

/// The minimum memory (and, for CPU inference, cores) each tier needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub high: Threshold,
    pub medium: Threshold,
    pub mobile: Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub min_memory: ByteSize,
    #[serde(default)]
    pub min_cores: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            high: Threshold {
                min_memory: ByteSize(8 * GIB),
                min_cores: 8,
            },
            medium: Threshold {
                min_memory: ByteSize(4 * GIB),
                min_cores: 4,
            },
            mobile: Threshold {
                min_memory: ByteSize(2 * GIB),
                min_cores: 0,
            },
        }
    }
}

/// Where the memory budget comes from. On a GPU inference runs there, so core
/// counts do not limit the tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetSource {
    Gpu,
    Ram,
}

/// What the tier decision looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TierInput {
    pub memory_bytes: u64,
    pub source: BudgetSource,
    pub cores: usize,
}

/// The tier and the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierDecision {
    pub tier: Tier,
    pub label: &'static str,
    pub quantization: Quant,
    pub reason: String,
}

/// Picks the highest tier whose thresholds the device meets.
pub fn decide(input: TierInput, thresholds: &Thresholds) -> TierDecision {
    let rungs = [
        (Tier::T16, thresholds.high),
        (Tier::T8, thresholds.medium),
        (Tier::T4, thresholds.mobile),
    ];
    let mut misses = Vec::new();
    for (tier, threshold) in rungs {
        match miss(input, threshold) {
            None => return decision(tier, met(input, tier, threshold, &misses)),
            Some(why) => misses.push(format!("not {tier}-bit: {why}")),
        }
    }
    decision(Tier::T2, misses.join("; "))
}

fn decision(tier: Tier, reason: String) -> TierDecision {
    TierDecision {
        tier,
        label: tier.label(),
        quantization: tier.quant(),
        reason,
    }
}

fn uses_cores(input: TierInput) -> bool {
    input.source == BudgetSource::Ram
}

/// Why the input falls short of a threshold, if it does.
fn miss(input: TierInput, threshold: Threshold) -> Option<String> {
    let memory = memory_name(input.source);
    if input.memory_bytes < threshold.min_memory.0 {
        return Some(format!(
            "{memory} {} < {}",
            Binary(input.memory_bytes),
            Binary(threshold.min_memory.0)
        ));
    }
    if uses_cores(input) && input.cores < threshold.min_cores {
        return Some(format!("{} cores < {}", input.cores, threshold.min_cores));
    }
    None
}

fn met(input: TierInput, tier: Tier, threshold: Threshold, misses: &[String]) -> String {
    let memory = memory_name(input.source);
    let mut reason = format!(
        "{tier}-bit: {memory} {} >= {}",
        Binary(input.memory_bytes),
        Binary(threshold.min_memory.0)
    );
    if uses_cores(input) && threshold.min_cores > 0 {
        reason.push_str(&format!(
            " and {} cores >= {}",
            input.cores, threshold.min_cores
        ));
    } else if !uses_cores(input) {
        reason.push_str(" (GPU inference: core count not limiting)");
    }
    misses.iter().fold(String::new(), |acc, m| acc + m + "; ") + &reason
}

fn memory_name(source: BudgetSource) -> &'static str {
    match source {
        BudgetSource::Gpu => "GPU memory",
        BudgetSource::Ram => "RAM budget",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ram(gib: f64, cores: usize) -> TierInput {
        TierInput {
            memory_bytes: (gib * GIB as f64) as u64,
            source: BudgetSource::Ram,
            cores,
        }
    }

    fn gpu(gib: f64, cores: usize) -> TierInput {
        TierInput {
            memory_bytes: (gib * GIB as f64) as u64,
            source: BudgetSource::Gpu,
            cores,
        }
    }

    #[test]
    fn tier_table() {
        let table = [
            (ram(64.0, 32), Tier::T16),
            (ram(8.0, 8), Tier::T16),
            (ram(7.99, 8), Tier::T8),
            (ram(16.0, 7), Tier::T8),
            (ram(6.0, 4), Tier::T8),
            (ram(4.0, 4), Tier::T8),
            (ram(24.0, 2), Tier::T4),
            (ram(3.99, 16), Tier::T4),
            (ram(2.0, 1), Tier::T4),
            (ram(1.99, 64), Tier::T2),
            (ram(1.0, 4), Tier::T2),
            (ram(0.0, 0), Tier::T2),
            (gpu(24.0, 2), Tier::T16),
            (gpu(8.0, 1), Tier::T16),
            (gpu(6.0, 2), Tier::T8),
            (gpu(2.0, 1), Tier::T4),
            (gpu(1.0, 64), Tier::T2),
        ];
        for (input, tier) in table {
            let decision = decide(input, &Thresholds::default());
            assert_eq!(decision.tier, tier, "{input:?}: {}", decision.reason);
            assert_eq!(decision.quantization, tier.quant());
        }
    }

    #[test]
    fn reason_names_the_deciding_threshold() {
        let decision = decide(ram(16.0, 2), &Thresholds::default());
        assert_eq!(
            decision.reason,
            "not 16-bit: 2 cores < 8; not 8-bit: 2 cores < 4; 4-bit: RAM budget 16.0 GiB >= 2.0 GiB"
        );
        let decision = decide(ram(1.0, 2), &Thresholds::default());
        assert!(
            decision
                .reason
                .ends_with("not 4-bit: RAM budget 1.0 GiB < 2.0 GiB"),
            "{}",
            decision.reason
        );
    }

    #[test]
    fn canonical_quants_and_membership() {
        assert_eq!(Tier::T16.quant(), Quant::F16);
        assert_eq!(Tier::T8.quant(), Quant::Q8_0);
        assert_eq!(Tier::T4.quant(), Quant::Q4KM);
        assert_eq!(Tier::T2.quant(), Quant::Q2K);
        assert_eq!(Tier::of_quant(Quant::Q6K), Tier::T4);
        assert_eq!(Tier::of_quant(Quant::BF16), Tier::T16);
        assert_eq!(Tier::of_quant(Quant::Q8_0), Tier::T8);
        assert_eq!(Tier::of_quant(Quant::Q3KM), Tier::T2);
    }

    #[test]
    fn parses_tiers() {
        assert_eq!("16".parse(), Ok(Tier::T16));
        assert_eq!("4-bit".parse(), Ok(Tier::T4));
        assert!("3".parse::<Tier>().is_err());
    }
}
