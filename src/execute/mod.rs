//! The one step runner: runs the steps `auto` and `optimize` decided (models and
//! the server's environment), with progress on stderr, Ctrl-C handling, removal
//! of a half-created target, and verification of what was created.

mod load;
mod progress;
mod server;

pub use progress::{Progress, Task};

use crate::interrupt::Interrupt;
use crate::ollama::{Api, ErrorClass, Ollama, OllamaError};
use crate::quant::Quant;
use crate::size::Decimal;
use crate::state::Recorder;
use crate::steps::{Expect, Step, verify};
use anyhow::{Context, Result, anyhow};

/// Runs steps through one `ollama` program, reporting progress.
pub struct Executor<'a> {
    ollama: &'a Ollama,
    progress: &'a Progress,
    recorder: Option<&'a Recorder>,
    /// The server's API, for the steps the CLI cannot do (loads).
    api: Option<&'a Api>,
}

impl<'a> Executor<'a> {
    pub fn new(ollama: &'a Ollama, progress: &'a Progress) -> Self {
        Executor {
            ollama,
            progress,
            recorder: None,
            api: None,
        }
    }

    /// Reports every step that succeeds to `recorder` (what `provision` pulled,
    /// created and removed is remembered in its state file).
    pub fn recording(mut self, recorder: &'a Recorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// Lets the executor run loads and unloads through `api`.
    pub fn with_api(mut self, api: &'a Api) -> Self {
        self.api = Some(api);
        self
    }

    /// Runs `steps` in order and stops at the first that fails.
    pub fn run(&self, steps: &[Step]) -> Result<()> {
        steps.iter().try_for_each(|step| self.step(step))
    }

    fn step(&self, step: &Step) -> Result<()> {
        self.act(step)?;
        if let Some(recorder) = self.recorder {
            recorder.done(step);
        }
        Ok(())
    }

    fn act(&self, step: &Step) -> Result<()> {
        match step {
            Step::Pull { tag, bytes } => self.pull(tag, *bytes),
            Step::Create {
                name,
                from,
                modelfile,
                quantize,
                replaces,
            } => self.create(name, from, modelfile, *quantize, *replaces),
            Step::Verify { name, expect } => self.verify(name, expect),
            Step::Remove { name } => Ok(self.ollama.rm(name)?),
            Step::WriteServerEnv { path, content } => self.write_server_env(path, content),
            Step::ReloadSystemd { systemctl } => self.systemctl(systemctl, &["daemon-reload"]),
            Step::RestartServer { systemctl, unit } => {
                self.systemctl(systemctl, &["restart", unit])
            }
            Step::WaitForServer { seconds } => self.wait_for_server(*seconds),
            Step::Load { name, keep_alive } => self.load(name, keep_alive.as_ref()).map(drop),
            Step::Unload { name } => self.unload(name),
        }
    }

    fn pull(&self, tag: &str, bytes: Option<u64>) -> Result<()> {
        let size = bytes.map_or_else(String::new, |b| format!(" {}", Decimal(b)));
        let mut task = self.progress.bar(format!("pulling {tag}{size}"));
        let pulled = self.ollama.pull(tag, Some(&mut |state| task.update(state)));
        task.finish(pulled.is_ok());
        pulled?;
        Ok(())
    }

    /// An interrupted create of a name that did not exist removes whatever was
    /// made of it, so no half target is left behind.
    fn create(
        &self,
        name: &str,
        from: &str,
        modelfile: &str,
        quantize: Option<Quant>,
        replaces: bool,
    ) -> Result<()> {
        let how = quantize.map_or_else(String::new, |q| format!(", quantizing to {q}"));
        let mut task = self
            .progress
            .spinner(format!("creating {name} from {from}{how}"));
        let level = quantize.map(|q| q.name());
        let created = self
            .ollama
            .create(name, modelfile, level, Some(&mut |s| task.update(s)));
        task.finish(created.is_ok());
        if let Err(error) = created {
            if matches!(error, OllamaError::Interrupted { .. }) && !replaces {
                remove_half_created(self.ollama, name);
            }
            return Err(error.into());
        }
        Ok(())
    }

    fn verify(&self, name: &str, expect: &Expect) -> Result<()> {
        let info = self.ollama.show(name)?;
        verify(expect, info.known_quantization(), &info.parameters_section)
            .map_err(|mismatch| anyhow!("created {name} but {mismatch}"))
            .context("could not verify the created model")
    }
}

/// Best effort: `ollama rm` of a target an interrupted create may have written,
/// with a fresh interrupt flag (the run's flag is already set).
pub fn remove_half_created(ollama: &Ollama, name: &str) {
    let cleaner = ollama.clone().with_interrupt(Interrupt::new());
    match cleaner.rm(name) {
        Ok(()) => {}
        Err(error) if matches!(error.class(), Some(ErrorClass::ModelNotFound { .. })) => {}
        Err(error) => crate::output::error(&format!(
            "could not remove the half-created {name}: {error}"
        )),
    }
}
