//! Pruning: which tags `provision` pulled that nothing needs any more, and which
//! targets it created that the profile no longer names. What each installed model
//! holds is read in `holdings` (side effects); what to remove is decided in
//! `decide`, a pure function of (state, holdings, plan).

mod bytes;
mod decide;
mod holdings;
mod report;

pub use decide::{decide, needs_blobs};
pub use holdings::{Blobs, Holding, Layer, blob_digest, holdings, read_blobs};
pub use report::{PruneReport, Removal, RemovalStatus};

use serde::Serialize;

/// Where the byte counts of a prune come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BytesSource {
    /// Every installed model's manifest was read (and matched its `ollama list`
    /// ID): exact sizes of the blobs no remaining manifest names.
    Manifests,
    /// The SIZE column of `ollama list` (rounded to what it prints) of each
    /// removed model whose weights no remaining model shares.
    List,
}

/// What the plan needs, by name.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// The tags planned models are built from.
    pub tags: Vec<String>,
    /// Every target the plan names (fitting or not).
    pub targets: Vec<String>,
    /// Targets the run is about to re-create (`--dry-run`, `--check`): the blobs
    /// they name now are not a reason to keep anything.
    pub rebuilt: Vec<String>,
}

/// The choices of the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Remove the targets `provision` created that the profile no longer names.
    pub prune_targets: bool,
}

/// A base or a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Base,
    Target,
}

/// A model to remove (or, for targets without `--prune-targets`, that could be).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub name: String,
    pub kind: Kind,
    /// The bytes its removal frees (see the plan's `bytes_source`).
    pub bytes: u64,
    pub reason: String,
}

/// A model `provision` pulled that stays, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub name: String,
    pub reason: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrunePlan {
    /// What goes, targets first (a base is removed after what was built on it).
    pub remove: Vec<Item>,
    /// Targets `provision` created that the profile no longer names, left in
    /// place without `--prune-targets`.
    pub unnamed_targets: Vec<Item>,
    /// Bases `provision` pulled that stay.
    pub kept: Vec<Kept>,
    pub freed_bytes: u64,
    pub bytes_source: BytesSource,
}
