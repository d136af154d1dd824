//! The Ollama server settings `auto` applies, on a fake root with systemd and a
//! fake `systemctl` that logs its calls: the drop-in holds the roster's
//! variables and is written, reloaded and restarted once; a second run changes
//! nothing; `--check` finds an edited drop-in; `print` and places without
//! systemd change nothing and say what to set; a remote `OLLAMA_HOST` needs the
//! server's device; `plan --server-env-format` prints the variables.

use crate::support::{Device, Emulator, FakeSystemd, Provision};
use std::os::unix::fs::MetadataExt;

/// Three small models kept loaded together.
const TRIO: &str = "name: trio
description: Three small models kept hot together
reserve: {absolute: 512MiB, fraction: 0.05}
fit: {num_ctx: 4096, num_parallel: 2}
parameters: {num_ctx: 4096}
roster:
  concurrent: true
  models:
    - {name: trio/a, base: \"qwen2.5:0.5b\", role: a}
    - {name: trio/b, base: \"llama3.2:1b\", role: b}
    - {name: trio/c, base: \"qwen2.5:1.5b\", role: c}
";

/// The drop-in the trio needs on the desktop device.
const TRIO_DROP_IN: &str = "[Service]
Environment=\"OLLAMA_MAX_LOADED_MODELS=3\"
Environment=\"OLLAMA_KEEP_ALIVE=-1\"
Environment=\"OLLAMA_NUM_PARALLEL=2\"
Environment=\"OLLAMA_CONTEXT_LENGTH=4096\"
";

fn auto(emu: &Emulator, fake: &FakeSystemd) -> Provision {
    Provision::new()
        .emulator(emu)
        .systemd(fake)
        .arg("auto")
        .profile(TRIO)
        .device(Device::DESKTOP)
}

/// The drop-in without its two comment lines.
fn settings(drop_in: &str) -> String {
    drop_in
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_hot_roster_is_applied_once_and_a_second_run_changes_nothing() {
    let (emu, fake) = (Emulator::new(), FakeSystemd::new());
    fake.write(
        "etc/systemd/system/ollama.service.d/10-models.conf",
        "[Service]\nEnvironment=\"OLLAMA_MODELS=/data\"\n",
    );
    fake.systemctl(&["daemon-reload"]);
    fake.systemctl(&["restart", "ollama"]);
    std::fs::remove_file(fake.path("systemctl.log")).unwrap();

    let report = auto(&emu, &fake).arg("--json").run().code(0).json();
    let server = &report["server_env"];
    assert_eq!(
        (&server["mode"], &server["status"], &server["changed"]),
        (&"apply".into(), &"applied".into(), &true.into()),
        "{server}"
    );
    assert_eq!(settings(&fake.drop_in().unwrap()), TRIO_DROP_IN);
    assert_eq!(fake.changes(), ["daemon-reload", "restart ollama"]);
    let mode = std::fs::metadata(fake.path(crate::support::systemd::DROP_IN))
        .unwrap()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
    let running = fake.server_env();
    assert_eq!(running["OLLAMA_MAX_LOADED_MODELS"], "3");
    assert_eq!(running["OLLAMA_KEEP_ALIVE"], "-1");
    assert_eq!(
        running["OLLAMA_MODELS"], "/data",
        "the other drop-in still applies"
    );
    let other =
        std::fs::read_to_string(fake.path("etc/systemd/system/ollama.service.d/10-models.conf"));
    assert_eq!(
        other.unwrap(),
        "[Service]\nEnvironment=\"OLLAMA_MODELS=/data\"\n"
    );
    assert_eq!(
        server["variables"][0],
        serde_json::json!({"name": "OLLAMA_MAX_LOADED_MODELS", "desired": "3", "effective": null})
    );
    assert_eq!(
        server["how"],
        fake.path(crate::support::systemd::DROP_IN)
            .display()
            .to_string()
    );
    assert_eq!(
        emu.log().verbs().last().map(String::as_str),
        Some("list"),
        "waited for the server"
    );

    let before = fake.calls().len();
    let again = auto(&emu, &fake).arg("--json").run().code(0).json();
    let server = &again["server_env"];
    assert_eq!(
        (&server["status"], &server["changed"]),
        (&"unchanged".into(), &false.into())
    );
    assert_eq!(server["effective_from"], "process");
    assert_eq!(server["variables"][1]["effective"], "-1");
    let calls = &fake.calls()[before..];
    assert!(
        calls.iter().all(|c| c.starts_with("show ollama")),
        "{calls:?}"
    );
    auto(&emu, &fake)
        .run()
        .code(0)
        .stdout_has("server settings: in effect (");
}

#[test]
fn check_finds_an_edited_drop_in_and_the_fix_restarts_only_when_values_differ() {
    let (emu, fake) = (Emulator::new(), FakeSystemd::new());
    auto(&emu, &fake).arg("--quiet").run().code(0);
    let written = fake.drop_in().unwrap();
    fake.write(
        crate::support::systemd::DROP_IN,
        &written.replace("KEEP_ALIVE=-1", "KEEP_ALIVE=10m"),
    );
    let before = fake.calls().len();
    auto(&emu, &fake)
        .arg("--check")
        .run()
        .code(3)
        .stdout_has("server settings: to change (")
        .stdout_has("50-provision.conf differs from the plan");
    auto(&emu, &fake)
        .arg("--dry-run")
        .run()
        .code(0)
        .stdout_has("  $ systemctl daemon-reload\n")
        .stdout_has(
            "  -Environment=\"OLLAMA_KEEP_ALIVE=10m\"\n  +Environment=\"OLLAMA_KEEP_ALIVE=-1\"\n",
        );
    assert!(
        fake.drop_in().unwrap().contains("10m"),
        "check and dry-run write nothing"
    );
    assert!(
        fake.calls()[before..]
            .iter()
            .all(|c| c.starts_with("show "))
    );
    // The server still runs with -1: the fix rewrites and reloads, no restart.
    auto(&emu, &fake).run().code(0);
    assert_eq!(fake.drop_in().unwrap(), written);
    assert_eq!(
        fake.changes(),
        ["daemon-reload", "restart ollama", "daemon-reload"]
    );
    // Someone applies 10m for real: the server runs with it, so it is restarted.
    fake.write(
        crate::support::systemd::DROP_IN,
        &written.replace("KEEP_ALIVE=-1", "KEEP_ALIVE=10m"),
    );
    fake.systemctl(&["daemon-reload"]);
    fake.systemctl(&["restart", "ollama"]);
    let report = auto(&emu, &fake).arg("--json").run().code(0).json();
    assert_eq!(report["server_env"]["reason"], "OLLAMA_KEEP_ALIVE 10m → -1");
    assert_eq!(
        fake.changes().last().map(String::as_str),
        Some("restart ollama")
    );
    assert_eq!(fake.server_env()["OLLAMA_KEEP_ALIVE"], "-1");
}

#[test]
fn print_writes_nothing_and_says_what_to_set() {
    let (emu, fake) = (Emulator::new(), FakeSystemd::new());
    let file = fake.path("ollama.env");
    let run = auto(&emu, &fake)
        .args([
            "--server-env",
            "print",
            "--server-env-file",
            &file.display().to_string(),
        ])
        .run()
        .code(0)
        .stdout_has("server settings: not applied by provision: ")
        .stdout_has("  Environment=\"OLLAMA_KEEP_ALIVE=-1\"\n")
        .stdout_has("  then: systemctl daemon-reload && systemctl restart ollama\n");
    assert_eq!(
        run.error_lines(),
        Vec::<&str>::new(),
        "an explicit print is no warning"
    );
    assert_eq!(fake.drop_in(), None);
    assert_eq!(fake.changes(), Vec::<String>::new());
    let env = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        env,
        "OLLAMA_MAX_LOADED_MODELS=3\nOLLAMA_KEEP_ALIVE=-1\nOLLAMA_NUM_PARALLEL=2\nOLLAMA_CONTEXT_LENGTH=4096\n"
    );
    let skipped = auto(&emu, &fake)
        .args(["--server-env", "skip", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(skipped["server_env"]["status"], "skipped");
    assert_eq!(
        fake.calls(),
        ["show ollama --property=LoadState,ActiveState,MainPID,NeedDaemonReload,Environment"]
    );
}

#[test]
fn without_systemd_the_instructions_are_a_warning_not_a_failure() {
    let emu = Emulator::new();
    let plain = Provision::new()
        .emulator(&emu)
        .arg("auto")
        .profile(TRIO)
        .device(Device::DESKTOP);
    let run = plain.arg("--json").run().code(0);
    let warning = "provision: warning: could not apply the Ollama server settings (systemd is not running here): set OLLAMA_MAX_LOADED_MODELS=3 OLLAMA_KEEP_ALIVE=-1 OLLAMA_NUM_PARALLEL=2 OLLAMA_CONTEXT_LENGTH=4096 in the environment of `ollama serve`";
    assert_eq!(run.error_lines(), [warning]);
    let server = &run.json()["server_env"];
    assert_eq!(
        (&server["mode"], &server["status"], &server["changed"]),
        (&"print".into(), &"printed".into(), &false.into())
    );

    let container = Provision::new()
        .emulator(&emu)
        .arg("auto")
        .profile(TRIO)
        .device(Device::DESKTOP);
    let root = container.home().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join(".dockerenv"), "").unwrap();
    container
        .run()
        .code(0)
        .stderr_has("(this is a container): set them on the Ollama container: `docker run -e OLLAMA_MAX_LOADED_MODELS=3 -e OLLAMA_KEEP_ALIVE=-1 ")
        .stdout_has("  set them on the Ollama container: docker run -e OLLAMA_MAX_LOADED_MODELS=3");
}

#[test]
fn a_remote_server_needs_its_device_and_gets_its_settings_printed() {
    for verb in ["plan", "auto"] {
        let run = Provision::new()
            .env("OLLAMA_HOST", "http://192.0.2.10")
            .arg(verb)
            .run()
            .code(2);
        run.one_error_line(&[
            "OLLAMA_HOST names another machine (http://192.0.2.10:80)",
            "give the server's device with --ram, --vram, --cores (or PROVISION_RAM, PROVISION_VRAM, PROVISION_CORES)",
        ]);
    }
    let partial = Provision::new()
        .env("OLLAMA_HOST", "gpu-server:11434")
        .args(["plan", "--ram", "64GiB"]);
    partial.run().code(2).one_error_line(&[
        "(http://gpu-server:11434)",
        "with --vram, --cores (or PROVISION_VRAM, PROVISION_CORES)",
    ]);
    Provision::new()
        .env("OLLAMA_HOST", "0.0.0.0")
        .arg("plan")
        .device(Device::DESKTOP)
        .run()
        .code(0);

    let (emu, fake) = (Emulator::new(), FakeSystemd::new());
    let report = auto(&emu, &fake)
        .env("OLLAMA_HOST", "192.0.2.10:11434")
        .arg("--json")
        .run()
        .code(0)
        .json();
    let server = &report["server_env"];
    assert_eq!(
        (&server["mode"], &server["changed"]),
        (&"print".into(), &false.into())
    );
    let how = server["how"].as_str().unwrap();
    assert!(
        how.starts_with("set them on the server at http://192.0.2.10:11434 "),
        "{how}"
    );
    assert!(how.ends_with("OLLAMA_CONTEXT_LENGTH=4096\n"), "{how}");
    assert_eq!(
        fake.calls(),
        Vec::<String>::new(),
        "a remote server's systemd is not this one"
    );
}

#[test]
fn a_failed_restart_fails_the_run_but_not_the_models() {
    let (emu, fake) = (Emulator::new(), FakeSystemd::new());
    let run = auto(&emu, &fake)
        .env("FAKE_SYSTEMCTL_FAIL", "restart")
        .arg("--json")
        .run()
        .code(1);
    let report = run.json();
    assert_eq!(report["summary"]["created"], 3);
    let server = &report["server_env"];
    assert_eq!(
        (&server["status"], &server["changed"]),
        (&"failed".into(), &true.into())
    );
    let error = server["error"].as_str().unwrap();
    assert!(
        error.contains("restart ollama failed") && error.ends_with("exited with error code."),
        "{error}"
    );
    run.stderr_has("provision: server settings: ");
}

#[test]
fn plan_prints_the_variables_in_each_format() {
    let plan = |format: &str| {
        Provision::new()
            .args(["plan", "--server-env-format", format])
            .profile(TRIO)
            .device(Device::DESKTOP)
            .run()
            .code(0)
            .stdout
    };
    assert_eq!(
        plan("env"),
        "OLLAMA_MAX_LOADED_MODELS=3\nOLLAMA_KEEP_ALIVE=-1\nOLLAMA_NUM_PARALLEL=2\nOLLAMA_CONTEXT_LENGTH=4096\n"
    );
    assert_eq!(settings(&plan("systemd")), TRIO_DROP_IN);
    assert!(plan("docker").starts_with("-e OLLAMA_MAX_LOADED_MODELS=3 -e OLLAMA_KEEP_ALIVE=-1 "));
    let helm: serde_yaml::Value = serde_yaml::from_str(&plan("helm")).unwrap();
    assert_eq!(helm["extraEnv"][1]["name"], "OLLAMA_KEEP_ALIVE");
    assert_eq!(helm["extraEnv"][1]["value"], "-1");
    let json: serde_json::Value = serde_json::from_str(&plan("json")).unwrap();
    assert_eq!(json["variables"].as_array().unwrap().len(), 4);

    // Ollama 0.5.7 does not read OLLAMA_CONTEXT_LENGTH (from 0.5.13 on).
    let old = Emulator::new().era("v0.5");
    let run = Provision::new()
        .emulator(&old)
        .args(["plan", "--server-env-format", "json"])
        .profile(TRIO)
        .device(Device::DESKTOP);
    let json: serde_json::Value = serde_json::from_str(&run.run().code(0).stdout).unwrap();
    assert_eq!(json["variables"].as_array().unwrap().len(), 3);
    assert_eq!(
        json["ignored"][0]["reason"],
        "OLLAMA_CONTEXT_LENGTH is not read by Ollama 0.5.7 (it arrived in 0.5.13)"
    );
}
