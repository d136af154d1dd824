//! The command line: clap types only. Parsing here never touches the system.

use crate::probe::bandwidth::parse_rate;
use crate::quant::Quant;
use crate::server_env::{Format as ServerEnvFormat, Policy as ServerEnvPolicy};
use crate::size::parse_size;
use crate::tier::Tier;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// Turn this machine into a well-tuned Ollama host.
///
/// `provision` probes the device (RAM, container limits, cores, GPU memory), chooses a
/// quantization tier on the Matryoshka ladder (16-bit → 8-bit → 4-bit → 2-bit), renders
/// Modelfiles and drives the `ollama` program.
#[derive(Debug, Parser)]
#[command(
    name = "provision",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts. Each probed value can be overridden, because
/// detection is sometimes wrong (virtual GPUs, containers, unified memory).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Use this much RAM as the memory budget instead of the probed one (16GiB, 16G, 8GB, bytes).
    #[arg(long, global = true, value_name = "SIZE", env = "PROVISION_RAM", value_parser = parse_size, allow_negative_numbers = true)]
    pub ram: Option<u64>,

    /// Use this many CPU cores instead of the probed effective count.
    #[arg(long, global = true, value_name = "N", env = "PROVISION_CORES", value_parser = clap::value_parser!(u32).range(1..), allow_negative_numbers = true)]
    pub cores: Option<u32>,

    /// Use one GPU with this much memory instead of the probed GPUs; 0 means no GPU.
    #[arg(long, global = true, value_name = "SIZE", env = "PROVISION_VRAM", value_parser = parse_size, allow_negative_numbers = true)]
    pub vram: Option<u64>,

    /// Use this memory bandwidth for the device models run on (the largest GPU,
    /// else RAM) instead of the measured or known one, e.g. 200GB/s.
    #[arg(long, global = true, value_name = "SIZE/s", env = "PROVISION_BANDWIDTH", value_parser = parse_rate)]
    pub bandwidth: Option<u64>,

    /// Force the tier instead of deciding it from the device: 16, 8, 4 or 2.
    #[arg(long, global = true, value_name = "BITS", env = "PROVISION_TIER")]
    pub tier: Option<Tier>,

    /// Print one JSON object on stdout instead of human-readable text.
    #[arg(long, global = true)]
    pub json: bool,

    /// The profile to use: a name (user profiles first, then built-ins) or a path to a YAML file.
    #[arg(
        long,
        global = true,
        value_name = "NAME|PATH",
        env = "PROVISION_PROFILE"
    )]
    pub profile: Option<String>,

    /// Read Modelfile.tera from this directory instead of the built-in template.
    #[arg(long, global = true, value_name = "DIR", env = "PROVISION_TEMPLATES")]
    pub templates: Option<PathBuf>,
    /// The `ollama` program to drive (default: `ollama` on PATH).
    #[arg(
        long = "ollama",
        global = true,
        value_name = "PATH",
        env = "OLLAMA_BIN"
    )]
    pub ollama: Option<std::path::PathBuf>,

    /// Give up on quick `ollama` calls (version, list, show) after this many seconds.
    #[arg(long, global = true, value_name = "SECONDS", env = "PROVISION_OLLAMA_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..), allow_negative_numbers = true)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what the machine has: RAM, container limits, cores, SIMD, GPUs, Ollama.
    ///
    /// Overrides (--ram, --cores, --vram) are applied and marked. Set
    /// PROVISION_PROBE_ROOT=<dir> to read <dir>/proc and <dir>/sys instead of the system's.
    Probe(ProbeArgs),
    /// Show what `provision auto` would do here: the tier, and for each model the
    /// quantization, tag, memory estimate, settings and why.
    ///
    /// With MODEL names, plans those (a profile model by name or base, or any library
    /// model such as `llama3.1:8b`); without, the profile's roster.
    Plan(PlanArgs),
    /// Show what is known about one model: its architecture, sizes, context, layers,
    /// KV bytes per token, sliding window, experts, recurrent layers and projector,
    /// where each fact came from, and its memory at 2K, 8K, 32K and its native context.
    ///
    /// Facts come from the installed model's GGUF header, the registry (manifest and
    /// header, cached), or the bundled catalog. MODEL may also be a path to a GGUF file.
    Inspect(InspectArgs),
    /// Print the Modelfile `provision auto` would create for MODEL on this device.
    ///
    /// MODEL is a profile model (by name or base) or a library model such as
    /// `llama3.1:8b`. Use it by hand: `provision modelfile llama3.1:8b > Modelfile &&
    /// ollama create mine -f Modelfile`.
    Modelfile(ModelfileArgs),
    /// List the quantization levels of a model: bits, tag, size, which are
    /// installed, which fit this device, and which `provision auto` would choose.
    ///
    /// MODEL is a library model (`llama3.1`, `llama3.1:8b`, a full tag) or a local
    /// name (`namespace/model:tag`, `hf.co/…`), for which only installed copies show.
    ListQuants(ListQuantsArgs),
    /// Provision this machine: pull the planned tags, create the tuned models, verify
    /// them. Idempotent: a model already as planned is left alone.
    ///
    /// With MODEL names, provisions those (a profile model by name or base, or any
    /// library model, created as `provision/<model>:<tag>`); without, the profile's
    /// roster. Exit codes: 0 all in place, 1 a model failed, 2 usage, 3 `--check`
    /// found changes, 130 interrupted.
    Auto(AutoArgs),

    /// Make the tier's version of an installed model, unless its quantization is
    /// already at or below the tier's precision (--tier, else the device's).
    ///
    /// F16/BF16/F32 weights are quantized with `ollama create --quantize` (to the
    /// nearest level Ollama can produce); a quantized library model is rebuilt from
    /// the library's tag at the tier. The result is `provision/<model>:<tag>`.
    Optimize(OptimizeArgs),

    /// Remove the base tags provision pulled that nothing uses any more.
    ///
    /// A tag goes when provision pulled it (never one you pulled yourself), no model of
    /// the profile is built from it, and no other installed model uses its weights.
    /// Targets provision created that the profile no longer names are listed, and
    /// removed with --prune-targets. Exit codes: 0 done, 1 a removal failed.
    Prune(PruneArgs),

    /// Ask the registry whether the base tags in use were republished.
    ///
    /// Compares each installed base tag of the profile's models with the registry's
    /// manifest digest (proxies honoured, one deadline for all). Exit codes: 0 all
    /// current (or the registry could not be asked: a warning), 3 some are outdated
    /// (`provision auto --update` brings them current).
    Outdated(OutdatedArgs),
    /// Load the planned models through Ollama and check each against the plan:
    /// loaded or not, the real size beside the estimate, the placement (GPU, CPU
    /// or split) beside the planned one, a concurrent roster resident together.
    ///
    /// The server is the one OLLAMA_HOST names (default 127.0.0.1:11434). Sizes
    /// are recorded in $XDG_STATE_HOME/provision/measurements.json for later
    /// plans. Exit codes: 0 every model as planned (warnings allowed), 1 a model
    /// failed, 2 usage, 130 interrupted.
    Verify(VerifyArgs),

    /// Time a short fixed generation of each planned model (or of the installed
    /// levels of one model with --quants): load time, prompt and decode tokens/s.
    ///
    /// The speeds are recorded beside the sizes `verify` measures. Exit codes: 0
    /// every model ran, 1 one failed, 2 usage, 130 interrupted.
    Bench(BenchArgs),

    /// List the built-in and user profiles with their descriptions and where they come from.
    Profiles(ProfilesArgs),

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

