//! The Kubernetes recipe in `deploy/kubernetes/`: every manifest parses, the Job
//! and the ollama-helm hook Job run `provision auto --json` with the same image,
//! arguments and device overrides, their environment is documented, the profile in
//! the ConfigMaps plans with those overrides and fits, and the chart's `extraEnv`
//! is exactly the plan's server settings, as `plan --server-env-format helm` prints them.

use crate::support::Provision;
use serde::Deserialize;
use serde_yaml::Value;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kubernetes");
const IMAGE: &str = concat!("registry.example.com/provision:", env!("CARGO_PKG_VERSION"));

/// Every YAML document of a file of the recipe.
fn documents(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(Path::new(DIR).join(name)).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// The objects of the recipe: the plain manifests, then the chart's extraObjects.
fn objects() -> (Vec<Value>, Vec<Value>) {
    let mut plain = Vec::new();
    for name in ["profile-configmap.yaml", "job.yaml"] {
        plain.extend(documents(name));
    }
    let values = &documents("helm-values.yaml")[0];
    let helm = values["extraObjects"]
        .as_sequence()
        .expect("extraObjects")
        .clone();
    for object in plain.iter().chain(&helm) {
        assert!(object["apiVersion"].is_string(), "{object:?}");
        assert!(object["metadata"]["name"].is_string(), "{object:?}");
    }
    (plain, helm)
}

fn of_kind<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = objects.iter().filter(|o| o["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind}");
    found[0]
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value:?}"))
}

/// The `name=value` pairs of a container's env.
fn env(container: &Value) -> Vec<(String, String)> {
    let pairs = container["env"].as_sequence().expect("env");
    pairs
        .iter()
        .map(|e| (text(&e["name"]).into(), text(&e["value"]).into()))
        .collect()
}

fn env_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    let found = pairs.iter().find(|(n, _)| n == name);
    &found.unwrap_or_else(|| panic!("no {name} in {pairs:?}")).1
}

/// The Job's `provision` container, checked: image, command, `auto --json`, the
/// profile mounted from the ConfigMap `configmap`, and an init container that waits.
fn provision_container<'a>(job: &'a Value, configmap: &str) -> &'a Value {
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    assert!(job["spec"]["backoffLimit"].as_u64().is_some());
    let container = &pod["containers"][0];
    assert_eq!(container["name"], "provision");
    assert_eq!(text(&container["image"]), IMAGE);
    assert_eq!(container["command"][0], "/usr/local/bin/provision");
    let args: Vec<&str> = container["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert_eq!(args[..2], ["auto", "--json"]);
    let profile = args
        .iter()
        .position(|a| *a == "--profile")
        .map(|i| args[i + 1])
        .unwrap();
    let mounts = container["volumeMounts"].as_sequence().unwrap();
    let mount = (mounts.iter())
        .find(|m| profile.starts_with(text(&m["mountPath"])))
        .expect("the profile's mount");
    let volume = (pod["volumes"].as_sequence().unwrap().iter())
        .find(|v| v["name"] == mount["name"])
        .expect("the profile's volume");
    assert_eq!(text(&volume["configMap"]["name"]), configmap);
    assert!(profile.ends_with("/profile.yaml"), "{profile}");

    let wait = &pod["initContainers"][0];
    assert_eq!(text(&wait["image"]), IMAGE);
    let script = text(&wait["args"][0]);
    assert!(
        script.contains("ollama list") && script.contains("exit 1"),
        "{script}"
    );
    assert_eq!(
        env_value(&env(wait), "OLLAMA_HOST"),
        env_value(&env(container), "OLLAMA_HOST")
    );
    container
}

#[test]
fn the_job_and_the_helm_hook_job_run_provision_auto_json_alike() {
    let (plain, helm) = objects();
    let job = of_kind(&plain, "Job");
    let configmap = text(&of_kind(&plain, "ConfigMap")["metadata"]["name"]);
    let container = provision_container(job, configmap);
    let hook = of_kind(&helm, "Job");
    let hook_configmap = text(&of_kind(&helm, "ConfigMap")["metadata"]["name"]);
    let hook_container = provision_container(hook, hook_configmap);

    let hooks = text(&hook["metadata"]["annotations"]["helm.sh/hook"]);
    assert_eq!(hooks, "post-install,post-upgrade");
    assert_eq!(container["args"], hook_container["args"]);
    let overrides = |c: &Value| -> Vec<(String, String)> {
        env(c)
            .into_iter()
            .filter(|(n, _)| n.starts_with("PROVISION_"))
            .collect()
    };
    assert_eq!(overrides(container), overrides(hook_container));

    // The plain Job reaches the Service `ollama` of its own namespace.
    let namespace = text(&job["metadata"]["namespace"]);
    let host = env_value(&env(container), "OLLAMA_HOST").to_string();
    assert_eq!(
        host,
        format!("http://ollama.{namespace}.svc.cluster.local:11434")
    );
}

