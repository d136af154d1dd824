//! The Ansible collection `provision.ollama` with real ansible-core (installed by
//! `ansible/tests/setup.sh` into a cache folder) against the ollama emulator: the
//! role installs provision and creates the models (changed), a second run changes
//! nothing, check mode changes nothing and says what would, bad input and a failing
//! create fail their task with provision's line; the server settings are applied
//! to a fake root's ollama service (`changed` when only they changed);
//! `ansible-doc` renders the module and the role; the example fleet's inventory
//! and playbook are valid.

#[path = "ansible/support.rs"]
mod ansible_support;

use self::ansible_support::{
    Ansible, Played, REPO, argument_spec, json_of, map, statuses, store, verbs_after,
};
use crate::support::Emulator;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The role's task that runs the module.
const MODULE: &str = "provision.ollama.provision : Provision the Ollama models";

/// The `test_*` variables of the playbooks in `ansible/tests/playbooks`.
fn write_vars(ansible: &Ansible, emu: &Emulator, failing: &Emulator) {
    use sha2::Digest;
    let binary = env!("CARGO_BIN_EXE_provision");
    let sha256 = sha2::Sha256::digest(std::fs::read(binary).unwrap());
    let vars = json!({
        "test_dir": ansible.dir.path(),
        "test_binary": binary,
        "test_binary_sha256": sha256.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "test_state": emu.state.path(),
        "test_failing_state": failing.state.path(),
        "test_repo": REPO,
        "test_fake_cargo": format!("{REPO}/ansible/tests/bin/cargo"),
        "ansible_python_interpreter": ansible.bin.join("python"),
    });
    std::fs::write(ansible.path("vars.json"), vars.to_string()).unwrap();
}

#[test]
fn role_changes_then_is_ok_and_the_module_is_honest_in_check_mode_and_on_failure() {
    let Some(ansible) = Ansible::find(
        "role_changes_then_is_ok_and_the_module_is_honest_in_check_mode_and_on_failure",
    ) else {
        return;
    };
    let (emu, failing) = (Emulator::new(), Emulator::new());
    write_vars(&ansible, &emu, &failing);
    first_run_installs_and_creates(&ansible);
    assert_eq!(
        ansible.systemd.changes(),
        ["daemon-reload", "restart ollama"]
    );
    let calls = emu.calls().len();
    second_run_changes_nothing(&ansible);
    assert!(
        verbs_after(&emu, calls)
            .iter()
            .all(|v| v == "list" || v == "-v" || v == "show")
    );

    let (before, calls) = (store(&emu), emu.calls().len());
    let played = ansible.playbook("module.yml", &["--diff"]);
    assert!(before == store(&emu), "check mode changed the model store");
    let verbs = verbs_after(&emu, calls);
    assert!(
        verbs
            .iter()
            .all(|v| v == "list" || v == "-v" || v == "show"),
        "{verbs:?}"
    );
    check_mode_is_honest(&played);
    bad_input_and_a_failing_create_fail_their_task(&played, &failing);
    cargo_reinstalls_when_the_version_differs(&ansible, &played);
    role_in_check_mode_installs_nothing(&ansible, &played);
    assert_eq!(
        ansible.systemd.changes().len(),
        2,
        "only the first run applied"
    );
    changed_server_settings_alone_are_a_change(&ansible);
}

/// Someone edits the drop-in and restarts the server: with every model in
/// place, the role's task is still `changed`, because the settings were put back.
fn changed_server_settings_alone_are_a_change(ansible: &Ansible) {
    let fake = &ansible.systemd;
    let written = fake.drop_in().expect("the drop-in");
    let edited = written.replace("OLLAMA_NUM_PARALLEL=1", "OLLAMA_NUM_PARALLEL=4");
    assert_ne!(edited, written);
    fake.write(crate::support::systemd::DROP_IN, &edited);
    fake.systemctl(&["daemon-reload"]);
    fake.systemctl(&["restart", "ollama"]);
    let played = ansible.playbook("role.yml", &[]);
    let module = &played.task(MODULE)["result"];
    assert_eq!(module["changed"], true);
    assert_eq!(
        statuses(module),
        map(&[("small", "unchanged"), ("tiny", "unchanged")])
    );
    let server = &module["report"]["server_env"];
    assert_eq!(server["status"], "applied", "{server}");
    assert_eq!(server["reason"], "OLLAMA_NUM_PARALLEL 4 → 1");
    assert_eq!(fake.drop_in().unwrap(), written);
    assert_eq!(fake.server_env()["OLLAMA_NUM_PARALLEL"], "1");
}

