//! Disk space: the pulls of a run are compared with the free space of the model
//! store before anything is pulled.

use crate::support::registry::StandIn;
use crate::support::{Device, Emulator, Provision};

/// A manifest for a tag claiming weights of 2^60 bytes: more than any disk.
fn huge_manifest() -> String {
    include_str!("../../fixtures/registry/llama3.1_8b-instruct-q4_K_M.json")
        .replace("4920738944", "1152921504606846976")
}

fn auto(emu: &Emulator, stand_in: &StandIn, extra: &[&str]) -> Provision {
    Provision::new()
        .device(Device::DESKTOP)
        .emulator(emu)
        .env("PROVISION_REGISTRY", stand_in.url())
        .args(["auto", "llama3.2:1b"])
        .args(extra.iter().copied())
}

#[test]
fn pulls_larger_than_the_free_space_are_refused_with_both_numbers() {
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.2", "1b-instruct-q8_0", huge_manifest());
    let emu = Emulator::new();
    auto(&emu, &stand_in, &[]).run().code(1).one_error_line(&[
        "not enough disk space for the pulls: 1048576.0 TiB",
        "to download (registry sizes) but",
        "free in the model store",
        "--force",
    ]);
    assert!(
        emu.log().iter().all(|c| c.verb() != "pull"),
        "nothing pulled"
    );
}

#[test]
fn force_tries_anyway_and_the_pull_shows_the_registry_size() {
    let stand_in = StandIn::start();
    let manifest = include_str!("../../fixtures/registry/llama3.1_8b-instruct-q4_K_M.json")
        .replace("4920738944", "1300000000");
    stand_in.manifest("llama3.2", "1b-instruct-q8_0", manifest);
    let emu = Emulator::new();
    auto(&emu, &stand_in, &[])
        .run()
        .code(0)
        .stderr_has("pulling llama3.2:1b-instruct-q8_0 1.3 GB\n");
    let stand_in = StandIn::start();
    stand_in.manifest("llama3.2", "1b-instruct-q8_0", huge_manifest());
    let emu = Emulator::new();
    auto(&emu, &stand_in, &["--force"])
        .run()
        .code(0)
        .stderr_has("provision: warning: not enough disk space")
        .stderr_has("(--force: trying anyway)");
}

#[test]
fn plan_shows_the_download_size() {
    Provision::new()
        .device(Device::DESKTOP)
        .args(["plan", "llama3.2:1b"])
        .run()
        .code(0)
        .stdout_has("download: up to 1.2 GiB for 1 tag (catalog sizes;");
}
