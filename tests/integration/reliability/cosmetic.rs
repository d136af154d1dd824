//! What users see: list-quants in BITS order with a footer that says where its
//! context comes from, optimize's pull size and JSON keys, threads of concurrent
//! rosters, partial-offload sums, a full stdout, and skipped smoke tests.

use crate::support::{Device, Provision};

#[test]
fn list_quants_rows_run_by_bits_and_the_footer_names_the_context() {
    let list = || {
        Provision::new()
            .device(Device::cpu("4GiB", 2))
            .args(["list-quants", "llama3.1:8b"])
    };
    let json = list().arg("--json").run().code(0).json();
    let bits: Vec<f64> = json["quants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["bits"].as_f64().unwrap())
        .collect();
    assert_eq!(bits.len(), 15, "{json}");
    assert!(bits.windows(2).all(|w| w[0] >= w[1]), "{bits:?}");
    // 4 GiB and 2 cores: the 4-bit tier, whose override is num_ctx 4096.
    list().run().code(0).stdout_has(
        "FITS: estimated memory at num_ctx 4096 (the default profile's parameters at this \
         device's 4-bit tier) against",
    );
}

/// The keys of `optimize --json`, whatever the action.
const OPTIMIZE_KEYS: [&str; 11] = [
    "action",
    "commands",
    "level",
    "model",
    "note",
    "quantization",
    "schema_version",
    "status",
    "tag",
    "target",
    "tier",
];

#[test]
fn optimize_json_keeps_every_key_and_its_pull_has_a_size() {
    use crate::support::Emulator;
    let emu =
        Emulator::new().pulled(&["qwen2.5:0.5b-instruct-q4_K_M", "qwen2.5:0.5b-instruct-q8_0"]);
    let optimize = |args: &[&str]| {
        Provision::new()
            .device(Device::DESKTOP)
            .emulator(&emu)
            .arg("optimize")
            .args(args.iter().copied())
    };
    for args in [
        &["qwen2.5:0.5b-instruct-q4_K_M", "--tier", "8", "--json"][..],
        &[
            "qwen2.5:0.5b-instruct-q8_0",
            "--tier",
            "4",
            "--json",
            "--dry-run",
        ],
    ] {
        let json = optimize(args).run().code(0).json();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(keys, OPTIMIZE_KEYS, "{json}");
    }
    let emu = Emulator::new().pulled(&["qwen2.5:0.5b-instruct-q8_0"]);
    Provision::new()
        .device(Device::DESKTOP)
        .emulator(&emu)
        .args(["optimize", "qwen2.5:0.5b-instruct-q8_0", "--tier", "4"])
        .run()
        .code(0)
        .stderr_has("pulling qwen2.5:0.5b-instruct-q4_K_M 397 MB\n");
}

#[test]
fn a_concurrent_roster_shares_the_cores() {
    let json = Provision::new()
        .args([
            "--profile",
            "syndicate",
            "--ram",
            "512GiB",
            "--cores",
            "32",
            "--vram",
            "0",
        ])
        .args(["plan", "--json"])
        .run()
        .code(0)
        .json();
    let models = json["models"].as_array().unwrap();
    assert_eq!(models.len(), 4);
    for model in models {
        assert_eq!(model["num_thread"], 8, "{}", model["name"]);
        let text = model["modelfile_text"].as_str().unwrap();
        assert!(text.contains("PARAMETER num_thread 8\n"), "{text}");
    }
}

#[test]
fn a_partial_offload_s_gpu_and_ram_parts_add_up_to_its_total() {
    let json = Provision::new()
        .args([
            "--vram", "6GiB", "--ram", "64GiB", "--cores", "8", "plan", "--json",
        ])
        .run()
        .code(0)
        .json();
    let model = &json["models"][0];
    assert_eq!(model["run"], "partial_offload", "{model}");
    let offload = &model["offload"];
    let parts = offload["gpu_bytes"].as_u64().unwrap() + offload["ram_bytes"].as_u64().unwrap();
    let estimate = &model["estimate"];
    assert_eq!(estimate["total_bytes"].as_u64().unwrap(), parts, "{model}");
    let sum: u64 = [
        "weights_bytes",
        "kv_cache_bytes",
        "graph_bytes",
        "overhead_bytes",
    ]
    .iter()
    .map(|k| estimate[k].as_u64().unwrap())
    .sum();
    assert_eq!(sum, parts, "the parts of the estimate add up too");
}

#[test]
fn a_full_stdout_is_named_as_stdout_by_every_command() {
    for args in [
        &["probe"][..],
        &["plan", "--json"],
        &["list-quants", "llama3.2:1b"],
        &["profiles"],
        &["completions", "bash"],
        &["--help"],
        &["--version"],
    ] {
        let provision = Provision::new()
            .device(Device::DESKTOP)
            .args(args.iter().copied());
        let mut command = provision.command();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = command
            .stdin(std::process::Stdio::null())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.lines().any(|l| l
                .starts_with("provision: could not write to standard output: ")
                && l.contains("No space left on device")),
            "{args:?}: {stderr}"
        );
    }
}
