//! One file per subcommand: the glue from parsed flags to the pieces and to output.

mod completions;
mod profiles;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Profiles => profiles::run(&cli.global),
    }
}
