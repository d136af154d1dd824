//! The bundled catalog is exactly what `scripts/gen-catalog.py` prints from the data it
//! holds (offline), so every number in it can be traced to a source in the generator.

use std::path::Path;
use std::process::Command;

#[test]
fn generator_reproduces_the_bundled_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = match Command::new("python3")
        .arg(root.join("scripts/gen-catalog.py"))
        .current_dir(root.join("scripts"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            return crate::support::skip(
                "generator_reproduces_the_bundled_catalog",
                &format!("python3: {e}"),
            );
        }
    };
    assert!(
        output.status.success(),
        "gen-catalog.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bundled = std::fs::read(root.join("catalog/library.yaml")).expect("catalog/library.yaml");
    assert!(
        output.stdout == bundled,
        "catalog/library.yaml is not what scripts/gen-catalog.py prints; regenerate it with \
         `python3 scripts/gen-catalog.py > catalog/library.yaml`"
    );
}
