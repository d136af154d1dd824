//! Input files: a BOM at the top of a profile, and files that are not regular or
//! are too large to be a profile or a template.

use crate::support::{Device, Provision};

const PROFILE: &str = "name: p\ndescription: d\nroster:\n  models:\n    - {name: a, base: 'llama3.2:1b', role: r}\n";

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
