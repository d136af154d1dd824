//! One file per subcommand: the glue from parsed flags to the pieces and to output.

mod auto;
mod auto_text;
mod completions;
mod list_quants;
mod local_bases;
mod modelfile;
mod optimize;
mod plan;
mod probe;
mod profiles;

use crate::cli::{Cli, Command, Global};
use crate::modelfile::Renderer;
use crate::plan::{Inputs, Plan};
use crate::probe::{Device, Overrides, Roots, apply_overrides};
use crate::profile::{self, Loaded};
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Probe => probe::run(&device(&cli.global), cli.global.json),
        Command::Plan { models } => {
            let device = device(&cli.global);
            let plan = build_plan(&cli.global, &device, &models)?;
            plan::run(&device, &plan, cli.global.json)
        }
        Command::Modelfile { model, set, system } => {
            let device = device(&cli.global);
            let plan = build_plan(&cli.global, &device, std::slice::from_ref(&model))?;
            let renderer = Renderer::new(cli.global.templates.as_deref())?;
            let edits = modelfile::Edits {
                set: &set,
                system: system.as_deref(),
            };
            modelfile::run(plan, &edits, &renderer)
        }
        Command::Profiles => profiles::run(&cli.global),
        Command::ListQuants {
            model,
            remote,
            installed,
            remote_timeout,
        } => {
            let options = list_quants::Options {
                model,
                remote,
                installed_only: installed,
                remote_timeout: std::time::Duration::from_secs(remote_timeout),
            };
            list_quants::run(&cli.global, &options)
        }
        Command::Auto(args) => auto::run(&cli.global, &args),
        Command::Optimize(args) => optimize::run(&cli.global, &args),
    }
}

/// Probes the machine (or `$PROVISION_PROBE_ROOT`) once and applies the
/// override flags, so every command sees the same device.
fn device(global: &Global) -> Device {
    with_overrides(global, Device::probe(&Roots::from_env()))
}

/// Applies `--ram`, `--cores` and `--vram` to a probed device.
fn with_overrides(global: &Global, device: Device) -> Device {
    let overrides = Overrides {
        ram_bytes: global.ram,
        cores: global.cores.map(|n| n as usize),
        vram_bytes: global.vram,
    };
    apply_overrides(device, overrides)
}

/// The profile `--profile` selects (user profiles first, then built-ins).
fn load_profile(global: &Global) -> Result<Loaded> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let user_dir = profile::user_dir(
        std::env::var_os("XDG_CONFIG_HOME").as_deref(),
        home.as_deref(),
    );
    profile::select(global.profile.as_deref(), user_dir.as_deref())
}

/// Loads the profile and the templates, then plans `models` (or the roster).
fn build_plan(global: &Global, device: &Device, models: &[String]) -> Result<Plan> {
    let loaded = load_profile(global)?;
    let renderer = Renderer::new(global.templates.as_deref())?;
    let local = local_bases::gather(global, &loaded.profile, models);
    crate::plan::build(&Inputs {
        device,
        profile: &loaded.profile,
        forced_tier: global.tier,
        wanted: models,
        renderer: &renderer,
        local: &local,
    })
}
