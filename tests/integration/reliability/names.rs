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
