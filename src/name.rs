//! Model names as Ollama parses, validates, compares and displays them
//! (`types/model/name.go`): `[scheme://][host/][namespace/]model[:tag]`.

use std::fmt;

/// The default registry host.
pub const DEFAULT_HOST: &str = "registry.ollama.ai";
/// The default namespace.
pub const DEFAULT_NAMESPACE: &str = "library";

/// The namespace of the names `provision` gives models it was not told a name
/// for: it never collides with library tags (namespace `library`).
pub const PROVISION_NAMESPACE: &str = "provision";

/// Whether a model name is in `provision`'s own namespace (`provision/…`), so
/// `provision` may replace it without `--force`.
pub fn in_provision_namespace(name: &str) -> bool {
    ModelName::parse(name).is_ok_and(|n| n.namespace.eq_ignore_ascii_case(PROVISION_NAMESPACE))
}
/// The default tag.
pub const DEFAULT_TAG: &str = "latest";

/// A model reference, always fully qualified (defaults filled in) once parsed.
/// Equality ignores case, as Ollama's lookups do; the spelling is kept for display.
#[derive(Debug, Clone, Eq)]
pub struct ModelName {
    pub host: String,
    pub namespace: String,
    pub model: String,
    pub tag: String,
}

/// Why a string is not a valid model name:
/// `invalid model name 'a/b.c/d': namespace 'b.c' may not contain '.'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidName {
    pub text: String,
    pub reason: String,
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid model name '{}': {}", self.text, self.reason)
    }
}

impl std::error::Error for InvalidName {}

impl ModelName {
    /// Parses and validates a name, filling in the default host, namespace and tag.
    pub fn parse(text: &str) -> Result<ModelName, InvalidName> {
        let bare = parse_bare(text);
        let name = ModelName {
            host: bare.host.unwrap_or(DEFAULT_HOST).to_string(),
            namespace: bare.namespace.unwrap_or(DEFAULT_NAMESPACE).to_string(),
            model: bare.model.to_string(),
            tag: bare.tag.unwrap_or(DEFAULT_TAG).to_string(),
        };
        let parts = [
            (Part::Host, &name.host),
            (Part::Namespace, &name.namespace),
            (Part::Model, &name.model),
            (Part::Tag, &name.tag),
        ];
        for (part, value) in parts {
            check_part(part, value).map_err(|reason| InvalidName {
                text: text.to_string(),
                reason,
            })?;
        }
        Ok(name)
    }

