//! Which proxy a registry request goes through, from the usual environment variables.
//!
//! ureq reads these variables itself, but picks `ALL_PROXY`, then `HTTPS_PROXY`, then
//! `HTTP_PROXY` whatever the target's scheme, and its `NO_PROXY` neither trims spaces
//! nor matches subdomains of a bare domain, ports or CIDR ranges. We follow Go's
//! `net/http` rules instead (what the Ollama server itself obeys when it pulls), plus
//! `ALL_PROXY` as curl's fallback, and hand ureq the one proxy chosen.

use std::net::IpAddr;

/// The proxy variables of an environment, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// `HTTP_PROXY` / `http_proxy`: for `http://` targets.
    pub http: Option<String>,
    /// `HTTPS_PROXY` / `https_proxy`: for `https://` targets.
    pub https: Option<String>,
    /// `ALL_PROXY` / `all_proxy`: for either, when the scheme's own variable is unset.
    pub all: Option<String>,
    /// `NO_PROXY` / `no_proxy`: comma-separated hosts that are reached directly.
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    /// Reads the variables through `var`; the upper-case name wins, empty means unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let pick = |upper: &str| {
            [upper.to_string(), upper.to_ascii_lowercase()]
                .iter()
                .find_map(|name| var(name).filter(|value| !value.trim().is_empty()))
        };
        ProxyEnv {
            http: pick("HTTP_PROXY"),
            https: pick("HTTPS_PROXY"),
            all: pick("ALL_PROXY"),
            no_proxy: pick("NO_PROXY"),
        }
    }

    /// The proxy URL for a request to `scheme://host:port`, or `None` to connect directly.
    pub fn proxy_for(&self, scheme: &str, host: &str, port: u16) -> Option<&str> {
        let scheme_proxy = match scheme {
            "https" => self.https.as_deref(),
            _ => self.http.as_deref(),
        };
        let proxy = scheme_proxy.or(self.all.as_deref())?;
        let bypass = self
            .no_proxy
            .as_deref()
            .is_some_and(|list| no_proxy_matches(list, host, port));
        (!bypass).then_some(proxy.trim())
    }
}

/// Whether a `NO_PROXY` list names `host:port`. Entries: `*` (everything), `example.com`
/// (it and its subdomains), `.example.com` or `*.example.com` (subdomains only), an IP
/// address, a CIDR range like `10.0.0.0/8`, each optionally with `:port`. Case-insensitive.
pub fn no_proxy_matches(list: &str, host: &str, port: u16) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    list.split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .any(|entry| entry_matches(&entry, &host, ip, port))
}

fn entry_matches(entry: &str, host: &str, ip: Option<IpAddr>, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((network, bits)) = entry.split_once('/') {
        return ip.is_some_and(|ip| in_cidr(ip, network, bits));
    }
    let (name, entry_port) = split_port(entry);
    if entry_port.is_some_and(|entry_port| entry_port != port) {
        return false;
    }
    if let Ok(entry_ip) = name.parse::<IpAddr>() {
        return ip == Some(entry_ip);
    }
    let name = name.strip_prefix('*').unwrap_or(name).trim_end_matches('.');
    match name.strip_prefix('.') {
        Some(domain) => host.strip_suffix(domain).is_some_and(|h| h.ends_with('.')),
        None => host == name || host.strip_suffix(name).is_some_and(|h| h.ends_with('.')),
    }
}

