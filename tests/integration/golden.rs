//! Golden Modelfiles: every shipped profile's models at every tier they allow,
//! planned by the real planner and compared with
//! `tests/golden/<profile>/<model>.<tier>.Modelfile`; each is also accepted by the
//! emulator's `ollama create`. `UPDATE_GOLDEN=1 cargo test --test integration golden`
//! rewrites the files.

use crate::support::Emulator;
use provision::modelfile::{Modelfile, Renderer, render};
use provision::ollama::rules::OllamaTarget;
use provision::plan::{Inputs, build, select};
use provision::probe::Budget;
use provision::profile::{self, BUILTINS};
use provision::speed::Machine;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A device on which every shipped model fits at any tier, so each tier's file
/// shows the tier's own quantization unless a speed goal of the profile asks
/// for a faster level: 2 TiB of RAM, 8 cores, no GPU, RAM read at 100 GB/s.
fn big_device() -> Budget {
    Budget {
        ram_bytes: 2 << 40,
        cores: 8,
        gpus: Vec::new(),
    }
}

/// The golden device's speed: 8 AVX2 cores reading RAM at 100 GB/s.
fn machine() -> Machine {
    Machine {
        cpu_bytes_per_s: Some(100_000_000_000),
        gpu_bytes_per_s: None,
        gpu_flops: None,
        cores: 8,
        simd: vec!["avx2"],
    }
}

/// Every (path, Modelfile) the shipped profiles produce through the real planner
/// with the tier forced as `--tier` would; FROM is the catalog tag it chose.
fn rendered() -> Vec<(PathBuf, Modelfile)> {
    let device = big_device();
    let renderer = Renderer::new(None).unwrap();
    let mut files = Vec::new();
    for (name, text) in BUILTINS {
        let profile = profile::parse(text, name).unwrap();
        for model in &profile.roster.models {
            for tier in model.allowed_tiers() {
                // One model at a time: a concurrent roster that cannot place one
                // member places none, and each model's own file is checked here.
                let selection = select(&profile, std::slice::from_ref(&model.name)).unwrap();
                let plan = build(&Inputs {
                    ollama: OllamaTarget::NEWEST,
                    budget: &device,
                    profile: &profile,
                    forced_tier: Some(tier),
                    selection: &selection,
                    renderer: &renderer,
                    local: &[],
                    measured: &[],
                    known: &[],
                    machine: Some(machine()),
                })
                .unwrap();
                let planned = plan.models.into_iter().next().unwrap();
                let file = planned.modelfile.unwrap_or_else(|| {
                    panic!(
                        "{name}/{} at tier {tier}: {}",
                        model.name, planned.fit.reason
                    )
                });
                let path = Path::new("tests/golden")
                    .join(name)
                    .join(format!("{}.{}.Modelfile", model.name, tier));
                files.push((path, file));
            }
        }
    }
    files
}

#[test]
fn shipped_profiles_render_as_checked_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut expected_paths = BTreeSet::new();
    let mut mismatches = Vec::new();
    for (path, file) in rendered() {
        assert_eq!(
            file.validate().unwrap(),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
        let text = render(&file).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
        let full = root.join(&path);
        if update {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &text).unwrap();
        } else if std::fs::read_to_string(&full).ok().as_deref() != Some(text.as_str()) {
            mismatches.push(path.display().to_string());
        }
        expected_paths.insert(full);
    }
    assert!(
        mismatches.is_empty(),
        "golden files differ (UPDATE_GOLDEN=1 to rewrite): {mismatches:#?}"
    );
    let on_disk: BTreeSet<PathBuf> = walk(&root.join("tests/golden"));
    let stale: Vec<_> = on_disk.difference(&expected_paths).collect();
    assert!(
        stale.is_empty(),
        "golden files no profile renders any more: {stale:#?}"
    );
}

/// The golden files equal these texts (test above), so this reads the files back.
#[test]
fn every_golden_file_reads_back_to_its_values() {
    for (path, file) in rendered() {
        let text = render(&file).unwrap();
        let back = Modelfile::parse(&text).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
        assert_eq!(back.from, file.from, "{}", path.display());
        assert_eq!(back.system, file.system, "{}", path.display());
        assert_eq!(back.parameters, file.parameters, "{}", path.display());
        assert!(
            back.semantic_eq(&file),
            "{}: {:?}",
            path.display(),
            back.diff(&file)
        );
    }
}

#[test]
fn coder_gets_q4_k_m_2k_context_and_three_quarters_of_the_cores() {
    let (_, file) = rendered()
        .into_iter()
        .find(|(p, _)| p.ends_with("coder/coder.4.Modelfile"))
        .unwrap();
    let file = Modelfile::parse(&render(&file).unwrap()).unwrap();
    assert_eq!(file.from, "qwen2.5-coder:7b-instruct-q4_K_M");
    assert_eq!(
        file.get("num_ctx").map(ToString::to_string).as_deref(),
        Some("2048")
    );
    assert_eq!(
        file.get("num_thread").map(ToString::to_string).as_deref(),
        Some("6")
    );
}

/// Ollama itself (the emulator, which follows the reference's grammar and
/// parameter rules, not ours) accepts every golden body. FROM is pointed at a
/// model the emulator's small library has, since the body is what is checked.
#[test]
fn the_emulator_accepts_every_golden_modelfile() {
    let emulator = Emulator::new().pulled(&["llama3.2:1b"]);
    for (path, file) in rendered() {
        let local = Modelfile {
            from: "llama3.2:1b".into(),
            ..file.clone()
        };
        let written = emulator.write("Modelfile", &render(&local).unwrap());
        let out = emulator.run(&["create", "golden-check", "-f", written.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{}: {}", path.display(), out.stderr);
        let shown = emulator.run(&["show", "--modelfile", "golden-check"]);
        let back = Modelfile::parse(&shown.stdout).unwrap();
        // The created model also inherits the base's own parameters (its stop
        // tokens); every parameter the golden sets must be there as set.
        let shown_params = back.effective_parameters();
        for (name, values) in file.effective_parameters() {
            let path = path.display();
            assert_eq!(shown_params.get(&name), Some(&values), "{path}: {name}");
        }
        assert_eq!(back.system, file.system, "{}", path.display());
    }
}

/// Every golden Modelfile under `dir` (the scenario plans beside them are
/// checked by `speed::the_seed_scenarios_plan_as_checked_in`).
fn walk(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "Modelfile") {
            found.insert(path);
        }
    }
    found
}
