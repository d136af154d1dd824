//! Running `ollama` as a child (in its own process group, see [`crate::child`]):
//! bounded quick calls, and streamed long calls that report progress and can be
//! interrupted.

use super::OllamaError;
use super::progress::{self, ProgressState};
use crate::child::{self, Drain, Ended, Group};
use crate::interrupt::Interrupt;
use std::path::Path;
use std::time::{Duration, Instant};

/// How often a streamed call's output is looked at.
const TICK: Duration = Duration::from_millis(50);

/// What a finished child printed and how it exited.
pub struct Finished {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// How one call is identified in errors.
pub struct Call<'a> {
    pub binary: &'a Path,
    pub args: &'a [String],
    pub display: String,
}

fn spawn_error(call: &Call<'_>, source: std::io::Error) -> OllamaError {
    OllamaError::Spawn {
        command: call.display.clone(),
        source,
    }
}

/// Runs a quick call, ending its process group after `timeout` or on interrupt.
pub fn run_bounded(
    call: &Call<'_>,
    timeout: Duration,
    interrupt: &Interrupt,
) -> Result<Finished, OllamaError> {
    let deadline = Instant::now() + timeout;
    let ended = child::run_captured(call.binary, call.args, deadline, &|| interrupt.is_set())
        .map_err(|e| spawn_error(call, e))?;
    match ended {
        Ended::Exited {
            status,
            stdout,
            stderr,
        } => Ok(Finished {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }),
        Ended::Stopped => Err(OllamaError::Interrupted {
            command: call.display.clone(),
        }),
        Ended::TimedOut => Err(OllamaError::TimedOut {
            command: call.display.clone(),
            seconds: timeout.as_secs_f64(),
        }),
    }
}

/// Runs a long call with stderr and stdout merged and streamed, calling
/// `on_progress` with every new complete frame; ends the process group on
/// interrupt. Once the child has exited, a pipe a grandchild keeps open is read
/// for [`child::GRACE`] more, not waited for.
pub fn run_streamed(
    call: &Call<'_>,
    interrupt: &Interrupt,
    on_progress: &mut dyn FnMut(&ProgressState),
) -> Result<Finished, OllamaError> {
    let (reader, writer) = std::io::pipe().map_err(|e| spawn_error(call, e))?;
    let merged = writer.try_clone().map_err(|e| spawn_error(call, e))?;
    let mut group = Group::spawn(call.binary, call.args, merged.into(), writer.into())
        .map_err(|e| spawn_error(call, e))?;
    let output = Drain::start(reader);
    let mut shown: Option<ProgressState> = None;
    let mut exited: Option<(std::process::ExitStatus, Instant)> = None;
    loop {
        std::thread::sleep(TICK);
        if interrupt.is_set() {
            group.kill();
            return Err(OllamaError::Interrupted {
                command: call.display.clone(),
            });
        }
        let text = String::from_utf8_lossy(&output.snapshot()).into_owned();
        if let Some(state) = progress::parse_partial(&text).filter(|s| Some(s) != shown.as_ref()) {
            on_progress(&state);
            shown = Some(state);
        }
        if exited.is_none() {
            let status = group.try_wait().map_err(|e| spawn_error(call, e))?;
            exited = status.map(|status| (status, Instant::now()));
        }
        if let Some((status, at)) = exited
            && (output.is_done() || at.elapsed() >= child::GRACE)
        {
            return Ok(Finished {
                code: status.code().unwrap_or(-1),
                stdout: String::new(),
                stderr: String::from_utf8_lossy(&output.snapshot()).into_owned(),
            });
        }
    }
}
