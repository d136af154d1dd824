//! The measurements file, `$XDG_STATE_HOME/provision/measurements.json`: a
//! versioned JSON object, read with a size cap, written whole to a temporary
//! file that replaces the old one (a reader never sees half a file). A file
//! that cannot be read is ignored with one warning and replaced on the next write.

use super::Measurement;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The file's name under the state directory.
pub const FILE_NAME: &str = "measurements.json";
/// The version of the file's layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// A file larger than this is not one `provision` wrote.
const MAX_FILE_BYTES: u64 = 4 << 20;
/// The newest this many measurements are kept.
const MAX_RECORDS: usize = 2000;

#[derive(Debug, Deserialize)]
struct Header {
    version: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    measurements: Vec<Measurement>,
}

/// The measurements read from the file, and why none were, if so.
#[derive(Debug, Default)]
pub struct Store {
    path: PathBuf,
    records: Vec<Measurement>,
    problem: Option<String>,
    /// The file is of a newer layout: left alone.
    newer: bool,
}

impl Store {
    /// Reads `path`; a missing file is an empty store.
    pub fn read(path: &Path) -> Store {
        let mut store = Store {
            path: path.to_path_buf(),
            ..Store::default()
        };
        match load(path) {
            Ok(Some(file)) if file.version > FORMAT_VERSION => {
                store.newer = true;
                store.problem = Some(format!(
                    "{} is format {} (this provision reads {FORMAT_VERSION}); measurements ignored",
                    path.display(),
                    file.version
                ));
            }
            Ok(Some(file)) => store.records = file.measurements,
            Ok(None) => {}
            Err(error) => {
                store.problem = Some(format!(
                    "ignoring {} ({error:#}); it will be replaced by the next measurement",
                    path.display()
                ))
            }
        }
        store
    }

    /// The measurements, in file order.
    pub fn records(&self) -> &[Measurement] {
        &self.records
    }

    /// Why the file's measurements were not read, for one warning.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Adds `measured` (a measurement of a configuration already known updates
    /// it) and writes the file. The file is read again first, so what another
    /// run wrote since is kept.
    pub fn record(path: &Path, measured: Vec<Measurement>) -> Result<()> {
        let current = Store::read(path);
        if current.newer {
            bail!(
                "could not record measurements: {}",
                current.problem.unwrap_or_default()
            );
        }
        let mut records = current.records;
        for new in measured {
            match records.iter_mut().find(|r| r.key == new.key) {
                Some(known) => known.update(new),
                None => records.push(new),
            }
        }
        records.sort_by(|a, b| b.measured_at.cmp(&a.measured_at));
        records.truncate(MAX_RECORDS);
        let file = File {
            version: FORMAT_VERSION,
            measurements: records,
        };
        write_atomically(path, &(serde_json::to_string_pretty(&file)? + "\n"))
            .with_context(|| format!("could not record measurements in {}", path.display()))
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The file, or none when it does not exist.
fn load(path: &Path) -> Result<Option<File>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).context("could not open it"),
    };
    let mut text = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut text)
        .context("could not read it")?;
    if text.len() as u64 > MAX_FILE_BYTES {
        bail!("larger than {MAX_FILE_BYTES} bytes");
    }
    // The version first: a newer layout may not parse as this one.
    let header: Header = serde_json::from_slice(&text).context("not a measurements file")?;
    if header.version > FORMAT_VERSION {
        return Ok(Some(File {
            version: header.version,
            measurements: Vec::new(),
        }));
    }
    let file: File = serde_json::from_slice(&text).context("not a measurements file")?;
    Ok(Some(file))
}

/// Writes `text` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().context("the path has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".measurements-")
        .tempfile_in(dir)
        .context("could not create a temporary file")?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measurements::tests::sample;

    #[test]
    fn records_are_written_then_read_and_updated_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/measurements.json");
        assert!(Store::read(&path).records().is_empty());
        Store::record(&path, vec![sample("a", 2048), sample("b", 2048)]).unwrap();
        let mut faster = sample("a", 2048);
        faster.decode_tokens_per_s = Some(12.5);
        faster.size_bytes = None;
        Store::record(&path, vec![faster]).unwrap();
        let store = Store::read(&path);
        assert_eq!(store.problem(), None);
        assert_eq!(store.records().len(), 2);
        let a = store
            .records()
            .iter()
            .find(|r| r.key.digest == "a")
            .unwrap();
        assert_eq!(
            (a.size_bytes, a.decode_tokens_per_s),
            (Some(1 << 30), Some(12.5))
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
    }

    #[test]
    fn a_corrupt_file_is_one_problem_and_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("measurements.json");
        std::fs::write(&path, "{\"version\": 1, \"measurements\": [{").unwrap();
        let store = Store::read(&path);
        assert!(store.records().is_empty());
        let problem = store.problem().unwrap();
        assert!(problem.contains("not a measurements file"), "{problem}");
        Store::record(&path, vec![sample("a", 2048)]).unwrap();
        assert_eq!(Store::read(&path).records().len(), 1);
    }

    #[test]
    fn a_huge_or_newer_file_is_not_read_and_a_newer_one_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("measurements.json");
        std::fs::write(&path, vec![b' '; (MAX_FILE_BYTES + 1) as usize]).unwrap();
        assert!(
            Store::read(&path)
                .problem()
                .unwrap()
                .contains("larger than")
        );
        std::fs::write(&path, "{\"version\": 9, \"measurements\": {}}").unwrap();
        assert!(Store::read(&path).problem().unwrap().contains("format 9"));
        assert!(Store::record(&path, vec![sample("a", 1)]).is_err());
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"version\": 9")
        );
    }
}
