//! Model names as Ollama parses and validates them (`types/model/name.go`):
//! `[scheme://][host/][namespace/]model[:tag]`.

use serde::Serialize;
use std::fmt;

/// A fully qualified model name; missing parts take Ollama's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelName {
    pub host: String,
    pub namespace: String,
    pub model: String,
    pub tag: String,
}

/// The parts Ollama fills in when a name leaves them out.
pub const DEFAULT_HOST: &str = "registry.ollama.ai";
pub const DEFAULT_NAMESPACE: &str = "library";
pub const DEFAULT_TAG: &str = "latest";

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

impl ModelName {
    /// Parses and validates a name, explaining what is wrong in the error:
    /// `invalid model name 'a/b.c/d': namespace 'b.c' may not contain '.'`.
    pub fn parse(text: &str) -> Result<ModelName, String> {
        let bare = split(text);
        let name = ModelName {
            host: bare.host.unwrap_or_else(|| DEFAULT_HOST.into()),
            namespace: bare.namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
            model: bare.model,
            tag: bare.tag.unwrap_or_else(|| DEFAULT_TAG.into()),
        };
        let parts = [
            (Part::Host, &name.host),
            (Part::Namespace, &name.namespace),
            (Part::Model, &name.model),
            (Part::Tag, &name.tag),
        ];
        for (part, value) in parts {
            check_part(part, value).map_err(|why| format!("invalid model name '{text}': {why}"))?;
        }
        Ok(name)
    }

    /// Ollama's `DisplayShortest`: `llama3.1:8b`, `ns/m:tag`, `host/ns/m:tag`.
    pub fn display_shortest(&self) -> String {
        if self.host != DEFAULT_HOST {
            format!(
                "{}/{}/{}:{}",
                self.host, self.namespace, self.model, self.tag
            )
        } else if self.namespace != DEFAULT_NAMESPACE {
            format!("{}/{}:{}", self.namespace, self.model, self.tag)
        } else {
            format!("{}:{}", self.model, self.tag)
        }
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_shortest())
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

/// The parts as written; `None` when absent. An empty part after a separator is
/// Ollama's `!MISSING!`, which no check accepts.
struct Bare {
    host: Option<String>,
    namespace: Option<String>,
    model: String,
    tag: Option<String>,
}

const MISSING: &str = "";

fn split(text: &str) -> Bare {
    let mut rest = text;
    let mut tag = None;
    // A ':' is the tag separator only after the last '/', so `host:port/m` works.
    if text.rfind(':').map(|i| i as isize) > text.rfind('/').map(|i| i as isize).or(Some(-1)) {
        let (before, after) = rest.rsplit_once(':').expect("found above");
        tag = Some(after.to_string());
        rest = before;
    }
    let Some((before, model)) = rest.rsplit_once('/') else {
        return Bare {
            host: None,
            namespace: None,
            model: rest.into(),
            tag,
        };
    };
    let model = model.to_string();
    let Some((before, namespace)) = before.rsplit_once('/') else {
        return Bare {
            host: None,
            namespace: Some(before.into()),
            model,
            tag,
        };
    };
    let host = before.split_once("://").map_or(before, |(_, host)| host);
    Bare {
        host: Some(if before.is_empty() {
            MISSING.into()
        } else {
            host.into()
        }),
        namespace: Some(namespace.into()),
        model,
        tag,
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

    #[test]
    fn fills_defaults_and_displays_shortest() {
        let name = ModelName::parse("llama3.1:8b").unwrap();
        assert_eq!(
            (
                name.host.as_str(),
                name.namespace.as_str(),
                name.model.as_str(),
                name.tag.as_str()
            ),
            ("registry.ollama.ai", "library", "llama3.1", "8b")
        );
        assert_eq!(
            ModelName::parse("llama3.2").unwrap().to_string(),
            "llama3.2:latest"
        );
        assert_eq!(
            ModelName::parse("me/coder:q4").unwrap().to_string(),
            "me/coder:q4"
        );
        let full = ModelName::parse("https://host:5000/ns/m:t").unwrap();
        assert_eq!((full.host.as_str(), full.tag.as_str()), ("host:5000", "t"));
        assert_eq!(full.to_string(), "host:5000/ns/m:t");
        let upstream = "registry.ollama.ai/library/dolphin-mistral:7b-v2.6-dpo-laser-q6_K";
        assert_eq!(
            ModelName::parse(upstream).unwrap().to_string(),
            "dolphin-mistral:7b-v2.6-dpo-laser-q6_K"
        );
    }

    #[test]
    fn rejects_what_ollama_rejects() {
        let cases = [
            ("m:", "the tag is empty"),
            ("", "the model is empty"),
            ("/m", "the namespace is empty"),
            ("a.b/m", "namespace 'a.b' may not contain '.'"),
            ("-m", "model '-m' may not start with '-'"),
            ("m:t:x", "model 'm:t' may not contain ':'"),
            ("m@sha256", "may not contain '@'"),
            ("mödel", "may not contain 'ö'"),
            ("ns/m:a b", "may not contain ' '"),
        ];
        for (text, expected) in cases {
            let error = ModelName::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        assert!(
            ModelName::parse(&"m".repeat(81))
                .unwrap_err()
                .contains("longer than 80")
        );
        assert!(ModelName::parse(&format!("{}:t", "m".repeat(80))).is_ok());
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
}
