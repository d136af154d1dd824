//! Model names: checked before anything runs, and compared as Ollama compares them.

use crate::support::{Device, Emulator, Provision};

#[test]
fn optimize_refuses_a_bad_name_before_running_anything() {
    let emu = Emulator::new().pulled(&["llama3.2:1b-instruct-fp16"]);
    let before = emu.log().len();
    for args in [
        &[
            "optimize",
            "llama3.2:1b-instruct-fp16",
            "--name",
            "bad name",
        ][..],
        &["optimize", "bad model"],
    ] {
        Provision::new()
            .device(Device::DESKTOP)
            .emulator(&emu)
            .args(args.iter().copied())
            .args(["--tier", "4"])
            .run()
            .code(2)
            .one_error_line(&["invalid model name 'bad "]);
    }
    assert_eq!(emu.log().len(), before, "no ollama call ran");
}

#[test]
fn a_roster_whose_names_differ_only_in_case_is_refused() {
    let yaml = "name: p\ndescription: d\nroster:\n  models:\n    - {name: A, base: 'llama3.2:1b', role: r}\n    - {name: a, base: 'qwen2.5:0.5b', role: r}\n";
    let emu = Emulator::new();
    Provision::new()
        .device(Device::DESKTOP)
        .emulator(&emu)
        .profile(yaml)
        .arg("auto")
        .run()
        .code(1)
        .one_error_line(&["roster models 'A' and 'a' are the same model to Ollama"]);
    assert_eq!(emu.log().len(), 0, "no ollama call ran");
}

#[test]
fn model_arguments_that_differ_only_in_case_are_refused() {
    Provision::new()
        .device(Device::DESKTOP)
        .args(["plan", "qwen2.5:7b", "QWEN2.5:7B"])
        .run()
        .code(2)
        .one_error_line(&["MODEL arguments 'qwen2.5:7b' and 'QWEN2.5:7B'"]);
}
