//! Failures of the Ollama server are said to be the server's, not blamed on the
//! Modelfile that was validated before it was handed over.

use crate::support::{Device, Emulator, Provision};

#[test]
fn a_server_that_dies_mid_create_is_not_a_modelfile_syntax_error() {
    let emu = Emulator::new().fault("create-crashes");
    let run = Provision::new()
        .device(Device::DESKTOP)
        .emulator(&emu)
        // `skip`: the server settings' own warning is not what is counted here.
        .args(["auto", "llama3.2:1b", "--server-env", "skip"])
        .run()
        .code(1)
        .stderr_lacks("syntax error");
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("the Ollama server failed") && errors[0].contains("unexpected EOF"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_create_cut_short_is_caught_where_the_old_client_exits_0() {
    // Before 0.30 the client never checks the stream's error and exits 0 without
    // `success` (api/client.go at v0.5.4, seen on the real 0.5.4): provision must not
    // take the exit code's word for it.
    let emu = Emulator::new().era("v0.5.4").fault("create-crashes");
    let run = Provision::new()
        .device(Device::DESKTOP)
        .emulator(&emu)
        .args(["auto", "llama3.2:1b", "--server-env", "skip", "--quiet"])
        .run()
        .code(1);
    run.one_error_line(&["could not create", "finished without reporting success"]);
}
