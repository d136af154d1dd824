//! Ollama's Modelfile lexer, rune for rune (`parser/parser.go` `ParseFile`): the oracle
//! every rendered Modelfile is read back with.

use super::lexical::{is_newline, is_print, is_space, unquote};
use std::fmt;

/// One instruction as Ollama's parser yields it. `name` is `model` for FROM, the
/// lower-cased keyword for the others, and the parameter name itself for PARAMETER;
/// a MESSAGE's `args` is `role: content`, as upstream stores it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Command {
    pub name: String,
    pub args: String,
}

/// What a Modelfile holds for Ollama (its commands) and for people (its comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub commands: Vec<Command>,
    /// Comment lines without the `#`, in order. Ollama drops them.
    pub comments: Vec<String>,
}

/// The errors `ParseFile` returns, with upstream's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// `(line N): message`.
    Line { line: usize, message: String },
    /// `unexpected EOF`, with the buffer when upstream prints it.
    UnexpectedEof { buffer: Option<String> },
    /// `no FROM line`.
    NoFrom,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Line { line, message } => write!(f, "(line {line}): {message}"),
            ParseError::UnexpectedEof { buffer: None } => f.write_str("unexpected EOF"),
            ParseError::UnexpectedEof { buffer: Some(b) } => write!(f, "unexpected EOF: {b}"),
            ParseError::NoFrom => f.write_str("no FROM line"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A MESSAGE's `args` split back into role and content (see [`Command`]).
pub fn split_message(args: &str) -> (&str, &str) {
    args.split_once(": ").unwrap_or((args, ""))
}

const INVALID_COMMAND: &str = "command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", \"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
const INVALID_ROLE: &str = "message role must be one of \"system\", \"user\", or \"assistant\"";

/// The keywords `isValidCommand` accepts (compared case-insensitively).
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Nil,
    Name,
    Value,
    Parameter,
    Message,
    Comment,
}

/// A transition error of `parseRuneForState`.
enum Step {
    InvalidCommand,
    UnexpectedEof,
}

/// Parses a Modelfile exactly as Ollama does. A leading byte-order mark is skipped
/// (upstream's BOM override); input is already UTF-8, so UTF-16 files are out of scope.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut lexer = Lexer::default();
    for rune in text.strip_prefix('\u{feff}').unwrap_or(text).chars() {
        lexer.feed(rune)?;
    }
    lexer.finish()
}

#[derive(Default)]
struct Lexer {
    state: Option<State>,
    line: usize,
    buffer: String,
    name: String,
    role: Option<String>,
    comment: String,
    parsed: Vec<Command>,
    comments: Vec<String>,
}

impl Lexer {
    fn feed(&mut self, rune: char) -> Result<(), ParseError> {
        let state = self.state.unwrap_or(State::Nil);
        if is_newline(rune) {
            self.line += 1;
        }
        let (mut next, kept) = match transition(rune, state) {
            Ok(step) => step,
            Err(Step::InvalidCommand) => return Err(self.line_error(INVALID_COMMAND)),
            Err(Step::UnexpectedEof) => {
                let buffer = Some(self.buffer.clone());
                return Err(ParseError::UnexpectedEof { buffer });
            }
        };
        if state == State::Comment && next == State::Comment {
            self.comment.push(rune);
        }
        if next != state {
            if !self.leave(state, &mut next, rune)? {
                return Ok(());
            }
            self.buffer.clear();
            self.state = Some(next);
        }
        if let Some(kept) = kept.filter(|&c| is_print(c)) {
            self.buffer.push(kept);
        }
        Ok(())
    }

    /// Finishes `state` on a transition to `next` (which a keyword may redirect).
    /// False when the transition is cancelled: a value goes on past a space, and
    /// past a line break while its quotes are unbalanced.
    fn leave(&mut self, state: State, next: &mut State, rune: char) -> Result<bool, ParseError> {
        match state {
            State::Name => *next = self.command_name(*next)?,
            State::Parameter => self.name = self.buffer.clone(),
            State::Message => {
                if !matches!(self.buffer.as_str(), "system" | "user" | "assistant") {
                    return Err(self.line_error(INVALID_ROLE));
                }
                self.role = Some(self.buffer.clone());
            }
            State::Comment => self.comments.push(std::mem::take(&mut self.comment)),
            State::Nil => {}
            State::Value => match unquote(self.buffer.trim()) {
                Some(value) if !is_space(rune) => self.emit(value),
                _ => {
                    self.buffer.push(rune);
                    return Ok(false);
                }
            },
        }
        Ok(true)
    }

    /// Checks the keyword just read and picks the state after it.
    fn command_name(&mut self, next: State) -> Result<State, ParseError> {
        let keyword = self.buffer.to_lowercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(self.line_error(INVALID_COMMAND));
        }
        Ok(match keyword.as_str() {
            "from" => {
                self.name = "model".into();
                next
            }
            "parameter" => State::Parameter,
            "message" => {
                self.name = keyword;
                State::Message
            }
            _ => {
                self.name = keyword;
                next
            }
        })
    }

    fn emit(&mut self, value: String) {
        let args = match self.role.take() {
            Some(role) => format!("{role}: {value}"),
            None => value,
        };
        self.parsed.push(Command {
            name: self.name.clone(),
            args,
        });
    }

    fn line_error(&self, message: &str) -> ParseError {
        ParseError::Line {
            line: self.line + 1,
            message: message.into(),
        }
    }

    fn finish(mut self) -> Result<Parsed, ParseError> {
        match self.state.unwrap_or(State::Nil) {
            State::Nil => {}
            State::Comment => self.comments.push(std::mem::take(&mut self.comment)),
            State::Value => {
                let value = unquote(self.buffer.trim())
                    .ok_or(ParseError::UnexpectedEof { buffer: None })?;
                self.emit(value);
            }
            _ => return Err(ParseError::UnexpectedEof { buffer: None }),
        }
        if !self.parsed.iter().any(|c| c.name == "model") {
            return Err(ParseError::NoFrom);
        }
        Ok(Parsed {
            commands: self.parsed,
            comments: self.comments,
        })
    }
}

