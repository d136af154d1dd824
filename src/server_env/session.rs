//! The server environment in one `auto` run: read and decide from the context,
//! run the steps through the executor, write `--server-env-file`, and the
//! `server_env` object of the report. Also the check that a remote server's
//! device is given.

use super::decide::{Decision, Mode, Observed, Place, VariableState};
use super::observe::{self, Inputs};
use super::{Desired, Ignored, Policy, decide, formats};
use crate::context::Context;
use crate::execute::Executor;
use crate::exit::UsageError;
use crate::plan::Plan;
use crate::steps::Step;
use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How the server environment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Applied before: nothing to do.
    Unchanged,
    /// The drop-in was written and/or the server restarted.
    Applied,
    /// `--dry-run`/`--check`: the change was not made.
    Planned,
    Failed,
    /// Not applied here; the instructions say how.
    Printed,
    /// Not applied by `provision`, but the server already has the values.
    InEffect,
    Skipped,
}

/// The `server_env` object of `auto --json` (README, "Server settings").
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mode: Mode,
    /// True when the drop-in or `--server-env-file` was written or the server
    /// restarted (with `--check`/`--dry-run`: would be).
    pub changed: bool,
    pub status: Status,
    /// The drop-in's path, or what to set and how.
    pub how: String,
    /// The changes (`OLLAMA_KEEP_ALIVE unset → -1; …`) or why there are none.
    pub reason: String,
    pub variables: Vec<VariableState>,
    /// Where `effective` was read: `process`, `systemd`, or null (unknown).
    pub effective_from: Option<&'static str>,
    /// Variables the plan computed that this Ollama version does not read.
    pub ignored: Vec<Ignored>,
    pub commands: Vec<String>,
    /// The drop-in's change as a unified diff, when it is (to be) rewritten.
    pub diff: Option<String>,
    /// The `--server-env-file` written, when it was (to be) written.
    pub file: Option<PathBuf>,
    pub error: Option<String>,
}

/// The server-environment part of a run.
pub struct ServerEnv {
    desired: Desired,
    decision: Decision,
    file: Option<PathBuf>,
    report: Report,
}

impl ServerEnv {
    /// Reads the server's environment (unless skipped) and decides. `program`
    /// shows the `ollama` program in command lines.
    pub fn prepare(
        ctx: &Context,
        plan: &Plan,
        policy: Policy,
        file: Option<&Path>,
        program: &str,
    ) -> ServerEnv {
        // The variables the Ollama the plan was made for reads.
        let desired = Desired::of(&plan.server_settings, Some(plan.ollama.version));
        let decision = decide(&desired, &observe_for(ctx, policy), policy);
        let report = Report {
            mode: decision.mode,
            changed: false,
            status: settled_status(&decision),
            how: decision.how.clone(),
            reason: decision.reason.clone(),
            variables: decision.variables.clone(),
            effective_from: decision.effective_from,
            ignored: desired.ignored.clone(),
            commands: (decision.steps.iter())
                .map(|s| s.command_line(program))
                .collect(),
            diff: decision.diff.clone(),
            file: None,
            error: None,
        };
        ServerEnv {
            desired,
            decision,
            file: file
                .filter(|_| policy != Policy::Skip)
                .map(Path::to_path_buf),
            report,
        }
    }

    /// Says the warnings (unless `quiet`): could not apply, overridden values.
    pub fn warn(&self, quiet: bool) {
        if !quiet {
            self.decision
                .warnings
                .iter()
                .for_each(|w| crate::output::warn(w));
        }
    }

    /// `--dry-run`/`--check`: what would change, without changing it.
    pub fn plan_only(&mut self) {
        let file_differs = self.file.as_deref().is_some_and(|f| self.file_differs(f));
        if file_differs {
            self.report.file = self.file.clone();
        }
        self.report.changed = !self.decision.steps.is_empty() || file_differs;
    }

    /// Runs the steps and writes `--server-env-file`. A failure is reported
    /// (status `failed`, one error line); only an interrupt is returned.
    pub fn apply(&mut self, executor: &Executor) -> Result<()> {
        let ran = executor
            .run(&self.decision.steps)
            .and_then(|()| self.write_file());
        match ran {
            Ok(()) => {
                let changed = !self.decision.steps.is_empty() || self.report.file.is_some();
                self.report.changed = changed;
                if !self.decision.steps.is_empty() {
                    self.report.status = Status::Applied;
                }
                Ok(())
            }
            Err(error) if crate::interrupt::is_interrupted(&error) => Err(error),
            Err(error) => {
                let line = crate::text::one_line(&format!("{error:#}"));
                crate::output::error(&format!("server settings: {line}"));
                self.report.changed =
                    (self.decision.steps.iter()).any(|s| matches!(s, Step::WriteServerEnv { .. }));
                self.report.status = Status::Failed;
                self.report.error = Some(line);
                Ok(())
            }
        }
    }

    fn write_file(&mut self) -> Result<()> {
        let Some(path) = self.file.clone() else {
            return Ok(());
        };
        if self.file_differs(&path) {
            super::act::write_atomically(&path, &formats::env_file(&self.desired))?;
            self.report.file = Some(path);
        }
        Ok(())
    }

    fn file_differs(&self, path: &Path) -> bool {
        std::fs::read_to_string(path).ok() != Some(formats::env_file(&self.desired))
    }

    /// Whether `--check` should exit 3 for the server environment.
    pub fn changes_needed(&self) -> bool {
        self.report.changed
    }

    pub fn failed(&self) -> bool {
        self.report.status == Status::Failed
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The lines `auto` prints about the server settings (the dry-run shows the
    /// commands and the diff).
    pub fn text(&self, dry_run: bool) -> String {
        crate::output::server_env::text(&self.report, dry_run)
    }
}

/// What the server's environment looks like; nothing is read when skipped.
fn observe_for(ctx: &Context, policy: Policy) -> Observed {
    if policy == Policy::Skip {
        // The place does not matter: a skip decides nothing.
        return Observed {
            place: Place::NoSystemd,
            unit: None,
            process: None,
            drop_in: None,
        };
    }
    observe::observe(&Inputs {
        root: &ctx.root(),
        search_path: ctx.env.os("PATH"),
        host: &ctx.server_host(),
        in_kubernetes: ctx.in_kubernetes(),
    })
}

/// The status before anything runs: unchanged, planned, printed, …
fn settled_status(decision: &Decision) -> Status {
    match (decision.mode, decision.in_effect) {
        (Mode::Skip, _) => Status::Skipped,
        (Mode::Apply, _) if decision.steps.is_empty() => Status::Unchanged,
        (Mode::Apply, _) => Status::Planned,
        (Mode::Print, Some(true)) => Status::InEffect,
        (Mode::Print, _) => Status::Printed,
    }
}

/// A server on another machine cannot be probed from here: its device must be
/// given (`--ram`, `--vram`, `--cores`), else a usage error names what is missing.
pub fn require_server_device(ctx: &Context) -> Result<()> {
    let host = ctx.server_host();
    let missing: Vec<&str> = (ctx.device_overrides().iter())
        .filter(|(_, given)| !given)
        .map(|(flag, _)| *flag)
        .collect();
    if missing.is_empty() || host.is_local(&observe::local_names()) {
        return Ok(());
    }
    let vars: Vec<String> = (missing.iter())
        .map(|f| format!("PROVISION_{}", f.trim_start_matches('-').to_uppercase()))
        .collect();
    Err(UsageError(format!(
        "OLLAMA_HOST names another machine ({host}) and the probe describes this one: give the server's device with {} (or {})",
        missing.join(", "),
        vars.join(", ")
    ))
    .into())
}
