//! `OLLAMA_HOST` read the way Ollama reads it: the server it names, whether that
//! is this machine, and the base URL of its HTTP API.
//!
//! The parse follows `envconfig.Host()` and `envconfig.Var()` in
//! `envconfig/config.go` at v0.33.0-rc2 (cases from `TestHost` in
//! `envconfig/config_test.go` at the same tag): surrounding space and quotes are
//! stripped, no scheme means `http` with port 11434, an explicit `http://` or
//! `https://` without a port means 80 or 443, `ollama.com` alone is
//! `https://ollama.com:443`, a bad port falls back to the default, a path is kept.
//! `ConnectableHost` (same file) reaches a bind-all address through loopback.

use anyhow::{Result, bail};
use std::fmt;
use std::net::IpAddr;

/// Ollama's own port, used when `OLLAMA_HOST` names no scheme and no port.
pub const DEFAULT_PORT: u16 = 11434;

/// The server the `ollama` client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHost {
    pub scheme: String,
    /// Empty for `:1234` (Go then dials the local machine).
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// What this machine answers to: its host name and its interfaces' addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalNames {
    pub hostname: Option<String>,
    pub addresses: Vec<IpAddr>,
}

impl ServerHost {
    /// Parses the value of `OLLAMA_HOST` (unset and empty are the default).
    pub fn parse(value: Option<&str>) -> ServerHost {
        let value = value.unwrap_or_default().trim().trim_matches(['"', '\'']);
        let value = value.trim();
        let (mut scheme, rest, mut default_port) = match value.split_once("://") {
            None => ("http", value, DEFAULT_PORT),
            Some(("http", rest)) => ("http", rest, 80),
            Some(("https", rest)) => ("https", rest, 443),
            Some((scheme, rest)) => (scheme, rest, DEFAULT_PORT),
        };
        let mut rest = rest;
        if value == "ollama.com" {
            (scheme, rest, default_port) = ("https", "ollama.com:443", 443);
        }
        let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (host, port) = match split_host_port(hostport) {
            Some((host, port)) => (host.to_string(), port.to_string()),
            None => {
                let bare = hostport.trim_matches(['[', ']']);
                let host = match bare.parse::<IpAddr>() {
                    Ok(ip) => ip.to_string(),
                    Err(_) if hostport.is_empty() => "127.0.0.1".to_string(),
                    Err(_) => hostport.to_string(),
                };
                (host, default_port.to_string())
            }
        };
        let port = port.as_str();
        // strconv.ParseInt(port, 10, 32) accepting 0..=65535, else the default.
        let port = port.parse::<u16>().unwrap_or(default_port);
        ServerHost {
            scheme: scheme.to_string(),
            host,
            port,
            path: path.to_string(),
        }
    }

    /// Whether the server runs on this machine: an empty host, a loopback or
    /// unspecified address (`0.0.0.0`, `::`, which Ollama's client turns into
    /// loopback), `localhost`, this machine's host name (or its short form), or
    /// one of its addresses. Other names are not resolved: a name is another
    /// machine unless it is this one's.
    pub fn is_local(&self, names: &LocalNames) -> bool {
        let host = self.host.trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return ip.is_loopback() || ip.is_unspecified() || names.addresses.contains(&ip);
        }
        let short = |name: &str| name.split('.').next().unwrap_or(name).to_string();
        names.hostname.as_deref().is_some_and(|own| {
            let own = own.trim_end_matches('.').to_ascii_lowercase();
            host == own || short(&host) == short(&own)
        })
    }
}

impl ServerHost {
    /// The base URL of the server's API (`http://127.0.0.1:11434`, no trailing
    /// slash), as `ConnectableHost` dials it: a bind-all or empty host is reached
    /// through loopback. Only `http` and `https` can be spoken.
    pub fn base_url(&self) -> Result<String> {
        if !matches!(self.scheme.as_str(), "http" | "https") {
            bail!(
                "OLLAMA_HOST names the scheme {:?}, which is not http or https",
                self.scheme
            );
        }
        let host = match self.host.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1",
            Ok(ip) if ip.is_unspecified() => "::1",
            _ if self.host.is_empty() => "127.0.0.1",
            _ => self.host.as_str(),
        };
        let connectable = ServerHost {
            host: host.to_string(),
            path: self.path.trim_end_matches('/').to_string(),
            ..self.clone()
        };
        Ok(connectable.to_string())
    }
}

/// Go's `net.SplitHostPort` for the forms Ollama meets: `host:port`,
/// `[v6]:port`, `:port`; None when there is no port or the form is ambiguous.
fn split_host_port(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return (!port.contains(':')).then_some((host, port));
    }
    let (host, port) = text.rsplit_once(':')?;
    (!host.contains(':') && !host.contains('[')).then_some((host, port))
}

