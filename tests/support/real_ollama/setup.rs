//! Running tests/real_ollama/setup.sh once per test binary and reading what it installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// What setup.sh installed (its `real-ollama.env`).
#[derive(Debug)]
pub struct Installed {
    values: BTreeMap<String, String>,
}

impl Installed {
    /// A path or value setup.sh recorded, e.g. `ollama`, `upstream`, `gguf`.
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }
}

/// Runs setup.sh once per test binary: the installation, or its one-line reason.
pub fn installed() -> Result<&'static Installed, String> {
    static SETUP: OnceLock<Result<Installed, String>> = OnceLock::new();
    SETUP.get_or_init(run_setup).as_ref().map_err(Clone::clone)
}

fn run_setup() -> Result<Installed, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_ollama/setup.sh");
    let cache = cache_dir()?;
    let out = Command::new("bash")
        .arg(&script)
        .env("PROVISION_TEST_CACHE", &cache)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run {}: {e}", script.display()))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(if said.is_empty() {
            "setup.sh failed".into()
        } else {
            said
        });
    }
    let env = cache.join("real-ollama.env");
    let text = std::fs::read_to_string(&env).map_err(|e| {
        format!(
            "setup.sh succeeded, but {} is unreadable: {e}",
            env.display()
        )
    })?;
    let values = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(Installed { values })
}

/// setup.sh's cache: $PROVISION_TEST_CACHE, else $XDG_CACHE_HOME or ~/.cache, then
/// `provision-tests` (outside the repository, shared by every checkout).
fn cache_dir() -> Result<PathBuf, String> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("PROVISION_TEST_CACHE") {
        return Ok(dir);
    }
    let base = var("XDG_CACHE_HOME")
        .or_else(|| var("HOME").map(|home| home.join(".cache")))
        .ok_or("neither PROVISION_TEST_CACHE, XDG_CACHE_HOME nor HOME is set")?;
    Ok(base.join("provision-tests"))
}
