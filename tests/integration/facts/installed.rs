//! Installed models planned from their own GGUF header: read from the model store
//! (here a store written by the test, with sparse blobs), so an own import of any
//! shape plans exactly, without the catalog.

use crate::support::{Device, Provision};
use provision::gguf::{self, fixtures, write::Writer};
use provision::registry::sha256_digest;
use serde_json::Value;
use std::path::Path;

/// Writes `writer`'s file into an Ollama store under `store` as `name`: the header,
/// then a hole as long as the tensor data, and a manifest naming it. Returns its size.
pub(super) fn install(store: &Path, model: &str, tag: &str, writer: &Writer) -> u64 {
    let header = writer.header();
    let digest = sha256_digest(&header);
    let blobs = store.join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let path = blobs.join(digest.replace(':', "-"));
    std::fs::write(&path, &header).unwrap();
    let len = gguf::read_header(&header).unwrap().data_offset + writer.data_len();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len)
        .unwrap();
    let manifest = crate::support::registry::manifest_body(&digest, len);
    let dir = store
        .join("manifests/registry.ollama.ai/library")
        .join(model);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(tag), manifest).unwrap();
    len
}

fn plan(store: &Path, args: &[&str]) -> Value {
    Provision::new()
        .device(Device::cpu("16GiB", 4))
        .env("OLLAMA_MODELS", store.display().to_string())
        .arg("plan")
        .args(args.iter().copied())
        .arg("--json")
        .run()
        .code(0)
        .json()
}

#[test]
fn an_own_quantized_import_of_a_hybrid_shape_plans_at_its_own_level() {
    let store = tempfile::tempdir().unwrap();
    let len = install(
        store.path(),
        "mine",
        "latest",
        &fixtures::granite4_micro_h(),
    );
    let json = plan(store.path(), &["mine"]);
    let m = &json["models"][0];
    assert_eq!(m["fits"], true, "{m:#}");
    assert_eq!(
        (&m["quantization"], &m["tag"]),
        (&Value::from("Q4_K_M"), &Value::from("mine:latest"))
    );
    assert_eq!(
        m["quantize"],
        Value::Null,
        "a quantized base is used as it is"
    );
    assert_eq!(
        (&m["size_exact"], &m["facts_source"]),
        (&Value::from(true), &Value::from("installed"))
    );
    assert!(
        !m["reason"].as_str().unwrap().contains("estimated"),
        "{m:#}"
    );
    let weights = m["estimate"]["weights_bytes"].as_u64().unwrap();
    assert!(weights >= len, "{weights} < {len}");
}

#[test]
fn an_own_float_import_is_quantized_from_its_header_facts() {
    let store = tempfile::tempdir().unwrap();
    let mut writer = Writer::new();
    writer
        .kv("general.architecture", "llama")
        .kv("general.file_type", 1u32)
        .kv("llama.block_count", 2u32)
        .kv("llama.context_length", 4096u32)
        .kv("llama.embedding_length", 256u32)
        .kv("llama.attention.head_count", 4u32);
    for i in 0..2 {
        for t in [
            "attn_q",
            "attn_k",
            "attn_v",
            "attn_output",
            "ffn_up",
            "ffn_down",
        ] {
            writer.tensor(
                &format!("blk.{i}.{t}.weight"),
                &[256, 256],
                gguf::GgmlType::F16,
            );
        }
    }
    writer.tensor("token_embd.weight", &[256, 1000], gguf::GgmlType::F16);
    install(store.path(), "tiny", "latest", &writer);
    let json = plan(store.path(), &["tiny", "--tier", "4"]);
    let m = &json["models"][0];
    assert_eq!(
        (&m["quantization"], &m["quantize"]),
        (&Value::from("Q4_K_M"), &Value::from("Q4_K_M"))
    );
    assert_eq!(m["facts_source"], "installed");
    assert_eq!(
        m["num_ctx"], 4096,
        "capped at the native context the header gives"
    );
}

#[test]
fn an_installed_library_model_wins_over_the_catalog() {
    let store = tempfile::tempdir().unwrap();
    let len = install(store.path(), "llama3.1", "8b", &fixtures::llama31_8b());
    let json = plan(store.path(), &["llama3.1:8b", "--tier", "4"]);
    let m = &json["models"][0];
    assert_eq!(
        (&m["facts_source"], &m["size_source"]),
        (&Value::from("installed"), &Value::from("installed"))
    );
    assert_eq!(m["tag"], "llama3.1:8b-instruct-q4_K_M");
    let inspect = Provision::new()
        .env("OLLAMA_MODELS", store.path().display().to_string())
        .args(["inspect", "llama3.1:8b", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(inspect["weights_bytes"], len);
    assert_eq!(inspect["facts_source"], "installed");
    let read_from = inspect["read_from"].as_str().unwrap();
    assert!(read_from.contains("/blobs/sha256-"), "{read_from}");
}

#[test]
fn optimize_reads_the_level_from_the_header_when_the_store_is_readable() {
    // The emulator's `show` says Q4_K_M (its manifest config); the blob's header says
    // F16, as a mislabelled config can (ollama#12354): the header wins.
    let emu = crate::support::Emulator::new().pulled(&["qwen2.5:0.5b-instruct-q4_K_M"]);
    let store = tempfile::tempdir().unwrap();
    let mut writer = Writer::new();
    writer
        .kv("general.architecture", "qwen2")
        .kv("general.file_type", 1u32)
        .kv("qwen2.block_count", 1u32);
    writer.tensor("blk.0.ffn_up.weight", &[896, 4864], gguf::GgmlType::F16);
    install(store.path(), "qwen2.5", "0.5b-instruct-q4_K_M", &writer);
    let report = Provision::new()
        .emulator(&emu)
        .env("OLLAMA_MODELS", store.path().display().to_string())
        .args([
            "optimize",
            "qwen2.5:0.5b-instruct-q4_K_M",
            "--tier",
            "4",
            "--dry-run",
            "--json",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(report["quantization"], "F16", "{report:#}");
    assert_eq!(report["action"], "quantize");
}
