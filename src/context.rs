//! The one context of a run: the parsed flags, the environment and the paths,
//! read once; the device, the profile and the template loaded on first use.
//!
//! This is the only module that reads environment variables (clap also reads the
//! `PROVISION_*` equivalents of flags while parsing them). Everything downstream
//! gets values, so it can be tested with values.

use crate::cli::Global;
use crate::measurements::Store;
use crate::modelfile::Renderer;
use crate::ollama::host::ServerHost;
use crate::ollama::{Api, Ollama, OllamaError};
use crate::probe::bandwidth::{self, Bandwidth};
use crate::probe::{self, Budget, Device, Overrides, Roots};
use crate::profile::{self, Loaded};
use crate::registry::Registry;
use anyhow::{Context as _, Result};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// A snapshot of the process environment, taken once.
#[derive(Debug, Clone, Default)]
pub struct Env(BTreeMap<OsString, OsString>);

impl Env {
    /// The environment of this process.
    pub fn of_process() -> Env {
        Env(std::env::vars_os().collect())
    }

    /// An environment holding exactly these variables (tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env(pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect())
    }

    /// A variable as raw bytes; unset is `None`.
    pub fn os(&self, name: &str) -> Option<&OsStr> {
        self.0.get(OsStr::new(name)).map(OsString::as_os_str)
    }

    /// A variable as text; unset or not UTF-8 is `None`.
    pub fn var(&self, name: &str) -> Option<String> {
        self.os(name).and_then(OsStr::to_str).map(String::from)
    }

    /// A directory variable, honoured only when absolute (as the XDG spec says).
    fn absolute_dir(&self, name: &str) -> Option<PathBuf> {
        self.os(name).map(PathBuf::from).filter(|p| p.is_absolute())
    }
}

/// Where `provision` keeps its own files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// User profiles: `$XDG_CONFIG_HOME/provision/profiles` (or `~/.config/…`).
    pub profiles: Option<PathBuf>,
    /// State (lock, records): `$XDG_STATE_HOME/provision` (or `~/.local/state/…`).
    pub state: Option<PathBuf>,
    /// Caches: `$XDG_CACHE_HOME/provision` (or `~/.cache/…`).
    pub cache: Option<PathBuf>,
}

impl Paths {
    fn of(env: &Env) -> Paths {
        let home = env.os("HOME").map(PathBuf::from);
        let xdg = |name: &str, fallback: &str| {
            env.absolute_dir(name)
                .or_else(|| home.as_ref().map(|h| h.join(fallback)))
                .map(|dir| dir.join("provision"))
        };
        Paths {
            profiles: profile::user_dir(env.os("XDG_CONFIG_HOME"), home.as_deref()),
            state: xdg("XDG_STATE_HOME", ".local/state"),
            cache: xdg("XDG_CACHE_HOME", ".cache"),
        }
    }

    /// The advisory lock of runs that change models.
    pub fn lock(&self) -> Result<PathBuf> {
        self.state
            .as_ref()
            .map(|dir| dir.join("lock"))
            .context("could not place the lock file: set XDG_STATE_HOME or HOME")
    }
}

/// Everything a command needs from outside: built once by [`Context::new`].
pub struct Context {
    pub flags: Global,
    pub env: Env,
    pub paths: Paths,
    /// Whether probing runs `ollama -v` (commands that talk to Ollama anyway skip it).
    ask_ollama_version: bool,
    /// Whether the command shows speeds (`probe`, `plan`, `list-quants`), so the
    /// memory bandwidth is worth measuring even without a speed goal.
    shows_speed: bool,
    device: OnceLock<Device>,
    bandwidth: OnceLock<Bandwidth>,
    profile: OnceLock<Loaded>,
    renderer: OnceLock<Renderer>,
    measurements: OnceLock<Store>,
}

impl Context {
    /// The context of a run with these flags in this environment.
    pub fn new(flags: Global, env: Env, ask_ollama_version: bool) -> Context {
        Context {
            paths: Paths::of(&env),
            flags,
            env,
            ask_ollama_version,
            shows_speed: false,
            device: OnceLock::new(),
            bandwidth: OnceLock::new(),
            profile: OnceLock::new(),
            renderer: OnceLock::new(),
            measurements: OnceLock::new(),
        }
    }