impl fmt::Display for ServerHost {
    /// The URL as Go prints `Host()`: `http://127.0.0.1:11434`, `http://[::1]:11434`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        };
        write!(f, "{}://{host}:{}", self.scheme, self.port)?;
        match self.path.is_empty() {
            true => Ok(()),
            false => write!(f, "/{}", self.path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every case of `TestHost` in `envconfig/config_test.go` at v0.33.0-rc2.
    #[test]
    fn parses_like_ollamas_host_function() {
        let cases = [
            ("", "http://127.0.0.1:11434"),
            ("1.2.3.4", "http://1.2.3.4:11434"),
            (":1234", "http://:1234"),
            ("1.2.3.4:1234", "http://1.2.3.4:1234"),
            ("example.com", "http://example.com:11434"),
            ("example.com:1234", "http://example.com:1234"),
            (":0", "http://:0"),
            (":66000", "http://:11434"),
            (":-1", "http://:11434"),
            ("[::1]", "http://[::1]:11434"),
            ("[::]", "http://[::]:11434"),
            ("::1", "http://[::1]:11434"),
            ("[::1]:1337", "http://[::1]:1337"),
            (" 1.2.3.4 ", "http://1.2.3.4:11434"),
            ("\"1.2.3.4\"", "http://1.2.3.4:11434"),
            (" \" 1.2.3.4 \" ", "http://1.2.3.4:11434"),
            ("'1.2.3.4'", "http://1.2.3.4:11434"),
            ("http://1.2.3.4", "http://1.2.3.4:80"),
            ("http://1.2.3.4:4321", "http://1.2.3.4:4321"),
            ("https://1.2.3.4", "https://1.2.3.4:443"),
            ("https://1.2.3.4:4321", "https://1.2.3.4:4321"),
            (
                "https://example.com/ollama",
                "https://example.com:443/ollama",
            ),
            ("ollama.com", "https://ollama.com:443"),
        ];
        for (value, expected) in cases {
            assert_eq!(
                ServerHost::parse(Some(value)).to_string(),
                expected,
                "{value:?}"
            );
        }
        assert_eq!(
            ServerHost::parse(None).to_string(),
            "http://127.0.0.1:11434"
        );
    }

    #[test]
    fn loopback_unspecified_and_own_names_are_this_machine() {
        let names = LocalNames {
            hostname: Some("gpu-box".into()),
            addresses: vec!["10.0.0.7".parse().unwrap()],
        };
        let local = |v: &str| ServerHost::parse(Some(v)).is_local(&names);
        for here in [
            "",
            ":1234",
            "127.0.0.1",
            "127.1.2.3:80",
            "[::1]",
            "0.0.0.0",
            "[::]",
            "localhost",
            "http://LOCALHOST:8080",
            "gpu-box",
            "gpu-box.lan:11434",
            "10.0.0.7",
        ] {
            assert!(local(here), "{here}");
        }
        for there in [
            "10.0.0.8",
            "192.0.2.1:11434",
            "ollama",
            "http://ollama.ollama.svc:11434",
            "ollama.com",
        ] {
            assert!(!local(there), "{there}");
        }
    }

    fn base_url(value: Option<&str>) -> Result<String> {
        ServerHost::parse(value).base_url()
    }

    #[test]
    fn the_api_is_reached_as_connectable_host_dials() {
        // envconfig/config_test.go TestHost at v0.33.0-rc2, each through
        // ConnectableHost (where Go's URL keeps an empty host, `http://:1234`,
        // its dialer reaches the local system: 127.0.0.1 here).
        let host = [
            ("", "http://127.0.0.1:11434"),
            ("1.2.3.4", "http://1.2.3.4:11434"),
            (":1234", "http://127.0.0.1:1234"),
            ("1.2.3.4:1234", "http://1.2.3.4:1234"),
            ("example.com", "http://example.com:11434"),
            ("example.com:1234", "http://example.com:1234"),
            (":0", "http://127.0.0.1:0"),
            (":66000", "http://127.0.0.1:11434"),
            (":-1", "http://127.0.0.1:11434"),
            ("[::1]", "http://[::1]:11434"),
            ("[::]", "http://[::1]:11434"),
            ("::1", "http://[::1]:11434"),
            ("[::1]:1337", "http://[::1]:1337"),
            (" 1.2.3.4 ", "http://1.2.3.4:11434"),
            ("\"1.2.3.4\"", "http://1.2.3.4:11434"),
            (" \" 1.2.3.4 \" ", "http://1.2.3.4:11434"),
            ("'1.2.3.4'", "http://1.2.3.4:11434"),
            ("http://1.2.3.4", "http://1.2.3.4:80"),
            ("http://1.2.3.4:4321", "http://1.2.3.4:4321"),
            ("https://1.2.3.4", "https://1.2.3.4:443"),
            ("https://1.2.3.4:4321", "https://1.2.3.4:4321"),
            (
                "https://example.com/ollama",
                "https://example.com:443/ollama",
            ),
            ("ollama.com", "https://ollama.com:443"),
        ];
        // TestConnectableHost's own rows, beyond the ones above.
        let connectable = [
            ("0.0.0.0", "http://127.0.0.1:11434"),
            ("0.0.0.0:1234", "http://127.0.0.1:1234"),
            ("[::]:1234", "http://[::1]:1234"),
            ("192.168.1.5:8080", "http://192.168.1.5:8080"),
            ("https://0.0.0.0:4321", "https://127.0.0.1:4321"),
        ];
        for (value, expected) in host.into_iter().chain(connectable) {
            assert_eq!(base_url(Some(value)).unwrap(), expected, "{value:?}");
        }
        assert_eq!(base_url(None).unwrap(), "http://127.0.0.1:11434");
    }

    #[test]
    fn another_scheme_is_one_clear_error() {
        let error = base_url(Some("unix:///run/ollama.sock")).unwrap_err();
        assert!(error.to_string().contains("\"unix\""), "{error}");
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            if let Ok(url) = base_url(Some(&text)) {
                prop_assert!(url.starts_with("http://") || url.starts_with("https://"));
            }
        }
    }
}
