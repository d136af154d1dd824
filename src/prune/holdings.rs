//! What each installed model holds: its blobs, from its manifest file when the
//! model store is readable and the file is the one `ollama list` describes (its
//! SHA-256 starts with the listed ID), else the weights blob `ollama show
//! --modelfile` names in its FROM line.

use crate::inventory::Inventory;
use crate::name::ModelName;
use crate::ollama::ListEntry;
use crate::registry::{MODEL_MEDIA_TYPE, Manifest, sha256_digest};
use anyhow::{Result, bail};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A manifest is a few KB; anything far larger is not one.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// One blob a manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// `sha256:<hex>`.
    pub digest: String,
    pub size: u64,
}

/// The blobs of one model, as far as they could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blobs {
    /// From its manifest file: the weights and every blob with its size.
    Manifest {
        weights: Vec<String>,
        layers: Vec<Layer>,
    },
    /// From `ollama show --modelfile`: the weights only (none for a cloud model).
    Shown { weights: Vec<String> },
    /// Not known, and why.
    Unknown(String),
}

impl Blobs {
    /// The weights blobs, or why they are not known.
    pub fn weights(&self) -> Result<&[String], &str> {
        match self {
            Blobs::Manifest { weights, .. } | Blobs::Shown { weights } => Ok(weights),
            Blobs::Unknown(why) => Err(why),
        }
    }
}

/// One installed model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub name: String,
    /// The `ollama list` ID: the first 12 hex digits of the manifest's SHA-256.
    pub id: String,
    /// The `ollama list` SIZE, as the middle of the byte range it stands for;
    /// none for a cloud model.
    pub listed_bytes: Option<u64>,
    pub blobs: Blobs,
}

/// The installed models, their blobs not read yet.
pub fn holdings(entries: &[ListEntry]) -> Vec<Holding> {
    entries
        .iter()
        .map(|entry| Holding {
            name: entry.name.clone(),
            id: entry.id.clone(),
            listed_bytes: entry
                .size
                .as_ref()
                .map(|s| s.min_bytes / 2 + s.max_bytes / 2),
            blobs: Blobs::Unknown("not read".to_string()),
        })
        .collect()
}

/// Reads the blobs of every model: its manifest under `models_dir` when that
/// works, else (several at once) `ollama show --modelfile`.
pub fn read_blobs(holdings: &mut [Holding], models_dir: Option<&Path>, inventory: &Inventory) {
    let mut shown: Vec<usize> = Vec::new();
    for (index, holding) in holdings.iter_mut().enumerate() {
        let from_file = models_dir
            .and_then(|dir| manifest_path(dir, &holding.name))
            .map(|path| read_manifest(&path, &holding.id));
        match (from_file, holding.listed_bytes) {
            (Some(Ok(blobs)), _) => holding.blobs = blobs,
            // A cloud model keeps nothing local.
            (_, None) => holding.blobs = Blobs::Shown { weights: vec![] },
            _ => shown.push(index),
        }
    }
    let names: Vec<String> = shown.iter().map(|&i| holdings[i].name.clone()).collect();
    for (index, result) in shown.into_iter().zip(inventory.modelfiles(&names)) {
        holdings[index].blobs = match result {
            Ok(file) => match blob_digest(&file.from) {
                Some(digest) => Blobs::Shown {
                    weights: vec![digest],
                },
                None => Blobs::Unknown(format!("its FROM is not a blob: {}", file.from)),
            },
            Err(error) => Blobs::Unknown(crate::text::one_line(&error)),
        };
    }
}

/// `<models>/manifests/<host>/<namespace>/<model>/<tag>` (`types/model/name.go`
/// `Filepath`, v0.33.0-rc2); `ollama list` prints names as their paths spell them.
fn manifest_path(models_dir: &Path, name: &str) -> Option<PathBuf> {
    let name = ModelName::parse(name).ok()?;
    let parts = [&name.host, &name.namespace, &name.model, &name.tag];
    Some(
        parts
            .iter()
            .fold(models_dir.join("manifests"), |p, s| p.join(s)),
    )
}

/// The blobs of a manifest file whose digest starts with `id`.
fn read_manifest(path: &Path, id: &str) -> Result<Blobs> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        bail!("{} is too large for a manifest", path.display());
    }
    // Another store than the server's (OLLAMA_MODELS differs) has other files.
    if !sha256_digest(&bytes)
        .trim_start_matches("sha256:")
        .starts_with(id)
    {
        bail!("{} is not the manifest `ollama list` shows", path.display());
    }
    let manifest = Manifest::parse(&bytes)?;
    let weights = manifest
        .layers
        .iter()
        .filter(|l| l.media_type == MODEL_MEDIA_TYPE)
        .map(|l| l.digest.clone())
        .collect();
    let layers = manifest
        .layers
        .iter()
        .chain([&manifest.config])
        .map(|l| Layer {
            digest: l.digest.clone(),
            size: l.size,
        })
        .collect();
    Ok(Blobs::Manifest { weights, layers })
}

/// `sha256:<hex>` of a blob path (`…/blobs/sha256-<hex>`), as manifests name it.
pub fn blob_digest(from: &str) -> Option<String> {
    let file = Path::new(from).file_name()?.to_str()?;
    let hex = file.strip_prefix("sha256-")?;
    let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_become_digests() {
        let hex = "ab".repeat(32);
        assert_eq!(
            blob_digest(&format!("/s/models/blobs/sha256-{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(blob_digest("llama3.2:3b"), None);
        assert_eq!(blob_digest("/s/blobs/sha256-xyz"), None);
    }

    #[test]
    fn a_manifest_is_read_only_when_it_is_the_listed_one() {
        let dir = tempfile::tempdir().unwrap();
        let body = br#"{"schemaVersion":2,"config":{"digest":"sha256:c","size":5},"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:w","size":100},{"mediaType":"application/vnd.ollama.image.license","digest":"sha256:l","size":9}]}"#;
        let path = manifest_path(dir.path(), "llama3.2:1b").unwrap();
        assert!(path.ends_with("manifests/registry.ollama.ai/library/llama3.2/1b"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, body).unwrap();
        let id = &sha256_digest(body)[7..19];
        let Blobs::Manifest { weights, layers } = read_manifest(&path, id).unwrap() else {
            panic!("not read from the manifest");
        };
        assert_eq!(weights, ["sha256:w"]);
        let sizes: u64 = layers.iter().map(|l| l.size).sum();
        assert_eq!(sizes, 114);
        let error = read_manifest(&path, "000000000000").unwrap_err();
        assert!(error.to_string().contains("not the manifest"), "{error}");
    }
}
