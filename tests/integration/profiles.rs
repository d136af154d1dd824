//! `provision profiles`: built-ins, user profiles that override them, selection and errors.

use crate::support::Provision;

const MINE: &str = "name: coder\ndescription: My own coder\nroster:\n  models:\n    - {name: c, base: 'qwen2.5-coder:7b', role: r}\n";

/// Where a user profile lives, under the sealed HOME.
const USER_CODER: &str = ".config/provision/profiles/coder.yaml";

#[test]
fn lists_the_builtins_with_default_selected() {
    let run = Provision::new().arg("profiles").run().code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("  NAME"), "{}", run.stdout);
    let names: Vec<&str> = lines[1..5]
        .iter()
        .map(|l| l[2..].split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["coder", "default", "edge", "syndicate"]);
    assert!(
        lines[2].starts_with("* default    built-in"),
        "{}",
        run.stdout
    );
    run.stdout_has("75% of cores");
}

#[test]
fn a_user_profile_overrides_the_builtin_and_says_so() {
    let provision = Provision::new().write(USER_CODER, MINE);
    let path = provision.home().join(USER_CODER);
    let json = provision
        .args(["profiles", "--json"])
        .env("PROVISION_PROFILE", "coder")
        .run()
        .code(0)
        .json();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["selected"], "coder");
    let coder = &json["profiles"][0];
    assert_eq!(coder["source"], "user");
    assert_eq!(coder["overrides_builtin"], true);
    assert_eq!(coder["selected"], true);
    assert_eq!(coder["description"], "My own coder");
    assert_eq!(coder["path"], path.to_str().unwrap());
    assert_eq!(json["profiles"].as_array().unwrap().len(), 4);
}

#[test]
fn a_broken_user_profile_is_listed_with_file_line_and_column() {
    let text = MINE.replace("role: r}", "role: r, colour: red}");
    let provision = Provision::new().write(USER_CODER, &text);
    let place = format!("{}:5:", provision.home().join(USER_CODER).display());
    let run = provision.arg("profiles").run().code(0);
    run.stdout_has("  coder      user, overrides built-in       -  BROKEN: ")
        .stdout_has("* default    built-in")
        .one_error_line(&[
            "warning: profile coder cannot be used",
            &place,
            "unknown field `colour`",
        ]);
}

#[test]
fn a_broken_selected_profile_is_marked_and_the_others_still_listed() {
    let text = MINE.replace("role: r}", "role: r, colour: red}");
    let json = Provision::new()
        .write(USER_CODER, &text)
        .args(["profiles", "--profile", "coder", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(json["selected"], "coder");
    let coder = &json["profiles"][0];
    assert_eq!(coder["selected"], true);
    assert!(coder["models"].is_null() && coder["description"].is_null());
    assert!(
        coder["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );
    assert_eq!(json["profiles"].as_array().unwrap().len(), 4);
    assert!(json["profiles"][1]["error"].is_null());

    let provision = Provision::new().arg("profiles");
    let path = provision.home().join("team.yaml");
    let run = provision
        .profile_named("team.yaml", "name: team\n")
        .run()
        .code(0);
    run.stdout_has("* team       file           -  BROKEN: ")
        .stdout_has(&format!("team: {}", path.display()));
}

#[test]
fn an_unknown_profile_is_a_usage_error() {
    Provision::new()
        .args(["profiles", "--profile", "nope"])
        .run()
        .code(2)
        .one_error_line(&["unknown profile 'nope'", "coder, default, edge, syndicate"]);
}

#[test]
fn a_profile_given_by_path_is_listed_and_selected() {
    let provision = Provision::new().arg("profiles");
    let path = provision.home().join("team.yaml");
    provision
        .profile_named("team.yaml", &MINE.replace("name: coder", "name: team"))
        .run()
        .code(0)
        .stdout_has("* team       file")
        .stdout_has(&format!("team: {}", path.display()));
}
