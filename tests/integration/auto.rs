//! `provision auto` against the ollama emulator: provisioning a fresh store,
//! idempotency (asserted on the call log), changed devices, failures, `--check`
//! and the JSON report; `process` has the run as a process (lock, Ctrl-C, hook,
//! terminal).

use crate::support::{Device, Emulator, Provision};

mod process;

/// Two small models: `tiny` pinned at Q4_K_M, `chat` at the device's tier.
pub(super) const PAIR: &str = "name: pair
description: Two small models for tests
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
reserve:
  absolute: 512MiB
  fraction: 0.05
num_thread: auto
parameters:
  num_ctx: 2048
roster:
  concurrent: false
  models:
    - name: tiny
      base: qwen2.5:0.5b
      role: small helper
      quant: Q4_K_M
    - name: chat
      base: llama3.2:1b
      role: chat
      system: Be brief.
";

/// Random parameter order, as real Ollama prints them: idempotency must not
/// depend on it.
pub(super) fn emulator() -> Emulator {
    Emulator::new().random_order()
}

/// `provision auto` on the pair profile on this device.
pub(super) fn auto(emu: &Emulator, device: Device) -> Provision {
    Provision::new()
        .emulator(emu)
        .arg("auto")
        .profile(PAIR)
        .device(device)
}

#[test]
fn a_fresh_store_is_provisioned_and_a_second_run_changes_nothing() {
    let emu = emulator();
    auto(&emu, Device::DESKTOP)
        .run()
        .code(0)
        .stdout_has("2 created")
        .stderr_has("pulling qwen2.5:0.5b-instruct-q4_K_M 397 MB");
    assert_eq!(emu.quantization("tiny"), "Q4_K_M");
    assert_eq!(emu.quantization("chat"), "F16");
    let before = emu.log().len();
    auto(&emu, Device::DESKTOP)
        .run()
        .code(0)
        .stdout_has("2 unchanged");
    // One list and one `-v` (side by side), then a show of each target and base.
    let calls = emu.log().since(before).verbs();
    assert!(calls.len() <= 2 + 2 * 2, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c == "list" || c == "-v" || c.starts_with("show --modelfile")),
        "{calls:?}"
    );
}

#[test]
fn a_changed_device_recreates_only_the_affected_models() {
    let emu = emulator();
    auto(&emu, Device::DESKTOP).run().code(0);
    let before = emu.log().len();
    let run = auto(&emu, Device::cpu("6GiB", 4)).run().code(0);
    let calls = emu.log().since(before).verbs();
    let writes: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("pull") || c.starts_with("create"))
        .collect();
    assert_eq!(
        writes,
        ["pull llama3.2:1b-instruct-q8_0", "create chat"],
        "{calls:?}"
    );
    assert_eq!(emu.quantization("chat"), "Q8_0");
    run.stdout_has("1 updated, 1 unchanged");
}

#[test]
fn a_changed_parameter_is_the_reported_reason() {
    let emu = emulator();
    auto(&emu, Device::DESKTOP).run().code(0);
    let edited = PAIR.replace("num_ctx: 2048", "num_ctx: 1024");
    Provision::new()
        .emulator(&emu)
        .args(["auto", "--check"])
        .device(Device::DESKTOP)
        .profile(&edited)
        .run()
        .code(3)
        .stdout_has("num_ctx 2048 → 1024");
}

#[test]
fn server_down_is_one_line_and_exit_1() {
    let emu = emulator().fault("server-down");
    auto(&emu, Device::DESKTOP)
        .run()
        .code(1)
        .stdout_is("")
        .one_error_line(&["the Ollama server is not running", "ollama list"]);
}

