//! One planned model: its fit turned into the Modelfile `auto` would create.

use super::local::LocalModel;
use super::source::{self, Source};
use super::{Chosen, Inputs, PlannedModel, asked_ctx};
use crate::facts::Provenance;
use crate::fit::{FitPolicy, ModelFit};
use crate::modelfile::{Modelfile, ParamValue, Parameter, Renderer};
use crate::ollama::rules::OllamaVersion;
use crate::profile::{Profile, RosterModel, Target};
use crate::tier::Tier;
use anyhow::{Context, Result};

/// What every model of a plan shares.
pub(super) struct ModelContext<'a> {
    pub profile: &'a Profile,
    /// The Ollama version the Modelfile must read back exactly on.
    pub ollama: OllamaVersion,
    pub tier: Tier,
    pub device: &'a str,
    pub renderer: &'a Renderer,
    pub measured: &'a [crate::measurements::Measurement],
}

/// Each selected model planned: its fit (from `fitted`, a fit and a roster
/// share per plannable model, in order) with its Modelfile and notes.
pub(super) fn planned_models(
    context: &ModelContext,
    inputs: &Inputs,
    facts: Vec<(Source, Vec<Parameter>)>,
    fitted: (Vec<ModelFit>, Vec<Option<f64>>),
    policy: &FitPolicy,
) -> Result<Vec<PlannedModel>> {
    let (mut fits, mut shares) = (fitted.0.into_iter(), fitted.1.into_iter());
    let tier = context.tier;
    let models = inputs.selection.iter().zip(facts);
    models
        .map(|(chosen, (source, params))| {
            let (mut fit, share) = match &source {
                Source::Unplannable(why) => {
                    let fit = source::unplannable(&chosen.model, why, inputs.budget, tier, policy);
                    (fit, None)
                }
                _ => (
                    fits.next().expect("a fit per request"),
                    shares.next().flatten(),
                ),
            };
            let provenance = source.provenance(fit.quantization);
            if let Some(note) = source.ladder_note(tier, fit.quantization) {
                fit.reason = format!("{}; {note}", fit.reason);
            }
            let local = source.local();
            planned(context, chosen, fit, share, local, params, provenance)
        })
        .collect()
}

pub(super) fn planned(
    context: &ModelContext,
    chosen: &Chosen,
    fit: ModelFit,
    share: Option<f64>,
    local: Option<&LocalModel>,
    parameters: Vec<Parameter>,
    provenance: Provenance,
) -> Result<PlannedModel> {
    let model = &chosen.model;
    let mut fit = fit;
    let quantize_note = local.and_then(|local| local_notes(&mut fit, local));
    let measured = super::measured::note(&model.name, &fit, context.measured);
    if let Some(measured) = &measured {
        fit.reason = format!("{}; {}", fit.reason, measured.sentence());
    }
    let quantize = local.and_then(|l| l.quantize(fit.quantization));
    if local.is_some() {
        // Built from what Ollama already holds: nothing to pull.
        fit.download_bytes = None;
    }
    let asked = asked_ctx(&parameters);
    set_threads(&mut fit, &parameters);
    let (modelfile, text, warnings) = rendered(context, model, &fit, parameters)?;
    Ok(PlannedModel {
        name: model.name.clone(),
        base: model.base.clone(),
        role: model.role.clone(),
        named_by_profile: chosen.named_by_profile,
        fit,
        share,
        quantize,
        quantize_note,
        modelfile,
        modelfile_text: text,
        warnings,
        provenance,
        asked_ctx: asked,
        measured,
    })
}

/// What the reason says of a model built from a local base: sizes estimated
/// from its parameters, and the `create --quantize` note of its level, which is
/// returned.
fn local_notes(fit: &mut ModelFit, local: &LocalModel) -> Option<String> {
    if !fit.size_exact {
        fit.reason = format!(
            "{}; sizes estimated from {:.1}B parameters × bits per weight",
            fit.reason,
            local.size.params as f64 / 1e9
        );
    }
    let note = match fit.fits && fit.quantization == Some(local.size.default_quant) {
        true => local.note.clone(),
        false => None,
    };
    if let Some(note) = &note {
        fit.reason = format!("{}; {note}", fit.reason);
    }
    note
}

/// The threads the Modelfile sets (a share of the cores in a concurrent roster).
fn set_threads(fit: &mut ModelFit, parameters: &[Parameter]) {
    if let Some(ParamValue::Int(n)) = parameters
        .iter()
        .rev()
        .find(|p| p.name == "num_thread")
        .map(|p| &p.value)
        && let Ok(n) = u32::try_from(*n)
    {
        fit.num_thread = n;
    }
}

/// The Modelfile of a model that fits, its text and the warnings of the
/// version's checks; nothing for one that does not.
fn rendered(
    context: &ModelContext,
    model: &RosterModel,
    fit: &ModelFit,
    parameters: Vec<Parameter>,
) -> Result<(Option<Modelfile>, Option<String>, Vec<String>)> {
    let (Some(tag), true) = (&fit.tag, fit.fits) else {
        return Ok((None, None, Vec::new()));
    };
    let file = modelfile(context, model, tag, fit, parameters);
    let warnings = crate::ollama::rules::modelfile::check(context.ollama, &file)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("could not plan model '{}'", model.name))?;
    let text = context
        .renderer
        .render(&file)
        .with_context(|| format!("could not render the Modelfile of '{}'", model.name))?;
    Ok((Some(file), Some(text), warnings))
}

/// The Modelfile of a fitted model: the profile's parameters at the device tier,
/// with the context the fit settled on and the GPU layers it pins (a partial
/// offload's, or 0 for a CPU fallback).
fn modelfile(
    context: &ModelContext,
    model: &RosterModel,
    tag: &str,
    fit: &ModelFit,
    parameters: Vec<Parameter>,
) -> Modelfile {
    let target = Target {
        from: tag.to_string(),
        tier: context.tier,
        quant: fit.quantization,
        parameters,
        device: Some(context.device.to_string()),
    };
    let mut file = crate::profile::modelfile(context.profile, model, &target);
    file.set("num_ctx", ParamValue::Int(i64::from(fit.num_ctx)));
    if let Some(layers) = fit.pinned_num_gpu {
        file.set("num_gpu", ParamValue::Int(i64::from(layers)));
    }
    file.provenance.tool = Some(format!("provision {}", env!("CARGO_PKG_VERSION")));
    file
}
