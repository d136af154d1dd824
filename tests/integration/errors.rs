//! Every `ollama` failure class a `provision` command can meet, through the built
//! binary against the emulator: one `provision: …` line that says what to do, and
//! exit 1. (Classes that `provision`'s own validation stops before `ollama` runs —
//! invalid names, unknown parameters, bad values, unsupported or impossible
//! `--quantize` requests — are covered at the wrapper level in
//! `ollama_wrapper`, and the validation itself in `plan`.)

use crate::support::{Device, Emulator, Provision};

/// `provision ARGS` with this emulator first on PATH on the desktop device.
fn provision(emu: &Emulator, args: &[&str]) -> Provision {
    Provision::new()
        .emulator(emu)
        .device(Device::DESKTOP)
        .args(args.iter().copied())
}

#[test]
fn a_missing_ollama_says_how_to_install_it() {
    // A PATH with nothing on it, so a real ollama on this machine is not found.
    let empty = tempfile::tempdir().unwrap();
    Provision::new()
        .env("PATH", empty.path().display().to_string())
        .args(["auto"])
        .run()
        .code(1)
        .one_error_line(&["could not find `ollama` on PATH", "OLLAMA_BIN"]);
    Provision::new()
        .args(["--ollama", "/nonexistent/ollama", "auto"])
        .run()
        .code(1)
        .one_error_line(&["/nonexistent/ollama", "--ollama or OLLAMA_BIN"]);
}

#[test]
fn a_stopped_server_is_one_line_in_every_era() {
    for era in ["current", "v0.12", "v0.5", "v0.3"] {
        let emu = Emulator::new().fault("server-down").era(era);
        for command in [&["auto"][..], &["optimize", "llama3.2:1b"][..]] {
            provision(&emu, command)
                .run()
                .code(1)
                .one_error_line(&["the Ollama server is not running", "ollama serve"]);
        }
    }
}

#[test]
fn a_hung_server_times_out_instead_of_hanging() {
    let emu = Emulator::new().fault("hang");
    let started = std::time::Instant::now();
    provision(&emu, &["--timeout", "1", "auto"])
        .run()
        .code(1)
        .one_error_line(&["timed out after 1s", "ollama list", "is the server hung?"]);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

#[test]
fn a_model_that_is_not_installed_is_named() {
    // The MODEL typed names nothing Ollama holds: a usage error, as everywhere.
    provision(&Emulator::new(), &["optimize", "llama3.2:1b"])
        .run()
        .code(2)
        .one_error_line(&["llama3.2:1b", "is not installed", "ollama pull"]);
}

/// Per-model failures of `auto` are one `provision: <model>: …` line each on
/// stderr (the summary table goes to stdout) and exit 1.
fn failed_auto_line(emu: &Emulator, model: &str, fragments: &[&str]) {
    let run = provision(emu, &["auto", model]).run().code(1);
    // Warnings (the server settings cannot be applied in the sealed root) are not failures.
    let errors: Vec<&str> = (run.error_lines().into_iter())
        .filter(|line| !line.starts_with("provision: warning: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    for fragment in fragments {
        assert!(
            errors[0].contains(fragment),
            "{fragment:?} not in {}",
            errors[0]
        );
    }
    run.stdout_has("FAILED");
}

#[test]
fn a_tag_missing_from_the_registry_is_one_line() {
    // The emulator's small library has no mistral; the catalog does.
    failed_auto_line(
        &Emulator::new(),
        "mistral:7b",
        &[
            "the registry has no such model or tag",
            "pull model manifest: file does not exist",
        ],
    );
}

#[test]
fn a_full_disk_is_one_line() {
    failed_auto_line(
        &Emulator::new().fault("disk-full"),
        "llama3.2:1b",
        &[
            "disk holding the Ollama model store is full",
            "no space left on device",
        ],
    );
}

#[test]
fn a_failing_create_is_one_line() {
    failed_auto_line(
        &Emulator::new().fault("create-fails"),
        "llama3.2:1b",
        &[
            "could not create model provision/llama3.2:1b",
            "exited with code 1",
        ],
    );
}

#[test]
fn bad_profiles_fail_before_ollama_is_ever_called() {
    let emu = Emulator::new();
    let cases = [
        (
            "unknown-param.yaml",
            "parameters: {Temperature: 1}",
            "unknown parameter 'Temperature'",
        ),
        ("bad-key.yaml", "colour: red", "unknown field `colour`"),
    ];
    for (file, line, fragment) in cases {
        let text = format!(
            "name: x\ndescription: y\n{line}\nroster:\n  models:\n    - {{name: a, base: 'llama3.2:1b', role: r}}\n"
        );
        provision(&emu, &[])
            .profile_named(file, &text)
            .arg("auto")
            .run()
            .code(1)
            .one_error_line(&[file, ":3:", fragment]);
    }
    assert!(emu.log().is_empty(), "{:?}", emu.log());
}
