//! Which Modelfile values reach an Ollama version unchanged and read back from
//! `ollama show --modelfile` as themselves.
//!
//! Up to 0.5.4 the client parses the Modelfile and sends `File.String()`
//! (`cmd/cmd.go` `CreateHandler` at v0.5.4), which writes every value through
//! `parser/parser.go` `quote()`; the server parses that text again. From 0.5.5
//! (commit 86a622cbd) the client sends structured fields (`parser.go`
//! `CreateRequest`). On every version `ollama show --modelfile` prints values through
//! the same `quote()` ([`shown_line`]), so a value accepted here is one whose printed
//! form `provision`'s own parser reads back. The check runs Ollama's grammar
//! (`modelfile::grammar`, the trimming parser of v0.2.0 on) over the exact text
//! Ollama writes; 0.1.45–0.1.48 parse without trimming, which only accepts more,
//! and `provision` reads the output back with the trimming parser anyway.

use super::readback::{Field, go_quote, shown_line};
use super::version::{OllamaVersion, v};
use crate::modelfile::grammar;
use crate::modelfile::quote;
use std::fmt;

/// The first release whose client sends structured create fields (commit 86a622cbd).
const STRUCTURED_CREATE: OllamaVersion = v(0, 5, 5);

/// What goes wrong with a value, which decides what a caller does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No Modelfile quoting carries it (`provision`'s own writer refuses it).
    NotWritable,
    /// Up to 0.5.4: the re-serialized Modelfile does not parse; `ollama create` fails.
    CreateFails,
    /// Up to 0.5.4: the server reads a different value; the model silently differs.
    Changed,
    /// 0.5.5+: an empty SYSTEM or TEMPLATE is skipped and the base model's stays.
    EmptyIgnored,
    /// `ollama show --modelfile` prints it in a form that does not read back as the
    /// value, so the installed model can never be verified.
    Unverifiable,
}

/// Why a value cannot go into a Modelfile for this Ollama version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The instruction, e.g. `SYSTEM` or `PARAMETER stop`.
    pub field: String,
    pub failure: Failure,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cannot be used: {}", self.field, self.reason)
    }
}

impl std::error::Error for Refusal {}

/// Whether `value` in `field` reaches an Ollama of this version unchanged and reads
/// back from `ollama show --modelfile` as itself. Pass the server's version (with a
/// client/server skew, the older of the two).
pub fn survives(version: OllamaVersion, field: Field, value: &str) -> Result<(), Refusal> {
    let refuse = |failure, reason: String| Refusal {
        field: field.label(),
        failure,
        reason,
    };
    if let Err(error) = quote(&field.label(), value) {
        return Err(refuse(Failure::NotWritable, error.reason));
    }
    let empty_skipped = matches!(field, Field::System | Field::Template);
    if value.is_empty() && empty_skipped && version >= STRUCTURED_CREATE {
        return Err(refuse(
            Failure::EmptyIgnored,
            format!(
                "Ollama {version} skips an empty {} and keeps the base model's (server/create.go sets only non-empty system and template fields); leave it out instead",
                field.label()
            ),
        ));
    }
    if version < STRUCTURED_CREATE {
        let line = format!("{} {}", field.label(), go_quote(value));
        if let Err((failure, what)) = reads_back(&line, field, value, true) {
            return Err(refuse(
                failure,
                format!(
                    "Ollama {version}'s client re-writes the Modelfile before the server parses it (cmd/cmd.go CreateHandler, parser.go quote()), \
                     and the value comes out as `{}`, {what}",
                    visible(&line)
                ),
            ));
        }
    }
    let Some(line) = shown_line(version, field, value) else {
        return Ok(());
    };
    reads_back(&line, field, value, false).map_err(|(failure, what)| {
        refuse(
            failure,
            format!(
                "`ollama show --modelfile` on Ollama {version} prints it as `{}` (parser.go quote(), no escapes), {what}, so the model could never be verified",
                visible(&line)
            ),
        )
    })
}

