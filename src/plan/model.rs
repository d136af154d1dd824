//! One planned model: its fit turned into the Modelfile `auto` would create.

use super::local::LocalModel;
use super::{Chosen, PlannedModel, asked_ctx};
use crate::facts::Provenance;
use crate::fit::ModelFit;
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
    let mut quantize_note = None;
    if let Some(local) = local {
        if !fit.size_exact {
            fit.reason = format!(
                "{}; sizes estimated from {:.1}B parameters × bits per weight",
                fit.reason,
                local.size.params as f64 / 1e9
            );
        }
        if fit.fits && fit.quantization == Some(local.size.default_quant) {
            quantize_note = local.note.clone();
        }
    }
    if let Some(note) = &quantize_note {
        fit.reason = format!("{}; {note}", fit.reason);
    }
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
    // The threads the Modelfile sets (a share of the cores in a concurrent roster).
    if let Some(ParamValue::Int(n)) = parameters
        .iter()
        .rev()
        .find(|p| p.name == "num_thread")
        .map(|p| &p.value)
        && let Ok(n) = u32::try_from(*n)
    {
        fit.num_thread = n;
    }
    let (modelfile, text, warnings) = match (&fit.tag, fit.fits) {
        (Some(tag), true) => {
            let file = modelfile(context, model, tag, &fit, parameters);
            let warnings = crate::ollama::rules::modelfile::check(context.ollama, &file)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("could not plan model '{}'", model.name))?;
            let text = context
                .renderer
                .render(&file)
                .with_context(|| format!("could not render the Modelfile of '{}'", model.name))?;
            (Some(file), Some(text), warnings)
        }
        _ => (None, None, Vec::new()),
    };
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
