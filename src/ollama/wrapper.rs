//! The `Ollama` wrapper: the resolved program and one method per verb.

use super::process::{self, Call, Finished};
use super::{
    Interrupt, ListEntry, OllamaError, Parameter, ProgressState, ShowInfo, ShownModelfile, Verbose,
    Version, error, list, parameters, progress, show, show_modelfile, show_verbose, version,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default limit for quick calls (version, list, show).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The resolved `ollama` program, with one method per verb.
#[derive(Debug, Clone)]
pub struct Ollama {
    binary: PathBuf,
    timeout: Duration,
    interrupt: Interrupt,
}

/// A command line as errors and `--dry-run` print it, quoted for a POSIX shell
/// where a word needs it (`ollama create 'my model' -f …`).
pub fn command_line(program: &str, args: &[String]) -> String {
    let mut words = vec![program.to_string()];
    for arg in args {
        let plain = !arg.is_empty() && !arg.contains(|c: char| c.is_whitespace() || c == '\'');
        words.push(if plain {
            arg.clone()
        } else {
            format!("'{}'", arg.replace('\'', "'\\''"))
        });
    }
    words.join(" ")
}

/// Receives progress frames of `create` and `pull` while they stream.
pub type OnProgress<'a> = Option<&'a mut dyn FnMut(&ProgressState)>;

impl Ollama {
    /// Resolves the binary: `explicit` (from `--ollama`/`OLLAMA_BIN`) if given,
    /// else `ollama` on `search_path` (a PATH-style list).
    pub fn locate_in(
        explicit: Option<&Path>,
        search_path: Option<&std::ffi::OsStr>,
    ) -> Result<Ollama, OllamaError> {
        let binary = match explicit {
            Some(path) if path.is_file() => path.to_path_buf(),
            Some(path) => {
                return Err(OllamaError::Missing {
                    explicit: Some(path.to_path_buf()),
                });
            }
            None => {
                let cwd = std::env::current_dir().unwrap_or_default();
                which::which_in("ollama", search_path, cwd)
                    .map_err(|_| OllamaError::Missing { explicit: None })?
            }
        };
        Ok(Ollama {
            binary,
            timeout: DEFAULT_TIMEOUT,
            interrupt: Interrupt::new(),
        })
    }

    /// Sets the limit for quick calls.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the flag that interrupts running calls (see [`Interrupt::on_signals`]).
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Self {
        self.interrupt = interrupt;
        self
    }

    /// The resolved program.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The command line of a call as errors and `--dry-run` print it
    /// (`ollama create 'my model' -f …`).
    pub fn command_line(&self, args: &[&str]) -> String {
        self.display(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    /// The name the program is shown by: its file name (`ollama`, `ollama-lib`).
    pub fn program(&self) -> String {
        self.binary
            .file_name()
            .map_or("ollama".into(), |n| n.to_string_lossy().into_owned())
    }

    fn display(&self, args: &[String]) -> String {
        command_line(&self.program(), args)
    }

    fn failure(&self, doing: &str, args: &[String], finished: &Finished) -> OllamaError {
        let message = progress::error_message(&finished.stderr)
            .or_else(|| progress::error_message(&finished.stdout))
            .unwrap_or_else(|| match finished.stderr.trim() {
                "" => "no error message".to_string(),
                text => crate::text::one_line(&progress::strip_ansi(text)),
            });
        // Classified with its status prefix, which says whether the server failed.
        let class = error::classify(&message);
        let message = error::strip_status_prefix(&message).to_string();
        OllamaError::Failed {
            doing: doing.to_string(),
            command: self.display(args),
            code: finished.code,
            class,
            message: crate::text::one_line(&message),
        }
    }

    /// Runs a quick call under the timeout; a non-zero exit is a failure.
    fn bounded(&self, doing: &str, args: &[String]) -> Result<Finished, OllamaError> {
        let call = Call {
            binary: &self.binary,
            args,
            display: self.display(args),
        };
        let finished = process::run_bounded(&call, self.timeout, &self.interrupt)?;
        if finished.code != 0 {
            return Err(self.failure(doing, args, &finished));
        }
        Ok(finished)
    }

    fn quick(&self, doing: &str, args: &[&str]) -> Result<String, OllamaError> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Ok(self.bounded(doing, &args)?.stdout)
    }

    fn parsed<T>(
        &self,
        doing: &str,
        args: &[&str],
        parse: impl Fn(&str) -> anyhow::Result<T>,
    ) -> Result<T, OllamaError> {
        let stdout = self.quick(doing, args)?;
        parse(&stdout).map_err(|source| OllamaError::Unreadable {
            command: self.display(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>()),
            source,
        })
    }

    fn streamed(
        &self,
        doing: &str,
        args: Vec<String>,
        on_progress: OnProgress<'_>,
    ) -> Result<ProgressState, OllamaError> {
        let call = Call {
            binary: &self.binary,
            args: &args,
            display: self.display(&args),
        };
        let mut ignore = |_: &ProgressState| {};
        let finished =
            process::run_streamed(&call, &self.interrupt, on_progress.unwrap_or(&mut ignore))?;
        let state = progress::parse_progress(&finished.stderr);
        if finished.code != 0 {
            return Err(self.failure(doing, &args, &finished));
        }
        if !state.succeeded() {
            let message = format!(
                "finished without reporting success (last status: {:?})",
                state.last_status().unwrap_or("")
            );
            let finished = Finished {
                code: 0,
                stdout: String::new(),
                stderr: format!("Error: {message}\n"),
            };
            return Err(self.failure(doing, &args, &finished));
        }
        Ok(state)
    }

    /// `ollama -v`: never fails on a down server (it exits 0 with warnings).
    pub fn version(&self) -> Result<Version, OllamaError> {
        let finished = self.bounded("ask ollama for its version", &["-v".to_string()])?;
        Ok(version::parse_version(&format!(
            "{}\n{}",
            finished.stdout, finished.stderr
        )))
    }

    /// `ollama list`.
    pub fn list(&self) -> Result<Vec<ListEntry>, OllamaError> {
        self.parsed("list installed models", &["list"], list::parse_list)
    }

    /// `ollama show NAME` (the default view).
    pub fn show(&self, name: &str) -> Result<ShowInfo, OllamaError> {
        self.parsed(
            &format!("show model {name}"),
            &["show", name],
            show::parse_show,
        )
    }

    /// `ollama show --verbose NAME`: the default view with the GGUF metadata and tensors
    /// (Ollama 0.6.1 and later; older versions reject the flag).
    pub fn show_verbose(&self, name: &str) -> Result<(ShowInfo, Verbose), OllamaError> {
        self.parsed(
            &format!("show model {name}"),
            &["show", "--verbose", name],
            show_verbose::parse_show_verbose,
        )
    }

    /// `ollama show --modelfile NAME`.
    pub fn show_modelfile(&self, name: &str) -> Result<ShownModelfile, OllamaError> {
        self.parsed(
            &format!("show the Modelfile of {name}"),
            &["show", "--modelfile", name],
            show_modelfile::parse_shown_modelfile,
        )
    }

    /// `ollama show --parameters NAME`.
    pub fn show_parameters(&self, name: &str) -> Result<Vec<Parameter>, OllamaError> {
        self.parsed(
            &format!("show the parameters of {name}"),
            &["show", "--parameters", name],
            parameters::parse_parameters,
        )
    }

    /// `ollama create NAME -f <temp Modelfile> [-q LEVEL]`. The Modelfile is written
    /// to a private (0600) temporary file, so relative FROM/ADAPTER paths would
    /// resolve against its directory: pass absolute paths or model names.
    pub fn create(
        &self,
        name: &str,
        modelfile: &str,
        quantize: Option<&str>,
        on_progress: OnProgress<'_>,
    ) -> Result<ProgressState, OllamaError> {
        let doing = format!("create model {name}");
        let mut file = tempfile::Builder::new()
            .prefix("provision-")
            .suffix(".Modelfile")
            .tempfile()
            .map_err(|source| OllamaError::Spawn {
                command: doing.clone(),
                source,
            })?;
        file.write_all(modelfile.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|source| OllamaError::Spawn {
                command: doing.clone(),
                source,
            })?;
        let mut args = vec![
            "create".to_string(),
            name.to_string(),
            "-f".to_string(),
            file.path().display().to_string(),
        ];
        if let Some(level) = quantize {
            args.extend(["-q".to_string(), level.to_string()]);
        }
        self.streamed(&doing, args, on_progress)
    }

    /// `ollama pull NAME`.
    pub fn pull(
        &self,
        name: &str,
        on_progress: OnProgress<'_>,
    ) -> Result<ProgressState, OllamaError> {
        self.streamed(
            &format!("pull model {name}"),
            vec!["pull".to_string(), name.to_string()],
            on_progress,
        )
    }

    /// `ollama rm NAME`.
    pub fn rm(&self, name: &str) -> Result<(), OllamaError> {
        self.quick(&format!("remove model {name}"), &["rm", name])
            .map(drop)
    }
}
