//! Where each planned model's facts come from: live facts (an installed blob's
//! header, the registry), the catalog, a local base the catalog does not know, or
//! nowhere (not plannable, and why).

use super::local::{LocalBase, LocalModel, from_facts, local_model};
use crate::catalog::{Catalog, Resolved};
use crate::facts::{self, Known, Provenance};
use crate::fit::{Budget, FitPolicy, ModelFit};
use crate::ollama::rules::OllamaVersion;
use crate::profile::RosterModel;
use crate::tier::Tier;
use anyhow::{Context, Result};

/// The facts one roster model is planned from.
pub(super) enum Source<'c> {
    Catalog(Resolved<'c>),
    /// Live facts of a library or registry model.
    Known(&'c Known),
    /// A local base: facts from its header when they were read (`Some`), else from
    /// `ollama show` and a matching catalog size.
    Local(Box<LocalModel>, Option<&'c Known>),
    /// A local base that cannot be planned, and why.
    Unplannable(String),
}

impl<'c> Source<'c> {
    /// The source of `model`: its live facts, else the catalog's entry, else what
    /// Ollama said about the base when it was asked; a base nobody knows is an error.
    pub fn of(
        catalog: &'c Catalog,
        model: &RosterModel,
        local: &[LocalBase],
        live: &'c [Known],
        tier: Tier,
        version: OllamaVersion,
    ) -> Result<Source<'c>> {
        if let Some(known) = facts::find(live, &model.base) {
            if !known.local {
                return Ok(Source::Known(known));
            }
            return Ok(match from_facts(&model.base, known, tier, version) {
                Ok(local) => Source::Local(Box::new(local), Some(known)),
                Err(why) => Source::Unplannable(why),
            });
        }
        let known = catalog.resolve(&model.base);
        let facts = local.iter().find(|l| l.name == model.base);
        let (Err(_), Some(facts)) = (&known, facts) else {
            return known
                .map(Source::Catalog)
                .with_context(|| format!("could not plan model '{}'", model.name));
        };
        Ok(match &facts.show {
            Ok(show) => match local_model(&model.base, show, tier, version) {
                Ok(local) => Source::Local(Box::new(local), None),
                Err(why) => Source::Unplannable(why),
            },
            Err(why) => Source::Unplannable(format!(
                "{} is not in the catalog, and what Ollama holds could not be read: {why}",
                model.base
            )),
        })
    }

    /// The catalog-shaped entry to fit, with the profile's pinned quantization;
    /// none when the model is not plannable.
    pub fn resolved(&self, model: &RosterModel) -> Result<Option<Resolved<'_>>> {
        let mut resolved = match self {
            Source::Catalog(resolved) => *resolved,
            Source::Known(known) => known.resolved(),
            Source::Local(local, _) => Resolved {
                family: &local.family,
                size: &local.size,
                quant: local.size.default_quant,
                quant_pinned: false,
            },
            Source::Unplannable(_) => return Ok(None),
        };
        if let Some(quant) = model.quant {
            let whose = match self {
                Source::Local(..) => "at this tier `ollama create --quantize` makes",
                _ => "the library publishes",
            };
            anyhow::ensure!(
                resolved.size.quant(quant).is_some(),
                "could not plan model '{}': {whose} no {quant} of {}",
                model.name,
                model.base
            );
            resolved = resolved.pinned(quant);
        }
        Ok(Some(resolved))
    }

    /// The local model, for a local base.
    pub fn local(&self) -> Option<&LocalModel> {
        match self {
            Source::Local(local, _) => Some(local),
            _ => None,
        }
    }

    /// For a model read from the registry whose tier level is not published: which
    /// level stood in for it, and that the tags were probed when they were.
    pub fn ladder_note(&self, tier: Tier, chosen: Option<crate::quant::Quant>) -> Option<String> {
        let Source::Known(known) = self else {
            return None;
        };
        let (wanted, chosen) = (tier.quant(), chosen?);
        let published = known.size.quant(wanted).is_some() || chosen == wanted;
        let float = tier == Tier::T16 && known.size.quants.iter().any(|q| q.quant.is_float());
        if published || float {
            return None;
        }
        let how = if known.probed { " (tags probed)" } else { "" };
        Some(format!(
            "the registry publishes no {wanted} of {}{how}: {chosen} is the nearest level it does",
            known.name
        ))
    }

    /// Where the facts and the `chosen` level's size came from.
    pub fn provenance(&self, chosen: Option<crate::quant::Quant>) -> Provenance {
        let (shape, probed) = match self {
            Source::Known(known) | Source::Local(_, Some(known)) => (known.shape, known.probed),
            _ => (facts::Source::Catalog, false),
        };
        let size = match self {
            Source::Catalog(r) => chosen.and_then(|q| r.size.quant(q)).map(facts::Source::of),
            Source::Known(known) => chosen
                .and_then(|q| known.size.quant(q))
                .map(facts::Source::of),
            Source::Local(local, _) => chosen
                .and_then(|q| local.size.quant(q))
                .map(facts::Source::of),
            Source::Unplannable(_) => None,
        };
        Provenance {
            facts_source: shape,
            size_source: size.unwrap_or(shape),
            tags_probed: probed,
        }
    }
}

