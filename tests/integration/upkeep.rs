//! Keeping the machine lean and current: `prune` (and `auto --prune`) after a
//! device change, and `outdated` (and `auto --update`) after the stand-in registry
//! republishes a tag. A `Machine` is one emulated store plus the state directory
//! `provision` keeps between runs (each `Provision` has a fresh HOME).

use crate::support::{Device, Emulator, Provision};
use std::path::PathBuf;
use tempfile::TempDir;

mod outdated;
mod prune;

/// `chat` on llama3.2:1b (F16 on the desktop, Q8_0 on 6 GiB) and `tiny` pinned
/// at Q4_K_M on qwen2.5:0.5b.
const DUO: &str = "name: duo
description: Two small models for upkeep tests
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
reserve:
  absolute: 512MiB
  fraction: 0.05
num_thread: auto
parameters:
  num_ctx: 2048
roster:
  concurrent: false
  models:
    - name: chat
      base: llama3.2:1b
      role: chat
    - name: tiny
      base: qwen2.5:0.5b
      role: small helper
      quant: Q4_K_M
";

const FP16: &str = "llama3.2:1b-instruct-fp16";
const Q8: &str = "llama3.2:1b-instruct-q8_0";
const TINY: &str = "qwen2.5:0.5b-instruct-q4_K_M";
/// 6 GiB: the 8-bit tier, so `chat` drops from F16 to Q8_0.
const SMALLER: Device = Device::cpu("6GiB", 4);

/// One emulated machine across several runs.
struct Machine {
    emu: Emulator,
    state: TempDir,
}

impl Machine {
    fn new() -> Machine {
        Machine {
            emu: Emulator::new(),
            state: tempfile::tempdir().unwrap(),
        }
    }

    /// `provision ARGS` on this machine with `profile`, on `device`.
    fn with(&self, profile: &str, device: Device, args: &[&str]) -> Provision {
        Provision::new()
            .emulator(&self.emu)
            .env("XDG_STATE_HOME", self.state.path().display().to_string())
            .args(args.iter().copied())
            .profile(profile)
            .device(device)
    }

    /// `provision ARGS` with the DUO profile.
    fn run(&self, device: Device, args: &[&str]) -> Provision {
        self.with(DUO, device, args)
    }

    /// The names `ollama list` shows, sorted.
    fn listed(&self) -> Vec<String> {
        let text = self.emu.ok(&["list"]).stdout;
        let entries = provision::ollama::list::parse_list(&text).unwrap();
        let mut names: Vec<String> = entries.into_iter().map(|e| e.name).collect();
        names.sort();
        names
    }

    /// The emulator's model store (what `OLLAMA_MODELS` would name).
    fn store(&self) -> PathBuf {
        self.emu.state.path().join("models")
    }

    /// The manifest file of a library tag.
    fn manifest_path(&self, tag: &str) -> PathBuf {
        let (model, tag) = tag.split_once(':').unwrap();
        let dir = self.store().join("manifests/registry.ollama.ai/library");
        dir.join(model).join(tag)
    }

    fn manifest(&self, tag: &str) -> String {
        std::fs::read_to_string(self.manifest_path(tag)).unwrap()
    }

    /// The state file `provision` keeps.
    fn recorded(&self) -> serde_json::Value {
        let path = self.state.path().join("provision/state.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The tags the state file says `provision` pulled.
    fn pulled(&self) -> Vec<String> {
        let recorded = self.recorded();
        let pulls = recorded["pulls"].as_array().unwrap();
        pulls
            .iter()
            .map(|p| p["tag"].as_str().unwrap().to_string())
            .collect()
    }

    /// The `ollama` calls that change the store, from call `from` on.
    fn writes_since(&self, from: usize) -> Vec<String> {
        let calls = self.emu.log().since(from).verbs();
        let writes = ["pull ", "create ", "rm "];
        calls
            .into_iter()
            .filter(|c| writes.iter().any(|w| c.starts_with(w)))
            .collect()
    }
}
