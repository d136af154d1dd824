//! Where the probe reads procfs, sysfs and the cgroup tree from.

use std::path::{Path, PathBuf};

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

    /// `$PROVISION_PROBE_ROOT` when set and non-empty, else the system.
    pub fn from_env() -> Roots {
        match std::env::var_os(ROOT_ENV) {
            Some(dir) if !dir.is_empty() => Roots::under(Path::new(&dir)),
            _ => Roots::system(),
        }
    }

    /// Reads a small text file; absent or unreadable is `None`.
    pub fn read(path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
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