/// `provision probe` takes only the global flags.
#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {}

/// `provision profiles` takes only the global flags.
#[derive(Debug, Clone, Args)]
pub struct ProfilesArgs {}

/// The flags of `provision plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Models to plan instead of the profile's roster.
    #[arg(value_name = "MODEL")]
    pub models: Vec<String>,

    /// Print only the Ollama server variables the plan needs, in this format
    /// (helm: ollama-helm `extraEnv` values; env: a `docker --env-file`).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub server_env_format: Option<ServerEnvFormat>,

    /// Ask the registry for the facts of models the catalog knows too (names it does
    /// not know are always looked up); answers are cached.
    #[arg(long)]
    pub remote: bool,
}

/// The flags of `provision inspect`.
#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// The model: a name (installed, in the catalog, or in the registry) or a GGUF file.
    #[arg(value_name = "MODEL|FILE")]
    pub model: String,
    /// Ask the registry even when the catalog knows the model.
    #[arg(long)]
    pub remote: bool,
}

/// The flags of `provision modelfile`.
#[derive(Debug, Clone, Args)]
pub struct ModelfileArgs {
    /// The model to write a Modelfile for.
    pub model: String,
    /// Set a parameter, typed as Ollama reads it (repeatable): --set num_ctx=8192.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Use this system prompt instead of the profile's.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
}

