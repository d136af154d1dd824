//! Comparing an installed model with what `ollama create` would build now: the
//! typed Modelfile `show --modelfile` printed against the planned one on its base.

use crate::modelfile::{Field, Message, Modelfile, ParamValue, Parameter, Role};
use crate::ollama::ShownModelfile;
use crate::quant::Quant;

/// The differences between the installed target and what `create` would make
/// now, one short text each (`num_ctx 8192 → 4096`).
pub fn changes(
    planned: &Modelfile,
    target: &ShownModelfile,
    base: &ShownModelfile,
    tag: &str,
) -> Vec<String> {
    let expected = expected(planned, base);
    typed(target)
        .diff(&expected)
        .into_iter()
        .map(|change| match change.field {
            Field::From => format!("weights differ from {tag}"),
            _ => change.to_string(),
        })
        .collect()
}

/// The differences for a target quantized from a local base: its blob is new
/// by construction, so the weights are compared by the quantization `ollama
/// show` reports, and the rest as for any target.
pub fn quantized_changes(
    planned: &Modelfile,
    target: &ShownModelfile,
    base: &ShownModelfile,
    level: Quant,
    shown: Option<&str>,
) -> Vec<String> {
    let target = typed(target);
    let mut expected = expected(planned, base);
    expected.from = target.from.clone();
    let mut changes: Vec<String> = target
        .diff(&expected)
        .into_iter()
        .map(|c| c.to_string())
        .collect();
    if !shown.is_some_and(|q| q.eq_ignore_ascii_case(level.name())) {
        let shown = shown.unwrap_or("unknown");
        changes.insert(0, format!("quantization {shown} → {level}"));
    }
    changes
}

/// What `ollama create` builds from `planned` on top of `base`: the base's blob,
/// and its TEMPLATE, SYSTEM and MESSAGEs unless the Modelfile sets them; the base's
/// parameters with each name the Modelfile sets replaced (as Ollama merges them).
pub fn expected(planned: &Modelfile, base: &ShownModelfile) -> Modelfile {
    let base = typed(base);
    let ours = planned.effective_parameters();
    let mut parameters: Vec<Parameter> = base
        .parameters
        .into_iter()
        .filter(|p| !ours.contains_key(&p.name))
        .collect();
    parameters.extend(
        ours.into_iter()
            .flat_map(|(name, values)| values.into_iter().map(move |v| Parameter::new(&name, v))),
    );
    Modelfile {
        from: base.from,
        template: planned.template.clone().or(base.template),
        system: planned.system.clone().or(base.system),
        messages: if planned.messages.is_empty() {
            base.messages
        } else {
            planned.messages.clone()
        },
        parameters,
        ..Modelfile::default()
    }
}

/// The compared part of a shown Modelfile, typed as `create` reads it. A
/// parameter this version of `provision` does not know stays text.
pub fn typed(shown: &ShownModelfile) -> Modelfile {
    Modelfile {
        from: shown.from.clone(),
        template: shown.template.clone(),
        system: shown.system.clone(),
        parameters: shown
            .parameters
            .iter()
            .map(|(name, value)| typed_parameter(name, value))
            .collect(),
        messages: shown
            .messages
            .iter()
            .filter_map(|(role, content)| {
                let role: Role = serde_json::from_value(role.as_str().into()).ok()?;
                Some(Message {
                    role,
                    content: content.clone(),
                })
            })
            .collect(),
        ..Modelfile::default()
    }
}

pub(super) fn typed_parameter(name: &str, value: &str) -> Parameter {
    Parameter::from_assignment(&format!("{name}={value}"))
        .unwrap_or_else(|_| Parameter::new(name, ParamValue::Text(value.to_string())))
}
