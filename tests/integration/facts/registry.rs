//! Registry facts: exact blob sizes from manifests, the model blob's header by ranges
//! through a 307 to another host, probed tags, the cache that makes a second plan free.

use super::Stands;
use crate::support::registry::manifest_body;
use provision::gguf::fixtures;
use serde_json::Value;

/// A digest for a manifest whose blob is never fetched.
const OTHER: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

fn model(json: &Value) -> &Value {
    &json["models"][0]
}

#[test]
fn a_family_the_catalog_does_not_know_is_planned_from_its_header_and_probed_tags() {
    let stands = Stands::start();
    let q4 = stands.publish("gemma4", "12b", &fixtures::gemma4_12b());
    stands.main.manifest(
        "gemma4",
        "12b-it-q8_0",
        manifest_body(OTHER, 12_999_000_123),
    );
    let run = stands
        .provision(&["plan", "gemma4:12b", "--tier", "8", "--json"])
        .run()
        .code(0);
    let json = run.json();
    let m = model(&json);
    assert_eq!(m["name"], "provision/gemma4:12b");
    assert_eq!(
        (&m["quantization"], &m["tag"]),
        (&Value::from("Q8_0"), &Value::from("gemma4:12b-it-q8_0"))
    );
    assert_eq!(m["size_exact"], true);
    assert_eq!(
        (&m["facts_source"], &m["size_source"]),
        (&Value::from("registry"), &Value::from("registry"))
    );
    assert_eq!(m["tags_probed"], true);
    // The header was read from the CDN the registry redirected to, by ranges.
    let cdn = stands.cdn.requests();
    assert!(cdn[0].path.starts_with("/cdn/sha256:"), "{:?}", cdn[0].path);
    assert_eq!(cdn[0].header("Range"), Some("bytes=0-2097151"));
    let blob = stands
        .main
        .requests()
        .into_iter()
        .find(|r| r.path.contains("/blobs/"));
    assert!(
        blob.unwrap()
            .path
            .starts_with("/v2/library/gemma4/blobs/sha256:")
    );

    let before = stands.requests();
    let again = stands
        .provision(&["plan", "gemma4:12b", "--tier", "4", "--json"])
        .run()
        .code(0);
    assert_eq!(stands.requests(), before, "the second plan asks nothing");
    let json = again.json();
    let m = model(&json);
    assert_eq!(
        (&m["quantization"], &m["tag"]),
        (&Value::from("Q4_K_M"), &Value::from("gemma4:12b"))
    );
    assert_eq!(m["facts_source"], "registry");
    let text = stands
        .provision(&["plan", "gemma4:12b", "--tier", "4"])
        .run()
        .code(0);
    assert!(
        text.stdout.contains("facts: registry; weights size: registry; tags probed by convention (the list may be incomplete)"),
        "{}",
        text.stdout
    );
    assert!(q4 > 7_000_000_000, "{q4}");
    let top = stands
        .provision(&["plan", "gemma4:12b", "--tier", "16", "--json"])
        .run()
        .code(0)
        .json();
    let reason = top["models"][0]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.ends_with("the registry publishes no F16 of gemma4:12b (tags probed): Q8_0 is the nearest level it does"),
        "{reason}"
    );
    assert_eq!(stands.requests(), before, "still no request");
}

