//! Rendering arbitrary values and reading them back with Ollama's grammar: the
//! result is the same Modelfile, or a clean refusal naming the field.

use proptest::prelude::*;
use provision::modelfile::{
    Message, Modelfile, ParamValue, Parameter, QuoteError, Role, grammar, quote, render,
};

/// Characters that stress the lexer: quotes, line breaks, spaces, comment marks,
/// keywords, Unicode, and runes Ollama drops.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(vec!['"', '\n', '\r', ' ', '\t', '#', 'F', 'R', 'O', 'M', 'a', 'z', '1', ':']),
        2 => prop::sample::select(vec!['é', '€', '😀', 'ß', '中', '\u{301}']),
        1 => prop::sample::select(vec!['\u{a0}', '\u{200b}', '\u{7f}', '\u{feff}', '\u{0}']),
        1 => any::<char>(),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(hostile_char(), 0..24).prop_map(|c| c.into_iter().collect()),
        1 => prop::sample::select(vec![
            "\"\"\"\nFROM evil\nPARAMETER num_ctx 1".to_string(),
            "\"\"\"".to_string(),
            "\"".to_string(),
            "ok\"\"\"\nFROM evil".to_string(),
            "# comment\nPARAMETER num_ctx 1\n".to_string(),
            "  leading and trailing  ".to_string(),
            "line\r\nline\r\n".to_string(),
            String::new(),
        ]),
    ]
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(vec![Role::System, Role::User, Role::Assistant])
}

fn modelfile() -> impl Strategy<Value = Modelfile> {
    (
        prop::option::of(hostile_text()),
        prop::option::of(hostile_text()),
        prop::collection::vec((role(), hostile_text()), 0..3),
        prop::collection::vec(hostile_text(), 0..3),
        prop::collection::vec(hostile_text(), 0..2),
        (
            any::<i64>(),
            any::<f32>().prop_filter("finite", |f| f.is_finite()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(system, template, messages, stops, licenses, (int, float, flag))| {
                let mut file =
                    Modelfile::new("registry.ollama.ai/library/llama3.1:8b-instruct-q4_K_M");
                file.system = system;
                file.template = template;
                file.messages = messages
                    .into_iter()
                    .map(|(role, content)| Message { role, content })
                    .collect();
                file.parameters
                    .push(Parameter::new("seed", ParamValue::Int(int)));
                file.parameters
                    .push(Parameter::new("temperature", ParamValue::Float(float)));
                file.parameters
                    .push(Parameter::new("use_mmap", ParamValue::Bool(flag)));
                file.parameters.extend(
                    stops
                        .into_iter()
                        .map(|s| Parameter::new("stop", ParamValue::Text(s))),
                );
                file.licenses = licenses;
                file
            },
        )
}

/// Every text value of the file with the field it is written in.
fn texts(file: &Modelfile) -> Vec<String> {
    let mut all: Vec<String> = file.system.iter().chain(&file.template).cloned().collect();
    all.extend(file.messages.iter().map(|m| m.content.clone()));
    all.extend(file.parameters.iter().map(|p| p.value.to_string()));
    all.extend(file.licenses.iter().cloned());
    all
}

/// True when no quoting at all makes the grammar read the value back: the
/// refusal was necessary, not over-cautious.
fn no_form_reads_back(value: &str) -> bool {
    ["", "\"", "\"\"\""].iter().all(|q| {
        let text = format!("FROM m\nSYSTEM {q}{value}{q}\nLICENSE end\n");
        grammar::parse(&text).map_or(true, |parsed| {
            parsed.commands.len() != 3
                || parsed.commands[1].args != value
                || parsed.commands[2].args != "end"
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn render_then_parse_gives_the_same_values(file in modelfile()) {
        match render(&file) {
            Ok(text) => {
                let back = Modelfile::parse(&text).unwrap();
                prop_assert_eq!(&back.from, &file.from);
                prop_assert_eq!(&back.system, &file.system);
                prop_assert_eq!(&back.template, &file.template);
                prop_assert_eq!(&back.messages, &file.messages);
                prop_assert_eq!(&back.parameters, &file.parameters);
                prop_assert_eq!(&back.licenses, &file.licenses);
                prop_assert!(back.extra.is_empty());
            }
            Err(error) => {
                let quote_error = error.downcast_ref::<QuoteError>();
                prop_assert!(quote_error.is_some(), "not a quoting refusal: {:#}", error);
                let refused: Vec<String> = texts(&file).into_iter().filter(|t| quote("SYSTEM", t).is_err()).collect();
                prop_assert!(!refused.is_empty());
                for value in refused {
                    let printable = value.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
                    if printable && !value.contains(['\u{a0}', '\u{200b}', '\u{feff}']) {
                        prop_assert!(no_form_reads_back(&value), "refused a writable value {:?}", value);
                    }
                }
            }
        }
    }

    #[test]
    fn the_parser_never_panics(text in prop::collection::vec(hostile_char(), 0..80)) {
        let text: String = text.into_iter().collect();
        let _ = Modelfile::parse(&format!("FROM m\n{text}"));
        let _ = grammar::parse(&text);
    }
}

#[test]
fn hostile_system_prompts_cannot_add_instructions() {
    let writable = [
        "ignore this\nFROM evil\nPARAMETER num_ctx 1",
        "# comment\nPARAMETER num_ctx 1",
        "\"\nFROM evil\n\"",
        "x\"\"\"y\nFROM evil",
        " SYSTEM inside ",
        "crlf\r\nFROM evil\r\n",
        "ünïcødé 😀 \"quoted\"",
    ];
    for system in writable {
        let mut file = Modelfile::new("llama3.1:8b");
        file.system = Some(system.to_string());
        let text = render(&file).unwrap_or_else(|e| panic!("{system:?}: {e}"));
        let parsed = grammar::parse(&text).unwrap();
        assert_eq!(parsed.commands.len(), 2, "{text}");
        assert_eq!(parsed.commands[1].args, system);
    }
    let refused = [
        "\"\"\"\nFROM evil\nPARAMETER num_ctx 1",
        "a\"\"\"\nb\"\nc",
        "zero\u{200b}width",
    ];
    for system in refused {
        let mut file = Modelfile::new("llama3.1:8b");
        file.system = Some(system.to_string());
        let error = render(&file).unwrap_err().to_string();
        assert!(
            error.starts_with("SYSTEM cannot be written into a Modelfile"),
            "{error}"
        );
    }
}
