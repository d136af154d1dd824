//! Gathering what Ollama holds for the bases the catalog does not know (a
//! user's own imports): `ollama list`, then `ollama show` of each such base.
//! Nothing runs when every base is in the catalog.

use crate::catalog::Catalog;
use crate::cli::Global;
use crate::name::ModelName;
use crate::ollama::Ollama;
use crate::plan::LocalBase;
use crate::profile::Profile;
use std::collections::HashSet;

/// The facts about each base of the planned models that the catalog does not
/// know and Ollama lists. When Ollama cannot be asked (not installed, server
/// down) every such base carries the reason, so the plan reports those models
/// as not plannable instead of failing; a base Ollama does not list is left out
/// (the plan then fails with the catalog's suggestions, as for a typo).
pub fn gather(global: &Global, profile: &Profile, wanted: &[String]) -> Vec<LocalBase> {
    let Ok(chosen) = crate::plan::select(profile, wanted) else {
        return Vec::new();
    };
    let mut unknown: Vec<String> = Vec::new();
    for (model, _) in chosen {
        if Catalog::bundled().resolve(&model.base).is_err() && !unknown.contains(&model.base) {
            unknown.push(model.base);
        }
    }
    if unknown.is_empty() {
        return Vec::new();
    }
    let listed = Ollama::from_flags(global).and_then(|ollama| {
        let names: HashSet<String> = ollama.list()?.iter().filter_map(|e| key(&e.name)).collect();
        Ok((ollama, names))
    });
    let (ollama, listed) = match listed {
        Ok(found) => found,
        Err(error) => {
            let why = crate::exit::one_line(&error.to_string());
            return unknown
                .into_iter()
                .map(|name| LocalBase {
                    name,
                    show: Err(why.clone()),
                })
                .collect();
        }
    };
    unknown
        .into_iter()
        .filter(|name| key(name).is_some_and(|k| listed.contains(&k)))
        .map(|name| LocalBase {
            show: ollama.show(&name).map_err(|e| e.to_string()),
            name,
        })
        .collect()
}

fn key(name: &str) -> Option<String> {
    ModelName::parse(name).ok().map(|n| n.key())
}
