//! Byte ranges of a blob: `GET …/blobs/<digest>` with `Range: bytes=S-E`, following the
//! registry's redirect to a CDN on another host ourselves, so each hop goes through the
//! proxy (or none) that its own host needs.
//!
//! ureq 3.5 would follow the 307 itself and keep the `Range` header (ureq-proto 0.7
//! `Call<Redirect>::as_new_call` drops only `Authorization`, `Cookie` and
//! `Content-Length`), but through the one proxy the agent was built with; the CDN host
//! may be in `NO_PROXY` when the registry is not, or the other way round.

use super::fetch::{agent, unreachable};
use super::{Registry, Target, proxy};
use std::fmt;
use std::io::Read;
use std::time::Instant;

/// Redirects followed before giving up (the registry answers with one).
const MAX_HOPS: usize = 5;

/// Bytes of a blob and where they were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobPart {
    /// The bytes from the start of the range; fewer than asked when the blob ends.
    pub bytes: Vec<u8>,
    /// The URL that answered (after redirects): the next range of the same blob is
    /// asked there directly.
    pub url: String,
}

/// Why a range could not be read; each message is one line naming the URL or host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobError {
    /// No answer: DNS, connection, proxy, TLS or the deadline.
    Unreachable(String),
    /// An HTTP status other than 200/206 or a redirect.
    Status { status: u16, url: String },
    /// An answer that is not the range asked for, or a redirect without a usable target.
    Invalid(String),
}

impl fmt::Display for BlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobError::Unreachable(reason) | BlobError::Invalid(reason) => f.write_str(reason),
            BlobError::Status { status, url } => write!(f, "{url} answered HTTP {status}"),
        }
    }
}

impl std::error::Error for BlobError {}

impl Registry {
    /// Reads bytes `start..=end` of the blob at `url` (a [`Registry::blob_url`] or the
    /// `url` of an earlier [`BlobPart`]), answering by `deadline`.
    pub fn blob_range(
        &self,
        url: &str,
        start: u64,
        end: u64,
        deadline: Instant,
    ) -> Result<BlobPart, BlobError> {
        let mut url = url.to_string();
        for _ in 0..MAX_HOPS {
            match self.hop(&url, start, end, deadline)? {
                Hop::Bytes(bytes) => return Ok(BlobPart { bytes, url }),
                Hop::Redirect(next) => url = next,
            }
        }
        Err(BlobError::Invalid(format!(
            "{url}: more than {MAX_HOPS} redirects"
        )))
    }

    /// One request: the bytes, or where the server sends us next.
    fn hop(&self, url: &str, start: u64, end: u64, deadline: Instant) -> Result<Hop, BlobError> {
        let target = Target::parse(url).map_err(|e| BlobError::Invalid(format!("{url}: {e:#}")))?;
        let (agent, to) = self.route(&target)?;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(BlobError::Unreachable(format!(
                "no answer from {to} within {:?}",
                self.timeout
            )));
        }
        let request = agent
            .get(url)
            .header("Range", format!("bytes={start}-{end}"))
            .config()
            .max_redirects(0)
            .timeout_global(Some(left))
            .build();
        let failed = |error: &ureq::Error| match unreachable(error, &to, self.timeout) {
            Some(reason) => BlobError::Unreachable(reason),
            None => BlobError::Invalid(format!("bad answer from {url}: {error}")),
        };
        let mut response = request.call().map_err(|e| failed(&e))?;
        answer(&mut response, url, &target, (start, end), &to)
    }

    /// The agent for `target`'s host and how to name it in errors ("host via proxy …").
    /// The registry's own agent is reused when the route is the same; any other host
    /// gets an agent with the proxy its own host needs.
    fn route(&self, target: &Target) -> Result<(ureq::Agent, String), BlobError> {
        let proxy = self
            .proxies
            .proxy_for(&target.scheme, &target.host, target.port);
        let via = proxy.map(|p| format!(" via proxy {}", proxy::redact(p)));
        let to = format!("{}{}", target.host, via.as_deref().unwrap_or(""));
        let same_route = target.host == self.host && proxy == self.proxy.as_deref();
        let agent = match same_route {
            true => self.agent.clone(),
            false => agent(proxy).map_err(|e| BlobError::Invalid(format!("{e:#}")))?,
        };
        Ok((agent, to))
    }
}

