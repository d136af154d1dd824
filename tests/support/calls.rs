//! The emulator's call log (`calls.jsonl` in its state directory: one JSON object
//! per `ollama` invocation with `argv`, `exit`, `era` and, for `create`, the
//! `modelfile` it read), typed, with the questions tests ask of it.

use serde::Deserialize;
use std::ops::Deref;

/// One `ollama` invocation as the emulator logged it.
#[derive(Debug, Clone, Deserialize)]
pub struct Call {
    pub argv: Vec<String>,
    /// The exit code; `None` for a call that was still running (a `hang` fault).
    pub exit: Option<i32>,
    pub era: String,
    /// For `create`: the Modelfile text it read.
    #[serde(default)]
    pub modelfile: Option<String>,
}

impl Call {
    /// The verb (`list`, `show`, `pull`, `create`, `rm`, `-v`, …).
    pub fn verb(&self) -> &str {
        self.argv.first().map_or("", String::as_str)
    }

    /// The argument at `index` of argv (0 is the verb); panics, naming the call, when absent.
    #[track_caller]
    pub fn arg(&self, index: usize) -> &str {
        self.argv
            .get(index)
            .unwrap_or_else(|| panic!("no argument {index} in {:?}", self.argv))
    }

    /// The call in short form: `create NAME` and `pull TAG` without their flags,
    /// any other call as its whole command line (`show --modelfile chat`, `list`).
    pub fn short(&self) -> String {
        match self.argv.as_slice() {
            [verb, name, ..] if verb == "create" => format!("create {name}"),
            [verb, name] if verb == "pull" => format!("pull {name}"),
            argv => argv.join(" "),
        }
    }
}

/// The calls of one emulated store, in the order they ran.
#[derive(Debug, Clone, Default)]
pub struct Calls(Vec<Call>);

impl Deref for Calls {
    type Target = [Call];

    fn deref(&self) -> &[Call] {
        &self.0
    }
}

impl Calls {
    /// Types the log's JSON objects; panics, naming the entry, on one of another shape.
    pub fn from_json(entries: Vec<serde_json::Value>) -> Calls {
        let typed = entries.into_iter().map(|entry| {
            serde_json::from_value(entry.clone())
                .unwrap_or_else(|e| panic!("call log entry {entry} ({e})"))
        });
        Calls(typed.collect())
    }

    /// The calls from index `from` on: those after a mark taken with `len()`.
    #[track_caller]
    pub fn since(mut self, from: usize) -> Calls {
        assert!(
            from <= self.0.len(),
            "mark {from} beyond {} calls",
            self.0.len()
        );
        Calls(self.0.split_off(from))
    }

    /// Every call in short form (`Call::short`).
    pub fn verbs(&self) -> Vec<String> {
        self.0.iter().map(Call::short).collect()
    }

    /// The calls of one verb.
    pub fn of<'a>(&'a self, verb: &'a str) -> impl Iterator<Item = &'a Call> + 'a {
        self.0.iter().filter(move |call| call.verb() == verb)
    }

    /// How many calls of one verb ran.
    pub fn count(&self, verb: &str) -> usize {
        self.of(verb).count()
    }

    /// Whether any call of this verb ran.
    pub fn ran(&self, verb: &str) -> bool {
        self.of(verb).next().is_some()
    }

    /// The names given to `create`, in order.
    pub fn created(&self) -> Vec<&str> {
        self.of("create").map(|call| call.arg(1)).collect()
    }
}
