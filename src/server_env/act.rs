//! The side effects the executor's server steps need: an atomic write of the
//! drop-in, and `systemctl` run with a deadline.

use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long `systemctl daemon-reload` and `restart` may take (a restart waits
/// for the old server to stop, which systemd bounds at 90 s by default).
pub const SYSTEMCTL_TIMEOUT: Duration = Duration::from_secs(120);

/// A program on a PATH-style list.
pub fn find(name: &str, search_path: Option<&OsStr>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    which::which_in(name, search_path, cwd).ok()
}

/// Writes `content` to `path` through a temporary file in the same directory
/// and a rename, so the file is never half written; mode 0644. The directory
/// is created (0755) when missing.
pub fn write_atomically(path: &Path, content: &str) -> Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("could not write {}: no directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut file = tempfile::Builder::new()
        .prefix(".provision-")
        .tempfile_in(dir)
        .with_context(|| format!("could not create a temporary file in {}", dir.display()))?;
    let written = file
        .write_all(content.as_bytes())
        .and_then(|()| {
            file.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
        })
        .and_then(|()| file.as_file().sync_all());
    written.with_context(|| format!("could not write {}", path.display()))?;
    file.persist(path)
        .with_context(|| format!("could not replace {}", path.display()))?;
    Ok(())
}

/// Runs `program args…` with stdin closed and a deadline (its whole process
/// group ended after it); returns stdout. A non-zero exit is an error with the
/// first stderr line.
pub fn run(program: &Path, args: &[&str], timeout: Duration) -> Result<String> {
    Ok(crate::child::run(program, args, timeout)?.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_write_replaces_the_file_whole_with_mode_0644() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ollama.service.d/50-provision.conf");
        write_atomically(&path, "[Service]\n").unwrap();
        write_atomically(&path, "[Service]\nEnvironment=\"A=1\"\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[Service]\nEnvironment=\"A=1\"\n"
        );
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o644);
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_failing_program_names_its_command_and_error() {
        let error = run(
            Path::new("/bin/sh"),
            &["-c", "echo nope >&2; exit 3"],
            SYSTEMCTL_TIMEOUT,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("/bin/sh -c echo nope >&2; exit 3 failed ("),
            "{error}"
        );
        assert!(error.ends_with(": nope"), "{error}");
    }
}
