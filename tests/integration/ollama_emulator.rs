//! Self-tests of the ollama emulator: its output must equal the reference's exact
//! strings (ollama-cli.md), independently of provision's parsers.

use crate::support::Emulator;

const REFERENCE_SHOW: &str = "  Model\n    architecture        llama     \n    parameters          3.2B      \n    context length      131072    \n    embedding length    3072      \n    quantization        Q4_K_M    \n\n  Capabilities\n    completion    \n    tools         \n\n  Parameters\n    stop    \"<|start_header_id|>\"    \n    stop    \"<|end_header_id|>\"      \n    stop    \"<|eot_id|>\"             \n\n  License\n    LLAMA 3.2 COMMUNITY LICENSE AGREEMENT                 \n    Llama 3.2 Version Release Date: September 25, 2024    \n    ...                                                   \n\n";

fn hex12(line: &str) -> String {
    line["pulling ".len()..]["".len()..12].to_string()
}

#[test]
fn empty_list_is_only_the_header() {
    let emu = Emulator::new();
    let out = emu.run(&["list"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "NAME    ID    SIZE    MODIFIED \n", "")
    );
    let out = emu.env("OLLAMA_EMULATOR_ERA", "v0.3").run(&["ls"]);
    assert_eq!(out.stdout, "NAME\tID\tSIZE\tMODIFIED \n");
}

#[test]
fn show_equals_the_reference_example() {
    let emu = Emulator::new();
    assert_eq!(emu.run(&["pull", "llama3.2:3b"]).code, 0);
    let out = emu.run(&["show", "llama3.2:3b"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, REFERENCE_SHOW));
}

