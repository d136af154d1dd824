//! Reading input files with bounds: only regular files, never more than a limit,
//! and never blocking on a FIFO or a device (`--profile /dev/zero`, a named pipe).

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The largest profile or template read: the built-ins are a few KiB.
pub const TEXT_LIMIT: u64 = 1 << 20;

/// The largest `/proc`, `/sys` or cgroup file the probe reads (`/proc/cpuinfo`
/// of a 512-thread machine is about 1 MiB).
pub const PROBE_LIMIT: u64 = 8 << 20;

/// The text of the regular file at `path`, at most `limit` bytes of UTF-8.
/// Anything else is an error saying what the file is instead.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever;
    // on a regular file the flag changes nothing.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::other(format!(
            "not a regular file ({})",
            describe(&kind)
        )));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "larger than {}",
            crate::size::Binary(limit)
        )));
    }
    String::from_utf8(bytes).map_err(|_| io::Error::other("not UTF-8 text"))
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.yaml");
        std::fs::write(&path, "name: x\n").unwrap();
        assert_eq!(read_text(&path, 8).unwrap(), "name: x\n");
        let error = read_text(&path, 7).unwrap_err().to_string();
        assert_eq!(error, "larger than 7 B");
    }

    #[test]
    fn refuses_devices_directories_and_pipes_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let cases = [
            (Path::new("/dev/zero"), "a character device"),
            (dir.path(), "a directory"),
            (fifo.as_path(), "a named pipe"),
        ];
        for (path, kind) in cases {
            let error = read_text(path, TEXT_LIMIT).unwrap_err().to_string();
            assert_eq!(error, format!("not a regular file ({kind})"));
        }
    }

    #[test]
    fn refuses_text_that_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert_eq!(
            read_text(&path, 8).unwrap_err().to_string(),
            "not UTF-8 text"
        );
    }
}
