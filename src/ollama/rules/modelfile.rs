//! A whole Modelfile against one Ollama version: its parameter names (`api/types.go`
//! at that version) and every free-text value ([`super::survives`]).

use super::readback::Field;
use super::version::OllamaVersion;
use super::{params, survives};
use crate::modelfile::{Modelfile, ParamValue};

/// The warnings of a Modelfile this version accepts (deprecated parameters it
/// drops), or one line saying what it would refuse or change.
pub fn check(version: OllamaVersion, file: &Modelfile) -> Result<Vec<String>, String> {
    let lookup = |name: &str| params::lookup(version, name);
    let unknown = |name: &str| params::unknown_parameter(version, name);
    let warnings = file
        .validate_with(&lookup, &unknown)
        .map_err(|e| format!("{e:#}"))?;
    for parameter in &file.parameters {
        if let ParamValue::Text(text) = &parameter.value {
            let field = Field::Parameter(&parameter.name);
            survives(version, field, text).map_err(|r| r.to_string())?;
        }
    }
    let texts = [
        (Field::System, &file.system),
        (Field::Template, &file.template),
    ];
    for (field, value) in texts {
        if let Some(value) = value {
            survives(version, field, value).map_err(|r| r.to_string())?;
        }
    }
    for license in &file.licenses {
        survives(version, Field::License, license).map_err(|r| r.to_string())?;
    }
    for message in &file.messages {
        survives(version, Field::Message(message.role), &message.content)
            .map_err(|r| r.to_string())?;
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelfile::Parameter;

    fn file(system: &str) -> Modelfile {
        let mut file = Modelfile::new("llama3.2:1b");
        file.system = Some(system.to_string());
        file
    }

    #[test]
    fn values_the_real_0_5_4_breaks_are_refused_there_and_kept_later() {
        let v054 = OllamaVersion::parse("0.5.4").unwrap();
        let v033 = OllamaVersion::NEWEST;
        // Observed on the real 0.5.4 (tests/real_ollama/observed-0.5.4.md):
        // `ollama create` fails with "unexpected EOF".
        for value in ["\"x", "\"", "\"\"\""] {
            let error = check(v054, &file(value)).unwrap_err();
            assert!(error.starts_with("SYSTEM cannot be used"), "{error}");
        }
        assert!(check(v033, &file("say \"hello\" back")).is_ok());
        // `show --modelfile` prints it bare, which no parser reads back as itself.
        let error = check(v033, &file("\"Hello\" he said")).unwrap_err();
        assert!(error.contains("could never be verified"), "{error}");
        // An empty SYSTEM is skipped from 0.5.5 on: refused with the reason.
        assert!(check(v033, &file("")).unwrap_err().contains("empty"));
    }

    #[test]
    fn parameters_are_checked_against_the_version() {
        // min_p arrived in 0.3.1 (api/types.go).
        let mut file = Modelfile::new("m");
        file.parameters
            .push(Parameter::new("min_p", ParamValue::Float(0.1)));
        let old = OllamaVersion::parse("0.1.45").unwrap();
        let error = check(old, &file).unwrap_err();
        assert!(
            error.contains("PARAMETER min_p") && error.contains("added in"),
            "{error}"
        );
        assert!(check(OllamaVersion::NEWEST, &file).is_ok());
    }
}
