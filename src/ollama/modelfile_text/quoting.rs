//! Quoting of Modelfile values, both ways, and rendering of commands as
//! `parser.Command.String()` does (used by `ollama show --modelfile`).

use super::Command;

/// `unquote`: strips `"""…"""` or `"…"`; None when a quote is still open.
pub fn unquote(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix("\"\"\"") {
        return (text.len() >= 6 && text.ends_with("\"\"\"")).then(|| &rest[..rest.len() - 3]);
    }
    if let Some(rest) = text.strip_prefix('"') {
        return (text.len() >= 2 && text.ends_with('"')).then(|| &rest[..rest.len() - 1]);
    }
    Some(text)
}

/// `quote`: only values with a newline or a leading/trailing space are quoted,
/// with `"""` when they contain `"`.
pub fn quote(value: &str) -> String {
    if value.contains('\n') || value.starts_with(' ') || value.ends_with(' ') {
        if value.contains('"') {
            return format!("\"\"\"{value}\"\"\"");
        }
        return format!("\"{value}\"");
    }
    value.to_string()
}

/// Renders one command as `Command.String()` does.
pub fn render(command: &Command) -> String {
    match command.name.as_str() {
        "model" => format!("FROM {}", command.args),
        "license" | "template" | "system" | "adapter" | "renderer" | "parser" | "requires"
        | "draft" => format!(
            "{} {}",
            command.name.to_ascii_uppercase(),
            quote(&command.args)
        ),
        "message" => {
            let (role, content) = command.args.split_once(": ").unwrap_or((&command.args, ""));
            format!("MESSAGE {role} {}", quote(content))
        }
        name => format!("PARAMETER {name} {}", quote(&command.args)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quote_only_when_needed() {
        assert_eq!(quote("<|eot_id|>"), "<|eot_id|>");
        assert_eq!(quote(" x"), "\" x\"");
        assert_eq!(quote("a\n\"b\""), "\"\"\"a\n\"b\"\"\"\"");
        assert_eq!(quote("{{ .Prompt }}"), "{{ .Prompt }}");
    }

    #[test]
    fn render_matches_command_string() {
        let stop = Command {
            name: "stop".into(),
            args: "<|eot_id|>".into(),
        };
        assert_eq!(render(&stop), "PARAMETER stop <|eot_id|>");
        let message = Command {
            name: "message".into(),
            args: "user: hi there".into(),
        };
        assert_eq!(render(&message), "MESSAGE user hi there");
    }

    proptest! {
        #[test]
        fn rendered_values_parse_back(value in "[a-z \"\n<|>]{0,20}") {
            let value = value.trim_matches(|c| c == ' ' || c == '\n').to_string();
            prop_assume!(!value.contains("\"\"\""));
            prop_assume!(!value.starts_with('"'));
            let text = format!("FROM m\nSYSTEM {}\n", quote(&value));
            let parsed = parse(&text).unwrap();
            prop_assert_eq!(&parsed[1].args, &value);
        }
    }
}
