//! Installed copies of a model: which `ollama list` names may be it, and the
//! level of each as `ollama show` reports it. Pure; the inventory runs `ollama`.

use crate::catalog::{Catalog, Family, ModelSize};
use crate::name::ModelName;
use crate::ollama::ShowInfo;
use crate::ollama::list::ListEntry;
use crate::quant::Quant;

/// One installed copy at a known level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The name as `ollama list` prints it.
    pub name: String,
    pub quant: Quant,
    /// What `ollama list` shows as its size (all layers, rounded): the middle of
    /// the range that prints that way.
    pub bytes: Option<u64>,
}

/// Which model the installed copies must be.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// A catalog model at one size.
    Library {
        family: &'a Family,
        size: &'a ModelSize,
    },
    /// A name outside the library (`namespace/model`, `hf.co/…`): every tag of it.
    Local(&'a ModelName),
}

impl Scope<'_> {
    /// Whether `name` (from `ollama list`) may be a copy worth an `ollama show`: a
    /// tag of the family naming this size or no catalog size, under any namespace,
    /// or a name the catalog does not know (a custom name); never another size or
    /// another catalog family.
    pub fn candidate(&self, name: &str) -> bool {
        let Ok(parsed) = ModelName::parse(name) else {
            return false;
        };
        match self {
            Scope::Library { family, size } => match family_tag(family, &parsed) {
                Some(Some(tagged)) => tagged.size == size.size,
                Some(None) => true,
                None => Catalog::bundled().family(&parsed.model).is_none(),
            },
            Scope::Local(wanted) => {
                parsed.host.eq_ignore_ascii_case(&wanted.host)
                    && parsed.namespace.eq_ignore_ascii_case(&wanted.namespace)
                    && parsed.model.eq_ignore_ascii_case(&wanted.model)
            }
        }
    }

    /// Whether a candidate is a copy of this model: a library tag of this size, or
    /// else what `ollama show` says (architecture, parameter count within 10 %,
    /// native context) matches the catalog's size.
    pub fn accepts(&self, name: &str, show: &ShowInfo) -> bool {
        let Scope::Library { family, size } = self else {
            return self.candidate(name);
        };
        let Ok(parsed) = ModelName::parse(name) else {
            return false;
        };
        match family_tag(family, &parsed) {
            Some(Some(tagged)) => tagged.size == size.size,
            _ => same_model(family, size, show),
        }
    }
}

/// For a name of the family (any host or namespace): `Some(size)` its tag names,
/// `Some(None)` for a tag the catalog does not know; `None` for another model.
fn family_tag<'a>(family: &'a Family, name: &ModelName) -> Option<Option<&'a ModelSize>> {
    if !name.model.eq_ignore_ascii_case(&family.name) {
        return None;
    }
    let library = format!("{}:{}", family.name, name.tag);
    Some(
        Catalog::bundled()
            .resolve(&library)
            .ok()
            .and_then(|r| family.size(&r.size.size)),
    )
}

/// Whether what `ollama show` says (architecture, parameter count within 10 %,
/// native context when shown) matches a catalog size.
pub fn same_model(family: &Family, size: &ModelSize, show: &ShowInfo) -> bool {
    size.matches(
        family,
        show.architecture.as_deref(),
        show.parameters.as_ref().map(|p| p.approx),
        show.context_length,
    )
}

/// The installed copies in scope, and one note per copy that could not be read.
#[derive(Debug, Default)]
pub struct Gathered {
    pub installed: Vec<Installed>,
    pub problems: Vec<String>,
}

/// The installed copies among `ollama list` entries and their `ollama show`
/// (one per entry, in order; the caller runs them). A failed show becomes a
/// problem note.
pub fn copies(
    scope: Scope,
    entries: &[ListEntry],
    shows: Vec<Result<ShowInfo, String>>,
) -> Gathered {
    let mut gathered = Gathered::default();
    for (entry, show) in entries.iter().zip(shows) {
        match show {
            Ok(info) if scope.accepts(&entry.name, &info) => match level(&info) {
                Ok(quant) => gathered.installed.push(Installed {
                    name: entry.name.clone(),
                    quant,
                    bytes: entry
                        .size
                        .as_ref()
                        .map(|s| s.min_bytes / 2 + s.max_bytes / 2),
                }),
                Err(note) => gathered.problems.push(format!("{}: {note}", entry.name)),
            },
            Ok(_) => {}
            Err(error) => gathered.problems.push(error),
        }
    }
    gathered
}

