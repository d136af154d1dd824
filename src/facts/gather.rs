//! The facts of the models a command names, in the order of the module comment:
//! installed, cached registry facts, the catalog, the registry itself.

use super::cache::{Cache, now};
use super::remote::{Asked, Fetched, Others, fetch_all};
use super::settle;
use super::store::{InStore, read_installed};
use super::{Known, build};
use crate::catalog::{Catalog, Resolved};
use crate::exit::UsageError;
use crate::inventory::Inventory;
use crate::name::ModelName;
use crate::registry::Registry;
use anyhow::Result;
use std::path::Path;

/// Where facts can come from in this run.
pub struct Sources<'a> {
    /// Ollama's model store (`OLLAMA_MODELS`, `~/.ollama/models`), when known.
    pub store: Option<&'a Path>,
    pub cache: Cache,
    /// The registry client, or why there is none (a bad `PROVISION_REGISTRY`).
    pub registry: Result<Registry, String>,
    /// What Ollama lists, for installed models the store cannot show (asked only
    /// about names the catalog does not know, which planning asks Ollama about anyway).
    pub inventory: Option<&'a Inventory>,
    /// Ask the registry for names the catalog knows too (`--remote`).
    pub remote: bool,
}

/// The facts found, the warnings to print once, and the names nobody knows.
#[derive(Debug, Default)]
pub struct Gathered {
    pub known: Vec<Known>,
    pub warnings: Vec<String>,
    pub unknown: Vec<Unknown>,
}

/// A name neither the catalog nor the registry knows, and why, in one line.
#[derive(Debug, Clone)]
pub struct Unknown {
    pub name: String,
    /// `unknown model 'x' in the model catalog (did you mean …?), and …`.
    pub message: String,
    /// The registry's part of it (`registry … is unreachable (…)`), for callers that
    /// word the catalog's part themselves.
    pub registry: String,
    /// Nothing knows the name (a usage error when it was typed, exit 2, as a name the
    /// catalog alone did not know always was); false when the registry's answer was
    /// unusable (a hostile header): a failure, exit 1.
    pub unknown_name: bool,
}

impl Unknown {
    /// The error of a name typed on the command line.
    pub fn error(&self) -> anyhow::Error {
        match self.unknown_name {
            true => UsageError(self.message.clone()).into(),
            false => anyhow::anyhow!("{}", self.message),
        }
    }
}

impl Gathered {
    /// Fails on the first name nobody knows.
    pub fn known_or_fail(self) -> Result<Gathered> {
        match self.unknown.first() {
            Some(unknown) => Err(unknown.error()),
            None => Ok(self),
        }
    }
}

/// The facts of each of `names` that has live facts; a name with none is left to the
/// catalog. A name neither the catalog nor the registry knows is in
/// [`Gathered::unknown`], with a line that says both why.
pub fn gather(sources: &Sources, names: &[String]) -> Gathered {
    let catalog = Catalog::bundled();
    let mut gathered = Gathered::default();
    let mut asked: Vec<(String, Asked)> = Vec::new();
    for name in distinct(names) {
        let Ok(parsed) = ModelName::parse(&name) else {
            continue;
        };
        let listed = catalog.resolve(&name).ok();
        if let Some(known) = local(sources, &name, &parsed, listed, &mut gathered.warnings) {
            gathered.known.push(known);
        } else if let Some(known) = cached(sources, &name, &parsed, listed) {
            gathered.known.push(known);
        } else if installed_without_facts(sources, &name, listed) {
            // Ollama lists it but its header could not be read (an Ollama older than
            // 0.6.1 has no `show --verbose`): planned from `ollama show`, as before.
            continue;
        } else if listed.is_none() || sources.remote {
            asked.push((name.clone(), ask(&parsed, listed)));
        }
    }
    if asked.is_empty() {
        return gathered;
    }
    let registry = match &sources.registry {
        Ok(registry) => registry,
        Err(why) => {
            settle::offline(
                &mut gathered,
                &asked,
                &format!("no registry to ask ({why})"),
            );
            return gathered;
        }
    };
    let requests: Vec<Asked> = asked.iter().map(|(_, a)| a.clone()).collect();
    let results = fetch_all(registry, &sources.cache, &requests);
    settle::settle(&mut gathered, &asked, results, registry.base());
    gathered
}

/// A name the catalog does not know that Ollama lists: it is not the registry's to tell.
fn installed_without_facts(sources: &Sources, name: &str, listed: Option<Resolved>) -> bool {
    listed.is_none() && sources.inventory.is_some_and(|i| i.is_listed(name))
}

/// Each name once, in order.
fn distinct(names: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim().to_string();
        if !seen.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
            seen.push(name);
        }
    }
    seen
}

/// What to ask the registry beside the tag: the published tags of a catalog size, the
/// conventional tags of an unknown size, nothing for a full tag.
fn ask(name: &ModelName, listed: Option<Resolved>) -> Asked {
    let others = match listed {
        Some(r) if r.quant_pinned => Others::None,
        Some(r) => Others::Tags(
            r.size
                .quants
                .iter()
                .map(|q| r.size.tag_for(q.quant))
                .filter(|t| !t.eq_ignore_ascii_case(&name.tag))
                .collect(),
        ),
        None if super::quant_of_tag(&name.tag).is_some()
            && !name.tag.eq_ignore_ascii_case("latest") =>
        {
            Others::None
        }
        None => Others::Probe,
    };
    Asked {
        name: name.clone(),
        others,
    }
}

