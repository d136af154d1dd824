//! A fake root with systemd and the official installer's `ollama.service`, run
//! by the fake `systemctl` in `tests/fakes` (which logs its calls): what
//! `provision auto` reads and writes instead of the real `/etc` and `/proc`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// The unit `scripts/install.sh` writes (ollama v0.33.0-rc2), with a PATH.
const UNIT: &str = "[Unit]\nDescription=Ollama Service\nAfter=network-online.target\n\n\
[Service]\nExecStart=/usr/local/bin/ollama serve\nUser=ollama\nGroup=ollama\nRestart=always\n\
RestartSec=3\nEnvironment=\"PATH=/usr/local/bin:/usr/bin:/bin\"\n\n[Install]\nWantedBy=default.target\n";

/// The drop-in `provision` owns, under the root.
pub const DROP_IN: &str = "etc/systemd/system/ollama.service.d/50-provision.conf";

/// A fake machine root whose ollama service is running.
pub struct FakeSystemd {
    pub root: TempDir,
}

impl FakeSystemd {
    /// systemd booted, the unit installed, reloaded and started; the call log empty.
    pub fn new() -> Self {
        let fake = FakeSystemd {
            root: tempfile::tempdir().expect("fake root"),
        };
        std::fs::create_dir_all(fake.path("run/systemd/system")).unwrap();
        fake.write("etc/systemd/system/ollama.service", UNIT);
        fake.systemctl(&["daemon-reload"]);
        fake.systemctl(&["restart", "ollama"]);
        std::fs::remove_file(fake.path("systemctl.log")).unwrap();
        fake
    }

    /// The folder holding the fake `systemctl`, for PATH.
    pub fn bin_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes")
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    /// Writes a file under the root, creating its folders.
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Runs the fake `systemctl` as an administrator would.
    pub fn systemctl(&self, args: &[&str]) {
        let status = Command::new(Self::bin_dir().join("systemctl"))
            .args(args)
            .env("PROVISION_ROOT", self.root.path())
            .status()
            .expect("run the fake systemctl");
        assert!(status.success(), "systemctl {args:?}");
    }

    /// The calls `provision` made, one line of arguments each.
    pub fn calls(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.path("systemctl.log")).unwrap_or_default();
        log.lines().map(String::from).collect()
    }

    /// The calls other than `show`: what changed the service.
    pub fn changes(&self) -> Vec<String> {
        let calls = self.calls().into_iter();
        calls.filter(|c| !c.starts_with("show ")).collect()
    }

    pub fn drop_in(&self) -> Option<String> {
        std::fs::read_to_string(self.path(DROP_IN)).ok()
    }

    /// The running server's environment (its `/proc/<pid>/environ`).
    pub fn server_env(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.path("proc/4242/environ")).unwrap();
        let pairs = text.split('\0').filter_map(|e| e.split_once('='));
        pairs.map(|(k, v)| (k.into(), v.into())).collect()
    }
}