#[test]
fn one_failing_create_does_not_stop_the_other() {
    let emu = emulator().fault("create-fails:tiny");
    let run = auto(&emu, Device::DESKTOP).arg("--json").run().code(1);
    let report = run.json();
    assert_eq!(report["summary"]["created"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    let tiny = &report["models"][0];
    assert_eq!(
        (tiny["name"].as_str(), tiny["status"].as_str()),
        (Some("tiny"), Some("failed"))
    );
    assert!(
        tiny["error"]
            .as_str()
            .unwrap()
            .contains("emulated create failure"),
        "{tiny}"
    );
    run.stderr_has("provision: tiny: ");
    assert_eq!(emu.quantization("chat"), "F16");
    auto(&emu, Device::DESKTOP)
        .arg("--fail-fast")
        .run()
        .code(1)
        .stdout_has("FAILED");
}

#[test]
fn check_exits_3_when_changes_are_needed_and_0_when_up_to_date() {
    let emu = emulator();
    auto(&emu, Device::DESKTOP)
        .arg("--check")
        .run()
        .code(3)
        .stdout_has("2 to change");
    assert_eq!(sorted(emu.log().verbs()), ["-v", "list"]);
    auto(&emu, Device::DESKTOP).arg("--quiet").run().code(0);
    auto(&emu, Device::DESKTOP).arg("--check").run().code(0);
}

#[test]
fn dry_run_prints_commands_and_modelfiles_and_touches_nothing() {
    let emu = emulator();
    auto(&emu, Device::DESKTOP)
        .arg("--dry-run")
        .run()
        .code(0)
        .stdout_has("$ ollama pull llama3.2:1b-instruct-fp16")
        .stdout_has("$ ollama create chat -f <Modelfile>")
        .stdout_has("FROM llama3.2:1b-instruct-fp16")
        .stdout_has("SYSTEM Be brief.");
    assert_eq!(sorted(emu.log().verbs()), ["-v", "list"]);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let emu = emulator();
    auto(&emu, Device::DESKTOP)
        .arg("--quiet")
        .run()
        .code(0)
        .stdout_is("")
        .stderr_is("");
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let emu = emulator();
    let report = auto(&emu, Device::DESKTOP)
        .arg("--json")
        .run()
        .code(0)
        .json();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["mode"], "run");
    assert_eq!(report["profile"], "pair");
    assert_eq!(report["device"]["ram_bytes"], 16u64 << 30);
    assert_eq!(report["tier"]["bits"], 16);
    let keys = [
        "name",
        "base",
        "tag",
        "quantization",
        "action",
        "status",
        "reason",
        "error",
        "commands",
    ];
    for model in report["models"].as_array().unwrap() {
        let object = model.as_object().unwrap();
        assert_eq!(object.len(), keys.len(), "{model}");
        assert!(keys.iter().all(|k| object.contains_key(*k)), "{model}");
    }
    let chat = &report["models"][1];
    assert_eq!(chat["tag"], "llama3.2:1b-instruct-fp16");
    assert_eq!(chat["quantization"], "F16");
    assert_eq!(chat["action"], "pull_create");
    assert_eq!(chat["status"], "created");
    let summary = report["summary"].as_object().unwrap();
    let names: Vec<&String> = summary.keys().collect();
    assert_eq!(
        names,
        [
            "created",
            "failed",
            "planned",
            "skipped",
            "unchanged",
            "updated"
        ]
    );
}

#[test]
fn a_base_shared_by_two_models_is_pulled_and_shown_once() {
    let emu = emulator();
    let profile = PAIR
        .replace("base: llama3.2:1b", "base: qwen2.5:0.5b")
        .replace("      quant: Q4_K_M\n", "");
    let run = || {
        Provision::new()
            .emulator(&emu)
            .arg("auto")
            .device(Device::DESKTOP)
            .profile(&profile)
            .run()
            .code(0)
    };
    run();
    let pulls: Vec<String> = emu.log().of("pull").map(|c| c.short()).collect();
    assert_eq!(pulls, ["pull qwen2.5:0.5b-instruct-fp16"]);
    let before = emu.log().len();
    run();
    let again = emu.log().since(before).verbs();
    assert_eq!(again.len(), 2 + 3, "{again:?}");
}

/// The verbs in a stable order: `list` and `-v` run side by side.
fn sorted(mut verbs: Vec<String>) -> Vec<String> {
    verbs.sort();
    verbs
}
