//! A real Ollama for integration tests: runs `tests/real_ollama/setup.sh` once per test
//! binary, then starts `ollama serve` (with its own store and HOME) and the stand-in
//! registry per test, and stops both by process id when dropped.

use super::{Provision, Run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// What setup.sh installed (its `real-ollama.env`).
#[derive(Debug)]
pub struct Installed {
    values: BTreeMap<String, String>,
}

impl Installed {
    /// A path or value setup.sh recorded, e.g. `ollama`, `upstream`, `gguf`.
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }
}

/// Runs setup.sh once per test binary: the installation, or its one-line reason.
pub fn installed() -> Result<&'static Installed, String> {
    static SETUP: OnceLock<Result<Installed, String>> = OnceLock::new();
    SETUP.get_or_init(run_setup).as_ref().map_err(Clone::clone)
}

fn run_setup() -> Result<Installed, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_ollama/setup.sh");
    let cache = cache_dir()?;
    let out = Command::new("bash")
        .arg(&script)
        .env("PROVISION_TEST_CACHE", &cache)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run {}: {e}", script.display()))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(if said.is_empty() {
            "setup.sh failed".into()
        } else {
            said
        });
    }
    let env = cache.join("real-ollama.env");
    let text = std::fs::read_to_string(&env).map_err(|e| {
        format!(
            "setup.sh succeeded, but {} is unreadable: {e}",
            env.display()
        )
    })?;
    let values = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(Installed { values })
}

/// setup.sh's cache: $PROVISION_TEST_CACHE, else $XDG_CACHE_HOME or ~/.cache, then
/// `provision-tests` (outside the repository, shared by every checkout).
fn cache_dir() -> Result<PathBuf, String> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("PROVISION_TEST_CACHE") {
        return Ok(dir);
    }
    let base = var("XDG_CACHE_HOME")
        .or_else(|| var("HOME").map(|home| home.join(".cache")))
        .ok_or("neither PROVISION_TEST_CACHE, XDG_CACHE_HOME nor HOME is set")?;
    Ok(base.join("provision-tests"))
}

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
        let registry_port = free_port();
        let registry = spawn_registry(installed, dir.path(), registry_port);
        let mut server = Server {
            installed,
            build,
            dir,
            port: 0,
            server: None,
            registry: Some(registry),
            registry_port,
        };
        server.restart();
        server.wait_for_registry();
        Some(server)
    }

    fn binary(&self) -> &str {
        match self.build {
            Build::Current => self.installed.get("ollama"),
            Build::Old => self.installed.get("old_ollama"),
        }
    }

    /// The wrapper `provision --ollama` runs: the real binary with its libraries and
    /// this server's OLLAMA_HOST.
    pub fn wrapper(&self) -> PathBuf {
        self.dir.path().join("bin/ollama")
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
        let libs = match self.build {
            Build::Current => self.installed.get("ollama_lib_path"),
            Build::Old => "",
        };
        let calls = self.dir.path().join("calls.log");
        let text = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >>'{}'\n\
             export LD_LIBRARY_PATH='{libs}' OLLAMA_HOST='127.0.0.1:{}'\nexec '{}' \"$@\"\n",
            calls.display(),
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
            .env("LD_LIBRARY_PATH", self.installed.get("ollama_lib_path"))
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

    fn wait_for_registry(&mut self) {
        let registry = self.registry.as_mut().expect("the registry");
        let mut first = String::new();
        let stdout = registry.stdout.take().expect("registry stdout");
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the registry's port");
        let stderr = std::fs::read_to_string(self.dir.path().join("registry/stderr"));
        assert_eq!(
            first.trim(),
            format!("listening {}", self.registry_port),
            "registry.py did not start: {}",
            stderr.unwrap_or_default()
        );
    }

    /// What `ollama serve` logged, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Sets the stand-in registry's faults (see registry.py); `json!({})` clears them.
    pub fn faults(&self, faults: &Value) {
        let path = self.dir.path().join("registry/faults.json");
        std::fs::write(path, faults.to_string()).expect("write faults.json");
    }

    /// Every request the stand-in registry answered (and each stall or close).
    pub fn registry_log(&self) -> Vec<Value> {
        let path = self.dir.path().join("registry/requests.jsonl");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The weights digest of a library tag the stand-in serves (`llama3.2:1b-instruct-q8_0`).
    pub fn upstream_weights(&self, name: &str) -> String {
        let (model, tag) = name.split_once(':').expect("model:tag");
        let path = Path::new(self.installed.get("upstream"))
            .join("manifests/registry.ollama.ai/library")
            .join(model)
            .join(tag);
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(path).expect("manifest")).expect("manifest JSON");
        let layers = manifest["layers"].as_array().expect("layers");
        let weights = layers
            .iter()
            .find(|l| l["mediaType"] == "application/vnd.ollama.image.model")
            .expect("a model layer");
        weights["digest"].as_str().expect("digest").to_string()
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

/// Puts the child in its own process group (so runners it starts are stopped with it)
/// and asks the kernel to stop it if the test thread that started it dies.
fn own_group(command: &mut Command) -> &mut Command {
    command.process_group(0);
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        })
    }
}

/// SIGKILL to the child's process group, then reaps the child.
fn kill_group(mut child: Child) {
    // SAFETY: kill(2) on a process group this harness created (it may be gone already).
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = child.wait();
}

/// Starts registry.py on `port`; [`Server::wait_for_registry`] waits for it, so
/// the registry and `ollama serve` start side by side.
fn spawn_registry(installed: &Installed, dir: &Path, port: u16) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_ollama/registry.py");
    let mut command = Command::new("python3");
    command
        .arg(script)
        .args(["--store", installed.get("upstream")])
        .args([
            "--cert",
            installed.get("cert"),
            "--key",
            installed.get("key"),
        ])
        .arg("--state")
        .arg(dir.join("registry"))
        .args(["--port", &port.to_string()])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("registry/stderr")).expect("registry log"));
    own_group(&mut command).spawn().expect("spawn registry.py")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("port").port()
}

/// Waits (at most 20 s) until `GET /` answers; the child back, or why not.
fn wait_until_up(port: u16, mut child: Child) -> Result<Child, String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status}"));
        }
        let mut stream = match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => stream,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(25));
                continue;
            }
        };
        let _ = stream.write_all(b"GET / HTTP/1.0\r\n\r\n");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        if answer.contains("Ollama is running") {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    kill_group(child);
    Err("no answer within 20 s".into())
}

/// A minimal HTTP/1.1 POST (the answer may be chunked): (status, body).
fn http_post(port: u16, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to ollama serve");
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let rest = &raw[split + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    (status, String::from_utf8(body).expect("a UTF-8 answer"))
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..end]).ok();
        let size = size
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        let data = &rest[end + 2..];
        if size == 0 || data.len() < size + 2 {
            break;
        }
        body.extend_from_slice(&data[..size]);
        rest = &data[size + 2..];
    }
    body
}
