//! The recorder the executor reports finished steps to: it keeps the state file
//! current after every pull, create and removal, so an interrupted run still
//! remembers what it pulled.

use super::{Loaded, State, key, load, save};
use crate::steps::Step;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Records what a run did (see the module comment).
#[derive(Debug)]
pub struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    loaded: Loaded,
    /// The names `ollama list` showed before the run changed anything: a pull of
    /// one of these that is not already ours is the user's tag, not ours.
    listed_before: HashSet<String>,
    /// Whether a failed write was already reported (once per run is enough).
    warned: bool,
}

impl Recorder {
    /// Loads the record under `dir`, warning when the file cannot be used (with
    /// no state directory at all, only when something is to be recorded);
    /// `listed_before` are the names `ollama list` printed at the start of the run.
    pub fn open<'a>(dir: Option<&Path>, listed_before: impl IntoIterator<Item = &'a str>) -> Self {
        let loaded = load(dir);
        if let (Some(warning), Some(_)) = (&loaded.warning, &loaded.path) {
            crate::output::warn(warning);
        }
        Recorder::with(loaded, listed_before)
    }

    /// A recorder over an already loaded record (no warning printed).
    pub fn with<'a>(loaded: Loaded, listed_before: impl IntoIterator<Item = &'a str>) -> Self {
        Recorder {
            inner: Mutex::new(Inner {
                loaded,
                listed_before: listed_before.into_iter().map(key).collect(),
                warned: false,
            }),
        }
    }

    /// The record as it stands.
    pub fn state(&self) -> State {
        self.lock().loaded.state.clone()
    }

    /// Notes a step that succeeded, and writes the record.
    pub fn done(&self, step: &Step) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut inner = self.lock();
        let changed = inner.apply(step, now);
        if changed {
            inner.write();
        }
    }

    /// Forgets the records of models no longer installed; returns their names.
    pub fn forget_unlisted(&self, listed: impl Fn(&str) -> bool) -> Vec<String> {
        let mut inner = self.lock();
        let gone = inner.loaded.state.forget_unlisted(listed);
        if !gone.is_empty() {
            inner.write();
        }
        gone
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// Updates the record for one finished step; whether it changed.
    fn apply(&mut self, step: &Step, now: u64) -> bool {
        let state = &mut self.loaded.state;
        match step {
            // A tag that was listed before and is not ours is the user's, even
            // though `provision` pulled it again (`auto --update`).
            Step::Pull { tag, .. }
                if state.pulled(tag) || !self.listed_before.contains(&key(tag)) =>
            {
                state.record_pull(tag, now);
            }
            Step::Pull { .. } | Step::Verify { .. } => return false,
            Step::WriteServerEnv { .. }
            | Step::ReloadSystemd { .. }
            | Step::RestartServer { .. }
            | Step::WaitForServer { .. }
            | Step::Load { .. }
            | Step::Unload { .. } => return false,
            Step::Create { name, from, .. } => state.record_target(name, from, now),
            Step::Remove { name } => state.forget(name),
        }
        true
    }

    fn write(&mut self) {
        let saved = match (&self.loaded.path, self.loaded.writable) {
            (Some(path), true) => save(path, &self.loaded.state),
            (Some(_), false) => return,
            (None, _) => Err(anyhow::anyhow!(
                "could not place the state file: set XDG_STATE_HOME or HOME"
            )),
        };
        if let Err(error) = saved
            && !self.warned
        {
            self.warned = true;
            crate::output::warn(&format!("{error:#}; what this run did is not recorded"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull(tag: &str) -> Step {
        Step::Pull {
            tag: tag.into(),
            bytes: None,
        }
    }

    fn create(name: &str, from: &str) -> Step {
        Step::Create {
            name: name.into(),
            from: from.into(),
            modelfile: String::new(),
            quantize: None,
            replaces: false,
        }
    }

    fn recorder(dir: &Path, listed: &[&str]) -> Recorder {
        Recorder::with(load(Some(dir)), listed.iter().copied())
    }

    #[test]
    fn a_tag_the_user_had_is_never_recorded_as_ours() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = recorder(dir.path(), &["llama3.2:3b-instruct-q8_0", "mine:latest"]);
        recorder.done(&pull("llama3.2:3b-instruct-q8_0"));
        recorder.done(&pull("llama3.2:3b-instruct-q4_K_M"));
        recorder.done(&create("provision/x:1", "llama3.2:3b-instruct-q4_K_M"));
        let state = load(Some(dir.path())).state;
        assert!(!state.pulled("llama3.2:3b-instruct-q8_0"));
        assert!(state.pulled("llama3.2:3b-instruct-q4_K_M"));
        assert_eq!(state.pulls[0].targets, ["provision/x:1"]);
    }

    #[test]
    fn a_tag_already_ours_stays_ours_when_pulled_again() {
        let dir = tempfile::tempdir().unwrap();
        recorder(dir.path(), &[]).done(&pull("m:q8"));
        let again = recorder(dir.path(), &["m:q8"]);
        again.done(&pull("m:q8"));
        assert!(again.state().pulled("m:q8"));
        again.done(&Step::Remove {
            name: "m:q8".into(),
        });
        assert!(!load(Some(dir.path())).state.pulled("m:q8"));
    }

    #[test]
    fn a_record_of_another_version_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(super::super::FILE_NAME);
        std::fs::write(&file, "{\"version\":9}").unwrap();
        recorder(dir.path(), &[]).done(&pull("m:q8"));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "{\"version\":9}");
    }
}
