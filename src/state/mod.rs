//! What `provision` must remember between runs: the tags it pulled (and for
//! which targets) and the targets it created, in `$XDG_STATE_HOME/provision/state.json`.
//!
//! Only what is recorded here is `provision`'s to prune: a tag the user pulled is
//! never recorded. The file is written atomically (temporary file, then rename),
//! carries a version, and a corrupt or unknown file is one warning and an empty
//! record, never a failure.

mod file;
mod record;

pub use file::{FILE_NAME, Loaded, MAX_BYTES, VERSION, load, save};
pub use record::Recorder;

use crate::name::ModelName;
use serde::{Deserialize, Serialize};

/// Everything recorded; lists are kept sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Tags `provision` pulled that were not installed before.
    #[serde(default)]
    pub pulls: Vec<Pull>,
    /// Models `provision` created.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// A tag `provision` pulled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pull {
    /// The tag as it was pulled, e.g. `llama3.2:3b-instruct-q8_0`.
    pub tag: String,
    /// The targets created from it.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Seconds since the Unix epoch of the last pull.
    #[serde(default)]
    pub pulled_at: u64,
}

/// A model `provision` created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    /// What it was created from (a tag).
    pub from: String,
    /// Seconds since the Unix epoch of the last create.
    #[serde(default)]
    pub created_at: u64,
}

/// Names compare as Ollama compares them: fully qualified, case-insensitive.
pub fn key(name: &str) -> String {
    ModelName::parse(name).map_or_else(|_| name.to_ascii_lowercase(), |n| n.key())
}

fn same(a: &str, b: &str) -> bool {
    key(a) == key(b)
}

impl State {
    /// Whether `provision` pulled `tag`.
    pub fn pulled(&self, tag: &str) -> bool {
        self.pulls.iter().any(|p| same(&p.tag, tag))
    }

    /// Whether `provision` created `name`.
    pub fn created(&self, name: &str) -> bool {
        self.targets.iter().any(|t| same(&t.name, name))
    }

    /// Records a pull of `tag` (again, or for the first time).
    pub fn record_pull(&mut self, tag: &str, now: u64) {
        match self.pulls.iter_mut().find(|p| same(&p.tag, tag)) {
            Some(pull) => pull.pulled_at = now,
            None => self.pulls.push(Pull {
                tag: tag.to_string(),
                targets: Vec::new(),
                pulled_at: now,
            }),
        }
        self.pulls.sort_by_key(|p| key(&p.tag));
    }

    /// Records the creation of `name` from `from`; a pulled `from` gains the target.
    pub fn record_target(&mut self, name: &str, from: &str, now: u64) {
        self.targets.retain(|t| !same(&t.name, name));
        self.targets.push(Target {
            name: name.to_string(),
            from: from.to_string(),
            created_at: now,
        });
        self.targets.sort_by_key(|t| key(&t.name));
        for pull in &mut self.pulls {
            pull.targets.retain(|t| !same(t, name));
            if same(&pull.tag, from) {
                pull.targets.push(name.to_string());
                pull.targets.sort_by_key(|t| key(t));
            }
        }
    }

    /// Forgets `name` as a pull and as a target (it was removed).
    pub fn forget(&mut self, name: &str) {
        self.pulls.retain(|p| !same(&p.tag, name));
        self.targets.retain(|t| !same(&t.name, name));
        for pull in &mut self.pulls {
            pull.targets.retain(|t| !same(t, name));
        }
    }

    /// Forgets every record `listed` says is no longer installed (the user
    /// removed it); returns the names forgotten.
    pub fn forget_unlisted(&mut self, listed: impl Fn(&str) -> bool) -> Vec<String> {
        let mut gone: Vec<String> = self.pulls.iter().map(|p| p.tag.clone()).collect();
        gone.extend(self.targets.iter().map(|t| t.name.clone()));
        gone.retain(|name| !listed(name));
        gone.sort_by_key(|n| key(n));
        gone.dedup_by(|a, b| same(a, b));
        for name in &gone {
            self.forget(name);
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulls_and_targets_are_recorded_once_whatever_the_spelling() {
        let mut state = State::default();
        state.record_pull("llama3.2:3b-instruct-q8_0", 1);
        state.record_pull("Llama3.2:3B-instruct-q8_0", 2);
        assert_eq!(state.pulls.len(), 1);
        assert_eq!(state.pulls[0].pulled_at, 2);
        assert!(state.pulled("registry.ollama.ai/library/llama3.2:3b-instruct-q8_0"));
        state.record_target("provision/x:1", "llama3.2:3b-instruct-q8_0", 3);
        state.record_target("provision/x:1", "llama3.2:3b-instruct-q8_0", 4);
        assert_eq!(state.targets.len(), 1);
        assert_eq!(state.pulls[0].targets, ["provision/x:1"]);
        assert!(state.created("provision/X:1"));
    }

    #[test]
    fn a_target_rebuilt_on_another_base_moves_to_that_pull() {
        let mut state = State::default();
        state.record_pull("m:q8", 1);
        state.record_pull("m:q4", 1);
        state.record_target("t", "m:q8", 1);
        state.record_target("t", "m:q4", 2);
        let of = |tag: &str| {
            state
                .pulls
                .iter()
                .find(|p| p.tag == tag)
                .unwrap()
                .targets
                .clone()
        };
        assert_eq!(of("m:q8"), Vec::<String>::new());
        assert_eq!(of("m:q4"), ["t"]);
    }

    #[test]
    fn removed_models_are_forgotten() {
        let mut state = State::default();
        state.record_pull("m:q8", 1);
        state.record_target("t", "m:q8", 1);
        state.forget("m:q8");
        assert!(!state.pulled("m:q8") && state.created("t"));
        state.record_pull("m:q4", 1);
        let gone = state.forget_unlisted(|name| name == "m:q4");
        assert_eq!(gone, ["t"]);
        assert_eq!(state.targets, []);
        assert!(state.pulled("m:q4"));
    }
}
