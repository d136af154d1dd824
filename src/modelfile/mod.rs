//! Modelfiles: a typed value, rendered through a Tera template, read back with
//! Ollama's own grammar, validated and compared.

mod compare;
/// Ollama's lexer; `Modelfile::parse` builds on it.
pub mod grammar;
mod lexical;
/// PARAMETER names and types.
pub mod params;
mod quote;
/// PARAMETER value ranges.
pub mod ranges;
mod render;
mod validate;

pub use compare::{Change, Field};
pub use grammar::{Command, ParseError};
pub use params::{Kind, Lookup, ParamValue};
pub use quote::{QuoteError, quote};
pub use render::{Renderer, TEMPLATE_NAME, render};

use crate::quant::Quant;
use crate::tier::Tier;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::fmt;

/// Everything `provision` writes into a Modelfile.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Modelfile {
    /// A model name (`llama3.1:8b-instruct-q4_K_M`) or a path to GGUF weights.
    pub from: String,
    pub adapter: Option<String>,
    pub template: Option<String>,
    pub system: Option<String>,
    /// In file order; `stop` may repeat, any other name should appear once.
    pub parameters: Vec<Parameter>,
    pub messages: Vec<Message>,
    pub licenses: Vec<String>,
    /// Instructions `provision` does not model (a second FROM for a projector, DRAFT,
    /// RENDERER, PARSER, REQUIRES), kept so a parsed file renders back whole.
    pub extra: Vec<Command>,
    /// Written as `#` comments for people; Ollama ignores them.
    pub provenance: Provenance,
}

/// One `PARAMETER name value` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub name: String,
    pub value: ParamValue,
}

impl Parameter {
    /// A parameter; not checked until `Modelfile::validate`.
    pub fn new(name: impl Into<String>, value: ParamValue) -> Parameter {
        Parameter {
            name: name.into(),
            value,
        }
    }

    /// Reads `name=value` (as given to `--set`), typing the value as Ollama would
    /// read it from a PARAMETER line.
    pub fn from_assignment(text: &str) -> Result<Parameter> {
        let (name, value) = text
            .split_once('=')
            .with_context(|| format!("'{text}' is not name=value"))?;
        let parameter = parameter(name.trim(), value)?;
        ranges::check(&parameter.name, &parameter.value).map_err(anyhow::Error::msg)?;
        Ok(parameter)
    }
}

/// One `MESSAGE role content` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// The roles Ollama accepts, spelled in lower case in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    /// The role as the file spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        [Role::System, Role::User, Role::Assistant]
            .into_iter()
            .find(|role| role.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a Modelfile came from, for the people who read it. Each value must fit on
/// one line: a line break would end the comment and start an instruction.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// `provision 0.1.0`; the renderer fills it in when empty.
    pub tool: Option<String>,
    pub profile: Option<String>,
    /// The roster entry (target model name) this file creates.
    pub model: Option<String>,
    pub tier: Option<Tier>,
    pub quantization: Option<Quant>,
    /// One line about the device, e.g. `23.5 GiB RAM, 2 cores, no GPU`.
    pub device: Option<String>,
}

impl Modelfile {
    /// A Modelfile with only a FROM line.
    pub fn new(from: impl Into<String>) -> Modelfile {
        Modelfile {
            from: from.into(),
            ..Modelfile::default()
        }
    }

    /// Parses Modelfile text with Ollama's grammar, then reads the commands as
    /// `ollama create` does: parameter names and value types are checked, the last
    /// TEMPLATE/SYSTEM/ADAPTER wins, LICENSE and MESSAGE accumulate. Deprecated
    /// parameters are kept (as text) so `validate` can warn about them.
    pub fn parse(text: &str) -> Result<Modelfile> {
        let parsed = grammar::parse(text)?;
        Modelfile::from_commands(&parsed.commands)
    }

    /// The typed reading of commands from [`grammar::parse`].
    pub fn from_commands(commands: &[Command]) -> Result<Modelfile> {
        let mut file = Modelfile::default();
        let mut seen_from = false;
        for command in commands {
            let args = command.args.clone();
            match command.name.as_str() {
                "model" if !seen_from => {
                    file.from = args;
                    seen_from = true;
                }
                "model" | "draft" | "renderer" | "parser" | "requires" => {
                    file.extra.push(command.clone())
                }
                "adapter" => file.adapter = Some(args),
                "template" => file.template = Some(args),
                "system" => file.system = Some(args),
                "license" => file.licenses.push(args),
                "message" => file.messages.push(message(&args)?),
                name => file.parameters.push(parameter(name, &args)?),
            }
        }
        if !seen_from {
            bail!(ParseError::NoFrom);
        }
        Ok(file)
    }

    /// Adds or replaces a parameter (a `stop` is appended instead).
    pub fn set(&mut self, name: &str, value: ParamValue) {
        match self.parameters.iter_mut().find(|p| p.name == name) {
            Some(existing) if name != "stop" => existing.value = value,
            _ => self.parameters.push(Parameter::new(name, value)),
        }
    }

    /// The last value of a parameter, as Ollama keeps it.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.parameters
            .iter()
            .rev()
            .find(|p| p.name == name)
            .map(|p| &p.value)
    }
}

