//! Facts of an installed model from Ollama's model store: the manifest
//! `manifests/<host>/<namespace>/<model>/<tag>` names the model layer, whose blob
//! `blobs/sha256-<hex>` starts with the GGUF header (`manifest/manifest.go` and
//! `manifest/paths.go` at v0.33.0-rc2). Only the header is read.

use super::cache::Cache;
use crate::gguf::{self, Facts, Limits};
use crate::name::ModelName;
use crate::registry::{ADAPTER_MEDIA_TYPE, MODEL_MEDIA_TYPE, Manifest, PROJECTOR_MEDIA_TYPE};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Manifests are about 1 KB.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// An installed model's facts and the sizes of its blobs.
#[derive(Debug, Clone)]
pub struct Installed {
    pub facts: Facts,
    /// Bytes of the model blob.
    pub model_bytes: u64,
    pub projector_bytes: u64,
    pub adapter_bytes: u64,
    /// The blob the header was read from.
    pub blob: PathBuf,
}

/// What the store holds for a name.
#[derive(Debug)]
pub enum InStore {
    /// No manifest for it (not installed here, or the store is elsewhere).
    Absent,
    Found(Box<Installed>),
    /// The manifest is there, but it or its blob could not be read: one line why.
    Unreadable(String),
}

/// Reads `name`'s facts from the store at `models_dir`, through the digest cache.
pub fn read_installed(models_dir: &Path, name: &ModelName, cache: &Cache) -> InStore {
    let Some(manifest_path) = manifest_path(models_dir, name) else {
        return InStore::Absent;
    };
    let manifest = match read_manifest(&manifest_path) {
        Ok(manifest) => manifest,
        Err(why) => return InStore::Unreadable(why),
    };
    let Some(layer) = manifest
        .layers
        .iter()
        .find(|l| l.media_type == MODEL_MEDIA_TYPE)
    else {
        let path = manifest_path.display();
        return InStore::Unreadable(format!("{path} names no {MODEL_MEDIA_TYPE} layer"));
    };
    let Some(blob) = blob_path(models_dir, &layer.digest) else {
        let path = manifest_path.display();
        return InStore::Unreadable(format!("{path} names a bad digest {:?}", layer.digest));
    };
    let facts = match cache.facts(&layer.digest) {
        Some(facts) => facts,
        None => match read_file(&blob) {
            Ok(facts) => {
                cache.put_facts(&layer.digest, &facts);
                facts
            }
            Err(why) => return InStore::Unreadable(why),
        },
    };
    let sum = |media: &str| {
        let layers = manifest.layers.iter().filter(|l| l.media_type == media);
        layers.fold(0u64, |s, l| s.saturating_add(l.size))
    };
    InStore::Found(Box::new(Installed {
        facts,
        model_bytes: layer.size,
        projector_bytes: sum(PROJECTOR_MEDIA_TYPE),
        adapter_bytes: sum(ADAPTER_MEDIA_TYPE),
        blob,
    }))
}

/// The facts of a GGUF file, reading only its header (at most
/// [`gguf::DEFAULT_MAX_HEADER`] bytes). Errors are one line naming the file.
pub fn read_file(path: &Path) -> Result<Facts, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("could not open {shown}: {e}"))?;
    let len = file.metadata().map(|m| m.len()).ok();
    let limits = Limits {
        file_len: len,
        max_header: gguf::DEFAULT_MAX_HEADER,
    };
    let header = gguf::read_header_from(std::io::BufReader::new(file), limits)
        .map_err(|e| format!("could not read the GGUF header of {shown}: {e}"))?;
    Facts::from_header(&header)
        .map_err(|e| format!("could not read the model facts of {shown}: {e}"))
}

