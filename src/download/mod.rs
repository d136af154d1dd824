//! Whether a run's pulls fit the model store: the bytes still to download (the
//! registry's manifest sizes, or the catalog's when the registry does not answer,
//! minus blobs already in the store) against the store's free space. The check is
//! a pure function of those numbers; [`gather`] collects them.

mod gather;

pub use gather::gather;

use crate::size::Binary;
use serde::Serialize;

/// Where the size of a pull came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeSource {
    /// The registry's manifest: exact.
    Registry,
    /// The bundled catalog: exact or estimated within a few percent.
    Catalog,
}

/// One tag a run pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSize {
    pub tag: String,
    /// Bytes still to download: the tag's blobs not already in the store; `None`
    /// when neither the registry nor the catalog knows the tag.
    pub bytes: Option<u64>,
    pub source: Option<SizeSource>,
}

/// What a run would download.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Download {
    pub pulls: Vec<PullSize>,
    /// Why the catalog's sizes were used, when the registry did not answer.
    pub registry_note: Option<String>,
}

impl Download {
    /// The bytes still to download, of the tags whose size is known.
    pub fn bytes(&self) -> u64 {
        self.pulls
            .iter()
            .filter_map(|p| p.bytes)
            .fold(0, u64::saturating_add)
    }

    /// `registry sizes`, `catalog sizes (the registry …)`, or both.
    fn sources(&self) -> String {
        let has = |s: SizeSource| self.pulls.iter().any(|p| p.source == Some(s));
        let catalog = match &self.registry_note {
            Some(note) => format!("catalog sizes ({note})"),
            None => "catalog sizes".to_string(),
        };
        match (has(SizeSource::Registry), has(SizeSource::Catalog)) {
            (true, true) => format!("registry and {catalog}"),
            (false, true) => catalog,
            _ => "registry sizes".to_string(),
        }
    }
}

/// Fails, with both numbers, when the download does not fit the `free` bytes of
/// the model store at `store`. An unknown free space cannot be checked: it passes.
pub fn check(download: &Download, free: Option<u64>, store: &str) -> Result<(), String> {
    let (needed, Some(free)) = (download.bytes(), free) else {
        return Ok(());
    };
    if needed <= free {
        return Ok(());
    }
    Err(format!(
        "not enough disk space for the pulls: {} to download ({}) but {} free in the \
         model store {store}; free space or move OLLAMA_MODELS, or pass --force to try anyway",
        Binary(needed),
        download.sources(),
        Binary(free)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    fn pull(tag: &str, gib: u64, source: SizeSource) -> PullSize {
        PullSize {
            tag: tag.into(),
            bytes: Some(gib * GIB),
            source: Some(source),
        }
    }

    #[test]
    fn a_download_larger_than_the_free_space_is_refused_with_both_numbers() {
        let download = Download {
            pulls: vec![
                pull("a", 140, SizeSource::Registry),
                pull("b", 130, SizeSource::Registry),
            ],
            registry_note: None,
        };
        assert_eq!(download.bytes(), 270 * GIB);
        let error = check(&download, Some(66 * GIB), "/m").unwrap_err();
        assert_eq!(
            error,
            "not enough disk space for the pulls: 270.0 GiB to download (registry sizes) but \
             66.0 GiB free in the model store /m; free space or move OLLAMA_MODELS, or pass \
             --force to try anyway"
        );
        assert_eq!(check(&download, Some(270 * GIB), "/m"), Ok(()));
        assert_eq!(check(&download, None, "/m"), Ok(()));
    }

    #[test]
    fn catalog_sizes_say_why() {
        let download = Download {
            pulls: vec![pull("a", 5, SizeSource::Catalog)],
            registry_note: Some("the registry did not answer: timed out".into()),
        };
        let error = check(&download, Some(GIB), "/m").unwrap_err();
        assert!(
            error.contains("(catalog sizes (the registry did not answer: timed out))"),
            "{error}"
        );
    }
}
