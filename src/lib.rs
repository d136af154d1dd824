//! `provision`: probe the device, choose a quantization tier on the Matryoshka
//! ladder, render Modelfiles and drive the `ollama` program.
//!
//! Parse, then probe, then plan, then act: [`cli`] parses, [`context`] reads the
//! environment once, [`probe`] reads the machine, the decision modules (`tier`,
//! `fit`, `plan`, `steps`) are pure, and only [`inventory`], [`execute`] and the
//! `ollama`/`registry` boundaries have side effects.

pub mod bench;
pub mod catalog;
pub mod child;
pub mod cli;
mod commands;
pub mod context;
pub mod download;
pub mod estimate;
pub mod execute;
pub mod exit;
pub mod facts;
pub mod fit;
pub mod gguf;
pub mod input;
pub mod interrupt;
pub mod inventory;
pub mod levels;
pub mod loaded;
pub mod lock;
pub mod measurements;
pub mod modelfile;
pub mod name;
pub mod ollama;
pub mod outdated;
pub mod output;
pub mod plan;
pub mod probe;
pub mod profile;
pub mod prune;
pub mod quant;
pub mod quantize;
pub mod registry;
pub mod server_env;
pub mod size;
pub mod speed;
pub mod state;
pub mod steps;
pub mod text;
pub mod tier;

use std::ffi::OsString;
use std::process::ExitCode;

/// Parses the command line, builds the context, runs the subcommand and turns
/// the outcome into an exit code. Errors are printed as one line,
/// `provision: <message>`.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    match commands::dispatch(cli, context::Env::of_process()) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(error) => output::report(&error),
    }
}

/// Help and version go to stdout with exit 0; any other clap error becomes one
/// line on stderr with exit 2, naming the flag and the value.
fn usage(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        // A full disk or closed pipe on stdout is reported like any other output.
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => match error.print() {
            Ok(()) => ExitCode::from(exit::OK),
            Err(io) => output::report(
                &anyhow::Error::new(io).context("could not write to standard output"),
            ),
        },
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(exit::USAGE)
        }
        _ => {
            output::error(&cli::usage_line(error));
            ExitCode::from(exit::USAGE)
        }
    }
}

#[cfg(test)]
mod layering;
