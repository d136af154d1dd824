//! `provision optimize` against the ollama emulator.

use crate::emulator_support;
use crate::support;

use emulator_support::Emulator;
use support::Provision;

fn optimize(emu: &Emulator, args: &[&str]) -> Provision {
    Provision::new()
        .path_front(emu.bin_dir())
        .arg("optimize")
        .args(args.iter().copied())
}

fn creates(emu: &Emulator) -> Vec<String> {
    emu.calls()
        .iter()
        .filter(|c| c["argv"][0] == "create")
        .map(|c| c["argv"][1].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn float_weights_are_quantized_once_to_the_tier() {
    let emu = Emulator::new();
    assert_eq!(emu.run(&["pull", "llama3.2:1b-instruct-fp16"]).code, 0);
    let run = optimize(&emu, &["llama3.2:1b-instruct-fp16", "--tier", "4"])
        .run()
        .code(0);
    let target = "provision/llama3.2:1b-instruct-q4_K_M";
    assert_eq!(
        run.stdout,
        format!("created {target} from llama3.2:1b-instruct-fp16 (F16)\n")
    );
    let create = emu
        .calls()
        .into_iter()
        .find(|c| c["argv"][0] == "create")
        .unwrap();
    assert_eq!(create["argv"][4], "-q");
    assert_eq!(create["modelfile"], "FROM llama3.2:1b-instruct-fp16\n");
    let shown = emu.run(&["show", target]).stdout;
    assert!(shown.contains("Q4_K_M"), "{shown}");
    let run = optimize(&emu, &["llama3.2:1b-instruct-fp16", "--tier", "4"])
        .run()
        .code(0);
    assert!(run.stdout.contains("already holds"), "{}", run.stdout);
    assert_eq!(creates(&emu), [target]);
}

#[test]
fn a_model_at_or_below_the_tier_is_left_alone() {
    let emu = Emulator::new();
    assert_eq!(emu.run(&["pull", "qwen2.5:0.5b-instruct-q4_K_M"]).code, 0);
    let run = optimize(&emu, &["qwen2.5:0.5b-instruct-q4_K_M", "--tier", "8"])
        .run()
        .code(0);
    assert!(
        run.stdout.contains("is already optimized: Q4_K_M"),
        "{}",
        run.stdout
    );
    assert!(creates(&emu).is_empty());
}

#[test]
fn tier_2_uses_the_nearest_level_ollama_can_produce_and_says_so() {
    let emu = Emulator::new();
    assert_eq!(emu.run(&["pull", "qwen2.5:0.5b-instruct-fp16"]).code, 0);
    let run = optimize(
        &emu,
        &["qwen2.5:0.5b-instruct-fp16", "--tier", "2", "--json"],
    )
    .run()
    .code(0);
    let report = run.json();
    assert_eq!(report["level"], "Q4_K_S");
    assert_eq!(report["status"], "created");
    assert!(
        report["note"]
            .as_str()
            .unwrap()
            .contains("cannot produce Q2_K")
    );
}

#[test]
fn a_quantized_import_cannot_be_requantized() {
    let emu = Emulator::new();
    emu.write("Modelfile", "FROM qwen2.5:0.5b-instruct-q8_0\n");
    assert_eq!(emu.run(&["create", "mine"]).code, 0);
    let run = optimize(&emu, &["mine", "--tier", "4"]).run().code(1);
    run.one_error_line(&["mine is Q8_0", "import an F16 version"]);
}
