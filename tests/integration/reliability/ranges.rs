//! Parameter values outside what Ollama does with them are refused where they are
//! read: in a profile with file:line:col, on the command line as a usage error.

use crate::support::{Device, Provision};

fn profile_with(parameters: &str) -> String {
    format!(
        "name: p\ndescription: d\nparameters: {parameters}\nroster:\n  models:\n    - {{name: a, base: 'llama3.2:1b', role: r}}\n"
    )
}

#[test]
fn a_profile_parameter_out_of_range_is_named_with_its_place() {
    let cases = [
        (
            "{num_ctx: 0}",
            ":3:23: parameters.num_ctx: parameter num_ctx must be at least 4, not 0",
        ),
        (
            "{num_ctx: -5}",
            ":3:23: parameters.num_ctx: parameter num_ctx must be at least 4, not -5",
        ),
        (
            "{num_thread: -2}",
            ":3:26: parameters.num_thread: parameter num_thread must be at least 0",
        ),
        (
            "{top_p: 1.5}",
            ":3:21: parameters.top_p: parameter top_p must be from 0 to 1",
        ),
        (
            "{temperature: .nan}",
            ":3:27: parameters.temperature: invalid value",
        ),
    ];
    for (parameters, expected) in cases {
        let provision = Provision::new().device(Device::DESKTOP);
        let file = provision.home().join("p.yaml").display().to_string();
        provision
            .profile_named("p.yaml", &profile_with(parameters))
            .arg("plan")
            .run()
            .code(1)
            .one_error_line(&[&format!("{file}{expected}")]);
    }
}

#[test]
fn a_set_value_out_of_range_is_a_usage_error() {
    for (set, expected) in [
        ("num_ctx=0", "parameter num_ctx must be at least 4, not 0"),
        (
            "num_thread=-1",
            "parameter num_thread must be at least 0, not -1",
        ),
        ("temperature=-1", "parameter temperature must be at least 0"),
    ] {
        Provision::new()
            .device(Device::DESKTOP)
            .args(["modelfile", "llama3.2:1b", "--set", set])
            .run()
            .code(2)
            .one_error_line(&[&format!("--set {set}: {expected}")]);
    }
}
