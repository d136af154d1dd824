//! `provision` runs that are more than start-and-wait: in the background (to
//! interrupt them or to race them), under a pseudo-terminal, or through a script.

use super::{Provision, Run};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, Command, Stdio};

/// A `provision` started in the background; its stderr is read line by line.
pub struct Running {
    child: Child,
    stderr: BufReader<ChildStderr>,
    /// Keeps the sealed HOME (state, lock, tools) alive while the run goes on.
    _provision: Provision,
}

impl Provision {
    /// Starts the run in the background.
    pub fn spawn(self) -> Running {
        let mut command = self.command();
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn provision");
        let stderr = BufReader::new(child.stderr.take().expect("stderr"));
        Running {
            child,
            stderr,
            _provision: self,
        }
    }

    /// Runs `program` (e.g. `/bin/sh` and a script as its first argument) with
    /// these arguments in the same sealed environment, instead of `provision`.
    pub fn run_program(self, program: impl AsRef<OsStr>) -> Run {
        let prepared = self.command();
        let mut command = Command::new(program);
        command.args(prepared.get_args()).env_clear();
        for (key, value) in prepared.get_envs() {
            if let Some(value) = value {
                command.env(key, value);
            }
        }
        Run::from(
            command
                .stdin(Stdio::null())
                .output()
                .expect("run the program"),
        )
    }

    /// Runs under `script` (util-linux), which gives `provision` a pseudo-terminal,
    /// with TERM set to `term` (`None`: unset, a terminal that cannot redraw). The
    /// screen, both streams as the terminal showed them, is the run's stdout.
    /// `None` when this machine has no `script`.
    pub fn run_in_terminal(self, term: Option<&str>) -> Option<Run> {
        if Command::new("script").arg("--version").output().is_err() {
            return None;
        }
        let prepared = self.command();
        let mut line = shell_quote(prepared.get_program());
        for arg in prepared.get_args() {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut command = Command::new("script");
        command.args(["-qec", &line, "/dev/null"]).env_clear();
        for (key, value) in prepared.get_envs() {
            if let Some(value) = value {
                command.env(key, value);
            }
        }
        if let Some(term) = term {
            command.env("TERM", term);
        }
        let output = command.stdin(Stdio::null()).output().expect("run script");
        Some(Run::from(output))
    }
}

impl Running {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Reads stderr until a line starts with `prefix`; panics if stderr ends first.
    #[track_caller]
    pub fn wait_for_line(&mut self, prefix: &str) {
        let mut line = String::new();
        while !line.starts_with(prefix) {
            line.clear();
            let read = self.stderr.read_line(&mut line).expect("read stderr");
            assert_ne!(read, 0, "stderr ended before a line starting {prefix:?}");
        }
    }

    /// Sends SIGINT (Ctrl-C); returns the exit code and the rest of stderr.
    pub fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-INT", &pid]).status();
        assert!(killed.unwrap().success());
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        (self.child.wait().unwrap().code(), rest)
    }

    /// Waits for the run to end; what it printed (stderr from where reading stopped).
    pub fn finish(mut self) -> Run {
        let mut stdout = self.child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            stdout.read_to_end(&mut text).map(|_| text)
        });
        let mut stderr = Vec::new();
        self.stderr.read_to_end(&mut stderr).expect("read stderr");
        let stdout = reader.join().unwrap().expect("read stdout");
        let status = self.child.wait().expect("wait for provision");
        Run::from(std::process::Output {
            status,
            stdout,
            stderr,
        })
    }
}

/// `text` in single quotes for `sh`.
fn shell_quote(text: &OsStr) -> String {
    format!("'{}'", text.to_string_lossy().replace('\'', r"'\''"))
}
