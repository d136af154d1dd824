//! `scripts/install-hook.sh` waits at most PROVISION_WAIT_SECONDS in all, even
//! when the server hangs and `ollama list` never returns.

use crate::support::{Emulator, Provision, Run};
use std::path::Path;
use std::time::{Duration, Instant};

fn hook(provision: Provision, wait_seconds: &str) -> (Run, Duration) {
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-hook.sh");
    let started = Instant::now();
    let run = provision
        .arg(hook.display().to_string())
        .env("PROVISION_BIN", env!("CARGO_BIN_EXE_provision"))
        .env("PROVISION_WAIT_SECONDS", wait_seconds)
        .run_program("/bin/sh");
    (run, started.elapsed())
}

#[test]
fn a_hung_server_is_given_up_on_within_the_wait() {
    let emu = Emulator::new().fault("hang");
    let (run, took) = hook(Provision::new().emulator(&emu), "3");
    run.code(1).stderr_has("did not answer within 3s");
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn without_a_usable_timeout_a_background_job_bounds_the_call() {
    // An old BusyBox `timeout` (no `-k`), or none at all: the fallback path.
    let emu = Emulator::new().fault("hang");
    let provision = Provision::new().emulator(&emu).tool(
        "timeout",
        "#!/bin/sh\necho 'timeout: unrecognized option' >&2\nexit 125\n",
    );
    let (run, took) = hook(provision, "3");
    run.code(1).stderr_has("did not answer within 3s");
    assert!(took < Duration::from_secs(9), "took {took:?}");
}

#[test]
fn a_server_that_is_down_is_retried_for_the_whole_wait() {
    let emu = Emulator::new().fault("server-down");
    let (run, took) = hook(Provision::new().emulator(&emu), "2");
    run.code(1).stderr_has("did not answer within 2s");
    assert!(took >= Duration::from_secs(2), "took {took:?}");
}
