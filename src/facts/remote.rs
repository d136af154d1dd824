//! Registry facts of names not installed: the tag's manifest (exact blob sizes), the
//! model blob's header read by growing byte ranges (2 MiB first, then at least what
//! the reader says it needs, doubling, at most 64 MiB), and other tags of the same
//! size. Everything runs concurrently under one deadline and goes through the cache.

use super::cache::{Cache, CachedTag, now};
use super::probe;
use crate::gguf::{self, Facts, Limits};
use crate::inventory::concurrently;
use crate::name::ModelName;
use crate::registry::{BlobError, Lookup, MODEL_MEDIA_TYPE, Registry, RemoteTag};
use std::time::Instant;

/// The first range of a blob: most headers are 1–12 MB (tokenizer arrays).
const FIRST_RANGE: u64 = 2 << 20;

/// One name to fetch, and which other tags of it to look up.
#[derive(Debug, Clone)]
pub struct Asked {
    pub name: ModelName,
    pub others: Others,
}

/// Which other tags to look up beside the asked one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Others {
    /// None (a full tag pins the level).
    None,
    /// The conventional tags of the size (a family the catalog does not know).
    Probe,
    /// These tags (a catalog size's published tags, for their exact sizes).
    Tags(Vec<String>),
}

/// What the registry said about a name.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub tag: RemoteTag,
    pub facts: Facts,
    /// The blob URL the header was read from.
    pub read_from: String,
    /// Other tags that exist, with their manifests.
    pub found: Vec<(String, RemoteTag)>,
    pub probed: bool,
    /// The manifest came from an expired cache entry: the registry did not answer.
    pub stale: bool,
}

/// Why a name has no registry facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The registry answered 404 for the manifest at this URL.
    NotFound(String),
    /// No answer (offline, DNS, proxy, deadline): one line why.
    Unreachable(String),
    /// An answer that cannot be used: one line naming the URL.
    Bad(String),
}

/// Fetches every name at once, within the registry's timeout.
pub fn fetch_all(base: &Registry, cache: &Cache, asked: &[Asked]) -> Vec<Result<Fetched, Failure>> {
    let deadline = Instant::now() + base.timeout();
    let keys: Vec<String> = (0..asked.len()).map(|i| i.to_string()).collect();
    concurrently(&keys, |key| {
        let index: usize = key.parse().unwrap_or(0);
        fetch_one(base, cache, &asked[index], deadline)
    })
}

fn fetch_one(
    base: &Registry,
    cache: &Cache,
    asked: &Asked,
    deadline: Instant,
) -> Result<Fetched, Failure> {
    let name = &asked.name;
    let registry = base
        .for_host(&name.host)
        .map_err(|e| Failure::Bad(format!("{e:#}")))?;
    let (tag, stale) = manifest(&registry, cache, name, deadline)?;
    let layer = tag.layer(MODEL_MEDIA_TYPE).cloned().ok_or_else(|| {
        let url = registry.manifest_url_in(&name.namespace, &name.model, &name.tag);
        Failure::Bad(format!("{url} names no {MODEL_MEDIA_TYPE} layer"))
    })?;
    let url = registry.blob_url(&name.namespace, &name.model, &layer.digest);
    let facts = match cache.facts(&layer.digest) {
        Some(facts) => facts,
        None => {
            let facts = header(&registry, &url, layer.size, deadline)?;
            cache.put_facts(&layer.digest, &facts);
            facts
        }
    };
    let (found, probed) = match &asked.others {
        Others::None => (Vec::new(), false),
        Others::Tags(tags) => (lookups(&registry, cache, name, tags, deadline).0, false),
        Others::Probe => match probed(&registry, cache, name, deadline) {
            Some(found) => (found, true),
            None => (Vec::new(), false),
        },
    };
    Ok(Fetched {
        tag,
        facts,
        read_from: url,
        found,
        probed,
        stale,
    })
}

/// The tag's manifest: a fresh cache entry, else the registry's (cached), else an
/// expired entry when the registry gives no answer.
fn manifest(
    registry: &Registry,
    cache: &Cache,
    name: &ModelName,
    deadline: Instant,
) -> Result<(RemoteTag, bool), Failure> {
    let cached = cache.tag(name);
    if let Some(entry) = cached.as_ref().filter(|c| c.fresh(now())) {
        return Ok((entry.remote(), false));
    }
    let url = registry.manifest_url_in(&name.namespace, &name.model, &name.tag);
    match registry.lookup_by(&name.namespace, &name.model, &name.tag, deadline) {
        Lookup::Found(tag) => {
            cache.put_tag(name, &tag);
            Ok((tag, false))
        }
        Lookup::NotFound => Err(Failure::NotFound(url)),
        Lookup::Unreachable(why) => match cached {
            Some(entry) => Ok((CachedTag::remote(&entry), true)),
            None => Err(Failure::Unreachable(why)),
        },
        Lookup::Other(status) => Err(Failure::Bad(format!("{url} answered HTTP {status}"))),
        Lookup::Invalid(why) => Err(Failure::Bad(format!("{url}: {why}"))),
    }
}

