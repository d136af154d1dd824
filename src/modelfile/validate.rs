//! Checking a Modelfile the way `ollama create` would, before anything runs:
//! names, parameter types, and that every value can be written exactly.

use super::Modelfile;
use super::params::{self, Kind, Lookup, ParamValue};
use super::quote::quote;
use crate::name::{ModelName, is_path};
use anyhow::{Result, bail};

impl Modelfile {
    /// Fails on what Ollama would refuse (or we could not write exactly); returns
    /// warnings for what it would accept with a warning or silently override.
    pub fn validate(&self) -> Result<Vec<String>> {
        self.validate_with(&params::lookup, &|name| params::unknown_parameter(name))
    }

    /// Like [`Modelfile::validate`], with the parameter names of one Ollama version
    /// (`lookup`) and its wording for a name it refuses (`unknown`).
    pub fn validate_with(
        &self,
        lookup: &dyn Fn(&str) -> Lookup,
        unknown: &dyn Fn(&str) -> String,
    ) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        if self.from.trim().is_empty() {
            bail!("FROM is empty");
        }
        if !is_path(&self.from) {
            ModelName::parse(&self.from).map_err(|e| anyhow::anyhow!("FROM: {e}"))?;
        }
        if self.adapter.as_deref().is_some_and(|a| a.trim().is_empty()) {
            bail!("ADAPTER is empty");
        }
        let mut seen = Vec::new();
        for parameter in &self.parameters {
            let name = parameter.name.as_str();
            match lookup(name) {
                Lookup::Unknown => bail!(unknown(name)),
                Lookup::Deprecated => {
                    warnings.push(format!("parameter {name} is deprecated; Ollama ignores it"))
                }
                Lookup::Known(kind) => check_value(name, kind, &parameter.value)?,
            }
            if name != "stop" && seen.contains(&name) {
                warnings.push(format!(
                    "parameter {name} is set more than once; Ollama keeps the last"
                ));
            }
            seen.push(name);
        }
        self.check_quoting()?;
        Ok(warnings)
    }

    /// Every text value must survive quoting (the renderer checks again).
    fn check_quoting(&self) -> Result<()> {
        quote("FROM", &self.from)?;
        let optional = [
            ("ADAPTER", &self.adapter),
            ("TEMPLATE", &self.template),
            ("SYSTEM", &self.system),
        ];
        for (field, value) in optional {
            if let Some(value) = value {
                quote(field, value)?;
            }
        }
        for parameter in &self.parameters {
            quote(
                &format!("PARAMETER {}", parameter.name),
                &parameter.value.to_string(),
            )?;
        }
        for (i, message) in self.messages.iter().enumerate() {
            quote(
                &format!("MESSAGE {} (message {})", message.role, i + 1),
                &message.content,
            )?;
        }
        for license in &self.licenses {
            quote("LICENSE", license)?;
        }
        Ok(())
    }
}

/// The value's type must be the one Ollama parses the name into, and must print
/// as text Ollama parses back to the same value.
fn check_value(name: &str, kind: Kind, value: &ParamValue) -> Result<()> {
    if value.kind() != kind {
        bail!(
            "parameter {name} must be of type {kind}, not {} ({value})",
            value.kind()
        );
    }
    super::ranges::check(name, value).map_err(anyhow::Error::msg)?;
    if ParamValue::parse(kind, &value.to_string()).as_ref() != Ok(value) {
        bail!("parameter {name}: value {value} would not read back as written");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelfile::Parameter;

    fn with(name: &str, value: ParamValue) -> Modelfile {
        let mut file = Modelfile::new("llama3.1:8b");
        file.parameters.push(Parameter::new(name, value));
        file
    }

    #[test]
    fn accepts_a_good_file() {
        assert_eq!(
            with("num_ctx", ParamValue::Int(2048)).validate().unwrap(),
            Vec::<String>::new()
        );
        assert!(Modelfile::new("./weights.gguf").validate().is_ok());
    }

    #[test]
    fn refuses_bad_names_types_and_values() {
        let cases = [
            (
                with("Temperature", ParamValue::Float(1.0)),
                "unknown parameter 'Temperature'",
            ),
            (
                with("num_ctx", ParamValue::Float(4096.0)),
                "parameter num_ctx must be of type int, not float (4096)",
            ),
            (
                with("temperature", ParamValue::Float(f32::NAN)),
                "parameter temperature must be a finite number",
            ),
            (
                with("stop", ParamValue::Text("a\u{200b}".into())),
                "PARAMETER stop cannot be written",
            ),
            (
                Modelfile::new("bad name"),
                "FROM: invalid model name 'bad name'",
            ),
            (Modelfile::new(" "), "FROM is empty"),
        ];
        for (file, expected) in cases {
            let error = file.validate().unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn warns_about_deprecated_and_repeated_parameters() {
        let mut file = with("mirostat", ParamValue::Int(1));
        file.parameters
            .push(Parameter::new("num_ctx", ParamValue::Int(1024)));
        file.parameters
            .push(Parameter::new("num_ctx", ParamValue::Int(2048)));
        assert_eq!(
            file.validate().unwrap(),
            [
                "parameter mirostat is deprecated; Ollama ignores it",
                "parameter num_ctx is set more than once; Ollama keeps the last"
            ]
        );
    }
}
