//! `provision verify` and `auto --verify` against the emulator's `ollama serve`:
//! models loaded through the API, real sizes beside the estimates, placements
//! beside the plan's, a concurrent roster resident together, and the sizes
//! remembered for the next plan.

use crate::support::served::Served;
use crate::support::{Device, Emulator, Provision};
use serde_json::Value;
use std::collections::BTreeMap;
use tempfile::TempDir;

/// Three small models kept loaded together.
pub const HOT: &str = "name: hot
description: Three small models kept loaded together
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
parameters:
  num_ctx: 2048
roster:
  concurrent: true
  models:
    - {name: chat, base: llama3.2:1b, role: chat}
    - {name: router, base: qwen2.5:0.5b, role: router}
    - {name: helper, base: qwen3:0.6b, role: helper}
";

/// One chat model, not kept loaded.
pub const ONE: &str = "name: one
description: One small chat model
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
parameters:
  num_ctx: 2048
roster:
  models:
    - {name: chat, base: llama3.2:1b, role: chat}
";

/// 16 GiB of RAM, 4 cores and an 8 GiB GPU reading 272 GB/s: models are planned
/// wholly on the GPU.
const GPU: Device = Device {
    ram: "16GiB",
    cores: 4,
    vram: "8GiB",
    bandwidth: "272GB/s",
};

/// A machine whose measurements outlive one run: every run shares its state dir.
pub struct Machine {
    pub emu: Emulator,
    state: TempDir,
    profile: &'static str,
    device: Device,
}

impl Machine {
    /// An emulator where `auto` has created the profile's models.
    pub fn provisioned(profile: &'static str, device: Device) -> Machine {
        let machine = Machine {
            emu: Emulator::new(),
            state: tempfile::tempdir().unwrap(),
            profile,
            device,
        };
        machine.run(&["auto"], None).code(0);
        machine
    }

    /// `provision ARGS` on this machine, against `server` when given.
    pub fn run(&self, args: &[&str], server: Option<&Served>) -> crate::support::Run {
        self.provision(server).args(args.iter().copied()).run()
    }

    pub fn provision(&self, server: Option<&Served>) -> Provision {
        self.provision_on(self.device, server)
    }

    /// `provision` on this machine as if it had another device.
    pub fn provision_on(&self, device: Device, server: Option<&Served>) -> Provision {
        let state = self.state.path().display().to_string();
        let run = Provision::new()
            .device(device)
            .profile(self.profile)
            .env("XDG_STATE_HOME", state);
        match server {
            Some(server) => run.served(&self.emu, server),
            None => run.emulator(&self.emu),
        }
    }

    /// The measurements file.
    pub fn measurements(&self) -> std::path::PathBuf {
        self.state.path().join("provision/measurements.json")
    }

    /// What the emulator's scheduler holds: name → (size, size_vram).
    pub fn loaded(&self) -> BTreeMap<String, (u64, u64)> {
        let text = std::fs::read_to_string(self.emu.state.path().join("loaded.json")).unwrap();
        let entries: Vec<Value> = serde_json::from_str(&text).unwrap();
        let size = |e: &Value, k: &str| e[k].as_u64().unwrap();
        let name = |e: &Value| e["name"].as_str().unwrap().to_string();
        let pairs = entries
            .iter()
            .map(|e| (name(e), (size(e, "size"), size(e, "size_vram"))));
        pairs.collect()
    }
}

fn by_name<'a>(report: &'a Value, name: &str) -> &'a Value {
    let models = report["models"].as_array().unwrap();
    models.iter().find(|m| m["name"] == name).unwrap()
}

#[test]
fn a_concurrent_roster_is_loaded_and_shown_resident_together() {
    let machine = Machine::provisioned(HOT, Device::LAPTOP);
    let server = machine.emu.serve(&[]);
    let report = machine
        .run(&["verify", "--json"], Some(&server))
        .code(0)
        .json();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["roster"]["resident_together"], true, "{report:#}");
    assert_eq!(report["keep_alive"], "-1");
    let loaded = machine.loaded();
    for name in ["chat", "router", "helper"] {
        let model = by_name(&report, name);
        assert_eq!(
            (&model["loaded"], &model["resident"]),
            (&Value::Bool(true), &Value::Bool(true))
        );
        let (size, _) = loaded[&format!("{name}:latest")];
        assert_eq!(model["size_bytes"], size, "{model:#}");
        let estimate = model["estimated_bytes"].as_f64().unwrap();
        let error = (estimate - size as f64) / size as f64 * 100.0;
        assert!(
            (model["error_percent"].as_f64().unwrap() - error).abs() < 0.06,
            "{model:#}"
        );
        assert_eq!(model["placement"], "100% CPU");
        assert_eq!(model["planned_placement"], "100% CPU");
        assert_eq!(model["context_length"], 2048);
    }
}