/// `parseRuneForState`: the next state and the rune to keep, if any.
fn transition(rune: char, state: State) -> Result<(State, Option<char>), Step> {
    let alpha = rune.is_ascii_alphabetic();
    Ok(match state {
        State::Nil if rune == '#' => (State::Comment, None),
        State::Nil if is_space(rune) || is_newline(rune) => (State::Nil, None),
        State::Nil => (State::Name, Some(rune)),
        State::Name if alpha => (State::Name, Some(rune)),
        State::Name if is_space(rune) => (State::Value, None),
        State::Name => return Err(Step::InvalidCommand),
        State::Value if is_newline(rune) || is_space(rune) => (State::Nil, Some(rune)),
        State::Value => (State::Value, Some(rune)),
        State::Parameter if alpha || rune.is_ascii_digit() || rune == '_' => {
            (State::Parameter, Some(rune))
        }
        State::Message if alpha => (State::Message, Some(rune)),
        State::Parameter | State::Message if is_space(rune) => (State::Value, None),
        State::Parameter | State::Message => return Err(Step::UnexpectedEof),
        State::Comment if is_newline(rune) => (State::Nil, None),
        State::Comment => (State::Comment, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap()
            .commands
            .into_iter()
            .map(|c| (c.name, c.args))
            .collect()
    }

    fn pair(name: &str, args: &str) -> (String, String) {
        (name.into(), args.into())
    }

    #[test]
    fn reads_instructions_case_insensitively() {
        let text = "from llama3.2\nParameter num_ctx 4096\nsYsTeM You are \"terse\".\n";
        assert_eq!(
            commands(text),
            [
                pair("model", "llama3.2"),
                pair("num_ctx", "4096"),
                pair("system", "You are \"terse\".")
            ]
        );
    }

    #[test]
    fn values_run_to_end_of_line_and_are_trimmed() {
        assert_eq!(
            commands("FROM /what/is/the path \n"),
            [pair("model", "/what/is/the path")]
        );
        assert_eq!(commands("FROM llama3 # x"), [pair("model", "llama3 # x")]);
        assert_eq!(
            commands("FROM m\nSYSTEM You are   terse. \n")[1],
            pair("system", "You are   terse.")
        );
    }

    #[test]
    fn tabs_separate_keywords_and_stay_inside_values() {
        // A space or tab inside a value goes through ParseFile's space branch,
        // which keeps it before the printable-rune filter (reference §6.2).
        assert_eq!(commands("FROM\tm"), [pair("model", "m")]);
        assert_eq!(commands("FROM a\tb"), [pair("model", "a\tb")]);
        assert_eq!(
            commands("FROM m\nMESSAGE user \"hi\tthere\""),
            [pair("model", "m"), pair("message", "user: hi\tthere")]
        );
    }

    #[test]
    fn comments_only_at_line_start() {
        let parsed = parse("# head\n  # indented\nFROM m\n#tail").unwrap();
        assert_eq!(parsed.comments, [" head", " indented", "tail"]);
        assert_eq!(parsed.commands.len(), 1);
    }

    #[test]
    fn quotes_span_lines_without_escapes() {
        let text =
            "FROM m\nSYSTEM \"\"\"a \"quoted\"\n# not a comment\n\"\"\"\nTEMPLATE \"  x\\n\"\n";
        assert_eq!(
            commands(text),
            [
                pair("model", "m"),
                pair("system", "a \"quoted\"\n# not a comment\n"),
                pair("template", "  x\\n")
            ]
        );
        assert_eq!(
            commands("FROM m\nSYSTEM \"\"\nLICENSE \"\"\"\"\"\""),
            [pair("model", "m"), pair("system", ""), pair("license", "")]
        );
    }

    #[test]
    fn messages_carry_their_role() {
        assert_eq!(
            commands("FROM m\nMESSAGE user hi there\n"),
            [pair("model", "m"), pair("message", "user: hi there")]
        );
        let error = parse("FROM m\nMESSAGE User hi\n").unwrap_err();
        assert_eq!(error.to_string(), format!("(line 2): {INVALID_ROLE}"));
    }

    #[test]
    fn errors_match_upstream() {
        let cases = [
            ("FROM m\nFOO bar\n", format!("(line 2): {INVALID_COMMAND}")),
            ("FROM\n", format!("(line 2): {INVALID_COMMAND}")),
            (
                "FROM m\nPARAMETER num-ctx 1\n",
                "unexpected EOF: num".to_string(),
            ),
            ("FROM m\nSYSTEM \"open\n", "unexpected EOF".to_string()),
            ("FROM m\nPARAMETER num_ctx", "unexpected EOF".to_string()),
            ("SYSTEM x\n", "no FROM line".to_string()),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), expected, "{text:?}");
        }
    }

    #[test]
    fn non_printable_runes_are_dropped_and_crlf_reads() {
        assert_eq!(
            commands("FROM a\u{a0}b\u{200d}c\r\n"),
            [pair("model", "abc")]
        );
        assert_eq!(
            commands("\u{feff}FROM m\r\nSYSTEM \"a\r\nb\"\r\n"),
            [pair("model", "m"), pair("system", "a\r\nb")]
        );
    }
}