/// The fit of a model that cannot be planned: it does not fit, with the reason.
pub(super) fn unplannable(
    model: &RosterModel,
    reason: &str,
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
) -> ModelFit {
    ModelFit {
        model: model.base.clone(),
        tier,
        fits: false,
        quantization: None,
        tag: None,
        size_exact: false,
        download_bytes: None,
        run: None,
        estimate: Default::default(),
        needed_bytes: 0,
        budget_bytes: policy.usable(budget.memory_bytes()),
        num_ctx: policy.num_ctx,
        num_thread: budget.cores,
        num_gpu: 0,
        offload: None,
        pinned_num_gpu: None,
        speed: None,
        speed_goal: None,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::ollama::{ParameterCount, ShowInfo};
    use crate::plan::{LocalBase, for_tests};
    use crate::quant::Quant;
    use crate::tier::Tier;

    const PROFILE: &str = "name: own
description: test
roster:
  models:
    - name: provision/mine:tuned
      base: mine
      role: chat
";

    fn plan(show: Result<ShowInfo, String>, tier: Tier) -> crate::plan::PlannedModel {
        let local = [LocalBase {
            name: "mine".to_string(),
            show,
        }];
        let profile = crate::profile::parse(PROFILE, "own").unwrap();
        let plan = for_tests(&profile, (8 << 30, 4), Some(tier), &[], &local);
        plan.models.into_iter().next().unwrap()
    }

    fn f16() -> ShowInfo {
        ShowInfo {
            architecture: Some("llama".to_string()),
            parameters: ParameterCount::parse("1.2B"),
            context_length: Some(131_072),
            quantization: "F16".to_string(),
            ..ShowInfo::default()
        }
    }

    #[test]
    fn a_local_f16_base_is_planned_from_its_own_name_with_quantize() {
        let model = plan(Ok(f16()), Tier::T4);
        assert!(model.fit.fits, "{}", model.fit.reason);
        assert_eq!(model.quantize, Some(Quant::Q4KM));
        assert_eq!(model.fit.tag.as_deref(), Some("mine:latest"));
        assert_eq!(model.modelfile.unwrap().from, "mine:latest");
        assert!(!model.fit.size_exact);
        assert!(
            model.fit.reason.contains("estimated"),
            "{}",
            model.fit.reason
        );
        let model = plan(Ok(f16()), Tier::T16);
        assert_eq!(
            (model.fit.quantization, model.quantize),
            (Some(Quant::F16), None)
        );
    }

    #[test]
    fn an_unreadable_local_base_does_not_fit_and_says_why() {
        let model = plan(Err("ollama is not installed".to_string()), Tier::T4);
        assert!(!model.fit.fits);
        assert!(model.modelfile.is_none());
        assert!(
            model
                .fit
                .reason
                .ends_with("could not be read: ollama is not installed"),
            "{}",
            model.fit.reason
        );
    }
}
