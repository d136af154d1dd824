//! Live look-ups of published tags in the Ollama registry: exact sizes from manifests,
//! and byte ranges of blobs (a model's GGUF header) wherever the registry redirects.

mod batch;
mod blob;
mod digest;
mod fetch;
mod manifest;
mod proxy;

pub use batch::{Lookups, MAX_CONCURRENT, TagLookup};
pub use blob::{BlobError, BlobPart};
pub use digest::{Digest, DigestSource, Digests, TagRef};
pub use manifest::{
    ADAPTER_MEDIA_TYPE, Blob, MODEL_MEDIA_TYPE, Manifest, PROJECTOR_MEDIA_TYPE, RemoteTag,
    sha256_digest,
};
pub use proxy::{ProxyEnv, no_proxy_matches};

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};
use ureq::http::Uri;

/// Where library manifests are fetched from unless `PROVISION_REGISTRY` says otherwise.
pub const DEFAULT_BASE: &str = "https://registry.ollama.ai";
/// The environment variable that overrides [`DEFAULT_BASE`] (tests point it at a stand-in).
pub const BASE_ENV: &str = "PROVISION_REGISTRY";
/// The host of Hugging Face model names (`hf.co/<user>/<repo>:<quant>`), which Hugging
/// Face serves with the registry protocol.
pub const HF_HOST: &str = "hf.co";
/// Where `hf.co/…` manifests and blobs are fetched from unless [`HF_BASE_ENV`] says otherwise.
pub const HF_DEFAULT_BASE: &str = "https://hf.co";
/// The environment variable that overrides [`HF_DEFAULT_BASE`].
pub const HF_BASE_ENV: &str = "PROVISION_HF_REGISTRY";
/// How long a look-up (or a whole batch of them) may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The `Accept` header value: the registry answers with a schema 2 manifest.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// What the registry said about one tag; the caller branches on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    /// The tag is published: what was asked for (exact sizes, the digest).
    Found(T),
    /// The registry answered 404: no such tag (or model).
    NotFound,
    /// No answer: DNS, connection, proxy, TLS or timeout. One line saying which.
    Unreachable(String),
    /// The registry answered with another HTTP status (401, 429, 500, …).
    Other(u16),
    /// Nothing usable: an invalid name (not sent) or a 200 body that is not a manifest.
    Invalid(String),
}

/// The answer of a manifest look-up: the tag's exact sizes and digest.
pub type Lookup = Answer<RemoteTag>;

impl<T> Answer<T> {
    /// Whether the registry itself answered (so the network works).
    pub fn is_answer(&self) -> bool {
        matches!(self, Answer::Found(_) | Answer::NotFound | Answer::Other(_))
    }
}

/// A client for one registry: base URL, the proxy chosen for it, and a timeout.
#[derive(Debug, Clone)]
pub struct Registry {
    base: String,
    host: String,
    proxy: Option<String>,
    timeout: Duration,
    agent: ureq::Agent,
    /// Every request picks its proxy by its own host: a redirect to a CDN may need
    /// another proxy, or none.
    proxies: ProxyEnv,
    /// The base `hf.co/…` names are fetched from.
    hf_base: String,
}

