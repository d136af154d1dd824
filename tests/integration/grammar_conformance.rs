//! The grammar against the expectations of Ollama's own parser tests
//! (`parser/parser_test.go`), restated as data.

use provision::modelfile::grammar::{ParseError, parse};

fn commands(text: &str) -> Vec<(String, String)> {
    parse(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .commands
        .into_iter()
        .map(|c| (c.name, c.args))
        .collect()
}

fn expect(text: &str, expected: &[(&str, &str)]) {
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, a)| (n.to_string(), a.to_string()))
        .collect();
    assert_eq!(commands(text), expected, "{text:?}");
}

#[test]
fn whitespace_is_trimmed_outside_quotes_only() {
    let text = "\nFROM \"     model 1\"\nADAPTER      adapter3\nLICENSE \"MIT       \"\n\
                PARAMETER param1        value1\nTEMPLATE \"\"\"   {{ .Prompt }}   \"\"\"    \n";
    expect(
        text,
        &[
            ("model", "     model 1"),
            ("adapter", "adapter3"),
            ("license", "MIT       "),
            ("param1", "value1"),
            ("template", "   {{ .Prompt }}   "),
        ],
    );
    expect("FROM \"FOO  BAR  \"", &[("model", "FOO  BAR  ")]);
    expect("FROM     FOOO BAR    ", &[("model", "FOOO BAR")]);
    expect(
        "PARAMETER what the \nFROM lemons make lemonade ",
        &[("what", "the"), ("model", "lemons make lemonade")],
    );
}

#[test]
fn quoted_values() {
    expect(
        "\nFROM foo\nSYSTEM \"\"\"\nThis is a\nmultiline system.\n\"\"\"\n\t\t\t",
        &[
            ("model", "foo"),
            ("system", "\nThis is a\nmultiline system.\n"),
        ],
    );
    expect(
        "FROM foo\nSYSTEM \"\"\"This is a\nmultiline system.\"\"\"\n",
        &[("model", "foo"), ("system", "This is a\nmultiline system.")],
    );
    expect(
        "FROM foo\nSYSTEM \"'\"\n",
        &[("model", "foo"), ("system", "'")],
    );
    let tricky = "''\"'\"\"'\"\"'\"'''''\"\"'\"\"'";
    expect(
        &format!("FROM foo\nSYSTEM \"\"\"{tricky}\"\"\"\n"),
        &[("model", "foo"), ("system", tricky)],
    );
    expect(
        "FROM foo\nSYSTEM \"\"\"\"\"\"\n",
        &[("model", "foo"), ("system", "")],
    );
    expect(
        "FROM foo\nTEMPLATE \"\"\"\n{{ .Prompt }}\n\"\"\"",
        &[("model", "foo"), ("template", "\n{{ .Prompt }}\n")],
    );
}

#[test]
fn stop_parameters() {
    let cases = [
        ("stop ### User:", "### User:"),
        ("stop ### User: ", "### User:"),
        ("stop \"### User:\"", "### User:"),
        ("stop \"### User: \"", "### User: "),
        ("stop \"\"\"### User:\"\"\"", "### User:"),
        ("stop \"\"\"### User:\n\"\"\"", "### User:\n"),
        ("stop <|eot_id|>", "<|eot_id|>"),
        ("stop </s>", "</s>"),
    ];
    for (line, value) in cases {
        expect(
            &format!("FROM foo\nPARAMETER {line}\n"),
            &[("model", "foo"), ("stop", value)],
        );
    }
}

#[test]
fn messages() {
    expect(
        "\nFROM foo\nMESSAGE system \"\"\"\nYou are a multiline file parser.\n\"\"\"\n\t\t\t",
        &[
            ("model", "foo"),
            ("message", "system: \nYou are a multiline file parser.\n"),
        ],
    );
    expect(
        "FROM foo\nMESSAGE user Hey there!",
        &[("model", "foo"), ("message", "user: Hey there!")],
    );
}

#[test]
fn errors() {
    let line = |line: usize, message: &str| ParseError::Line {
        line,
        message: message.into(),
    };
    let invalid = "command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", \"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
    let role = "message role must be one of \"system\", \"user\", or \"assistant\"";
    let cases = [
        ("", ParseError::NoFrom),
        ("PARAMETER param1 value1", ParseError::NoFrom),
        ("\nFROM foo\nBADCOMMAND param1 value1\n", line(3, invalid)),
        ("\nFROM foo\nMESSAGE badguy I'm a bad guy!\n", line(3, role)),
        (
            "\nFROM foo\nPARAMETER param1\n",
            ParseError::UnexpectedEof {
                buffer: Some("param1".into()),
            },
        ),
        (
            "\nFROM foo\nMESSAGE system\n",
            ParseError::UnexpectedEof {
                buffer: Some("system".into()),
            },
        ),
        (
            "\nFROM foo\nMESSAGE system",
            ParseError::UnexpectedEof { buffer: None },
        ),
        (
            "\nFROM foo\nSYSTEM \"\"\"This is a multiline system.\"\"\n\t\t\t",
            ParseError::UnexpectedEof { buffer: None },
        ),
        (
            "\nFROM foo\nSYSTEM \"\n\t\t\t",
            ParseError::UnexpectedEof { buffer: None },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text).unwrap_err(), expected, "{text:?}");
    }
}