fn first_run_installs_and_creates(ansible: &Ansible) {
    let played = ansible.playbook("role.yml", &[]);
    assert!(
        played.stats["changed"].as_u64().unwrap() > 0,
        "{}",
        played.stats
    );
    let module = &played.task(MODULE)["result"];
    assert_eq!(module["changed"], true);
    assert_eq!(module["report"]["mode"], "run");
    let server = &module["report"]["server_env"];
    assert_eq!(
        (&server["mode"], &server["status"], &server["changed"]),
        (&json!("apply"), &json!("applied"), &json!(true)),
        "{server}"
    );
    assert_eq!(
        statuses(module),
        map(&[("small", "created"), ("tiny", "created")])
    );
    for task in [
        "Copy provision when its checksum differs",
        "Download provision when its checksum differs",
        "Install provision with cargo (missing, or another version)",
    ] {
        let result = &played.task(&format!("provision.ollama.provision : {task}"))["result"];
        assert_eq!(result["changed"], true, "{task}: {result}");
    }
    let built = std::fs::read(env!("CARGO_BIN_EXE_provision")).unwrap();
    for installed in ["path/provision", "url/provision", "cargo/bin/provision"] {
        assert!(
            std::fs::read(ansible.path(installed)).unwrap() == built,
            "{installed}"
        );
    }
    let cargo = std::fs::read_to_string(ansible.path("cargo.log")).unwrap();
    let root = ansible.path("cargo");
    assert_eq!(
        cargo,
        format!(
            "install --locked --force --root {} --path {REPO}\n",
            root.display()
        )
    );
}

fn second_run_changes_nothing(ansible: &Ansible) {
    let played = ansible.playbook("role.yml", &[]);
    assert_eq!(played.stats["changed"], 0, "{:#?}", played.names());
    assert_eq!(played.stats["failures"], 0);
    let module = &played.task(MODULE)["result"];
    assert_eq!(module["changed"], false);
    assert_eq!(
        statuses(module),
        map(&[("small", "unchanged"), ("tiny", "unchanged")])
    );
    let server = &module["report"]["server_env"];
    assert_eq!(
        (&server["status"], &server["changed"]),
        (&json!("unchanged"), &json!(false))
    );
    let cargo = std::fs::read_to_string(ansible.path("cargo.log")).unwrap();
    assert_eq!(cargo.lines().count(), 1, "cargo ran again: {cargo}");
}

fn check_mode_is_honest(played: &Played) {
    let same = &played.task("Check an unchanged profile")["result"];
    assert_eq!((&same["changed"], &same["rc"]), (&json!(false), &json!(0)));
    assert_eq!(same["report"]["mode"], "check");
    assert_eq!(same["diff"], json!([]));

    let changed = &played.task("Check a changed profile")["result"];
    assert_eq!(
        (&changed["changed"], &changed["rc"]),
        (&json!(true), &json!(3))
    );
    assert_eq!(played.task("Check a changed profile")["status"], "ok");
    let planned = [
        ("extra", "planned"),
        ("small", "planned"),
        ("tiny", "planned"),
    ];
    assert_eq!(statuses(changed), map(&planned));
    let diff = |name: &str, before: &str, after: &str| {
        json!({"before_header": format!("{name} (installed)"),
               "after_header": format!("{name} (would change)"),
               "before": before, "after": after})
    };
    assert_eq!(
        changed["diff"],
        json!([
            diff(
                "small",
                "system unset\nnum_ctx 2048\n",
                "system \"Be brief; really → short.\"\nnum_ctx 1024\n"
            ),
            diff("tiny", "num_ctx 2048\n", "num_ctx 1024\n"),
            diff(
                "extra",
                "",
                "model: extra\nbase: qwen2.5:1.5b\ntag: qwen2.5:1.5b-instruct-q8_0\nquantization: Q8_0\n"
            ),
            // The largest planned context becomes the server's default.
            json!({"prepared": "server environment: OLLAMA_CONTEXT_LENGTH 2048 → 1024\n"}),
        ])
    );
}

