//! The `create --quantize` decision, for `optimize` and for a user's own float
//! imports: is a model already at or below a tier's precision, and if not, how its
//! tier version is made. Pure.

use crate::catalog::Catalog;
use crate::name::ModelName;
use crate::ollama::rules::OllamaVersion;
use crate::ollama::rules::quantize as rules;
use crate::quant::Quant;
use crate::tier::Tier;
use serde::Serialize;

/// How the tier version of a model is made. Serialised as four keys that are
/// always there (`action`, `level`, `note`, `tag`; `null` where the action has
/// none), so scripts read `optimize --json` without checking which exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Optimization {
    /// The model is already at or below the tier's precision.
    AlreadyOptimized,
    /// `ollama create --quantize LEVEL` from the model's float weights; `note`
    /// says why LEVEL is not the tier's own level when it is not.
    Quantize { level: Quant, note: Option<String> },
    /// A quantized library model: build from the library's tag at the tier.
    FromTag { tag: String, level: Quant },
}

impl Serialize for Optimization {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (action, level, note, tag) = match self {
            Optimization::AlreadyOptimized => ("already_optimized", None, None, None),
            Optimization::Quantize { level, note } => {
                ("quantize", Some(level), note.as_ref(), None)
            }
            Optimization::FromTag { tag, level } => ("from_tag", Some(level), None, Some(tag)),
        };
        let mut fields = serializer.serialize_struct("Optimization", 4)?;
        fields.serialize_field("action", action)?;
        fields.serialize_field("level", &level)?;
        fields.serialize_field("note", &note)?;
        fields.serialize_field("tag", &tag)?;
        fields.end()
    }
}

/// Decides for `model`, installed at `current`, and the tier `tier`, on an Ollama
/// of `version` (which levels its `create --quantize` makes, and from what).
pub fn optimization(
    model: &str,
    current: Quant,
    tier: Tier,
    version: OllamaVersion,
) -> Result<Optimization, String> {
    let wanted = tier.quant();
    if current <= wanted {
        return Ok(Optimization::AlreadyOptimized);
    }
    if rules::check_source(version, current).is_ok() {
        let level = nearest_producible(wanted, version);
        let note = (level != wanted).then(|| {
            format!(
                "Ollama cannot produce {wanted} with `create --quantize`; {level} is the nearest level it can"
            )
        });
        return Ok(Optimization::Quantize { level, note });
    }
    let library = Catalog::bundled()
        .resolve(model)
        .ok()
        .and_then(|r| Catalog::bundled().tag(&r.family.name, &r.size.size, wanted));
    match library {
        Some(tag) => Ok(Optimization::FromTag { tag, level: wanted }),
        None => Err(not_quantizable(model, current)),
    }
}

/// Why a model quantized at `current` cannot be quantized further by `create`.
pub fn not_quantizable(model: &str, current: Quant) -> String {
    format!(
        "{model} is {current}, and `ollama create --quantize` only quantizes F16, BF16 or F32 weights: import an F16 version of it, or use a library model"
    )
}

/// The level `create --quantize` of this version can produce closest in bits to
/// `wanted`.
pub fn nearest_producible(wanted: Quant, version: OllamaVersion) -> Quant {
    Quant::all()
        .filter(|q| rules::can_create(version, *q))
        .min_by(|a, b| {
            let distance = |q: &Quant| (q.bits_per_weight() - wanted.bits_per_weight()).abs();
            distance(a).total_cmp(&distance(b))
        })
        .unwrap_or(wanted)
}

