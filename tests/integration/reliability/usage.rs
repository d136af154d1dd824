//! Usage errors: one line that names the argument, exit 2.

use crate::support::Provision;

#[test]
fn a_missing_argument_is_named_on_one_line() {
    for (command, argument) in [
        ("modelfile", "<MODEL>"),
        ("optimize", "<MODEL>"),
        ("list-quants", "<MODEL>"),
        ("completions", "<SHELL>"),
    ] {
        let expected =
            format!("provision: the following required arguments were not provided: {argument}\n");
        Provision::new()
            .arg(command)
            .run()
            .code(2)
            .stderr_is(&expected);
    }
}

#[test]
fn a_negative_size_names_its_flag() {
    for args in [&["--ram", "-1", "plan"][..], &["plan", "--ram", "-1"]] {
        Provision::new()
            .args(args.iter().copied())
            .run()
            .code(2)
            .one_error_line(&["invalid value '-1' for '--ram <SIZE>'", "is not a size"]);
    }
    Provision::new()
        .args(["plan", "-1"])
        .run()
        .code(2)
        .one_error_line(&["unexpected argument '-1' found", "use '-- -1'"]);
}
