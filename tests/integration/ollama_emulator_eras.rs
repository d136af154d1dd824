//! The emulator per Ollama version: the newest era's `show`, cloud models and Modelfile
//! commands; 0.5.4's re-serialized Modelfiles and quantizer; the 0.0.0 (bigdl 2.5.0) build.

use crate::support::Emulator;

/// An F16 llama the emulator imports (its GGUF header as JSON, see the emulator's README).
const TINY: &str = r#"{"file_type": "F16", "parameter_count": 1000000000, "context_length": 4096, "embedding_length": 2048, "size": 2000000000}"#;

fn with_tiny(era: &str) -> Emulator {
    let emu = Emulator::new().env("OLLAMA_EMULATOR_ERA", era);
    emu.write("tiny.gguf", TINY);
    emu
}

/// Creates `name` from tiny.gguf with this SYSTEM line (as provision writes it) and returns
/// (exit code, last stderr line, `show --system` output).
fn create_with_system(emu: &Emulator, name: &str, system_line: &str) -> (i32, String, String) {
    emu.write(
        "Modelfile",
        &format!("FROM ./tiny.gguf\nSYSTEM {system_line}\n"),
    );
    let out = emu.run(&["create", name]);
    let last = out.stderr.lines().last().unwrap_or_default().to_string();
    let system = emu.run(&["show", "--system", name]).stdout;
    (out.code, last, system)
}

#[test]
fn the_0_5_4_client_reserializes_the_modelfile() {
    let old = with_tiny("v0.5.4");
    assert_eq!(old.run(&["-v"]).stdout, "ollama version is 0.5.4\n");
    // Values that need quoting but that quote() leaves bare no longer parse on the server.
    for (i, line) in [
        "\"\"x\"",             // "x
        "\"\"\"\"\"\"\"",      // "
        "\"\"\"\"\"\"\"\"\"",  // """
        "\"\"\"\"\"\"x\"\"\"", // """x
    ]
    .iter()
    .enumerate()
    {
        let (code, last, _) = create_with_system(&old, &format!("m{i}"), line);
        assert_eq!(
            (code, last.as_str()),
            (1, "Error: unexpected EOF"),
            "{line}"
        );
    }
    let (code, _, system) = create_with_system(&old, "empty", "\"\"");
    assert_eq!((code, system.as_str()), (0, ""));
    let modelfile = old.run(&["show", "--modelfile", "empty"]).stdout;
    assert!(!modelfile.contains("\nSYSTEM"), "{modelfile}");
    // A CR LF comes through both parses (observed on the real 0.5.4, observed-0.5.4.md).
    let (code, _, system) = create_with_system(&old, "crlf", "\"\"\"x\r\ny\"\"\"");
    assert_eq!((code, system.as_str()), (0, "x\r\ny"));
    // The newest client sends the parsed fields: the same lines keep their values.
    let new = with_tiny("current");
    assert_eq!(create_with_system(&new, "q", "\"\"x\"").2, "\"x");
    assert_eq!(
        create_with_system(&new, "crlf", "\"\"\"x\r\ny\"\"\"").2,
        "x\r\ny"
    );
    let out = Emulator::new().run(&["create", "ok", "-f", "missing"]);
    assert!(
        out.stderr
            .ends_with("Error: no Modelfile or safetensors files found\n")
    );
    let out = old.run(&["create", "ok", "-f", "missing"]);
    assert_eq!(out.stderr, "Error: specified Modelfile wasn't found\n");
}

#[test]
fn the_0_5_4_quantizer_makes_every_k_quant() {
    let old = with_tiny("v0.5.4");
    old.write("Modelfile", "FROM ./tiny.gguf\n");
    for level in [
        "q2_K", "q3_K_M", "q4_0", "q4_K_S", "q4_K_M", "q5_K_M", "q6_K", "q8_0",
    ] {
        let out = old.run(&["create", level, "-q", level]);
        assert_eq!(out.code, 0, "{level}: {}", out.stderr);
        let frame = out.last_frame();
        assert!(
            frame.contains(&format!(
                "quantizing F16 model to {} ",
                level.to_uppercase()
            )),
            "{frame}"
        );
        let show = old.run(&["show", level]).stdout;
        let row = format!("quantization        {}", level.to_uppercase());
        assert!(show.contains(&row), "{show}");
    }
    let out = old.run(&["create", "x", "-q", "q4_k"]);
    assert!(
        out.stderr.ends_with("Error: unknown fileType: Q4_K\n"),
        "{}",
        out.stderr
    );
    let new = with_tiny("current");
    new.write("Modelfile", "FROM ./tiny.gguf\n");
    let out = new.run(&["create", "x", "-q", "q5_K_M"]);
    assert!(
        out.stderr
            .ends_with("supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0\n")
    );
}