/// The default name of the optimized model: `provision/<model>:<tag>` with the
/// tag's quantization suffix replaced by the level's (`llama3.2:1b-instruct-fp16`
/// at Q4_K_M → `provision/llama3.2:1b-instruct-q4_K_M`, `mine` → `provision/mine:q4_K_M`).
pub fn optimized_name(model: &str, level: Quant) -> Result<String, String> {
    let name = ModelName::parse(model).map_err(|e| e.to_string())?;
    let suffix = level.tag_suffix();
    let tag = &name.tag;
    let tag = match tag.rsplit_once('-') {
        _ if tag.eq_ignore_ascii_case("latest") || tag.parse::<Quant>().is_ok() => {
            suffix.to_string()
        }
        Some((head, tail)) if tail.parse::<Quant>().is_ok() => format!("{head}-{suffix}"),
        _ => format!("{tag}-{suffix}"),
    };
    Ok(format!(
        "{}/{}:{tag}",
        crate::name::PROVISION_NAMESPACE,
        name.model
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWEST: OllamaVersion = OllamaVersion::NEWEST;

    #[test]
    fn every_action_serialises_the_same_four_keys() {
        let json = serde_json::to_value(Optimization::AlreadyOptimized).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"action": "already_optimized", "level": null, "note": null, "tag": null})
        );
        let json = serde_json::to_value(Optimization::FromTag {
            tag: "m:1b-q4_K_M".into(),
            level: Quant::Q4KM,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"action": "from_tag", "level": "Q4_K_M", "note": null, "tag": "m:1b-q4_K_M"})
        );
    }

    #[test]
    fn at_or_below_the_tier_is_already_optimized() {
        for (current, tier) in [
            (Quant::Q4KM, Tier::T4),
            (Quant::Q2K, Tier::T4),
            (Quant::Q8_0, Tier::T16),
        ] {
            assert_eq!(
                optimization("x", current, tier, NEWEST),
                Ok(Optimization::AlreadyOptimized)
            );
        }
    }

    #[test]
    fn float_weights_are_quantized_to_the_nearest_producible_level() {
        assert_eq!(
            optimization("mine", Quant::F16, Tier::T4, NEWEST),
            Ok(Optimization::Quantize {
                level: Quant::Q4KM,
                note: None
            })
        );
        let Ok(Optimization::Quantize { level, note }) =
            optimization("mine", Quant::BF16, Tier::T2, NEWEST)
        else {
            panic!("quantize");
        };
        assert_eq!(level, Quant::Q4KS);
        assert!(note.unwrap().contains("cannot produce Q2_K"));
        assert_eq!(nearest_producible(Quant::Q8_0, NEWEST), Quant::Q8_0);
        // Before 0.6.9 `create -q` made every K-quant (real 0.5.4: q2_K included).
        let v054 = OllamaVersion::parse("0.5.4").unwrap();
        assert_eq!(
            optimization("mine", Quant::F16, Tier::T2, v054),
            Ok(Optimization::Quantize {
                level: Quant::Q2K,
                note: None
            })
        );
        // ...but only from F16 or F32 sources until 0.22.0.
        assert!(optimization("mine", Quant::BF16, Tier::T2, v054).is_err());
    }

    #[test]
    fn quantized_library_models_use_the_tier_tag_and_others_cannot_be_requantized() {
        assert_eq!(
            optimization("llama3.2:1b-instruct-q8_0", Quant::Q8_0, Tier::T4, NEWEST),
            Ok(Optimization::FromTag {
                tag: "llama3.2:1b-instruct-q4_K_M".into(),
                level: Quant::Q4KM
            })
        );
        let error = optimization("mine:latest", Quant::Q8_0, Tier::T4, NEWEST).unwrap_err();
        assert!(error.contains("import an F16 version"), "{error}");
    }

    #[test]
    fn names_replace_the_quantization_suffix() {
        let name = |m: &str| optimized_name(m, Quant::Q4KM).unwrap();
        assert_eq!(
            name("llama3.2:1b-instruct-fp16"),
            "provision/llama3.2:1b-instruct-q4_K_M"
        );
        assert_eq!(name("mine"), "provision/mine:q4_K_M");
        assert_eq!(name("me/mine:f16"), "provision/mine:q4_K_M");
        assert_eq!(name("mine:v2"), "provision/mine:v2-q4_K_M");
        assert!(optimized_name("bad name", Quant::Q4KM).is_err());
    }
}
