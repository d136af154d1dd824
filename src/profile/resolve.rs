//! The parameters and the Modelfile a roster model gets on a given machine:
//! num_thread rule ← profile defaults ← tier overrides ← model parameters.

use super::{Parameters, Profile, RosterModel};
use crate::modelfile::{Modelfile, ParamValue, Parameter, Provenance};
use crate::quant::Quant;
use crate::tier::Tier;

/// Resolves a model's parameters. Each layer replaces the values an earlier layer
/// gave for the same name (a layer's `stop` list replaces the earlier list); a
/// name keeps the position where it first appeared.
pub fn resolve_parameters(
    profile: &Profile,
    model: &RosterModel,
    tier: Tier,
    cores: u32,
) -> Vec<Parameter> {
    let threads = profile.num_thread.map(|rule| {
        let count = i64::from(rule.resolve(cores));
        Parameters(vec![Parameter::new("num_thread", ParamValue::Int(count))])
    });
    let layers = [
        threads.as_ref(),
        Some(&profile.parameters),
        profile.tiers.get(&tier),
        Some(&model.parameters),
    ];
    let mut merged: Vec<(String, Vec<ParamValue>)> = Vec::new();
    for layer in layers.into_iter().flatten() {
        for name in layer.names() {
            let values = layer.values(name);
            match merged.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => *existing = values,
                None => merged.push((name.to_string(), values)),
            }
        }
    }
    merged
        .into_iter()
        .flat_map(|(name, values)| {
            values
                .into_iter()
                .map(move |v| Parameter::new(name.clone(), v))
        })
        .collect()
}

/// What the caller decided for one model: the FROM value (a catalog tag or a
/// path), the tier, the quantization (for the header), its resolved parameters
/// and the machine.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub from: String,
    pub tier: Tier,
    pub quant: Option<Quant>,
    /// The model's parameters, resolved once by [`resolve_parameters`].
    pub parameters: Vec<Parameter>,
    /// One line about the device for the header.
    pub device: Option<String>,
}

/// The Modelfile for a roster model: FROM, SYSTEM, resolved parameters and a
/// provenance header. Pure; validate and render it before use.
pub fn modelfile(profile: &Profile, model: &RosterModel, target: &Target) -> Modelfile {
    Modelfile {
        from: target.from.clone(),
        system: model.system.clone(),
        parameters: target.parameters.clone(),
        provenance: Provenance {
            tool: None,
            profile: Some(profile.name.clone()),
            model: Some(model.name.clone()),
            tier: Some(target.tier),
            quantization: target.quant,
            device: target.device.clone(),
        },
        ..Modelfile::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::parse;

    const YAML: &str = "
name: t
description: test
num_thread: {fraction: 0.75, min: 2, max: 16}
parameters: {num_ctx: 8192, temperature: 0.7, stop: [a, b]}
tiers:
  \"2\": {num_ctx: 2048}
  4: {num_ctx: 4096, stop: c}
roster:
  models:
    - {name: m, base: 'llama3.1:8b', role: r, parameters: {temperature: 0.2}}
";

    fn names_and_values(params: &[Parameter]) -> Vec<String> {
        params
            .iter()
            .map(|p| format!("{} {}", p.name, p.value))
            .collect()
    }

    #[test]
    fn layers_override_in_order() {
        let profile = parse(YAML, "t.yaml").unwrap();
        let model = &profile.roster.models[0];
        let at = |tier, cores| names_and_values(&resolve_parameters(&profile, model, tier, cores));
        assert_eq!(
            at(Tier::T16, 8),
            [
                "num_thread 6",
                "num_ctx 8192",
                "temperature 0.2",
                "stop a",
                "stop b"
            ]
        );
        assert_eq!(
            at(Tier::T4, 2),
            ["num_thread 2", "num_ctx 4096", "temperature 0.2", "stop c"]
        );
        assert_eq!(
            at(Tier::T2, 64),
            [
                "num_thread 16",
                "num_ctx 2048",
                "temperature 0.2",
                "stop a",
                "stop b"
            ]
        );
    }

    #[test]
    fn builds_a_valid_modelfile() {
        let profile = parse(YAML, "t.yaml").unwrap();
        let target = Target {
            from: "llama3.1:8b-instruct-q4_K_M".into(),
            tier: Tier::T4,
            quant: Some(Quant::Q4KM),
            parameters: resolve_parameters(&profile, &profile.roster.models[0], Tier::T4, 4),
            device: None,
        };
        let file = modelfile(&profile, &profile.roster.models[0], &target);
        assert_eq!(file.validate().unwrap(), Vec::<String>::new());
        assert_eq!(file.get("num_thread"), Some(&ParamValue::Int(3)));
        assert_eq!(file.provenance.model.as_deref(), Some("m"));
    }
}
