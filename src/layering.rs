//! Keeps the shape: a test that reads `src/` and fails when a module reaches into
//! a layer it must not (a decision running a process, the `ollama` boundary
//! importing the command line, an environment read outside the context).

use std::path::{Path, PathBuf};

/// The decision modules: pure functions of plain data.
const PURE: &[&str] = &[
    "plan/",
    "fit/",
    "steps/",
    "levels/",
    "catalog/",
    "modelfile/",
    "profile/",
    "estimate.rs",
    "speed/",
    "loaded/",
    "bench.rs",
    "quantize.rs",
    "tier.rs",
    "quant.rs",
    "size.rs",
    "name.rs",
    "text.rs",
    "server_env/systemd.rs",
    "server_env/decide.rs",
    "server_env/diff.rs",
    "server_env/state.rs",
    "outdated/",
    "prune/decide.rs",
    "prune/bytes.rs",
];

/// What a decision module must not touch: the act layer, the command line, the
/// context, output, and the side-effecting clients.
const NOT_IN_PURE: &[&str] = &[
    "crate::apply",
    "crate::execute",
    "crate::inventory",
    "crate::commands",
    "crate::context",
    "crate::cli",
    "crate::lock",
    "crate::output",
    "ollama::Ollama",
    "Ollama::",
    "Registry::",
    "std::process",
    "std::env::var",
];

/// What the `ollama` boundary must not touch: it never prints and knows nothing
/// of the command line or of exit codes.
const NOT_IN_OLLAMA: &[&str] = &[
    "crate::cli",
    "crate::exit",
    "crate::context",
    "crate::output",
    "crate::commands",
    "println!",
    "eprintln!",
];

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path, root: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path: PathBuf = entry.expect("a directory entry").path();
        if path.is_dir() {
            found.extend(sources(&path, root));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            let relative = path.strip_prefix(root).expect("under src/");
            found.push((relative.display().to_string(), code(&text)));
        }
    }
    found
}

/// The file without its test-only items (unit tests and fixtures, which sit at
/// the end of a file) and comments: what the program runs.
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        let mut rules: Vec<&str> = Vec::new();
        if PURE.iter().any(|p| path.starts_with(p)) {
            rules.extend(NOT_IN_PURE);
        }
        if path.starts_with("ollama/") {
            rules.extend(NOT_IN_OLLAMA);
        }
        let reads_env = ["std::env::var", "env::vars", "var_os("];
        if path != "context.rs" && path != "layering.rs" {
            rules.extend(reads_env);
        }
        for rule in rules {
            if text.contains(rule) {
                found.push(format!("src/{path} uses `{rule}`"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_module_stays_in_its_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&root, &root);
    assert!(files.len() > 40, "read {} files", files.len());
    let found = violations(&files);
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

#[test]
fn a_forbidden_import_is_caught() {
    let files = [
        (
            "plan/x.rs".to_string(),
            "use crate::apply::decide;".to_string(),
        ),
        (
            "ollama/y.rs".to_string(),
            "use crate::cli::Global;".to_string(),
        ),
        (
            "probe/z.rs".to_string(),
            "std::env::var_os(\"HOME\")".to_string(),
        ),
    ];
    let found = violations(&files);
    for (path, _) in &files {
        assert!(
            found.iter().any(|v| v.starts_with(&format!("src/{path}"))),
            "{found:?}"
        );
    }
    let tests_only = "fn a() {}\n#[cfg(test)]\nmod tests { use crate::cli::Cli; }";
    assert_eq!(
        violations(&[("ollama/w.rs".to_string(), code(tests_only))]),
        Vec::<String>::new()
    );
}
