//! `provision profiles`: built-ins, user profiles that override them, selection and errors.

use crate::support;

use std::path::Path;
use support::Provision;

const MINE: &str = "name: coder\ndescription: My own coder\nroster:\n  models:\n    - {name: c, base: 'qwen2.5-coder:7b', role: r}\n";

fn user_profile(run: &Provision, file: &str, text: &str) -> std::path::PathBuf {
    let dir = run.home().join(".config/provision/profiles");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

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
    assert!(run.stdout.contains("75% of cores"));
}

#[test]
fn a_user_profile_overrides_the_builtin_and_says_so() {
    let provision = Provision::new();
    let path = user_profile(&provision, "coder.yaml", MINE);
    let run = provision
        .args(["profiles", "--json"])
        .env("PROVISION_PROFILE", "coder")
        .run()
        .code(0);
    let json = run.json();
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
fn a_broken_user_profile_fails_with_file_line_and_column() {
    let provision = Provision::new();
    let text = MINE.replace("role: r}", "role: r, colour: red}");
    let path = user_profile(&provision, "coder.yaml", &text);
    let run = provision.arg("profiles").run().code(1);
    let place = format!("{}:5:", path.display());
    run.one_error_line(&[&place, "unknown field `colour`"]);
}

#[test]
fn an_unknown_profile_is_a_usage_error() {
    let run = Provision::new()
        .args(["profiles", "--profile", "nope"])
        .run()
        .code(2);
    run.one_error_line(&["unknown profile 'nope'", "coder, default, edge, syndicate"]);
}

#[test]
fn a_profile_given_by_path_is_listed_and_selected() {
    let provision = Provision::new();
    let path = provision.home().join("team.yaml");
    std::fs::write(&path, MINE.replace("name: coder", "name: team")).unwrap();
    let run = provision
        .args(["profiles", "--profile", path.to_str().unwrap()])
        .run()
        .code(0);
    assert!(run.stdout.contains("* team       file"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("team: {}", Path::new(&path).display()))
    );
}
