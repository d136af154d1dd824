//! `provision outdated` and `auto --update` against the stand-in registry: the
//! registry serves each tag's manifest as the emulator's pull writes it; a test
//! makes the installed copy an older publication (another license blob), so the
//! registry's manifest is the newer one and a pull brings it.

use super::{FP16, Machine, TINY};
use crate::support::registry::{StandIn, closed_url, sha256_hex};
use crate::support::{Device, Provision};

impl Machine {
    /// Serves the installed manifest of each tag as the registry's.
    fn publish(&self, registry: &StandIn, tags: &[&str]) {
        for tag in tags {
            let (model, short) = tag.split_once(':').unwrap();
            registry.manifest(model, short, self.manifest(tag));
        }
    }

    /// Rewrites the installed copy of `tag` as an older publication of it (its
    /// license blob differs); returns the manifest the emulator's pull writes.
    fn age(&self, tag: &str) -> String {
        let current = self.manifest(tag);
        let doc: serde_json::Value = serde_json::from_str(&current).unwrap();
        let layers = doc["layers"].as_array().unwrap();
        let license = layers
            .iter()
            .find(|l| l["mediaType"].as_str().unwrap().ends_with("license"));
        let (digest, size) = (&license.unwrap()["digest"], &license.unwrap()["size"]);
        let text = "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT (an earlier revision)\n";
        let hex = sha256_hex(text.as_bytes());
        std::fs::write(self.store().join(format!("blobs/sha256-{hex}")), text).unwrap();
        let old = current.replace(
            &format!("\"digest\":{digest},\"size\":{size}"),
            &format!("\"digest\":\"sha256:{hex}\",\"size\":{}", text.len()),
        );
        assert_ne!(old, current, "the license layer was not found");
        std::fs::write(self.manifest_path(tag), &old).unwrap();
        current
    }
}

/// The machine provisioned on the desktop, its F16 tag an older publication,
/// each tag served as installed; returns the F16 manifest the library now has.
fn provisioned(machine: &Machine, registry: &StandIn) -> String {
    machine.run(Device::DESKTOP, &["auto"]).run().code(0);
    let newer = machine.age(FP16);
    machine.publish(registry, &[FP16, TINY]);
    newer
}

/// `provision ARGS` on the desktop, asking `registry`.
fn asking(machine: &Machine, registry: &StandIn, args: &[&str]) -> Provision {
    let run = machine.run(Device::DESKTOP, args);
    run.env("PROVISION_REGISTRY", registry.url())
}

#[test]
fn outdated_names_exactly_the_tag_the_registry_changed() {
    let (machine, registry) = (Machine::new(), StandIn::start());
    registry.digest_header();
    let newer = provisioned(&machine, &registry);
    let report = asking(&machine, &registry, &["outdated", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(report["summary"]["current"], 2, "{report}");
    assert_eq!(report["tags"][0]["digest_source"], "header");
    // The library republishes the F16 tag.
    registry.manifest("llama3.2", "1b-instruct-fp16", newer.clone());
    let report = asking(&machine, &registry, &["outdated", "--json"])
        .run()
        .code(3)
        .json();
    let tags = report["tags"].as_array().unwrap();
    let outdated: Vec<&str> = tags
        .iter()
        .filter(|t| t["status"] == "outdated")
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(outdated, [FP16]);
    assert_eq!(tags[0]["registry_digest"], sha256_hex(newer.as_bytes()));
    assert_eq!(tags[0]["targets"], serde_json::json!(["chat"]));
}

#[test]
fn update_pulls_the_changed_tag_recreates_its_model_and_a_second_run_is_a_no_op() {
    let (machine, registry) = (Machine::new(), StandIn::start());
    let newer = provisioned(&machine, &registry);
    registry.manifest("llama3.2", "1b-instruct-fp16", newer.clone());
    asking(&machine, &registry, &["auto", "--check", "--update"])
        .run()
        .code(3)
        .stdout_has(&format!("{FP16} changed in the registry"));
    let mark = machine.emu.log().len();
    asking(&machine, &registry, &["auto", "--update"])
        .run()
        .code(0)
        .stdout_has("1 updated, 1 unchanged");
    let expected = [format!("pull {FP16}"), "create chat".to_string()];
    assert_eq!(machine.writes_since(mark), expected);
    assert_eq!(machine.manifest(FP16), newer);
    let mark = machine.emu.log().len();
    asking(&machine, &registry, &["outdated"]).run().code(0);
    asking(&machine, &registry, &["auto", "--update"])
        .run()
        .code(0)
        .stdout_has("0 updated, 2 unchanged");
    assert_eq!(machine.writes_since(mark), Vec::<String>::new());
}

#[test]
fn without_the_header_the_manifest_body_is_hashed() {
    let machine = Machine::new();
    let registry = StandIn::start();
    machine
        .run(Device::DESKTOP, &["auto", "tiny"])
        .run()
        .code(0);
    machine.publish(&registry, &[TINY]);
    let report = machine
        .run(Device::DESKTOP, &["outdated", "--json"])
        .env("PROVISION_REGISTRY", registry.url())
        .run()
        .code(0)
        .json();
    assert_eq!(report["tags"][0]["status"], "current", "{report}");
    assert_eq!(report["tags"][0]["digest_source"], "body");
    let methods: Vec<String> = registry.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["HEAD", "GET"]);
}

#[test]
fn offline_is_one_warning_and_nothing_changes() {
    let machine = Machine::new();
    machine.run(Device::DESKTOP, &["auto"]).run().code(0);
    let dead = closed_url();
    let run = machine
        .run(Device::DESKTOP, &["outdated"])
        .env("PROVISION_REGISTRY", &dead)
        .run()
        .code(0);
    assert_eq!(run.error_lines().len(), 1, "{}", run.stderr);
    run.stderr_has("provision: warning: could not ask the registry");
    let mark = machine.emu.log().len();
    // `--server-env skip`: only the registry's warning is in question here.
    let run = machine
        .run(
            Device::DESKTOP,
            &["auto", "--update", "--server-env", "skip"],
        )
        .env("PROVISION_REGISTRY", &dead)
        .run()
        .code(0)
        .stdout_has("2 unchanged");
    assert_eq!(run.error_lines().len(), 1, "{}", run.stderr);
    assert_eq!(machine.writes_since(mark), Vec::<String>::new());
}
