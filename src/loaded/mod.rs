//! Whether the plan holds once the models are loaded: what loading each model
//! and `GET /api/ps` showed (gathered by the executor), judged against the plan
//! by pure functions: loaded or not, real size beside the estimate, placement
//! beside the planned one, and a concurrent roster resident together.

mod judge;
mod placement;

pub use judge::{ERROR_TOLERANCE_PERCENT, judge};
pub use placement::{Placement, planned};

use crate::ollama::KeepAlive;
use crate::ollama::api::{Generated, Running};
use crate::quant::Quant;
use serde::Serialize;

/// What loading one model showed.
#[derive(Debug, Clone)]
pub struct Observation {
    pub name: String,
    /// The load's answer, or why it failed.
    pub load: Result<Generated, LoadFailure>,
    /// Its `ps` entry right after its own load (none: `ps` did not show it).
    pub after_load: Option<Running>,
    /// How long the load request took (Ollama reports no `load_duration` for a
    /// load without a prompt: observed on 0.5.4).
    pub seconds: f64,
}

/// A failed load, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadFailure {
    pub message: String,
    /// The server does not have the model (`model '…' not found`).
    pub not_installed: bool,
}

/// Everything the loads showed: each model's, then `ps` once all were loaded.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    pub models: Vec<Observation>,
    pub at_end: Vec<Running>,
}

/// How one model's check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Loaded as planned.
    Ok,
    /// Loaded, but the estimate is far off or the placement is not the plan's
    /// in a way that costs nothing.
    Warning,
    /// Not loaded, evicted, or split when the plan put it wholly on the GPU.
    Failed,
    /// Not loaded: nothing of it fits.
    Skipped,
}

/// One model's check (`verify --json` `models[]`).
#[derive(Debug, Clone, Serialize)]
pub struct LoadCheck {
    pub name: String,
    pub tag: Option<String>,
    pub quantization: Option<Quant>,
    pub status: CheckStatus,
    pub loaded: bool,
    /// `size` of `ps`: all the memory it takes.
    pub size_bytes: Option<u64>,
    /// `size_vram` of `ps`.
    pub size_vram_bytes: Option<u64>,
    /// The plan's estimate of the total.
    pub estimated_bytes: u64,
    /// (estimate − real) / real × 100: positive when the estimate is larger.
    pub error_percent: Option<f64>,
    /// Where it loaded, as `ollama ps` prints it.
    pub placement: Option<String>,
    /// Where the plan put it: `100% GPU`, `100% CPU` or `split`.
    pub planned_placement: Option<String>,
    /// The context it loaded with, where the server reports it.
    pub context_length: Option<u32>,
    /// The context the plan gave it (its Modelfile's `num_ctx`).
    pub planned_num_ctx: u32,
    pub expires_at: Option<String>,
    /// For a concurrent roster: still loaded once every model was loaded.
    pub resident: Option<bool>,
    /// How long the load request took, wall clock (≈0 when it was loaded).
    pub load_seconds: Option<f64>,
    /// The manifest sha256 of what loaded.
    pub digest: Option<String>,
    pub failures: Vec<String>,
    pub warnings: Vec<String>,
}

/// A concurrent roster's check: every model resident at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterCheck {
    pub resident_together: bool,
    /// Models loaded but gone once the whole roster was loaded.
    pub evicted: Vec<String>,
}

/// A whole load check (`verify --json`; `verify` of `auto --verify --json`).
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The API's base URL.
    pub server: String,
    pub ollama_version: String,
    /// Whether the models were loaded together (a concurrent roster).
    pub concurrent: bool,
    /// The `keep_alive` the loads asked for (none: the server's default).
    pub keep_alive: Option<KeepAlive>,
    pub models: Vec<LoadCheck>,
    pub roster: Option<RosterCheck>,
    pub summary: CheckSummary,
}

/// What `auto --verify` adds to the run: the loads it would run (dry run), or
/// the load check of the models in place.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AfterAuto {
    Planned { steps: Vec<String> },
    Checked(Verification),
}

impl AfterAuto {
    /// Whether the check failed (none for a dry run).
    pub fn failed(&self) -> Option<bool> {
        match self {
            AfterAuto::Planned { .. } => None,
            AfterAuto::Checked(verification) => Some(verification.summary.failed > 0),
        }
    }
}

/// How many checks ended each way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckSummary {
    pub ok: usize,
    pub warning: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl CheckSummary {
    /// Counts the statuses.
    pub fn of(checks: &[LoadCheck]) -> CheckSummary {
        let mut summary = CheckSummary::default();
        for check in checks {
            *match check.status {
                CheckStatus::Ok => &mut summary.ok,
                CheckStatus::Warning => &mut summary.warning,
                CheckStatus::Failed => &mut summary.failed,
                CheckStatus::Skipped => &mut summary.skipped,
            } += 1;
        }
        summary
    }
}
