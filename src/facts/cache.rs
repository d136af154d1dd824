//! The facts cache under `$XDG_CACHE_HOME/provision/facts/v1/`: a blob's facts by its
//! digest (a digest's content never changes, so they are kept for ever), a tag's
//! manifest for [`TAG_LIFETIME`] (tags move: `qwen3:4b` now names another build), and
//! which conventional tags a probe found, for as long.
//!
//! A cache that cannot be read or written is no cache: entries that do not parse are
//! misses, writes that fail are dropped, and nothing here is an error.

use crate::gguf::Facts;
use crate::name::ModelName;
use crate::registry::{Blob, MODEL_MEDIA_TYPE, RemoteTag};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a tag's manifest (and a probe's answer) is trusted: a day, so a day of
/// planning costs one round of requests and a retagged model is seen the next day.
pub const TAG_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Cache files are small (a Facts record is ~10 KB); anything larger is not ours.
const MAX_ENTRY_BYTES: u64 = 4 << 20;

/// The cache directory, or none (no HOME, no XDG_CACHE_HOME): every look-up misses.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
}

/// A tag's manifest as it was fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedTag {
    /// Seconds since the epoch when it was fetched.
    pub fetched: u64,
    /// `sha256:<hex>` of the manifest body.
    pub digest: String,
    /// The config blob (absent in entries written before it was kept).
    #[serde(default)]
    pub config: Option<Blob>,
    pub layers: Vec<Blob>,
}

/// Which conventional tags of a size exist, as a probe found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedProbe {
    pub fetched: u64,
    /// Tags that answered with a manifest (each also cached as a tag).
    pub found: Vec<String>,
}

impl CachedTag {
    /// Whether it is younger than [`TAG_LIFETIME`] at `now` (seconds since the epoch).
    pub fn fresh(&self, now: u64) -> bool {
        now.saturating_sub(self.fetched) < TAG_LIFETIME.as_secs()
    }

    /// The manifest's facts as the registry client reports them.
    pub fn remote(&self) -> RemoteTag {
        let model_bytes = self
            .layers
            .iter()
            .filter(|l| l.media_type == MODEL_MEDIA_TYPE)
            .fold(0u64, |sum, l| sum.saturating_add(l.size));
        let total = self
            .layers
            .iter()
            .fold(0u64, |s, l| s.saturating_add(l.size));
        RemoteTag {
            model_bytes,
            total_bytes: total,
            digest: self.digest.clone(),
            config: self.config.clone().unwrap_or_default(),
            layers: self.layers.clone(),
        }
    }
}