/// The line with its control characters spelled out, quotes left alone.
fn visible(line: &str) -> String {
    line.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// Parses `FROM m` + `line` with Ollama's grammar and checks it yields exactly the
/// expected command; otherwise says what happened instead. `at_create` picks the
/// failure: at create time (up to 0.5.4) or at read-back.
fn reads_back(
    line: &str,
    field: Field,
    value: &str,
    at_create: bool,
) -> Result<(), (Failure, String)> {
    let expected = field.command(value);
    let (unparsable, changed) = if at_create {
        (Failure::CreateFails, Failure::Changed)
    } else {
        (Failure::Unverifiable, Failure::Unverifiable)
    };
    let parsed = match grammar::parse(&format!("FROM m\n{line}\n")) {
        Ok(parsed) => parsed,
        Err(grammar::ParseError::Line { message, .. }) => {
            return Err((unparsable, format!("which does not parse ({message})")));
        }
        Err(error) => return Err((unparsable, format!("which does not parse ({error})"))),
    };
    match parsed.commands.as_slice() {
        [_, got] if *got == expected => Ok(()),
        [_, got] if got.name == expected.name => {
            let shown = match field {
                Field::Message(role) => got
                    .args
                    .strip_prefix(&format!("{role}: "))
                    .unwrap_or(&got.args),
                _ => &got.args,
            };
            Err((changed, format!("which reads back as {shown:?}")))
        }
        _ => Err((
            changed,
            "which reads back as other instructions".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelfile::Role;
    use crate::ollama::rules::expected_read_back;
    use proptest::prelude::*;

    const V054: OllamaVersion = v(0, 5, 4);

    fn failure(version: OllamaVersion, field: Field, value: &str) -> Option<Failure> {
        survives(version, field, value).err().map(|r| r.failure)
    }

    #[test]
    fn the_values_the_real_0_5_4_broke_or_changed() {
        // Observed on 0.5.4-ipexllm-20250407: `"x`, `"`, `"""`, `"""x` and `"Hello" he said`
        // → "Error: unexpected EOF"; `""` → no SYSTEM; `"quoted"` → `quoted`; `x\t` → `x`.
        for value in ["\"x", "\"", "\"\"\"", "\"\"\"x", "\"Hello\" he said"] {
            assert_eq!(
                failure(V054, Field::System, value),
                Some(Failure::CreateFails),
                "{value:?}"
            );
        }
        for value in ["\"\"", "\"quoted\"", "x\t", "\tx", "x\r"] {
            assert_eq!(
                failure(V054, Field::System, value),
                Some(Failure::Changed),
                "{value:?}"
            );
        }
        // A lone CR without a line feed stays bare and splits the line: "(line 4): command must be one of …".
        let lone_cr = survives(V054, Field::System, "a\rb").unwrap_err();
        assert_eq!(lone_cr.failure, Failure::CreateFails);
        assert!(
            lone_cr.reason.contains(
                "comes out as `SYSTEM a\\rb`, which does not parse (command must be one of"
            ),
            "{lone_cr}"
        );
        let refusal = survives(V054, Field::System, "\"quoted\"").unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "SYSTEM cannot be used: Ollama 0.5.4's client re-writes the Modelfile before the server parses it \
             (cmd/cmd.go CreateHandler, parser.go quote()), and the value comes out as `SYSTEM \"quoted\"`, \
             which reads back as \"quoted\""
        );
    }

    #[test]
    fn what_the_real_0_5_4_kept() {
        // Observed: `x\r\ny` (written """x\r\ny""") came back as `x\r\ny`; `a\nb"` kept.
        for value in [
            "x\r\ny",
            "a\nb\"",
            " say \"hi\"",
            "You are \"terse\".",
            "",
            "<|eot_id|>",
            "# not a comment",
        ] {
            assert_eq!(survives(V054, Field::System, value), Ok(()), "{value:?}");
        }
        assert_eq!(
            survives(V054, Field::Parameter("stop"), "<|im_end|>"),
            Ok(())
        );
        assert_eq!(
            survives(V054, Field::Message(Role::Assistant), "two\nlines"),
            Ok(())
        );
    }

    #[test]
    fn newer_versions_carry_it_but_cannot_read_it_back() {
        // Issue 16 item 1 on the newest server: each of these reads back differently
        // from `ollama show --modelfile`, or not at all.
        let newest = OllamaVersion::NEWEST;
        for value in [
            "\"quoted\"",
            "\"Hello\" he said",
            "\"",
            "\"\"\"",
            "a\rb",
            "x\t",
        ] {
            assert_eq!(
                failure(newest, Field::System, value),
                Some(Failure::Unverifiable),
                "{value:?}"
            );
        }
        assert_eq!(
            failure(newest, Field::Parameter("stop"), "\"\"\""),
            Some(Failure::Unverifiable)
        );
        assert_eq!(
            failure(newest, Field::System, ""),
            Some(Failure::EmptyIgnored)
        );
        assert_eq!(
            failure(newest, Field::Template, ""),
            Some(Failure::EmptyIgnored)
        );
        assert_eq!(survives(newest, Field::License, ""), Ok(()));
        assert_eq!(survives(newest, Field::Parameter("stop"), ""), Ok(()));
        // Values no Modelfile quoting carries are refused on every version.
        assert_eq!(
            failure(newest, Field::System, "\"\"\"\nFROM evil"),
            Some(Failure::NotWritable)
        );
        assert_eq!(
            failure(V054, Field::System, "a\u{a0}b"),
            Some(Failure::NotWritable)
        );
    }

    #[test]
    fn messages_with_a_colon_did_not_read_back_before_0_3_3() {
        // server/images.go Model.String printed "role content" until d87b4a488.
        let user = Field::Message(Role::User);
        assert_eq!(
            failure(v(0, 3, 2), user, "note: this"),
            Some(Failure::Unverifiable)
        );
        assert_eq!(
            failure(v(0, 3, 2), user, "two\nlines"),
            Some(Failure::Unverifiable)
        );
        assert_eq!(survives(v(0, 3, 2), user, "plain words"), Ok(()));
        assert_eq!(survives(v(0, 3, 3), user, "note: this"), Ok(()));
    }

    proptest! {
        /// Whatever survives reads back, through `provision`'s own parser, as itself.
        #[test]
        fn survivors_read_back_exactly(
            value in "[a-z \"\t\r\n:#]{0,12}",
            version in prop::sample::select(vec![v(0, 1, 45), v(0, 3, 2), V054, v(0, 5, 5), OllamaVersion::NEWEST]),
            field in prop::sample::select(vec![0usize, 1, 2, 3, 4]),
        ) {
            let field = [Field::System, Field::Template, Field::License, Field::Message(Role::User), Field::Parameter("stop")][field];
            if survives(version, field, &value).is_ok() {
                match shown_line(version, field, &value) {
                    None => {
                        prop_assert!(value.is_empty());
                        prop_assert_eq!(expected_read_back(version, field, &value), None);
                    }
                    Some(line) => {
                        let parsed = grammar::parse(&format!("FROM m\n{line}\n")).unwrap();
                        prop_assert_eq!(&parsed.commands[1], &field.command(&value));
                        prop_assert_eq!(expected_read_back(version, field, &value), Some(value.clone()));
                    }
                }
            }
        }
    }
}
