//! The Modelfile lexical grammar exactly as Ollama's `parser.ParseFile` applies it.
//!
//! Self-contained on purpose: it reproduces the upstream state machine (comments only
//! between commands, values to end of line, `"…"`/`"""…"""` spanning lines, no escapes,
//! tabs and other non-printable runes dropped) so errors match Ollama's wording.

mod quoting;

pub use quoting::{quote, render, unquote};
use std::fmt;

/// One instruction: `name` is `model` for FROM, the parameter name for PARAMETER,
/// else the lower-cased keyword; MESSAGE args are `role: content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    pub args: String,
}

/// A parse error worded as Ollama words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrammarError {
    /// `(line N): <msg>`.
    Line { line: usize, message: String },
    /// `unexpected EOF` or `unexpected EOF: <buffer>`.
    UnexpectedEof(Option<String>),
    /// `no FROM line`.
    NoFrom,
}

impl fmt::Display for GrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrammarError::Line { line, message } => write!(f, "(line {line}): {message}"),
            GrammarError::UnexpectedEof(None) => f.write_str("unexpected EOF"),
            GrammarError::UnexpectedEof(Some(buffer)) => write!(f, "unexpected EOF: {buffer}"),
            GrammarError::NoFrom => f.write_str("no FROM line"),
        }
    }
}

impl std::error::Error for GrammarError {}

/// The keywords `isValidCommand` accepts, in the order of its error message.
pub const KEYWORDS: [&str; 11] = [
    "from",
    "license",
    "template",
    "system",
    "adapter",
    "draft",
    "renderer",
    "parser",
    "parameter",
    "message",
    "requires",
];

const INVALID_COMMAND: &str = "command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", \"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
const INVALID_ROLE: &str = "message role must be one of \"system\", \"user\", or \"assistant\"";

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Nil,
    Name,
    Value,
    Parameter,
    Message,
    Comment,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_newline(c: char) -> bool {
    c == '\r' || c == '\n'
}

