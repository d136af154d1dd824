//! Absurd numbers from outside (`/proc`, cgroups, GPU tools, the registry,
//! `ollama list`): never a panic (the tests run the debug binary, where an
//! overflow panics), and an impossible value is unknown with a note.

use crate::support::registry::StandIn;
use crate::support::{Device, Provision};
use tempfile::TempDir;

/// `u64::MAX`, as text.
const MAX: &str = "18446744073709551615";

fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
    }
    dir
}

/// Runs `provision probe --json` and checks it did not panic.
fn probe(provision: Provision) -> serde_json::Value {
    let run = provision.args(["probe", "--json"]).run();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.code(0).json()
}

fn notes(json: &serde_json::Value) -> String {
    json["device"]["notes"].to_string()
}

#[test]
fn impossible_proc_and_cgroup_values_are_unknown_with_a_note() {
    let meminfo =
        format!("MemTotal:       {MAX} kB\nMemFree:  {MAX} kB\nBuffers: 1 kB\nCached: 1 kB\n");
    let root = tree(&[
        ("proc/meminfo", &meminfo),
        ("proc/cpuinfo", "processor\t: 0\n\nprocessor\t: 1\n"),
        (
            "proc/self/status",
            &format!("Cpus_allowed_list:\t0-{MAX},0-3\n"),
        ),
        ("proc/self/cgroup", "0::/\n"),
        ("sys/fs/cgroup/memory.max", "0\n"),
        ("sys/fs/cgroup/cpu.max", &format!("{MAX} 1\n")),
    ]);
    let json = probe(
        Provision::new()
            .probe_root(root.path())
            .args(["--vram", "0"]),
    );
    let memory = &json["device"]["memory"];
    assert!(memory["total_bytes"].is_null(), "{memory}");
    assert!(memory["available_bytes"].is_null(), "{memory}");
    assert!(memory["cgroup_limit_bytes"].is_null(), "{memory}");
    let notes = notes(&json);
    assert!(
        notes.contains("MemTotal") && notes.contains("impossible"),
        "{notes}"
    );
    assert!(notes.contains("Cpus_allowed_list"), "{notes}");
    assert!(json["device"]["cpu"]["allowed_cpus"].is_null());
}

#[test]
fn an_impossible_gpu_memory_is_unknown_with_a_note() {
    let script = format!("#!/bin/sh\necho '0, NVIDIA Huge, {MAX}, {MAX}'\n");
    let json = probe(Provision::new().tool("nvidia-smi", &script));
    assert!(notes(&json).contains("impossible"), "{}", notes(&json));
    let gpus = json["device"]["gpus"].as_array().unwrap();
    assert!(gpus.iter().all(|g| g["vendor"] != "nvidia"), "{gpus:?}");
}

#[test]
fn an_ollama_list_size_beyond_reason_is_not_a_size() {
    let list = "#!/bin/sh\ncase \"$1\" in\n  list) printf 'NAME    ID    SIZE    MODIFIED \\nllama3.2:1b    baf6a787fdff    999999999999999 TB    3 days ago    \\n' ;;\n  -v) echo 'ollama version is 0.12.0' ;;\n  *) echo 'Error: nope' >&2; exit 1 ;;\nesac\n";
    let run = Provision::new()
        .device(Device::DESKTOP)
        .tool("ollama", list)
        .args(["list-quants", "llama3.2:1b", "--json"])
        .run();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.code(0);
}

#[test]
fn registry_layer_sizes_that_overflow_are_an_invalid_answer() {
    let manifest = include_str!("../../fixtures/registry/llama3.1_8b-instruct-q4_K_M.json")
        .replace("4920738944", MAX)
        .replace("\"size\": 1481", "\"size\": 18446744073709551000");
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", "8b-instruct-q4_K_M", manifest);
    let run = Provision::new()
        .device(Device::DESKTOP)
        .args(["list-quants", "llama3.1:8b", "--remote", "--json"])
        .env("PROVISION_REGISTRY", stand_in.url())
        .env("PROVISION_REGISTRY_TIMEOUT", "2")
        .run();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let json = run.code(0).json();
    let q4 = json["quants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["quant"] == "Q4_K_M")
        .unwrap();
    assert_eq!(q4["size_source"], "catalog", "{q4}");
}
