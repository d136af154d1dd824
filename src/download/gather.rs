//! Collecting what the download check needs: each pulled tag's blobs from the
//! registry (one batch per model under one deadline), else its catalog size; and
//! which of those blobs the model store already holds.

use super::{Download, PullSize, SizeSource};
use crate::catalog::Catalog;
use crate::registry::{Lookup, Registry};
use std::collections::BTreeMap;
use std::path::Path;

/// The sizes of `tags` (full library tags such as `llama3.1:8b-instruct-q4_K_M`)
/// still to download into `store`. `registry` is `Err` with the reason when it
/// cannot be asked; a tag it has no answer for takes the catalog's size.
pub fn gather(
    registry: Result<&Registry, String>,
    tags: &[String],
    store: Option<&Path>,
) -> Download {
    let mut found: BTreeMap<&str, Vec<(String, u64)>> = BTreeMap::new();
    let mut note = registry.as_ref().err().cloned();
    if let Ok(registry) = registry {
        for (model, model_tags) in by_model(tags) {
            let short: Vec<&str> = model_tags.iter().map(|(tag, _)| *tag).collect();
            let lookups = registry.lookup_many(model, &short);
            if let Some(reason) = lookups.offline {
                note.get_or_insert(format!("the registry did not answer: {reason}"));
            }
            for ((_, full), lookup) in model_tags.iter().zip(&lookups.tags) {
                if let Lookup::Found(remote) = &lookup.lookup {
                    found.insert(full, remote.blobs());
                }
            }
        }
    }
    let pulls = tags
        .iter()
        .map(|tag| match found.get(tag.as_str()) {
            Some(blobs) => PullSize {
                tag: tag.clone(),
                bytes: Some(missing(blobs, store)),
                source: Some(SizeSource::Registry),
            },
            None => PullSize {
                tag: tag.clone(),
                bytes: catalog_bytes(tag),
                source: catalog_bytes(tag).map(|_| SizeSource::Catalog),
            },
        })
        .collect();
    let any_catalog = tags.iter().any(|t| !found.contains_key(t.as_str()));
    Download {
        pulls,
        registry_note: note.filter(|_| any_catalog),
    }
}

/// Library tags grouped by model: `llama3.1` → [(`8b-instruct-q4_K_M`, the full
/// tag), …]. Tags of other namespaces or hosts are not the library's: the
/// catalog answers for them.
fn by_model(tags: &[String]) -> BTreeMap<&str, Vec<(&str, &str)>> {
    let mut models: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for full in tags {
        let short = full
            .trim_start_matches("registry.ollama.ai/")
            .trim_start_matches("library/");
        if let Some((model, tag)) = short.split_once(':')
            && !model.contains('/')
        {
            models.entry(model).or_default().push((tag, full));
        }
    }
    models
}

/// The bytes of `blobs` the store does not hold yet (a blob is held when
/// `blobs/sha256-<hex>` exists with its size; an unreadable store holds none).
fn missing(blobs: &[(String, u64)], store: Option<&Path>) -> u64 {
    blobs
        .iter()
        .filter(|(digest, size)| !store.is_some_and(|store| held(store, digest, *size)))
        .map(|(_, size)| *size)
        .fold(0, u64::saturating_add)
}

fn held(store: &Path, digest: &str, size: u64) -> bool {
    let Some(hex) = digest.strip_prefix("sha256:") else {
        return false;
    };
    // Ollama names blobs `sha256-<hex>`; releases before 0.1.x's Windows support
    // used `sha256:<hex>`.
    ["sha256-", "sha256:"].iter().any(|prefix| {
        let path = store.join("blobs").join(format!("{prefix}{hex}"));
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == size)
    })
}

/// The catalog's size of a full tag: its weights plus any projector.
fn catalog_bytes(tag: &str) -> Option<u64> {
    let resolved = Catalog::bundled().resolve(tag).ok()?;
    let weights = resolved.size.quant(resolved.quant)?.bytes;
    Some(weights.saturating_add(resolved.size.projector_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_already_in_the_store_are_not_downloaded_again() {
        let store = tempfile::tempdir().unwrap();
        std::fs::create_dir(store.path().join("blobs")).unwrap();
        std::fs::write(store.path().join("blobs/sha256-aa"), [0u8; 3]).unwrap();
        std::fs::write(store.path().join("blobs/sha256-bb"), [0u8; 1]).unwrap();
        let blobs = [
            ("sha256:aa".to_string(), 3),
            ("sha256:bb".to_string(), 7),
            ("sha256:cc".to_string(), 10),
        ];
        assert_eq!(missing(&blobs, Some(store.path())), 17, "bb is partial");
        assert_eq!(missing(&blobs, None), 20);
    }

    #[test]
    fn without_a_registry_the_catalog_answers_and_says_so() {
        let tags = [
            "llama3.2:1b-instruct-q8_0".to_string(),
            "me/own:latest".to_string(),
        ];
        let download = gather(Err("no registry".into()), &tags, None);
        assert_eq!(download.pulls[0].source, Some(SizeSource::Catalog));
        assert!(download.pulls[0].bytes.unwrap() > 1_000_000_000);
        assert_eq!(
            (download.pulls[1].bytes, download.pulls[1].source),
            (None, None)
        );
        assert_eq!(download.registry_note.as_deref(), Some("no registry"));
        assert_eq!(by_model(&tags).len(), 1, "me/own is not a library model");
    }
}
