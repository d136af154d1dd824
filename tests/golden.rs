//! Golden Modelfiles: every shipped profile's models at every tier they allow,
//! rendered and compared with `tests/golden/<profile>/<model>.<tier>.Modelfile`.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the files.

use provision::modelfile::{Modelfile, render};
use provision::profile::{self, BUILTINS, RosterModel, Target};
use provision::quant::Quant;
use provision::tier::Tier;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const CORES: u32 = 8;

/// The FROM value for a model at a tier. A stand-in for the catalog's tag: the base
/// name with the quantization's tag suffix.
fn from_for(model: &RosterModel, tier: Tier) -> (String, Quant) {
    let quant = model.quant.unwrap_or_else(|| {
        let mut quant = tier.quant();
        if let Some(low) = model.min_quant {
            quant = quant.max(low);
        }
        if let Some(high) = model.max_quant {
            quant = quant.min(high);
        }
        quant
    });
    (format!("{}-{}", model.base, quant.tag_suffix()), quant)
}

/// Every (path, Modelfile) the shipped profiles produce.
fn rendered() -> Vec<(PathBuf, Modelfile)> {
    let mut files = Vec::new();
    for (name, text) in BUILTINS {
        let profile = profile::parse(text, name).unwrap();
        for model in &profile.roster.models {
            for tier in model.allowed_tiers() {
                let (from, quant) = from_for(model, tier);
                let target = Target {
                    from,
                    tier,
                    quant: Some(quant),
                    cores: CORES,
                    device: Some(format!("golden test device, {CORES} cores")),
                };
                let mut file = profile::modelfile(&profile, model, &target);
                file.provenance.tool = Some("provision (golden test)".into());
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
    assert_eq!(file.from, "qwen2.5-coder:7b-q4_K_M");
    assert_eq!(
        file.get("num_ctx").map(ToString::to_string).as_deref(),
        Some("2048")
    );
    assert_eq!(
        file.get("num_thread").map(ToString::to_string).as_deref(),
        Some("6")
    );
}

fn walk(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.insert(path);
        }
    }
    found
}
