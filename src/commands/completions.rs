//! `provision completions <shell>`.

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use clap::CommandFactory;

pub fn run(ctx: &Context, args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    if ctx.json() {
        return Err(UsageError(
            "--json does not apply to `completions`: it prints a shell script".into(),
        )
        .into());
    }
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "provision", &mut script);
    crate::output::print(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}