/// The level `ollama show` reports, or why it is not one `provision` knows.
fn level(info: &ShowInfo) -> Result<Quant, String> {
    let Some(text) = info.known_quantization() else {
        return Err("ollama show reports no quantization".to_string());
    };
    text.parse()
        .map_err(|_| format!("quantization {text} is not a level provision knows"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ollama::ParameterCount;

    fn library(name: &str) -> Scope<'static> {
        let resolved = Catalog::bundled().resolve(name).unwrap();
        Scope::Library {
            family: resolved.family,
            size: resolved.size,
        }
    }

    fn show(architecture: &str, parameters: &str, context: u64) -> ShowInfo {
        ShowInfo {
            architecture: Some(architecture.to_string()),
            parameters: ParameterCount::parse(parameters),
            context_length: Some(context),
            quantization: "Q4_K_M".to_string(),
            ..ShowInfo::default()
        }
    }

    #[test]
    fn candidates_are_the_family_anywhere_and_unknown_names() {
        let scope = library("llama3.1:8b");
        for name in [
            "llama3.1:8b",
            "Llama3.1:latest",
            "registry.ollama.ai/library/llama3.1:8b-text-q8_0",
            "provision/llama3.1:8b",
            "llama3.1:tuned",
            "mybot:latest",
        ] {
            assert!(scope.candidate(name), "{name}");
        }
        assert!(
            !scope.candidate("llama3.1:70b"),
            "another size is not shown"
        );
        assert!(!scope.candidate("qwen3:8b"));
        assert!(!scope.candidate("me/qwen3:8b"));
    }

    #[test]
    fn library_tags_are_accepted_by_size_custom_names_by_what_show_says() {
        let scope = library("llama3.1:8b");
        let other = ShowInfo::default();
        assert!(scope.accepts("llama3.1:8b-instruct-q8_0", &other));
        assert!(scope.accepts("LLAMA3.1:latest", &other));
        assert!(scope.accepts("provision/llama3.1:8b", &other));
        assert!(!scope.accepts("llama3.1:70b", &other));
        let eight = show("llama", "8.0B", 131_072);
        assert!(scope.accepts("mybot:latest", &eight));
        assert!(scope.accepts("llama3.1:tuned", &eight));
        assert!(!scope.accepts("mybot:latest", &show("llama", "3.2B", 131_072)));
        assert!(!scope.accepts("mybot:latest", &show("qwen2", "8.0B", 131_072)));
        assert!(
            !scope.accepts("old:latest", &show("llama", "8.0B", 8_192)),
            "llama3 (8K context) is not llama3.1"
        );
    }

    #[test]
    fn local_names_match_host_namespace_and_model_in_any_tag() {
        let wanted = ModelName::parse("hf.co/bartowski/Llama-3.2-1B-GGUF:Q8_0").unwrap();
        let scope = Scope::Local(&wanted);
        assert!(scope.candidate("hf.co/bartowski/llama-3.2-1b-gguf:Q4_K_M"));
        assert!(!scope.candidate("hf.co/other/Llama-3.2-1B-GGUF:Q4_K_M"));
        assert!(!scope.candidate("llama3.2:1b"));
        assert!(scope.accepts(
            "hf.co/bartowski/Llama-3.2-1B-GGUF:latest",
            &ShowInfo::default()
        ));
    }

    #[test]
    fn the_level_comes_from_the_shown_quantization() {
        assert_eq!(level(&show("llama", "8.0B", 1)), Ok(Quant::Q4KM));
        let mut info = show("llama", "8.0B", 1);
        info.quantization = "IQ2_XS".to_string();
        assert!(level(&info).unwrap_err().contains("IQ2_XS"));
        info.quantization = "unknown".to_string();
        assert!(level(&info).is_err());
    }
}