    /// `DisplayShortest`: `model:tag` on the default registry and namespace,
    /// `namespace/model:tag` on the default registry, else the full name. The
    /// defaults are recognised in any case (upstream uses `EqualFold`).
    pub fn display_shortest(&self) -> String {
        let default_host = self.host.eq_ignore_ascii_case(DEFAULT_HOST);
        let default_ns = self.namespace.eq_ignore_ascii_case(DEFAULT_NAMESPACE);
        match (default_host, default_ns) {
            (true, true) => format!("{}:{}", self.model, self.tag),
            (true, false) => format!("{}/{}:{}", self.namespace, self.model, self.tag),
            _ => self.display_long(),
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

/// Whether two texts name the same model to Ollama (case aside, `latest` when no
/// tag); texts that are not names are the same only when equal.
pub fn same_model(a: &str, b: &str) -> bool {
    match (ModelName::parse(a), ModelName::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Why two different spellings are one model, for the errors that refuse them.
pub const SAME_MODEL_WHY: &str =
    "Ollama compares names ignoring case, and a name without a tag is `:latest`";

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

/// True when a FROM value is a local path rather than a model name: Ollama expands
/// and stats those (`expandPath`); everything else must be a valid name.
pub fn is_path(from: &str) -> bool {
    from.starts_with(['/', '~', '\\'])
        || from.starts_with("./")
        || from.starts_with("../")
        || from == "."
        || from == ".."
}

/// The parts of a name as written, before defaults; an empty part after a
/// separator (upstream's `!MISSING!`) is kept as `Some("")` so no check accepts it.
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
    // A ':' is the tag separator only after the last '/', so `host:port/m` works.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Host,
    Namespace,
    Model,
    Tag,
}

impl Part {
    fn label(self) -> &'static str {
        match self {
            Part::Host => "host",
            Part::Namespace => "namespace",
            Part::Model => "model",
            Part::Tag => "tag",
        }
    }

    fn max_len(self) -> usize {
        if self == Part::Host { 350 } else { 80 }
    }
}

/// `isValidPart`: length, first character, then the characters the part allows.
fn check_part(part: Part, value: &str) -> Result<(), String> {
    let label = part.label();
    if value.is_empty() {
        return Err(format!("the {label} is empty"));
    }
    if value.len() > part.max_len() {
        return Err(format!(
            "{label} '{value}' is longer than {} characters",
            part.max_len()
        ));
    }
    for (i, c) in value.chars().enumerate() {
        let ok = c.is_ascii_alphanumeric()
            || c == '_'
            || (i > 0 && c == '-')
            || (i > 0 && c == '.' && part != Part::Namespace)
            || (i > 0 && c == ':' && part == Part::Host);
        if !ok {
            let place = if i == 0 { "start with" } else { "contain" };
            return Err(format!("{label} '{value}' may not {place} '{c}'"));
        }
    }
    Ok(())
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
        let name = ModelName::parse("llama3.1:8b").unwrap();
        let parts = [&name.host, &name.namespace, &name.model, &name.tag];
        assert_eq!(parts, ["registry.ollama.ai", "library", "llama3.1", "8b"]);
        assert_eq!(short("llama3.2"), "llama3.2:latest");
        assert_eq!(
            ModelName::parse("llama3.2").unwrap().to_string(),
            "llama3.2:latest"
        );
        assert_eq!(short("library/llama3.2:3b"), "llama3.2:3b");
        assert_eq!(
            short("registry.ollama.ai/library/llama3.2:3b"),
            "llama3.2:3b"
        );
        assert_eq!(short("Registry.Ollama.AI/Library/m:t"), "m:t");
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
        assert_eq!(
            (name.host.as_str(), name.tag.as_str()),
            ("example.com", "latest")
        );
        let full = ModelName::parse("https://host:5000/ns/m:t").unwrap();
        assert_eq!(full.to_string(), "host:5000/ns/m:t");
    }

    #[test]
    fn rejects_what_ollama_rejects_and_says_why() {
        let cases = [
            ("m:", "the tag is empty"),
            ("", "the model is empty"),
            (":t", "the model is empty"),
            ("/m", "the namespace is empty"),
            ("a.b/m", "namespace 'a.b' may not contain '.'"),
            ("-m", "model '-m' may not start with '-'"),
            ("m:t:x", "model 'm:t' may not contain ':'"),
            ("m@sha256", "may not contain '@'"),
            ("mödel", "may not contain 'ö'"),
            ("ns/m:a b", "may not contain ' '"),
            ("a b", "may not contain ' '"),
            ("./x.gguf", "may not start with '.'"),
            ("a/b/c/d", "host 'a/b' may not contain '/'"),
        ];
        for (text, expected) in cases {
            let error = ModelName::parse(text).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("invalid model name '{text}': ")),
                "{error}"
            );
            assert!(error.contains(expected), "{text}: {error}");
        }
        let long = ModelName::parse(&"m".repeat(81)).unwrap_err();
        assert!(long.reason.contains("longer than 80"), "{long}");
        assert!(ModelName::parse(&"m".repeat(80)).is_ok());
        assert!(ModelName::parse(&format!("{}:t", "m".repeat(80))).is_ok());
        assert!(ModelName::parse("x.gguf").is_ok());
    }

    #[test]
    fn equality_ignores_case() {
        let a = ModelName::parse("Llama3.2:3B").unwrap();
        let b = ModelName::parse("registry.ollama.ai/library/llama3.2:3b").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.display_shortest(), "Llama3.2:3B");
    }

    #[test]
    fn tells_paths_from_names() {
        for path in ["/models/x.gguf", "./x.gguf", "~/w", "../w", "."] {
            assert!(is_path(path), "{path}");
        }
        for name in ["llama3.1:8b", "x.gguf", "ns/m"] {
            assert!(!is_path(name), "{name}");
        }
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
