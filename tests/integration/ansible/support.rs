//! Runs real ansible-core (the virtualenv `ansible/tests/setup.sh` makes) in a
//! sealed environment for tests/ansible.rs, and reads what it did: the test
//! callback's JSON, the emulator's model store and call log.
#![allow(dead_code)]

use crate::support::Emulator;
use crate::support::FakeSystemd;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// ansible-core in the virtualenv `ansible/tests/setup.sh` makes, and a sealed
/// environment for it: a temporary HOME, the emulator and the fake `systemctl`
/// first on PATH, and a fake root (`PROVISION_ROOT`) whose ollama service the
/// server settings are applied to.
pub struct Ansible {
    pub bin: PathBuf,
    pub dir: tempfile::TempDir,
    pub systemd: FakeSystemd,
}

/// One `ansible-playbook` run, read from the test callback's JSON.
pub struct Played {
    pub tasks: Vec<Value>,
    pub stats: Value,
}

impl Ansible {
    /// The installed ansible-core, or None after saying why the test skips.
    pub fn find(test: &str) -> Option<Ansible> {
        let var = |name| std::env::var_os(name).map(PathBuf::from);
        let cache = var("PROVISION_TEST_CACHE")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("provision-tests")))
            .or_else(|| var("HOME").map(|d| d.join(".cache/provision-tests")));
        let bin = cache.map(|c| c.join("ansible/venv/bin"));
        match bin {
            Some(bin) if bin.join("ansible-playbook").is_file() => Some(Ansible {
                bin,
                dir: tempfile::tempdir().expect("temp dir"),
                systemd: FakeSystemd::new(),
            }),
            other => {
                let place = other.map_or("the test cache".into(), |b| b.display().to_string());
                let reason =
                    format!("ansible-core is not installed in {place}: run ansible/tests/setup.sh");
                crate::support::skip(test, &reason);
                None
            }
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        let path = format!(
            "{REPO}/tests/emulator:{}:{}:/usr/local/bin:/usr/bin:/bin",
            FakeSystemd::bin_dir().display(),
            self.bin.display()
        );
        let home = self.path("home");
        std::fs::create_dir_all(&home).expect("HOME");
        command
            .env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("LC_ALL", "C.UTF-8")
            .env("PROVISION_ROOT", self.systemd.root.path())
            .env(
                "ANSIBLE_COLLECTIONS_PATH",
                format!("{REPO}/ansible/collections"),
            )
            .env(
                "ANSIBLE_CALLBACK_PLUGINS",
                format!("{REPO}/ansible/tests/callback_plugins"),
            )
            .env("ANSIBLE_STDOUT_CALLBACK", "provision_json")
            .env("ANSIBLE_PIPELINING", "1")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("FAKE_CARGO_LOG", self.path("cargo.log"))
            .env("FAKE_CARGO_SOURCE", env!("CARGO_BIN_EXE_provision"));
        command
    }

    /// Runs a playbook of `ansible/tests/playbooks` on localhost with the test
    /// variables; ignored and rescued failures still exit 0.
    pub fn playbook(&self, name: &str, extra: &[&str]) -> Played {
        let output = self
            .command("ansible-playbook")
            .args(["-i", "localhost,", "-c", "local", "-e"])
            .arg(format!("@{}", self.path("vars.json").display()))
            .arg(format!("{REPO}/ansible/tests/playbooks/{name}"))
            .args(extra)
            .output()
            .expect("run ansible-playbook");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{name}: {stderr}\n{stdout}");
        let start = stdout.find("\n{").map_or(0, |i| i + 1);
        let out: Value = serde_json::from_str(&stdout[start..])
            .unwrap_or_else(|e| panic!("{name}: no JSON ({e}):\n{stdout}\n{stderr}"));
        Played {
            tasks: out["tasks"].as_array().expect("tasks").clone(),
            stats: out["stats"]["localhost"].clone(),
        }
    }
}

impl Played {
    /// The one task of this name that was not skipped.
    #[track_caller]
    pub fn task(&self, name: &str) -> &Value {
        let ran: Vec<&Value> = (self.tasks.iter())
            .filter(|t| t["name"] == name && t["status"] != "skipped")
            .collect();
        assert_eq!(ran.len(), 1, "task {name:?} in {:#?}", self.names());
        ran[0]
    }

    /// The one task of this name, which was skipped.
    #[track_caller]
    pub fn skipped(&self, name: &str) -> &Value {
        let skipped: Vec<&Value> = (self.tasks.iter())
            .filter(|t| t["name"] == name && t["status"] == "skipped")
            .collect();
        assert_eq!(skipped.len(), 1, "skipped {name:?} in {:#?}", self.names());
        skipped[0]
    }

    pub fn names(&self) -> Vec<String> {
        self.tasks
            .iter()
            .map(|t| format!("{} {}", t["status"], t["name"]))
            .collect()
    }
}

/// `models[].status` of a module result, by model name.
pub fn statuses(result: &Value) -> BTreeMap<String, String> {
    let models = result["report"]["models"]
        .as_array()
        .expect("report.models");
    let pair = |m: &Value| {
        (
            m["name"].as_str().unwrap().into(),
            m["status"].as_str().unwrap().into(),
        )
    };
    models.iter().map(pair).collect()
}

pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every file of the emulator's model store and its content.
pub fn store(emu: &Emulator) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(&emu.state.path().join("models"), &mut files);
    files
}

/// The verbs (`list`, `pull`, …) of the emulator calls after the first `from`.
pub fn verbs_after(emu: &Emulator, from: usize) -> Vec<String> {
    let calls = emu.calls();
    let verb = |c: &Value| c["argv"][0].as_str().unwrap_or_default().to_string();
    calls[from.min(calls.len())..].iter().map(verb).collect()
}

/// `name -> type` of the module's ARGUMENT_SPEC, read from its source.
pub fn argument_spec() -> BTreeMap<String, String> {
    let path = format!(
        "{REPO}/ansible/collections/ansible_collections/provision/ollama/plugins/modules/provision.py"
    );
    let source = std::fs::read_to_string(path).unwrap();
    let spec = source.split("ARGUMENT_SPEC = dict(\n").nth(1).unwrap();
    let spec = spec.split("\n)\n").next().unwrap();
    let entry = |line: &str| {
        let (name, rest) = line.trim().split_once("=dict(type=\"")?;
        Some((name.to_string(), rest.split('"').next()?.to_string()))
    };
    spec.lines().map(|l| entry(l).expect(l)).collect()
}

pub fn json_of(mut command: Command) -> Value {
    let output = command.output().expect("run ansible");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"))
}
