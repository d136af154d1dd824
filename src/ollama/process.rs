//! Running `ollama` as a child: bounded quick calls, and streamed long calls that
//! report progress and can be interrupted.

use super::OllamaError;
use super::progress::{self, ProgressState};
use crate::interrupt::Interrupt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(10);

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

fn finished(output: &std::process::Output) -> Finished {
    Finished {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a quick call, killing it after `timeout` or on interrupt.
pub fn run_bounded(
    call: &Call<'_>,
    timeout: Duration,
    interrupt: &Interrupt,
) -> Result<Finished, OllamaError> {
    let handle = duct::cmd(call.binary, call.args)
        .stdin_null()
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .start()
        .map_err(|e| spawn_error(call, e))?;
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(output) = handle.try_wait().map_err(|e| spawn_error(call, e))? {
            return Ok(finished(output));
        }
        let stop = if interrupt.is_set() {
            Some(OllamaError::Interrupted {
                command: call.display.clone(),
            })
        } else if Instant::now() >= deadline {
            Some(OllamaError::TimedOut {
                command: call.display.clone(),
                seconds: timeout.as_secs_f64(),
            })
        } else {
            None
        };
        if let Some(error) = stop {
            let _ = handle.kill();
            let _ = handle.wait();
            return Err(error);
        }
        std::thread::sleep(POLL);
    }
}

/// Runs a long call with stderr (and stdout) streamed, calling `on_progress` with
/// every new complete frame; kills the child on interrupt.
pub fn run_streamed(
    call: &Call<'_>,
    interrupt: &Interrupt,
    on_progress: &mut dyn FnMut(&ProgressState),
) -> Result<Finished, OllamaError> {
    let reader = duct::cmd(call.binary, call.args)
        .stdin_null()
        .stderr_to_stdout()
        .unchecked()
        .reader()
        .map_err(|e| spawn_error(call, e))?;
    let reader = Arc::new(reader);
    let (pump, receiver) = spawn_pump(Arc::clone(&reader));
    let mut bytes = Vec::new();
    let mut shown: Option<ProgressState> = None;
    loop {
        match receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if interrupt.is_set() {
            let _ = reader.kill();
            let _ = pump.join();
            return Err(OllamaError::Interrupted {
                command: call.display.clone(),
            });
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Some(state) = progress::parse_partial(&text).filter(|s| Some(s) != shown.as_ref()) {
            on_progress(&state);
            shown = Some(state);
        }
    }
    let _ = pump.join();
    let code = exit_code(call, &reader)?;
    let stderr = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Finished {
        code,
        stdout: String::new(),
        stderr,
    })
}

/// Reads the child's merged output on a thread and forwards it in chunks.
fn spawn_pump(
    reader: Arc<duct::ReaderHandle>,
) -> (std::thread::JoinHandle<()>, mpsc::Receiver<Vec<u8>>) {
    let (sender, receiver) = mpsc::channel::<Vec<u8>>();
    let pump = std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(n @ 1..) = (&*reader).read(&mut chunk) {
            if sender.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    (pump, receiver)
}

/// Waits for the child (already at EOF) and returns its exit code.
fn exit_code(call: &Call<'_>, reader: &duct::ReaderHandle) -> Result<i32, OllamaError> {
    loop {
        match reader.try_wait().map_err(|e| spawn_error(call, e))? {
            Some(output) => return Ok(output.status.code().unwrap_or(-1)),
            None => std::thread::sleep(POLL),
        }
    }
}
