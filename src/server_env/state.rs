//! What the decision works on and gives: where the server runs, what was read
//! about its environment, and what to do and say.

use super::systemd::UnitState;
use crate::steps::Step;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the server runs, as far as its environment goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Linux, systemd, the `ollama` unit loaded, the drop-in writable.
    Systemd {
        drop_in: PathBuf,
        systemctl: PathBuf,
    },
    /// The same without permission to write the drop-in.
    NoPermission {
        drop_in: PathBuf,
    },
    /// systemd without an `ollama` unit (not the official installer's layout).
    NoUnit,
    /// Linux without systemd, outside a container.
    NoSystemd,
    /// A container (docker, podman, Kubernetes).
    Container,
    MacOs,
    Windows,
    /// `OLLAMA_HOST` names another machine.
    Remote {
        url: String,
    },
}

impl Place {
    /// Why the settings cannot be applied here; None where they can.
    pub fn why_not(&self) -> Option<String> {
        Some(match self {
            Place::Systemd { .. } => return None,
            Place::NoPermission { drop_in } => {
                format!("no permission to write {}", drop_in.display())
            }
            Place::NoUnit => "systemd has no ollama.service unit".into(),
            Place::NoSystemd => "systemd is not running here".into(),
            Place::Container => "this is a container".into(),
            Place::MacOs => "macOS".into(),
            Place::Windows => "Windows".into(),
            Place::Remote { url } => format!("the server at {url} is another machine"),
        })
    }
}

/// What was read about the server's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub place: Place,
    /// `systemctl show ollama`, where systemd runs the server.
    pub unit: Option<UnitState>,
    /// The running server's environment (`/proc/<pid>/environ`), when readable.
    pub process: Option<BTreeMap<String, String>>,
    /// The current content of `provision`'s drop-in.
    pub drop_in: Option<String>,
}

/// `apply`, `print` or `skip`: what was done with the variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Apply,
    Print,
    Skip,
}

/// One managed variable: what the plan wants and what the server has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableState {
    pub name: String,
    /// None for a variable an earlier run set that the plan no longer wants.
    pub desired: Option<String>,
    /// None when unset, or when the server's environment could not be read.
    pub effective: Option<String>,
}

/// What to do about the server's environment, and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub mode: Mode,
    pub variables: Vec<VariableState>,
    /// `process` (its `/proc/<pid>/environ`), `systemd` (`systemctl show`), or None.
    pub effective_from: Option<&'static str>,
    pub steps: Vec<Step>,
    /// The changes (`OLLAMA_KEEP_ALIVE unset → -1; …`), or why nothing changes.
    pub reason: String,
    /// The drop-in's change, as a diff, when it is rewritten.
    pub diff: Option<String>,
    /// The drop-in's path, or what to set and how.
    pub how: String,
    /// Whether every desired variable is in effect; None when unknown.
    pub in_effect: Option<bool>,
    /// Lines for `output::warn`.
    pub warnings: Vec<String>,
}
