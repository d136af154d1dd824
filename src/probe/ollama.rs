//! The Ollama side: is `ollama` installed, which version, where its models
//! live and how much disk is free there.

use super::{Environment, command};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The system-wide store of the Linux install script's `ollama` service user.
const SERVICE_STORE: &str = "/usr/share/ollama/.ollama/models";

/// What the probe learned about Ollama.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OllamaSide {
    /// The `ollama` binary found on PATH.
    pub path: Option<PathBuf>,
    /// From `ollama -v`, e.g. `0.12.3`.
    pub version: Option<String>,
    /// `$OLLAMA_MODELS`, else `~/.ollama/models`, else the service user's store when it exists.
    pub models_dir: Option<PathBuf>,
    /// Free space on the file system holding `models_dir` (or its nearest existing parent).
    pub models_dir_free_bytes: Option<u64>,
}

/// Probes the Ollama side; `ask_version` runs `ollama -v` (skipped by commands
/// that talk to Ollama anyway and count their calls).
pub fn probe(env: &Environment, notes: &mut Vec<String>, ask_version: bool) -> OllamaSide {
    let path = match &env.ollama_bin {
        Some(bin) => Some(bin.clone()).filter(|p| p.is_file()),
        None => command::find("ollama", env.search_path.as_deref()),
    };
    let version = path.as_deref().filter(|_| ask_version).and_then(|program| {
        match command::run(program, &["-v"], command::TIMEOUT) {
            Ok(printed) => parse_version(&format!("{}\n{}", printed.stdout, printed.stderr)),
            Err(error) => {
                notes.push(format!("ollama -v: {error:#}"));
                None
            }
        }
    });
    let models_dir = models_dir(env.ollama_models.clone(), env.home.clone(), &|p| p.exists());
    let free = models_dir.as_deref().and_then(free_bytes);
    OllamaSide {
        path,
        version,
        models_dir,
        models_dir_free_bytes: free,
    }
}

/// Picks the model store the way Ollama does, preferring the per-user store
/// unless only the service user's store exists.
pub fn models_dir(
    env: Option<std::ffi::OsString>,
    home: Option<PathBuf>,
    exists: &dyn Fn(&Path) -> bool,
) -> Option<PathBuf> {
    if let Some(dir) = env.filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let user = home.map(|home| home.join(".ollama/models"));
    let service = Path::new(SERVICE_STORE);
    match user {
        Some(user) if exists(&user) || !exists(service) => Some(user),
        _ if exists(service) => Some(service.to_path_buf()),
        _ => None,
    }
}

/// The version from `ollama -v`: `ollama version is X.Y.Z`, or, when no server
/// answers, the `Warning: client version is X.Y.Z` line.
pub fn parse_version(text: &str) -> Option<String> {
    let after = |marker: &str| {
        text.lines()
            .find_map(|line| line.split_once(marker).map(|(_, v)| v.trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    after("ollama version is").or_else(|| after("client version is"))
}

/// Free bytes for unprivileged users on the file system of `dir` or of its
/// nearest existing ancestor (the store may not exist before the first pull).
#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let existing = dir.ancestors().find(|d| d.exists())?;
    let path = std::ffi::CString::new(existing.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a valid NUL-terminated string and `stats` is writable
    // memory of the right type; it is read only after statvfs reports success.
    let stats = unsafe {
        if libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    u64::from(stats.f_bavail).checked_mul(u64::from(stats.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_with_warnings() {
        assert_eq!(
            parse_version("ollama version is 0.12.3\n").as_deref(),
            Some("0.12.3")
        );
        let mismatch = "ollama version is 0.11.0\nWarning: client version is 0.12.3\n";
        assert_eq!(parse_version(mismatch).as_deref(), Some("0.11.0"));
        let no_server = "Warning: could not connect to a running Ollama instance\n\
                         Warning: client version is 0.12.3\n";
        assert_eq!(parse_version(no_server).as_deref(), Some("0.12.3"));
        assert_eq!(parse_version("command not found"), None);
    }

    #[test]
    fn store_path_order() {
        let home = Some(PathBuf::from("/home/u"));
        let none = |_: &Path| false;
        let service_only = |p: &Path| p == Path::new(SERVICE_STORE);
        let env = Some("/data/models".into());
        assert_eq!(
            models_dir(env, home.clone(), &none),
            Some("/data/models".into())
        );
        assert_eq!(
            models_dir(Some("".into()), home.clone(), &none),
            Some("/home/u/.ollama/models".into())
        );
        assert_eq!(
            models_dir(None, home.clone(), &service_only),
            Some(SERVICE_STORE.into())
        );
        assert_eq!(
            models_dir(None, home, &|_| true),
            Some("/home/u/.ollama/models".into())
        );
        assert_eq!(models_dir(None, None, &none), None);
    }

    #[test]
    fn free_space_of_a_missing_store_is_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let free = free_bytes(&dir.path().join("not/yet/created"));
        assert!(free.is_some_and(|bytes| bytes > 0), "{free:?}");
    }
}
