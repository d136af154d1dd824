//! Reading and writing `state.json`: bounded, versioned, atomic, forgiving.

use super::State;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The file under the state directory.
pub const FILE_NAME: &str = "state.json";
/// The version this build reads and writes.
pub const VERSION: u32 = 1;
/// A record of thousands of models is a few hundred KB; anything larger is not ours.
pub const MAX_BYTES: u64 = 4 << 20;

/// The file as written: the version, then the records.
#[derive(Serialize)]
struct Written<'a> {
    version: u32,
    #[serde(flatten)]
    state: &'a State,
}

/// Just the version, read before the rest so a newer file is recognised as such.
#[derive(Deserialize)]
struct Header {
    version: u32,
}

/// What [`load`] found.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub state: State,
    /// Where the file lives; none when there is no state directory.
    pub path: Option<PathBuf>,
    /// False when the file belongs to a newer `provision`: it is left untouched.
    pub writable: bool,
    /// One line to warn with, when the file could not be used.
    pub warning: Option<String>,
}

/// Reads `<dir>/state.json`. A missing file is an empty record; a corrupt one is
/// an empty record and a warning (it is replaced on the next write); one of
/// another version is an empty record, a warning, and is never overwritten.
pub fn load(dir: Option<&Path>) -> Loaded {
    let Some(dir) = dir else {
        return Loaded {
            warning: Some(
                "could not place the state file: set XDG_STATE_HOME or HOME; nothing is recorded"
                    .to_string(),
            ),
            ..Loaded::default()
        };
    };
    let path = dir.join(FILE_NAME);
    let (state, writable, warning) = match read(&path) {
        Ok(None) => (State::default(), true, None),
        Ok(Some(Parsed::Current(state))) => (state, true, None),
        Ok(Some(Parsed::OtherVersion(version))) => (
            State::default(),
            false,
            Some(format!(
                "{} is version {version} (this provision reads {VERSION}); it is ignored and left as it is",
                path.display()
            )),
        ),
        Err(error) => (
            State::default(),
            true,
            Some(format!(
                "could not read {}: {error:#}; starting from an empty record",
                path.display()
            )),
        ),
    };
    Loaded {
        state,
        path: Some(path),
        writable,
        warning,
    }
}

enum Parsed {
    Current(State),
    OtherVersion(u32),
}

fn read(path: &Path) -> Result<Option<Parsed>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        bail!("it is larger than {MAX_BYTES} bytes");
    }
    let header: Header = serde_json::from_slice(&bytes).context("it is not a state file")?;
    if header.version != VERSION {
        return Ok(Some(Parsed::OtherVersion(header.version)));
    }
    let state: State = serde_json::from_slice(&bytes).context("it is not a state file")?;
    Ok(Some(Parsed::Current(state)))
}

/// Writes `state` to `path` atomically: a temporary file in the same directory,
/// flushed to disk, then renamed over the old one, so a crash leaves either the
/// old record or the new one.
pub fn save(path: &Path, state: &State) -> Result<()> {
    let dir = path.parent().context("the state file has no directory")?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("could not create the state directory {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&Written {
        version: VERSION,
        state,
    })? + "\n";
    let mut temp = tempfile::Builder::new()
        .prefix(".state-")
        .tempfile_in(dir)
        .with_context(|| format!("could not write the state file in {}", dir.display()))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("could not write {}", temp.path().display()))?;
    temp.persist(path)
        .with_context(|| format!("could not replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_record_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::default();
        state.record_pull("m:q8", 7);
        state.record_target("provision/m:q8", "m:q8", 8);
        save(&dir.path().join(FILE_NAME), &state).unwrap();
        let loaded = load(Some(dir.path()));
        assert_eq!(loaded.state, state);
        assert!(loaded.writable && loaded.warning.is_none());
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn a_missing_file_is_an_empty_record_without_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(Some(&dir.path().join("absent")));
        assert_eq!(loaded.state, State::default());
        assert!(loaded.writable && loaded.warning.is_none());
    }

    #[test]
    fn a_corrupt_file_is_one_warning_and_an_empty_record() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            "{not json",
            "[]",
            "{\"version\":1,\"pulls\":7}",
            "\u{0}\u{1}",
        ] {
            std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
            let loaded = load(Some(dir.path()));
            assert_eq!(loaded.state, State::default(), "{text}");
            assert!(loaded.writable, "{text}");
            let warning = loaded.warning.unwrap();
            assert!(warning.starts_with("could not read "), "{warning}");
            assert!(!warning.contains('\n'), "{warning}");
        }
    }

    #[test]
    fn a_newer_file_is_ignored_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{\"version\":2,\"x\":[]}").unwrap();
        let loaded = load(Some(dir.path()));
        assert!(!loaded.writable);
        assert!(loaded.warning.unwrap().contains("version 2"));
    }

    #[test]
    fn an_oversized_file_is_refused_without_reading_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::File::create(dir.path().join(FILE_NAME)).unwrap();
        file.set_len(MAX_BYTES * 4).unwrap();
        let loaded = load(Some(dir.path()));
        assert!(loaded.warning.unwrap().contains("larger than"));
    }

    #[test]
    fn no_state_directory_is_a_warning() {
        let loaded = load(None);
        assert!(loaded.path.is_none());
        assert!(loaded.warning.unwrap().contains("XDG_STATE_HOME"));
    }
}
