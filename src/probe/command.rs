//! Running the helper programs the probe asks (nvidia-smi, rocm-smi, sysctl,
//! ollama) with a deadline, so a stuck driver never hangs `provision`.

pub use crate::child::run;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

/// How long a probe program may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// The program's path on `search_path` (a PATH-style list), if it is there.
pub fn find(name: &str, search_path: Option<&OsStr>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    which::which_in(name, search_path, cwd).ok()
}
