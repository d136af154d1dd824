//! Runs the ollama emulator (tests/emulator/ollama, a launcher for ollama_emulator.py) in a sealed environment: its own
//! state directory, working directory and HOME, and only the variables a test sets.
//! An `Emulator` is one model store; a test keeps it for as long as it runs commands
//! against that store (`Provision::emulator(&emu)` puts it first on PATH).
#![allow(dead_code)]

use super::calls::Calls;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// The emulator script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/emulator/ollama")
}

/// The directory holding the emulator's python package `ollama_emu`, for tests
/// that import it.
pub fn module() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/emulator")
}

/// One emulated machine: a model store plus a working directory.
pub struct Emulator {
    pub state: TempDir,
    pub cwd: TempDir,
    pub env: Vec<(String, String)>,
}

/// What one invocation printed.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stderr with CSI sequences removed, from the last frame start on.
    pub fn last_frame(&self) -> String {
        let last = self.stderr.rsplit("\x1b[?2026h").next().unwrap_or_default();
        provision::ollama::progress::strip_ansi(last)
    }
}

impl Emulator {
    /// An empty store of the current era that prints parameters in sorted order.
    pub fn new() -> Self {
        Emulator {
            state: tempfile::tempdir().unwrap(),
            cwd: tempfile::tempdir().unwrap(),
            env: vec![("OLLAMA_EMULATOR_DETERMINISTIC".into(), "1".into())],
        }
    }

    /// Adds (or replaces) an environment variable for later runs.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    /// Behaves like this Ollama version (`current`, `v0.12`, `v0.5`, `v0.3`).
    pub fn era(self, era: &str) -> Self {
        self.env("OLLAMA_EMULATOR_ERA", era)
    }

    /// Injects a failure (`server-down`, `hang`, `disk-full`, `create-fails[:NAME]`,
    /// `create-hangs`, `pull-cut`, `load-fails[:NAME]`, `slow-load[:MS]`;
    /// comma-separated to combine), from now on.
    pub fn fault(self, fault: &str) -> Self {
        self.env("OLLAMA_EMULATOR_FAULT", fault)
    }

    /// Sleeps this long at the start of every invocation.
    pub fn delay_ms(self, millis: u64) -> Self {
        self.env("OLLAMA_EMULATOR_DELAY_MS", &millis.to_string())
    }

    /// Prints parameters in random order, as real Ollama does.
    pub fn random_order(self) -> Self {
        self.env("OLLAMA_EMULATOR_DETERMINISTIC", "0")
    }

    /// Pulls these tags into the store; each must succeed.
    #[track_caller]
    pub fn pulled(self, tags: &[&str]) -> Self {
        for tag in tags {
            self.ok(&["pull", tag]);
        }
        self
    }

    fn sealed_env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "PATH".to_string(),
                "/usr/local/bin:/usr/bin:/bin".to_string(),
            ),
            ("HOME".to_string(), self.cwd.path().display().to_string()),
            ("LANG".to_string(), "C.UTF-8".to_string()),
            (
                "OLLAMA_EMULATOR_STATE".to_string(),
                self.state.path().display().to_string(),
            ),
        ];
        env.extend(self.env.iter().cloned());
        env
    }

    /// Writes a file into the working directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.cwd.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs the emulator with these arguments.
    pub fn run(&self, args: &[&str]) -> Out {
        let output = Command::new(script())
            .args(args)
            .env_clear()
            .envs(self.sealed_env())
            .current_dir(self.cwd.path())
            .output()
            .expect("run the emulator");
        Out {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Runs the emulator with these arguments, which must succeed (set-up steps).
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Out {
        let out = self.run(args);
        assert_eq!(out.code, 0, "ollama {}: {}", args.join(" "), out.stderr);
        out
    }

    /// The quantization `ollama show NAME` reports.
    #[track_caller]
    pub fn quantization(&self, name: &str) -> String {
        let shown = self.ok(&["show", name]).stdout;
        provision::ollama::show::parse_show(&shown)
            .unwrap()
            .quantization
    }

    /// A directory holding an `ollama` that runs the emulator with this sealed
    /// environment, to put first on a PATH.
    pub fn bin_dir(&self) -> PathBuf {
        let dir = self.state.path().join("bin");
        std::fs::create_dir_all(&dir).unwrap();
        let mut script_text = String::from("#!/bin/sh\nexec env -i");
        for (key, value) in self.sealed_env() {
            script_text.push_str(&format!(" '{key}={value}'"));
        }
        script_text.push_str(&format!(" '{}' \"$@\"\n", script().display()));
        let path = dir.join("ollama");
        std::fs::write(&path, script_text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        dir
    }

    /// The call log as written: one JSON object per invocation.
    pub fn calls(&self) -> Vec<serde_json::Value> {
        let path = self.state.path().join("calls.jsonl");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The call log, typed: every `ollama` invocation so far.
    pub fn log(&self) -> Calls {
        Calls::from_json(self.calls())
    }
}
