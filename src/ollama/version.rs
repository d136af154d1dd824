//! Parser for `ollama -v`, which always exits 0 and reports problems as warnings.

/// What `ollama -v` reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The server's version, or None when no server answered.
    pub server: Option<String>,
    /// The client's version (equal to the server's unless a warning says otherwise).
    pub client: Option<String>,
}

/// Parses `ollama version is X`, `Warning: client version is Y` and
/// `Warning: could not connect to a running Ollama instance`.
pub fn parse_version(text: &str) -> Version {
    let mut version = Version {
        server: None,
        client: None,
    };
    let mut unreachable = false;
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("ollama version is ") {
            version.server = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("Warning: client version is ") {
            version.client = Some(v.to_string());
        } else if line.starts_with("Warning: could not connect") {
            unreachable = true;
        }
    }
    if unreachable {
        version.server = None;
    } else if version.client.is_none() {
        version.client.clone_from(&version.server);
    }
    version
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_three_shapes() {
        let same = parse_version("ollama version is 0.12.6\n");
        assert_eq!(
            (same.server.as_deref(), same.client.as_deref()),
            (Some("0.12.6"), Some("0.12.6"))
        );
        let skew = parse_version("ollama version is 0.5.7\nWarning: client version is 0.6.0\n");
        assert_eq!(
            (skew.server.as_deref(), skew.client.as_deref()),
            (Some("0.5.7"), Some("0.6.0"))
        );
        let down = parse_version(
            "Warning: could not connect to a running Ollama instance\nWarning: client version is 0.6.0\n",
        );
        assert_eq!((down.server, down.client.as_deref()), (None, Some("0.6.0")));
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            let _ = parse_version(&text);
        }
    }
}
