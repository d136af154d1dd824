//! Issue 16's reproductions, one module per defect: each ran through the built
//! binary and failed before its fix.

mod children;
mod cosmetic;
mod disk;
mod exit_codes;
mod hook;
mod hostile;
mod ignored;
mod input;
mod names;
mod ranges;
mod server;
mod small_gpu;
mod usage;
mod values;

use crate::support::{Provision, Run};
use std::time::{Duration, Instant};

/// Runs `provision` and fails the test, killing the run, when it takes longer
/// than `limit` (a hang must not hang the suite).
fn run_within(provision: Provision, limit: Duration) -> Run {
    use std::process::Stdio;
    let mut command = provision.command();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn provision");
    let started = Instant::now();
    while child.try_wait().expect("poll provision").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("provision still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run::from(
        child
            .wait_with_output()
            .expect("collect provision's output"),
    )
}

/// Makes a named pipe at `path`.
fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(
        made.expect("run mkfifo").success(),
        "mkfifo {}",
        path.display()
    );
}
