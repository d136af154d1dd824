//! A real Ollama for integration tests: runs `tests/real_ollama/setup.sh` once per test
//! binary, then starts `ollama serve` (with its own store and HOME) and the stand-in
//! registry per test, and stops both by process id when dropped.

mod process;
mod setup;
mod upstream;

pub use setup::{Installed, installed};

use super::{Provision, Run};
use process::{free_port, http_post, kill_group, own_group, spawn_registry, wait_until_up};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use tempfile::TempDir;

/// Which of the two installed builds to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// Ollama 0.5.4-ipexllm-20250407 (bigdl-core-cpp 2.6.0), with the stand-in registry.
    Current,
    /// The bigdl-core-cpp 2.5.0 build that reports 0.0.0, also with the registry.
    Old,
}

/// A running `ollama serve` and the stand-in registry it pulls from.
pub struct Server {
    pub installed: &'static Installed,
    build: Build,
    dir: TempDir,
    port: u16,
    server: Option<Child>,
    registry: Option<Child>,
    registry_port: u16,
}

impl Server {
    /// Starts the 0.5.4 server; `None` (after `support::skip`) when setup cannot run here.
    pub fn start(test: &str) -> Option<Server> {
        Server::start_build(test, Build::Current)
    }

    /// Starts a server of `build`; `None` (after `support::skip`) when setup cannot run.
    pub fn start_build(test: &str, build: Build) -> Option<Server> {
        let installed = match installed() {
            Ok(installed) => installed,
            Err(reason) => {
                super::skip(test, &reason);
                return None;
            }
        };
        let dir = tempfile::tempdir().expect("temp dir for the real Ollama");
        for sub in ["models", "home", "registry", "bin", "work"] {
            std::fs::create_dir(dir.path().join(sub)).expect("server dirs");
        }
        let mut server = Server {
            installed,
            build,
            dir,
            port: 0,
            server: None,
            registry: None,
            registry_port: 0,
        };
        server.start_both();
        Some(server)
    }

    fn binary(&self) -> &str {
        match self.build {
            Build::Current => self.installed.get("ollama"),
            Build::Old => self.installed.get("old_ollama"),
        }
    }

    /// LD_LIBRARY_PATH for the binary: the 0.5.4 build needs the Intel runtime of its
    /// venv; the 0.0.0 build is self-contained.
    fn libs(&self) -> &str {
        match self.build {
            Build::Current => self.installed.get("ollama_lib_path"),
            Build::Old => "",
        }
    }

    /// The wrapper `provision --ollama` runs: the real binary with its libraries and
    /// this server's OLLAMA_HOST.
    pub fn wrapper(&self) -> PathBuf {
        self.dir.path().join("bin/ollama")
    }

    /// `127.0.0.1:<port>`: the server's `OLLAMA_HOST`, for `provision`'s API client.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's model store (`OLLAMA_MODELS`).
    pub fn store(&self) -> PathBuf {
        self.dir.path().join("models")
    }

    /// A scratch directory for Modelfiles and GGUFs.
    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// Writes a file into the scratch directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.work().join(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }

    /// The arguments of every call of the wrapper so far, one string each.
    pub fn calls(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.path().join("calls.log"));
        text.unwrap_or_default().lines().map(String::from).collect()
    }

    /// `provision --ollama <wrapper>` in the sealed test environment.
    pub fn provision(&self) -> Provision {
        Provision::new().args(["--ollama".to_string(), self.wrapper().display().to_string()])
    }

    /// Runs the real `ollama` CLI against this server.
    pub fn ollama(&self, args: &[&str]) -> Run {
        let out = Command::new(self.wrapper())
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.dir.path().join("home"))
            .current_dir(self.work())
            .stdin(Stdio::null())
            .output()
            .expect("run the real ollama");
        Run::from(out)
    }

    /// `POST http://<server>/api/<path>` with a JSON body: (status, JSON answer).
    pub fn api(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, text) = http_post(self.port, &format!("/api/{path}"), &body.to_string());
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// Kills `ollama serve` and any runner it started, at once, as a crash would (a
    /// graceful SIGTERM takes it ~2 s); the store and the registry stay.
    pub fn kill(&mut self) {
        if let Some(child) = self.server.take() {
            kill_group(child);
        }
    }

    /// (Re)starts `ollama serve` on a free port over the same store, and waits until
    /// it answers; a port taken in between is retried.
    pub fn restart(&mut self) {
        self.kill();
        for _ in 0..3 {
            self.port = free_port();
            self.write_wrapper();
            let child = self.spawn_server();
            match wait_until_up(self.port, child) {
                Ok(child) => {
                    self.server = Some(child);
                    return;
                }
                Err(reason) => eprintln!("real ollama serve did not start: {reason}"),
            }
        }
        panic!("ollama serve did not start; log:\n{}", self.log());
    }

    fn write_wrapper(&self) {
        let calls = self.dir.path().join("calls.log");
        let text = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\n\
             export LD_LIBRARY_PATH='{}' OLLAMA_HOST='127.0.0.1:{}'\nexec '{}' \"$@\"\n",
            calls.display(),
            self.libs(),
            self.port,
            self.binary()
        );
        let path = self.wrapper();
        std::fs::write(&path, text).expect("write the ollama wrapper");
        let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(&path, mode).expect("chmod the ollama wrapper");
    }

    fn spawn_server(&self) -> Child {
        let dir = self.dir.path();
        let log = std::fs::File::create(dir.join("serve.log")).expect("serve.log");
        let mut command = Command::new(self.binary());
        command
            .arg("serve")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", dir.join("home"))
            .env("LD_LIBRARY_PATH", self.libs())
            .env("OLLAMA_HOST", format!("127.0.0.1:{}", self.port))
            .env("OLLAMA_MODELS", dir.join("models"))
            .env(
                "HTTPS_PROXY",
                format!("http://127.0.0.1:{}", self.registry_port),
            )
            .env("SSL_CERT_FILE", self.installed.get("ca"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        own_group(&mut command).spawn().expect("spawn ollama serve")
    }

    /// Starts the registry on a free port and `ollama serve` pointing at it, side by
    /// side; a registry port taken in between is retried.
    fn start_both(&mut self) {
        let mut reason = String::new();
        for _ in 0..3 {
            self.registry_port = free_port();
            let registry = spawn_registry(self.installed, self.dir.path(), self.registry_port);
            self.registry = Some(registry);
            self.restart();
            match self.wait_for_registry() {
                Ok(()) => return,
                Err(why) => reason = why,
            }
            self.kill();
            kill_group(self.registry.take().expect("the registry"));
        }
        panic!("registry.py did not start: {reason}");
    }

    fn wait_for_registry(&mut self) -> Result<(), String> {
        let registry = self.registry.as_mut().expect("the registry");
        let mut first = String::new();
        let stdout = registry.stdout.take().expect("registry stdout");
        let _ = BufReader::new(stdout).read_line(&mut first);
        if first.trim() == format!("listening {}", self.registry_port) {
            return Ok(());
        }
        let stderr = std::fs::read_to_string(self.dir.path().join("registry/stderr"));
        Err(format!("{first:?} {}", stderr.unwrap_or_default()))
    }

    /// What `ollama serve` logged, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if let Some(registry) = self.registry.take() {
            kill_group(registry);
        }
    }
}
