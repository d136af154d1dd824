//! The live registry client against the local stand-in registry.

use crate::support::registry::{MANIFEST_V2, Reply, StandIn, closed_url};
use provision::registry::{Lookup, ProxyEnv, Registry, RemoteTag, sha256_digest};
use std::time::{Duration, Instant};

const LLAMA: &str = include_str!("../fixtures/registry/llama3.1_8b-instruct-q4_K_M.json");
const TAG: &str = "8b-instruct-q4_K_M";

fn client(stand_in: &StandIn, timeout_ms: u64) -> Registry {
    Registry::new(&stand_in.url(), &ProxyEnv::default())
        .unwrap()
        .with_timeout(Duration::from_millis(timeout_ms))
}

/// Environment variables as `Registry::from_vars` would read them.
fn vars(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

fn unreachable_reason(lookup: &Lookup) -> &str {
    match lookup {
        Lookup::Unreachable(reason) => reason,
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[test]
fn a_published_tag_gives_exact_sizes_and_the_request_is_well_formed() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", TAG, LLAMA);
    let lookup = client(&stand_in, 2000).lookup("llama3.1", TAG);
    let expected = RemoteTag {
        model_bytes: 4_920_738_944,
        total_bytes: 4_920_753_328,
        digest: sha256_digest(LLAMA.as_bytes()),
        config: provision::registry::Manifest::parse(LLAMA.as_bytes())
            .unwrap()
            .config,
        layers: provision::registry::Manifest::parse(LLAMA.as_bytes())
            .unwrap()
            .layers,
    };
    assert_eq!(lookup, Lookup::Found(expected));
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[0].path,
        format!("/v2/library/llama3.1/manifests/{TAG}")
    );
    assert_eq!(requests[0].header("Accept"), Some(MANIFEST_V2));
    let agent = requests[0].header("User-Agent").unwrap();
    assert!(agent.starts_with("ollama-provision/"), "{agent}");
}

#[test]
fn an_unknown_tag_is_not_found() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", TAG, LLAMA);
    let lookup = client(&stand_in, 2000).lookup("llama3.1", "8b-instruct-q3_K_XL");
    assert_eq!(lookup, Lookup::NotFound);
    assert_eq!(
        stand_in.requests()[0].path,
        "/v2/library/llama3.1/manifests/8b-instruct-q3_K_XL"
    );
}

