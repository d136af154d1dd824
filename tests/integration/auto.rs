//! `provision auto` against the ollama emulator: provisioning a fresh store,
//! idempotency (asserted on the call log), changed devices, failures, `--check`,
//! the lock, Ctrl-C, the JSON report and the install hook.

use crate::emulator_support;
use crate::support;

use emulator_support::Emulator;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::{Provision, Run};

/// Two small models: `tiny` pinned at Q4_K_M, `chat` at the device's tier.
const PAIR: &str = "name: pair
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
fn emulator() -> Emulator {
    Emulator::new().env("OLLAMA_EMULATOR_DETERMINISTIC", "0")
}

/// `provision auto` on the pair profile with a fixed device (`ram`, 4 cores, no GPU).
fn auto(emu: &Emulator, ram: &str) -> Provision {
    let profile = emu.write("pair.yaml", PAIR);
    Provision::new().path_front(emu.bin_dir()).args([
        "auto",
        "--profile",
        &profile.display().to_string(),
        "--ram",
        ram,
        "--cores",
        "4",
        "--vram",
        "0",
    ])
}

/// The verbs of the calls from index `from` on (`create chat`, `list`, …).
fn verbs(emu: &Emulator, from: usize) -> Vec<String> {
    emu.calls()[from..]
        .iter()
        .map(|call| {
            let argv: Vec<&str> = call["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            match argv.as_slice() {
                ["create", name, ..] | ["pull", name] => format!("{} {name}", argv[0]),
                _ => argv.join(" "),
            }
        })
        .collect()
}

