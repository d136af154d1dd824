//! The line `ollama show --modelfile` prints for a value, per version: every value
//! goes through `parser/parser.go` `quote()` (`server/images.go` `Model.String`),
//! which adds `"…"` or `"""…"""` only for a line feed or a leading/trailing space and
//! never escapes anything.

use super::version::{OllamaVersion, v};
use crate::modelfile::Role;
use crate::modelfile::grammar::Command;

/// `Model.String` printed MESSAGE as `role content` (no colon) before commit d87b4a488.
const MESSAGE_READBACK_FIXED: OllamaVersion = v(0, 3, 3);
/// `Model.Template` became a parsed template (never empty, so always printed) in 58e3fff31.
const TEMPLATE_ALWAYS_SHOWN: OllamaVersion = v(0, 2, 0);

/// A Modelfile instruction whose value is free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    System,
    Template,
    License,
    /// A MESSAGE's content, with its role.
    Message(Role),
    /// A PARAMETER's value (only text values such as `stop` ever need quoting).
    Parameter(&'a str),
}

impl Field<'_> {
    /// How the instruction starts in a Modelfile, e.g. `MESSAGE user` or `PARAMETER stop`.
    pub fn label(&self) -> String {
        match self {
            Field::System => "SYSTEM".into(),
            Field::Template => "TEMPLATE".into(),
            Field::License => "LICENSE".into(),
            Field::Message(role) => format!("MESSAGE {role}"),
            Field::Parameter(name) => format!("PARAMETER {name}"),
        }
    }

    /// The command `ParseFile` yields for `value` in this field.
    pub(super) fn command(&self, value: &str) -> Command {
        let (name, args) = match self {
            Field::System => ("system".to_string(), value.to_string()),
            Field::Template => ("template".into(), value.to_string()),
            Field::License => ("license".into(), value.to_string()),
            Field::Message(role) => ("message".into(), format!("{role}: {value}")),
            Field::Parameter(name) => (name.to_string(), value.to_string()),
        };
        Command { name, args }
    }
}

/// Go's `quote()` (`parser/parser.go`, unchanged from v0.1.38 to v0.33.0-rc2).
pub fn go_quote(value: &str) -> String {
    if value.contains('\n') || value.starts_with(' ') || value.ends_with(' ') {
        if value.contains('"') {
            return format!("\"\"\"{value}\"\"\"");
        }
        return format!("\"{value}\"");
    }
    value.to_string()
}

/// The line `ollama show --modelfile` prints for a value the model holds, or None
/// when it prints none (an empty SYSTEM: `Model.String` skips `m.System == ""`).
pub fn shown_line(version: OllamaVersion, field: Field, value: &str) -> Option<String> {
    match field {
        Field::System if value.is_empty() => None,
        Field::Template if value.is_empty() && version < TEMPLATE_ALWAYS_SHOWN => None,
        Field::Message(role) if version < MESSAGE_READBACK_FIXED => {
            // `Model.String` built "role content"; `Command.String` then cuts at the
            // first ": " and quotes only what follows it (server/images.go at v0.3.2).
            let args = format!("{role} {value}");
            Some(match args.split_once(": ") {
                Some((head, tail)) => format!("MESSAGE {head} {}", go_quote(tail)),
                None => format!("MESSAGE {args} "),
            })
        }
        Field::Message(role) => Some(format!("MESSAGE {role} {}", go_quote(value))),
        _ => Some(format!("{} {}", field.label(), go_quote(value))),
    }
}

/// What `provision`'s parser reads from `ollama show --modelfile` for a model
/// created with `value`, for a comparison by meaning: the value itself, or None when
/// no line is printed (an empty SYSTEM). Holds for values [`super::survives`]
/// accepts; a refused value has no reliable read-back.
pub fn expected_read_back(version: OllamaVersion, field: Field, value: &str) -> Option<String> {
    shown_line(version, field, value).map(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_adds_quotes_only_for_a_line_feed_or_edge_spaces() {
        // parser/parser.go quote() at v0.5.4 and v0.33.0-rc2.
        assert_eq!(go_quote("plain"), "plain");
        assert_eq!(go_quote("\"quoted\""), "\"quoted\"");
        assert_eq!(go_quote("a\r\nb"), "\"a\r\nb\"");
        assert_eq!(go_quote(" x"), "\" x\"");
        assert_eq!(go_quote("say \"hi\" "), "\"\"\"say \"hi\" \"\"\"");
        assert_eq!(go_quote("tab\t"), "tab\t");
        assert_eq!(go_quote("a\rb"), "a\rb");
        assert_eq!(go_quote(""), "");
    }

    #[test]
    fn shown_lines_per_version() {
        let newest = OllamaVersion::NEWEST;
        // Observed on the real 0.5.4: `SYSTEM "x\r\ny"` after creating with """x\r\ny""".
        assert_eq!(
            shown_line(v(0, 5, 4), Field::System, "x\r\ny").unwrap(),
            "SYSTEM \"x\r\ny\""
        );
        assert_eq!(shown_line(newest, Field::System, ""), None);
        assert_eq!(expected_read_back(v(0, 5, 4), Field::System, ""), None);
        assert_eq!(
            expected_read_back(v(0, 5, 4), Field::License, "").as_deref(),
            Some("")
        );
        assert_eq!(
            shown_line(newest, Field::Template, "").unwrap(),
            "TEMPLATE "
        );
        assert_eq!(shown_line(v(0, 1, 48), Field::Template, ""), None);
        assert_eq!(
            shown_line(newest, Field::Parameter("stop"), "\"\"\"").unwrap(),
            "PARAMETER stop \"\"\""
        );
        assert_eq!(
            shown_line(newest, Field::Message(Role::User), "a: b").unwrap(),
            "MESSAGE user a: b"
        );
        // Before 0.3.3 Model.String joined "user a: b", and Command.String cut at ": ".
        assert_eq!(
            shown_line(v(0, 3, 2), Field::Message(Role::User), "a: b").unwrap(),
            "MESSAGE user a b"
        );
        assert_eq!(
            shown_line(v(0, 3, 2), Field::Message(Role::User), "hi").unwrap(),
            "MESSAGE user hi "
        );
    }
}
