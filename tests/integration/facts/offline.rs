//! No registry: names the catalog knows fall back to it with one warning, names it
//! does not know fail with one line that says both why; a hostile or truncated header
//! is one line naming the URL.

use super::Stands;
use crate::support::registry::{closed_url, manifest_body, sha256_digest};
use crate::support::{Device, Provision};
use provision::gguf::fixtures;

#[test]
fn offline_a_catalog_model_falls_back_with_one_warning() {
    let run = Provision::new()
        .device(Device::DESKTOP)
        .args(["plan", "gemma3:12b", "--remote", "--json"])
        .run()
        .code(0);
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("provision: warning: registry http://127.0.0.1:"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("is unreachable (could not reach 127.0.0.1"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("model facts are the catalog's (as of 2026-08-28)"),
        "{}",
        lines[0]
    );
    assert_eq!(run.json()["models"][0]["facts_source"], "catalog");
}

#[test]
fn offline_an_unknown_model_fails_with_both_reasons() {
    let run = Provision::new()
        .device(Device::DESKTOP)
        .args(["plan", "gemma4:12b"])
        .run()
        .code(2);
    run.one_error_line(&[
        "could not plan model 'provision/gemma4:12b'",
        "unknown model 'gemma4:12b' in the model catalog",
        "(did you mean gemma2, gemma3?)",
        "and registry http://127.0.0.1:",
        "is unreachable (could not reach 127.0.0.1",
    ]);
}

#[test]
fn a_name_the_registry_does_not_have_is_a_usage_error() {
    let stands = Stands::start();
    let run = stands.provision(&["plan", "lama3.1"]).run().code(2);
    run.one_error_line(&[
        "unknown model 'lama3.1' in the model catalog (did you mean llama3.1",
        "the registry has none (http://127.0.0.1:",
        "/v2/library/lama3.1/manifests/latest answered 404)",
    ]);
}

#[test]
fn a_hostile_header_is_one_line_naming_the_url() {
    let stands = Stands::start();
    let mut hostile = b"GGUF".to_vec();
    hostile.extend_from_slice(&3u32.to_le_bytes());
    hostile.extend_from_slice(&u64::MAX.to_le_bytes());
    hostile.extend_from_slice(&u64::MAX.to_le_bytes());
    stands
        .main
        .publish(&stands.cdn, "evil", "1b", &hostile, 1 << 30);
    let run = stands.provision(&["plan", "evil:1b"]).run().code(1);
    run.one_error_line(&[
        "could not read the GGUF header of http://127.0.0.1:",
        "/v2/library/evil/blobs/sha256:",
        "not a valid GGUF file",
    ]);
}

#[test]
fn a_truncated_header_is_one_line_naming_the_url() {
    let stands = Stands::start();
    let header = fixtures::deepseek_r1_8b().header();
    let cut = header[..header.len() / 2].to_vec();
    let digest = sha256_digest(&cut);
    let len = cut.len() as u64;
    stands.cdn.blob(&digest, cut, len);
    stands.main.redirect_blobs_to(&stands.cdn);
    stands
        .main
        .manifest("cut", "8b", manifest_body(&digest, len));
    let run = stands.provision(&["plan", "cut:8b"]).run().code(1);
    run.one_error_line(&[
        "could not read the GGUF header of http://127.0.0.1:",
        "/v2/library/cut/blobs/sha256:",
        "not a valid GGUF file",
    ]);
    let offline = Provision::new()
        .args(["inspect", "cut:8b"])
        .env("PROVISION_REGISTRY", closed_url());
    offline.run().code(2);
}
