//! The steps of `optimize`: make the tier's version of an installed model from
//! its float weights (`create --quantize`) or from the library's tag at the tier.

use super::{Expect, Step};
use crate::plan::TierReport;
use crate::quant::Quant;
use crate::quantize::Optimization;
use serde::Serialize;

/// How `optimize` ended (JSON `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizeStatus {
    /// The model is already at or below the tier's precision.
    AlreadyOptimized,
    /// The target exists at the level.
    Unchanged,
    Created,
    /// `--dry-run`: the change was not made.
    Planned,
}

/// The `optimize --json` object.
#[derive(Debug, Serialize)]
pub struct OptimizeReport {
    pub schema_version: u32,
    pub model: String,
    /// The model's quantization as `ollama show` reports it.
    pub quantization: Quant,
    pub tier: TierReport,
    #[serde(flatten)]
    pub optimization: Optimization,
    /// The model created (or that would be); none when already optimized.
    pub target: Option<String>,
    pub status: OptimizeStatus,
    pub commands: Vec<String>,
    /// The same steps as data (`commands` is how the JSON shows them).
    #[serde(skip)]
    pub steps: Vec<Step>,
}

/// Pull the source tag when it is not installed, create the target from it
/// (quantizing float weights), verify the level. `replaces`: the target exists.
pub fn optimize_steps(
    source: &str,
    target: &str,
    level: Quant,
    quantize: Option<Quant>,
    pull: bool,
    replaces: bool,
) -> Vec<Step> {
    let mut steps = Vec::new();
    if pull {
        steps.push(Step::Pull {
            tag: source.to_string(),
            bytes: None,
        });
    }
    steps.push(Step::Create {
        name: target.to_string(),
        from: source.to_string(),
        modelfile: format!("FROM {source}\n"),
        quantize,
        replaces,
    });
    steps.push(Step::Verify {
        name: target.to_string(),
        expect: Expect::level(level),
    });
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_tag_is_pulled_then_created_and_verified() {
        let steps = optimize_steps("m:q4", "provision/m:q4", Quant::Q4KM, None, true, false);
        let lines: Vec<String> = steps.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            lines,
            [
                "ollama pull m:q4",
                "ollama create provision/m:q4 -f <Modelfile>",
                "ollama show provision/m:q4"
            ]
        );
        let steps = optimize_steps(
            "m",
            "provision/m:q8_0",
            Quant::Q8_0,
            Some(Quant::Q8_0),
            false,
            true,
        );
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0].to_string(),
            "ollama create provision/m:q8_0 -f <Modelfile> -q Q8_0"
        );
    }
}
