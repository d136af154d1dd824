//! The emulator's `ollama serve`: its HTTP endpoints, the scheduler behind `ps`, timings
//! from the simulated device, and its faults. Each test starts a server on a free
//! loopback port and stops it by process id.

use crate::support::emulator::Emulator;
use crate::support::served::Served;
use serde_json::{Value, json};

/// A running `ollama serve` (stopped by process id when dropped) and an HTTP agent.
struct Server {
    // Held for its Drop, which stops the server.
    _served: Served,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    /// Starts the emulator's server on 127.0.0.1 with its environment plus `extra`.
    fn start(emu: &Emulator, extra: &[(&str, &str)]) -> Server {
        let served = emu.serve(extra);
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .build()
            .new_agent();
        Server {
            base: format!("http://{}", served.host),
            _served: served,
            agent,
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }

    fn post(&self, path: &str, body: Value) -> (u16, String) {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .send(body.to_string())
            .unwrap();
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }

    /// POSTs and parses a one-object JSON answer, asserting the status.
    fn json(&self, path: &str, body: Value, status: u16) -> Value {
        let (code, text) = self.post(path, body);
        assert_eq!(code, status, "{text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    fn load(&self, model: &str) -> Value {
        self.json("/api/generate", json!({ "model": model }), 200)
    }

    fn ps(&self) -> Vec<Value> {
        let (code, text) = self.get("/api/ps");
        assert_eq!(code, 200);
        let body: Value = serde_json::from_str(&text).unwrap();
        body["models"].as_array().unwrap().clone()
    }
}

fn pulled(era: &str, models: &[&str]) -> Emulator {
    let emu = Emulator::new().env("OLLAMA_EMULATOR_ERA", era);
    for model in models {
        let out = emu.run(&["pull", model]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    emu
}

const KV_3B_4096: u64 = 2 * 28 * 8 * 128 * 4096 * 2; // llama3.2:3b, f16, 4096 tokens
const LLAMA32_Q4_K_M: u64 = 2019377376;

#[test]
fn version_tags_and_show_over_http() {
    let emu = pulled("current", &["llama3.2", "gpt-oss:20b-cloud"]);
    let server = Server::start(&emu, &[]);
    assert_eq!(server.get("/"), (200, "Ollama is running".to_string()));
    assert_eq!(
        server.get("/api/version"),
        (200, r#"{"version":"0.33.0-rc2"}"#.to_string())
    );
    let tags: Value = serde_json::from_str(&server.get("/api/tags").1).unwrap();
    let names: Vec<&str> = tags["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gpt-oss:20b-cloud", "llama3.2:latest"]);
    assert_eq!(tags["models"][0]["remote_model"], "gpt-oss:20b");
    assert_eq!(tags["models"][1]["details"]["quantization_level"], "Q4_K_M");
    let show = server.json(
        "/api/show",
        json!({"model": "llama3.2", "verbose": true}),
        200,
    );
    let info = &show["model_info"];
    let expected = json!({"general.architecture": "llama", "general.file_type": 15,
        "general.parameter_count": 3212749888u64, "general.quantization_version": 2,
        "llama.block_count": 28, "llama.context_length": 131072, "llama.embedding_length": 3072,
        "llama.attention.head_count": 24, "llama.attention.head_count_kv": 8,
        "llama.attention.key_length": 128, "llama.attention.value_length": 128});
    assert_eq!(info, &expected);
    assert_eq!(show["capabilities"], json!(["completion", "tools"]));
    assert!(
        show["modelfile"]
            .as_str()
            .unwrap()
            .contains("\nPARAMETER stop <|eot_id|>\n")
    );
    let missing = server.json("/api/show", json!({"model": "nope"}), 404);
    assert_eq!(missing["error"], "model 'nope:latest' not found");
    let (code, raw) = server.post("/api/show", json!({"model": "llama3.2"}));
    assert!(
        code == 200 && raw.contains(r#""template":"\u003c|start_header_id|\u003e"#),
        "Go escapes < and > in JSON: {raw}"
    );
}

#[test]
fn the_old_era_answers_without_capabilities_or_context() {
    let emu = pulled("v0.5.4", &["qwen2.5:0.5b"]);
    let server = Server::start(&emu, &[]);
    assert_eq!(server.get("/api/version").1, r#"{"version":"0.5.4"}"#);
    let show = server.json("/api/show", json!({"name": "qwen2.5:0.5b"}), 200);
    assert!(show.get("capabilities").is_none(), "{show}");
    assert_eq!(show["model_info"]["qwen2.block_count"], 24);
    server.load("qwen2.5:0.5b");
    let loaded = server.ps();
    assert!(loaded[0].get("context_length").is_none(), "{loaded:?}");
    // 0.5.x: 2048 tokens by default, KV for all of it.
    let kv = 2 * 24 * 2 * 64 * 2048 * 2;
    assert_eq!(loaded[0]["size"], json!(weights(&emu, "qwen2.5:0.5b") + kv));
    let ps = emu.run(&["ps"]).stdout;
    let header: Vec<&str> = ps.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "ID", "SIZE", "PROCESSOR", "UNTIL"], "{ps}");
    assert!(
        ps.lines().nth(1).unwrap().contains("    100% CPU    "),
        "{ps}"
    );
}

/// The weights layer's size in the emulator's manifest of `model`.
fn weights(emu: &Emulator, model: &str) -> u64 {
    let (name, tag) = model.split_once(':').unwrap_or((model, "latest"));
    let path = emu
        .state
        .path()
        .join("models/manifests/registry.ollama.ai/library")
        .join(name)
        .join(tag);
    let manifest: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    manifest["layers"][0]["size"].as_u64().unwrap()
}

#[test]
fn loads_place_evict_and_show_in_ps() {
    let emu = pulled("current", &["llama3.2", "qwen2.5:0.5b", "qwen3:0.6b"]);
    let env = [
        ("OLLAMA_EMULATOR_VRAM", "2GiB"),
        ("OLLAMA_MAX_LOADED_MODELS", "2"),
    ];
    let server = Server::start(&emu, &env);
    let load = server.load("llama3.2");
    assert_eq!(
        (load["done"].clone(), load["done_reason"].clone()),
        (json!(true), json!("load"))
    );
    let first = &server.ps()[0];
    // Weights plus an f16 KV cache of 4096 tokens (under 23 GiB of VRAM), split: 2 GiB on the GPU.
    assert_eq!(first["size"], json!(LLAMA32_Q4_K_M + KV_3B_4096));
    assert_eq!(first["size_vram"], json!(2u64 << 30));
    assert_eq!(first["context_length"], 4096);
    let ps = emu.run(&["ps"]).stdout;
    let row: Vec<&str> = ps
        .lines()
        .nth(1)
        .unwrap()
        .split("    ")
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        row[..5],
        [
            "llama3.2:latest",
            &first["digest"].as_str().unwrap()[..12],
            "2.5 GB",
            "14%/86% CPU/GPU",
            "4096"
        ]
    );
    assert!(row[5].trim_end().ends_with("minutes from now"), "{ps}");
    server.load("qwen2.5:0.5b");
    server.load("qwen3:0.6b");
    let names: Vec<String> = server
        .ps()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "the least recently used one is evicted past 2: {names:?}"
    );
    assert!(!names.contains(&"llama3.2:latest".to_string()), "{names:?}");
    let cpu_only = server.json(
        "/api/generate",
        json!({"model": "llama3.2", "options": {"num_gpu": 0, "num_ctx": 8192}}),
        200,
    );
    assert_eq!(cpu_only["done_reason"], "load");
    let again = server
        .ps()
        .into_iter()
        .find(|m| m["name"] == "llama3.2:latest")
        .unwrap();
    assert_eq!(
        (again["size_vram"].clone(), again["context_length"].clone()),
        (json!(0), json!(8192))
    );
}

#[test]
fn a_memory_limit_evicts_then_refuses() {
    let emu = pulled("current", &["llama3.2", "llama3.1"]);
    let server = Server::start(&emu, &[("OLLAMA_EMULATOR_MEMORY", "6GiB")]);
    server.load("llama3.2");
    server.load("llama3.1");
    let names: Vec<Value> = server.ps().iter().map(|m| m["name"].clone()).collect();
    assert_eq!(
        names,
        [json!("llama3.1:latest")],
        "2.5 GB + 5.5 GB > 80 % of 6 GiB"
    );
    let (code, body) = server.post(
        "/api/generate",
        json!({"model": "llama3.1", "options": {"num_ctx": 131072}}),
    );
    assert_eq!(code, 500);
    assert!(
        body.contains("model requires more system memory (20.6 GiB) than is available (6.0 GiB)"),
        "{body}"
    );
}

#[test]
fn generation_is_deterministic_and_timed_by_bandwidth() {
    let emu = pulled("current", &["llama3.2"]);
    let server = Server::start(&emu, &[("OLLAMA_EMULATOR_BANDWIDTH_GBS", "10")]);
    let request = |seed: i64, temperature: f64| {
        json!({"model": "llama3.2", "prompt": "Why is the sky blue?", "stream": false,
               "options": {"num_predict": 128, "seed": seed, "temperature": temperature}})
    };
    let first = server.json("/api/generate", request(1, 0.0), 200);
    assert_eq!(
        (first["eval_count"].clone(), first["done_reason"].clone()),
        (json!(128), json!("length"))
    );
    let per_token = LLAMA32_Q4_K_M as f64 / 10e9;
    let eval_ns = first["eval_duration"].as_u64().unwrap();
    assert!(
        eval_ns.abs_diff((128.0 * per_token * 1e9) as u64) <= 1,
        "{eval_ns}"
    );
    let tokens_per_s = 128.0 / (eval_ns as f64 / 1e9);
    assert!(
        (tokens_per_s - 10e9 / LLAMA32_Q4_K_M as f64).abs() < 0.01,
        "{tokens_per_s}"
    );
    assert_eq!(first["prompt_eval_count"], 5);
    assert!(
        first["load_duration"].as_u64().unwrap() > 1_000_000_000,
        "2 GB at 2 GB/s"
    );
    let total: u64 = ["load_duration", "prompt_eval_duration", "eval_duration"]
        .iter()
        .map(|k| first[k].as_u64().unwrap())
        .sum();
    assert_eq!(first["total_duration"].as_u64().unwrap(), total + 1_000_000);
    let greedy = server.json("/api/generate", request(2, 0.0), 200);
    assert_eq!(
        greedy["response"], first["response"],
        "temperature 0 ignores the seed"
    );
    assert_eq!(greedy["load_duration"], 1_000_000, "already loaded");
    let seeded = server.json("/api/generate", request(7, 0.9), 200);
    assert_eq!(
        server.json("/api/generate", request(7, 0.9), 200)["response"],
        seeded["response"]
    );
    assert_ne!(seeded["response"], first["response"]);
    let (code, stream) = server.post(
        "/api/generate",
        json!({"model": "llama3.2", "prompt": "hi", "options": {"num_predict": 4}}),
    );
    let lines: Vec<Value> = stream
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!((code, lines.len()), (200, 5), "{stream}");
    assert_eq!(lines[4]["eval_count"], 4);
    assert!(lines[..4].iter().all(|l| l["done"] == false));
}

#[test]
fn keep_alive_forever_and_unload() {
    let emu = pulled("current", &["qwen2.5:0.5b"]);
    let server = Server::start(&emu, &[]);
    server.json(
        "/api/generate",
        json!({"model": "qwen2.5:0.5b", "keep_alive": -1}),
        200,
    );
    let ps = emu.run(&["ps"]).stdout;
    assert!(
        ps.lines().nth(1).unwrap().contains("    Forever    "),
        "{ps}"
    );
    let unload = server.json(
        "/api/generate",
        json!({"model": "qwen2.5:0.5b", "keep_alive": 0}),
        200,
    );
    assert_eq!(unload["done_reason"], "unload");
    assert!(server.ps().is_empty());
    let bad = server.json(
        "/api/generate",
        json!({"model": "qwen2.5:0.5b", "keep_alive": "300"}),
        400,
    );
    assert_eq!(bad["error"], "time: missing unit in duration \"300\"");
    server.json(
        "/api/generate",
        json!({"model": "qwen2.5:0.5b", "keep_alive": "1h"}),
        200,
    );
    assert_eq!(emu.run(&["rm", "qwen2.5:0.5b"]).code, 0);
    assert!(server.ps().is_empty(), "rm unloads the model");
}

#[test]
fn faults_runner_dies_and_slow_load() {
    let emu = pulled("current", &["qwen2.5:0.5b", "qwen3:0.6b"]);
    let server = Server::start(
        &emu,
        &[(
            "OLLAMA_EMULATOR_FAULT",
            "load-fails:qwen3:0.6b,slow-load:300",
        )],
    );
    let dead = server.json(
        "/api/generate",
        json!({"model": "qwen3:0.6b", "prompt": "x"}),
        500,
    );
    assert_eq!(
        dead["error"],
        "llama-server process has terminated: exit status 2"
    );
    let slow = server.json(
        "/api/generate",
        json!({"model": "qwen2.5:0.5b", "prompt": "x", "stream": false}),
        200,
    );
    assert!(
        slow["load_duration"].as_u64().unwrap() >= 300_000_000,
        "{slow}"
    );
    drop(server);
    let old = Emulator {
        env: vec![("OLLAMA_EMULATOR_ERA".into(), "v0.5.4".into())],
        ..emu
    };
    let server = Server::start(&old, &[("OLLAMA_EMULATOR_FAULT", "load-fails")]);
    let dead = server.json("/api/generate", json!({"model": "qwen2.5:0.5b"}), 500);
    assert_eq!(
        dead["error"],
        "llama runner process has terminated: exit status 2"
    );
}

#[test]
fn requests_are_logged_and_bad_input_is_refused() {
    let emu = pulled("current", &[]);
    let server = Server::start(&emu, &[]);
    assert_eq!(
        server.post("/api/generate", json!({"model": "nope"})).0,
        404
    );
    assert_eq!(
        server.get("/api/nothing"),
        (404, "404 page not found".to_string())
    );
    let (code, body) = server.post("/api/generate", json!(["not", "an", "object"]));
    assert_eq!(code, 400, "{body}");
    let calls = emu.calls();
    let http: Vec<&Value> = calls.iter().filter(|c| c.get("path").is_some()).collect();
    assert_eq!(http.len(), 3, "{calls:?}");
    assert_eq!(
        (http[0]["method"].clone(), http[0]["status"].clone()),
        (json!("POST"), json!(404))
    );
    assert_eq!(http[0]["body"], json!({"model": "nope"}));
    assert_eq!(calls[0]["argv"], json!(["serve"]));
    let refused = emu.env("OLLAMA_HOST", "0.0.0.0:11434").run(&["serve"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .starts_with("Error: the emulator listens on loopback addresses only, not 0.0.0.0"),
        "{}",
        refused.stderr
    );
}