/// Splits `name:port`, `[v6]:port` and bare names or IPv6 addresses.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        let (address, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (
            address,
            after.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    match entry.rsplit_once(':') {
        // More than one colon and no brackets: a bare IPv6 address.
        Some((name, _)) if name.contains(':') => (entry, None),
        Some((name, port)) => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        None => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, network: &str, bits: &str) -> bool {
    let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// A proxy URL fit to print: any `user:password@` is dropped.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    if scheme.is_empty() {
        rest.to_string()
    } else {
        format!("{scheme}://{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_scheme_picks_the_variable_and_all_proxy_is_the_fallback() {
        let both = env(&[("HTTP_PROXY", "http://h:1"), ("HTTPS_PROXY", "http://s:2")]);
        assert_eq!(
            both.proxy_for("https", "registry.ollama.ai", 443),
            Some("http://s:2")
        );
        assert_eq!(both.proxy_for("http", "127.0.0.1", 80), Some("http://h:1"));
        let http_only = env(&[("HTTP_PROXY", "http://h:1")]);
        assert_eq!(
            http_only.proxy_for("https", "registry.ollama.ai", 443),
            None
        );
        let all = env(&[("ALL_PROXY", "socks5://a:3"), ("HTTP_PROXY", "http://h:1")]);
        assert_eq!(
            all.proxy_for("https", "registry.ollama.ai", 443),
            Some("socks5://a:3")
        );
        assert_eq!(all.proxy_for("http", "x", 80), Some("http://h:1"));
        assert_eq!(ProxyEnv::default().proxy_for("https", "x", 443), None);
    }

    #[test]
    fn lower_case_names_count_upper_case_wins_and_empty_is_unset() {
        let lower = env(&[("https_proxy", "http://l:1"), ("no_proxy", "example.com")]);
        assert_eq!(lower.https.as_deref(), Some("http://l:1"));
        assert_eq!(lower.proxy_for("https", "www.example.com", 443), None);
        let both = env(&[("HTTPS_PROXY", "http://u:1"), ("https_proxy", "http://l:1")]);
        assert_eq!(both.https.as_deref(), Some("http://u:1"));
        let empty_upper = env(&[("HTTPS_PROXY", ""), ("https_proxy", "http://l:1")]);
        assert_eq!(empty_upper.https.as_deref(), Some("http://l:1"));
    }

    #[test]
    fn no_proxy_names_hosts_and_their_subdomains() {
        let list = "localhost, example.com ,.corp.test,*.wild.test";
        assert!(no_proxy_matches(list, "localhost", 80));
        assert!(no_proxy_matches(list, "example.com", 443));
        assert!(no_proxy_matches(list, "Registry.Example.COM", 443));
        assert!(no_proxy_matches(list, "example.com.", 443));
        assert!(!no_proxy_matches(list, "notexample.com", 443));
        assert!(no_proxy_matches(list, "a.corp.test", 443));
        assert!(!no_proxy_matches(list, "corp.test", 443));
        assert!(no_proxy_matches(list, "x.y.wild.test", 443));
        assert!(!no_proxy_matches(list, "wild.test", 443));
        assert!(!no_proxy_matches(list, "registry.ollama.ai", 443));
        assert!(no_proxy_matches("*", "registry.ollama.ai", 443));
        assert!(!no_proxy_matches(" , ", "registry.ollama.ai", 443));
    }

    #[test]
    fn no_proxy_matches_addresses_ranges_and_ports() {
        assert!(no_proxy_matches("127.0.0.1", "127.0.0.1", 5000));
        assert!(!no_proxy_matches("127.0.0.1", "127.0.0.2", 5000));
        assert!(no_proxy_matches("10.0.0.0/8", "10.20.30.40", 443));
        assert!(!no_proxy_matches("10.0.0.0/8", "11.0.0.1", 443));
        assert!(!no_proxy_matches("10.0.0.0/8", "ten.example", 443));
        assert!(no_proxy_matches("0.0.0.0/0", "192.0.2.1", 443));
        assert!(no_proxy_matches("fd00::/8", "[fd12::1]", 443));
        assert!(no_proxy_matches("::1", "[::1]", 443));
        assert!(no_proxy_matches("[::1]:8080", "::1", 8080));
        assert!(!no_proxy_matches("[::1]:8080", "::1", 443));
        assert!(no_proxy_matches(
            "registry.local:5000",
            "registry.local",
            5000
        ));
        assert!(!no_proxy_matches(
            "registry.local:5000",
            "registry.local",
            443
        ));
        assert!(!no_proxy_matches("10.0.0.0/99", "10.0.0.1", 443));
    }

    #[test]
    fn no_proxy_bypasses_the_chosen_proxy() {
        let vars = env(&[("HTTP_PROXY", "http://p:1"), ("NO_PROXY", "127.0.0.1")]);
        assert_eq!(vars.proxy_for("http", "127.0.0.1", 4000), None);
        assert_eq!(
            vars.proxy_for("http", "192.0.2.7", 4000),
            Some("http://p:1")
        );
    }

    #[test]
    fn redact_drops_credentials() {
        assert_eq!(redact("http://user:pw@proxy:3128"), "http://proxy:3128");
        assert_eq!(redact("http://proxy:3128/x@y"), "http://proxy:3128/x@y");
        assert_eq!(redact("u:p@proxy:3128"), "proxy:3128");
        assert_eq!(redact("socks5://proxy"), "socks5://proxy");
    }
}
