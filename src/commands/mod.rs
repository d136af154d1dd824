//! One file per subcommand: the glue from parsed flags to the pieces and to output.

mod completions;
mod plan;
mod probe;
mod profiles;

use crate::cli::{Cli, Command, Global};
use crate::probe::{Device, Overrides, Roots, apply_overrides};
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Probe => probe::run(&device(&cli.global), cli.global.json),
        Command::Plan => plan::run(&device(&cli.global), cli.global.tier, cli.global.json),
        Command::Profiles => profiles::run(&cli.global),
    }
}

/// Probes the machine (or `$PROVISION_PROBE_ROOT`) once and applies the
/// override flags, so every command sees the same device.
fn device(global: &Global) -> Device {
    let overrides = Overrides {
        ram_bytes: global.ram,
        cores: global.cores.map(|n| n as usize),
        vram_bytes: global.vram,
    };
    apply_overrides(Device::probe(&Roots::from_env()), overrides)
}
