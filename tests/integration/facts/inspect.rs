//! `provision inspect`: one model's facts, their sources and its memory at a few
//! contexts, from a GGUF file, the catalog, or a hostile file (one line).

use crate::support::{Device, Provision};
use provision::gguf::fixtures;
use serde_json::Value;

fn inspect(args: &[&str]) -> Provision {
    Provision::new()
        .device(Device::DESKTOP)
        .arg("inspect")
        .args(args.iter().copied())
}

#[test]
fn a_gguf_file_shows_its_layers_window_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gemma3-12b.gguf");
    let writer = fixtures::gemma3_12b();
    std::fs::write(&path, writer.header()).unwrap();
    let header_len = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_len(header_len.next_multiple_of(32) + writer.data_len())
        .unwrap();
    let shown = path.display().to_string();
    let json = inspect(&[&shown, "--json"]).run().code(0).json();
    assert_eq!(
        (&json["architecture"], &json["facts_source"]),
        (&Value::from("gemma3"), &Value::from("file"))
    );
    assert_eq!(
        json["layers"],
        serde_json::json!({"full": 8, "sliding": 40, "recurrent": 0, "no_cache": 0})
    );
    assert_eq!(json["sliding_window"], 1024);
    assert_eq!(json["kv_bytes_per_token"], 48 * 8 * 256 * 2 * 2);
    let contexts: Vec<u64> = json["memory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["context"].as_u64().unwrap())
        .collect();
    assert_eq!(contexts, [2048, 8192, 32768, 131072]);
    assert!(json["vision_bytes"].as_u64().unwrap() > 0);
    let text = inspect(&[&shown]).run().code(0);
    assert!(
        text.stdout
            .starts_with("gemma3-12b:file: facts from file ("),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("48 (8 full attention, 40 sliding window)"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_catalog_model_says_its_facts_are_the_catalogs() {
    let run = inspect(&["qwen3:8b"]).run().code(0);
    assert!(
        run.stdout
            .starts_with("qwen3:8b-q4_K_M: facts from catalog (as of 2026-08-28)\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("131072 (native)") || run.stdout.contains("(native)"));
}

#[test]
fn a_hostile_file_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.gguf");
    let mut bytes = b"GGUF".to_vec();
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes());
    bytes.extend_from_slice(&1u64.to_le_bytes());
    bytes.extend_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    let shown = path.display().to_string();
    inspect(&[&shown])
        .run()
        .code(1)
        .one_error_line(&["could not read the GGUF header of ", &shown]);
}
