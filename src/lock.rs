//! The advisory lock that serialises concurrent `provision auto` runs.
//!
//! Two runs creating the same models at once would race on `ollama create`; the
//! lock file under `$XDG_STATE_HOME/provision/` makes the second run wait (and say
//! so) or, with `--no-wait`, give up. The kernel releases the lock when the process
//! exits, however it exits, so a crashed run never leaves a stale lock behind.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Held for as long as the value lives.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    pub path: PathBuf,
}

/// What to do when another run holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contention {
    Wait,
    Fail,
}

/// Takes the lock at `path`. `on_wait` is called once, with the holder's pid when
/// known, before blocking.
pub fn acquire(
    path: &Path,
    contention: Contention,
    on_wait: impl FnOnce(Option<u32>),
) -> Result<RunLock> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create the lock directory {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("could not open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = read_pid(&mut file);
            if contention == Contention::Fail {
                let who = holder
                    .map(|pid| format!(" (pid {pid})"))
                    .unwrap_or_default();
                bail!(
                    "another provision run{who} holds the lock {}; try again later or drop --no-wait",
                    path.display()
                );
            }
            on_wait(holder);
            file.lock()
                .with_context(|| format!("could not lock {}", path.display()))?;
        }
        Err(TryLockError::Error(error)) => {
            return Err(error).with_context(|| format!("could not lock {}", path.display()));
        }
    }
    write_pid(&mut file)
        .with_context(|| format!("could not write to the lock file {}", path.display()))?;
    Ok(RunLock {
        _file: file,
        path: path.to_path_buf(),
    })
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    // A pid is a few digits; whatever else the file holds is not read.
    Read::by_ref(file).take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn write_pid(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_fails_fast_or_waits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/provision/lock");
        let first = acquire(&path, Contention::Fail, |_| {}).unwrap();
        // File locks are per open file description, so a second open in the same
        // process contends exactly like another process would.
        let error = acquire(&path, Contention::Fail, |_| {}).unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || {
                let mut waited = None;
                let _lock = acquire(&path, Contention::Wait, |pid| waited = Some(pid)).unwrap();
                waited
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(first);
        assert_eq!(waiter.join().unwrap(), Some(Some(std::process::id())));
    }
}
