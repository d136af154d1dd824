//! `provision list-quants --remote` against the stand-in registry: sizes from
//! manifests, tags the registry lacks, a hanging or unreachable registry.

use super::{list_quants, row};
use crate::support::Run;
use crate::support::registry::{StandIn, closed_url};
use serde_json::Value;

const MANIFEST: &str = include_str!("../../fixtures/registry/llama3.1_8b-instruct-q4_K_M.json");

fn remote(stand_in: &StandIn, args: &[&str]) -> Run {
    list_quants(args)
        .arg("--remote")
        .env("PROVISION_REGISTRY", stand_in.url())
        .env("PROVISION_REGISTRY_TIMEOUT", "1")
        .run()
}

#[test]
fn remote_sizes_come_from_manifests_404s_are_kept_and_a_hang_falls_back() {
    let stand_in = StandIn::start();
    stand_in.manifest(
        "qwen3",
        "8b-q8_0",
        MANIFEST.replace("4920738944", "8700000123"),
    );
    stand_in.hang("qwen3", "8b-q4_K_M");
    let started = std::time::Instant::now();
    let run = remote(&stand_in, &["qwen3:8b", "--json"]).code(0);
    assert!(started.elapsed().as_secs_f64() < 4.0, "one shared deadline");
    let json = run.json();
    let q8 = row(&json, "Q8_0");
    assert_eq!(
        (&q8["size_bytes"], &q8["size_exact"]),
        (&Value::from(8_700_000_123u64), &Value::from(true))
    );
    assert_eq!(
        (&q8["size_source"], &q8["registry"]),
        (&Value::from("registry"), &Value::from("found"))
    );
    let f16 = row(&json, "F16");
    assert_eq!(
        (&f16["registry"], &f16["size_source"]),
        (&Value::from("not_found"), &Value::from("catalog"))
    );
    let q4 = row(&json, "Q4_K_M");
    assert_eq!(
        (&q4["registry"], &q4["size_source"]),
        (&Value::from("no_answer"), &Value::from("catalog"))
    );
    assert_eq!(
        json["remote"],
        serde_json::json!({"used": true, "offline_reason": null})
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("remote:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("no answer for 1 of 3 tags (8b-q4_K_M: "),
        "{}",
        warnings[0]
    );
    let paths: Vec<String> = stand_in.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
}

#[test]
fn an_unreachable_registry_is_one_warning_and_catalog_sizes() {
    let run = list_quants(&["qwen3:8b", "--remote", "--json"])
        .env("PROVISION_REGISTRY", closed_url())
        .run()
        .code(0);
    let json = run.json();
    assert!(json["remote"]["offline_reason"].is_string(), "{json:#}");
    assert!(
        json["quants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["size_source"] == "catalog")
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("remote:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("unreachable"), "{}", warnings[0]);
}

#[test]
fn a_404_shows_in_the_table() {
    let stand_in = StandIn::start();
    remote(&stand_in, &["qwen3:8b"])
        .code(0)
        .stdout_has("qwen3:8b-fp16 (not in registry)");
}
