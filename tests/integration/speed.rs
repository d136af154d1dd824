//! Speed: the bandwidth probe (`--bandwidth`, the remembered measurement, GPUs
//! by name), predicted speeds in `plan`, speed goals in profiles choosing the
//! level, `bench` measurements replacing and calibrating predictions, and the
//! seeds' scenarios as golden plans (`UPDATE_GOLDEN=1` rewrites them).

use super::verify::{Machine, ONE};
use crate::support::{Device, Emulator, Provision};
use serde_json::Value;
use std::path::Path;

/// A 512 GiB, 32-core EPYC with eight channels of DDR4-3200 (204.8 GB/s; 200
/// as given): the machine of the issue.
const EPYC: Device = Device::cpu("512GiB", 32).reading("200GB/s");

/// One ad-hoc model, every model asked for 2 tokens/s.
const TWO_PER_SECOND: &str = "name: two
description: at least 2 tokens/s
speed: {min_tokens_per_s: 2}
roster:
  models:
    - {name: chat, base: llama3.2:1b, role: chat}
";

fn quant(json: &Value) -> &str {
    json["models"][0]["quantization"].as_str().unwrap()
}

#[test]
fn a_goal_of_2_tokens_per_s_leaves_f16_for_a_level_between_q8_0_and_q4_k_m() {
    let run = Provision::new()
        .device(EPYC)
        .profile(TWO_PER_SECOND)
        .args(["plan", "llama3.1:70b", "--json"])
        .run()
        .code(0);
    let json = run.json();
    let model = &json["models"][0];
    assert!(
        ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M"].contains(&quant(&json)),
        "{model}"
    );
    let speed = model["speed"]["decode_tokens_per_s"].as_f64().unwrap();
    assert!(speed >= 2.0, "{speed}");
    assert_eq!(model["speed_goal"]["met"], true);
    assert_eq!(
        model["speed_goal"]["goal"]["speed"]["min_tokens_per_s"],
        2.0
    );
    assert_eq!(json["bandwidth"]["cpu"]["source"], "override");
    // Every level passed over, with its predicted speed: F16 at best 200/141 GB.
    let reason = model["reason"].as_str().unwrap();
    let passed: Vec<&str> = reason
        .split("; ")
        .filter(|s| s.contains(" fits but runs ~"))
        .collect();
    assert!(
        passed[0].starts_with("F16 fits but runs ~0.8 tok/s < 2"),
        "{reason}"
    );
    assert!(passed.len() >= 2, "{reason}");
    // The default profile is fit-first: F16.
    let fit_first = Provision::new()
        .device(EPYC)
        .args(["plan", "llama3.1:70b", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(quant(&fit_first), "F16");
    assert!(fit_first["models"][0]["speed_goal"].is_null());
    // The text shows each passed level's speed and the choice's in TOK/S.
    Provision::new()
        .device(EPYC)
        .profile(TWO_PER_SECOND)
        .args(["plan", "llama3.1:70b"])
        .run()
        .code(0)
        .stdout_has("TOK/S")
        .stdout_has("F16 fits but runs ~0.8 tok/s < 2; Q8_0 fits but runs ~")
        .stdout_has("RAM bandwidth 200.0 GB/s (set by --bandwidth)");
}

#[test]
fn raising_the_goal_never_raises_the_precision_of_the_plan() {
    let mut previous: Option<String> = None;
    for goal in ["0.5", "1.2", "2", "3", "5", "100"] {
        let yaml =
            TWO_PER_SECOND.replace("min_tokens_per_s: 2", &format!("min_tokens_per_s: {goal}"));
        let json = Provision::new()
            .device(EPYC)
            .profile(&yaml)
            .args(["plan", "llama3.1:70b", "--json"])
            .run()
            .code(0)
            .json();
        let chosen = quant(&json).to_string();
        if let Some(before) = &previous {
            let order = |q: &str| {
                ["Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
                    .iter()
                    .position(|x| *x == q)
            };
            assert!(
                order(&chosen) <= order(before),
                "{goal}: {chosen} after {before}"
            );
        }
        previous = Some(chosen);
    }
    assert_eq!(
        previous.as_deref(),
        Some("Q2_K"),
        "nothing reaches 100: the fastest"
    );
}

#[test]
fn a_bench_measurement_replaces_the_prediction_and_calibrates_the_others() {
    let machine = Machine::provisioned(ONE, Device::LAPTOP);
    let before = machine.run(&["plan", "--json"], None).code(0).json();
    assert_eq!(before["models"][0]["speed"]["source"], "predicted");
    let server = machine
        .emu
        .serve(&[("OLLAMA_EMULATOR_BANDWIDTH_GBS", "10")]);
    let bench = machine
        .run(&["bench", "--json"], Some(&server))
        .code(0)
        .json();
    let measured = bench["models"][0]["decode_tokens_per_s"].as_f64().unwrap();
    let after = machine.run(&["plan", "--json"], None).code(0).json();
    let speed = &after["models"][0]["speed"];
    assert_eq!(speed["source"], "measured");
    assert!((speed["decode_tokens_per_s"].as_f64().unwrap() - measured).abs() < 0.01 * measured);
    let run = machine.run(&["plan"], None).code(0);
    let row = run.stdout.lines().find(|l| l.starts_with("chat ")).unwrap();
    assert!(row.contains(" measured "), "{row}");
    // Another model is predicted with η corrected by chat's measured/predicted.
    let predicted = before["models"][0]["speed"]["decode_tokens_per_s"]
        .as_f64()
        .unwrap();
    let other = machine
        .run(&["plan", "qwen2.5:0.5b", "--json"], None)
        .code(0)
        .json();
    let other = &other["models"][0]["speed"];
    assert_eq!(other["source"], "calibrated");
    let efficiency = other["efficiency"].as_f64().unwrap();
    assert!(
        (efficiency - 0.55 * measured / predicted).abs() < 1e-6,
        "{efficiency} vs 0.55 × {measured} / {predicted}"
    );
}

#[test]
fn the_bandwidth_override_and_unknown_gpus_in_probe() {
    let json = Provision::new()
        .args(["--bandwidth", "68GiB/s", "--vram", "0", "probe", "--json"])
        .run()
        .code(0)
        .json();
    let cpu = &json["bandwidth"]["cpu"];
    assert_eq!(
        (cpu["bytes_per_s"].as_u64(), &cpu["source"]),
        (Some(68 << 30), &"override".into())
    );
    let script = "#!/bin/sh\necho '0, NVIDIA GeForce RTX 4090, 24564, 23000'\necho '1, NVIDIA Mystery 9000, 24564, 23000'\n";
    let run = Provision::new()
        .tool("nvidia-smi", script)
        .args(["probe"])
        .run()
        .code(0);
    let row = |label: &str| {
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_default();
        line.to_string()
    };
    assert!(
        row("GPU 0 bandwidth").contains("1008 GB/s (https://"),
        "{}",
        run.stdout
    );
    assert!(
        row("GPU 1 bandwidth").contains("unknown; not in the table of known GPUs"),
        "{}",
        run.stdout
    );
    assert!(
        row("RAM bandwidth").contains("read by"),
        "measured: {}",
        run.stdout
    );
    Provision::new()
        .args(["--bandwidth", "fast", "probe"])
        .run()
        .code(2)
        .one_error_line(&["--bandwidth", "fast"]);
}

#[test]
fn a_fixture_machine_is_never_measured() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("proc")).unwrap();
    std::fs::write(root.path().join("proc/meminfo"), "MemTotal: 8388608 kB\n").unwrap();
    let json = Provision::new()
        .probe_root(root.path())
        .args(["--vram", "0", "probe", "--json"])
        .run()
        .code(0)
        .json();
    let cpu = &json["bandwidth"]["cpu"];
    assert!(cpu["bytes_per_s"].is_null());
    assert!(cpu["note"].as_str().unwrap().contains("fixture"), "{cpu}");
}

/// The real machine, once: the first run measures (within its budget) and
/// remembers; the next reads the same figure back; a broken file is replaced.
#[test]
fn the_measurement_is_remembered_per_machine() {
    let state = tempfile::tempdir().unwrap();
    let probe = || {
        Provision::new()
            .env("XDG_STATE_HOME", state.path().display().to_string())
            .args(["--vram", "0", "probe", "--json"])
            .run()
            .code(0)
            .json()
    };
    let first = probe()["bandwidth"]["cpu"].clone();
    assert_eq!(first["source"], "measured", "{first}");
    let elapsed = first["measurement"]["elapsed_ms"].as_u64().unwrap();
    assert!(elapsed < 1000, "the measurement took {elapsed} ms");
    let second = probe()["bandwidth"]["cpu"].clone();
    assert_eq!(second["source"], "remembered");
    assert_eq!(second["bytes_per_s"], first["bytes_per_s"]);
    let file = state.path().join("provision/bandwidth.json");
    std::fs::write(&file, "{ not json").unwrap();
    assert_eq!(probe()["bandwidth"]["cpu"]["source"], "measured");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("{\n  \"version\": 1,")
    );
}