#[test]
fn pull_final_frame_matches_the_reference_format() {
    let emu = Emulator::new();
    let out = emu.run(&["pull", "llama3.2"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert!(
        out.stderr.ends_with("\x1b[?25h\x1b[?2026l\n"),
        "{:?}",
        out.stderr
    );
    let frame = out.last_frame();
    let lines: Vec<&str> = frame.split('\n').collect();
    assert_eq!(lines[0], "pulling manifest ");
    let model = format!(
        "pulling {}: 100% ▕██████████████████▏ 2.0 GB                         ",
        hex12(lines[1])
    );
    assert_eq!(lines[1], model);
    assert_eq!(
        &lines[lines.len() - 4..],
        [
            "verifying sha256 digest ",
            "writing manifest ",
            "success ",
            ""
        ]
    );
    let again = emu.run(&["pull", "llama3.2"]);
    assert_eq!(again.code, 0, "a re-pull succeeds with every blob present");
}

#[test]
fn ids_are_manifest_digests_and_aliases_share_them() {
    let emu = Emulator::new();
    for name in [
        "llama3.1",
        "llama3.1:8b",
        "llama3.1:8b-instruct-q4_K_M",
        "llama3.1:70b-instruct-q8_0",
    ] {
        assert_eq!(emu.run(&["pull", name]).code, 0);
    }
    let list = emu.run(&["list"]).stdout;
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let id_of = |name: &str| rows.iter().find(|r| r[0] == name).unwrap()[1].to_string();
    assert_eq!(id_of("llama3.1:latest"), id_of("llama3.1:8b"));
    assert_eq!(id_of("llama3.1:8b"), id_of("llama3.1:8b-instruct-q4_K_M"));
    let manifest = emu
        .state
        .path()
        .join("models/manifests/registry.ollama.ai/library/llama3.1/8b");
    let digest = sha256_hex(&std::fs::read(manifest).unwrap());
    assert_eq!(id_of("llama3.1:8b"), digest[..12]);
    let size_of = |name: &str| rows.iter().find(|r| r[0] == name).unwrap()[2..4].join(" ");
    assert_eq!(size_of("llama3.1:8b"), "4.9 GB");
    assert_eq!(size_of("llama3.1:70b-instruct-q8_0"), "74 GB");
    assert!(
        list.lines().all(|l| l.ends_with(' ')),
        "trailing padding: {list:?}"
    );
    let filtered = emu.run(&["list", "LLAMA3.1:7"]).stdout;
    assert_eq!(filtered.lines().count(), 2, "{filtered}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn unknown_model_pull_fails_after_pulling_manifest() {
    let emu = Emulator::new();
    let out = emu.run(&["pull", "nosuchmodel"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(
        out.last_frame(),
        "pulling manifest \nError: pull model manifest: file does not exist\n"
    );
}

#[test]
fn quantizing_bar_and_single_field_modes() {
    let emu = Emulator::new();
    emu.write(
        "Modelfile",
        "FROM llama3.2:3b-instruct-fp16\nPARAMETER mirostat 1\nSYSTEM Be brief.\n",
    );
    let out = emu.run(&["create", "tiny", "-q", "q4_K_M"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "warning: parameter mirostat is deprecated\n");
    let frame = out.last_frame();
    assert!(
        frame.contains(
            "\nquantizing F16 model to Q4_K_M 100% ▕█████████▏ 2.0 GB                         \n"
        ),
        "{frame}"
    );
    assert!(frame.ends_with("writing manifest \nsuccess \n"));
    assert_eq!(emu.run(&["show", "--system", "tiny"]).stdout, "Be brief.");
    let template = emu.run(&["show", "--template", "tiny"]).stdout;
    assert!(template.starts_with("<|start_header_id|>"));
    assert!(
        template.ends_with("assistant<|end_header_id|>\n\n"),
        "no newline added"
    );
    let modelfile = emu.run(&["show", "--modelfile", "tiny"]).stdout;
    assert!(modelfile.starts_with("# Modelfile generated by \"ollama show\"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM tiny:latest\n\nFROM /"));
    assert!(
        modelfile.contains("\nTEMPLATE \"") && modelfile.contains("\nPARAMETER stop <|eot_id|>\n")
    );
    assert!(modelfile.ends_with("\n\n"));
    let parameters = emu.run(&["show", "--parameters", "tiny"]).stdout;
    assert_eq!(
        parameters,
        format!(
            "{:<30} \"<|start_header_id|>\"\n{:<30} \"<|end_header_id|>\"\n{:<30} \"<|eot_id|>\"\n",
            "stop", "stop", "stop"
        )
    );
    let show = emu.run(&["show", "tiny"]).stdout;
    assert!(
        show.contains("\n    quantization        Q4_K_M    \n")
            && show.contains("\n  System\n    Be brief.    \n\n"),
        "{show}"
    );
}

#[test]
fn quantize_errors_and_exit_codes() {
    let emu = Emulator::new();
    emu.write("Modelfile", "FROM llama3.2:3b\n");
    let out = emu.run(&["create", "x", "-q", "q5_k_m"]);
    assert_eq!(out.code, 1);
    let unsupported = "\nError: unsupported quantization type Q5_K_M - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0\n";
    assert!(
        out.stderr.ends_with(unsupported),
        "plain after the pull streamed: {}",
        out.stderr
    );
    let out = emu.run(&["create", "x", "-q", "Q4_K_M"]);
    assert!(out.stderr.ends_with("Error: 500 Internal Server Error: quantization is only supported for F16, BF16 and F32 models\n"), "{}", out.stderr);
    let out = emu
        .env("OLLAMA_EMULATOR_ERA", "v0.5")
        .run(&["create", "x", "-q", "q4_k_m"]);
    assert!(
        out.stderr
            .ends_with("Error: quantization is only supported for F16 and F32 models\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn argument_and_grammar_errors() {
    let emu = Emulator::new();
    let out = emu.run(&["show"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (1, "Error: accepts 1 arg(s), received 0\n")
    );
    let out = emu.run(&["create", "x"]);
    assert!(
        out.stderr
            .ends_with("\nError: no Modelfile or safetensors files found\n"),
        "{}",
        out.stderr
    );
    emu.write("Modelfile", "FROM llama3.2\nBOGUS x\n");
    let out = emu.run(&["create", "x"]);
    assert!(out.stderr.starts_with("Error: (line 2): command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", \"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"\n"), "{}", out.stderr);
    let out = emu.run(&["show", "--license", "--system", "x"]);
    assert!(out.stderr.starts_with("Error: only one of"));
    let out = emu.run(&["show", "Nope"]);
    assert_eq!(out.stderr, "Error: model 'Nope:latest' not found\n");
}

#[test]
fn version_always_exits_zero() {
    let emu = Emulator::new();
    assert_eq!(emu.run(&["-v"]).stdout, "ollama version is 0.33.0-rc2\n");
    let out = emu
        .env("OLLAMA_EMULATOR_FAULT", "server-down")
        .run(&["--version"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            0,
            "Warning: could not connect to a running Ollama instance\nWarning: client version is 0.33.0-rc2\n"
        )
    );
}

#[test]
fn every_call_is_logged() {
    let emu = Emulator::new();
    emu.run(&["list"]);
    emu.run(&["show", "x"]);
    let calls = emu.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["argv"], serde_json::json!(["show", "x"]));
    assert_eq!(calls[1]["exit"], 1);
}

#[test]
fn upstream_show_unit_test_strings() {
    let emu = Emulator::new();
    emu.write(
        "test.gguf",
        r#"{"family": "test", "file_type": "FP16", "parameter_count": 7000000000}"#,
    );
    emu.write(
        "Modelfile",
        "FROM ./test.gguf\nSYSTEM \"\"\"You are a pirate!\nAhoy, matey!\nArr.\"\"\"\n",
    );
    assert_eq!(emu.run(&["create", "pirate"]).code, 0);
    let show = emu.run(&["show", "pirate"]).stdout;
    let model = "  Model\n    architecture    test    \n    parameters      7B      \n    quantization    FP16    \n\n";
    assert!(show.starts_with(model), "{show:?}");
    let system = "  System\n    You are a pirate!    \n    Ahoy, matey!         \n    ...                  \n\n";
    assert!(show.ends_with(system), "{show:?}");
}

#[test]
fn tab_layout_rows_of_the_old_show() {
    let emu = Emulator::new().env("OLLAMA_EMULATOR_ERA", "v0.3");
    let meta = r#"{"family": "llama", "file_type": "Q4_0", "parameter_count": 8030261248, "context_length": 8192, "embedding_length": 4096}"#;
    emu.write("old.gguf", meta);
    emu.write("Modelfile", "FROM ./old.gguf\n");
    assert_eq!(emu.run(&["create", "old"]).code, 0);
    let show = emu.run(&["show", "old"]).stdout;
    let trimmed: Vec<&str> = show.lines().map(|l| l.trim_end_matches(' ')).collect();
    let reference = [
        "  Model",
        "  \tarch            \tllama\t",
        "  \tparameters      \t8.0B \t",
        "  \tquantization    \tQ4_0 \t",
        "  \tcontext length  \t8192 \t",
        "  \tembedding length\t4096 \t",
    ];
    assert_eq!(&trimmed[..6], reference);
    assert!(show.lines().all(|l| l.ends_with(' ')), "padded: {show:?}");
}
