//! `provision auto` and `plan` on a user's own import, a local base the catalog
//! does not know: `ollama create --quantize`, idempotency on the call log, the
//! nearest producible level at tier 2, and bases that cannot be planned.

use crate::emulator_support;
use crate::support;

use emulator_support::Emulator;
use support::Provision;

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
    let emu = Emulator::new().env("OLLAMA_EMULATOR_DETERMINISTIC", "0");
    let meta = format!(
        r#"{{"family": "llama", "file_type": "{file_type}", "parameter_count": {parameters}, "context_length": 131072, "embedding_length": 2048}}"#
    );
    emu.write("mine.gguf", &meta);
    emu.write(
        "Modelfile",
        "FROM ./mine.gguf\nTEMPLATE \"{{ .Prompt }}\"\nPARAMETER stop \"<|eot_id|>\"\n",
    );
    let out = emu.run(&["create", "mine"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    emu
}

/// `provision <command>` on the own profile with a 3 GiB device (tier 4).
fn provision(emu: &Emulator, command: &str) -> Provision {
    let profile = emu.write("own.yaml", OWN);
    Provision::new().path_front(emu.bin_dir()).args([
        command,
        "--profile",
        &profile.display().to_string(),
        "--ram",
        "3GiB",
        "--cores",
        "4",
        "--vram",
        "0",
    ])
}

/// The argv of each `create` from call index `from` on, but the import's.
fn creates(emu: &Emulator, from: usize) -> Vec<Vec<String>> {
    emu.calls()[from..]
        .iter()
        .filter(|call| call["argv"][0] == "create" && call["argv"][1] != "mine")
        .map(|call| {
            let argv = call["argv"].as_array().unwrap();
            argv.iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn an_f16_import_is_quantized_by_create_and_a_second_run_changes_nothing() {
    let emu = with_import("F16");
    let first = provision(&emu, "auto").run().code(0);
    assert!(first.stdout.contains("created"), "{}", first.stdout);
    let created = creates(&emu, 0);
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0][1], "provision/mine:tuned");
    assert_eq!(created[0][4..], ["-q", "Q4_K_M"]);
    assert!(
        !emu.calls().iter().any(|c| c["argv"][0] == "pull"),
        "nothing to pull"
    );
    let modelfile = emu
        .calls()
        .iter()
        .rfind(|c| c["argv"][0] == "create")
        .unwrap()["modelfile"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(modelfile.contains("\nFROM mine:latest\n"), "{modelfile}");
    let shown = emu.run(&["show", "provision/mine:tuned"]).stdout;
    assert!(shown.contains("Q4_K_M"), "{shown}");

    let before = emu.calls().len();
    let second = provision(&emu, "auto").run().code(0);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);
    assert!(creates(&emu, before).is_empty());
    // list + show of the base (planning), list, then three shows of the check.
    assert_eq!(emu.calls().len() - before, 6);
}

#[test]
fn a_target_at_another_level_is_recreated() {
    let emu = with_import("F16");
    provision(&emu, "auto").run().code(0);
    let before = emu.calls().len();
    let tier8 = provision(&emu, "auto").args(["--tier", "8"]).run().code(0);
    assert!(
        tier8.stdout.contains("quantization Q4_K_M → Q8_0"),
        "{}",
        tier8.stdout
    );
    assert_eq!(creates(&emu, before)[0][4..], ["-q", "Q8_0"]);
}

#[test]
fn tier_2_takes_the_nearest_level_create_can_make_and_says_so() {
    let emu = with_import("BF16");
    let run = provision(&emu, "auto").args(["--tier", "2"]).run().code(0);
    assert!(run.stdout.contains("Q4_K_S"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("Ollama cannot produce Q2_K with `create --quantize`; Q4_K_S is the nearest"),
        "{}",
        run.stdout
    );
    assert_eq!(creates(&emu, 0)[0][4..], ["-q", "Q4_K_S"]);
}

#[test]
fn the_dry_run_shows_the_quantize_flag() {
    let emu = with_import("F16");
    let run = provision(&emu, "auto").arg("--dry-run").run().code(0);
    assert!(
        run.stdout
            .contains("$ ollama create provision/mine:tuned -f <Modelfile> -q Q4_K_M"),
        "{}",
        run.stdout
    );
    assert!(creates(&emu, 0).is_empty());
}

#[test]
fn an_already_quantized_import_is_not_planned_and_nothing_is_created() {
    let emu = with_import("Q4_K_M");
    let run = provision(&emu, "auto").run().code(0);
    assert!(
        run.stdout
            .contains("`ollama create --quantize` only quantizes F16, BF16 or F32 weights"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("skipped"), "{}", run.stdout);
    assert!(creates(&emu, 0).is_empty());
}

#[test]
fn an_import_of_no_known_shape_cannot_be_estimated() {
    let emu = with_shape("F16", 5_000_000_000);
    let run = provision(&emu, "plan").arg("--json").run().code(0);
    let reason = run.json()["models"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.starts_with("cannot estimate memory: "), "{reason}");
    assert!(reason.contains("llama, 5B parameters"), "{reason}");
}

#[test]
fn plan_without_ollama_reports_the_model_as_not_plannable() {
    let emu = Emulator::new();
    let profile = emu.write("own.yaml", OWN);
    let run = Provision::new()
        .args([
            "plan",
            "--json",
            "--profile",
            &profile.display().to_string(),
        ])
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
    let calls = emu.calls();
    assert!(calls.iter().any(|c| c["argv"][0] == "list"));
    assert!(!calls.iter().any(|c| c["argv"][0] == "show"));
}
