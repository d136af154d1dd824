//! `provision prune` and `auto --prune`: what `provision` pulled and no longer
//! needs goes, what the user pulled or built never does.

use super::{DUO, FP16, Machine, Q8, SMALLER, TINY};
use crate::support::Device;
use std::collections::HashSet;

/// The desktop provisions `chat` at F16, then 6 GiB re-creates it at Q8_0.
fn downgraded(machine: &Machine) {
    machine.run(Device::DESKTOP, &["auto"]).run().code(0);
    machine.run(SMALLER, &["auto"]).run().code(0);
}

#[test]
fn a_downgrade_then_prune_frees_the_old_level_and_keeps_the_users_tag() {
    let machine = Machine::new();
    machine.emu.ok(&["pull", "llama3.2:3b-instruct-q4_K_M"]);
    downgraded(&machine);
    assert_eq!(machine.pulled(), [FP16, Q8, TINY]);
    let mark = machine.emu.log().len();
    let bytes = dry_run_removes_only(&machine, FP16);
    assert_eq!(machine.writes_since(mark), Vec::<String>::new());

    let done = machine
        .run(SMALLER, &["auto", "--prune", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(done["prune"]["removals"][0]["status"], "removed");
    assert_eq!(done["prune"]["freed_bytes"].as_u64(), Some(bytes));
    assert_eq!(machine.writes_since(mark), [format!("rm {FP16}")]);
    let expected = [
        "chat:latest",
        Q8,
        "llama3.2:3b-instruct-q4_K_M",
        TINY,
        "tiny:latest",
    ];
    assert_eq!(machine.listed(), expected);
    assert_eq!(machine.pulled(), [Q8, TINY]);

    let mark = machine.emu.log().len();
    machine
        .run(SMALLER, &["auto", "--prune"])
        .run()
        .code(0)
        .stdout_has("nothing to prune");
    assert_eq!(machine.writes_since(mark), Vec::<String>::new());
}

/// `prune --dry-run` would remove exactly `tag`, freeing what `ollama list`
/// says it takes (2.5 GB); returns the bytes it reports.
fn dry_run_removes_only(machine: &Machine, tag: &str) -> u64 {
    let args = ["prune", "--dry-run", "--json"];
    let dry = machine.run(SMALLER, &args).run().code(0).json();
    let removals = dry["removals"].as_array().unwrap();
    assert_eq!(removals.len(), 1, "{dry}");
    assert_eq!(removals[0]["name"], tag);
    assert_eq!(removals[0]["status"], "planned");
    assert_eq!(removals[0]["command"], format!("ollama rm {tag}"));
    assert_eq!(dry["bytes_source"], "list");
    let bytes = dry["freed_bytes"].as_u64().unwrap();
    assert!((2_450_000_000..2_550_000_000).contains(&bytes), "{bytes}");
    bytes
}

#[test]
fn a_tag_the_user_pulled_or_built_on_is_never_pruned() {
    let machine = Machine::new();
    // The user had the F16 tag before provision ran: it is never provision's.
    machine.emu.ok(&["pull", FP16]);
    downgraded(&machine);
    assert_eq!(machine.pulled(), [Q8, TINY]);
    machine
        .run(SMALLER, &["prune"])
        .run()
        .code(0)
        .stdout_has("nothing to prune");
    // The user builds on provision's Q8_0 tag; back on the desktop, `chat` no
    // longer needs it, but the user's model shares its weights.
    machine
        .emu
        .write("Modelfile", &format!("FROM {Q8}\nSYSTEM mine\n"));
    machine.emu.ok(&["create", "mine", "-f", "Modelfile"]);
    let mark = machine.emu.log().len();
    let run = machine
        .run(Device::DESKTOP, &["auto", "--prune", "--json"])
        .run()
        .code(0);
    let kept = &run.json()["prune"]["kept"];
    let mine = kept.as_array().unwrap().iter().find(|k| k["name"] == Q8);
    assert_eq!(
        mine.unwrap()["reason"],
        "mine:latest uses its weights",
        "{kept}"
    );
    assert!(
        !machine
            .writes_since(mark)
            .iter()
            .any(|c| c.starts_with("rm"))
    );
    assert!(machine.listed().contains(&FP16.to_string()));
}

#[test]
fn with_a_readable_store_the_bytes_are_the_manifests_blobs_nothing_else_names() {
    let machine = Machine::new();
    downgraded(&machine);
    let store = machine.store().display().to_string();
    let run = machine
        .run(SMALLER, &["prune", "--dry-run", "--json"])
        .env("OLLAMA_MODELS", store)
        .run()
        .code(0);
    let report = run.json();
    assert_eq!(report["bytes_source"], "manifests");
    assert_eq!(
        report["freed_bytes"].as_u64(),
        Some(unique_bytes(&machine, FP16))
    );
}

/// The sizes of the blobs of `tag`'s manifest that no other manifest names,
/// read from the emulator's store.
fn unique_bytes(machine: &Machine, tag: &str) -> u64 {
    let blobs = |text: &str| -> Vec<(String, u64)> {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut layers = doc["layers"].as_array().unwrap().clone();
        layers.push(doc["config"].clone());
        let blob = |l: &serde_json::Value| (l["digest"].to_string(), l["size"].as_u64().unwrap());
        layers.iter().map(blob).collect()
    };
    let mut others: HashSet<String> = HashSet::new();
    for entry in walk(&machine.store().join("manifests")) {
        if entry != machine.manifest_path(tag) {
            let text = std::fs::read_to_string(entry).unwrap();
            others.extend(blobs(&text).into_iter().map(|b| b.0));
        }
    }
    let ours = blobs(&machine.manifest(tag));
    ours.iter()
        .filter(|b| !others.contains(&b.0))
        .map(|b| b.1)
        .sum()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn targets_the_profile_no_longer_names_go_only_with_prune_targets() {
    let machine = Machine::new();
    machine.run(Device::DESKTOP, &["auto"]).run().code(0);
    let renamed = DUO.replace("name: chat", "name: talk");
    machine
        .with(&renamed, Device::DESKTOP, &["auto"])
        .run()
        .code(0);
    let mark = machine.emu.log().len();
    machine
        .with(&renamed, Device::DESKTOP, &["prune"])
        .run()
        .code(0)
        .stdout_has("no longer in the profile (remove with --prune-targets): chat:latest");
    assert_eq!(machine.writes_since(mark), Vec::<String>::new());
    let report = machine
        .with(
            &renamed,
            Device::DESKTOP,
            &["prune", "--prune-targets", "--json"],
        )
        .run()
        .code(0)
        .json();
    assert_eq!(report["removals"][0]["name"], "chat:latest");
    assert_eq!(report["removals"][0]["kind"], "target");
    // The base stays: `talk` is built from it.
    assert_eq!(machine.writes_since(mark), ["rm chat:latest"]);
}

#[test]
fn a_corrupt_state_file_is_one_warning_and_the_next_run_rewrites_it() {
    let machine = Machine::new();
    let file = machine.state.path().join("provision/state.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{\"version\": 1, \"pulls\": [tr").unwrap();
    let run = machine
        .run(Device::DESKTOP, &["prune", "--dry-run"])
        .run()
        .code(0);
    assert_eq!(run.error_lines().len(), 1, "{}", run.stderr);
    run.stderr_has("provision: warning: could not read ")
        .stdout_has("nothing to prune");
    machine
        .run(Device::DESKTOP, &["auto", "--quiet"])
        .run()
        .code(0);
    assert_eq!(machine.pulled(), [FP16, TINY]);
}

#[test]
fn check_shows_what_one_auto_prune_run_then_removes() {
    let machine = Machine::new();
    machine.run(Device::DESKTOP, &["auto"]).run().code(0);
    let mark = machine.emu.log().len();
    let args = ["auto", "--check", "--prune", "--json"];
    let report = machine.run(SMALLER, &args).run().code(3).json();
    let removal = &report["prune"]["removals"][0];
    assert_eq!(
        (&removal["name"], &removal["status"]),
        (&FP16.into(), &"planned".into())
    );
    assert_eq!(machine.writes_since(mark), Vec::<String>::new());
    // One run re-creates `chat` at the new level, then removes the old one.
    machine.run(SMALLER, &["auto", "--prune"]).run().code(0);
    let expected = [
        format!("pull {Q8}"),
        "create chat".into(),
        format!("rm {FP16}"),
    ];
    assert_eq!(machine.writes_since(mark), expected);
    machine
        .run(SMALLER, &["auto", "--check", "--prune"])
        .run()
        .code(0);
}