/// Installed facts: the store's blob header, else (for a name the catalog does not
/// know, installed per `ollama list`) `ollama show --verbose`.
fn local(
    sources: &Sources,
    name: &str,
    parsed: &ModelName,
    listed: Option<Resolved>,
    warnings: &mut Vec<String>,
) -> Option<Known> {
    let mut why = None;
    if let Some(store) = sources.store {
        match read_installed(store, parsed, &sources.cache) {
            InStore::Found(found) => match build::installed(name, parsed, listed, &found) {
                Ok(known) => return Some(known),
                Err(reason) => why = Some(reason),
            },
            InStore::Unreadable(reason) => why = Some(reason),
            InStore::Absent => {}
        }
    }
    let inventory = sources
        .inventory
        .filter(|i| listed.is_none() && i.is_listed(name));
    let shown = inventory.map(|i| build::shown(name, parsed, i));
    match (shown, why) {
        (Some(Ok(known)), _) => Some(known),
        (Some(Err(reason)), Some(store)) => {
            warnings.push(format!("{name}: {store}; and {reason}"));
            None
        }
        (None, Some(store)) if listed.is_some() => {
            warnings.push(format!(
                "{name}: installed, but {store}; catalog facts used"
            ));
            None
        }
        _ => None,
    }
}

/// Registry facts from the cache alone: a fresh manifest of the tag and the facts of
/// its model blob.
fn cached(
    sources: &Sources,
    name: &str,
    parsed: &ModelName,
    listed: Option<Resolved>,
) -> Option<Known> {
    let tag = sources.cache.tag(parsed).filter(|t| t.fresh(now()))?;
    let remote = tag.remote();
    let layer = remote.layer(crate::registry::MODEL_MEDIA_TYPE)?;
    let facts = sources.cache.facts(&layer.digest)?;
    let registry = sources
        .registry
        .as_ref()
        .ok()?
        .for_host(&parsed.host)
        .ok()?;
    let url = registry.blob_url(&parsed.namespace, &parsed.model, &layer.digest);
    let found = cached_others(&sources.cache, parsed, listed);
    let fetched = Fetched {
        tag: remote,
        facts,
        read_from: url,
        probed: found.1,
        found: found.0,
        stale: false,
    };
    build::registry(name, parsed, listed, &fetched).ok()
}

/// The other tags a fresh probe or earlier look-ups left in the cache.
fn cached_others(
    cache: &Cache,
    name: &ModelName,
    listed: Option<Resolved>,
) -> (Vec<(String, crate::registry::RemoteTag)>, bool) {
    let others = ask(name, listed).others;
    let probed = others == Others::Probe;
    let tags: Vec<String> = match others {
        Others::None => return (Vec::new(), false),
        Others::Tags(tags) => tags,
        Others::Probe => {
            let size = super::probe::size_of_tag(&name.tag).unwrap_or_else(|| name.tag.clone());
            match cache.probe(name, &size) {
                Some(probe) => probe.found,
                None => return (Vec::new(), false),
            }
        }
    };
    let found = tags
        .into_iter()
        .filter_map(|tag| {
            let tagged = ModelName {
                tag: tag.clone(),
                ..name.clone()
            };
            cache.tag(&tagged).map(|t| (tag, t.remote()))
        })
        .collect();
    (found, probed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gguf::fixtures;

    fn name(text: &str) -> ModelName {
        ModelName::parse(text).unwrap()
    }

    #[test]
    fn full_tags_ask_for_nothing_else_and_bare_sizes_are_probed() {
        let catalog = Catalog::bundled();
        assert_eq!(ask(&name("gemma4:12b-it-q8_0"), None).others, Others::None);
        assert_eq!(ask(&name("gemma4:12b"), None).others, Others::Probe);
        let listed = catalog.resolve("qwen3:8b").ok();
        let Others::Tags(tags) = ask(&name("qwen3:8b"), listed).others else {
            panic!("a catalog size asks for its published tags");
        };
        assert!(tags.contains(&"8b-fp16".to_string()), "{tags:?}");
        let pinned = catalog.resolve("qwen3:8b-fp16").ok();
        assert_eq!(ask(&name("qwen3:8b-fp16"), pinned).others, Others::None);
        assert_eq!(
            distinct(&["a".into(), " A ".into(), "b".into()]),
            ["a", "b"]
        );
    }

    #[test]
    fn installed_facts_win_and_an_unknown_name_without_a_registry_says_both_why() {
        let store = tempfile::tempdir().unwrap();
        super::super::store::tests::install(store.path(), "mine", &fixtures::granite4_micro_h());
        let sources = Sources {
            store: Some(store.path()),
            cache: Cache::new(None),
            registry: Err("a bad URL".into()),
            inventory: None,
            remote: false,
        };
        let names = ["mine", "gemma4:12b", "llama3.1:8b"].map(String::from);
        let gathered = gather(&sources, &names);
        assert_eq!(gathered.known.len(), 1);
        let mine = &gathered.known[0];
        assert!(mine.local && mine.shape == super::super::Source::Installed);
        assert_eq!(mine.family.architecture, "granitehybrid");
        assert_eq!(gathered.unknown.len(), 1);
        let message = &gathered.unknown[0].message;
        assert!(
            message.starts_with("unknown model 'gemma4:12b' in the model catalog"),
            "{message}"
        );
        assert!(
            message.ends_with("and no registry to ask (a bad URL)"),
            "{message}"
        );
        assert!(gathered.warnings.is_empty(), "{:?}", gathered.warnings);
    }
}
