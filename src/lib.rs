//! `provision`: probe the device, choose a quantization tier on the Matryoshka
//! ladder, render Modelfiles and drive the `ollama` program.

pub mod apply;
pub mod catalog;
pub mod cli;
mod commands;
pub mod estimate;
pub mod exit;
pub mod fit;
pub mod gguf;
pub mod levels;
pub mod lock;
pub mod modelfile;
pub mod name;
pub mod ollama;
pub mod plan;
pub mod probe;
pub mod profile;
pub mod quant;
pub mod registry;
pub mod report;
pub mod size;
pub mod tier;

use std::ffi::OsString;
use std::process::ExitCode;

/// Parses the command line, runs the subcommand and turns the outcome into an exit
/// code. Errors are printed as one line, `provision: <message>`.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(error) => exit::report(&error),
    }
}
