//! Which models a plan covers: the profile's roster, or the models named on the
//! command line (a roster entry by name or base, else an ad-hoc model).

use crate::catalog::Catalog;
use crate::exit::UsageError;
use crate::name::{ModelName, SAME_MODEL_WHY, same_model};
use crate::profile::{Parameters, Profile, RosterModel};
use anyhow::Result;

pub use crate::name::PROVISION_NAMESPACE as NAMESPACE;

/// One model a plan covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub model: RosterModel,
    /// Whether the profile names it (so `auto` may overwrite it).
    pub named_by_profile: bool,
}

/// The roster models to plan, each with whether the profile names it. With no
/// `wanted` names that is the whole roster.
pub fn select(profile: &Profile, wanted: &[String]) -> Result<Vec<Chosen>> {
    let named = |model: &RosterModel| Chosen {
        model: model.clone(),
        named_by_profile: true,
    };
    if wanted.is_empty() {
        return Ok(profile.roster.models.iter().map(named).collect());
    }
    let mut chosen: Vec<(&String, Chosen)> = Vec::new();
    for name in wanted {
        let model = match roster_entry(profile, name) {
            Some(model) => named(model),
            None => Chosen {
                model: ad_hoc(name)?,
                named_by_profile: false,
            },
        };
        let target = &model.model.name;
        match chosen
            .iter()
            .find(|(_, c)| same_model(&c.model.name, target))
        {
            // The same model named twice: planned once.
            Some((_, c)) if c.model.name == *target => {}
            Some((first, c)) => {
                return Err(UsageError(format!(
                    "MODEL arguments '{first}' and '{name}' would both create the model \
                     '{}' ({SAME_MODEL_WHY}): give one",
                    c.model.name
                ))
                .into());
            }
            None => chosen.push((name, model)),
        }
    }
    Ok(chosen.into_iter().map(|(_, c)| c).collect())
}

fn roster_entry<'p>(profile: &'p Profile, name: &str) -> Option<&'p RosterModel> {
    let models = &profile.roster.models;
    models
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
        .or_else(|| models.iter().find(|m| m.base.eq_ignore_ascii_case(name)))
}

/// A model named on the command line that the profile does not list: planned
/// with the profile's parameters under a `provision/` name.
fn ad_hoc(name: &str) -> Result<RosterModel> {
    let target = ad_hoc_target(name)?;
    Ok(RosterModel {
        name: target,
        base: name.trim().to_string(),
        role: "named on the command line".to_string(),
        system: None,
        parameters: Parameters::default(),
        min_tier: None,
        max_tier: None,
        min_quant: None,
        max_quant: None,
        quant: None,
        priority: 1,
        speed: None,
        latency: None,
    })
}

/// The deterministic name of an ad-hoc model: `provision/<family>:<tag>`, where
/// the tag is the one given or the family's default size (`llama3.1` →
/// `provision/llama3.1:8b`). A name the catalog does not know keeps its own model
/// part and tag (`hf.co/u/Repo-GGUF:Q4_K_M` → `provision/Repo-GGUF:Q4_K_M`); whether
/// it exists is for its facts to tell. A name Ollama would refuse is a usage error.
pub fn ad_hoc_target(name: &str) -> Result<String> {
    let given = name.trim().rsplit_once(':').map(|(_, tag)| tag);
    let resolved = match Catalog::bundled().resolve(name) {
        Ok(resolved) => resolved,
        Err(_) => {
            let parsed = ModelName::parse(name.trim()).map_err(|e| UsageError(e.to_string()))?;
            return Ok(format!("{NAMESPACE}/{}:{}", parsed.model, parsed.tag));
        }
    };
    let tag = match given {
        Some(tag) if tag != "latest" => tag.to_string(),
        _ => resolved.size.size.clone(),
    };
    Ok(format!("{NAMESPACE}/{}:{tag}", resolved.family.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{BUILTINS, parse};

    fn default_profile() -> Profile {
        parse(BUILTINS[0].1, "default").unwrap()
    }

    #[test]
    fn no_names_means_the_whole_roster() {
        let profile = default_profile();
        let chosen = select(&profile, &[]).unwrap();
        assert_eq!(chosen.len(), profile.roster.models.len());
        assert!(chosen.iter().all(|c| c.named_by_profile));
    }

    #[test]
    fn names_match_roster_entries_by_name_or_base() {
        let profile = default_profile();
        let by_name = select(&profile, &["assistant".into()]).unwrap();
        let by_base = select(&profile, &["llama3.1:8b".into()]).unwrap();
        assert_eq!(by_name[0].model.name, "assistant");
        assert_eq!(by_base[0].model.name, "assistant");
    }

    #[test]
    fn other_names_are_ad_hoc_under_the_provision_namespace() {
        let profile = default_profile();
        let chosen = select(&profile, &["qwen2.5:7b".into(), "qwen2.5:7b".into()]).unwrap();
        assert_eq!(chosen.len(), 1);
        assert_eq!(chosen[0].model.name, "provision/qwen2.5:7b");
        assert!(!chosen[0].named_by_profile);
        assert_eq!(ad_hoc_target("llama3.1").unwrap(), "provision/llama3.1:8b");
        assert_eq!(
            ad_hoc_target("llama3.1:8b-instruct-q8_0").unwrap(),
            "provision/llama3.1:8b-instruct-q8_0"
        );
    }

    #[test]
    fn names_that_differ_only_in_case_are_refused() {
        let wanted = ["qwen2.5:7b".to_string(), "QWEN2.5:7B".to_string()];
        let error = select(&default_profile(), &wanted).unwrap_err();
        assert!(error.downcast_ref::<UsageError>().is_some());
        assert!(
            error.to_string().starts_with(
                "MODEL arguments 'qwen2.5:7b' and 'QWEN2.5:7B' would both create the model 'provision/qwen2.5:7b'"
            ),
            "{error}"
        );
        let same = ["assistant".to_string(), "ASSISTANT".to_string()];
        assert_eq!(select(&default_profile(), &same).unwrap().len(), 1);
    }

    #[test]
    fn names_the_catalog_does_not_know_keep_their_model_and_tag() {
        let profile = default_profile();
        let chosen = select(&profile, &["gemma4:12b".into()]).unwrap();
        assert_eq!(chosen[0].model.name, "provision/gemma4:12b");
        assert_eq!(
            ad_hoc_target("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M").unwrap(),
            "provision/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"
        );
        assert_eq!(ad_hoc_target("mine").unwrap(), "provision/mine:latest");
        let error = select(&profile, &["bad name!".into()]).unwrap_err();
        assert!(error.downcast_ref::<UsageError>().is_some());
        assert!(
            error.to_string().starts_with("invalid model name"),
            "{error}"
        );
    }
}
