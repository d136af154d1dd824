//! Input files: a BOM at the top of a profile, and files that are not regular or
//! are too large to be a profile or a template.

use super::{mkfifo, run_within};
use crate::support::{Device, Provision};
use std::time::Duration;

const PROFILE: &str =
    "name: p\ndescription: d\nroster:\n  models:\n    - {name: a, base: 'llama3.2:1b', role: r}\n";

#[test]
fn a_profile_starting_with_a_utf8_bom_reads_as_without_one() {
    Provision::new()
        .device(Device::DESKTOP)
        .profile(&format!("\u{feff}{PROFILE}"))
        .arg("plan")
        .run()
        .code(0)
        .stdout_has("llama3.2:1b");
}

#[test]
fn a_device_as_profile_is_one_line_without_reading_it() {
    let run = run_within(
        Provision::new().args(["--profile", "/dev/zero", "plan"]),
        Duration::from_secs(10),
    );
    run.code(1).one_error_line(&[
        "could not read profile /dev/zero",
        "not a regular file (a character device)",
    ]);
}

#[test]
fn a_named_pipe_as_profile_or_template_does_not_block() {
    let provision = Provision::new().device(Device::DESKTOP);
    let pipe = provision.home().join("p.yaml");
    mkfifo(&pipe);
    let run = run_within(
        provision.args(["--profile", &pipe.display().to_string(), "plan"]),
        Duration::from_secs(10),
    );
    run.code(1)
        .one_error_line(&["p.yaml", "not a regular file (a named pipe)"]);

    let provision = Provision::new().device(Device::DESKTOP);
    let templates = provision.home().join("templates");
    std::fs::create_dir(&templates).unwrap();
    mkfifo(&templates.join("Modelfile.tera"));
    let dir = templates.display().to_string();
    let run = run_within(
        provision.args(["--templates", &dir, "modelfile", "llama3.2:1b"]),
        Duration::from_secs(10),
    );
    run.code(1)
        .one_error_line(&["Modelfile.tera", "not a regular file (a named pipe)"]);
}

#[test]
fn a_profile_larger_than_a_mebibyte_is_refused() {
    let huge = format!("{PROFILE}# {}\n", "x".repeat(1 << 20));
    Provision::new()
        .profile(&huge)
        .arg("plan")
        .run()
        .code(1)
        .one_error_line(&["could not read profile", "larger than 1.0 MiB"]);
}
