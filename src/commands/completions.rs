//! `provision completions <shell>`.

use crate::cli::Cli;
use clap::CommandFactory;
use std::process::ExitCode;

pub fn run(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "provision", &mut script);
    crate::exit::print(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
