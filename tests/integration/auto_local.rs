//! `provision auto` and `plan` on a user's own import, a local base the catalog
//! does not know, planned from the metadata `ollama show --verbose` prints (the
//! emulator's store holds no real blobs): `ollama create --quantize`, idempotency on
//! the call log, the nearest producible level at tier 2, a quantized import used at
//! its own level, and bases that cannot be planned.

use crate::support::{Calls, Device, Emulator, Provision};

/// One model built from the local base `mine`.
const OWN: &str = "name: own
description: A user's own import
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
reserve:
  absolute: 512MiB
  fraction: 0.05
num_thread: auto
parameters:
  num_ctx: 2048
roster:
  concurrent: false
  models:
    - name: provision/mine:tuned
      base: mine
      role: chat
      system: Be brief.
";

/// An emulator whose store holds `mine`, imported from a GGUF at `file_type`
/// with the shape of llama3.2:1b (so its dimensions are known).
fn with_import(file_type: &str) -> Emulator {
    with_shape(file_type, 1_235_814_400)
}

fn with_shape(file_type: &str, parameters: u64) -> Emulator {
    let emu = Emulator::new().random_order();
    let meta = format!(
        r#"{{"family": "llama", "file_type": "{file_type}", "parameter_count": {parameters}, "context_length": 131072, "embedding_length": 2048}}"#
    );
    emu.write("mine.gguf", &meta);
    emu.write(
        "Modelfile",
        "FROM ./mine.gguf\nTEMPLATE \"{{ .Prompt }}\"\nPARAMETER stop \"<|eot_id|>\"\n",
    );
    emu.ok(&["create", "mine"]);
    emu
}

/// `provision <command>` on the own profile with a 3 GiB device (tier 4).
fn provision(emu: &Emulator, command: &str) -> Provision {
    Provision::new()
        .emulator(emu)
        .arg(command)
        .profile(OWN)
        .device(Device::cpu("3GiB", 4))
}

/// The argv of each `create` in these calls, but the import's.
fn creates(calls: &Calls) -> Vec<&[String]> {
    let ours = calls.of("create").filter(|call| call.arg(1) != "mine");
    ours.map(|call| call.argv.as_slice()).collect()
}

#[test]
fn an_f16_import_is_quantized_by_create_and_a_second_run_changes_nothing() {
    let emu = with_import("F16");
    provision(&emu, "auto").run().code(0).stdout_has("created");
    let calls = emu.log();
    let created = creates(&calls);
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0][1], "provision/mine:tuned");
    assert_eq!(created[0][4..], ["-q", "Q4_K_M"]);
    assert!(!calls.ran("pull"), "nothing to pull");
    let modelfile = calls.of("create").last().unwrap().modelfile.as_deref();
    let modelfile = modelfile.unwrap();
    assert!(modelfile.contains("\nFROM mine:latest\n"), "{modelfile}");
    let shown = emu.run(&["show", "provision/mine:tuned"]).stdout;
    assert!(shown.contains("Q4_K_M"), "{shown}");

    let before = emu.log().len();
    provision(&emu, "auto")
        .run()
        .code(0)
        .stdout_has("up to date");
    let again = emu.log().since(before);
    assert!(creates(&again).is_empty());
    // One list and one `-v` (the run's inventory, side by side), show of the base
    // (planning), then three shows of the check.
    assert_eq!(again.len(), 6);
}

#[test]
fn a_target_at_another_level_is_recreated() {
    let emu = with_import("F16");
    provision(&emu, "auto").run().code(0);
    let before = emu.log().len();
    provision(&emu, "auto")
        .args(["--tier", "8"])
        .run()
        .code(0)
        .stdout_has("quantization Q4_K_M → Q8_0");
    assert_eq!(creates(&emu.log().since(before))[0][4..], ["-q", "Q8_0"]);
}

#[test]
fn tier_2_takes_the_nearest_level_create_can_make_and_says_so() {
    let emu = with_import("BF16");
    provision(&emu, "auto")
        .args(["--tier", "2"])
        .run()
        .code(0)
        .stdout_has("Q4_K_S")
        .stdout_has("Ollama cannot produce Q2_K with `create --quantize`; Q4_K_S is the nearest");
    assert_eq!(creates(&emu.log())[0][4..], ["-q", "Q4_K_S"]);
}

#[test]
fn the_dry_run_shows_the_quantize_flag() {
    let emu = with_import("F16");
    provision(&emu, "auto")
        .arg("--dry-run")
        .run()
        .code(0)
        .stdout_has("$ ollama create provision/mine:tuned -f <Modelfile> -q Q4_K_M");
    assert!(creates(&emu.log()).is_empty());
}

#[test]
fn an_already_quantized_import_is_used_at_its_own_level() {
    let emu = with_import("Q4_K_M");
    provision(&emu, "auto").run().code(0).stdout_has("created");
    let calls = emu.log();
    let created = creates(&calls);
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0][1], "provision/mine:tuned");
    assert!(!created[0].contains(&"-q".to_string()), "{created:?}");
}

#[test]
fn an_import_of_any_shape_is_planned_from_its_metadata() {
    let emu = with_shape("F16", 5_000_000_000);
    let run = provision(&emu, "plan").arg("--json").run().code(0);
    let model = &run.json()["models"][0];
    let reason = model["reason"].as_str().unwrap();
    assert!(
        reason.contains("sizes estimated from 5.0B parameters"),
        "{reason}"
    );
    assert_eq!(model["facts_source"], "installed");
    let shows: Vec<String> = emu.log().of("show").map(|c| c.short()).collect();
    assert_eq!(
        shows,
        ["show --verbose mine"],
        "one show, with the metadata"
    );
}

#[test]
fn plan_without_ollama_reports_the_model_as_not_plannable() {
    let run = Provision::new()
        .args(["plan", "--json"])
        .profile(OWN)
        .run()
        .code(0);
    let model = &run.json()["models"][0];
    assert_eq!(model["fits"], false);
    let reason = model["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("mine is not in the catalog, and what Ollama holds could not be read: "),
        "{reason}"
    );
}

#[test]
fn a_base_in_neither_the_catalog_nor_ollama_is_an_error() {
    let emu = Emulator::new();
    provision(&emu, "plan")
        .run()
        .code(1)
        .one_error_line(&["could not plan model 'provision/mine:tuned'"]);
    let calls = emu.log();
    assert!(calls.ran("list"));
    assert!(!calls.ran("show"));
}

#[test]
fn an_ollama_without_show_verbose_metadata_plans_from_show_and_a_catalog_shape() {
    // Before 0.6.1 `show` prints no Metadata: the import's shape is borrowed from the
    // catalog size it matches, and the registry is not asked about an installed name.
    let emu = Emulator::new().era("v0.5");
    emu.write(
        "mine.gguf",
        r#"{"family": "llama", "file_type": "F16", "parameter_count": 1235814400, "context_length": 131072, "embedding_length": 2048}"#,
    );
    emu.write("Modelfile", "FROM ./mine.gguf\n");
    emu.ok(&["create", "mine"]);
    let run = provision(&emu, "plan").arg("--json").run().code(0);
    let model = &run.json()["models"][0];
    assert_eq!(model["fits"], true, "{model:#}");
    assert_eq!(model["facts_source"], "catalog");
    assert_eq!(model["quantize"], "Q4_K_M");
}
