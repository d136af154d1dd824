//! Resolving what users type (`llama3.1`, `llama3.1:8b`, `llama3.1:8b-instruct-q4_K_M`)
//! to a family, a size and a quantization.

use super::suggest::closest;
use super::{Catalog, Family, ModelSize};
use crate::quant::Quant;
use std::fmt;

/// A catalog entry a name resolved to.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub family: &'a Family,
    pub size: &'a ModelSize,
    /// The quantization the name denotes (the size's default for short tags).
    pub quant: Quant,
    /// Whether the name spelled the quantization out (a full tag), so the user
    /// asked for exactly that one.
    pub quant_pinned: bool,
}

impl Resolved<'_> {
    /// `family:full-tag` of the resolved quantization.
    pub fn name(&self) -> String {
        format!("{}:{}", self.family.name, self.size.tag_for(self.quant))
    }

    /// The same model with exactly `quant` asked for: a full tag, a profile's
    /// `quant`, a roster's choice, or one level of `list-quants`.
    pub fn pinned(self, quant: Quant) -> Self {
        Resolved {
            quant,
            quant_pinned: true,
            ..self
        }
    }

    /// The same model with its level free to choose.
    pub fn unpinned(self) -> Self {
        Resolved {
            quant_pinned: false,
            ..self
        }
    }
}

/// Why a name did not resolve, with the closest names the catalog knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    UnknownModel {
        name: String,
        suggestions: Vec<String>,
    },
    UnknownTag {
        name: String,
        suggestions: Vec<String>,
    },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, name, suggestions) = match self {
            LookupError::UnknownModel { name, suggestions } => ("model", name, suggestions),
            LookupError::UnknownTag { name, suggestions } => ("tag", name, suggestions),
        };
        write!(f, "unknown {what} '{name}' in the model catalog")?;
        if !suggestions.is_empty() {
            write!(f, " (did you mean {}?)", suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for LookupError {}

impl Catalog {
    /// Resolves an Ollama model name. `latest` and a missing tag mean the family's
    /// default size at its default quantization; `<size>` or a size alias mean that
    /// size at its default quantization; a full tag names the quantization.
    pub fn resolve(&self, name: &str) -> Result<Resolved<'_>, LookupError> {
        let short = name
            .trim()
            .trim_start_matches("registry.ollama.ai/")
            .trim_start_matches("library/");
        let (family_name, tag) = short.split_once(':').unwrap_or((short, "latest"));
        let family = self
            .family(family_name)
            .ok_or_else(|| LookupError::UnknownModel {
                name: name.to_string(),
                suggestions: closest(family_name, self.families.iter().map(|f| f.name.clone())),
            })?;
        resolve_tag(family, tag).ok_or_else(|| LookupError::UnknownTag {
            name: name.to_string(),
            suggestions: closest(tag, all_tags(family))
                .into_iter()
                .map(|t| format!("{}:{t}", family.name))
                .collect(),
        })
    }
}

fn resolve_tag<'a>(family: &'a Family, tag: &str) -> Option<Resolved<'a>> {
    let short = |size: &'a ModelSize| Resolved {
        family,
        size,
        quant: size.default_quant,
        quant_pinned: false,
    };
    if tag.eq_ignore_ascii_case("latest") {
        return family.size(&family.default_size).map(short);
    }
    if let Some(size) = family.size(tag) {
        return Some(short(size));
    }
    family.sizes.iter().find_map(|size| {
        size.quants
            .iter()
            .find(|q| size.tag_for(q.quant).eq_ignore_ascii_case(tag))
            .map(|q| Resolved {
                family,
                size,
                quant: q.quant,
                quant_pinned: true,
            })
    })
}

/// Every tag of a family: `latest`, sizes, aliases and full tags.
fn all_tags(family: &Family) -> Vec<String> {
    let mut tags = vec!["latest".to_string()];
    for size in &family.sizes {
        tags.push(size.size.clone());
        tags.extend(size.aliases.iter().cloned());
        tags.extend(size.quants.iter().map(|q| size.tag_for(q.quant)));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(name: &str) -> Resolved<'static> {
        Catalog::bundled().resolve(name).unwrap()
    }

    #[test]
    fn short_and_full_names_resolve_to_the_same_entry() {
        for name in [
            "llama3.1",
            "llama3.1:latest",
            "llama3.1:8b",
            "llama3.1:8b-instruct-q4_K_M",
        ] {
            let r = resolve(name);
            assert_eq!(r.name(), "llama3.1:8b-instruct-q4_K_M", "{name}");
        }
        assert!(!resolve("llama3.1:8b").quant_pinned);
        assert!(resolve("llama3.1:8b-instruct-q4_K_M").quant_pinned);
        assert_eq!(
            resolve("registry.ollama.ai/library/qwen2.5:7b").name(),
            "qwen2.5:7b-instruct-q4_K_M"
        );
    }

    #[test]
    fn defaults_are_per_size() {
        assert_eq!(resolve("llama3.2:1b").quant, Quant::Q8_0);
        assert_eq!(resolve("llama3.2").size.size, "3b");
        assert_eq!(resolve("qwen3:8b-fp16").quant, Quant::F16);
        assert_eq!(resolve("phi3:mini").size.size, "3.8b");
        assert_eq!(resolve("llava").name(), "llava:7b-v1.6-mistral-q4_0");
    }

    #[test]
    fn unknown_names_get_close_suggestions() {
        let error = Catalog::bundled().resolve("lama3.1:8b").unwrap_err();
        let LookupError::UnknownModel { suggestions, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(suggestions.first().map(String::as_str), Some("llama3.1"));
        let error = Catalog::bundled()
            .resolve("llama3.1:8b-instruct-q4_k")
            .unwrap_err();
        assert!(
            error.to_string().contains("llama3.1:8b-instruct-q4_K_M"),
            "{error}"
        );
        let error = Catalog::bundled().resolve("qwen3:8b-q6_K").unwrap_err();
        assert!(
            matches!(error, LookupError::UnknownTag { .. }),
            "a 2025 family has no q6_K"
        );
    }
}
