//! Pruning: which tags `provision` pulled that nothing needs any more, and which
//! targets it created that the profile no longer names. What each installed model
//! holds is read in `holdings` (side effects); what to remove is decided in
//! `decide`, a pure function of (state, holdings, plan).

mod bytes;
mod decide;
mod holdings;
mod report;

pub use decide::{Item, Kept, Kind, Options, PrunePlan, Usage, decide, needs_blobs};
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
