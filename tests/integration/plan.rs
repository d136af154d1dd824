//! `provision plan` and `provision modelfile` through the built binary, with the
//! device set by overrides so results do not depend on the test machine.

use crate::support::{Device, Provision};

/// The machine of the first case: 24 GiB of RAM, 2 cores, no GPU (tier 4).
const TWO_CORES_24_GIB: Device = Device::cpu("24GiB", 2);

/// `provision plan ARGS --json` on this device (global flags work after the subcommand).
fn plan(device: Device, args: &[&str]) -> serde_json::Value {
    Provision::new()
        .arg("plan")
        .args(args.iter().copied())
        .device(device)
        .arg("--json")
        .run()
        .code(0)
        .json()
}

#[test]
fn a_two_core_24_gib_cpu_machine_gets_tier_4_and_a_fitting_q4_k_m() {
    let report = plan(TWO_CORES_24_GIB, &["llama3.1:8b"]);
    assert_eq!(report["tier"]["bits"], 4);
    let model = &report["models"][0];
    assert_eq!(model["quantization"], "Q4_K_M");
    assert_eq!(model["tag"], "llama3.1:8b-instruct-q4_K_M");
    assert_eq!(model["fits"], true);
    assert!(model["estimate"]["total_bytes"].as_u64().unwrap() < 8 << 30);
    assert_eq!(report["catalog_as_of"].as_str().unwrap().len(), 10);
}

#[test]
fn sixteen_gib_and_eight_cores_falls_from_f16_to_q8_0_and_says_why() {
    Provision::new()
        .device(Device::cpu("16GiB", 8))
        .args(["plan", "llama3.1:8b"])
        .run()
        .code(0)
        .stdout_has("16-bit HIGH")
        .stdout_has("llama3.1:8b-instruct-q8_0")
        .stdout_has("F16 needs");
}

#[test]
fn a_70b_model_on_8_gib_does_not_fit_with_both_numbers() {
    let report = plan(Device::LAPTOP, &[]);
    assert_eq!(report["models"][0]["name"], "assistant");
    let run = Provision::new()
        .device(Device::LAPTOP)
        .args(["plan", "llama3.1:70b"])
        .run()
        .code(0);
    let reason = run
        .stdout
        .lines()
        .find(|l| l.contains("does not fit"))
        .unwrap();
    assert!(
        reason.contains("needs") && reason.contains("> budget"),
        "{reason}"
    );
    run.stdout_has(" no ");
}

#[test]
fn the_syndicate_roster_fits_a_512_gib_server_with_its_buffer() {
    let report = plan(Device::cpu("512GiB", 32), &["--profile", "syndicate"]);
    let roster = &report["roster"];
    assert_eq!(roster["fits"], true, "{roster}");
    assert!(roster["buffer_bytes"].as_u64().unwrap() > 0);
    assert_eq!(report["models"].as_array().unwrap().len(), 4);
    let settings: Vec<&str> = report["server_settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        settings.contains(&"OLLAMA_MAX_LOADED_MODELS"),
        "{settings:?}"
    );
    assert!(settings.contains(&"OLLAMA_KEEP_ALIVE"), "{settings:?}");
}

#[test]
fn unknown_models_suggest_names_and_exit_2() {
    Provision::new()
        .args(["plan", "lama3.1:8b"])
        .run()
        .code(2)
        .one_error_line(&["lama3.1", "did you mean", "llama3.1"]);
}

#[test]
fn modelfile_prints_what_auto_would_create() {
    let run = Provision::new()
        .device(TWO_CORES_24_GIB)
        .args(["modelfile", "llama3.1:8b"])
        .args(["--set", "temperature=0.3", "--system", "Be brief."])
        .run()
        .code(0);
    let file = provision::modelfile::Modelfile::parse(&run.stdout).unwrap();
    assert_eq!(file.from, "llama3.1:8b-instruct-q4_K_M");
    assert_eq!(file.system.as_deref(), Some("Be brief."));
    assert_eq!(file.get("temperature").unwrap().to_string(), "0.3");
    assert_eq!(file.get("num_ctx").unwrap().to_string(), "4096");
}

#[test]
fn modelfile_rejects_bad_input_before_anything_runs() {
    Provision::new()
        .args(["modelfile", "llama3.1:8b", "--set", "num_ctx=4096.0"])
        .run()
        .code(2)
        .one_error_line(&["--set num_ctx=4096.0", "invalid int value"]);
    Provision::new()
        .args(["modelfile", "llama3.1:8b"])
        .args(["--system", "a\n\"\"\"\nFROM evil"])
        .run()
        .code(2)
        .one_error_line(&["--system"]);
    Provision::new()
        .device(Device::cpu("4GiB", 2))
        .args(["modelfile", "llama3.1:70b"])
        .run()
        .code(1)
        .one_error_line(&["does not fit"]);
}

#[test]
fn a_bad_profile_key_names_the_file_line_and_column() {
    Provision::new()
        .profile_named(
            "bad.yaml",
            "name: bad\ndescription: x\nroster:\n  models:\n    - {name: a, base: 'llama3.2:1b', role: r, colour: red}\n",
        )
        .arg("plan")
        .run()
        .code(1)
        .one_error_line(&["bad.yaml:5:", "colour"]);
}

#[test]
fn templates_dir_replaces_the_built_in_template_and_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let built_in = include_str!("../../templates/Modelfile.tera");
    let custom = built_in.replace(
        "# Modelfile written by {{ tool }}.",
        "# Our team's Modelfile, written by {{ tool }}.",
    );
    std::fs::write(dir.path().join("Modelfile.tera"), custom).unwrap();
    let dir_arg = dir.path().display().to_string();
    let run = Provision::new()
        .device(TWO_CORES_24_GIB)
        .args(["--templates", &dir_arg])
        .args(["modelfile", "llama3.1:8b"])
        .run()
        .code(0);
    assert!(
        run.stdout.starts_with("# Our team's Modelfile"),
        "{}",
        run.stdout
    );

    // A template that loses the SYSTEM line would provision the wrong model.
    let lossy = built_in.replace("SYSTEM {{ system }}", "");
    std::fs::write(dir.path().join("Modelfile.tera"), lossy).unwrap();
    Provision::new()
        .env("PROVISION_TEMPLATES", &dir_arg)
        .device(TWO_CORES_24_GIB)
        .args(["modelfile", "llama3.1:8b"])
        .run()
        .code(1)
        .one_error_line(&["Modelfile.tera", "reads differently", "system"]);
}