/// The manifest file of `name`, as Ollama spells it or in lower case; none when
/// neither exists.
fn manifest_path(models_dir: &Path, name: &ModelName) -> Option<PathBuf> {
    let parts = [&name.host, &name.namespace, &name.model, &name.tag];
    if parts
        .iter()
        .any(|p| p.is_empty() || p.starts_with('.') || p.contains(['/', '\\']))
    {
        return None;
    }
    let join = |lower: bool| {
        let mut path = models_dir.join("manifests");
        for part in parts {
            path.push(if lower {
                part.to_ascii_lowercase()
            } else {
                part.to_string()
            });
        }
        path
    };
    [join(false), join(true)].into_iter().find(|p| p.is_file())
}

fn read_manifest(path: &Path) -> Result<Manifest, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("could not open {shown}: {e}"))?;
    let mut body = Vec::new();
    file.take(MAX_MANIFEST_BYTES)
        .read_to_end(&mut body)
        .map_err(|e| format!("could not read {shown}: {e}"))?;
    Manifest::parse(&body).map_err(|e| format!("{shown}: {e:#}"))
}

/// `blobs/sha256-<hex>` of a well-formed digest (`manifest.BlobsPath` accepts only those).
fn blob_path(models_dir: &Path, digest: &str) -> Option<PathBuf> {
    let hex = digest
        .strip_prefix("sha256:")
        .or(digest.strip_prefix("sha256-"))?;
    let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| models_dir.join("blobs").join(format!("sha256-{hex}")))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gguf::fixtures;
    use crate::gguf::write::Writer;
    use crate::registry::sha256_digest;

    /// Installs `writer`'s file as `name` in a store under `dir`: the header, then a
    /// sparse hole as long as the tensor data, and a manifest naming it.
    pub(crate) fn install(dir: &Path, name: &str, writer: &Writer) -> u64 {
        let header = writer.header();
        let digest = sha256_digest(&header);
        let blob = blob_path(dir, &digest).unwrap();
        std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&blob).unwrap();
        std::io::Write::write_all(&mut &file, &header).unwrap();
        let data = writer.data_len();
        let len = gguf::read_header(&header).unwrap().data_offset + data;
        file.set_len(len).unwrap();
        let name = ModelName::parse(name).unwrap();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{digest}","size":1}},"layers":[{{"mediaType":"{MODEL_MEDIA_TYPE}","digest":"{digest}","size":{len}}}]}}"#
        );
        let path = dir
            .join("manifests")
            .join(&name.host)
            .join(&name.namespace)
            .join(&name.model);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join(&name.tag), manifest).unwrap();
        len
    }

    #[test]
    fn an_installed_model_is_read_from_its_blob_and_cached() {
        let store = tempfile::tempdir().unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(cache_dir.path()));
        let len = install(store.path(), "mine", &fixtures::deepseek_r1_8b());
        let name = ModelName::parse("mine").unwrap();
        let InStore::Found(found) = read_installed(store.path(), &name, &cache) else {
            panic!("not found");
        };
        assert_eq!(found.facts.architecture, "qwen3");
        assert_eq!(found.model_bytes, len);
        std::fs::remove_file(&found.blob).unwrap();
        let InStore::Found(again) = read_installed(store.path(), &name, &cache) else {
            panic!("the cache should answer without the blob");
        };
        assert_eq!(again.facts, found.facts);
    }

    #[test]
    fn a_missing_manifest_is_absent_and_a_bad_blob_unreadable() {
        let store = tempfile::tempdir().unwrap();
        let cache = Cache::new(None);
        let name = ModelName::parse("mine").unwrap();
        assert!(matches!(
            read_installed(store.path(), &name, &cache),
            InStore::Absent
        ));
        install(store.path(), "mine", &fixtures::llama31_8b());
        let blob = std::fs::read_dir(store.path().join("blobs"))
            .unwrap()
            .next()
            .unwrap();
        std::fs::write(blob.unwrap().path(), b"emulated gguf placeholder\n").unwrap();
        let InStore::Unreadable(why) = read_installed(store.path(), &name, &cache) else {
            panic!("expected unreadable");
        };
        assert!(
            why.starts_with("could not read the GGUF header of "),
            "{why}"
        );
        assert!(why.contains("bad magic"), "{why}");
    }
}
