//! Verifying a created model: what `ollama show` reports against the plan.

use super::compare::typed_parameter;
use crate::modelfile::{Modelfile, ParamValue};
use crate::quant::Quant;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a created model must show: its quantization and, for a planned
/// Modelfile, every parameter the plan sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expect {
    pub quantization: Quant,
    /// Each planned parameter's values (sorted); empty when only the level counts.
    pub parameters: BTreeMap<String, Vec<ParamValue>>,
}

impl Expect {
    /// The quantization only (an `optimize` target: `FROM <model>` sets nothing).
    pub fn level(quantization: Quant) -> Expect {
        Expect {
            quantization,
            parameters: BTreeMap::new(),
        }
    }

    /// The quantization and the parameters of a planned Modelfile.
    pub fn planned(quantization: Quant, planned: &Modelfile) -> Expect {
        Expect {
            quantization,
            parameters: planned.effective_parameters(),
        }
    }
}

/// Checks what `ollama show` reports for a created model against `expect`.
pub fn verify(
    expect: &Expect,
    shown_quantization: Option<&str>,
    shown_parameters: &[(String, String)],
) -> Result<(), String> {
    let quantization = expect.quantization.name();
    if !shown_quantization.is_some_and(|q| q.eq_ignore_ascii_case(quantization)) {
        return Err(format!(
            "`ollama show` reports quantization {}, planned {quantization}",
            shown_quantization.unwrap_or("unknown")
        ));
    }
    let mut shown: BTreeMap<String, Vec<ParamValue>> = BTreeMap::new();
    for (name, value) in shown_parameters {
        shown
            .entry(name.clone())
            .or_default()
            .push(typed_parameter(name, value).value);
    }
    for values in shown.values_mut() {
        values.sort_by_key(|v| v.to_string());
    }
    for (name, values) in &expect.parameters {
        let got = shown.get(name).cloned().unwrap_or_default();
        if got != *values {
            let text = |v: &[ParamValue]| match v {
                [] => "unset".to_string(),
                v => v
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            return Err(format!(
                "`ollama show` reports {name} {}, planned {}",
                text(&got),
                text(values)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_checks_quantization_and_parameters() {
        let mut file = Modelfile::new("x");
        file.set("num_ctx", ParamValue::Int(4096));
        file.set("temperature", ParamValue::Float(0.7));
        let shown = |ctx: &str| {
            vec![
                ("temperature".to_string(), "0.699999988079071".to_string()),
                ("num_ctx".to_string(), ctx.to_string()),
                ("stop".to_string(), "<|eot_id|>".to_string()),
            ]
        };
        let expect = Expect::planned(Quant::Q8_0, &file);
        assert_eq!(verify(&expect, Some("Q8_0"), &shown("4096")), Ok(()));
        let error = verify(&expect, Some("Q4_K_M"), &shown("4096")).unwrap_err();
        assert_eq!(
            error,
            "`ollama show` reports quantization Q4_K_M, planned Q8_0"
        );
        let error = verify(&expect, Some("q8_0"), &shown("2048")).unwrap_err();
        assert_eq!(error, "`ollama show` reports num_ctx 2048, planned 4096");
    }
}
