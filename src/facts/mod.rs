//! The one source of model facts for `plan`, `auto`, `list-quants`, `modelfile`,
//! `optimize` and `inspect`: an installed model's GGUF header (from the model store,
//! else `ollama show --verbose`), the registry's manifest and the model blob's header
//! (fetched by byte ranges, cached by digest), and the bundled catalog as the dated,
//! offline fallback.
//!
//! Order, per model: installed facts; registry facts already cached (a tag's manifest
//! for [`cache::TAG_LIFETIME`], a blob's facts for ever); the catalog; and only for a
//! name the catalog does not know, or when asked (`--remote`), the registry itself.
//! Every number keeps its [`Source`].

mod build;
mod cache;
mod gather;
mod probe;
mod remote;
pub mod report;
mod settle;
mod shape;
mod shown;
mod store;

pub use build::file;
pub use cache::{Cache, TAG_LIFETIME};
pub use gather::{Gathered, Sources, Unknown, gather};
pub use probe::{candidates, quant_of_tag};
pub use shape::{dims, exact};
pub use store::read_file;

use crate::catalog::{Family, ModelSize, QuantSize, Resolved};
use crate::quant::Quant;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a number came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The header of the installed model blob (or `ollama show --verbose`).
    Installed,
    /// The registry's manifest and the header of its model blob.
    Registry,
    /// The bundled catalog, dated by its `as_of`.
    Catalog,
    /// A GGUF file named on the command line.
    File,
}

impl Source {
    /// The id a [`QuantSize::source`] carries for a live size.
    pub fn id(self) -> &'static str {
        match self {
            Source::Installed => "installed",
            Source::Registry => "registry",
            Source::Catalog => "catalog",
            Source::File => "file",
        }
    }

    /// Where the size of a level came from: a live size carries `installed` or
    /// `registry`; anything else is the catalog's.
    pub fn of(level: &QuantSize) -> Source {
        match level.source.as_deref() {
            Some("installed") => Source::Installed,
            Some("registry") => Source::Registry,
            Some("file") => Source::File,
            _ => Source::Catalog,
        }
    }

    /// As printed: `installed`, `registry`, `catalog (as of 2026-08-28)`.
    pub fn describe(self, catalog_as_of: &str) -> String {
        match self {
            Source::Catalog => format!("catalog (as of {catalog_as_of})"),
            live => live.id().to_string(),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A model known from live facts, catalog-shaped so the fit and the rest of the
/// planner read it as they read the catalog.
#[derive(Debug, Clone)]
pub struct Known {
    /// The name as asked (a profile's base, a command-line name).
    pub name: String,
    /// The family and size; `size.facts` holds the header's facts and each level's
    /// `source` says where its size came from.
    pub family: Family,
    pub size: ModelSize,
    /// The level the name denotes, and whether the name spelled it out.
    pub quant: Quant,
    pub pinned: bool,
    /// Where the dimensions and facts came from.
    pub shape: Source,
    /// The file or URL the header was read from (or `ollama show --verbose NAME`).
    pub read_from: String,
    /// Installed, and a name the catalog does not know (a user's own import):
    /// planned at its own level, or at what `ollama create --quantize` makes from it.
    pub local: bool,
    /// The tags were probed by convention: other levels may exist.
    pub probed: bool,
    /// Bytes of adapter blobs loaded with the model (part of `size.projector_bytes`).
    pub adapter_bytes: u64,
    /// Anything the reader had to assume, one line each.
    pub notes: Vec<String>,
}

impl Known {
    /// The catalog-shaped entry of the name: its size at the level it denotes.
    pub fn resolved(&self) -> Resolved<'_> {
        Resolved {
            family: &self.family,
            size: &self.size,
            quant: self.quant,
            quant_pinned: self.pinned,
        }
    }

    /// Whether this is the facts of `name` (as a profile or the command line wrote it).
    pub fn is(&self, name: &str) -> bool {
        self.name.trim().eq_ignore_ascii_case(name.trim())
    }
}

/// The facts of `name` as installed in the store at `models_dir`, when its manifest
/// and blob header can be read.
pub fn installed(
    models_dir: &std::path::Path,
    name: &str,
    cache: &Cache,
) -> Option<crate::gguf::Facts> {
    let parsed = crate::name::ModelName::parse(name).ok()?;
    match store::read_installed(models_dir, &parsed, cache) {
        store::InStore::Found(found) => Some(found.facts),
        _ => None,
    }
}

/// The facts known about `name`, if any.
pub fn find<'k>(known: &'k [Known], name: &str) -> Option<&'k Known> {
    known.iter().find(|k| k.is(name))
}

/// Where a model's numbers came from, for the plan's JSON and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The dimensions and architecture (`installed`, `registry`, `catalog`).
    pub facts_source: Source,
    /// The chosen level's weights size.
    pub size_source: Source,
    /// The tag list was probed and may be incomplete.
    pub tags_probed: bool,
}

impl Provenance {
    /// As printed under a plan row: `facts: registry; weights: catalog (as of …)`.
    pub fn describe(&self, catalog_as_of: &str) -> String {
        let mut text = format!(
            "facts: {}; weights size: {}",
            self.facts_source.describe(catalog_as_of),
            self.size_source.describe(catalog_as_of)
        );
        if self.tags_probed {
            text.push_str("; tags probed by convention (the list may be incomplete)");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_back_from_level_ids() {
        let level = exact(Quant::Q4KM, 1, Source::Registry, None);
        assert_eq!(Source::of(&level), Source::Registry);
        let catalog = QuantSize {
            source: Some("sushila".into()),
            ..level
        };
        assert_eq!(Source::of(&catalog), Source::Catalog);
        assert_eq!(
            Source::Catalog.describe("2026-08-28"),
            "catalog (as of 2026-08-28)"
        );
        assert_eq!(Source::Installed.describe("x"), "installed");
    }
}