/// Seconds since the epoch now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Cache {
    /// The cache under `dir` (`ctx.paths.cache`), in its own versioned folder.
    pub fn new(dir: Option<&Path>) -> Cache {
        Cache {
            dir: dir.map(|d| d.join("facts").join("v1")),
        }
    }

    /// The facts of a blob, if read before.
    pub fn facts(&self, digest: &str) -> Option<Facts> {
        self.read(&self.blob_path(digest)?)
    }

    pub fn put_facts(&self, digest: &str, facts: &Facts) {
        if let Some(path) = self.blob_path(digest) {
            self.write(&path, facts);
        }
    }

    /// The manifest of a tag, fresh or not (the caller checks [`CachedTag::fresh`]).
    pub fn tag(&self, name: &ModelName) -> Option<CachedTag> {
        self.read(&self.name_path("tags", name, &name.tag)?)
    }

    pub fn put_tag(&self, name: &ModelName, tag: &RemoteTag) {
        let entry = CachedTag {
            fetched: now(),
            digest: tag.digest.clone(),
            config: Some(tag.config.clone()),
            layers: tag.layers.clone(),
        };
        if let Some(path) = self.name_path("tags", name, &name.tag) {
            self.write(&path, &entry);
        }
    }

    /// What a probe of the conventional tags of `size` found.
    pub fn probe(&self, name: &ModelName, size: &str) -> Option<CachedProbe> {
        self.read(&self.name_path("probes", name, size)?)
    }

    pub fn put_probe(&self, name: &ModelName, size: &str, found: &[String]) {
        let entry = CachedProbe {
            fetched: now(),
            found: found.to_vec(),
        };
        if let Some(path) = self.name_path("probes", name, size) {
            self.write(&path, &entry);
        }
    }

    /// `blobs/sha256-<hex>.json`, for a well-formed digest only.
    fn blob_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:")?;
        let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        let file = format!("sha256-{}.json", hex.to_ascii_lowercase());
        valid.then(|| self.dir.as_ref().map(|d| d.join("blobs").join(file)))?
    }

    /// `<kind>/<host>/<namespace>/<model>/<last>.json`, lower case (names compare
    /// case-insensitively); none for a part that could leave the folder.
    fn name_path(&self, kind: &str, name: &ModelName, last: &str) -> Option<PathBuf> {
        let parts = [&name.host, &name.namespace, &name.model, last];
        let safe = |p: &str| !p.is_empty() && !p.starts_with('.') && !p.contains(['/', '\\', '\0']);
        if !parts.iter().all(|p| safe(p)) {
            return None;
        }
        let mut path = self.dir.as_ref()?.join(kind);
        for part in &parts[..3] {
            path.push(part.to_ascii_lowercase());
        }
        Some(path.join(format!("{}.json", last.to_ascii_lowercase())))
    }

    fn read<T: DeserializeOwned>(&self, path: &Path) -> Option<T> {
        let file = std::fs::File::open(path).ok()?;
        let mut text = Vec::new();
        file.take(MAX_ENTRY_BYTES).read_to_end(&mut text).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Writes through a temporary file and a rename, so a reader never sees half.
    fn write<T: Serialize>(&self, path: &Path, value: &T) {
        let Some(dir) = path.parent() else { return };
        let written = std::fs::create_dir_all(dir).ok().and_then(|()| {
            let mut file = tempfile::NamedTempFile::new_in(dir).ok()?;
            serde_json::to_writer(&mut file, value).ok()?;
            file.persist(path).ok()
        });
        drop(written);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::{self, fixtures};

    const DIGEST: &str = "sha256:4b1ffc7e3a2e9d5a6a18e2c1b0ed5a5dc7e8b8f3fbb6e0c8a3e4f1d2c3b4a5f6";

    fn facts() -> Facts {
        let header = gguf::read_header(&fixtures::llama31_8b().header()).unwrap();
        Facts::from_header(&header).unwrap()
    }

    #[test]
    fn facts_round_trip_by_digest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path()));
        assert_eq!(cache.facts(DIGEST), None);
        cache.put_facts(DIGEST, &facts());
        assert_eq!(cache.facts(DIGEST), Some(facts()));
        assert!(dir.path().join("facts/v1/blobs").is_dir());
        assert_eq!(cache.facts("sha256:../../etc"), None);
        assert_eq!(Cache::new(None).facts(DIGEST), None);
    }

    #[test]
    fn tags_keep_their_fetch_time_and_go_stale() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path()));
        let name = ModelName::parse("hf.co/User/Repo:Q4_K_M").unwrap();
        let tag = RemoteTag {
            model_bytes: 10,
            total_bytes: 12,
            digest: DIGEST.into(),
            config: Blob::default(),
            layers: vec![Blob {
                media_type: MODEL_MEDIA_TYPE.into(),
                digest: DIGEST.into(),
                size: 10,
            }],
        };
        cache.put_tag(&name, &tag);
        let cached = cache
            .tag(&ModelName::parse("hf.co/user/repo:q4_k_m").unwrap())
            .unwrap();
        assert_eq!(cached.remote().model_bytes, 10);
        assert!(cached.fresh(now()));
        assert!(!cached.fresh(now() + TAG_LIFETIME.as_secs()));
    }

    #[test]
    fn a_corrupt_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(Some(dir.path()));
        cache.put_facts(DIGEST, &facts());
        let path = cache.blob_path(DIGEST).unwrap();
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(cache.facts(DIGEST), None);
    }
}