/// Go's `strconv.IsPrint` for the runes that matter here: control characters
/// (tab and newline included) are not printable.
fn is_print(c: char) -> bool {
    !c.is_control() && c != '\u{0}' && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `parseRuneForState`: the next state and the rune to keep (None = drop).
fn next_state(c: char, state: State) -> Result<(State, Option<char>), Step> {
    let alpha = c.is_ascii_alphabetic();
    Ok(match state {
        State::Nil if c == '#' => (State::Comment, None),
        State::Nil if is_space(c) || is_newline(c) => (State::Nil, None),
        State::Nil => (State::Name, Some(c)),
        State::Name if alpha => (State::Name, Some(c)),
        State::Name if is_space(c) => (State::Value, None),
        State::Name => return Err(Step::Invalid(INVALID_COMMAND)),
        State::Value if is_newline(c) => (State::Nil, Some(c)),
        State::Value => (State::Value, Some(c)),
        State::Parameter if alpha || c.is_ascii_digit() || c == '_' => (State::Parameter, Some(c)),
        State::Message if alpha => (State::Message, Some(c)),
        State::Parameter | State::Message if is_space(c) => (State::Value, None),
        State::Parameter | State::Message => return Err(Step::Eof),
        State::Comment if is_newline(c) => (State::Nil, None),
        State::Comment => (State::Comment, None),
    })
}

enum Step {
    Invalid(&'static str),
    Eof,
}

struct Parser {
    commands: Vec<Command>,
    current: Command,
    role: Option<String>,
    buffer: String,
    state: State,
    line: usize,
}

impl Parser {
    fn line_error(&self, message: &str) -> GrammarError {
        GrammarError::Line {
            line: self.line,
            message: message.to_string(),
        }
    }

    /// Handles leaving `self.state`; returns false when the rune was absorbed
    /// into an open quoted value instead.
    fn leave(&mut self, next: &mut State, c: char) -> Result<bool, GrammarError> {
        match self.state {
            State::Name => {
                let word = self.buffer.to_ascii_lowercase();
                if !KEYWORDS.contains(&word.as_str()) {
                    return Err(self.line_error(INVALID_COMMAND));
                }
                match word.as_str() {
                    "from" => self.current.name = "model".into(),
                    "parameter" => *next = State::Parameter,
                    "message" => {
                        *next = State::Message;
                        self.current.name = word;
                    }
                    _ => self.current.name = word,
                }
            }
            State::Parameter => self.current.name = self.buffer.clone(),
            State::Message => {
                if !matches!(self.buffer.as_str(), "system" | "user" | "assistant") {
                    return Err(self.line_error(INVALID_ROLE));
                }
                self.role = Some(self.buffer.clone());
            }
            State::Value => {
                let Some(value) = unquote(self.buffer.trim()) else {
                    self.buffer.push(c);
                    return Ok(false);
                };
                self.finish(value.to_string());
            }
            State::Nil | State::Comment => {}
        }
        Ok(true)
    }

    fn finish(&mut self, value: String) {
        let args = match self.role.take() {
            Some(role) => format!("{role}: {value}"),
            None => value,
        };
        self.commands.push(Command {
            name: self.current.name.clone(),
            args,
        });
    }

    fn feed(&mut self, c: char) -> Result<(), GrammarError> {
        if is_newline(c) {
            self.line += 1;
        }
        let (mut next, kept) = match next_state(c, self.state) {
            Ok(step) => step,
            Err(Step::Eof) => return Err(GrammarError::UnexpectedEof(Some(self.buffer.clone()))),
            Err(Step::Invalid(message)) => return Err(self.line_error(message)),
        };
        if next != self.state {
            if !self.leave(&mut next, c)? {
                return Ok(());
            }
            self.buffer.clear();
            self.state = next;
        }
        if let Some(c) = kept.filter(|c| is_print(*c)) {
            self.buffer.push(c);
        }
        Ok(())
    }
}

/// Parses Modelfile text into its commands, in file order.
pub fn parse(text: &str) -> Result<Vec<Command>, GrammarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser {
        commands: Vec::new(),
        current: Command {
            name: String::new(),
            args: String::new(),
        },
        role: None,
        buffer: String::new(),
        state: State::Nil,
        line: 1,
    };
    for c in text.chars() {
        parser.feed(c)?;
    }
    match parser.state {
        State::Nil | State::Comment => {}
        State::Value => {
            let value = unquote(parser.buffer.trim()).ok_or(GrammarError::UnexpectedEof(None))?;
            parser.finish(value.to_string());
        }
        _ => return Err(GrammarError::UnexpectedEof(None)),
    }
    if parser.commands.iter().any(|c| c.name == "model") {
        Ok(parser.commands)
    } else {
        Err(GrammarError::NoFrom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn args(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.args))
            .collect()
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn commands_values_and_comments() {
        let text = "# top\nFROM llama3.2\n  # indented comment\nparameter temperature 0.7\nSYSTEM You are   terse. \n";
        let expected = [
            ("model", "llama3.2"),
            ("temperature", "0.7"),
            ("system", "You are   terse."),
        ];
        assert_eq!(args(text), pairs(&expected));
    }

    #[test]
    fn a_hash_inside_a_value_is_part_of_it() {
        assert_eq!(args("FROM llama3 # x"), pairs(&[("model", "llama3 # x")]));
        assert_eq!(
            args("FROM /what/is/the path "),
            pairs(&[("model", "/what/is/the path")])
        );
    }

    #[test]
    fn quotes_span_lines_and_keep_whitespace() {
        let text = "FROM m\nTEMPLATE \"\"\"{{ if .System }}\"sys\"\n{{ end }}\"\"\"\nSYSTEM \"     model 1\"\nSYSTEM \"'\"\nLICENSE \"\"\nLICENSE \"\"\"\"\"\"\n";
        let expected = [
            ("model", "m"),
            ("template", "{{ if .System }}\"sys\"\n{{ end }}"),
            ("system", "     model 1"),
            ("system", "'"),
            ("license", ""),
            ("license", ""),
        ];
        assert_eq!(args(text), pairs(&expected));
    }

    #[test]
    fn tabs_are_dropped_and_messages_keep_their_role() {
        let expected = [("model", "m"), ("message", "user: hi\tthere")];
        assert_eq!(
            args("FROM\tm\nMESSAGE user \"hi\tthere\"")[0],
            pairs(&expected)[0]
        );
        assert_eq!(
            args("FROM m\nMESSAGE user hi")[1],
            ("message".into(), "user: hi".into())
        );
        assert_eq!(args("FROM a\tb"), pairs(&[("model", "ab")]));
    }

    #[test]
    fn errors_use_ollama_wording() {
        assert_eq!(
            error("FROM m\nBOGUS x"),
            format!("(line 2): {INVALID_COMMAND}")
        );
        assert_eq!(error("FROM\n"), format!("(line 2): {INVALID_COMMAND}"));
        assert_eq!(error("SYSTEM hi"), "no FROM line");
        assert_eq!(error(""), "no FROM line");
        assert_eq!(error("FROM m\nPARAMETER te-mp 1"), "unexpected EOF: te");
        assert_eq!(error("FROM m\nPARAMETER temp"), "unexpected EOF");
        assert_eq!(error("FROM m\nSYSTEM \"open"), "unexpected EOF");
        assert_eq!(
            error("FROM m\nMESSAGE robot hi"),
            format!("(line 2): {INVALID_ROLE}")
        );
        assert_eq!(
            error("FROM m\nMESSAGE User hi"),
            format!("(line 2): {INVALID_ROLE}")
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "(?s)\\PC{0,80}|[A-Za-z \"#\t\r\n]{0,60}") {
            let _ = parse(&text);
        }
    }
}
