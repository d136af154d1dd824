//! The executor's server-environment steps: write the drop-in, run
//! `systemctl`, wait until the restarted server answers.

use super::Executor;
use crate::ollama::OllamaError;
use crate::server_env::act;
use anyhow::Result;
use std::path::Path;
use std::time::{Duration, Instant};

/// Pause between two `ollama list` tries while the server starts.
const POLL: Duration = Duration::from_millis(500);

impl Executor<'_> {
    pub(super) fn write_server_env(&self, path: &Path, content: &str) -> Result<()> {
        self.progress.note(&format!("writing {}", path.display()));
        act::write_atomically(path, content)
    }

    pub(super) fn systemctl(&self, systemctl: &Path, args: &[&str]) -> Result<()> {
        let mut shown = vec!["systemctl"];
        shown.extend(args);
        let task = self.progress.spinner(shown.join(" "));
        let ran = act::run(systemctl, args, act::SYSTEMCTL_TIMEOUT);
        task.finish(ran.is_ok());
        ran.map(drop)
    }

    /// `ollama list` until it succeeds or `seconds` pass; Ctrl-C stops the wait.
    pub(super) fn wait_for_server(&self, seconds: u64) -> Result<()> {
        let task = self
            .progress
            .spinner("waiting for the Ollama server".into());
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let answered = loop {
            match self.ollama.list() {
                Ok(_) => break Ok(()),
                Err(error @ OllamaError::Interrupted { .. }) => break Err(error.into()),
                Err(error) if Instant::now() >= deadline => {
                    break Err(anyhow::anyhow!(
                        "the Ollama server did not answer within {seconds} s after the restart: {error}"
                    ));
                }
                Err(_) => std::thread::sleep(POLL),
            }
        };
        task.finish(answered.is_ok());
        answered
    }
}
