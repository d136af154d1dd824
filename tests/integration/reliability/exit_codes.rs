//! One exit-code rule: what was typed on the command line is wrong → 2, whatever
//! the command; the world is wrong (Ollama, a file, a fit) → 1.

use crate::support::{Device, Emulator, Provision};

#[test]
fn an_unknown_model_exits_2_in_every_command() {
    for command in ["plan", "list-quants", "modelfile"] {
        // No ollama on PATH (and the registry unreachable): the name is refused.
        Provision::new()
            .device(Device::DESKTOP)
            .args([command, "nosuchmodel"])
            .run()
            .code(2)
            .one_error_line(&["unknown model 'nosuchmodel'"]);
    }
    let emu = Emulator::new();
    // `auto` needs Ollama before it plans (a name the catalog does not know may be
    // in the registry or installed); with it there, the name is refused the same way.
    Provision::new()
        .device(Device::DESKTOP)
        .emulator(&emu)
        .args(["auto", "nosuchmodel"])
        .run()
        .code(2)
        .one_error_line(&["unknown model 'nosuchmodel'"]);
    Provision::new()
        .device(Device::DESKTOP)
        .emulator(&emu)
        .args(["optimize", "nosuchmodel"])
        .run()
        .code(2)
        .one_error_line(&["model `nosuchmodel:latest` is not installed"]);
    assert!(emu.log().iter().all(|call| call.verb() != "create"));
}

#[test]
fn a_set_value_that_is_not_a_number_exits_2_like_other_bad_sets() {
    for set in [
        "temperature=nan",
        "temperature=inf",
        "temperature=x",
        "num_ctx=4096.0",
    ] {
        Provision::new()
            .device(Device::DESKTOP)
            .args(["modelfile", "llama3.2:1b", "--set", set])
            .run()
            .code(2)
            .one_error_line(&[&format!("--set {set}: ")]);
    }
}