impl Registry {
    /// The registry `PROVISION_REGISTRY` names (default [`DEFAULT_BASE`]), reached
    /// through the proxy the environment asks for; `var` reads the variables.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Registry> {
        let base = match var(BASE_ENV).filter(|value| !value.trim().is_empty()) {
            Some(base) => {
                Target::parse(&base).with_context(|| format!("could not use {BASE_ENV}={base}"))?
            }
            None => Target::parse(DEFAULT_BASE)?,
        };
        let hf_base = match var(HF_BASE_ENV).filter(|value| !value.trim().is_empty()) {
            Some(hf) => {
                let target = Target::parse(&hf)
                    .with_context(|| format!("could not use {HF_BASE_ENV}={hf}"))?;
                target.base
            }
            None => HF_DEFAULT_BASE.to_string(),
        };
        let mut registry = Registry::to(base, &ProxyEnv::from_vars(var))?;
        registry.hf_base = hf_base;
        Ok(registry)
    }

    /// A client for `base` (`http(s)://host[:port][/prefix]`), using `proxies` as the
    /// environment would. Timeout: [`DEFAULT_TIMEOUT`].
    pub fn new(base: &str, proxies: &ProxyEnv) -> Result<Registry> {
        let target =
            Target::parse(base).with_context(|| format!("could not use registry URL {base}"))?;
        Registry::to(target, proxies)
    }

    fn to(target: Target, proxies: &ProxyEnv) -> Result<Registry> {
        let proxy = proxies.proxy_for(&target.scheme, &target.host, target.port);
        let proxy = proxy.map(str::to_string);
        Ok(Registry {
            agent: fetch::agent(proxy.as_deref())?,
            base: target.base,
            host: target.host,
            proxy,
            timeout: DEFAULT_TIMEOUT,
            proxies: proxies.clone(),
            hf_base: HF_DEFAULT_BASE.to_string(),
        })
    }

    /// The registry serving names of `host`: this one for the Ollama library host,
    /// the Hugging Face base for `hf.co` (and `huggingface.co`), else `https://<host>`,
    /// as Ollama reaches any other host. Same proxies and timeout.
    pub fn for_host(&self, host: &str) -> Result<Registry> {
        let base = if host.eq_ignore_ascii_case(crate::name::DEFAULT_HOST) {
            return Ok(self.clone());
        } else if host.eq_ignore_ascii_case(HF_HOST) || host.eq_ignore_ascii_case("huggingface.co")
        {
            self.hf_base.clone()
        } else {
            format!("https://{host}")
        };
        let target =
            Target::parse(&base).with_context(|| format!("could not use registry URL {base}"))?;
        let mut registry = Registry::to(target, &self.proxies)?;
        registry.timeout = self.timeout;
        registry.hf_base = self.hf_base.clone();
        Ok(registry)
    }

    /// Sets the time one look-up, or one batch of them, may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Registry {
        self.timeout = timeout;
        self
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The proxy requests go through (credentials removed), if any.
    pub fn proxy(&self) -> Option<String> {
        self.proxy.as_deref().map(proxy::redact)
    }

    /// The timeout of one look-up or batch.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The manifest URL of `library/<model>:<tag>`.
    pub fn manifest_url(&self, model: &str, tag: &str) -> String {
        self.manifest_url_in(crate::name::DEFAULT_NAMESPACE, model, tag)
    }

    /// The manifest URL of `<namespace>/<model>:<tag>`.
    pub fn manifest_url_in(&self, namespace: &str, model: &str, tag: &str) -> String {
        format!("{}/v2/{namespace}/{model}/manifests/{tag}", self.base)
    }

    /// The URL of a blob (`sha256:<hex>`) of `<namespace>/<model>`.
    pub fn blob_url(&self, namespace: &str, model: &str, digest: &str) -> String {
        format!("{}/v2/{namespace}/{model}/blobs/{digest}", self.base)
    }

    /// Looks up one tag of a library model, e.g. (`llama3.1`, `8b-instruct-q4_K_M`).
    pub fn lookup(&self, model: &str, tag: &str) -> Lookup {
        self.lookup_within(model, tag, self.timeout)
    }

    /// Looks up one tag of `<namespace>/<model>`, answering by `deadline`.
    pub fn lookup_by(&self, namespace: &str, model: &str, tag: &str, deadline: Instant) -> Lookup {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Lookup::Unreachable(format!("no time left of the {:?} timeout", self.timeout));
        }
        self.lookup_in(namespace, model, tag, left)
    }
}

/// A registry base URL taken apart.
pub(crate) struct Target {
    base: String,
    scheme: String,
    host: String,
    port: u16,
}

impl Target {
    pub(crate) fn parse(base: &str) -> Result<Target> {
        let base = base.trim().trim_end_matches('/').to_string();
        let uri: Uri = base.parse().context("could not parse it as a URL")?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => bail!("the registry URL must start with http:// or https://"),
        };
        let Some(host) = uri.host().map(str::to_string) else {
            bail!("the registry URL has no host");
        };
        let port = uri.port_u16().unwrap_or(default_port);
        Ok(Target {
            base,
            scheme,
            host,
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Registry> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Registry::from_vars(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_to_the_ollama_registry_without_proxy() {
        let registry = from(&[]).unwrap();
        assert_eq!(registry.base(), "https://registry.ollama.ai");
        assert_eq!(registry.timeout(), Duration::from_secs(5));
        assert_eq!(registry.proxy(), None);
        assert_eq!(
            registry.manifest_url("llama3.1", "8b-instruct-q4_K_M"),
            "https://registry.ollama.ai/v2/library/llama3.1/manifests/8b-instruct-q4_K_M"
        );
    }

    #[test]
    fn provision_registry_overrides_the_base_and_the_proxy_follows_its_host() {
        let vars = [
            ("PROVISION_REGISTRY", "http://127.0.0.1:5000/"),
            ("HTTP_PROXY", "http://user:secret@proxy.test:3128"),
        ];
        let registry = from(&vars).unwrap();
        assert_eq!(registry.base(), "http://127.0.0.1:5000");
        assert_eq!(registry.proxy().as_deref(), Some("http://proxy.test:3128"));
        let bypassed = from(&[
            ("PROVISION_REGISTRY", "http://127.0.0.1:5000"),
            ("HTTP_PROXY", "http://p:1"),
            ("no_proxy", "127.0.0.1"),
        ])
        .unwrap();
        assert_eq!(bypassed.proxy(), None);
    }

    #[test]
    fn a_registry_url_that_is_not_http_is_refused() {
        let error = from(&[("PROVISION_REGISTRY", "ftp://mirror")]).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "could not use PROVISION_REGISTRY=ftp://mirror: the registry URL must start with http:// or https://"
        );
    }

    #[test]
    fn only_registry_answers_count_as_answers() {
        assert!(Lookup::NotFound.is_answer());
        assert!(Lookup::Other(500).is_answer());
        assert!(!Lookup::Unreachable("x".into()).is_answer());
        assert!(!Lookup::Invalid("x".into()).is_answer());
    }
}