#[test]
fn goal_keys_are_checked_with_file_line_and_column() {
    let cases = [
        (
            "speed: {min_tokens_per_s: 0}\n",
            "profile.yaml:3:8: speed: ",
            "min_tokens_per_s must be a number above 0, not 0",
        ),
        (
            "latency: {tokens: 64}\n",
            "profile.yaml:3:10: latency: ",
            "missing field `seconds`",
        ),
        (
            "latency: {tokens: 0, seconds: 2}\n",
            "profile.yaml:3:10: latency: ",
            "tokens must be at least 1",
        ),
        (
            "speed: {min_tokens: 5}\n",
            "profile.yaml:3:9: speed: ",
            "unknown field `min_tokens`",
        ),
    ];
    for (key, place, message) in cases {
        let yaml = TWO_PER_SECOND.replace("speed: {min_tokens_per_s: 2}\n", key);
        Provision::new()
            .device(Device::LAPTOP)
            .profile(&yaml)
            .args(["plan"])
            .run()
            .code(1)
            .one_error_line(&[place, message]);
    }
    let yaml = TWO_PER_SECOND.replace(
        "roster:\n",
        "roster:\n  decode_together: [[chat, nobody]]\n",
    );
    Provision::new()
        .device(Device::LAPTOP)
        .profile(&yaml)
        .args(["plan"])
        .run()
        .code(1)
        .one_error_line(&["roster.decode_together", "'nobody'"]);
}

