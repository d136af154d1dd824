//! The two programs the differential test compares, driven alike: the real 0.5.4
//! (`support::real_ollama::Server`) and the emulator's `v0.5.4` era with its `serve`.

use crate::support::emulator::Emulator;
use crate::support::real_ollama::Server;
use crate::support::served::Served;
use serde_json::Value;
use std::path::PathBuf;

/// What one `ollama` run printed.
pub struct Said {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// One `ollama` (CLI and server) over its own model store.
pub trait Side: Sync {
    /// `ollama ARGS`, run in the side's scratch directory.
    fn ollama(&self, args: &[&str]) -> Said;
    /// The server's `127.0.0.1:<port>`.
    fn host(&self) -> String;
    /// Writes a scratch file and returns its path.
    fn write(&self, name: &str, text: &str) -> String;
    /// The model store, which `show --modelfile` and `details.parent_model` name.
    fn store(&self) -> PathBuf;
    /// The scratch directory `write` writes into, which error messages may name.
    fn work(&self) -> PathBuf;

    /// `METHOD /api/PATH` with an optional JSON body: (status, JSON answer).
    fn api(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .build()
            .new_agent();
        let url = format!("http://{}/api/{path}", self.host());
        let answer = match (method, body) {
            ("GET", _) => agent.get(&url).call(),
            (_, Some(body)) => agent.post(&url).send(body.to_string()),
            (_, None) => agent.post(&url).send_empty(),
        };
        let mut answer = answer.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = answer.status().as_u16();
        let text = answer.body_mut().read_to_string().expect("an answer");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }
}

/// The real Ollama 0.5.4.
pub struct Real(pub Server);

impl Side for Real {
    fn ollama(&self, args: &[&str]) -> Said {
        let run = self.0.ollama(args);
        Said {
            code: run.code,
            stdout: run.stdout,
            stderr: run.stderr,
        }
    }

    fn host(&self) -> String {
        self.0.host()
    }

    fn write(&self, name: &str, text: &str) -> String {
        self.0.write(name, text).display().to_string()
    }

    fn store(&self) -> PathBuf {
        self.0.store()
    }

    fn work(&self) -> PathBuf {
        self.0.work()
    }
}

/// The emulator's `v0.5.4` era and its `ollama serve` over the same store.
pub struct Emulated {
    served: Served,
    emu: Emulator,
}

impl Emulated {
    pub fn start() -> Emulated {
        let emu = Emulator::new().era("v0.5.4").random_order();
        let served = emu.serve(&[]);
        Emulated { served, emu }
    }
}

impl Side for Emulated {
    fn ollama(&self, args: &[&str]) -> Said {
        let out = self.emu.run(args);
        Said {
            code: out.code,
            stdout: out.stdout,
            stderr: out.stderr,
        }
    }

    fn host(&self) -> String {
        self.served.host.clone()
    }

    fn write(&self, name: &str, text: &str) -> String {
        self.emu.write(name, text).display().to_string()
    }

    fn store(&self) -> PathBuf {
        self.emu.state.path().join("models")
    }

    fn work(&self) -> PathBuf {
        self.emu.cwd.path().to_path_buf()
    }
}