/// What the response to `GET url` with `Range: bytes=start-end` means: the bytes, a
/// redirect, or an error naming the URL.
fn answer(
    response: &mut ureq::http::Response<ureq::Body>,
    url: &str,
    target: &Target,
    (start, end): (u64, u64),
    to: &str,
) -> Result<Hop, BlobError> {
    match response.status().as_u16() {
        206 => {
            check_content_range(response, url, start)?;
            let len = end.saturating_sub(start).saturating_add(1);
            read_body(response, len, to).map(Hop::Bytes)
        }
        // The server ignored the range: keep the first `end + 1` bytes only.
        200 => {
            let whole = read_body(response, end.saturating_add(1), to)?;
            let skip = usize::try_from(start)
                .unwrap_or(usize::MAX)
                .min(whole.len());
            Ok(Hop::Bytes(whole[skip..].to_vec()))
        }
        301 | 302 | 303 | 307 | 308 => {
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| BlobError::Invalid(format!("{url} redirects without a Location")))?;
            resolve(url, target, location).map(Hop::Redirect)
        }
        status => Err(BlobError::Status {
            status,
            url: url.to_string(),
        }),
    }
}

/// At most `n` bytes of the body: `n` bounds what a server that ignores the range can
/// make us hold.
fn read_body(
    response: &mut ureq::http::Response<ureq::Body>,
    n: u64,
    to: &str,
) -> Result<Vec<u8>, BlobError> {
    let mut bytes = Vec::new();
    let reader = response.body_mut().as_reader();
    match reader.take(n).read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(error) => Err(BlobError::Unreachable(crate::text::one_line(&format!(
            "could not read from {to}: {error}"
        )))),
    }
}

enum Hop {
    Bytes(Vec<u8>),
    Redirect(String),
}

/// A 206 must start where we asked (`Content-Range: bytes S-E/TOTAL`).
fn check_content_range(
    response: &ureq::http::Response<ureq::Body>,
    url: &str,
    start: u64,
) -> Result<(), BlobError> {
    let Some(value) = response.headers().get("content-range") else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or_default();
    let first = text
        .strip_prefix("bytes ")
        .and_then(|r| r.split_once('-'))
        .and_then(|(s, _)| s.trim().parse::<u64>().ok());
    match first {
        Some(first) if first == start => Ok(()),
        _ => Err(BlobError::Invalid(format!(
            "{url} answered range {text:?} for bytes from {start}"
        ))),
    }
}

/// The absolute URL of a `Location`: absolute, or a path on the same origin.
fn resolve(url: &str, target: &Target, location: &str) -> Result<String, BlobError> {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(location.to_string());
    }
    if location.starts_with('/') && !location.starts_with("//") {
        let default_port = if target.scheme == "https" { 443 } else { 80 };
        let port = match target.port {
            p if p == default_port => String::new(),
            p => format!(":{p}"),
        };
        return Ok(format!(
            "{}://{}{port}{location}",
            target.scheme, target.host
        ));
    }
    Err(BlobError::Invalid(format!(
        "{url} redirects to {location:?}, not an http(s) URL"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_origin() {
        let url = "http://127.0.0.1:5000/v2/library/m/blobs/sha256:aa";
        let target = Target::parse(url).unwrap();
        assert_eq!(
            resolve(url, &target, "https://cdn.example/b?sig=1").unwrap(),
            "https://cdn.example/b?sig=1"
        );
        assert_eq!(
            resolve(url, &target, "/other").unwrap(),
            "http://127.0.0.1:5000/other"
        );
        let https = Target::parse("https://hf.co/v2/u/r/blobs/x").unwrap();
        assert_eq!(
            resolve("https://hf.co/v2/u/r/blobs/x", &https, "/cdn/x").unwrap(),
            "https://hf.co/cdn/x"
        );
        for bad in ["ftp://x/y", "relative/path", "//host/x"] {
            assert!(resolve(url, &target, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_are_one_line_and_name_the_url() {
        let error = BlobError::Status {
            status: 403,
            url: "https://cdn/x".into(),
        };
        assert_eq!(error.to_string(), "https://cdn/x answered HTTP 403");
    }
}
