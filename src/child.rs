//! Child processes, each the leader of its own process group: a timeout or a
//! Ctrl-C ends the whole group (a wrapper script and what it started), and no
//! one waits on a pipe that a grandchild still holds open after the child exited.

use anyhow::{Context, Result, bail};
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long output is still read after the child exited: its own writes are in
/// the pipe by then; anything slower is a grandchild holding the pipe open.
pub const GRACE: Duration = Duration::from_millis(250);

const POLL: Duration = Duration::from_millis(10);

/// A running child that leads its own process group.
pub struct Group {
    child: std::process::Child,
}

impl Group {
    /// Starts `program args…` with stdin closed and the given stdout and stderr,
    /// in a new process group whose id is the child's pid.
    pub fn spawn<S: AsRef<OsStr>>(
        program: &Path,
        args: &[S],
        stdout: Stdio,
        stderr: Stdio,
    ) -> io::Result<Group> {
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0)
            .spawn()?;
        Ok(Group { child })
    }

    /// The exit status, if the child has exited.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Ends every process of the group (SIGKILL) and reaps the child.
    pub fn kill(&mut self) {
        if let Ok(pgid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) with a negative pid signals the process group; it
            // touches no memory of ours.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pipe read to its end on a thread; what was read so far can be looked at.
pub struct Drain {
    bytes: Arc<Mutex<Vec<u8>>>,
    done: Arc<AtomicBool>,
}

impl Drain {
    /// Starts reading `pipe` on a thread of its own.
    pub fn start(mut pipe: impl Read + Send + 'static) -> Drain {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new(AtomicBool::new(false));
        let (into, finished) = (Arc::clone(&bytes), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                into.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&chunk[..n]);
            }
            finished.store(true, Ordering::SeqCst);
        });
        Drain { bytes, done }
    }

    /// Whether the pipe has ended.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// A copy of what was read so far.
    pub fn snapshot(&self) -> Vec<u8> {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// What was read once the pipe ended, or once `grace` passed: the thread is
    /// left to a grandchild that keeps the pipe open.
    pub fn finish(self, grace: Duration) -> Vec<u8> {
        let until = Instant::now() + grace;
        while !self.is_done() && Instant::now() < until {
            std::thread::sleep(POLL);
        }
        self.snapshot()
    }
}

/// How a bounded run ended.
pub enum Ended {
    Exited {
        status: ExitStatus,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    /// The deadline passed; the group was ended.
    TimedOut,
    /// `stop` said so; the group was ended.
    Stopped,
}

/// Runs `program args…` with stdout and stderr captured until it exits, the
/// `deadline` passes or `stop` returns true (then the whole group is ended).
pub fn run_captured<S: AsRef<OsStr>>(
    program: &Path,
    args: &[S],
    deadline: Instant,
    stop: &dyn Fn() -> bool,
) -> io::Result<Ended> {
    let mut group = Group::spawn(program, args, Stdio::piped(), Stdio::piped())?;
    let stdout = Drain::start(group.child.stdout.take().expect("piped stdout"));
    let stderr = Drain::start(group.child.stderr.take().expect("piped stderr"));
    loop {
        if let Some(status) = group.try_wait()? {
            return Ok(Ended::Exited {
                status,
                stdout: stdout.finish(GRACE),
                stderr: stderr.finish(GRACE),
            });
        }
        let ended = if stop() {
            Ended::Stopped
        } else if Instant::now() >= deadline {
            Ended::TimedOut
        } else {
            std::thread::sleep(POLL);
            continue;
        };
        group.kill();
        return Ok(ended);
    }
}

/// What a program printed.
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program args…` with stdin closed; ends it and anything it started after
/// `timeout`. A non-zero exit is an error carrying the first line of stderr.
pub fn run(program: &Path, args: &[&str], timeout: Duration) -> Result<Printed> {
    let shown = std::iter::once(program.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
    let deadline = Instant::now() + timeout;
    let ended = run_captured(program, args, deadline, &|| false)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, deadline: Duration) -> (Ended, Duration) {
        let started = Instant::now();
        let ended = run_captured(
            Path::new("/bin/sh"),
            &["-c", script],
            started + deadline,
            &|| false,
        )
        .unwrap();
        (ended, started.elapsed())
    }

    #[test]
    fn captures_both_streams_and_the_status() {
        let (ended, _) = sh("echo out; echo err >&2; exit 3", Duration::from_secs(5));
        let Ended::Exited {
            status,
            stdout,
            stderr,
        } = ended
        else {
            panic!("did not exit");
        };
        assert_eq!(status.code(), Some(3));
        assert_eq!((&stdout[..], &stderr[..]), (&b"out\n"[..], &b"err\n"[..]));
    }

    #[test]
    fn a_timeout_ends_the_child_and_its_children_at_once() {
        let (ended, took) = sh("sleep 15; echo late", Duration::from_millis(300));
        assert!(matches!(ended, Ended::TimedOut));
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    #[test]
    fn a_grandchild_holding_the_pipes_is_not_waited_for() {
        let (ended, took) = sh("sleep 5 & echo done", Duration::from_secs(10));
        let Ended::Exited { stdout, .. } = ended else {
            panic!("did not exit");
        };
        assert_eq!(stdout, b"done\n");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    #[test]
    fn stop_ends_the_group() {
        let started = Instant::now();
        let ended = run_captured(
            Path::new("/bin/sh"),
            &["-c", "sleep 15"],
            started + Duration::from_secs(10),
            &|| started.elapsed() > Duration::from_millis(200),
        )
        .unwrap();
        assert!(matches!(ended, Ended::Stopped));
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
