//! The emulator where the real Ollama 0.5.4 corrected it (tests/real_ollama/observed-0.5.4.md,
//! the differential test in real_ollama/differential.rs): these run without the real
//! build, so the corrections hold on every machine.

use crate::support::Emulator;
use serde_json::{Value, json};
use sha2::Digest;

/// A GGUF header (version 3) with these string and u32 key/values, a token list and two
/// F16 tensors of 64×2 and 64×64 (4224 parameters); no tensor data, which the emulator
/// does not read.
fn gguf(strings: &[(&str, &str)], numbers: &[(&str, u32)]) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        out.extend((s.len() as u64).to_le_bytes());
        out.extend(s.as_bytes());
    }
    let mut out = b"GGUF".to_vec();
    out.extend(3u32.to_le_bytes());
    out.extend(2u64.to_le_bytes());
    out.extend(((strings.len() + numbers.len() + 1) as u64).to_le_bytes());
    for (key, value) in strings {
        text(&mut out, key);
        out.extend(8u32.to_le_bytes());
        text(&mut out, value);
    }
    for (key, value) in numbers {
        text(&mut out, key);
        out.extend(4u32.to_le_bytes());
        out.extend(value.to_le_bytes());
    }
    text(&mut out, "tokenizer.ggml.tokens");
    out.extend(9u32.to_le_bytes());
    out.extend(8u32.to_le_bytes());
    out.extend(2u64.to_le_bytes());
    text(&mut out, "<s>");
    text(&mut out, "a");
    for (name, dims) in [
        ("token_embd.weight", [64u64, 2]),
        ("blk.0.attn_q.weight", [64, 64]),
    ] {
        text(&mut out, name);
        out.extend(2u32.to_le_bytes());
        dims.iter().for_each(|d| out.extend(d.to_le_bytes()));
        out.extend(1u32.to_le_bytes());
        out.extend(0u64.to_le_bytes());
    }
    out
}

fn tiny_gguf() -> Vec<u8> {
    gguf(
        &[("general.architecture", "llama"), ("general.name", "tiny")],
        &[
            ("general.file_type", 1),
            ("llama.context_length", 131072),
            ("llama.embedding_length", 64),
            ("llama.block_count", 1),
            ("llama.attention.head_count", 4),
            ("llama.attention.head_count_kv", 2),
        ],
    )
}

/// An emulator of `era` holding tiny.gguf and `base` created from it.
fn with_base(era: &str) -> Emulator {
    let emu = Emulator::new().era(era);
    std::fs::write(emu.cwd.path().join("tiny.gguf"), tiny_gguf()).unwrap();
    emu.write("Base", "FROM ./tiny.gguf\n");
    emu.ok(&["create", "base", "-f", "Base"]);
    emu
}

/// A file of the emulator's store, as JSON.
fn stored(emu: &Emulator, path: &str) -> Value {
    let text = std::fs::read(emu.state.path().join("models").join(path)).unwrap();
    serde_json::from_slice(&text).unwrap()
}

fn blob(emu: &Emulator, digest: &Value) -> Value {
    stored(
        emu,
        &format!("blobs/{}", digest.as_str().unwrap().replace(':', "-")),
    )
}

