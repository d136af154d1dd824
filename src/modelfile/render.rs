//! Rendering a [`Modelfile`] through `templates/Modelfile.tera` (embedded, or the
//! user's from `--templates DIR`), then reading the result back to prove it exact.

use super::quote::{QuoteError, quote};
use super::{Command, Message, Modelfile, Parameter, Provenance};
use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use std::path::Path;
use tera::Tera;

/// The template's file name, in `templates/` and in a `--templates` directory.
pub const TEMPLATE_NAME: &str = "Modelfile.tera";
const EMBEDDED: &str = include_str!("../../templates/Modelfile.tera");

/// A loaded Modelfile template.
pub struct Renderer {
    tera: Tera,
    /// `built-in` or the template's path, for error messages.
    source: String,
}

/// What the template sees: every value already quoted for the Modelfile.
#[derive(Serialize)]
struct Context {
    provenance: Header,
    from: String,
    adapter: Option<String>,
    template: Option<String>,
    system: Option<String>,
    extra: Vec<Line>,
    parameters: Vec<Named>,
    messages: Vec<Spoken>,
    licenses: Vec<String>,
}

#[derive(Serialize)]
struct Header {
    tool: String,
    profile: Option<String>,
    model: Option<String>,
    tier: Option<String>,
    quantization: Option<String>,
    device: Option<String>,
}

#[derive(Serialize)]
struct Line {
    keyword: String,
    value: String,
}

#[derive(Serialize)]
struct Named {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct Spoken {
    role: &'static str,
    content: String,
}

impl Renderer {
    /// The template from `dir/Modelfile.tera` when `dir` is given, otherwise the
    /// embedded template. A `dir` that is not a directory or holds no template is
    /// an error: asking for a template and silently getting the built-in one would
    /// hide the mistake.
    pub fn new(dir: Option<&Path>) -> Result<Renderer> {
        let custom = match dir {
            Some(dir) if !dir.is_dir() => {
                bail!(
                    "could not use templates directory {}: not a directory",
                    dir.display()
                )
            }
            Some(dir) if !dir.join(TEMPLATE_NAME).exists() => {
                bail!(
                    "could not use templates directory {}: it holds no {TEMPLATE_NAME}",
                    dir.display()
                )
            }
            Some(dir) => Some(dir.join(TEMPLATE_NAME)),
            None => None,
        };
        let (text, source) = match custom {
            Some(path) => {
                let text = crate::input::read_text(&path, crate::input::TEXT_LIMIT)
                    .with_context(|| format!("could not read template {}", path.display()))?;
                (text, path.display().to_string())
            }
            None => (EMBEDDED.to_string(), "built-in".to_string()),
        };
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        tera.add_raw_template(TEMPLATE_NAME, &text).map_err(|e| {
            anyhow::anyhow!("could not load template {source}: {}", tera_message(&e))
        })?;
        Ok(Renderer { tera, source })
    }

