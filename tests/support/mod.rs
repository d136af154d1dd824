//! The integration-test harness: runs the built `provision` binary in a sealed
//! environment (temp HOME, no inherited `OLLAMA_*`/`PROVISION_*`, a PATH that holds
//! only the system directories and, when asked, the ollama emulator or fake tools).
//! `PROVISION_ROOT` is an empty folder unless `.systemd()` gives a fake root.
//! Setters speak the tests' terms (`.device()`, `.profile()`, `.emulator()`), and
//! expectations on the `Run` (`.code()`, `.stdout_has()`, `.one_error_line()`) keep
//! each test a few lines, as just's `tests/test.rs` does.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

pub mod calls;
pub mod device;
pub mod emulator;
pub mod real_ollama;
pub mod registry;
mod run;
mod running;
pub mod served;
pub mod systemd;

// Each test crate that includes this module uses a different part of it.
#[allow(unused_imports)]
pub use {
    calls::{Call, Calls},
    device::Device,
    emulator::Emulator,
    run::Run,
    running::Running,
    systemd::FakeSystemd,
};

/// A sealed run of `provision`: build it with `.arg()`/`.env()`, then `.run()`.
#[must_use]
pub struct Provision {
    args: Vec<String>,
    env: BTreeMap<String, String>,
    home: TempDir,
    path_front: Vec<PathBuf>,
    stdin: Option<String>,
}

impl Provision {
    /// A run whose registry is a local port where nothing listens, so no test
    /// reaches the real registry (`auto` asks it for the sizes of its pulls);
    /// tests that need one set `PROVISION_REGISTRY` to a stand-in.
    pub fn new() -> Self {
        let registry = ("PROVISION_REGISTRY".to_string(), registry::closed_url());
        Provision {
            args: Vec::new(),
            env: BTreeMap::from([registry]),
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

    /// Fixes the device with `--ram`, `--cores` and `--vram`, so the run does not
    /// depend on the test machine.
    pub fn device(self, device: Device) -> Self {
        self.args(device.flags())
    }

    /// Writes `yaml` to `~/profile.yaml` and selects it with `--profile`.
    pub fn profile(self, yaml: &str) -> Self {
        self.profile_named("profile.yaml", yaml)
    }

    /// Writes `yaml` to `~/<file>` and selects it with `--profile` (for tests whose
    /// errors name the file).
    pub fn profile_named(self, file: &str, yaml: &str) -> Self {
        let path = self.home().join(file).display().to_string();
        self.write(file, yaml).args(["--profile", &path])
    }

    /// Writes a file under the sealed HOME (a user profile, say), creating its folders.
    pub fn write(self, relative: &str, text: &str) -> Self {
        let path = self.home().join(relative);
        std::fs::create_dir_all(path.parent().expect("a file under HOME")).unwrap();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self
    }

    /// Puts this emulator's `ollama` first on PATH: the run sees its store, era and
    /// faults, and its calls land in the emulator's log.
    pub fn emulator(self, emulator: &Emulator) -> Self {
        self.path_front(emulator.bin_dir())
    }

    /// Puts an executable `name` running `script` first on PATH (a fake GPU tool).
    pub fn tool(self, name: &str, script: &str) -> Self {
        let dir = self.home().join(".tools");
        let with_dir = if self.path_front.contains(&dir) {
            self
        } else {
            self.path_front(&dir)
        };
        let with_tool = with_dir.write(&format!(".tools/{name}"), script);
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(dir.join(name), permissions).unwrap();
        with_tool
    }

    /// Runs against this fake root with systemd: `PROVISION_ROOT` and the fake
    /// `systemctl` first on PATH.
    pub fn systemd(self, fake: &FakeSystemd) -> Self {
        self.env("PROVISION_ROOT", fake.root.path().display().to_string())
            .path_front(FakeSystemd::bin_dir())
    }

    /// Reads the machine from this fixture tree instead of `/` (`PROVISION_PROBE_ROOT`).
    pub fn probe_root(self, root: &Path) -> Self {
        self.env("PROVISION_PROBE_ROOT", root.display().to_string())
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
            // The server settings are never read or written under the real `/`.
            .env("PROVISION_ROOT", self.home.path().join("root"))
            .env("LANG", "C.UTF-8");
        // No test reaches the real registry: names the catalog does not know meet a
        // closed port unless the test points the registries at a stand-in.
        let closed = registry::closed_url();
        command
            .env("PROVISION_REGISTRY", &closed)
            .env("PROVISION_HF_REGISTRY", &closed);
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