#[test]
fn every_variable_the_jobs_set_is_documented() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
    let readme = readme.unwrap();
    let recipe = std::fs::read_to_string(Path::new(DIR).join("README.md")).unwrap();
    let (plain, helm) = objects();
    for job in [of_kind(&plain, "Job"), of_kind(&helm, "Job")] {
        for (name, _) in env(&job["spec"]["template"]["spec"]["containers"][0]) {
            // OLLAMA_HOST is Ollama's own (envconfig/config.go at v0.33.0-rc2), explained
            // by the recipe; HOME is the system's; provision's variables are in its README.
            let documented = match name.as_str() {
                "HOME" => true,
                "OLLAMA_HOST" => recipe.contains("`OLLAMA_HOST`"),
                _ => readme.contains(&format!("`{name}`")),
            };
            assert!(documented, "{name} is not documented");
        }
    }
}

/// `32Gi` (a Kubernetes quantity) as provision writes it, `32GiB`.
fn size(quantity: &str) -> String {
    match quantity.strip_suffix('i') {
        Some(binary) => format!("{binary}iB"),
        None => quantity.to_string(),
    }
}

#[test]
fn the_profile_plans_with_the_jobs_overrides_and_extra_env_is_its_server_settings() {
    let (plain, helm) = objects();
    let profile = text(&of_kind(&plain, "ConfigMap")["data"]["profile.yaml"]);
    assert_eq!(
        profile,
        text(&of_kind(&helm, "ConfigMap")["data"]["profile.yaml"])
    );
    let container = &of_kind(&plain, "Job")["spec"]["template"]["spec"]["containers"][0];
    let pairs = env(container);

    // The overrides are the Ollama pod's limits in the chart values.
    let values = &documents("helm-values.yaml")[0];
    let limits = &values["resources"]["limits"];
    assert_eq!(
        env_value(&pairs, "PROVISION_RAM"),
        size(text(&limits["memory"]))
    );
    assert_eq!(env_value(&pairs, "PROVISION_CORES"), text(&limits["cpu"]));
    assert_eq!(values["ollama"]["gpu"]["number"], 1);
    assert_eq!(
        values["ollama"]["models"]["pull"],
        Value::Sequence(Vec::new())
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profile.yaml");
    std::fs::write(&file, profile).unwrap();
    let mut run = Provision::new().args(["--profile", file.to_str().unwrap(), "plan", "--json"]);
    for (name, value) in pairs.iter().filter(|(n, _)| n.starts_with("PROVISION_")) {
        run = run.env(name, value);
    }
    let plan = run.run().code(0).json();
    for model in plan["models"].as_array().unwrap() {
        assert_eq!(
            model["fits"], true,
            "{}: {}",
            model["name"], model["reason"]
        );
    }
    assert_eq!(plan["roster"]["fits"], true, "{}", plan["roster"]);

    let settings: Vec<(String, String)> = (plan["server_settings"].as_array().unwrap().iter())
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    let extra_env: Vec<(String, String)> = (values["extraEnv"].as_sequence().unwrap().iter())
        .map(|e| (text(&e["name"]).into(), text(&e["value"]).into()))
        .collect();
    assert_eq!(
        extra_env, settings,
        "helm-values.yaml extraEnv drifted from the plan"
    );

    // `plan --server-env-format helm` prints exactly that extraEnv, as values YAML;
    // through the Job's OLLAMA_HOST (another machine), given the pod's device.
    let mut run = Provision::new().args([
        "--profile",
        file.to_str().unwrap(),
        "plan",
        "--server-env-format",
        "helm",
    ]);
    for (name, value) in pairs
        .iter()
        .filter(|(n, _)| n.starts_with("PROVISION_") || n == "OLLAMA_HOST")
    {
        run = run.env(name, value);
    }
    let printed: Value = serde_yaml::from_str(&run.run().code(0).stdout).unwrap();
    assert_eq!(printed["extraEnv"], values["extraEnv"]);
    assert_eq!(printed.as_mapping().unwrap().len(), 1, "only extraEnv");
}

#[test]
fn the_image_holds_provision_where_the_jobs_run_it() {
    let dockerfile = std::fs::read_to_string(Path::new(DIR).join("Dockerfile")).unwrap();
    let from: Vec<&str> = (dockerfile.lines())
        .filter_map(|l| l.strip_prefix("FROM "))
        .collect();
    assert_eq!(from.len(), 2, "{from:?}");
    for image in &from {
        let tag = image
            .split_whitespace()
            .next()
            .unwrap()
            .rsplit_once(':')
            .map(|(_, t)| t);
        assert!(tag.is_some_and(|t| t != "latest"), "unpinned: {image}");
    }
    assert!(from[1].starts_with("ollama/ollama:"), "{from:?}");
    let run = "COPY --from=build /provision /usr/local/bin/provision";
    assert!(dockerfile.contains(run));
    assert!(dockerfile.contains("RUN cargo build --release --locked"));
}
