//! `provision` against a real Ollama: the 0.5.4 build of the PyPI package
//! bigdl-core-cpp 2.6.0 (and its 0.0.0 predecessor), installed by
//! tests/real_ollama/setup.sh, pulling tiny GGUF models from a stand-in registry on
//! loopback. Each test starts its own server and registry (tests/support/real_ollama.rs).
//!
//! The models are served under the library name `llama3.2:1b`: `provision` sizes
//! models from its bundled catalog, which knows that name, so a profile with
//! `base: llama3.2:1b` makes it pull `llama3.2:1b-instruct-<quant>`, and the stand-in
//! answers with a 2.5M-parameter llama of a few MB (tests/real_ollama/upstream.py).

mod differential;
mod failures;
mod roundtrip;

use crate::support::Provision;
use crate::support::real_ollama::Server;
use serde_json::{Value, json};

/// One chat model on the stand-in `llama3.2:1b`, at the device's tier.
const CHAT: &str = "name: real
description: One stand-in llama3.2:1b chat model
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
reserve: {absolute: 512MiB, fraction: 0.05}
num_thread: auto
parameters:
  num_ctx: 2048
roster:
  concurrent: false
  models:
    - name: chat
      base: llama3.2:1b
      role: chat
      system: Be brief.
";

/// `provision <args> --profile <profile> --ram RAM --cores 4 --vram 0`: RAM 6GiB
/// gives the 8-bit tier (Q8_0), 3GiB the 4-bit one (Q4_K_M).
fn on_device(server: &Server, profile: &str, ram: &str, args: &[&str]) -> Provision {
    let path = server.write("profile.yaml", profile);
    let path = path.display().to_string();
    server.provision().args(args.iter().copied()).args([
        "--profile",
        &path,
        "--ram",
        ram,
        "--cores",
        "4",
        "--vram",
        "0",
    ])
}

/// `POST /api/show` of a model that must exist.
fn shown(server: &Server, model: &str) -> Value {
    let (status, answer) = server.api("show", &json!({ "model": model }));
    assert_eq!(status, 200, "show {model}: {answer}\n{}", server.log());
    answer
}

/// The quantization the real server reports (`details.quantization_level`).
fn quantization(server: &Server, model: &str) -> String {
    let answer = shown(server, model);
    let level = answer["details"]["quantization_level"].as_str();
    level.unwrap_or_default().to_string()
}

/// `provision auto --json` on `CHAT` with `ram`: the report's only model.
fn auto_json(server: &Server, ram: &str) -> Value {
    let report = on_device(server, CHAT, ram, &["auto", "--json"])
        .run()
        .code(0)
        .json();
    let models = report["models"].as_array().expect("models");
    assert_eq!(models.len(), 1, "{report:#}");
    models[0].clone()
}

/// Creates `name` from the cached tiny F16 GGUF with the real CLI.
fn import_f16(server: &Server, name: &str) {
    let gguf = server.installed.get("gguf");
    let modelfile = server.write("Import", &format!("FROM {gguf}\n"));
    let modelfile = modelfile.display().to_string();
    server.ollama(&["create", name, "-f", &modelfile]).code(0);
}

/// Asserts that the weights of a library tag came through the stand-in: a Range read
/// of the blob on the host the registry redirected to.
fn assert_pulled(server: &Server, tag: &str) {
    let weights = server.upstream_weights(tag);
    let log = server.registry_log();
    let read = log
        .iter()
        .any(|r| r["digest"] == weights.as_str() && r["status"] == 206);
    assert!(read, "{tag} was not read from the stand-in: {log:?}");
}

/// Asserts the README's promise for a no-op `auto`: at most 1 + 2 × models calls, all
/// reads (`-v`, the version, not counted).
fn assert_only_reads(calls: &[String], models: usize) {
    let calls: Vec<&String> = calls.iter().filter(|c| *c != "-v").collect();
    let reads = calls
        .iter()
        .all(|c| *c == "list" || c.starts_with("show --modelfile"));
    assert!(reads && calls.len() <= 1 + 2 * models, "{calls:?}");
}

