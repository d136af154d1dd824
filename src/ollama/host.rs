//! `OLLAMA_HOST` turned into the base URL of the server's HTTP API, by Ollama's
//! own rules: `envconfig/config.go` `Var`, `Host` and `ConnectableHost` at
//! v0.33.0-rc2 (the same rules as `envconfig.Host` at v0.5.4, which lacked only
//! the `ollama.com` shortcut and the loopback substitution).

use anyhow::{Result, bail};

/// Ollama's port when `OLLAMA_HOST` names no scheme and no port.
pub const DEFAULT_PORT: u16 = 11434;

/// The base URL (`http://127.0.0.1:11434`, no trailing slash) the API client
/// talks to, from the value of `OLLAMA_HOST` (`None`: unset). Like Ollama:
/// surrounding spaces and quotes are dropped; no scheme means `http`; a scheme
/// without a port means 80/443; no port means 11434; an invalid port is the
/// default one; an unspecified address (`0.0.0.0`, `::`) means loopback. Only
/// `http` and `https` can be spoken, so any other scheme is an error.
pub fn base_url(value: Option<&str>) -> Result<String> {
    // envconfig.Var: TrimSpace, then Trim of `"` and `'`.
    // envconfig.Var trims spaces, then quotes; Host trims spaces again.
    let text = value
        .unwrap_or_default()
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim();
    let (scheme, rest, default_port) = match text.split_once("://") {
        None if text == "ollama.com" => ("https", "ollama.com:443", DEFAULT_PORT),
        None => ("http", text, DEFAULT_PORT),
        Some(("http", rest)) => ("http", rest, 80),
        Some(("https", rest)) => ("https", rest, 443),
        Some((other, _)) => {
            bail!("OLLAMA_HOST={text}: the scheme {other:?} is not http or https")
        }
    };
    let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match split_host_port(hostport) {
        Some((host, port)) => (host.to_string(), parse_port(port).unwrap_or(default_port)),
        None => {
            let bare = hostport.trim_start_matches('[').trim_end_matches(']');
            let host = if hostport.is_empty() {
                "127.0.0.1"
            } else {
                bare
            };
            (host.to_string(), default_port)
        }
    };
    let host = connectable(&host);
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{path}")
    };
    Ok(format!("{scheme}://{}{path}", join_host_port(host, port)))
}

/// Go's `net.SplitHostPort` for the shapes it accepts: `host:port` (one colon)
/// and `[host]:port`. `None` where Go fails (no port, too many colons).
fn split_host_port(text: &str) -> Option<(&str, &str)> {
    if let Some(inner) = text.strip_prefix('[') {
        let (host, after) = inner.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return Some((host, port));
    }
    let (host, port) = text.rsplit_once(':')?;
    (!host.contains(':')).then_some((host, port))
}

/// `strconv.ParseInt(port, 10, 32)` within 0–65535, else none (Ollama then
/// warns and uses the default port).
fn parse_port(text: &str) -> Option<u16> {
    let value: i64 = text.parse().ok()?;
    u16::try_from(value).ok()
}

/// `ConnectableHost`: a bind-all address is reached through loopback. An empty
/// host (`:11434`) is the local system to Go's dialer, so loopback too.
fn connectable(host: &str) -> &str {
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1",
        Ok(ip) if ip.is_unspecified() => "::1",
        _ if host.is_empty() => "127.0.0.1",
        _ => host,
    }
}

/// `net.JoinHostPort`: an IPv6 address in brackets.
fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ollamas_own_cases() {
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
