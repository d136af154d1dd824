//! The Ollama server's environment: the variables the plan needs (desired) next
//! to the ones the running server has (effective), and how to make them match.
//!
//! Pure: [`host`] (`OLLAMA_HOST`), [`systemd`] (the drop-in and `systemctl show`
//! as text), [`state`] and [`decide`] (what to do), [`formats`] (the variables as env, docker,
//! helm, … text), [`diff`]. Side effects: [`observe`] reads the system,
//! [`act`] writes the drop-in and runs `systemctl` for the executor, and
//! [`session`] is the glue `auto` and `plan` call.

pub mod act;
pub mod decide;
pub mod diff;
pub mod formats;
pub mod observe;
pub mod session;
pub mod state;
pub mod systemd;

pub use crate::ollama::host::{LocalNames, ServerHost};
pub use decide::{Decision, Observed, Place, decide};
pub use session::{ServerEnv, require_server_device};

use crate::fit::ServerSetting;
use crate::ollama::rules::OllamaVersion;
use crate::ollama::rules::env::check_variable;
use serde::Serialize;

/// What `auto` does with the server variables (`--server-env`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Policy {
    /// Write them where the server reads them and restart it when they change;
    /// print them when that cannot be done here.
    Apply,
    /// Say what to set and how; change nothing.
    Print,
    /// Neither read nor print them.
    Skip,
}

/// How `plan --server-env-format` prints the variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `KEY=VALUE` lines (`docker --env-file`, compose `env_file`).
    Env,
    /// The systemd drop-in `provision auto` writes.
    Systemd,
    /// `docker run` flags: `-e KEY=VALUE …`.
    Docker,
    /// A compose service's `environment:` mapping.
    Compose,
    /// ollama-helm `extraEnv:` values.
    Helm,
    /// `launchctl setenv` lines (the macOS app).
    Launchctl,
    /// One JSON object.
    Json,
}

/// One variable the plan wants the server to have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wanted {
    pub name: String,
    pub value: String,
    pub reason: String,
}

/// A variable the plan computed that this Ollama version does not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub name: String,
    pub value: String,
    pub reason: String,
}

/// The variables `provision` manages for this server, split by whether its
/// version reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Desired {
    pub variables: Vec<Wanted>,
    pub ignored: Vec<Ignored>,
}

impl Desired {
    /// The plan's settings that `version` reads (`ollama/rules/env.rs`); the
    /// newest known version when it is unknown, so a variable Ollama removed is
    /// never recommended.
    pub fn of(settings: &[ServerSetting], version: Option<OllamaVersion>) -> Desired {
        let version = version.unwrap_or(OllamaVersion::NEWEST);
        let mut desired = Desired::default();
        for setting in settings {
            match check_variable(version, setting.name) {
                Ok(()) => desired.variables.push(Wanted {
                    name: setting.name.to_string(),
                    value: setting.value.clone(),
                    reason: setting.reason.clone(),
                }),
                Err(reason) => desired.ignored.push(Ignored {
                    name: setting.name.to_string(),
                    value: setting.value.clone(),
                    reason,
                }),
            }
        }
        desired
    }

    /// `(name, value)` pairs in plan order.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.variables
            .iter()
            .map(|w| (w.name.as_str(), w.value.as_str()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(name: &'static str, value: &str) -> ServerSetting {
        ServerSetting {
            name,
            value: value.into(),
            reason: "r".into(),
        }
    }

    #[test]
    fn variables_a_version_does_not_read_are_left_out_with_the_reason() {
        let settings = [
            setting("OLLAMA_KEEP_ALIVE", "-1"),
            setting("OLLAMA_CONTEXT_LENGTH", "8192"),
            setting("OLLAMA_NEW_ENGINE", "1"),
        ];
        let old = Desired::of(&settings, OllamaVersion::parse("0.5.7").ok());
        assert_eq!(old.pairs(), [("OLLAMA_KEEP_ALIVE", "-1")]);
        let reasons: Vec<&str> = old.ignored.iter().map(|i| i.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "OLLAMA_CONTEXT_LENGTH is not read by Ollama 0.5.7 (it arrived in 0.5.13)",
                "OLLAMA_NEW_ENGINE is not read by Ollama 0.5.7 (it arrived in 0.5.12)",
            ]
        );
        let newest = Desired::of(&settings, None);
        assert_eq!(newest.variables.len(), 2);
        assert!(
            newest.ignored[0]
                .reason
                .contains("was removed in Ollama 0.30.0")
        );
    }
}
