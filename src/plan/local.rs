//! Local bases the catalog does not know (a user's own import): their facts (the
//! blob's GGUF header, else what `ollama show` reports), and the catalog-shaped size
//! they are fitted with, whose quantizations are the base's own level and the levels
//! `ollama create --quantize` can make from a float base.

use crate::catalog::{Catalog, Family, ModelSize, QuantSize};
use crate::facts::{Known, Source};
use crate::ollama::ShowInfo;
use crate::ollama::rules::OllamaVersion;
use crate::ollama::rules::quantize as rules;
use crate::quant::Quant;
use crate::quantize::{Optimization, not_quantizable, optimization};
use crate::tier::Tier;

/// A base the catalog does not know, with what `ollama show` reported about it,
/// or why that could not be read (no `ollama`, the server down, …).
#[derive(Debug, Clone)]
pub struct LocalBase {
    /// The base as the profile names it.
    pub name: String,
    pub show: Result<ShowInfo, String>,
}

/// A local base made plannable: a family and size shaped like the catalog's,
/// with the dimensions of the catalog size it matches.
#[derive(Debug, Clone)]
pub(super) struct LocalModel {
    pub family: Family,
    pub size: ModelSize,
    /// The base's own quantization: planned without `-q`.
    pub own: Quant,
    /// Why the top level is not the tier's own, when it is not (tier 2).
    pub note: Option<String>,
}

impl LocalModel {
    /// The `-q` level of a chosen quantization: none for the base's own.
    pub fn quantize(&self, chosen: Option<Quant>) -> Option<Quant> {
        chosen.filter(|q| *q != self.own)
    }
}

/// The plannable model of a local float base at `tier`, or why it is not one.
pub(super) fn local_model(
    base: &str,
    show: &ShowInfo,
    tier: Tier,
    version: OllamaVersion,
) -> Result<LocalModel, String> {
    let own = own_level(base, show)?;
    if rules::check_source(version, own).is_err() {
        return Err(not_quantizable(base, own));
    }
    let (family, size) = matching_size(show).ok_or_else(|| cannot_estimate(show))?;
    let (top, note) = match optimization(base, own, tier, version)? {
        Optimization::Quantize { level, note } => (level, note),
        _ => (own, None),
    };
    let params = show.parameters.as_ref().map_or(size.params, |p| p.approx);
    let quants = levels(own, top, version)
        .into_iter()
        .map(|quant| estimated(params, quant))
        .collect();
    let (name, tag) = split_name(base);
    let size = ModelSize {
        size: tag.to_string(),
        params,
        tag: tag.to_string(),
        aliases: Vec::new(),
        default_quant: top,
        projector_bytes: 0,
        architecture: size.architecture.clone(),
        dims_source: None,
        dims: size.dims,
        quants,
        facts: None,
    };
    let family = Family {
        name: name.to_string(),
        architecture: family.architecture.clone(),
        default_size: tag.to_string(),
        sizes: Vec::new(),
    };
    Ok(LocalModel {
        family,
        size,
        own,
        note,
    })
}

/// The plannable model of an installed base whose GGUF header was read: a float base
/// at the levels `create --quantize` makes from it at `tier` (its own exact, the others
/// estimated from its parameter count), a quantized one at its own level only.
pub(super) fn from_facts(
    base: &str,
    known: &Known,
    tier: Tier,
    version: OllamaVersion,
) -> Result<LocalModel, String> {
    let own = known.quant;
    let quantizable = rules::check_source(version, own).is_ok();
    let (top, note) = match quantizable {
        true => match optimization(base, own, tier, version)? {
            Optimization::Quantize { level, note } => (level, note),
            _ => (own, None),
        },
        false => (own, None),
    };
    let own_size = known.size.quant(own).cloned();
    let params = known.size.params;
    let quants: Vec<QuantSize> = match quantizable {
        true => levels(own, top, version)
            .into_iter()
            .map(|q| match &own_size {
                Some(size) if q == own => size.clone(),
                _ => estimated(params, q),
            })
            .collect(),
        false => own_size.into_iter().collect(),
    };
    let mut size = known.size.clone();
    size.default_quant = top;
    size.quants = quants;
    Ok(LocalModel {
        family: known.family.clone(),
        size,
        own,
        note,
    })
}

/// A level's size from the parameter count, as `create --quantize` would make it.
fn estimated(params: u64, quant: Quant) -> QuantSize {
    QuantSize {
        quant,
        bytes: (params as f64 * quant.bits_per_weight() / 8.0) as u64,
        exact: false,
        source: Some(Source::Installed.id().to_string()),
        tag: None,
    }
}

fn own_level(base: &str, show: &ShowInfo) -> Result<Quant, String> {
    let text = show
        .known_quantization()
        .ok_or_else(|| format!("`ollama show {base}` reports no quantization"))?;
    text.parse()
        .map_err(|_| format!("{base} is {text}, a quantization provision does not know"))
}

/// The levels to try, highest first: the top (the base's own, or what
/// `create --quantize` makes, F16 from F32 at tier 16), then each quantized
/// level `create --quantize` makes below it.
fn levels(own: Quant, top: Quant, version: OllamaVersion) -> Vec<Quant> {
    let own = (own == top).then_some(own);
    let made = Quant::all().filter(|q| {
        rules::can_create(version, *q)
            && *q <= top
            && (!q.is_float() || Some(*q) != own && *q == top)
    });
    let mut levels: Vec<Quant> = own.into_iter().chain(made).collect();
    levels.sort_by(|a, b| b.cmp(a));
    levels
}