    /// The same context for a command that shows speeds (see [`Context::shows_speed`]).
    pub fn showing_speed(mut self, shows: bool) -> Context {
        self.shows_speed = shows;
        self
    }

    /// Whether the command shows speeds, so the bandwidth may be measured for it.
    pub fn shows_speed(&self) -> bool {
        self.shows_speed
    }

    /// The memory bandwidths, resolved once: `--bandwidth`, the table of known
    /// GPUs, and the CPU's remembered measurement, else a new one (≤ 200 ms, the
    /// first time on a machine). Call it only when a speed is needed.
    pub fn bandwidth(&self) -> &Bandwidth {
        self.bandwidth.get_or_init(|| {
            bandwidth::resolve(&bandwidth::Request {
                env: &self.probe_environment(),
                device: self.device(),
                state_dir: self.paths.state.as_deref(),
                overridden: self.flags.bandwidth,
                elsewhere: !self
                    .server_host()
                    .is_local(&crate::server_env::observe::local_names()),
            })
        })
    }

    /// The bandwidths, if this run resolved them (see [`Context::bandwidth`]).
    pub fn resolved_bandwidth(&self) -> Option<&Bandwidth> {
        self.bandwidth.get()
    }

    /// Whether output is one JSON object.
    pub fn json(&self) -> bool {
        self.flags.json
    }

    /// The machine, probed once, with `--ram`/`--cores`/`--vram` applied.
    pub fn device(&self) -> &Device {
        self.device.get_or_init(|| {
            let probed = Device::probe(&self.probe_environment(), self.ask_ollama_version);
            probe::apply_overrides(probed, self.overrides())
        })
    }

    /// The memory and cores models are planned on.
    pub fn budget(&self) -> Budget {
        Budget::of(self.device())
    }

    fn overrides(&self) -> Overrides {
        Overrides {
            ram_bytes: self.flags.ram,
            cores: self.flags.cores.map(|n| n as usize),
            vram_bytes: self.flags.vram,
        }
    }

    fn probe_environment(&self) -> probe::Environment {
        probe::Environment {
            roots: Roots::from_setting(self.env.os(probe::ROOT_ENV)),
            search_path: self.env.os("PATH").map(OsString::from),
            ollama_bin: self.flags.ollama.clone(),
            home: self.env.os("HOME").map(PathBuf::from),
            ollama_models: self.env.os("OLLAMA_MODELS").map(OsString::from),
        }
    }

    /// The profile `--profile` selects (user profiles first, then built-ins).
    pub fn profile(&self) -> Result<&Loaded> {
        if let Some(loaded) = self.profile.get() {
            return Ok(loaded);
        }
        let loaded = profile::select(
            self.flags.profile.as_deref(),
            self.paths.profiles.as_deref(),
        )?;
        Ok(self.profile.get_or_init(|| loaded))
    }

    /// The Modelfile template: `--templates DIR` or the built-in one.
    pub fn renderer(&self) -> Result<&Renderer> {
        if let Some(renderer) = self.renderer.get() {
            return Ok(renderer);
        }
        let renderer = Renderer::new(self.flags.templates.as_deref())?;
        Ok(self.renderer.get_or_init(|| renderer))
    }

    /// The `ollama` program to drive (`--ollama`/`OLLAMA_BIN`, else PATH), with the
    /// quick-call timeout of `--timeout`.
    pub fn ollama(&self) -> Result<Ollama, OllamaError> {
        let located = Ollama::locate_in(self.flags.ollama.as_deref(), self.env.os("PATH"))?;
        Ok(located.with_timeout(Duration::from_secs(self.flags.timeout)))
    }

    /// The client of the Ollama server's HTTP API at `OLLAMA_HOST` (read by
    /// Ollama's own rules), with the quick-call timeout of `--timeout`.
    pub fn api(&self) -> Result<Api> {
        let base = self.server_host().base_url()?;
        let quick = Duration::from_secs(self.flags.timeout);
        Ok(Api::new(base).with_timeouts(quick, crate::ollama::api::SLOW_TIMEOUT))
    }