#[test]
fn a_hugging_face_name_is_read_from_its_registry() {
    let stands = Stands::start();
    let repo = "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF";
    let size = stands.publish(repo, "Q4_K_M", &fixtures::llama31_8b());
    let name = format!("hf.co/{repo}:Q4_K_M");
    let run = stands.provision(&["plan", &name, "--json"]).run().code(0);
    let json = run.json();
    let m = model(&json);
    assert_eq!(
        m["name"],
        "provision/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M"
    );
    assert_eq!(m["tag"], Value::from(name.as_str()));
    assert_eq!(
        (&m["quantization"], &m["size_exact"]),
        (&Value::from("Q4_K_M"), &Value::from(true))
    );
    assert_eq!(m["tags_probed"], false, "a full tag names its level");
    let paths: Vec<String> = stands.main.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths[0], format!("/v2/{repo}/manifests/Q4_K_M"));
    let inspect = stands
        .provision(&["inspect", &name, "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(inspect["weights_bytes"], size);
    assert_eq!(inspect["weights_source"], "registry");
}

#[test]
fn catalog_models_are_asked_with_remote_then_planned_from_the_cache() {
    let stands = Stands::start();
    let gpt = stands.publish("gpt-oss", "20b", &fixtures::gpt_oss_20b());
    let r1 = stands.publish("deepseek-r1", "8b", &fixtures::deepseek_r1_8b());
    stands
        .provision(&[
            "plan",
            "gpt-oss:20b",
            "deepseek-r1:8b",
            "--remote",
            "--tier",
            "4",
        ])
        .run()
        .code(0);
    let before = stands.requests();
    let json = stands
        .provision(&[
            "plan",
            "gpt-oss:20b",
            "deepseek-r1:8b",
            "--tier",
            "4",
            "--json",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(stands.requests(), before, "cached facts need no request");
    for (i, bytes) in [(0, gpt), (1, r1)] {
        let m = &json["models"][i];
        assert_eq!(m["facts_source"], "registry", "{m:#}");
        let inspect = stands.provision(&["inspect", m["base"].as_str().unwrap(), "--json"]);
        let inspect = inspect.run().code(0).json();
        assert_eq!(inspect["weights_bytes"], bytes);
        assert_eq!(inspect["weights_exact"], true);
    }
    let r1 = &json["models"][1];
    assert_eq!(
        (&r1["quantization"], &r1["size_source"]),
        (&Value::from("Q4_K_M"), &Value::from("registry"))
    );
    assert_eq!(stands.requests(), before, "inspect reads the cache too");
}

#[test]
fn proxies_apply_to_the_cdn_host_as_to_the_registry() {
    let stands = Stands::start();
    stands.publish("gemma4", "12b-it-q4_K_M", &fixtures::gemma4_12b());
    let main = stands.main.url().trim_start_matches("http://").to_string();
    let dead = crate::support::registry::closed_url();
    let run = stands
        .provision(&["plan", "gemma4:12b-it-q4_K_M"])
        .env("HTTP_PROXY", &dead)
        .env("NO_PROXY", &main)
        .run()
        .code(2);
    run.one_error_line(&["unknown model 'gemma4:12b-it-q4_K_M'", "via proxy"]);
    assert!(
        stands.cdn.requests().is_empty(),
        "the CDN hop went to the proxy"
    );
    stands
        .provision(&["plan", "gemma4:12b-it-q4_K_M"])
        .env("HTTP_PROXY", &dead)
        .env("NO_PROXY", "127.0.0.1")
        .run()
        .code(0);
}

#[test]
fn list_quants_shows_the_levels_found_with_their_source() {
    let stands = Stands::start();
    let q4 = stands.publish("gemma4", "12b", &fixtures::gemma4_12b());
    stands.main.manifest(
        "gemma4",
        "12b-it-q8_0",
        manifest_body(OTHER, 12_999_000_123),
    );
    let json = stands
        .provision(&["list-quants", "gemma4:12b", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(
        (&json["facts_source"], &json["tags_probed"]),
        (&Value::from("registry"), &Value::from(true))
    );
    let rows: Vec<(String, u64, String)> = json["quants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let quant = r["quant"].as_str().unwrap().to_string();
            let source = r["size_source"].as_str().unwrap().to_string();
            (quant, r["size_bytes"].as_u64().unwrap(), source)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Q8_0".to_string(), 12_999_000_123, "registry".to_string()),
            ("Q4_K_M".to_string(), q4, "registry".to_string()),
        ]
    );
    let text = stands
        .provision(&["list-quants", "gemma4:12b"])
        .run()
        .code(0);
    assert!(
        text.stdout
            .contains("facts: registry\ntags probed by convention"),
        "{}",
        text.stdout
    );
}