#[test]
fn a_real_gguf_header_is_read_and_imported_as_the_file_itself() {
    let emu = with_base("v0.5.4");
    let manifest = stored(&emu, "manifests/registry.ollama.ai/library/base/latest");
    let weights = &manifest["layers"][0];
    let file = std::fs::read(emu.cwd.path().join("tiny.gguf")).unwrap();
    let hash = sha2::Sha256::digest(&file);
    let digest: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let digest = format!("sha256:{digest}");
    assert_eq!(
        weights["digest"],
        json!(digest),
        "the blob is the uploaded file"
    );
    let from = weights["from"].as_str().unwrap();
    assert!(from.ends_with(&format!("/blobs/{}", digest.replace(':', "-"))));
    // 0.5.4's config: no lengths, the layers in rootfs (server/images.go).
    let config = blob(&emu, &manifest["config"]["digest"]);
    assert_eq!(
        config,
        json!({"model_format": "gguf", "model_family": "llama", "model_families": ["llama"],
               "model_type": "4K", "file_type": "F16", "architecture": "amd64",
               "os": "linux", "rootfs": {"type": "layers", "diff_ids": [digest]}})
    );
    let show = emu.ok(&["show", "base"]).stdout;
    assert!(
        show.contains("    context length      131072    \n"),
        "{show}"
    );
    std::fs::write(emu.cwd.path().join("cut.gguf"), &tiny_gguf()[..60]).unwrap();
    emu.write("Cut", "FROM ./cut.gguf\n");
    let out = emu.run(&["create", "cut", "-f", "Cut"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.ends_with(": unexpected EOF\n"), "{}", out.stderr);
    let current = with_base("current");
    let manifest = stored(&current, "manifests/registry.ollama.ai/library/base/latest");
    let config = blob(&current, &manifest["config"]["digest"]);
    assert!(config.get("rootfs").is_none(), "gone in v0.33: {config}");
}

#[test]
fn layers_follow_0_5_4_s_command_order_with_messages_before_parameters() {
    let emu = with_base("v0.5.4");
    emu.write(
        "M",
        "FROM base\nPARAMETER stop <x>\nMESSAGE user é\nSYSTEM s\nLICENSE l\n",
    );
    emu.ok(&["create", "m", "-f", "M"]);
    let manifest = stored(&emu, "manifests/registry.ollama.ai/library/m/latest");
    let kinds: Vec<&str> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap().rsplit('.').next().unwrap())
        .collect();
    assert_eq!(kinds, ["model", "system", "license", "messages", "params"]);
    // Written as Go's json.Encoder writes them: <, > escaped, UTF-8 kept.
    let params = std::fs::read_to_string(
        emu.state.path().join("models/blobs").join(
            manifest["layers"][4]["digest"]
                .as_str()
                .unwrap()
                .replace(':', "-"),
        ),
    )
    .unwrap();
    assert_eq!(params, "{\"stop\":[\"\\u003cx\\u003e\"]}\n");
    let later = with_base("v0.5");
    later.write(
        "M",
        "FROM base\nPARAMETER stop <x>\nMESSAGE user é\nSYSTEM s\n",
    );
    later.ok(&["create", "m", "-f", "M"]);
    let manifest = stored(&later, "manifests/registry.ollama.ai/library/m/latest");
    let last = &manifest["layers"][3]["mediaType"];
    assert_eq!(last, "application/vnd.ollama.image.messages");
}

#[test]
fn a_missing_file_and_a_bad_template_fail_as_the_real_ones_do() {
    for (era, missing) in [
        ("v0.5.4", "invalid model reference: ./missing.gguf"),
        ("v0.3", "invalid model reference: ./missing.gguf"),
        ("v0.5", "invalid model name"),
    ] {
        let emu = with_base(era);
        emu.write("Missing", "FROM ./missing.gguf\n");
        let out = emu.run(&["create", "x", "-f", "Missing"]);
        assert!(
            out.stderr.ends_with(&format!("Error: {missing}\n")),
            "{era}: {}",
            out.stderr
        );
        emu.write("Adapter", "FROM base\nADAPTER ./nope.bin\n");
        let out = emu.run(&["create", "x", "-f", "Adapter"]);
        assert!(
            out.stderr
                .ends_with("/nope.bin: no such file or directory\n"),
            "{}",
            out.stderr
        );
    }
    let emu = with_base("v0.5.4");
    for (template, error) in [
        (
            "\"\"\"a\n{{ .Prompt\n\"\"\"",
            ":3: unclosed action started at :2",
        ),
        (
            "{{ .Prompt | nosuchfn }}",
            ":1: function \"nosuchfn\" not defined",
        ),
        ("{{ if .System }}x", ":1: unexpected EOF"),
        ("{{ end }}", ":1: unexpected {{end}}"),
        ("\"\"\"x\n{{/* c\"\"\"", ":2: unclosed comment"),
    ] {
        emu.write("T", &format!("FROM base\nTEMPLATE {template}\n"));
        let out = emu.run(&["create", "t", "-f", "T"]);
        let expected = format!("Error: template error: template: {error}\n");
        assert!(
            out.stderr.ends_with(&expected),
            "{template}: {}",
            out.stderr
        );
    }
    emu.write(
        "T",
        "FROM base\nTEMPLATE {{ if .System }}{{ json .System }}{{ end }}\n",
    );
    emu.ok(&["create", "t", "-f", "T"]);
}

