//! What the stand-in registry serves and records: its faults, its request log, the
//! upstream store's manifests, and pre-installing a tag as if it had been pulled.

use super::Server;
use serde_json::Value;
use std::path::{Path, PathBuf};

impl Server {
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

    /// The manifest the stand-in serves for a library tag (`llama3.2:1b-instruct-q8_0`).
    fn upstream_manifest(&self, name: &str) -> (PathBuf, Value) {
        let (model, tag) = name.split_once(':').expect("model:tag");
        let path = Path::new(self.installed.get("upstream"))
            .join("manifests/registry.ollama.ai/library")
            .join(model)
            .join(tag);
        let text = std::fs::read(&path).expect("an upstream manifest");
        (path, serde_json::from_slice(&text).expect("manifest JSON"))
    }

    /// The weights digest of a library tag the stand-in serves.
    pub fn upstream_weights(&self, name: &str) -> String {
        let (_, manifest) = self.upstream_manifest(name);
        let layers = manifest["layers"].as_array().expect("layers");
        let weights = layers
            .iter()
            .find(|l| l["mediaType"] == "application/vnd.ollama.image.model")
            .expect("a model layer");
        weights["digest"].as_str().expect("digest").to_string()
    }

    /// Puts a library tag into the store as if it had been pulled (the same manifest
    /// bytes and blobs `ollama pull` writes), for tests about what comes after a pull;
    /// 0.5.4 spends at least a second per blob on a real pull.
    pub fn preinstall(&self, name: &str) {
        let (source, manifest) = self.upstream_manifest(name);
        let store = self.dir.path().join("models");
        let upstream = Path::new(self.installed.get("upstream"));
        let layers = manifest["layers"].as_array().expect("layers");
        for layer in layers.iter().chain([&manifest["config"]]) {
            let blob = layer["digest"].as_str().expect("digest").replace(':', "-");
            let target = store.join("blobs").join(&blob);
            std::fs::create_dir_all(store.join("blobs")).expect("blobs dir");
            if !target.exists() {
                std::fs::copy(upstream.join("blobs").join(&blob), target).expect("copy a blob");
            }
        }
        let relative = source
            .strip_prefix(upstream)
            .expect("inside the upstream store");
        let target = store.join(relative);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("manifest dir");
        std::fs::copy(&source, target).expect("copy the manifest");
    }
}
