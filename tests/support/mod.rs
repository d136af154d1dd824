//! The integration-test harness: runs the built `provision` binary in a sealed
//! environment (temp HOME, no inherited `OLLAMA_*`/`PROVISION_*`, a PATH that holds
//! only the system directories and, when asked, the ollama emulator).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

pub mod real_ollama;
pub mod registry;

/// A sealed run of `provision`: build it with `.arg()`/`.env()`, then `.run()`.
#[must_use]
pub struct Provision {
    args: Vec<String>,
    env: BTreeMap<String, String>,
    home: TempDir,
    path_front: Vec<PathBuf>,
    stdin: Option<String>,
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Provision {
    pub fn new() -> Self {
        Provision {
            args: Vec::new(),
            env: BTreeMap::new(),
            home: tempfile::tempdir().expect("temp HOME"),
            path_front: Vec::new(),
            stdin: None,
        }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.insert(key.to_string(), value.into());
        self
    }

    /// Puts a directory in front of PATH (e.g. one holding a fake `ollama`).
    pub fn path_front(mut self, dir: impl Into<PathBuf>) -> Self {
        self.path_front.push(dir.into());
        self
    }

    pub fn stdin(mut self, text: impl Into<String>) -> Self {
        self.stdin = Some(text.into());
        self
    }

    /// The temporary HOME of this run.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_provision"));
        command.args(&self.args).env_clear();
        let mut path: Vec<PathBuf> = self.path_front.clone();
        path.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
        command
            .env("PATH", std::env::join_paths(path).expect("PATH"))
            .env("HOME", self.home.path())
            .env("XDG_STATE_HOME", self.home.path().join(".local/state"))
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("LANG", "C.UTF-8");
        command.envs(&self.env);
        command
    }

    pub fn run(self) -> Run {
        use std::io::Write;
        use std::process::Stdio;
        let mut command = self.command();
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = command.spawn().expect("spawn provision");
        if let Some(text) = &self.stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write stdin");
        }
        Run::from(child.wait_with_output().expect("wait for provision"))
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts that stderr is exactly one line starting with `provision: ` and
    /// containing every fragment.
    #[track_caller]
    pub fn one_error_line(&self, fragments: &[&str]) {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one stderr line, got:\n{}",
            self.stderr
        );
        assert!(lines[0].starts_with("provision: "), "{}", lines[0]);
        for fragment in fragments {
            assert!(
                lines[0].contains(fragment),
                "{:?} not in {}",
                fragment,
                lines[0]
            );
        }
    }
}

/// Says that a test skipped and why, where a user sees it: on stderr (shown by
/// `cargo test -- --nocapture`) and as a line of `target/tmp/skipped-tests.txt`,
/// which `scripts/test.sh` prints after the run. A skip is never silent.
pub fn skip(test: &str, reason: &str) {
    use std::io::Write;
    eprintln!("skipped {test}: {reason}");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests.txt");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{test}: {reason}");
    }
}