fn message(args: &str) -> Result<Message> {
    let (role, content) = grammar::split_message(args);
    let role = Role::parse(role).with_context(|| format!("message role '{role}' is not valid"))?;
    Ok(Message {
        role,
        content: content.to_string(),
    })
}

fn parameter(name: &str, text: &str) -> Result<Parameter> {
    let value = match params::lookup(name) {
        Lookup::Known(kind) => ParamValue::parse(kind, text).map_err(anyhow::Error::msg)?,
        Lookup::Deprecated => ParamValue::Text(text.to_string()),
        Lookup::Unknown => bail!(params::unknown_parameter(name)),
    };
    Ok(Parameter::new(name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_file_as_ollama_create_does() {
        let text = "# hi\nFROM llama3.2\nFROM ./proj.gguf\nSYSTEM one\nsystem two\n\
                    PARAMETER num_ctx 4096\nPARAMETER stop <|a|>\nPARAMETER stop \"<|b| \"\n\
                    PARAMETER mirostat 1\nMESSAGE user hi: there\nLICENSE MIT\nLICENSE \"\"\"x\ny\"\"\"\n";
        let file = Modelfile::parse(text).unwrap();
        assert_eq!(file.from, "llama3.2");
        assert_eq!(
            file.extra,
            [Command {
                name: "model".into(),
                args: "./proj.gguf".into()
            }]
        );
        assert_eq!(file.system.as_deref(), Some("two"));
        assert_eq!(file.get("num_ctx"), Some(&ParamValue::Int(4096)));
        assert_eq!(file.get("mirostat"), Some(&ParamValue::Text("1".into())));
        let stops: Vec<_> = file
            .parameters
            .iter()
            .filter(|p| p.name == "stop")
            .collect();
        assert_eq!(stops[1].value, ParamValue::Text("<|b| ".into()));
        assert_eq!(
            file.messages,
            [Message {
                role: Role::User,
                content: "hi: there".into()
            }]
        );
        assert_eq!(file.licenses, ["MIT", "x\ny"]);
    }

    #[test]
    fn refuses_what_ollama_create_refuses() {
        let cases = [
            (
                "FROM m\nPARAMETER Temperature 1\n",
                "unknown parameter 'Temperature'",
            ),
            (
                "FROM m\nPARAMETER num_ctx 4096.0\n",
                "invalid int value [4096.0]",
            ),
            (
                "FROM m\nPARAMETER temperature 0.7 # x\n",
                "invalid float value [0.7 # x]",
            ),
            (
                "FROM m\nPARAMETER use_mmap yes\n",
                "invalid bool value [yes]",
            ),
            ("SYSTEM x\n", "no FROM line"),
        ];
        for (text, expected) in cases {
            let error = Modelfile::parse(text).unwrap_err().to_string();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn reads_show_modelfile_output() {
        let text = "# Modelfile generated by \"ollama show\"\n# To build a new Modelfile based on this, replace FROM with:\n\
                    # FROM coder:latest\n\nFROM /root/.ollama/models/blobs/sha256-dde5\n\
                    TEMPLATE \"\"\"{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}\"\"\"\n\
                    SYSTEM You are terse.\nPARAMETER temperature 0.2\nPARAMETER stop <|start_header_id|>\n\
                    PARAMETER num_ctx 2048\nPARAMETER stop <|eot_id|>\nLICENSE \"\"\"LLAMA 3.1\nlicense\"\"\"\n\n";
        let installed = Modelfile::parse(text).unwrap();
        let mut wanted = Modelfile::new("qwen2.5-coder:7b-instruct-q4_K_M");
        wanted.system = Some("You are terse.".into());
        wanted.set("num_ctx", ParamValue::Int(2048));
        wanted.set("temperature", ParamValue::Float(0.2));
        wanted.set("stop", ParamValue::Text("<|eot_id|>".into()));
        wanted.set("stop", ParamValue::Text("<|start_header_id|>".into()));
        let fields: Vec<Field> = wanted
            .diff(&installed)
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(fields, [Field::From, Field::Template, Field::Licenses]);
    }

    #[test]
    fn reads_assignments_like_parameter_lines() {
        let p = Parameter::from_assignment("num_ctx=4096").unwrap();
        assert_eq!(p, Parameter::new("num_ctx", ParamValue::Int(4096)));
        let p = Parameter::from_assignment("stop=a=b").unwrap();
        assert_eq!(p.value, ParamValue::Text("a=b".into()));
        assert!(Parameter::from_assignment("num_ctx").is_err());
        let error = Parameter::from_assignment("top_k=1.5")
            .unwrap_err()
            .to_string();
        assert_eq!(error, "invalid int value [1.5]");
    }

    #[test]
    fn set_replaces_except_stop() {
        let mut file = Modelfile::new("m");
        file.set("num_ctx", ParamValue::Int(1));
        file.set("num_ctx", ParamValue::Int(2));
        file.set("stop", ParamValue::Text("a".into()));
        file.set("stop", ParamValue::Text("b".into()));
        assert_eq!(file.parameters.len(), 3);
        assert_eq!(file.get("num_ctx"), Some(&ParamValue::Int(2)));
    }
}
