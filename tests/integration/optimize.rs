//! `provision optimize` against the ollama emulator.

use crate::support::{Emulator, Provision};

/// `provision optimize ARGS` against this emulator, on the test machine's own device
/// (every test forces the tier).
fn optimize(emu: &Emulator, args: &[&str]) -> Provision {
    Provision::new()
        .emulator(emu)
        .arg("optimize")
        .args(args.iter().copied())
}

#[test]
fn float_weights_are_quantized_once_to_the_tier() {
    let emu = Emulator::new().pulled(&["llama3.2:1b-instruct-fp16"]);
    let target = "provision/llama3.2:1b-instruct-q4_K_M";
    optimize(&emu, &["llama3.2:1b-instruct-fp16", "--tier", "4"])
        .run()
        .code(0)
        .stdout_is(&format!(
            "created {target} from llama3.2:1b-instruct-fp16 (F16)\n"
        ));
    let calls = emu.log();
    let create = calls.of("create").next().unwrap();
    assert_eq!(create.arg(4), "-q");
    assert_eq!(
        create.modelfile.as_deref(),
        Some("FROM llama3.2:1b-instruct-fp16\n")
    );
    let shown = emu.run(&["show", target]).stdout;
    assert!(shown.contains("Q4_K_M"), "{shown}");
    optimize(&emu, &["llama3.2:1b-instruct-fp16", "--tier", "4"])
        .run()
        .code(0)
        .stdout_has("already holds");
    assert_eq!(emu.log().created(), [target]);
}

#[test]
fn a_model_at_or_below_the_tier_is_left_alone() {
    let emu = Emulator::new().pulled(&["qwen2.5:0.5b-instruct-q4_K_M"]);
    optimize(&emu, &["qwen2.5:0.5b-instruct-q4_K_M", "--tier", "8"])
        .run()
        .code(0)
        .stdout_has("is already optimized: Q4_K_M");
    assert!(emu.log().created().is_empty());
}

#[test]
fn tier_2_uses_the_nearest_level_ollama_can_produce_and_says_so() {
    let emu = Emulator::new().pulled(&["qwen2.5:0.5b-instruct-fp16"]);
    let report = optimize(
        &emu,
        &["qwen2.5:0.5b-instruct-fp16", "--tier", "2", "--json"],
    )
    .run()
    .code(0)
    .json();
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
    emu.ok(&["create", "mine"]);
    optimize(&emu, &["mine", "--tier", "4"])
        .run()
        .code(1)
        .one_error_line(&["mine is Q8_0", "import an F16 version"]);
}
