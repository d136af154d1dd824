//! The emulator's `ollama serve` for tests of `provision` commands that talk to
//! the HTTP API: started on a free loopback port over the emulator's store and
//! stopped by process id when dropped. A run points at it with `.served(&server)`.

use super::Provision;
use super::emulator::{Emulator, script};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running emulated server.
pub struct Served {
    child: Child,
    /// `127.0.0.1:<port>`, as `OLLAMA_HOST` takes it.
    pub host: String,
}

impl Emulator {
    /// Starts `ollama serve` on this store with the emulator's environment plus
    /// `extra` (e.g. `OLLAMA_EMULATOR_VRAM`, `OLLAMA_MAX_LOADED_MODELS`).
    pub fn serve(&self, extra: &[(&str, &str)]) -> Served {
        let mut command = Command::new(script());
        command
            .arg("serve")
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", self.cwd.path())
            .env("OLLAMA_EMULATOR_STATE", self.state.path())
            .env("OLLAMA_HOST", "127.0.0.1:0")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the emulator's server");
        let mut line = String::new();
        BufReader::new(child.stderr.take().expect("stderr"))
            .read_line(&mut line)
            .expect("the Listening line");
        let port = line
            .split("Listening on 127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no listening line: {line:?}"))
            .to_string();
        Served {
            child,
            host: format!("127.0.0.1:{port}"),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process id of a child this guard owns and still waits on.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

impl Provision {
    /// Talks to this emulated server's API (`OLLAMA_HOST`); the emulator's CLI
    /// comes first on PATH, over the same store.
    pub fn served(self, emulator: &Emulator, server: &Served) -> Self {
        self.emulator(emulator)
            .env("OLLAMA_HOST", server.host.clone())
    }
}
