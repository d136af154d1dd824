//! Where the probe reads procfs, sysfs and the cgroup tree from.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// Everything the probe reads besides the machine itself, gathered once by the
/// context: where the file trees are, where programs are looked up, and the
/// variables that place Ollama's model store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub roots: Roots,
    /// The PATH programs (`nvidia-smi`, `rocm-smi`, `sysctl`, `ollama`) are found on.
    pub search_path: Option<OsString>,
    /// The `ollama` program `--ollama`/`OLLAMA_BIN` names, when one is named.
    pub ollama_bin: Option<PathBuf>,
    pub home: Option<PathBuf>,
    /// `$OLLAMA_MODELS`.
    pub ollama_models: Option<OsString>,
}

impl Environment {
    /// A fixture tree with no programs and no home: only the files under `dir`.
    pub fn under(dir: &Path) -> Environment {
        Environment {
            roots: Roots::under(dir),
            search_path: Some(OsString::new()),
            ollama_bin: None,
            home: None,
            ollama_models: None,
        }
    }
}

/// Environment variable naming a directory that holds `proc/`, `sys/` and
/// `sys/fs/cgroup/` to probe instead of the real system (tests, debugging).
pub const ROOT_ENV: &str = "PROVISION_PROBE_ROOT";

/// The roots of the file trees the probe reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    pub proc: PathBuf,
    pub sys: PathBuf,
    pub cgroup: PathBuf,
    /// True when these are the running system's trees, so system calls
    /// (statvfs, sysinfo, sysctl) describe the same machine.
    pub live: bool,
}

impl Roots {
    /// The running system: `/proc`, `/sys`, `/sys/fs/cgroup`.
    pub fn system() -> Roots {
        Roots {
            live: true,
            ..Roots::under(Path::new("/"))
        }
    }

    /// A fixture tree laid out like the root filesystem.
    pub fn under(dir: &Path) -> Roots {
        Roots {
            proc: dir.join("proc"),
            sys: dir.join("sys"),
            cgroup: dir.join("sys/fs/cgroup"),
            live: false,
        }
    }

    /// `dir` (the value of `$PROVISION_PROBE_ROOT`) when set and non-empty, else
    /// the system.
    pub fn from_setting(dir: Option<&OsStr>) -> Roots {
        match dir {
            Some(dir) if !dir.is_empty() => Roots::under(Path::new(dir)),
            _ => Roots::system(),
        }
    }

    /// Reads a small text file; absent, unreadable, not a regular file or larger
    /// than [`crate::input::PROBE_LIMIT`] is `None`.
    pub fn read(path: &Path) -> Option<String> {
        crate::input::read_text(path, crate::input::PROBE_LIMIT).ok()
    }
}

/// A fixture tree for unit tests: `(relative path, contents)` pairs.
#[cfg(test)]
pub fn fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write fixture");
    }
    dir
}