/// Reads the header of the blob at `url` (`len` bytes) by growing ranges.
fn header(registry: &Registry, url: &str, len: u64, deadline: Instant) -> Result<Facts, Failure> {
    let failed =
        |why: String| Failure::Bad(format!("could not read the GGUF header of {url}: {why}"));
    let limits = Limits {
        file_len: Some(len),
        max_header: gguf::DEFAULT_MAX_HEADER,
    };
    let cap = len.min(gguf::DEFAULT_MAX_HEADER);
    let (mut buf, mut at, mut want) = (Vec::new(), url.to_string(), FIRST_RANGE.min(cap));
    loop {
        let start = buf.len() as u64;
        let part = registry
            .blob_range(&at, start, want.saturating_sub(1), deadline)
            .map_err(|e| match e {
                BlobError::Unreachable(why) => Failure::Unreachable(why),
                other => failed(other.to_string()),
            })?;
        let short = (part.bytes.len() as u64) < want - start;
        at = part.url;
        buf.extend_from_slice(&part.bytes);
        match gguf::read_header_with(&buf, limits) {
            Ok(header) => return Facts::from_header(&header).map_err(|e| failed(e.to_string())),
            Err(gguf::Error::Incomplete { needed, have }) if short || part.bytes.is_empty() => {
                return Err(failed(format!(
                    "the blob ended at byte {have}, inside its header (at least {needed} bytes needed)"
                )));
            }
            Err(gguf::Error::Incomplete { needed, .. }) => {
                want = needed.max(want.saturating_mul(2)).min(cap);
                if want <= buf.len() as u64 {
                    return Err(failed(format!("the header needs more than {cap} bytes")));
                }
            }
            Err(other) => return Err(failed(other.to_string())),
        }
    }
}

/// Manifests of `tags` (cache first); the found ones, and whether every tag answered.
fn lookups(
    registry: &Registry,
    cache: &Cache,
    name: &ModelName,
    tags: &[String],
    deadline: Instant,
) -> (Vec<(String, RemoteTag)>, bool) {
    let results = concurrently(tags, |tag| {
        let tagged = ModelName {
            tag: tag.to_string(),
            ..name.clone()
        };
        manifest(registry, cache, &tagged, deadline)
    });
    let complete = results
        .iter()
        .all(|r| !matches!(r, Err(Failure::Unreachable(_))));
    let found = tags
        .iter()
        .zip(results)
        .filter_map(|(tag, result)| result.ok().map(|(remote, _)| (tag.clone(), remote)))
        .collect();
    (found, complete)
}

/// The conventional tags of the name's size that exist: from a fresh probe record, else
/// asked (and recorded when every tag answered). None when the tag names no size
/// (`latest`, a bare level on Hugging Face is a level): there is nothing to probe.
fn probed(
    registry: &Registry,
    cache: &Cache,
    name: &ModelName,
    deadline: Instant,
) -> Option<Vec<(String, RemoteTag)>> {
    let hf = name.host.eq_ignore_ascii_case(crate::registry::HF_HOST);
    let size = match probe::size_of_tag(&name.tag) {
        Some(size) if !hf => size,
        _ if hf => name.tag.clone(),
        _ => return None,
    };
    let candidates: Vec<String> = probe::candidates(&name.host, &size)
        .into_iter()
        .filter(|t| !t.eq_ignore_ascii_case(&name.tag))
        .collect();
    let recorded = cache
        .probe(name, &size)
        .filter(|p| now().saturating_sub(p.fetched) < super::cache::TAG_LIFETIME.as_secs());
    if let Some(record) = recorded {
        let (found, complete) = lookups(registry, cache, name, &record.found, deadline);
        if complete && found.len() == record.found.len() {
            return Some(found);
        }
    }
    let (found, complete) = lookups(registry, cache, name, &candidates, deadline);
    if complete {
        let tags: Vec<String> = found.iter().map(|(t, _)| t.clone()).collect();
        cache.put_probe(name, &size, &tags);
    }
    Some(found)
}
