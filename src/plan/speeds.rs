//! Speeds in the plan: the goal and the bandwidth share of each model, the
//! speeds `bench` measured for it, and the correction of the formula's
//! efficiency that this machine's measurements give (`crate::speed::calibrate`).

use super::Chosen;
use super::source::Source;
use crate::catalog::{Catalog, Resolved};
use crate::estimate::KvCacheType;
use crate::fit::SpeedRequest;
use crate::measurements::Measurement;
use crate::modelfile::Parameter;
use crate::profile::Profile;
use crate::speed::calibrate::{Sample, correction};
use crate::speed::{self, Load, Machine, MeasuredSpeed, Where};

/// What each model's request says about speed, but for the measured speeds
/// (borrowed from the caller's storage).
pub(super) struct Speeds {
    pub measured: Vec<Vec<MeasuredSpeed>>,
    pub requests: Vec<SpeedRequest<'static>>,
}

/// The speed part of each selected model's request.
pub(super) fn speeds(
    profile: &Profile,
    selection: &[Chosen],
    facts: &[(Source, Vec<Parameter>)],
    measured: &[Measurement],
    machine: Option<&Machine>,
    kv_cache: KvCacheType,
) -> Speeds {
    let resolved: Vec<Option<Resolved>> = selection
        .iter()
        .zip(facts)
        .map(|(chosen, (source, _))| source.resolved(&chosen.model).ok().flatten())
        .collect();
    let known = Known {
        profile,
        selection,
        resolved: &resolved,
    };
    let samples = machine.map_or_else(Vec::new, |m| samples(measured, &known, m, kv_cache));
    let requests = selection
        .iter()
        .zip(&resolved)
        .map(|(chosen, resolved)| SpeedRequest {
            goal: profile.goal(&chosen.model),
            decoding_together: profile.decoding_together(&chosen.model.name),
            measured: &[],
            correction: resolved
                .as_ref()
                .and_then(|r| correction(&samples, &key(r))),
        })
        .collect();
    let measured = selection
        .iter()
        .zip(&resolved)
        .map(|(chosen, resolved)| of_model(measured, &chosen.model.name, resolved.as_ref()))
        .collect();
    Speeds { measured, requests }
}

/// `family:size`, how samples name a model.
fn key(resolved: &Resolved) -> String {
    format!("{}:{}", resolved.family.name, resolved.size.size)
}

/// What names a measurement may carry: the planned models, the profile's
/// roster, library tags.
struct Known<'a, 'c> {
    profile: &'a Profile,
    selection: &'a [Chosen],
    resolved: &'a [Option<Resolved<'c>>],
}

/// The catalog model a measurement is of: a planned model by its name, a
/// roster model by its base, else a library tag (`bench --quants` times those).
fn model_of<'c>(m: &Measurement, known: &Known<'_, 'c>) -> Option<Resolved<'c>> {
    let catalog = Catalog::bundled();
    if let Some(i) = known.selection.iter().position(|c| m.is_of(&c.model.name)) {
        return known.resolved[i];
    }
    let roster = known.profile.roster.models.iter();
    match roster.clone().find(|r| m.is_of(&r.name)) {
        Some(model) => catalog.resolve(&model.base).ok(),
        None => catalog.resolve(&m.model).ok(),
    }
}

/// The decode speeds measured of `name`, or of a library tag of the same model.
fn of_model(
    measured: &[Measurement],
    name: &str,
    resolved: Option<&Resolved>,
) -> Vec<MeasuredSpeed> {
    let same_model = |m: &Measurement| {
        m.is_of(name)
            || resolved.is_some_and(|r| {
                let tag = Catalog::bundled().resolve(&m.model).ok();
                tag.is_some_and(|t| {
                    t.quant_pinned && key(&t) == key(r) && Some(t.quant) == m.quantization
                })
            })
    };
    measured
        .iter()
        .filter(|m| same_model(m))
        .filter_map(|m| {
            Some(MeasuredSpeed {
                quant: m.quantization?,
                num_ctx: m.key.num_ctx,
                decode_tokens_per_s: m.decode_tokens_per_s.filter(|s| *s > 0.0)?,
                prompt_tokens_per_s: m.prompt_tokens_per_s,
            })
        })
        .collect()
}

/// Each measured decode speed beside the formula's prediction for it, for runs
/// wholly on the CPU or wholly on the GPU.
fn samples(
    measured: &[Measurement],
    known: &Known,
    machine: &Machine,
    kv_cache: KvCacheType,
) -> Vec<Sample> {
    measured
        .iter()
        .filter_map(|m| {
            let decode = m.decode_tokens_per_s.filter(|s| *s > 0.0)?;
            let placement = match (m.size_bytes?, m.size_vram_bytes?) {
                (_, 0) => Where::Cpu,
                (all, vram) if vram >= all => Where::Gpu,
                _ => return None,
            };
            let model = model_of(m, known)?;
            let quant = m.quantization?;
            let facts = model.size.shape(model.size.architecture(model.family));
            let load = Load {
                facts: &facts,
                file_bytes: model.size.quant(quant)?.bytes,
                vision_bytes: model.size.dims.vision_bytes.unwrap_or(0),
                num_ctx: m.key.num_ctx,
                kv_cache,
                placement,
                sharing: 1,
                correction: None,
            };
            Some(Sample {
                model: key(&model),
                measured: decode,
                predicted: speed::predict(&load, machine)?.decode_tokens_per_s,
                on_gpu: placement == Where::Gpu,
            })
        })
        .collect()
}