#[test]
fn the_bigdl_0_0_0_build() {
    let emu = with_tiny("v0.0.0");
    assert_eq!(emu.run(&["-v"]).stdout, "ollama version is 0.0.0\n");
    emu.write("Modelfile", "FROM ./tiny.gguf\nPARAMETER stop <|eot|>\n");
    assert_eq!(emu.run(&["create", "t"]).code, 0);
    let out = emu.run(&["show", "t"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error: one of '--license', '--modelfile', '--parameters', '--system', or '--template' must be specified\n"
    );
    assert!(
        emu.run(&["show", "--modelfile", "t"])
            .stdout
            .contains("\nPARAMETER stop <|eot|>\n")
    );
    let out = emu.run(&["create", "u", "-f", "nope"]);
    assert!(
        out.stderr.starts_with("Error: open /")
            && out.stderr.ends_with("/nope: no such file or directory\n"),
        "-f defaults to Modelfile and a missing file is os.Open's error: {}",
        out.stderr
    );
    let list = emu.run(&["list"]).stdout;
    assert!(
        list.starts_with("NAME    \tID          \tSIZE  \tMODIFIED "),
        "{list:?}"
    );
    assert!(
        list.lines().nth(1).unwrap().starts_with("t:latest\t"),
        "{list:?}"
    );
}

#[test]
fn the_newest_show_has_requires_capabilities_and_cut_text() {
    let emu = with_tiny("current");
    emu.write("Modelfile", "FROM qwen3:0.6b\nREQUIRES 0.14.0\nSYSTEM \"\"\"One.\n\nTwo.\nThree.\"\"\"\nLICENSE \"\"\"A\nB\"\"\"\n");
    assert_eq!(emu.run(&["create", "q"]).code, 0);
    let show = emu.run(&["show", "q"]).stdout;
    assert!(
        show.contains(
            "\n    quantization        Q4_K_M     \n    requires            0.14.0     \n"
        ),
        "{show}"
    );
    assert!(
        show.contains(
            "  Capabilities\n    completion    \n    tools         \n    thinking      \n"
        ),
        "{show}"
    );
    assert!(
        show.contains("  System\n    One.    \n    Two.    \n    ...     \n"),
        "{show}"
    );
    assert!(show.contains("  License\n    Apache License               \n    Version 2.0, January 2004    \n    ...                          \n"), "{show}");
    let old = Emulator {
        env: vec![("OLLAMA_EMULATOR_ERA".into(), "v0.12".into())],
        ..emu
    };
    assert!(!old.run(&["show", "q"]).stdout.contains("requires"));
}

#[test]
fn capabilities_come_from_metadata_template_and_parser() {
    let emu = Emulator::new();
    emu.write("embed.gguf", r#"{"family": "bert", "pooling_type": 1}"#);
    emu.write(
        "vision.gguf",
        r#"{"family": "gemma3", "vision_block_count": 27}"#,
    );
    let cases = [
        ("FROM ./embed.gguf\n", "embedding\n"),
        (
            "FROM ./vision.gguf\nTEMPLATE {{ .Prompt }}{{ .Suffix }}\n",
            "completion\n    vision\n    insert\n",
        ),
        (
            "FROM ./vision.gguf\nPARSER qwen3-thinking\n",
            "completion\n    vision\n    tools\n    thinking\n",
        ),
    ];
    for (i, (modelfile, caps)) in cases.iter().enumerate() {
        emu.write("Modelfile", modelfile);
        let name = format!("c{i}");
        assert_eq!(emu.run(&["create", &name]).code, 0);
        let show = emu.run(&["show", &name]).stdout;
        let section = show.split("  Capabilities\n").nth(1).unwrap_or_default();
        let listed: Vec<&str> = section
            .lines()
            .take_while(|l| !l.is_empty())
            .map(str::trim)
            .collect();
        let expected: Vec<&str> = caps.lines().map(str::trim).collect();
        assert_eq!(listed, expected, "{modelfile}");
    }
}

#[test]
fn cloud_models_list_without_size_and_show_remote_rows() {
    let emu = Emulator::new();
    let out = emu.run(&["pull", "gpt-oss:20b:cloud"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list = emu.run(&["list"]).stdout;
    let row: Vec<&str> = list.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!((row[0], row[2]), ("gpt-oss:20b-cloud", "-"), "{list}");
    let show = emu.run(&["show", "gpt-oss:20b:cloud"]).stdout;
    assert!(show.starts_with("  Model\n    Remote model        gpt-oss:20b               \n    Remote URL          https://ollama.com:443    \n    architecture        gptoss                    \n"), "{show}");
    let out = emu.run(&["pull", "gpt-oss:20b:cloud:local"]);
    assert!(
        out.stderr.ends_with(
            "Error: use either :local or :cloud, not both: \"gpt-oss:20b:cloud:local\"\n"
        ),
        "{}",
        out.stderr
    );
    let old = emu.env("OLLAMA_EMULATOR_ERA", "v0.5");
    let out = old.run(&["pull", "gpt-oss:20b-cloud"]);
    assert!(
        out.stderr
            .ends_with("Error: pull model manifest: file does not exist\n")
    );
}

#[test]
fn draft_renderer_parser_and_requires() {
    let emu = with_tiny("current");
    emu.write(
        "draft.gguf",
        r#"{"file_type": "F16", "parameter_count": 100000000}"#,
    );
    emu.write("Modelfile", "FROM ./tiny.gguf\nDRAFT ./draft.gguf\nRENDERER qwen3-coder\nPARSER qwen3-coder\nREQUIRES 0.14\n");
    let out = emu.run(&["create", "d"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let modelfile = emu.run(&["show", "--modelfile", "d"]).stdout;
    let commands: Vec<&str> = modelfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        commands,
        ["FROM", "DRAFT", "TEMPLATE", "RENDERER", "PARSER"],
        "no REQUIRES: {modelfile}"
    );
    assert!(
        emu.run(&["show", "d"])
            .stdout
            .contains("\n    requires            0.14     \n")
    );
    for (line, error) in [
        (
            "REQUIRES latest",
            "Error: requires must be a valid semver (e.g. 0.14.0)\n",
        ),
        ("DRAFT ./none.gguf", "no such file or directory\n"),
    ] {
        emu.write("Modelfile", &format!("FROM ./tiny.gguf\n{line}\n"));
        let out = emu.run(&["create", "e"]);
        assert!(out.stderr.ends_with(error), "{line}: {}", out.stderr);
    }
    let out = emu
        .env("OLLAMA_EMULATOR_ERA", "v0.12")
        .run(&["create", "e"]);
    assert!(out.stderr.ends_with("(line 2): command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", \"renderer\", \"parser\", \"parameter\", or \"message\"\n"), "{}", out.stderr);
}