fn quantization(emu: &Emulator, name: &str) -> String {
    let out = emu.run(&["show", name]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let info = provision::ollama::show::parse_show(&out.stdout).unwrap();
    info.quantization
}

#[test]
fn a_fresh_store_is_provisioned_and_a_second_run_changes_nothing() {
    let emu = emulator();
    let run = auto(&emu, "16GiB").run().code(0);
    assert!(run.stdout.contains("2 created"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("pulling qwen2.5:0.5b-instruct-q4_K_M 332 MB"),
        "{}",
        run.stderr
    );
    assert_eq!(quantization(&emu, "tiny"), "Q4_K_M");
    assert_eq!(quantization(&emu, "chat"), "F16");
    let before = emu.calls().len();
    let run = auto(&emu, "16GiB").run().code(0);
    assert!(run.stdout.contains("2 unchanged"), "{}", run.stdout);
    let calls = verbs(&emu, before);
    assert!(calls.len() <= 1 + 2 * 2, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|c| c == "list" || c.starts_with("show --modelfile")),
        "{calls:?}"
    );
}

#[test]
fn a_changed_device_recreates_only_the_affected_models() {
    let emu = emulator();
    auto(&emu, "16GiB").run().code(0);
    let before = emu.calls().len();
    let run = auto(&emu, "6GiB").run().code(0);
    let calls = verbs(&emu, before);
    let writes: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("pull") || c.starts_with("create"))
        .collect();
    assert_eq!(
        writes,
        ["pull llama3.2:1b-instruct-q8_0", "create chat"],
        "{calls:?}"
    );
    assert_eq!(quantization(&emu, "chat"), "Q8_0");
    assert!(
        run.stdout.contains("1 updated, 1 unchanged"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_changed_parameter_is_the_reported_reason() {
    let emu = emulator();
    auto(&emu, "16GiB").run().code(0);
    let edited = PAIR.replace("num_ctx: 2048", "num_ctx: 1024");
    let profile = emu.write("pair.yaml", &edited);
    let run = Provision::new()
        .path_front(emu.bin_dir())
        .args([
            "auto", "--check", "--ram", "16GiB", "--cores", "4", "--vram", "0",
        ])
        .args(["--profile", &profile.display().to_string()])
        .run()
        .code(3);
    assert!(run.stdout.contains("num_ctx 2048 → 1024"), "{}", run.stdout);
}

#[test]
fn server_down_is_one_line_and_exit_1() {
    let emu = emulator().env("OLLAMA_EMULATOR_FAULT", "server-down");
    let run = auto(&emu, "16GiB").run().code(1);
    run.one_error_line(&["the Ollama server is not running", "ollama list"]);
    assert_eq!(run.stdout, "");
}

#[test]
fn one_failing_create_does_not_stop_the_other() {
    let emu = emulator().env("OLLAMA_EMULATOR_FAULT", "create-fails:tiny");
    let run = auto(&emu, "16GiB").arg("--json").run().code(1);
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
    assert!(run.stderr.contains("provision: tiny: "), "{}", run.stderr);
    assert_eq!(quantization(&emu, "chat"), "F16");
    let run = auto(&emu, "16GiB").arg("--fail-fast").run().code(1);
    assert!(run.stdout.contains("FAILED"), "{}", run.stdout);
}

#[test]
fn check_exits_3_when_changes_are_needed_and_0_when_up_to_date() {
    let emu = emulator();
    let run = auto(&emu, "16GiB").arg("--check").run().code(3);
    assert!(run.stdout.contains("2 to change"), "{}", run.stdout);
    assert_eq!(verbs(&emu, 0), ["list"]);
    auto(&emu, "16GiB").arg("--quiet").run().code(0);
    auto(&emu, "16GiB").arg("--check").run().code(0);
}

#[test]
fn dry_run_prints_commands_and_modelfiles_and_touches_nothing() {
    let emu = emulator();
    let run = auto(&emu, "16GiB").arg("--dry-run").run().code(0);
    for expected in [
        "$ ollama pull llama3.2:1b-instruct-fp16",
        "$ ollama create chat -f <Modelfile>",
        "FROM llama3.2:1b-instruct-fp16",
        "SYSTEM Be brief.",
    ] {
        assert!(run.stdout.contains(expected), "{expected}: {}", run.stdout);
    }
    assert_eq!(verbs(&emu, 0), ["list"]);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let emu = emulator();
    let run = auto(&emu, "16GiB").arg("--quiet").run().code(0);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let emu = emulator();
    let run = auto(&emu, "16GiB").arg("--json").run().code(0);
    let report = run.json();
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
fn concurrent_runs_serialise_on_the_lock() {
    let emu = emulator().env("OLLAMA_EMULATOR_DELAY_MS", "250");
    let state = tempfile::tempdir().unwrap();
    let state_home = state.path().display().to_string();
    let command = |extra: &[&str]| {
        let mut command = auto(&emu, "16GiB")
            .args(["tiny"])
            .args(extra.iter().copied())
            .env("XDG_STATE_HOME", &state_home)
            .command();
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    };
    let first = command(&[]).spawn().unwrap();
    let waiting = format!("waiting for another provision run (pid {})", first.id());
    std::thread::sleep(Duration::from_millis(400));
    let refused = Run::from(command(&["--no-wait"]).output().unwrap());
    let second = command(&[]).spawn().unwrap();
    let first = Run::from(first.wait_with_output().unwrap()).code(0);
    let second = Run::from(second.wait_with_output().unwrap()).code(0);
    refused
        .code(1)
        .one_error_line(&["another provision run", "--no-wait"]);
    assert!(second.stderr.contains(&waiting), "{}", second.stderr);
    assert!(first.stdout.contains("1 created"), "{}", first.stdout);
    assert!(second.stdout.contains("1 unchanged"), "{}", second.stdout);
}

/// The realistic case: killing the `ollama` client does not stop the server, which
/// may finish writing the model. `auto` removes a target that did not exist before.
#[test]
fn an_interrupted_create_whose_model_was_written_is_removed() {
    let emu = emulator();
    assert_eq!(emu.run(&["pull", "qwen2.5:0.5b-instruct-q4_K_M"]).code, 0);
    let emu = emu.env("OLLAMA_EMULATOR_FAULT", "create-hangs");
    let (child, stderr) = spawn_until_creating(auto(&emu, "16GiB").arg("tiny"), "tiny");
    // Wait until the emulator has written the target's manifest.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !emu.run(&["list"]).stdout.contains("tiny:latest") {
        assert!(
            std::time::Instant::now() < deadline,
            "the create never wrote tiny"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (code, rest) = interrupt(child, stderr);
    assert_eq!(code, Some(130), "{rest}");
    let listed = emu.run(&["list"]).stdout;
    assert!(
        !listed.contains("tiny"),
        "half-created target left behind: {listed}"
    );
    let removed = verbs(&emu, 0).iter().any(|v| v == "rm tiny");
    assert!(removed, "{:?}", verbs(&emu, 0));
}

#[test]
fn an_interrupted_create_leaves_no_target_and_exits_130() {
    let emu = emulator();
    assert_eq!(emu.run(&["pull", "qwen2.5:0.5b-instruct-q4_K_M"]).code, 0);
    let emu = emu.env("OLLAMA_EMULATOR_DELAY_MS", "1500");
    let temp = tempfile::tempdir().unwrap();
    let provision = auto(&emu, "16GiB")
        .arg("tiny")
        .env("TMPDIR", temp.path().display().to_string());
    let (child, stderr) = spawn_until_creating(provision, "tiny");
    std::thread::sleep(Duration::from_millis(300));
    assert_private_modelfile(temp.path());
    let (code, rest) = interrupt(child, stderr);
    assert_eq!(code, Some(130), "{rest}");
    assert!(rest.contains("interrupted"), "{rest}");
    let listed = emu.run(&["list"]).stdout;
    assert!(!listed.contains("tiny"), "{listed}");
    assert_eq!(
        std::fs::read_dir(temp.path()).unwrap().count(),
        0,
        "temp Modelfile removed"
    );
}

/// The create's Modelfile is a 0600 file while `ollama create` reads it.
fn assert_private_modelfile(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = files[0].metadata().unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn the_install_hook_runs_auto_from_plain_sh() {
    let emu = emulator();
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-hook.sh");
    let profile = emu.write("pair.yaml", PAIR);
    let hook_run = |emu: &Emulator, wait: &str| {
        let mut command = Provision::new().path_front(emu.bin_dir()).command();
        command
            .arg("-c")
            .arg("exec sh \"$0\" \"$@\"")
            .arg(&hook)
            .args([
                "--profile",
                &profile.display().to_string(),
                "--ram",
                "16GiB",
            ])
            .args(["--cores", "4", "--vram", "0"])
            .env("PROVISION_BIN", env!("CARGO_BIN_EXE_provision"))
            .env("PROVISION_WAIT_SECONDS", wait);
        Run::from(command_in_sh(command).output().unwrap())
    };
    let run = hook_run(&emu, "5").code(0);
    assert_eq!(run.json()["summary"]["created"], 2);
    assert_eq!(run.stderr, "");
    let down = emulator().env("OLLAMA_EMULATOR_FAULT", "server-down");
    let run = hook_run(&down, "1").code(1);
    assert!(
        run.stderr.contains("did not answer within 1s"),
        "{}",
        run.stderr
    );
}

/// Runs a command prepared for `provision` as `sh -c …` instead, keeping its
/// sealed environment.
fn command_in_sh(prepared: std::process::Command) -> std::process::Command {
    let mut command = std::process::Command::new("/bin/sh");
    command.args(prepared.get_args()).env_clear();
    for (key, value) in prepared.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    command
}

#[test]
fn a_base_shared_by_two_models_is_pulled_and_shown_once() {
    let emu = emulator();
    let profile = PAIR
        .replace("base: llama3.2:1b", "base: qwen2.5:0.5b")
        .replace("      quant: Q4_K_M\n", "");
    let path = emu.write("shared.yaml", &profile);
    let run = || {
        Provision::new()
            .path_front(emu.bin_dir())
            .args(["auto", "--ram", "16GiB", "--cores", "4", "--vram", "0"])
            .args(["--profile", &path.display().to_string()])
            .run()
            .code(0)
    };
    run();
    let pulls: Vec<String> = verbs(&emu, 0)
        .into_iter()
        .filter(|c| c.starts_with("pull"))
        .collect();
    assert_eq!(pulls, ["pull qwen2.5:0.5b-instruct-fp16"]);
    let before = emu.calls().len();
    run();
    assert_eq!(
        verbs(&emu, before).len(),
        1 + 3,
        "{:?}",
        verbs(&emu, before)
    );
}

/// Progress is a bar per pull and a spinner per create on a terminal (run under
/// `script`, which gives the child a pseudo-terminal), and plain lines otherwise.
#[test]
fn progress_is_bars_on_a_terminal_and_plain_lines_otherwise() {
    let emu = emulator();
    let home = tempfile::tempdir().unwrap();
    let path = format!("{}:/usr/bin:/bin", emu.bin_dir().display());
    let plain = Provision::new()
        .path_front(emu.bin_dir())
        .args(["auto", "llama3.2:1b", "--ram", "16GiB", "--vram", "0"])
        .run()
        .code(0);
    assert!(!plain.stderr.contains('\x1b'), "{:?}", plain.stderr);
    assert!(
        plain
            .stderr
            .contains("pulling llama3.2:1b-instruct-q4_K_M 807 MB\n")
    );
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped the terminal half: no `script` (util-linux) on this machine");
        return;
    }
    let command_line = format!(
        "{} auto qwen2.5:0.5b --ram 16GiB --vram 0",
        env!("CARGO_BIN_EXE_provision")
    );
    let output = std::process::Command::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(screen.contains("] 100%"), "no finished bar: {screen:?}");
    assert!(
        screen.contains("\x1b[2K"),
        "bars redraw their line: {screen:?}"
    );
    assert!(screen.contains("1 created"), "{screen:?}");
    // A terminal that cannot redraw (TERM unset) gets the plain lines.
    let output = std::process::Command::new("script")
        .args([
            "-qec",
            &command_line.replace("qwen2.5:0.5b", "qwen2.5:1.5b"),
            "/dev/null",
        ])
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", emu.bin_dir().display()))
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains("pulling qwen2.5:1.5b-instruct-q4_K_M"),
        "{screen:?}"
    );
}

/// Starts `provision` and reads its stderr until it reports creating `model`.
fn spawn_until_creating(
    provision: Provision,
    model: &str,
) -> (std::process::Child, BufReader<std::process::ChildStderr>) {
    let mut command = provision.command();
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with(&format!("creating {model}")) {
        line.clear();
        assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "no create started");
    }
    (child, stderr)
}

/// Sends SIGINT (Ctrl-C) to `child`; returns its exit code and the rest of stderr.
fn interrupt(
    mut child: std::process::Child,
    mut stderr: BufReader<std::process::ChildStderr>,
) -> (Option<i32>, String) {
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    assert!(killed.unwrap().success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    (child.wait().unwrap().code(), rest)
}
