//! The fit decision: for each model the highest quantization (and context) that
//! really fits the budget, and for concurrent rosters the mix that fits together.

mod fallback;
mod goal;
mod model;
mod policy;
mod roster;
mod search;
mod server;
mod single;
mod verdict;

pub use fallback::Offload;
pub use goal::GoalOutcome;
pub use model::{estimate_at, speed_at};
pub use policy::{FitPolicy, Reserve};
pub use roster::{RosterFit, RosterShare, fit_roster};
pub use server::{ServerSetting, server_settings};
pub use single::fit_model;

use crate::catalog::Resolved;
use crate::estimate::{Estimate, Placement};
pub use crate::probe::{Budget, GpuInfo};
use crate::quant::Quant;
use crate::speed::{Correction, Goal, MeasuredSpeed, Speed};
use crate::tier::Tier;
use serde::Serialize;

/// Where models run on this budget: all layers on the (largest) GPU when there
/// is one, else on the CPU from RAM. A partial offload is a fit's own choice.
pub fn placement(budget: &Budget) -> Placement {
    if budget.gpus.is_empty() {
        Placement::Cpu
    } else {
        Placement::Gpu
    }
}

/// `num_gpu` of a model placed whole: every layer plus the output layer on the
/// GPU, none on the CPU.
pub fn gpu_layers(placement: Placement, layers: u32) -> u32 {
    match placement {
        Placement::Gpu => layers + 1,
        Placement::Cpu => 0,
    }
}

/// One model to fit: a catalog entry, how much it matters, and what is installed.
#[derive(Debug, Clone, Copy)]
pub struct ModelRequest<'a> {
    pub resolved: Resolved<'a>,
    /// Weight of this model's quality in a roster (1.0 = normal).
    pub priority: f64,
    /// The real blob size of an installed quantization, preferred to the catalog's.
    pub installed: Option<(Quant, u64)>,
    /// The context to plan for; `None` means the policy's `num_ctx`.
    pub num_ctx: Option<u32>,
    /// Precision bounds (inclusive) a profile sets on this model.
    pub min_quant: Option<Quant>,
    pub max_quant: Option<Quant>,
    /// Try exactly the quantizations the size lists, not the policy's canonical
    /// ones: a local base, whose list is what `ollama create --quantize` makes.
    pub listed_only: bool,
    /// Sizes measured on this machine (`provision verify`), each replacing the
    /// estimate's total in exactly its configuration.
    pub measured: &'a [MeasuredSize],
    /// The speed goal, and what speeds are known of this model here.
    pub speed: SpeedRequest<'a>,
}

/// What the fit knows of a model's speed beyond the formula.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpeedRequest<'a> {
    /// The profile's goal for it: the most precise level that fits and meets
    /// it is chosen.
    pub goal: Option<Goal>,
    /// Models decoding at the same time as this one (itself included; 0 or 1:
    /// alone), sharing the bandwidth.
    pub decoding_together: u32,
    /// Speeds `bench` measured here, each replacing the prediction in exactly
    /// its configuration.
    pub measured: &'a [MeasuredSpeed],
    /// What this machine's measurements say of the formula's efficiency.
    pub correction: Option<Correction>,
}

/// The memory one level of a model took when loaded here at one context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasuredSize {
    pub quant: Quant,
    pub num_ctx: u32,
    pub total_bytes: u64,
}

impl<'a> ModelRequest<'a> {
    /// A request with priority 1 and nothing installed.
    pub fn new(resolved: Resolved<'a>) -> Self {
        ModelRequest {
            resolved,
            priority: 1.0,
            installed: None,
            num_ctx: None,
            min_quant: None,
            max_quant: None,
            listed_only: false,
            measured: &[],
            speed: SpeedRequest::default(),
        }
    }
}

/// Where a fitted model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Run {
    Gpu,
    Cpu,
    PartialOffload,
}

/// The decision for one model, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFit {
    /// `family:size` as the catalog names it.
    pub model: String,
    /// The device tier: the precision ceiling.
    pub tier: Tier,
    pub fits: bool,
    /// The chosen quantization and its full tag (`llama3.1:8b-instruct-q8_0`), or
    /// none when nothing fits.
    pub quantization: Option<Quant>,
    pub tag: Option<String>,
    /// Whether the weights size is registry-exact or installed (vs estimated).
    pub size_exact: bool,
    /// Bytes `ollama pull` of the tag downloads (its weights and any projector),
    /// from the catalog or the installed copy; `None` when nothing fits.
    pub download_bytes: Option<u64>,
    pub run: Option<Run>,
    /// The estimate of the choice; when nothing fits, of the smallest candidate.
    pub estimate: Estimate,
    /// The memory the choice needs on the budget device (GPU part when offloading).
    pub needed_bytes: u64,
    /// The budget after the reserve.
    pub budget_bytes: u64,
    pub num_ctx: u32,
    pub num_thread: u32,
    /// Layers on the GPU (`num_gpu`): 0 on CPU, all layers + output on a full fit.
    pub num_gpu: u32,
    pub offload: Option<Offload>,
    /// The `num_gpu` the Modelfile must pin: a partial offload's layers, or 0 for
    /// a model that falls back to the CPU on a machine with a GPU (else Ollama
    /// would place layers there); `None` when Ollama's own placement is planned.
    #[serde(skip)]
    pub pinned_num_gpu: Option<u32>,
    /// How fast the choice decodes (and reads a prompt) here; none when the
    /// bandwidth is unknown or was not asked for.
    pub speed: Option<Speed>,
    /// The profile's speed goal and whether the choice meets it.
    pub speed_goal: Option<GoalOutcome>,
    /// Why: each rejected option with its numbers, then the choice.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn a_fit_serialises_to_snake_case_keys_and_byte_counts() {
        let resolved = Catalog::bundled().resolve("llama3.2:3b").unwrap();
        let budget = Budget {
            ram_bytes: 8 << 30,
            cores: 4,
            gpus: Vec::new(),
        };
        let fit = fit_model(
            &ModelRequest::new(resolved),
            &budget,
            Tier::T8,
            &FitPolicy::default(),
        );
        let json = serde_json::to_value(&fit).unwrap();
        assert_eq!(json["quantization"], "Q8_0");
        assert_eq!(json["tag"], "llama3.2:3b-instruct-q8_0");
        assert_eq!(json["tier"], 8);
        assert_eq!(json["run"], "cpu");
        assert_eq!(json["num_gpu"], 0);
        assert_eq!(json["num_thread"], 4);
        assert!(json["estimate"]["kv_cache_bytes"].is_u64());
        assert!(
            json["estimate"]["total_bytes"].as_u64().unwrap()
                <= json["budget_bytes"].as_u64().unwrap()
        );
    }
}