fn bad_input_and_a_failing_create_fail_their_task(played: &Played, failing: &Emulator) {
    let bad = played.task("A bad device override");
    assert_eq!(bad["status"], "failed");
    let msg = bad["result"]["msg"].as_str().unwrap();
    assert!(
        msg.starts_with("provision: invalid value 'lots' for '--ram <SIZE>'"),
        "{msg}"
    );
    assert_eq!(bad["result"]["rc"], 2);
    assert!(bad["result"].get("report").is_none());

    let create = played.task("A create that fails");
    assert_eq!(create["status"], "failed");
    let result = &create["result"];
    let msg = result["msg"].as_str().unwrap();
    // The emulator's create failure is a 500: the server's own failure.
    assert!(
        msg.starts_with("tiny: the Ollama server failed while answering"),
        "{msg}"
    );
    assert!(
        msg.contains("could not create model tiny: ") && msg.ends_with("emulated create failure)"),
        "{msg}"
    );
    // `small` was created before `tiny` failed: the task changed the host.
    assert_eq!(result["changed"], true);
    assert_eq!(
        statuses(result),
        map(&[("small", "created"), ("tiny", "failed")])
    );
    let list = failing.run(&["list"]).stdout;
    let names: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert!(
        names.contains(&"small:latest") && !names.contains(&"tiny:latest"),
        "{list}"
    );
}

fn cargo_reinstalls_when_the_version_differs(ansible: &Ansible, played: &Played) {
    let cargo = std::fs::read_to_string(ansible.path("cargo.log")).unwrap();
    assert_eq!(cargo.lines().count(), 2, "{cargo}");
    let check =
        played.task("provision.ollama.provision : Check that cargo installed the version wanted");
    assert_eq!(check["status"], "failed");
    let msg = check["result"]["msg"].as_str().unwrap();
    assert!(
        msg.contains("not the version wanted (0.0.1-wanted)"),
        "{msg}"
    );
}

#[test]
fn ansible_doc_renders_the_module_and_the_role() {
    let Some(ansible) = Ansible::find("ansible_doc_renders_the_module_and_the_role") else {
        return;
    };
    let mut command = ansible.command("ansible-doc");
    command.args(["--json", "-t", "module", "provision.ollama.provision"]);
    let doc = &json_of(command)["provision.ollama.provision"];
    let options = doc["doc"]["options"].as_object().expect("options");
    let documented: BTreeMap<String, String> = (options.iter())
        .map(|(name, o)| {
            (
                name.clone(),
                o["type"].as_str().unwrap_or("str").to_string(),
            )
        })
        .collect();
    assert_eq!(documented, argument_spec());
    assert_eq!(doc["doc"]["attributes"]["check_mode"]["support"], "full");
    assert_eq!(doc["doc"]["attributes"]["diff_mode"]["support"], "full");
    assert!(
        doc["examples"]
            .as_str()
            .unwrap()
            .contains("provision.ollama.provision:")
    );
    assert_eq!(doc["return"]["report"]["type"], "dict");

    // Every role default is documented with the same default in meta/argument_specs.yml.
    let mut command = ansible.command("ansible-doc");
    command.args(["--json", "-t", "role", "provision.ollama.provision"]);
    let role = json_of(command);
    let specs = &role["provision.ollama.provision"]["entry_points"]["main"]["options"];
    let path = format!(
        "{REPO}/ansible/collections/ansible_collections/provision/ollama/roles/provision/defaults/main.yml"
    );
    let defaults: BTreeMap<String, Value> =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (name, value) in &defaults {
        assert_eq!(&specs[name]["default"], value, "{name}");
    }
    let undocumented: Vec<&String> = (specs.as_object().unwrap().keys())
        .filter(|k| !defaults.contains_key(*k) && specs[*k].get("default").is_some())
        .collect();
    assert!(undocumented.is_empty(), "{undocumented:?}");
}

