//! `provision auto` as a process: runs serialised on the lock, Ctrl-C during a
//! create, the install hook run by plain `sh`, and progress on a terminal.

use super::{PAIR, auto, emulator};
use crate::support::{Device, Emulator, Provision, Run};
use std::path::Path;
use std::time::Duration;

#[test]
fn concurrent_runs_serialise_on_the_lock() {
    let emu = emulator().delay_ms(250);
    let state = tempfile::tempdir().unwrap();
    let state_home = state.path().display().to_string();
    let tiny = || {
        auto(&emu, Device::DESKTOP)
            .arg("tiny")
            .env("XDG_STATE_HOME", &state_home)
    };
    let first = tiny().spawn();
    let waiting = format!("waiting for another provision run (pid {})", first.id());
    std::thread::sleep(Duration::from_millis(400));
    let refused = tiny().arg("--no-wait").run();
    let second = tiny().spawn();
    let first = first.finish().code(0);
    let second = second.finish().code(0);
    refused
        .code(1)
        .one_error_line(&["another provision run", "--no-wait"]);
    second.stderr_has(&waiting).stdout_has("1 unchanged");
    first.stdout_has("1 created");
}

/// The realistic case: killing the `ollama` client does not stop the server, which
/// may finish writing the model. `auto` removes a target that did not exist before.
#[test]
fn an_interrupted_create_whose_model_was_written_is_removed() {
    let emu = emulator()
        .pulled(&["qwen2.5:0.5b-instruct-q4_K_M"])
        .fault("create-hangs");
    let mut running = auto(&emu, Device::DESKTOP).arg("tiny").spawn();
    running.wait_for_line("creating tiny");
    // Wait until the emulator has written the target's manifest.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !emu.run(&["list"]).stdout.contains("tiny:latest") {
        assert!(
            std::time::Instant::now() < deadline,
            "the create never wrote tiny"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (code, rest) = running.interrupt();
    assert_eq!(code, Some(130), "{rest}");
    let listed = emu.run(&["list"]).stdout;
    assert!(
        !listed.contains("tiny"),
        "half-created target left behind: {listed}"
    );
    let calls = emu.log().verbs();
    assert!(calls.iter().any(|v| v == "rm tiny"), "{calls:?}");
}

#[test]
fn an_interrupted_create_leaves_no_target_and_exits_130() {
    let emu = emulator()
        .pulled(&["qwen2.5:0.5b-instruct-q4_K_M"])
        .delay_ms(1500);
    let temp = tempfile::tempdir().unwrap();
    let mut running = auto(&emu, Device::DESKTOP)
        .arg("tiny")
        .env("TMPDIR", temp.path().display().to_string())
        .spawn();
    running.wait_for_line("creating tiny");
    std::thread::sleep(Duration::from_millis(300));
    assert_private_modelfile(temp.path());
    let (code, rest) = running.interrupt();
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

/// The hook (run by plain `sh`) passes its arguments to `provision auto`.
fn hook(emu: &Emulator, wait_seconds: &str) -> Run {
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-hook.sh");
    Provision::new()
        .emulator(emu)
        .arg(hook.display().to_string())
        .profile(PAIR)
        .device(Device::DESKTOP)
        .env("PROVISION_BIN", env!("CARGO_BIN_EXE_provision"))
        .env("PROVISION_WAIT_SECONDS", wait_seconds)
        .run_program("/bin/sh")
}

#[test]
fn the_install_hook_runs_auto_from_plain_sh() {
    let run = hook(&emulator(), "5").code(0).stderr_is("");
    assert_eq!(run.json()["summary"]["created"], 2);
    hook(&emulator().fault("server-down"), "1")
        .code(1)
        .stderr_has("did not answer within 1s");
}

/// Progress is a bar per pull and a spinner per create on a terminal (run under
/// `script`, which gives the child a pseudo-terminal), and plain lines otherwise.
#[test]
fn progress_is_bars_on_a_terminal_and_plain_lines_otherwise() {
    let emu = emulator();
    // Two cores: the 4-bit tier, whatever the test machine has.
    let device = Device::cpu("16GiB", 2);
    let pull = |model: &str| {
        Provision::new()
            .emulator(&emu)
            .args(["auto", model])
            .device(device)
    };
    pull("llama3.2:1b")
        .run()
        .code(0)
        .stderr_lacks("\x1b")
        .stderr_has("pulling llama3.2:1b-instruct-q4_K_M 807 MB\n");
    let Some(screen) = pull("qwen2.5:0.5b").run_in_terminal(Some("xterm")) else {
        crate::support::skip(
            "auto::process::progress_is_bars_on_a_terminal_and_plain_lines_otherwise (terminal half)",
            "no `script` (util-linux) on this machine",
        );
        return;
    };
    screen
        .code(0)
        .stdout_has("] 100%")
        .stdout_has("\x1b[2K")
        .stdout_has("1 created");
    // A terminal that cannot redraw (TERM unset) gets the plain lines.
    pull("qwen2.5:1.5b")
        .run_in_terminal(None)
        .unwrap()
        .stdout_has("pulling qwen2.5:1.5b-instruct-q4_K_M");
}