/// The flags of `provision list-quants`.
#[derive(Debug, Clone, Args)]
pub struct ListQuantsArgs {
    /// The model to list.
    #[arg(value_name = "MODEL")]
    pub model: String,
    /// Ask the registry for each published tag's exact size (proxies honoured;
    /// offline, the catalog's sizes are used).
    #[arg(long)]
    pub remote: bool,
    /// Show only the levels installed here.
    #[arg(long)]
    pub installed: bool,
    /// Give up on the registry after this many seconds (one deadline for all tags).
    #[arg(long, value_name = "SECONDS", env = "PROVISION_REGISTRY_TIMEOUT", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..), allow_negative_numbers = true)]
    pub remote_timeout: u64,
}

/// The flags of `provision prune`.
#[derive(Debug, Clone, Args)]
pub struct PruneArgs {
    /// Print what would be removed; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Also remove the targets provision created that the profile no longer names.
    #[arg(long)]
    pub prune_targets: bool,

    /// Print only errors (and the report with --json).
    #[arg(long, short)]
    pub quiet: bool,

    /// Exit 1 instead of waiting when another provision run holds the lock.
    #[arg(long)]
    pub no_wait: bool,
}

/// The flags of `provision outdated`.
#[derive(Debug, Clone, Args)]
pub struct OutdatedArgs {
    /// Give up on the registry after this many seconds (one deadline for all tags).
    #[arg(long, value_name = "SECONDS", env = "PROVISION_REGISTRY_TIMEOUT", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub remote_timeout: u64,
}

/// The argument of `provision completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

/// The flags of `provision auto`.
#[derive(Debug, Clone, Args)]
pub struct AutoArgs {
    /// Models to provision instead of the profile's roster.
    #[arg(value_name = "MODEL")]
    pub models: Vec<String>,

    /// Print the `ollama` commands and Modelfiles it would run; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Change nothing; exit 0 when everything is up to date, 3 when changes are needed.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// Print only errors (and the report with --json).
    #[arg(long, short)]
    pub quiet: bool,

    /// Stop at the first model that fails instead of going on with the others.
    #[arg(long)]
    pub fail_fast: bool,

    /// Replace existing models that provision does not own.
    #[arg(long)]
    pub force: bool,

    /// Exit 1 instead of waiting when another provision run holds the lock.
    #[arg(long)]
    pub no_wait: bool,

    /// The Ollama server variables the plan needs: apply (a systemd drop-in for
    /// ollama.service, restarting it when values change; printed where that
    /// cannot be done), print (say what to set), skip.
    #[arg(
        long,
        value_enum,
        value_name = "POLICY",
        env = "PROVISION_SERVER_ENV",
        default_value = "apply"
    )]
    pub server_env: ServerEnvPolicy,

    /// Also write the server variables as KEY=VALUE lines to this file (for
    /// `docker --env-file` or a compose `env_file`).
    #[arg(long, value_name = "PATH")]
    pub server_env_file: Option<PathBuf>,

    /// Then remove the base tags provision pulled that nothing uses any more
    /// (as `provision prune`; planned against the whole profile, so no MODEL).
    #[arg(long, conflicts_with = "models")]
    pub prune: bool,

    /// --prune, and also remove the targets provision created that the profile no longer names.
    #[arg(long, conflicts_with = "models")]
    pub prune_targets: bool,

    /// Pull again the base tags the registry has republished and re-create the models built on them.
    #[arg(long)]
    pub update: bool,

    /// Give up on the registry after this many seconds (--update).
    #[arg(long, value_name = "SECONDS", env = "PROVISION_REGISTRY_TIMEOUT", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub remote_timeout: u64,

    /// Then load the models and check them as `provision verify` does (with
    /// --dry-run: print the loads).
    #[arg(long, conflicts_with = "check")]
    pub verify: bool,
}

/// The flags of `provision verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Models to check instead of the profile's roster.
    #[arg(value_name = "MODEL")]
    pub models: Vec<String>,

    /// Print only errors and warnings (and the report with --json).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The flags of `provision bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Models to time instead of the profile's roster (one with --quants).
    #[arg(value_name = "MODEL")]
    pub models: Vec<String>,

    /// Time these installed levels of one library model side by side
    /// (e.g. Q8_0,Q4_K_M) instead of the planned models.
    #[arg(long, value_name = "QUANT,…", value_delimiter = ',')]
    pub quants: Vec<Quant>,

    /// Print only errors and warnings (and the report with --json).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The flags of `provision optimize`.
#[derive(Debug, Clone, Args)]
pub struct OptimizeArgs {
    /// The installed model to optimize.
    #[arg(value_name = "MODEL")]
    pub model: String,

    /// The name of the optimized model (default: provision/<model>:<tag> at the level).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Print the `ollama` commands it would run; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print only errors (and the report with --json).
    #[arg(long, short)]
    pub quiet: bool,

