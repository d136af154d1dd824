//! The remembered measurement, `$XDG_STATE_HOME/provision/bandwidth.json`: one
//! entry per machine (CPU model, logical CPUs, total RAM), so a home directory
//! shared between machines keeps each one's figure. Read with a size cap,
//! written whole to a temporary file that replaces the old one. A file or entry
//! that cannot be used is measured again and replaced.

use super::dmi::Theoretical;
use super::measure::Measured;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

/// The file's name under the state directory.
pub const FILE_NAME: &str = "bandwidth.json";
const VERSION: u32 = 1;
const MAX_FILE_BYTES: u64 = 256 << 10;
/// Entries kept (the newest).
const MAX_MACHINES: usize = 16;
/// Above this no memory system reads; a larger figure is not a measurement.
const MAX_PLAUSIBLE: u64 = 100_000_000_000_000;

/// Which machine a measurement is of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub logical_cpus: usize,
    pub total_ram_bytes: u64,
}

/// One machine's measurement as remembered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    #[serde(flatten)]
    pub machine: Machine,
    pub measured: Measured,
    pub theoretical: Theoretical,
    /// RFC 3339, UTC.
    pub measured_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    machines: Vec<Remembered>,
}

/// The usable entry for `machine`, if the file holds one.
pub fn recall(path: &Path, machine: &Machine) -> Option<Remembered> {
    let file = load(path).ok()??;
    file.machines
        .into_iter()
        .find(|m| &m.machine == machine && plausible(m))
}

fn plausible(entry: &Remembered) -> bool {
    let bytes = entry.measured.bytes_per_s;
    bytes > 0 && bytes < MAX_PLAUSIBLE && entry.measured.threads > 0
}

/// Adds (or replaces) the entry of its machine and writes the file.
pub fn remember(path: &Path, entry: Remembered) -> Result<()> {
    let mut file = load(path).ok().flatten().unwrap_or_default();
    file.version = VERSION;
    file.machines
        .retain(|m| m.machine != entry.machine && plausible(m));
    file.machines.insert(0, entry);
    file.machines.truncate(MAX_MACHINES);
    let text = serde_json::to_string_pretty(&file)? + "\n";
    write_atomically(path, &text)
        .with_context(|| format!("could not remember the bandwidth in {}", path.display()))
}

/// The file; none when it is missing or of another version; an error when it is
/// not one this build wrote.
fn load(path: &Path) -> Result<Option<File>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context("could not open it"),
    };
    let mut text = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut text)?;
    anyhow::ensure!(text.len() as u64 <= MAX_FILE_BYTES, "too large");
    let file: File = serde_json::from_slice(&text).context("not a bandwidth file")?;
    Ok((file.version == VERSION).then_some(file))
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().context("the path has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".bandwidth-")
        .tempfile_in(dir)
        .context("could not create a temporary file")?;
    temporary.write_all(text.as_bytes())?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cpu: &str, bytes_per_s: u64) -> Remembered {
        Remembered {
            machine: Machine {
                cpu_model: cpu.into(),
                logical_cpus: 2,
                total_ram_bytes: 8 << 30,
            },
            measured: Measured {
                bytes_per_s,
                threads: 2,
                buffer_bytes: 256 << 20,
                elapsed_ms: 150,
            },
            theoretical: Theoretical {
                bytes_per_s: None,
                how: "cannot be read".into(),
            },
            measured_at: "2026-12-14T10:00:00Z".into(),
        }
    }

    #[test]
    fn each_machine_keeps_its_own_figure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/bandwidth.json");
        let (a, b) = (entry("A", 20_000_000_000), entry("B", 90_000_000_000));
        assert_eq!(recall(&path, &a.machine), None);
        remember(&path, a.clone()).unwrap();
        remember(&path, b.clone()).unwrap();
        assert_eq!(recall(&path, &a.machine), Some(a.clone()));
        assert_eq!(recall(&path, &b.machine), Some(b));
        let mut other = a.machine.clone();
        other.total_ram_bytes *= 2;
        assert_eq!(recall(&path, &other), None, "more RAM is another machine");
        let newer = entry("A", 21_000_000_000);
        remember(&path, newer.clone()).unwrap();
        assert_eq!(recall(&path, &a.machine), Some(newer));
    }

    #[test]
    fn a_broken_or_implausible_file_is_measured_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bandwidth.json");
        let a = entry("A", 0);
        std::fs::write(&path, "{\"version\": 1, \"machines\": [").unwrap();
        assert_eq!(recall(&path, &a.machine), None);
        remember(&path, a.clone()).unwrap();
        assert_eq!(recall(&path, &a.machine), None, "0 B/s is no measurement");
        std::fs::write(&path, "{\"version\": 9, \"machines\": []}").unwrap();
        assert_eq!(recall(&path, &a.machine), None);
        std::fs::write(&path, vec![b' '; (MAX_FILE_BYTES + 1) as usize]).unwrap();
        assert_eq!(recall(&path, &a.machine), None);
        remember(&path, entry("A", 5)).unwrap();
        assert!(recall(&path, &a.machine).is_some(), "replaced");
    }
}