    /// Renders the Modelfile, then parses the text with Ollama's grammar and fails
    /// unless it reads back as the same Modelfile (comments aside).
    pub fn render(&self, file: &Modelfile) -> Result<String> {
        let context = tera::Context::from_serialize(context(file)?)?;
        let text = self.tera.render(TEMPLATE_NAME, &context).map_err(|e| {
            anyhow::anyhow!(
                "could not render template {}: {}",
                self.source,
                tera_message(&e)
            )
        })?;
        let back = Modelfile::parse(&text).with_context(|| {
            format!(
                "template {} produced a Modelfile Ollama cannot read",
                self.source
            )
        })?;
        let changes = file.diff(&back);
        if !changes.is_empty() {
            let list: Vec<String> = changes.iter().map(ToString::to_string).collect();
            bail!(
                "template {} produced a Modelfile Ollama reads differently: {}",
                self.source,
                list.join("; ")
            );
        }
        Ok(text)
    }
}

/// Renders with the embedded template.
pub fn render(file: &Modelfile) -> Result<String> {
    Renderer::new(None)?.render(file)
}

/// Tera hides the useful part of an error in its source chain.
fn tera_message(error: &tera::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts.join(": ")
}

fn context(file: &Modelfile) -> Result<Context, QuoteError> {
    let optional =
        |field: &str, value: &Option<String>| value.as_deref().map(|v| quote(field, v)).transpose();
    Ok(Context {
        provenance: header(&file.provenance)?,
        from: quote("FROM", &file.from)?,
        adapter: optional("ADAPTER", &file.adapter)?,
        template: optional("TEMPLATE", &file.template)?,
        system: optional("SYSTEM", &file.system)?,
        extra: file
            .extra
            .iter()
            .map(extra_line)
            .collect::<Result<_, _>>()?,
        parameters: file
            .parameters
            .iter()
            .map(parameter_line)
            .collect::<Result<_, _>>()?,
        messages: file
            .messages
            .iter()
            .enumerate()
            .map(message_line)
            .collect::<Result<_, _>>()?,
        licenses: file
            .licenses
            .iter()
            .map(|l| quote("LICENSE", l))
            .collect::<Result<_, _>>()?,
    })
}

fn extra_line(command: &Command) -> Result<Line, QuoteError> {
    let keyword = match command.name.as_str() {
        "model" => "FROM".to_string(),
        other => other.to_uppercase(),
    };
    let value = quote(&keyword, &command.args)?;
    Ok(Line { keyword, value })
}

fn parameter_line(parameter: &Parameter) -> Result<Named, QuoteError> {
    let field = format!("PARAMETER {}", parameter.name);
    let value = quote(&field, &parameter.value.to_string())?;
    Ok(Named {
        name: parameter.name.clone(),
        value,
    })
}

fn message_line((index, message): (usize, &Message)) -> Result<Spoken, QuoteError> {
    let field = format!("MESSAGE {} (message {})", message.role, index + 1);
    let content = quote(&field, &message.content)?;
    Ok(Spoken {
        role: message.role.as_str(),
        content,
    })
}

/// Header values go into `#` comments, which a line break would end.
fn header(provenance: &Provenance) -> Result<Header, QuoteError> {
    let line = |field: &str, value: Option<String>| match value {
        Some(v) if v.contains(['\n', '\r']) => Err(QuoteError {
            field: format!("header {field}"),
            reason: "it contains a line break, which would end the comment".into(),
        }),
        other => Ok(other),
    };
    let tool = provenance
        .tool
        .clone()
        .unwrap_or_else(|| format!("provision {}", env!("CARGO_PKG_VERSION")));
    Ok(Header {
        tool: line("tool", Some(tool))?.unwrap_or_default(),
        profile: line("profile", provenance.profile.clone())?,
        model: line("model", provenance.model.clone())?,
        tier: provenance.tier.map(|t| format!("{t}-bit ({})", t.label())),
        quantization: provenance.quantization.map(|q| q.name().to_string()),
        device: line("device", provenance.device.clone())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelfile::{ParamValue, Role};

    fn sample() -> Modelfile {
        let mut file = Modelfile::new("llama3.1:8b-instruct-q4_K_M");
        file.system = Some("You are terse.\n# not a comment\n".into());
        file.set("num_ctx", ParamValue::Int(4096));
        file.set("temperature", ParamValue::Float(0.7));
        file.set("stop", ParamValue::Text("<|eot_id|>".into()));
        file.set("stop", ParamValue::Text(" padded ".into()));
        file.messages.push(Message {
            role: Role::User,
            content: "hi".into(),
        });
        file.provenance.profile = Some("default".into());
        file.provenance.tool = Some("provision test".into());
        file
    }

    #[test]
    fn renders_the_embedded_template_exactly() {
        let text = render(&sample()).unwrap();
        let expected = "# Modelfile written by provision test. Ollama ignores these comments.\n\
                        # profile: default\n\nFROM llama3.1:8b-instruct-q4_K_M\n\
                        SYSTEM \"\"\"You are terse.\n# not a comment\n\"\"\"\n\
                        PARAMETER num_ctx 4096\nPARAMETER temperature 0.7\n\
                        PARAMETER stop <|eot_id|>\nPARAMETER stop \" padded \"\nMESSAGE user hi\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn refuses_unwritable_values_naming_the_field() {
        let mut file = sample();
        file.system = Some("\"\"\"\nFROM evil\nPARAMETER num_ctx 1".into());
        let error = render(&file).unwrap_err().to_string();
        assert!(error.starts_with("SYSTEM cannot be written"), "{error}");
        let mut file = sample();
        file.provenance.device = Some("x\nFROM evil".into());
        let error = render(&file).unwrap_err().to_string();
        assert!(
            error.starts_with("header device cannot be written"),
            "{error}"
        );
    }

    #[test]
    fn a_user_template_that_drops_a_field_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TEMPLATE_NAME), "FROM {{ from }}\n").unwrap();
        let renderer = Renderer::new(Some(dir.path())).unwrap();
        let error = renderer.render(&sample()).unwrap_err().to_string();
        assert!(
            error.contains("reads differently") && error.contains("num_ctx 4096 → unset"),
            "{error}"
        );
        let empty = tempfile::tempdir().unwrap();
        let error = Renderer::new(Some(empty.path())).err().unwrap().to_string();
        assert!(error.ends_with("it holds no Modelfile.tera"), "{error}");
        assert!(Renderer::new(Some(&empty.path().join("nope"))).is_err());
    }
}
