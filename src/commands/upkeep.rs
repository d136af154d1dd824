//! What `auto --update` and `auto --prune` add to a run: their findings, their
//! text after the models' and their say in the exit code.

use crate::outdated::TagStatus;
use crate::output;
use crate::prune::PruneReport;

/// What `--update` and `--prune` found, besides the models.
pub(super) struct Upkeep {
    pub outdated: Option<Vec<TagStatus>>,
    pub prune: Option<PruneReport>,
}

impl Upkeep {
    /// Whether a removal failed.
    pub fn failed(&self) -> bool {
        self.prune.as_ref().is_some_and(|p| p.failed() > 0)
    }

    /// Whether something would be removed (`--check`).
    pub fn pending(&self) -> bool {
        self.prune.as_ref().is_some_and(|p| !p.removals.is_empty())
    }

    /// The text after the models': the tags compared, then the prune.
    pub fn text(&self, dry_run: bool) -> String {
        let outdated = self.outdated.as_deref().map(output::outdated::text);
        let prune = self.prune.as_ref().map(|p| output::prune::text(p, dry_run));
        [outdated, prune]
            .into_iter()
            .flatten()
            .map(|part| format!("\n{part}"))
            .collect()
    }
}
