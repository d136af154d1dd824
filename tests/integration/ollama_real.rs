//! Smoke test against a real `ollama`: runs only when one is installed and its
//! server answers; otherwise it says that it skipped.

use crate::support;
use provision::ollama::Ollama;
use std::time::Duration;

#[test]
fn real_ollama_output_parses() {
    let Ok(ollama) = Ollama::locate_in(None, std::env::var_os("PATH").as_deref()) else {
        support::skip(
            "ollama_real::real_ollama_output_parses",
            "no `ollama` on PATH",
        );
        return;
    };
    if ollama.binary().starts_with(env!("CARGO_MANIFEST_DIR")) {
        support::skip(
            "ollama_real::real_ollama_output_parses",
            "`ollama` on PATH is the test emulator",
        );
        return;
    }
    let ollama = ollama.with_timeout(Duration::from_secs(10));
    let version = ollama.version().expect("ollama -v");
    if version.server.is_none() {
        support::skip(
            "ollama_real::real_ollama_output_parses",
            &format!("no Ollama server answers ({version:?})"),
        );
        return;
    }
    let models = ollama.list().expect("the real `ollama list` parses");
    eprintln!("real ollama {version:?}: {} models", models.len());
    if let Some(first) = models.first() {
        let info = ollama
            .show(&first.name)
            .expect("the real `ollama show` parses");
        assert!(info.architecture.is_some(), "{info:?}");
        ollama
            .show_modelfile(&first.name)
            .expect("the real `ollama show --modelfile` parses");
        ollama
            .show_parameters(&first.name)
            .expect("the real `ollama show --parameters` parses");
    }
}