    /// The measurements file: `$XDG_STATE_HOME/provision/measurements.json`.
    pub fn measurements_path(&self) -> Option<PathBuf> {
        let dir = self.paths.state.as_ref()?;
        Some(dir.join(crate::measurements::FILE_NAME))
    }

    /// The measurements recorded on this machine, read once; a file that cannot
    /// be read is one warning and no measurements.
    pub fn measurements(&self) -> &Store {
        self.measurements.get_or_init(|| {
            let Some(path) = self.measurements_path() else {
                return Store::default();
            };
            let store = Store::read(&path);
            if let Some(problem) = store.problem() {
                crate::output::warn(problem);
            }
            store
        })
    }

    /// The registry `PROVISION_REGISTRY` names, through the proxies the environment
    /// asks for.
    pub fn registry(&self) -> Result<Registry> {
        Registry::from_vars(|name| self.env.var(name))
    }

    /// Whether stderr can show redrawn progress bars (`TERM` set and not `dumb`).
    pub fn terminal_redraws(&self) -> bool {
        self.env
            .var("TERM")
            .is_some_and(|term| !term.is_empty() && term != "dumb")
    }

    /// The user profile directory, for listings.
    pub fn profiles_dir(&self) -> Option<&Path> {
        self.paths.profiles.as_deref()
    }

    /// The root the Ollama server's settings are read and written under
    /// (`PROVISION_ROOT`, default `/`): tests point it at a fake tree.
    pub fn root(&self) -> PathBuf {
        let set = self.env.os(ROOT_ENV).filter(|r| !r.is_empty());
        set.map_or_else(|| PathBuf::from("/"), PathBuf::from)
    }

    /// The server `OLLAMA_HOST` names, read as Ollama's client reads it.
    pub fn server_host(&self) -> ServerHost {
        ServerHost::parse(self.env.var("OLLAMA_HOST").as_deref())
    }

    /// Whether this runs in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` is set).
    pub fn in_kubernetes(&self) -> bool {
        self.env.os("KUBERNETES_SERVICE_HOST").is_some()
    }

    /// Whether the device was given on the command line: `(flag, given)` for
    /// `--ram`, `--vram` and `--cores`.
    pub fn device_overrides(&self) -> [(&'static str, bool); 3] {
        [
            ("--ram", self.flags.ram.is_some()),
            ("--vram", self.flags.vram.is_some()),
            ("--cores", self.flags.cores.is_some()),
        ]
    }
}

/// The variable naming the root of the server settings (see [`Context::root`]).
pub const ROOT_ENV: &str = "PROVISION_ROOT";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_xdg_with_home_fallbacks() {
        let env = Env::from_pairs([
            ("HOME", "/h"),
            ("XDG_STATE_HOME", "/s"),
            ("XDG_CACHE_HOME", "rel"),
        ]);
        let paths = Paths::of(&env);
        assert_eq!(paths.state, Some(PathBuf::from("/s/provision")));
        let relative = Paths::of(&Env::from_pairs([
            ("HOME", "/h"),
            ("XDG_STATE_HOME", "rel"),
        ]));
        assert_eq!(
            relative.lock().unwrap(),
            PathBuf::from("/h/.local/state/provision/lock")
        );
        assert_eq!(paths.cache, Some(PathBuf::from("/h/.cache/provision")));
        assert_eq!(
            paths.profiles,
            Some(PathBuf::from("/h/.config/provision/profiles"))
        );
        assert_eq!(paths.lock().unwrap(), PathBuf::from("/s/provision/lock"));
        let none = Paths::of(&Env::default());
        assert!(
            none.lock()
                .unwrap_err()
                .to_string()
                .contains("XDG_STATE_HOME")
        );
    }

    #[test]
    fn variables_are_read_from_the_snapshot() {
        let env = Env::from_pairs([("TERM", "dumb")]);
        assert_eq!(env.var("TERM").as_deref(), Some("dumb"));
        assert_eq!(env.var("PATH"), None);
    }
}