#[test]
fn a_pull_whose_server_dies_exits_0_before_0_30() {
    for era in ["v0.5.4", "v0.12"] {
        let emu = Emulator::new().era(era).fault("pull-cut");
        let out = emu.run(&["pull", "llama3.2:1b"]);
        assert_eq!(out.code, 0, "{era}: {}", out.stderr);
        let last = provision::ollama::progress::parse_progress(&out.stderr);
        assert_eq!(last.last_status(), Some("pulling manifest"), "{out:?}");
    }
    let out = Emulator::new()
        .fault("pull-cut")
        .run(&["pull", "llama3.2:1b"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.ends_with("Error: unexpected EOF\n"),
        "{}",
        out.stderr
    );
    // What provision must catch, as against the real 0.5.4 (failures.rs).
    let emu = Emulator::new().era("v0.5.4").fault("pull-cut");
    crate::support::Provision::new()
        .emulator(&emu)
        .device(crate::support::Device::DESKTOP)
        .args(["auto", "--quiet"])
        .run()
        .code(1)
        .one_error_line(&["could not pull model"]);
}

#[test]
fn frames_before_0_5_12_clear_each_line_drawn() {
    let out = Emulator::new().era("v0.5.4").run(&["pull", "llama3.2:1b"]);
    assert!(
        out.stderr
            .starts_with("\x1b[?25lpulling manifest ⠋ \x1b[?25h\x1b[?25l\x1b[2K\x1b[1G"),
        "{:?}",
        out.stderr
    );
    assert!(!out.stderr.contains("\x1b[K") && !out.stderr.contains("\x1b[?2026h"));
    assert!(
        out.stderr.contains("\x1b[A\x1b[2K\x1b[1G"),
        "from the bottom line up"
    );
}

#[test]
fn quantizer_refusals_flags_and_parameters_of_the_era() {
    let emu = with_base("v0.5.4");
    emu.write("Q", "FROM base\n");
    let out = emu.run(&["create", "q", "-f", "Q", "-q", "iq2_xxs"]);
    let frame = provision::ollama::progress::parse_progress(&out.stderr);
    assert_eq!(frame.last_status(), Some("quantizing F16 model to IQ2_XXS"));
    assert_eq!(frame.error.as_deref(), Some("llama_model_quantize: 1"));
    emu.ok(&["create", "q", "-f", "Q", "-q", "iq3_m"]);
    let out = emu.run(&["show", "-v", "q"]);
    assert_eq!(out.stderr, "Error: unknown shorthand flag: 'v' in -v\n");
    let old = with_base("v0.3");
    old.write("Q", "FROM base\n");
    let out = old.run(&["create", "q", "-f", "Q", "-q", "q2_k_s"]);
    assert!(
        out.stderr
            .ends_with("you may need to upgrade Ollama to the latest version\n")
    );
    // penalize_newline: sent on by the 0.5.4 client, dropped with a warning from 0.5.5.
    for (era, kept) in [("v0.5.4", true), ("v0.5", false)] {
        let emu = with_base(era);
        emu.write("P", "FROM base\nPARAMETER penalize_newline true\n");
        let out = emu.ok(&["create", "p", "-f", "P"]);
        let warned = out.stdout == "warning: parameter penalize_newline is deprecated\n";
        let shown = emu.ok(&["show", "--parameters", "p"]).stdout;
        assert_eq!(
            (warned, shown.contains("penalize_newline")),
            (!kept, kept),
            "{era}"
        );
    }
}

#[test]
fn generation_reports_context_and_0_5_s_whole_milliseconds() {
    let emu = Emulator::new().era("v0.5.4").pulled(&["qwen2.5:0.5b"]);
    let served = emu.serve(&[]);
    let agent = ureq::Agent::config_builder()
        .proxy(None)
        .build()
        .new_agent();
    let body = json!({"model": "qwen2.5:0.5b", "prompt": "hello", "stream": false,
                      "options": {"num_predict": 3}});
    let mut answer = agent
        .post(format!("http://{}/api/generate", served.host))
        .send(body.to_string())
        .unwrap();
    let answer: Value = serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
    let context = answer["context"].as_array().map_or(0, Vec::len);
    assert!(context > 0, "the prompt and answer as token ids: {answer}");
    let eval = answer["eval_duration"].as_u64().unwrap();
    assert!(eval > 0 && eval.is_multiple_of(1_000_000), "{answer}");
}
