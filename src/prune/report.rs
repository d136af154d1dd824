//! The prune report: what was (or would be) removed and with which command,
//! what stays and why, and the bytes freed.

use super::{BytesSource, Item, Kept, PrunePlan};
use crate::steps::Step;
use serde::Serialize;

/// How one removal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalStatus {
    /// `--dry-run`/`--check`: not removed.
    Planned,
    Removed,
    Failed,
}

/// One model removed, or to remove.
#[derive(Debug, Clone, Serialize)]
pub struct Removal {
    #[serde(flatten)]
    pub item: Item,
    pub status: RemovalStatus,
    /// The failure, one line.
    pub error: Option<String>,
    /// The `ollama rm` command line.
    pub command: String,
    #[serde(skip)]
    pub step: Step,
}

/// The prune part of `provision prune --json` and `auto --prune --json`.
#[derive(Debug, Clone, Serialize)]
pub struct PruneReport {
    pub removals: Vec<Removal>,
    /// Targets `provision` created that the profile no longer names, left in place.
    pub unnamed_targets: Vec<Item>,
    /// Tags `provision` pulled that stay, and why.
    pub kept: Vec<Kept>,
    /// Records dropped because the model is no longer installed.
    pub forgotten: Vec<String>,
    /// Bytes freed by the removals that did not fail.
    pub freed_bytes: u64,
    pub bytes_source: BytesSource,
}

impl PruneReport {
    /// The report of a decided prune, before anything is removed; `program` is
    /// how command lines show the `ollama` program.
    pub fn planned(plan: PrunePlan, forgotten: Vec<String>, program: &str) -> PruneReport {
        let removals = plan
            .remove
            .into_iter()
            .map(|item| {
                let step = Step::Remove {
                    name: item.name.clone(),
                };
                Removal {
                    command: step.command_line(program),
                    item,
                    status: RemovalStatus::Planned,
                    error: None,
                    step,
                }
            })
            .collect();
        PruneReport {
            removals,
            unnamed_targets: plan.unnamed_targets,
            kept: plan.kept,
            forgotten,
            freed_bytes: plan.freed_bytes,
            bytes_source: plan.bytes_source,
        }
    }

    /// Recounts the bytes freed after the removals ran.
    pub fn settle(&mut self) {
        self.freed_bytes = self
            .removals
            .iter()
            .filter(|r| r.status != RemovalStatus::Failed)
            .map(|r| r.item.bytes)
            .sum();
    }

    /// How many removals failed.
    pub fn failed(&self) -> usize {
        let failed = |r: &&Removal| r.status == RemovalStatus::Failed;
        self.removals.iter().filter(failed).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prune::Kind;

    #[test]
    fn failed_removals_free_nothing() {
        let item = |name: &str, bytes| Item {
            name: name.into(),
            kind: Kind::Base,
            bytes,
            reason: String::new(),
        };
        let plan = PrunePlan {
            remove: vec![item("a:1", 10), item("b:1", 5)],
            unnamed_targets: vec![],
            kept: vec![],
            freed_bytes: 15,
            bytes_source: BytesSource::List,
        };
        let mut report = PruneReport::planned(plan, vec![], "ollama");
        assert_eq!(report.removals[1].command, "ollama rm b:1");
        report.removals[0].status = RemovalStatus::Failed;
        report.settle();
        assert_eq!((report.freed_bytes, report.failed()), (5, 1));
    }
}