#[test]
fn auto_provisions_then_changes_nothing_then_follows_a_changed_device() {
    let Some(server) = Server::start("auto_provisions_then_changes_nothing") else {
        return;
    };
    let chat = auto_json(&server, "6GiB");
    assert_eq!(
        (&chat["status"], &chat["tag"]),
        (&json!("created"), &json!("llama3.2:1b-instruct-q8_0"))
    );
    assert_pulled(&server, "llama3.2:1b-instruct-q8_0");
    assert_eq!(quantization(&server, "chat"), "Q8_0");
    let answer = shown(&server, "chat");
    assert_eq!(answer["system"], "Be brief.");
    let parameters = answer["parameters"].as_str().unwrap_or_default();
    assert!(
        parameters.contains("num_ctx                        2048"),
        "{parameters}"
    );

    let before = server.calls().len();
    assert_eq!(auto_json(&server, "6GiB")["status"], "unchanged");
    assert_only_reads(&server.calls()[before..], 1);
    on_device(&server, CHAT, "6GiB", &["auto", "--check"])
        .run()
        .code(0);

    on_device(&server, CHAT, "3GiB", &["auto", "--check"])
        .run()
        .code(3);
    let chat = auto_json(&server, "3GiB");
    assert_eq!(
        (&chat["status"], &chat["tag"]),
        (&json!("updated"), &json!("llama3.2:1b-instruct-q4_K_M"))
    );
    assert_eq!(quantization(&server, "chat"), "Q4_K_M");
    on_device(&server, CHAT, "3GiB", &["auto", "--check"])
        .run()
        .code(0);
}

#[test]
fn a_provisioned_model_loads_on_the_real_runner() {
    let Some(server) = Server::start("a_provisioned_model_loads_on_the_real_runner") else {
        return;
    };
    server.preinstall("llama3.2:1b-instruct-q4_K_M");
    on_device(&server, CHAT, "3GiB", &["auto", "--quiet"])
        .run()
        .code(0);
    // A generate request without a prompt only loads the model (done_reason "load").
    let (status, answer) = server.api("generate", &json!({"model": "chat", "stream": false}));
    assert_eq!(
        (status, &answer["done_reason"]),
        (200, &json!("load")),
        "{answer}"
    );
    let ps = server.ollama(&["ps"]).code(0).stdout;
    let row = ps.lines().nth(1).unwrap_or_default();
    assert!(
        row.starts_with("chat:latest") && row.contains("100% CPU"),
        "{ps}"
    );
}

#[test]
fn optimize_quantizes_an_f16_import_with_the_real_create_q() {
    let Some(server) = Server::start("optimize_quantizes_an_f16_import") else {
        return;
    };
    import_f16(&server, "mine");
    assert_eq!(quantization(&server, "mine"), "F16");
    let optimize = |tier: &str| {
        let args = ["optimize", "mine", "--tier", tier, "--json"];
        server.provision().args(args).run().code(0).json()
    };
    let report = optimize("8");
    assert_eq!(report["status"], "created", "{report:#}");
    let target = report["target"].as_str().expect("target").to_string();
    assert_eq!(quantization(&server, &target), "Q8_0");
    // The real quantizer wrote new weights (general.file_type 7 = MOSTLY_Q8_0).
    assert_eq!(
        shown(&server, &target)["model_info"]["general.file_type"],
        7
    );
    let again = optimize("8");
    assert_eq!(
        (&again["status"], &again["target"]),
        (&json!("unchanged"), &json!(target))
    );

    let report = optimize("4");
    let target = report["target"].as_str().expect("target");
    assert_eq!(quantization(&server, target), "Q4_K_M", "{report:#}");
}

#[test]
fn list_quants_shows_the_levels_the_real_server_holds() {
    let Some(server) = Server::start("list_quants_shows_the_levels") else {
        return;
    };
    let source = "llama3.2:1b-instruct-fp16";
    import_f16(&server, source);
    // 0.5.4 makes every K-quant (and the legacy ones) with `create -q`.
    let levels = ["q8_0", "q6_K", "q4_K_M", "q3_K_S"];
    let from = server.write("FromSource", &format!("FROM {source}\n"));
    let from = from.display().to_string();
    for level in levels {
        let name = format!("llama3.2:1b-instruct-{level}");
        server
            .ollama(&["create", &name, "-f", &from, "-q", level])
            .code(0);
    }
    let args = [
        "list-quants",
        "llama3.2:1b",
        "--json",
        "--ram",
        "6GiB",
        "--vram",
        "0",
    ];
    let report = server.provision().args(args).run().code(0).json();
    let quants = report["quants"].as_array().expect("quants");
    let installed: Vec<&Value> = quants
        .iter()
        .filter(|q| q["installed"] == true)
        .map(|q| &q["quant"])
        .collect();
    assert_eq!(
        installed,
        ["F16", "Q8_0", "Q6_K", "Q4_K_M", "Q3_K_S"],
        "{report:#}"
    );

    let args = ["list-quants", "llama3.2:1b", "--installed"];
    let text = server.provision().args(args).run().code(0).stdout;
    for level in levels {
        assert!(
            text.contains(&format!("llama3.2:1b-instruct-{level}")),
            "{text}"
        );
    }
    // The rows, not the footer, which names every level 0.5.4's `create -q` makes.
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("QUANT"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        !rows.iter().any(|l| l.contains("Q5_K_M")),
        "--installed lists only installed levels:\n{text}"
    );
    assert!(
        text.contains("can make: F16, BF16, Q8_0, Q6_K, Q5_K_M"),
        "{text}"
    );
}
