//! One manifest request: what is sent, and how each kind of failure is reported.

use super::{Answer, Lookup, MANIFEST_MEDIA_TYPE, Registry, RemoteTag, proxy};
use anyhow::{Context, Result};
use std::time::Duration;

/// Manifests are about 1 KB; anything far larger is not one.
pub(super) const MAX_MANIFEST_BYTES: u64 = 1 << 20;

impl Registry {
    /// One look-up of a library tag that must finish within `budget`.
    pub(super) fn lookup_within(&self, model: &str, tag: &str, budget: Duration) -> Lookup {
        self.lookup_in(crate::name::DEFAULT_NAMESPACE, model, tag, budget)
    }

    /// One look-up of `<namespace>/<model>:<tag>` that must finish within `budget`.
    pub(super) fn lookup_in(
        &self,
        namespace: &str,
        model: &str,
        tag: &str,
        budget: Duration,
    ) -> Lookup {
        let checked = check_name("namespace", namespace)
            .and_then(|()| check_name("model", model))
            .and_then(|()| check_name("tag", tag));
        if let Err(reason) = checked {
            return Lookup::Invalid(reason);
        }
        let request = self
            .agent
            .get(self.manifest_url_in(namespace, model, tag))
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
            404 => return Lookup::NotFound,
            status => return Lookup::Other(status),
        }
        let body = response.body_mut().with_config().limit(MAX_MANIFEST_BYTES);
        match body.read_to_vec() {
            Ok(body) => match RemoteTag::from_body(&body) {
                Ok(tag) => Lookup::Found(tag),
                Err(error) => Lookup::Invalid(format!("{error:#}")),
            },
            Err(error) => self.failure(&error),
        }
    }

    /// Sorts a ureq error into "no answer" or "nonsense answer", in one line.
    pub(super) fn failure<T>(&self, error: &ureq::Error) -> Answer<T> {
        let via = self.proxy().map(|p| format!(" via proxy {p}"));
        let to = format!("{}{}", self.host, via.as_deref().unwrap_or(""));
        match unreachable(error, &to, self.timeout) {
            Some(reason) => Answer::Unreachable(reason),
            None => Answer::Invalid(format!("bad answer from {to}: {error}")),
        }
    }
}

/// Why `to` (a host, and the proxy in between) gave no answer, in one line; `None` when
/// the error is about the answer, not the connection.
pub(super) fn unreachable(error: &ureq::Error, to: &str, timeout: Duration) -> Option<String> {
    use ureq::Error as E;
    let reason = match error {
        // The budget may be what was left of a batch; the timeout is what the user set.
        E::Timeout(_) => format!("no answer from {to} within {timeout:?}"),
        E::HostNotFound => format!("could not resolve {to}"),
        E::ConnectionFailed => format!("could not connect to {to}"),
        E::Io(error) => format!("could not reach {to}: {error}"),
        E::ConnectProxyFailed(_) | E::Tls(_) | E::Rustls(_) | E::Pem(_) => {
            format!("could not reach {to}: {error}")
        }
        _ => return None,
    };
    Some(crate::text::one_line(&reason))
}

/// An agent that uses exactly `proxy` (ureq would otherwise read the environment itself)
/// and hands every HTTP status back to us.
pub(super) fn agent(proxy: Option<&str>) -> Result<ureq::Agent> {
    let proxy = match proxy {
        Some(url) => Some(
            ureq::Proxy::new(url)
                .with_context(|| format!("could not use proxy {}", proxy::redact(url)))?,
        ),
        None => None,
    };
    let config = ureq::Agent::config_builder()
        .proxy(proxy)
        .http_status_as_error(false)
        .user_agent(concat!("ollama-provision/", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(config.new_agent())
}

/// Model and tag names as Ollama allows them; anything else could leave the URL path.
pub(super) fn check_name(what: &str, name: &str) -> std::result::Result<(), String> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || (what == "tag" && c == '_'));
    // Hugging Face repository names run to 96 characters.
    if first_ok && name.len() <= 128 && name.chars().all(valid_char) {
        Ok(())
    } else {
        Err(format!("invalid {what} name {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ProxyEnv;

    #[test]
    fn names_that_could_escape_the_path_are_not_sent() {
        let registry = Registry::new("https://registry.ollama.ai", &ProxyEnv::default()).unwrap();
        for (model, tag) in [
            ("../x", "latest"),
            ("llama3.1", "a/b"),
            ("", "latest"),
            ("m", "a?b"),
        ] {
            assert!(
                matches!(registry.lookup(model, tag), Lookup::Invalid(_)),
                "{model}:{tag}"
            );
        }
        assert_eq!(check_name("tag", "8b-instruct-q4_K_M"), Ok(()));
        assert_eq!(check_name("tag", "_hidden"), Ok(()));
        assert!(check_name("model", "_hidden").is_err());
    }
}