    /// Replace an existing model of that name that provision does not own.
    #[arg(long)]
    pub force: bool,
}

/// Parses arguments; parsing never touches the system (clap reads the
/// `PROVISION_*` equivalents of flags, which the context owns). Help and version
/// requests come back as errors of their own kinds.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(args)
}

/// clap's message on one line, without its `error: ` prefix and the usage and
/// `--help` lines: the list a message announces (`not provided: <MODEL>`) and
/// clap's tips (`tip: to pass '-1' as a value, use '-- -1'`) stay, because they
/// name the argument.
pub fn usage_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let mut line = String::new();
    let message = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty());
    for part in message {
        let part = part.strip_prefix("error: ").unwrap_or(part);
        if !line.is_empty() {
            line.push_str(if part.starts_with("tip:") { "; " } else { " " });
        }
        line.push_str(part);
    }
    crate::text::one_line(&line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "provision",
            "completions",
            "bash",
            "--ram",
            "6GiB",
            "--cores",
            "4",
            "--json",
        ])
        .unwrap();
        assert_eq!(cli.global.ram, Some(6 << 30));
        assert_eq!(cli.global.cores, Some(4));
        assert!(cli.global.json);
    }

    #[test]
    fn profile_and_templates_are_global() {
        let cli = Cli::try_parse_from([
            "provision",
            "profiles",
            "--profile",
            "coder",
            "--templates",
            "t",
        ])
        .unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("coder"));
        assert_eq!(cli.global.templates, Some(PathBuf::from("t")));
    }

    #[test]
    fn ollama_binary_and_timeout_flags() {
        let cli = Cli::try_parse_from(["provision", "completions", "bash"]).unwrap();
        assert_eq!(cli.global.timeout, 30);
        let cli = Cli::try_parse_from([
            "provision",
            "completions",
            "bash",
            "--ollama",
            "/opt/ollama",
            "--timeout",
            "5",
        ])
        .unwrap();
        assert_eq!(
            cli.global.ollama.as_deref(),
            Some(std::path::Path::new("/opt/ollama"))
        );
        assert_eq!(cli.global.timeout, 5);
        assert!(
            Cli::try_parse_from(["provision", "completions", "bash", "--timeout", "0"]).is_err()
        );
    }

    fn line_of(args: &[&str]) -> String {
        usage_line(&Cli::try_parse_from(args).unwrap_err())
    }

    #[test]
    fn a_missing_argument_is_named() {
        for (command, argument) in [
            ("modelfile", "<MODEL>"),
            ("optimize", "<MODEL>"),
            ("list-quants", "<MODEL>"),
            ("completions", "<SHELL>"),
        ] {
            assert_eq!(
                line_of(&["provision", command]),
                format!("the following required arguments were not provided: {argument}")
            );
        }
    }

    #[test]
    fn a_negative_number_is_a_bad_value_of_its_flag_and_tips_are_kept() {
        assert!(
            line_of(&["provision", "plan", "--ram", "-1"])
                .starts_with("invalid value '-1' for '--ram <SIZE>': '-1' is not a size"),
        );
        assert!(
            line_of(&["provision", "--cores", "-2", "probe"])
                .starts_with("invalid value '-2' for '--cores <N>'"),
        );
        assert_eq!(
            line_of(&["provision", "plan", "-1"]),
            "unexpected argument '-1' found; tip: to pass '-1' as a value, use '-- -1'"
        );
        assert_eq!(
            line_of(&["provision", "completions", "tcsh"]),
            "invalid value 'tcsh' for '<SHELL>' [possible values: bash, elvish, fish, \
             powershell, zsh]; tip: a similar value exists: 'zsh'"
        );
    }

    #[test]
    fn bandwidth_takes_a_rate() {
        let cli = Cli::try_parse_from(["provision", "probe", "--bandwidth", "200GB/s"]).unwrap();
        assert_eq!(cli.global.bandwidth, Some(200_000_000_000));
        let error =
            Cli::try_parse_from(["provision", "probe", "--bandwidth", "200GB"]).unwrap_err();
        let line = usage_line(&error);
        assert!(
            line.contains("--bandwidth") && line.contains("200GB/s"),
            "{line}"
        );
    }

    #[test]
    fn a_bad_size_names_the_flag_and_value() {
        let error =
            Cli::try_parse_from(["provision", "--ram", "lots", "completions", "bash"]).unwrap_err();
        let line = usage_line(&error);
        assert!(line.contains("--ram") && line.contains("lots"), "{line}");
    }
}
