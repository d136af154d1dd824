//! The executor's load steps: load or unload a model through the API, and run
//! a load check, reading `GET /api/ps` after each load and once at the end.

use super::Executor;
use crate::loaded::{LoadFailure, Observation, Observations};
use crate::ollama::api::{Api, ApiError, Generated};
use crate::ollama::{ErrorClass, KeepAlive};
use crate::steps::Step;
use anyhow::{Context, Result};
use std::time::Instant;

impl Executor<'_> {
    fn api(&self) -> Result<&Api> {
        self.api
            .context("could not load a model: this run has no client of the Ollama API")
    }

    pub(super) fn load(&self, name: &str, keep_alive: Option<&KeepAlive>) -> Result<Generated> {
        let kept = keep_alive.map_or_else(String::new, |k| format!(" (keep_alive {k})"));
        let task = self.progress.spinner(format!("loading {name}{kept}"));
        let loaded = self.api()?.load(name, keep_alive);
        task.finish(loaded.is_ok());
        Ok(loaded?)
    }

    pub(super) fn unload(&self, name: &str) -> Result<()> {
        Ok(self.api()?.unload(name)?)
    }

    /// Runs load steps (from `crate::steps::load_steps`) and gathers what each
    /// load showed. A model that fails to load is recorded and the others go
    /// on; a server that stops answering, or Ctrl-C, ends the check.
    pub fn run_loads(&self, steps: &[Step]) -> Result<Observations> {
        let api = self.api()?;
        let mut observations = Observations::default();
        for step in steps {
            match step {
                Step::Load { name, keep_alive } => {
                    let observed = self.observe_load(api, name, keep_alive.as_ref())?;
                    observations.models.push(observed);
                }
                Step::Unload { name } => {
                    let loaded = observations
                        .models
                        .iter()
                        .any(|o| &o.name == name && o.load.is_ok());
                    // Best effort: only a server that stopped answering matters.
                    if loaded && let Err(error) = self.unload(name) {
                        failure(error)?;
                    }
                }
                other => self.run(std::slice::from_ref(other))?,
            }
        }
        observations.at_end = api.ps()?;
        Ok(observations)
    }

    /// Loads one model and reads its `ps` entry.
    fn observe_load(
        &self,
        api: &Api,
        name: &str,
        keep_alive: Option<&KeepAlive>,
    ) -> Result<Observation> {
        let started = Instant::now();
        let load = match self.load(name, keep_alive) {
            Ok(answer) => Ok(answer),
            Err(error) => Err(failure(error)?),
        };
        let seconds = started.elapsed().as_secs_f64();
        let after_load = match load {
            Ok(_) => api.ps()?.into_iter().find(|r| r.is(name)),
            Err(_) => None,
        };
        Ok(Observation {
            name: name.to_string(),
            load,
            after_load,
            seconds,
        })
    }
}

/// A failed load as the check records it, or the error that ends the check
/// (the server is down, did not answer in time, or Ctrl-C).
fn failure(error: anyhow::Error) -> Result<LoadFailure> {
    let Some(api_error) = error.downcast_ref::<ApiError>() else {
        return Err(error);
    };
    match api_error {
        ApiError::Status { class, message, .. } => Ok(LoadFailure {
            message: message.clone(),
            not_installed: matches!(class, ErrorClass::ModelNotFound { .. }),
        }),
        _ => Err(error),
    }
}
