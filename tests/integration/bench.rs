//! `provision bench` against the emulator's `ollama serve`, whose decode speed is
//! its simulated bandwidth divided by the weights' bytes (tests/emulator/README.md,
//! "Generation"): the tokens/s `bench` reports must be that figure.

use super::verify::{Machine, ONE};
use crate::support::Device;
use serde_json::Value;

/// The bytes of a library tag's weights, from the manifest in the emulator's store.
fn weights(machine: &Machine, tag: &str) -> u64 {
    let (model, tag) = tag.split_once(':').unwrap();
    let path = machine
        .emu
        .state
        .path()
        .join("models/manifests/registry.ollama.ai/library")
        .join(model)
        .join(tag);
    let manifest: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let layers = manifest["layers"].as_array().unwrap();
    let model = layers
        .iter()
        .find(|l| l["mediaType"] == "application/vnd.ollama.image.model")
        .unwrap();
    model["size"].as_u64().unwrap()
}

/// The library tag the plan builds `chat` from.
fn chat_tag(machine: &Machine) -> String {
    let plan = machine.run(&["plan", "--json"], None).code(0).json();
    plan["models"][0]["tag"].as_str().unwrap().to_string()
}

/// Asserts `measured` is `expected` within 0.5 % (the report rounds to 0.01).
fn near(measured: &Value, expected: f64) {
    let measured = measured.as_f64().unwrap_or_else(|| panic!("{measured}"));
    assert!(
        (measured - expected).abs() / expected < 0.005,
        "{measured} vs {expected}"
    );
}

#[test]
fn bench_reports_the_decode_speed_of_the_emulated_bandwidth() {
    let machine = Machine::provisioned(ONE, Device::LAPTOP);
    let server = machine
        .emu
        .serve(&[("OLLAMA_EMULATOR_BANDWIDTH_GBS", "10")]);
    let report = machine
        .run(&["bench", "--json"], Some(&server))
        .code(0)
        .json();
    assert_eq!(
        (report["seed"].clone(), report["num_predict"].clone()),
        (42.into(), 128.into())
    );
    let chat = &report["models"][0];
    assert_eq!(
        (&chat["name"], &chat["status"]),
        (&"chat".into(), &"ok".into())
    );
    assert_eq!(chat["decode_tokens"], 128);
    let bytes = weights(&machine, &chat_tag(&machine)) as f64;
    let decode = 10e9 / bytes;
    near(&chat["decode_tokens_per_s"], decode);
    // The emulator processes prompt tokens 8 times faster than it decodes.
    near(&chat["prompt_tokens_per_s"], 8.0 * decode);
    assert_eq!(chat["warm"], false);
    // A fresh load reads the weights at 2 GB/s.
    near(&chat["load_seconds"], bytes / 2e9);

    let plan = machine.run(&["plan", "--json"], None).code(0).json();
    near(
        &plan["models"][0]["measured"]["decode_tokens_per_s"],
        decode,
    );
    machine
        .run(&["plan"], None)
        .code(0)
        .stdout_has(" tokens/s (Ollama 0.33.0-rc2)");
}

#[test]
fn bench_quants_compares_the_installed_levels_side_by_side() {
    let machine = Machine::provisioned(ONE, Device::LAPTOP);
    machine.emu.ok(&["pull", "llama3.2:1b-instruct-q4_K_M"]);
    machine.emu.ok(&["pull", "llama3.2:1b-instruct-q8_0"]);
    let server = machine.emu.serve(&[]);
    let args = [
        "bench",
        "llama3.2:1b",
        "--quants",
        "Q8_0,Q4_K_M,Q6_K",
        "--json",
    ];
    let run = machine.run(&args, Some(&server)).code(1);
    let report = run.json();
    let rows = report["models"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "llama3.2:1b-instruct-q8_0",
            "llama3.2:1b-instruct-q4_K_M",
            "llama3.2:1b-instruct-q6_K"
        ]
    );
    for (row, tag) in rows.iter().zip(&names).take(2) {
        near(
            &row["decode_tokens_per_s"],
            20e9 / weights(&machine, tag) as f64,
        );
    }
    assert_eq!(rows[2]["status"], "failed");
    assert!(
        run.stderr.contains("no installed copy at Q6_K"),
        "{}",
        run.stderr
    );
    machine
        .run(&["bench", "--quants", "Q8_0"], Some(&server))
        .code(2)
        .one_error_line(&["--quants", "exactly one MODEL"]);
}