/// The seeds' scenarios as people read them, against the golden files.
#[test]
fn the_seed_scenarios_plan_as_checked_in() {
    let emu = Emulator::new();
    let scenarios: [(&str, Device, &[&str]); 3] = [
        // The 512 GiB EPYC roster of agents kept hot.
        ("epyc-syndicate", EPYC, &["--profile", "syndicate", "plan"]),
        // The build assistant on a 32 GiB, 16-core box with DDR5-5600 (89.6 GB/s).
        (
            "build-assistant",
            Device::cpu("32GiB", 16).reading("80GB/s"),
            &["--profile", "coder", "plan"],
        ),
        // The llama3.1:70b asked for 2 tokens/s.
        ("llama70b-2-tokens", EPYC, &["plan", "llama3.1:70b"]),
    ];
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    for (name, device, args) in scenarios {
        let mut run = Provision::new().device(device).emulator(&emu);
        if name == "llama70b-2-tokens" {
            run = run.profile(TWO_PER_SECOND);
        }
        let text = run.args(args.iter().copied()).run().code(0).stdout;
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/golden/scenarios/{name}.txt"));
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else {
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                text,
                expected,
                "{} differs (UPDATE_GOLDEN=1 to rewrite)",
                path.display()
            );
        }
    }
}

#[test]
fn inspect_shows_each_levels_speed_here() {
    Provision::new()
        .device(EPYC)
        .args(["inspect", "llama3.1:70b"])
        .run()
        .code(0)
        .stdout_has("SOURCE                      TOK/S")
        .stdout_has("TOK/S: predicted decode tokens/s here, whole at num_ctx");
    let json = Provision::new()
        .device(EPYC)
        .args(["inspect", "llama3.1:70b", "--json"])
        .run()
        .code(0)
        .json();
    assert!(json["speed_num_ctx"].as_u64().is_some(), "{json}");
    let speed = |quant: &str| {
        let levels = json["levels"].as_array().unwrap();
        let level = levels.iter().find(|l| l["quant"] == quant).unwrap();
        level["speed"]["decode_tokens_per_s"].as_f64().unwrap()
    };
    // Fewer bytes per token decode faster on the same bandwidth.
    assert!(speed("Q4_K_M") > speed("Q8_0") && speed("Q8_0") > speed("F16"));
}