/// The device each group of the example stands for, as overrides.
fn group_device(group: &str) -> [&'static str; 3] {
    match group {
        "gpu_servers" => ["64GiB", "24GiB", "16"],
        "workstations" => ["32GiB", "0", "8"],
        "edge_devices" => ["8GiB", "0", "4"],
        other => panic!("a group the test does not know: {other}"),
    }
}

#[test]
fn example_fleet_gives_each_group_a_profile_that_fits() {
    let Some(ansible) = Ansible::find("example_fleet_gives_each_group_a_profile_that_fits") else {
        return;
    };
    let examples = format!("{REPO}/ansible/examples");
    // The examples' own ansible.cfg names the inventory and the collection path.
    let mut command = ansible.command("ansible-playbook");
    command
        .env_remove("ANSIBLE_COLLECTIONS_PATH")
        .current_dir(&examples);
    let syntax = command
        .args(["--syntax-check", "site.yml"])
        .output()
        .unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    let mut command = ansible.command("ansible-inventory");
    command
        .env_remove("ANSIBLE_COLLECTIONS_PATH")
        .current_dir(&examples)
        .arg("--list");
    let inventory = json_of(command);
    let mut profiles = Vec::new();
    for group in ["gpu_servers", "workstations", "edge_devices"] {
        for host in inventory[group]["hosts"].as_array().expect(group) {
            let vars = &inventory["_meta"]["hostvars"][host.as_str().unwrap()];
            profiles.push(plan_host(&ansible, vars, group_device(group)));
        }
    }
    let expected = ["team-gpu", "team-gpu", "coder", "coder", "edge", "edge"];
    assert_eq!(profiles, expected);
}

/// Before provision is installed, check mode would copy it and cannot plan: the
/// module task is skipped and says so.
fn role_in_check_mode_installs_nothing(ansible: &Ansible, played: &Played) {
    let copy = played.task("provision.ollama.provision : Copy provision when its checksum differs");
    assert_eq!(copy["result"]["changed"], true);
    assert!(!ansible.path("fresh/provision").exists());
    let module = &played.skipped(MODULE)["result"];
    let msg = module["msg"].as_str().unwrap();
    assert!(
        msg.contains("check mode cannot tell which models would change"),
        "{msg}"
    );
}

/// `provision plan --json` for one host's variables; asserts every model fits.
fn plan_host(ansible: &Ansible, vars: &Value, device: [&str; 3]) -> String {
    let text = |name: &str, default: &str| match &vars[name] {
        Value::Null => default.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let profile = match &vars["provision_profile_content"] {
        Value::Object(_) => {
            let path = ansible.path("profile.yaml");
            std::fs::write(&path, vars["provision_profile_content"].to_string()).unwrap();
            path.display().to_string()
        }
        _ => text("provision_profile", "default"),
    };
    let mut run = crate::support::Provision::new().args(["plan", "--json", "--profile", &profile]);
    run = run.args(["--ram", &text("provision_ram", device[0])]);
    run = run.args(["--vram", &text("provision_vram", device[1])]);
    run = run.args(["--cores", &text("provision_cores", device[2])]);
    if !vars["provision_tier"].is_null() {
        run = run.args(["--tier", &text("provision_tier", "")]);
    }
    let plan = run.run().code(0).json();
    for model in plan["models"].as_array().unwrap() {
        assert_eq!(model["fits"], true, "{profile}: {}", model["reason"]);
    }
    assert_ne!(plan["roster"]["fits"], false, "{}", plan["roster"]);
    plan["profile"].as_str().unwrap().to_string()
}
