//! The act phase as data: what `auto` and `optimize` will do to Ollama, as typed
//! steps computed by pure functions. `--dry-run` and `--json` print them; the one
//! executor (`crate::execute`) runs them.

mod compare;
mod decide;
mod load;
mod optimize;
mod report;
mod server;
mod verify;

pub use compare::{changes, expected, quantized_changes, typed};
pub use decide::{Decision, Observed, decide, owned};
pub use load::{keep_alive, load_steps};
pub use optimize::{OptimizeReport, OptimizeStatus, optimize_steps};
pub use report::{Action, ModelReport, Status, Summary, share_pulls_among};
pub use verify::{Expect, verify};

use crate::ollama::KeepAlive;
use crate::quant::Quant;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// One change to what Ollama holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// `ollama pull TAG`; `bytes` is the size to download when known.
    Pull { tag: String, bytes: Option<u64> },
    /// `ollama create NAME -f <Modelfile> [-q LEVEL]`, building from `from`.
    Create {
        name: String,
        from: String,
        modelfile: String,
        quantize: Option<Quant>,
        /// Whether NAME existed before: an interrupted create of a new name is
        /// followed by its removal, so no half-created model is left.
        replaces: bool,
    },
    /// `ollama show NAME`, checked against what was planned.
    Verify { name: String, expect: Expect },
    /// `ollama rm NAME`.
    Remove { name: String },
    /// Write the Ollama server's environment (the systemd drop-in) atomically,
    /// mode 0644; `crate::server_env` decides it.
    WriteServerEnv { path: PathBuf, content: String },
    /// `systemctl daemon-reload`, so systemd reads the drop-in.
    ReloadSystemd { systemctl: PathBuf },
    /// `systemctl restart UNIT`, so the server runs with the new values.
    RestartServer { systemctl: PathBuf, unit: String },
    /// `ollama list` until the server answers, for at most `seconds`.
    WaitForServer { seconds: u64 },
    /// `POST /api/generate` without a prompt: load NAME, kept for `keep_alive`
    /// (the server's default when none).
    Load {
        name: String,
        keep_alive: Option<KeepAlive>,
    },
    /// `POST /api/generate` with `keep_alive` 0: unload NAME.
    Unload { name: String },
}

impl Step {
    /// The arguments of the `ollama` call (none for a load or an unload, which
    /// are API requests); the create's Modelfile is a private
    /// temporary file, shown as `<Modelfile>`.
    pub fn args(&self) -> Vec<String> {
        let words: Vec<&str> = match self {
            Step::Pull { tag, .. } => vec!["pull", tag],
            Step::Create { name, quantize, .. } => {
                let mut words = vec!["create", name.as_str(), "-f", "<Modelfile>"];
                if let Some(level) = quantize {
                    words.extend(["-q", level.name()]);
                }
                words
            }
            Step::Verify { name, .. } => vec!["show", name],
            Step::Remove { name } => vec!["rm", name],
            Step::WaitForServer { .. } => vec!["list"],
            Step::WriteServerEnv { .. }
            | Step::ReloadSystemd { .. }
            | Step::RestartServer { .. } => Vec::new(),
            Step::Load { .. } | Step::Unload { .. } => Vec::new(),
        };
        words.into_iter().map(String::from).collect()
    }

    /// The exact command line, with the program shown as `program`; a load or
    /// unload, which no `ollama` command does alone, as its API request.
    pub fn command_line(&self, program: &str) -> String {
        if let Some(line) = server::command_line(self, program) {
            return line;
        }
        if let Some(line) = load::request_line(self) {
            return line;
        }
        crate::ollama::command_line(program, &self.args())
    }

    /// The Modelfile a create step hands to `ollama create`.
    pub fn modelfile(&self) -> Option<&str> {
        match self {
            Step::Create { modelfile, .. } => Some(modelfile),
            _ => None,
        }
    }

    /// Whether the step changes what Ollama holds (or the server's settings).
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Step::Verify { .. }
                | Step::WaitForServer { .. }
                | Step::Load { .. }
                | Step::Unload { .. }
        )
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.command_line("ollama"))
    }
}

/// Removes each pull of a tag an earlier list already pulls, so a base shared by
/// several models is pulled once per run. Returns, per list, whether it lost its
/// pull (its model then only creates).
pub fn share_pulls<'a>(lists: impl IntoIterator<Item = &'a mut Vec<Step>>) -> Vec<bool> {
    let mut pulled: Vec<String> = Vec::new();
    lists
        .into_iter()
        .map(|steps| {
            let before = steps.len();
            steps.retain(|step| match step {
                Step::Pull { tag, .. } if pulled.contains(tag) => false,
                Step::Pull { tag, .. } => {
                    pulled.push(tag.clone());
                    true
                }
                _ => true,
            });
            steps.len() != before
        })
        .collect()
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

    fn create(name: &str) -> Step {
        Step::Create {
            name: name.into(),
            from: "x".into(),
            modelfile: "FROM x\n".into(),
            quantize: Some(Quant::Q4KM),
            replaces: false,
        }
    }

    #[test]
    fn steps_print_the_exact_command_lines() {
        assert_eq!(pull("llama3.2:1b").to_string(), "ollama pull llama3.2:1b");
        assert_eq!(
            create("my model").command_line("ollama-lib"),
            "ollama-lib create 'my model' -f <Modelfile> -q Q4_K_M"
        );
        assert_eq!(Step::Remove { name: "a".into() }.to_string(), "ollama rm a");
    }

    #[test]
    fn a_shared_base_is_pulled_once() {
        let mut lists = [
            vec![pull("t"), create("a")],
            vec![pull("t"), create("b")],
            vec![pull("u"), create("c")],
        ];
        assert_eq!(share_pulls(lists.iter_mut()), [false, true, false]);
        assert_eq!(lists[1], vec![create("b")]);
        assert_eq!(lists[2][0], pull("u"));
    }

    #[test]
    fn steps_serialise_with_their_kind() {
        let json = serde_json::to_value(pull("t")).unwrap();
        assert_eq!(json["step"], "pull");
        assert_eq!(json["tag"], "t");
    }
}