#[test]
fn a_server_that_keeps_fewer_models_evicts_one_and_fails() {
    let machine = Machine::provisioned(HOT, Device::LAPTOP);
    let server = machine.emu.serve(&[("OLLAMA_MAX_LOADED_MODELS", "2")]);
    let run = machine.run(&["verify", "--json"], Some(&server)).code(1);
    let report = run.json();
    assert_eq!(report["roster"]["resident_together"], false);
    assert_eq!(report["roster"]["evicted"], serde_json::json!(["chat"]));
    assert_eq!(by_name(&report, "chat")["status"], "failed");
    assert!(
        run.stderr.contains("provision: chat: evicted"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_gpu_planned_model_that_loads_split_fails_with_both_numbers() {
    let machine = Machine::provisioned(ONE, GPU);
    let server = machine.emu.serve(&[("OLLAMA_EMULATOR_VRAM", "512MiB")]);
    let run = machine.run(&["verify", "--json"], Some(&server)).code(1);
    let chat = by_name(&run.json(), "chat").clone();
    assert_eq!(chat["status"], "failed");
    assert_eq!(chat["size_vram_bytes"], 512 << 20);
    let size = provision::size::Binary(chat["size_bytes"].as_u64().unwrap());
    let placement = chat["placement"].as_str().unwrap();
    assert!(placement.ends_with("% CPU/GPU"), "{placement}");
    let line = format!(
        "provision: chat: planned 100% GPU, loaded {placement}: 512.0 MiB of {size} in GPU memory"
    );
    assert!(
        run.stderr.lines().any(|l| l == line),
        "{line}\n{}",
        run.stderr
    );
}

#[test]
fn a_second_plan_uses_the_stored_measurement_and_says_so() {
    let machine = Machine::provisioned(ONE, Device::LAPTOP);
    let before = machine.run(&["plan", "--json"], None).code(0).json();
    assert_eq!(before["models"][0]["measured"], Value::Null);
    let server = machine.emu.serve(&[]);
    let checked = machine
        .run(&["verify", "--json"], Some(&server))
        .code(0)
        .json();
    let real = by_name(&checked, "chat")["size_bytes"].as_u64().unwrap();

    let plan = machine.run(&["plan", "--json"], None).code(0).json();
    let model = &plan["models"][0];
    assert_eq!(model["measured"]["size_bytes"], real, "{model:#}");
    assert_eq!(model["estimate"]["total_bytes"], real);
    let estimate = before["models"][0]["estimate"]["total_bytes"].clone();
    assert_eq!(model["measured"]["estimated_bytes"], estimate);
    let today = provision::measurements::now()[..10].to_string();
    assert!(
        model["measured"]["measured_at"]
            .as_str()
            .unwrap()
            .starts_with(&today)
    );
    machine
        .run(&["plan"], None)
        .code(0)
        .stdout_has(&format!("measured {today}: "));

    // Another device is another configuration: the estimate stands.
    let other = machine.provision_on(GPU, None).args(["plan", "--json"]);
    let other = other.run().code(0).json();
    assert_eq!(other["models"][0]["measured"], Value::Null);
}

#[test]
fn a_corrupt_measurements_file_is_one_warning_and_ignored() {
    let machine = Machine::provisioned(ONE, Device::LAPTOP);
    let path = machine.measurements();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{\"version\": 1, \"measurements\": [").unwrap();
    let run = machine.run(&["plan", "--json"], None).code(0);
    let warnings = run.error_lines();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].starts_with("provision: warning: ignoring "),
        "{}",
        warnings[0]
    );
    assert_eq!(run.json()["models"][0]["measured"], Value::Null);
}

#[test]
fn auto_verify_dry_run_prints_the_loads_and_a_run_checks_them() {
    let emu = Emulator::new();
    Provision::new()
        .device(Device::LAPTOP)
        .profile(HOT)
        .emulator(&emu)
        .args(["auto", "--verify", "--dry-run"])
        .run()
        .code(0)
        .stdout_has("then the load check (--verify):\n")
        .stdout_has("  POST /api/generate {\"keep_alive\":-1,\"model\":\"chat\"}\n")
        .stdout_has("  POST /api/generate {\"keep_alive\":-1,\"model\":\"helper\"}\n");
    let server = emu.serve(&[]);
    let report = Provision::new()
        .device(Device::LAPTOP)
        .profile(HOT)
        .served(&emu, &server)
        .args(["auto", "--verify", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(report["summary"]["created"], 3);
    assert_eq!(
        report["verify"]["roster"]["resident_together"], true,
        "{report:#}"
    );
}

#[test]
fn no_server_is_one_line_with_the_advice_and_a_failed_load_is_named() {
    let machine = Machine::provisioned(ONE, Device::LAPTOP);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = closed.local_addr().unwrap().to_string();
    drop(closed);
    let run = machine
        .provision(None)
        .env("OLLAMA_HOST", host)
        .arg("verify")
        .run();
    run.code(1)
        .one_error_line(&["the Ollama server is not running", "ollama serve"]);
    let server = machine
        .emu
        .serve(&[("OLLAMA_EMULATOR_FAULT", "load-fails:chat")]);
    let run = machine.run(&["verify"], Some(&server)).code(1);
    assert!(
        run.stderr
            .contains("provision: chat: could not load: llama-server process has terminated"),
        "{}",
        run.stderr
    );
}