/// The catalog size `ollama show` matches (architecture, parameters ±10 %,
/// native context), whose dimensions the memory estimate borrows.
fn matching_size(show: &ShowInfo) -> Option<(&'static Family, &'static ModelSize)> {
    Catalog::bundled().families.iter().find_map(|family| {
        let params = show.parameters.as_ref().map(|p| p.approx);
        let architecture = show.architecture.as_deref();
        let size = family
            .sizes
            .iter()
            .find(|s| s.matches(family, architecture, params, show.context_length))?;
        Some((family, size))
    })
}

fn cannot_estimate(show: &ShowInfo) -> String {
    let unknown = || "unknown".to_string();
    format!(
        "cannot estimate memory: no catalog model has architecture {}, {} parameters and a native context of {}, so its dimensions are unknown",
        show.architecture.clone().unwrap_or_else(unknown),
        show.parameters
            .as_ref()
            .map_or_else(unknown, |p| p.text.clone()),
        show.context_length.map_or_else(unknown, |c| c.to_string()),
    )
}

/// `mine:latest` → (`mine`, `latest`); a name without a tag gets `latest`.
fn split_name(base: &str) -> (&str, &str) {
    match base.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => (base, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ollama::ParameterCount;

    fn show(quantization: &str, parameters: &str) -> ShowInfo {
        ShowInfo {
            architecture: Some("llama".to_string()),
            parameters: ParameterCount::parse(parameters),
            context_length: Some(131_072),
            quantization: quantization.to_string(),
            ..ShowInfo::default()
        }
    }

    fn quants(model: &LocalModel) -> Vec<Quant> {
        model.size.quants.iter().map(|q| q.quant).collect()
    }

    #[test]
    fn an_f16_base_gets_the_producible_levels_at_or_below_the_tier() {
        let model = local_model(
            "mine",
            &show("F16", "8.0B"),
            Tier::T4,
            OllamaVersion::NEWEST,
        )
        .unwrap();
        assert_eq!(quants(&model), [Quant::Q4KM, Quant::Q4KS]);
        assert_eq!(
            (model.family.name.as_str(), model.size.tag.as_str()),
            ("mine", "latest")
        );
        assert_eq!(model.family.architecture, "llama");
        assert_eq!(model.size.dims.layers, 32, "llama3.1:8b's dimensions");
        assert!(model.size.quants.iter().all(|q| !q.exact));
        assert_eq!(
            model.size.quants[0].bytes,
            (8e9 * Quant::Q4KM.bits_per_weight() / 8.0) as u64
        );
        assert_eq!(model.note, None);
        let model = local_model(
            "me/mine:v1",
            &show("F16", "8.0B"),
            Tier::T8,
            OllamaVersion::NEWEST,
        )
        .unwrap();
        assert_eq!(quants(&model), [Quant::Q8_0, Quant::Q4KM, Quant::Q4KS]);
        assert_eq!(model.family.name, "me/mine");
    }

    #[test]
    fn tier_16_keeps_the_float_weights_without_quantizing() {
        let model = local_model(
            "mine",
            &show("F16", "8.0B"),
            Tier::T16,
            OllamaVersion::NEWEST,
        )
        .unwrap();
        assert_eq!(
            quants(&model),
            [Quant::F16, Quant::Q8_0, Quant::Q4KM, Quant::Q4KS]
        );
        assert_eq!(model.quantize(Some(Quant::F16)), None);
        assert_eq!(model.quantize(Some(Quant::Q8_0)), Some(Quant::Q8_0));
    }

    #[test]
    fn an_f32_base_at_tier_16_is_made_f16_by_create() {
        let model = local_model(
            "mine",
            &show("F32", "8.0B"),
            Tier::T16,
            OllamaVersion::NEWEST,
        )
        .unwrap();
        assert_eq!(
            quants(&model),
            [Quant::F16, Quant::Q8_0, Quant::Q4KM, Quant::Q4KS]
        );
        assert_eq!(model.quantize(Some(Quant::F16)), Some(Quant::F16));
    }

    #[test]
    fn tier_2_takes_the_nearest_producible_level_and_says_so() {
        let model = local_model(
            "mine",
            &show("BF16", "8.0B"),
            Tier::T2,
            OllamaVersion::NEWEST,
        )
        .unwrap();
        assert_eq!(quants(&model), [Quant::Q4KS]);
        assert!(model.note.unwrap().contains("nearest"));
    }

    #[test]
    fn quantized_or_unknown_bases_are_not_plannable() {
        let error = local_model(
            "mine",
            &show("Q4_K_M", "8.0B"),
            Tier::T4,
            OllamaVersion::NEWEST,
        )
        .unwrap_err();
        assert!(error.contains("only quantizes F16, BF16 or F32"), "{error}");
        let error = local_model(
            "mine",
            &show("F16", "123B"),
            Tier::T4,
            OllamaVersion::NEWEST,
        )
        .unwrap_err();
        assert!(error.starts_with("cannot estimate memory: "), "{error}");
        assert!(error.contains("123B"), "{error}");
        let error =
            local_model("mine", &show("", "8.0B"), Tier::T4, OllamaVersion::NEWEST).unwrap_err();
        assert!(error.contains("no quantization"), "{error}");
    }
}
