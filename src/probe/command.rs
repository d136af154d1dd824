//! Running the helper programs the probe asks (nvidia-smi, rocm-smi, sysctl,
//! ollama) with a deadline, so a stuck driver never hangs `provision`.

use crate::child::{self, Ended};
use anyhow::{Context, Result, bail};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a probe program may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// What a program printed.
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
}

/// The program's path on `search_path` (a PATH-style list), if it is there.
pub fn find(name: &str, search_path: Option<&OsStr>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    which::which_in(name, search_path, cwd).ok()
}

/// Runs `program args…` with stdin closed; ends it and anything it started after
/// `timeout`. A non-zero exit is an error carrying the first line of stderr.
pub fn run(program: &Path, args: &[&str], timeout: Duration) -> Result<Printed> {
    let shown = program.display();
    let deadline = Instant::now() + timeout;
    let ended = child::run_captured(program, args, deadline, &|| false)
        .with_context(|| format!("could not run {shown}"))?;
    let Ended::Exited {
        status,
        stdout,
        stderr,
    } = ended
    else {
        bail!("{shown} did not answer within {} s", timeout.as_secs());
    };
    let printed = Printed {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    if !status.success() {
        let why = printed.stderr.lines().find(|l| !l.trim().is_empty());
        bail!(
            "{shown} failed ({status}){}",
            why.map(|l| format!(": {}", l.trim())).unwrap_or_default()
        );
    }
    Ok(printed)
}
