//! Differential tests: the emulator (python, written from the reference) and
//! provision's parsers (Rust, written from the same reference) must agree exactly.

/// Texts built from the tokens that matter to the Modelfile grammar, from a fixed seed.
fn grammar_cases(count: usize) -> Vec<String> {
    const TOKENS: [&str; 24] = [
        "FROM",
        "from",
        "PARAMETER",
        "SYSTEM",
        "MESSAGE",
        "user",
        "robot",
        "LICENSE",
        " ",
        " ",
        "\t",
        "\n",
        "\n",
        "\r\n",
        "\"",
        "\"\"\"",
        "#",
        "x",
        "stop",
        "a-b",
        "é",
        "TEMPLATE",
        "\u{feff}",
        "1",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    (0..count)
        .map(|_| {
            let mut text = String::from(["FROM m\n", "", "# c\nFROM m "][next() % 3]);
            for _ in 0..next() % 14 {
                text.push_str(TOKENS[next() % TOKENS.len()]);
            }
            text
        })
        .collect()
}

fn rust_outcome(text: &str) -> serde_json::Value {
    match provision::modelfile::grammar::parse(text) {
        Ok(parsed) => serde_json::json!([
            "ok",
            parsed
                .commands
                .iter()
                .map(|c| [&c.name, &c.args])
                .collect::<Vec<_>>()
        ]),
        Err(error) => serde_json::json!(["err", error.to_string()]),
    }
}

/// The emulator's grammar and provision's are written independently from §6 of the
/// reference; on the same inputs they must agree exactly.
#[test]
fn the_emulator_and_the_parser_agree_on_the_modelfile_grammar() {
    let cases = grammar_cases(400);
    let body = "out = []\nfor text in cases:\n    try:\n        out.append(['ok', [list(c) for c in emu.parse_modelfile(text)]])\n    except emu.Fail as e:\n        out.append(['err', e.message])\nprint(json.dumps(out))";
    let python = with_emulator_module(body, &cases);
    let ok = python.iter().filter(|v| v[0] == "ok").count();
    assert!(
        ok > 40 && ok < 360,
        "a mix of valid and invalid texts: {ok} ok"
    );
    for (text, emulated) in cases.iter().zip(python) {
        assert_eq!(rust_outcome(text), emulated, "on {text:?}");
    }
}

/// Runs a python snippet with the emulator's grammar and names as `emu` and the cases in
/// `cases`, returning the JSON it prints.
fn with_emulator_module(body: &str, cases: &[String]) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.json");
    std::fs::write(&input, serde_json::to_string(cases).unwrap()).unwrap();
    let program = format!(
        "import json, sys, types\nsys.path.insert(0, sys.argv[1])\nfrom ollama_emu import env, modelfile, names\nemu = types.SimpleNamespace(Fail=env.Fail, parse_modelfile=modelfile.parse_modelfile, parse_name=names.parse_name, short=names.short)\ncases = json.load(open(sys.argv[2], encoding='utf-8'))\n{body}"
    );
    let output = std::process::Command::new("python3")
        .args(["-c", &program])
        .env_remove("OLLAMA_EMULATOR_ERA")
        .arg(crate::support::emulator::module())
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_emulator_and_the_name_type_agree() {
    const TOKENS: [&str; 14] = [
        "a", "B", "1", "_", "-", ".", ":", "/", "://", "é", "@", " ", "x.gguf", "h:5000",
    ];
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let cases: Vec<String> = (0..500)
        .map(|_| {
            (0..1 + next() % 7)
                .map(|_| TOKENS[next() % TOKENS.len()])
                .collect()
        })
        .collect();
    let body = "print(json.dumps([(lambda n: emu.short(n) if n else None)(emu.parse_name(c)) for c in cases]))";
    let emulated = with_emulator_module(body, &cases);
    let valid = emulated.iter().filter(|v| !v.is_null()).count();
    assert!(
        valid > 50 && valid < 450,
        "a mix of valid and invalid names: {valid}"
    );
    for (case, emulated) in cases.iter().zip(emulated) {
        let ours = provision::name::ModelName::parse(case)
            .ok()
            .map(|n| n.display_shortest());
        assert_eq!(serde_json::json!(ours), emulated, "on {case:?}");
    }
}
