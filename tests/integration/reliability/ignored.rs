//! Options that do not apply are refused instead of silently ignored.

use crate::support::{Device, Provision};

#[test]
fn json_is_refused_where_there_is_no_json() {
    Provision::new()
        .device(Device::DESKTOP)
        .args(["modelfile", "llama3.2:1b", "--json"])
        .run()
        .code(2)
        .one_error_line(&["--json does not apply to `modelfile`"]);
    Provision::new()
        .args(["completions", "bash", "--json"])
        .run()
        .code(2)
        .one_error_line(&["--json does not apply to `completions`"]);
}

#[test]
fn a_templates_dir_without_the_template_is_an_error() {
    let provision = Provision::new().device(Device::DESKTOP);
    let dir = provision.home().join("templates");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.display().to_string();
    provision
        .args(["--templates", &dir, "modelfile", "llama3.2:1b"])
        .run()
        .code(1)
        .one_error_line(&[&dir, "it holds no Modelfile.tera"]);
}
