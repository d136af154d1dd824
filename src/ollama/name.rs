//! Model names as Ollama parses, validates, normalises and displays them.

use std::fmt;

/// The default registry host.
pub const DEFAULT_HOST: &str = "registry.ollama.ai";
/// The default namespace.
pub const DEFAULT_NAMESPACE: &str = "library";
/// The default tag.
pub const DEFAULT_TAG: &str = "latest";

/// A model reference `[scheme://][host/][namespace/]model[:tag]`, always fully
/// qualified (defaults filled in) once parsed. Equality ignores case, as Ollama's
/// lookups do; the spelling is kept for display.
#[derive(Debug, Clone, Eq)]
pub struct ModelName {
    pub host: String,
    pub namespace: String,
    pub model: String,
    pub tag: String,
}

/// Why a string is not a valid model name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidName(pub String);

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid model name: {}", self.0)
    }
}

impl std::error::Error for InvalidName {}

/// The parts of a name as written, before defaults; an empty part after a
/// separator is kept as `Some("")` so validation can reject it.
#[derive(Debug, Default, PartialEq)]
struct Bare<'a> {
    host: Option<&'a str>,
    namespace: Option<&'a str>,
    model: &'a str,
    tag: Option<&'a str>,
}

/// Cuts from the right, as `ParseNameBare` does: tag, then model, then namespace;
/// the rest (minus an optional `scheme://`) is the host.
fn parse_bare(text: &str) -> Bare<'_> {
    let mut bare = Bare::default();
    let mut rest = text;
    let last_slash = rest.rfind('/');
    if let Some(colon) = rest.rfind(':')
        && last_slash.is_none_or(|slash| colon > slash)
    {
        bare.tag = Some(&rest[colon + 1..]);
        rest = &rest[..colon];
    }
    let Some(slash) = rest.rfind('/') else {
        bare.model = rest;
        return bare;
    };
    bare.model = &rest[slash + 1..];
    rest = &rest[..slash];
    let Some(slash) = rest.rfind('/') else {
        bare.namespace = Some(rest);
        return bare;
    };
    bare.namespace = Some(&rest[slash + 1..]);
    rest = &rest[..slash];
    bare.host = Some(rest.split_once("://").map_or(rest, |(_, host)| host));
    bare
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Host,
    Namespace,
    Model,
    Tag,
}

/// `isValidPart`: length limits and the allowed characters of each part.
fn valid_part(part: Part, text: &str) -> bool {
    let max = if part == Part::Host { 350 } else { 80 };
    if text.is_empty() || text.len() > max {
        return false;
    }
    text.chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphanumeric()
            || c == '_'
            || (i > 0 && c == '-')
            || (i > 0 && c == '.' && part != Part::Namespace)
            || (i > 0 && c == ':' && part == Part::Host)
    })
}

impl ModelName {
    /// Parses and validates a name, filling in the default host, namespace and tag.
    pub fn parse(text: &str) -> Result<ModelName, InvalidName> {
        let bare = parse_bare(text);
        let invalid = || InvalidName(text.to_string());
        let name = ModelName {
            host: bare.host.unwrap_or(DEFAULT_HOST).to_string(),
            namespace: bare.namespace.unwrap_or(DEFAULT_NAMESPACE).to_string(),
            model: bare.model.to_string(),
            tag: bare.tag.unwrap_or(DEFAULT_TAG).to_string(),
        };
        let ok = valid_part(Part::Host, &name.host)
            && valid_part(Part::Namespace, &name.namespace)
            && valid_part(Part::Model, &name.model)
            && valid_part(Part::Tag, &name.tag);
        if ok { Ok(name) } else { Err(invalid()) }
    }

    /// `DisplayShortest`: `model:tag` on the default registry and namespace,
    /// `namespace/model:tag` on the default registry, else the full name.
    pub fn display_shortest(&self) -> String {
        let default_host = self.host.eq_ignore_ascii_case(DEFAULT_HOST);
        let default_ns = self.namespace.eq_ignore_ascii_case(DEFAULT_NAMESPACE);
        match (default_host, default_ns) {
            (true, true) => format!("{}:{}", self.model, self.tag),
            (true, false) => format!("{}/{}:{}", self.namespace, self.model, self.tag),
            _ => format!(
                "{}/{}/{}:{}",
                self.host, self.namespace, self.model, self.tag
            ),
        }
    }

    /// The fully qualified `host/namespace/model:tag`.
    pub fn display_long(&self) -> String {
        format!(
            "{}/{}/{}:{}",
            self.host, self.namespace, self.model, self.tag
        )
    }

    /// The same name in lower case, for use as a map key.
    pub fn key(&self) -> String {
        self.display_long().to_ascii_lowercase()
    }
}

impl PartialEq for ModelName {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl std::hash::Hash for ModelName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_shortest())
    }
}

impl std::str::FromStr for ModelName {
    type Err = InvalidName;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ModelName::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn short(text: &str) -> String {
        ModelName::parse(text).unwrap().display_shortest()
    }

    #[test]
    fn defaults_are_filled_in_and_dropped_for_display() {
        assert_eq!(short("llama3.2"), "llama3.2:latest");
        assert_eq!(short("library/llama3.2:3b"), "llama3.2:3b");
        assert_eq!(
            short("registry.ollama.ai/library/llama3.2:3b"),
            "llama3.2:3b"
        );
        assert_eq!(short("me/tuned:v1"), "me/tuned:v1");
        assert_eq!(
            short("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"),
            "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"
        );
        assert_eq!(
            short("registry.ollama.ai/library/dolphin-mistral:7b-v2.6-dpo-laser-q6_K"),
            "dolphin-mistral:7b-v2.6-dpo-laser-q6_K"
        );
    }

    #[test]
    fn host_may_carry_a_port_and_a_scheme() {
        let name = ModelName::parse("host:5000/namespace/model:tag").unwrap();
        assert_eq!(
            (name.host.as_str(), name.tag.as_str()),
            ("host:5000", "tag")
        );
        let name = ModelName::parse("https://example.com/ns/m").unwrap();
        assert_eq!(name.host, "example.com");
        assert_eq!(name.tag, "latest");
    }

    #[test]
    fn invalid_names_are_rejected() {
        for bad in [
            "", "m:", ":t", "./x.gguf", "a b", "m@sha256", "-m", "ns.x/m", "m:t:t", "a/b/c/d", "/m",
        ] {
            assert!(ModelName::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        assert!(ModelName::parse(&"m".repeat(81)).is_err());
        assert!(ModelName::parse(&"m".repeat(80)).is_ok());
        assert!(ModelName::parse("x.gguf").is_ok());
    }

    #[test]
    fn equality_ignores_case() {
        let a = ModelName::parse("Llama3.2:3B").unwrap();
        let b = ModelName::parse("registry.ollama.ai/library/llama3.2:3b").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.display_shortest(), "Llama3.2:3B");
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,60}") {
            let _ = ModelName::parse(&text);
        }

        #[test]
        fn display_round_trips(name in "[a-z0-9][a-z0-9._-]{0,10}(:[a-zA-Z0-9][a-zA-Z0-9._-]{0,8})?") {
            let parsed = ModelName::parse(&name).unwrap();
            prop_assert_eq!(ModelName::parse(&parsed.display_shortest()).unwrap(), parsed);
        }
    }
}
