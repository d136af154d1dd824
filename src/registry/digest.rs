//! The digest of a published tag, which `outdated` compares with the installed
//! manifest's: `HEAD` of the manifest and its `ollama-content-digest` header, as
//! the Ollama app does (`app/ui/ui.go` `checkModelUpstream`, v0.33.0-rc2), else
//! the SHA-256 of the `GET` body, which is what `ollama pull` writes to disk
//! (`server/images.go` `PullModel` writes `manifestData` as received).

use super::fetch::{MAX_MANIFEST_BYTES, check_name};
use super::{Answer, MANIFEST_MEDIA_TYPE, Manifest, Registry, sha256_digest};
use crate::name::{DEFAULT_HOST, ModelName};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The header the Ollama registry puts the manifest digest in.
pub const DIGEST_HEADER: &str = "ollama-content-digest";

/// A tag on the registry: `<namespace>/<model>:<tag>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    pub namespace: String,
    pub model: String,
    pub tag: String,
}

impl TagRef {
    /// The registry reference of a name on the default registry host; none for
    /// names on other hosts (`hf.co/…`), which this client does not ask.
    pub fn of(name: &ModelName) -> Option<TagRef> {
        name.host
            .eq_ignore_ascii_case(DEFAULT_HOST)
            .then(|| TagRef {
                namespace: name.namespace.clone(),
                model: name.model.clone(),
                tag: name.tag.clone(),
            })
    }
}

/// Where a digest came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestSource {
    /// The `ollama-content-digest` header of a `HEAD`.
    Header,
    /// The SHA-256 of the manifest a `GET` returned.
    Body,
}

/// A published manifest's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// 64 lowercase hex digits (no `sha256:`): the first 12 are the `ollama list` ID.
    pub hex: String,
    pub source: DigestSource,
}

/// The digests of several tags, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub answers: Vec<Answer<Digest>>,
    /// Why, when the registry answered nothing and could not be reached.
    pub offline: Option<String>,
}

impl Registry {
    /// The digest of each tag, [`super::MAX_CONCURRENT`] at a time, under one deadline.
    pub fn digest_many(&self, tags: &[TagRef]) -> Digests {
        let (answers, offline) = self.many(tags.len(), |index, left| {
            self.digest_within(&tags[index], left)
        });
        Digests { answers, offline }
    }

    /// One digest within `budget`: `HEAD` first; a `GET` when the registry sends
    /// no usable header or does not answer `HEAD`.
    fn digest_within(&self, tag: &TagRef, budget: Duration) -> Answer<Digest> {
        let checked = check_name("model", &tag.namespace)
            .and_then(|()| check_name("model", &tag.model))
            .and_then(|()| check_name("tag", &tag.tag));
        if let Err(reason) = checked {
            return Answer::Invalid(reason);
        }
        let started = Instant::now();
        let url = self.manifest_url_in(&tag.namespace, &tag.model, &tag.tag);
        let request = self
            .agent
            .head(&url)
            .header("Accept", MANIFEST_MEDIA_TYPE)
            .config()
            .timeout_global(Some(budget))
            .build();
        let response = match request.call() {
            Ok(response) => response,
            Err(error) => return self.failure(&error),
        };
        match response.status().as_u16() {
            200 => {
                let header = response.headers().get(DIGEST_HEADER);
                if let Some(hex) = header.and_then(|v| v.to_str().ok()).and_then(parse_hex) {
                    return Answer::Found(Digest {
                        hex,
                        source: DigestSource::Header,
                    });
                }
            }
            404 => return Answer::NotFound,
            // No HEAD here (a plain mirror, a proxy): ask with GET.
            405 | 501 => {}
            status => return Answer::Other(status),
        }
        let left = budget.saturating_sub(started.elapsed());
        self.body_digest(&url, left.max(Duration::from_millis(1)))
    }

    /// The SHA-256 of the manifest a `GET` returns.
    fn body_digest(&self, url: &str, budget: Duration) -> Answer<Digest> {
        let request = self
            .agent
            .get(url)
            .header("Accept", MANIFEST_MEDIA_TYPE)
            .config()
            .timeout_global(Some(budget))
            .build();
        let mut response = match request.call() {
            Ok(response) => response,
            Err(error) => return self.failure(&error),
        };
        match response.status().as_u16() {
            200 => {}
            404 => return Answer::NotFound,
            status => return Answer::Other(status),
        }
        let body = response.body_mut().with_config().limit(MAX_MANIFEST_BYTES);
        let body = match body.read_to_vec() {
            Ok(body) => body,
            Err(error) => return self.failure(&error),
        };
        // A captive portal's page has a digest too: only a manifest counts.
        if let Err(error) = Manifest::parse(&body) {
            return Answer::Invalid(format!("{error:#}"));
        }
        let digest = sha256_digest(&body);
        Answer::Found(Digest {
            hex: digest.trim_start_matches("sha256:").to_string(),
            source: DigestSource::Body,
        })
    }
}

/// `sha256:<64 hex>` or bare 64 hex (the app compares the header with the bare
/// hex of the local manifest), as lowercase hex; anything else is none.
pub fn parse_hex(value: &str) -> Option<String> {
    let value = value.trim();
    let hex = value.strip_prefix("sha256:").unwrap_or(value);
    let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| hex.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_digests_with_or_without_the_algorithm() {
        let hex = "a".repeat(64);
        assert_eq!(parse_hex(&hex), Some(hex.clone()));
        assert_eq!(
            parse_hex(&format!(" sha256:{} ", "A".repeat(64))),
            Some(hex)
        );
        assert_eq!(parse_hex("sha256:abc"), None);
        assert_eq!(parse_hex(&"g".repeat(64)), None);
        assert_eq!(parse_hex(""), None);
    }

    #[test]
    fn only_default_host_names_are_asked() {
        let library = ModelName::parse("llama3.2:3b").unwrap();
        let tag = TagRef::of(&library).unwrap();
        assert_eq!(
            (tag.namespace.as_str(), tag.tag.as_str()),
            ("library", "3b")
        );
        let user = ModelName::parse("someone/model:q4").unwrap();
        assert_eq!(TagRef::of(&user).unwrap().namespace, "someone");
        let hf = ModelName::parse("hf.co/org/repo:Q4_K_M").unwrap();
        assert_eq!(TagRef::of(&hf), None);
    }
}
