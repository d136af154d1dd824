//! The `auto` report: what was decided and done for each model, and the counts.

use super::{Decision, Step};
use crate::plan::PlannedModel;
use crate::quant::Quant;
use serde::Serialize;

/// What `auto` does with one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The target holds exactly what would be created now.
    Unchanged,
    /// The base tag is installed: `ollama create` only.
    Create,
    /// `ollama pull` of the base tag, then `ollama create`.
    PullCreate,
    /// Nothing fits the device; the model is left alone.
    DoesNotFit,
    /// The target needs changes but is someone else's model (no `--force`).
    NotOwned,
}

impl Action {
    /// Whether the action changes what Ollama holds.
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::PullCreate)
    }

    /// How people read it: `pull+create`, `does-not-fit`, …
    pub fn label(self) -> &'static str {
        match self {
            Action::Unchanged => "unchanged",
            Action::Create => "create",
            Action::PullCreate => "pull+create",
            Action::DoesNotFit => "does-not-fit",
            Action::NotOwned => "not-owned",
        }
    }
}

/// How one model ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unchanged,
    Created,
    Updated,
    Failed,
    /// Not attempted: it does not fit, or `--fail-fast` stopped the run.
    Skipped,
    /// `--dry-run`/`--check`: the change was not made.
    Planned,
}

/// One model in the `auto` report.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    pub name: String,
    pub base: String,
    /// The library tag the model is built from.
    pub tag: Option<String>,
    pub quantization: Option<Quant>,
    pub action: Action,
    pub status: Status,
    /// Why this action (`not installed`, `num_ctx 8192 → 4096`, the fit reason).
    pub reason: String,
    /// The failure, one line; none unless `status` is `failed`.
    pub error: Option<String>,
    /// The `ollama` command lines of the action (run, or to run).
    pub commands: Vec<String>,
    /// The same steps as data (`commands` is how the JSON shows them).
    #[serde(skip)]
    pub steps: Vec<Step>,
}

impl ModelReport {
    /// The report of a decided model, before it is acted on; `program` is how
    /// command lines show the `ollama` program.
    pub fn new(model: &PlannedModel, decision: &Decision, program: &str) -> ModelReport {
        let (status, error) = match decision.action {
            Action::Unchanged => (Status::Unchanged, None),
            Action::DoesNotFit => (Status::Skipped, None),
            Action::NotOwned => (Status::Failed, Some(decision.reason.clone())),
            Action::Create | Action::PullCreate => (Status::Planned, None),
        };
        let mut report = ModelReport {
            name: model.name.clone(),
            base: model.base.clone(),
            tag: model.fit.tag.clone(),
            quantization: model.fit.quantization,
            action: decision.action,
            status,
            reason: decision.reason.clone(),
            error,
            commands: Vec::new(),
            steps: Vec::new(),
        };
        report.set_steps(decision.steps.clone(), program);
        report
    }

    /// Replaces the steps and the command lines shown for them.
    pub fn set_steps(&mut self, steps: Vec<Step>, program: &str) {
        self.commands = steps.iter().map(|s| s.command_line(program)).collect();
        self.steps = steps;
    }

    /// Whether running the steps replaces an existing model (so success is
    /// `updated`, not `created`).
    pub fn replaces(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, Step::Create { replaces: true, .. }))
    }
}

/// A base several planned models share is pulled by the first of them only:
/// the others lose their pull step and become plain creates.
pub fn share_pulls_among(reports: &mut [ModelReport], program: &str) {
    let mut planned: Vec<&mut ModelReport> = reports
        .iter_mut()
        .filter(|r| r.status == Status::Planned)
        .collect();
    let mut lists: Vec<Vec<Step>> = planned.iter().map(|r| r.steps.clone()).collect();
    let lost = super::share_pulls(lists.iter_mut());
    for ((report, list), lost) in planned.iter_mut().zip(lists).zip(lost) {
        if lost {
            report.action = Action::Create;
        }
        report.set_steps(list, program);
    }
}

/// How many models ended in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Changes `--dry-run`/`--check` found and did not make.
    pub planned: usize,
}

impl Summary {
    /// Counts the statuses.
    pub fn of(models: &[ModelReport]) -> Summary {
        let mut summary = Summary::default();
        for model in models {
            let count = match model.status {
                Status::Created => &mut summary.created,
                Status::Updated => &mut summary.updated,
                Status::Unchanged => &mut summary.unchanged,
                Status::Failed => &mut summary.failed,
                Status::Skipped => &mut summary.skipped,
                Status::Planned => &mut summary.planned,
            };
            *count += 1;
        }
        summary
    }
}
