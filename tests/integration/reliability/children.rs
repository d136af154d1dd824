//! `ollama` and the probe's tools run in their own process group: a timeout or a
//! Ctrl-C ends the whole group, and nothing waits on pipes a grandchild holds.

use crate::support::{Device, Emulator, Provision};
use std::time::{Duration, Instant};

/// An `ollama` that runs the emulator after `sleep 15` for the verbs given
/// (every verb when empty): the sleep is a grandchild of `provision`.
fn slow_wrapper(provision: Provision, emu: &Emulator, verbs: &str) -> Provision {
    let ollama = emu.bin_dir().join("ollama");
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in {verbs}) sleep 15 ;; esac\nexec '{}' \"$@\"\n",
        ollama.display()
    );
    let provision = provision.tool("wrap", &script);
    let wrap = provision.home().join(".tools/wrap").display().to_string();
    provision.args(["--ollama", &wrap])
}

#[test]
fn a_timeout_ends_the_wrapper_and_its_child_at_once() {
    let emu = Emulator::new();
    let provision = Provision::new().device(Device::DESKTOP);
    let started = Instant::now();
    slow_wrapper(provision, &emu, "*")
        .args(["--timeout", "2", "auto"])
        .run()
        .code(1)
        .one_error_line(&["timed out after 2s", "wrap list`"]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn ctrl_c_during_a_pull_ends_the_group_at_once() {
    let emu = Emulator::new();
    let provision = Provision::new().device(Device::DESKTOP);
    let mut running = slow_wrapper(provision, &emu, "pull")
        .args(["auto", "llama3.2:1b"])
        .spawn();
    running.wait_for_line("pulling");
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (code, _) = running.interrupt();
    let took = started.elapsed();
    assert_eq!(code, Some(130));
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_probe_tool_that_hangs_in_a_child_is_given_up_on() {
    let started = Instant::now();
    let run = Provision::new()
        .tool(
            "nvidia-smi",
            "#!/bin/sh\nsleep 15\necho '0, GPU, 1024, 1024'\n",
        )
        .args(["probe", "--json"])
        .run()
        .code(0);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let notes = run.json()["device"]["notes"].to_string();
    assert!(notes.contains("did not answer within 2 s"), "{notes}");
}
