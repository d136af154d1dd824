//! `provision completions <shell>`.

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::exit::Outcome;
use clap::CommandFactory;

pub fn run(_ctx: &Context, args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "provision", &mut script);
    crate::output::print(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}