#[test]
fn other_statuses_and_non_manifests_are_told_apart() {
    let stand_in = StandIn::start();
    stand_in.reply("qwen3", "8b", Reply::Status(500, r#"{"errors":[]}"#.into()));
    stand_in.manifest("qwen3", "4b", "<html>sign in to the wifi</html>");
    let registry = client(&stand_in, 2000);
    assert_eq!(registry.lookup("qwen3", "8b"), Lookup::Other(500));
    match registry.lookup("qwen3", "4b") {
        Lookup::Invalid(reason) => assert!(reason.contains("could not parse"), "{reason}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_hanging_registry_times_out_within_the_budget() {
    let stand_in = StandIn::start();
    stand_in.hang("llama3.1", TAG);
    let started = Instant::now();
    let lookup = client(&stand_in, 300).lookup("llama3.1", TAG);
    let elapsed = started.elapsed();
    let reason = unreachable_reason(&lookup);
    assert!(
        reason.starts_with("no answer from 127.0.0.1 within 300ms"),
        "{reason}"
    );
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    assert_eq!(stand_in.requests().len(), 1, "the request was sent");
}

#[test]
fn a_server_that_accepts_and_never_reads_times_out_too() {
    let stand_in = StandIn::start();
    stand_in.hang_all();
    let started = Instant::now();
    let lookups = client(&stand_in, 300).lookup_many("llama3.1", &[TAG, "8b"]);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let offline = lookups.offline.as_deref().expect("offline");
    assert!(offline.starts_with("no answer from 127.0.0.1"), "{offline}");
    assert!(stand_in.requests().is_empty());
}

#[test]
fn many_tags_are_looked_up_in_order() {
    let stand_in = StandIn::start();
    let tags: Vec<String> = (0..12).map(|i| format!("tag{i}")).collect();
    for tag in &tags[..11] {
        stand_in.manifest("llama3.1", tag, LLAMA);
    }
    let lookups = client(&stand_in, 2000).lookup_many("llama3.1", &tags);
    assert_eq!(lookups.offline, None);
    let asked: Vec<&str> = lookups.tags.iter().map(|t| t.tag.as_str()).collect();
    assert_eq!(asked, tags.iter().map(String::as_str).collect::<Vec<_>>());
    for tag in &tags[..11] {
        assert!(
            matches!(lookups.get(tag), Some(Lookup::Found(t)) if t.model_bytes == 4_920_738_944)
        );
    }
    assert_eq!(lookups.get("tag11"), Some(&Lookup::NotFound));
    assert_eq!(stand_in.requests().len(), 12);
}

#[test]
fn a_dead_registry_costs_one_timeout_for_all_tags() {
    let stand_in = StandIn::start();
    let tags: Vec<String> = (0..20).map(|i| format!("tag{i}")).collect();
    for tag in &tags {
        stand_in.hang("llama3.1", tag);
    }
    let started = Instant::now();
    let lookups = client(&stand_in, 1000).lookup_many("llama3.1", &tags);
    let elapsed = started.elapsed();
    // One timeout per tag would take 20 s, one per round of 8 would take 3 s; the
    // margin above the one shared second is for a loaded CI machine.
    assert!(elapsed < Duration::from_millis(2500), "took {elapsed:?}");
    assert!(
        lookups
            .tags
            .iter()
            .all(|t| matches!(t.lookup, Lookup::Unreachable(_)))
    );
    assert!(lookups.offline.unwrap().contains("within"));
    assert_eq!(
        stand_in.requests().len(),
        8,
        "at most 8 requests in flight, none after"
    );
}

#[test]
fn one_hanging_tag_does_not_make_the_registry_offline() {
    let stand_in = StandIn::start();
    stand_in
        .manifest("llama3.1", TAG, LLAMA)
        .hang("llama3.1", "8b");
    let lookups = client(&stand_in, 300).lookup_many("llama3.1", &[TAG, "8b"]);
    assert_eq!(lookups.offline, None);
    assert!(matches!(lookups.get(TAG), Some(Lookup::Found(_))));
    unreachable_reason(lookups.get("8b").unwrap());
}

#[test]
fn provision_registry_points_the_client_at_the_stand_in() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", TAG, LLAMA);
    let registry = Registry::from_vars(vars(&[("PROVISION_REGISTRY", stand_in.url())])).unwrap();
    assert!(matches!(registry.lookup("llama3.1", TAG), Lookup::Found(_)));
}

#[test]
fn a_dead_proxy_makes_the_registry_unreachable() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", TAG, LLAMA);
    let proxy = closed_url();
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let env = vars(&[
            ("PROVISION_REGISTRY", stand_in.url()),
            (name, proxy.clone()),
        ]);
        let registry = Registry::from_vars(env).unwrap();
        let lookups = registry.lookup_many("llama3.1", &[TAG, "8b"]);
        let offline = lookups.offline.expect(name);
        let expected = format!("could not reach 127.0.0.1 via proxy {proxy}: ");
        assert!(offline.starts_with(&expected), "{name}: {offline}");
    }
    assert!(
        stand_in.requests().is_empty(),
        "nothing reached the registry directly"
    );
}

#[test]
fn no_proxy_sends_the_request_directly() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", TAG, LLAMA);
    let proxy = closed_url();
    for no_proxy in [
        ("NO_PROXY", "127.0.0.1"),
        ("no_proxy", "localhost, 127.0.0.0/8"),
    ] {
        let env = vars(&[
            ("PROVISION_REGISTRY", stand_in.url()),
            ("HTTP_PROXY", proxy.clone()),
            (no_proxy.0, no_proxy.1.to_string()),
        ]);
        let registry = Registry::from_vars(env).unwrap();
        assert_eq!(registry.proxy(), None);
        assert!(
            matches!(registry.lookup("llama3.1", TAG), Lookup::Found(_)),
            "{no_proxy:?}"
        );
    }
    assert_eq!(stand_in.requests().len(), 2);
}

#[test]
fn the_stand_in_checks_the_accept_header_and_the_path_like_a_registry() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.1", TAG, LLAMA);
    let path = format!("/v2/library/llama3.1/manifests/{TAG}");
    let refused = stand_in.raw_get(&path, Some("application/json"));
    assert!(refused.starts_with("HTTP/1.1 406 "), "{refused}");
    assert!(stand_in.raw_get(&path, None).starts_with("HTTP/1.1 406 "));
    let served = stand_in.raw_get(&path, Some(MANIFEST_V2));
    assert!(
        served.starts_with("HTTP/1.1 200 OK\r\n") && served.ends_with(LLAMA),
        "{served}"
    );
    let wrong_shape = stand_in.raw_get("/v2/llama3.1/manifests/latest", Some(MANIFEST_V2));
    assert!(
        wrong_shape.ends_with("\r\n\r\n404 page not found\n"),
        "{wrong_shape}"
    );
    let unknown = stand_in.raw_get("/v2/library/llama3.1/manifests/nope", Some(MANIFEST_V2));
    let expected = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"nope"}}]}"#;
    assert!(
        unknown.starts_with("HTTP/1.1 404 Not Found\r\n"),
        "{unknown}"
    );
    assert!(
        unknown.ends_with(&format!("\r\n\r\n{expected}")),
        "{unknown}"
    );
    assert_eq!(stand_in.requests().len(), 5);
    assert_eq!(stand_in.requests()[1].header("accept"), None);
}
