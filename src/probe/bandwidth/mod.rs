//! Memory bandwidth, what decoding speed is bound by: how fast the cores read
//! RAM (measured once per machine and remembered, beside the theoretical figure
//! where the firmware tells it) and each GPU's from a table of known parts.
//! Resolved lazily by the context, only for runs that need a speed.

mod cache;
mod dmi;
mod gpus;
mod measure;
mod rate;

pub use cache::FILE_NAME;
pub use dmi::Theoretical;
pub use measure::Measured;
pub use rate::{Rate, parse_rate};

use super::{Device, Environment, Roots};
use serde::Serialize;
use std::path::Path;

/// Where a bandwidth figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Measured by this run.
    Measured,
    /// Measured by an earlier run on this machine.
    Remembered,
    /// `--bandwidth` / `PROVISION_BANDWIDTH`.
    Override,
    /// The table of known GPUs.
    Table,
    Unknown,
}

/// The bandwidths speeds are predicted with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bandwidth {
    /// RAM as all the CPU cores read it.
    pub cpu: CpuBandwidth,
    /// One per GPU of the device, in its order.
    pub gpus: Vec<GpuBandwidth>,
}

/// The CPU's read bandwidth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuBandwidth {
    /// Bytes per second; none when unknown.
    pub bytes_per_s: Option<u64>,
    pub source: Source,
    /// The measurement behind a measured or remembered figure.
    pub measurement: Option<Measured>,
    /// When it was measured (RFC 3339, UTC).
    pub measured_at: Option<String>,
    /// Channels × speed × width of the memory modules, when it can be read.
    pub theoretical: Option<Theoretical>,
    /// Why the figure is unknown, or not remembered.
    pub note: Option<String>,
}

/// One GPU's memory bandwidth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuBandwidth {
    pub index: u32,
    pub name: String,
    pub bytes_per_s: Option<u64>,
    pub source: Source,
    /// The page the table's figure was read from.
    pub reference: Option<String>,
    pub note: Option<String>,
}

impl Bandwidth {
    /// The bandwidth of the largest GPU (the one models are planned on).
    pub fn largest_gpu(&self, device: &Device) -> Option<&GpuBandwidth> {
        let largest = device.largest_gpu()?;
        self.gpus.iter().find(|g| g.index == largest.index)
    }
}

/// What resolving the bandwidths needs.
pub struct Request<'a> {
    pub env: &'a Environment,
    /// The device after overrides.
    pub device: &'a Device,
    /// Where the measurement is remembered (`$XDG_STATE_HOME/provision`).
    pub state_dir: Option<&'a Path>,
    /// `--bandwidth`: the bandwidth of the device models are placed on.
    pub overridden: Option<u64>,
}

/// The bandwidths of the device: `--bandwidth` for the device models are placed
/// on (the largest GPU, else the CPU), the table for GPUs, and for the CPU the
/// remembered measurement of this machine, else a new one (≤ 200 ms), remembered.
pub fn resolve(request: &Request) -> Bandwidth {
    let device = request.device;
    let largest = device.largest_gpu().map(|g| g.index);
    let gpus = device
        .gpus
        .iter()
        .map(|gpu| match request.overridden {
            Some(bytes) if Some(gpu.index) == largest => GpuBandwidth {
                index: gpu.index,
                name: gpu.name.clone(),
                bytes_per_s: Some(bytes),
                source: Source::Override,
                reference: None,
                note: None,
            },
            _ => from_table(gpu.index, &gpu.name),
        })
        .collect();
    let cpu = match (request.overridden, largest) {
        (Some(bytes), None) => CpuBandwidth {
            bytes_per_s: Some(bytes),
            source: Source::Override,
            ..unknown(None)
        },
        // The figure given is the GPU's; the CPU's matters only for a partial
        // offload, not worth a measurement on a machine described by flags.
        (Some(_), Some(_)) => cpu(request, false),
        (None, _) => cpu(request, true),
    };
    Bandwidth { cpu, gpus }
}

fn from_table(index: u32, name: &str) -> GpuBandwidth {
    let part = gpus::lookup(name);
    GpuBandwidth {
        index,
        name: name.to_string(),
        bytes_per_s: part.map(|p| (p.gbps * 1e9) as u64),
        source: if part.is_some() {
            Source::Table
        } else {
            Source::Unknown
        },
        reference: part.map(|p| p.source.clone()),
        note: match part {
            Some(part) => part.note.clone(),
            None => Some(format!(
                "not in the table of known GPUs (as of {}); give --bandwidth",
                gpus::as_of()
            )),
        },
    }
}

fn unknown(note: Option<String>) -> CpuBandwidth {
    CpuBandwidth {
        bytes_per_s: None,
        source: Source::Unknown,
        measurement: None,
        measured_at: None,
        theoretical: None,
        note,
    }
}

/// The CPU's figure: remembered, else measured now (and remembered) when
/// `measure` allows.
fn cpu(request: &Request, measure: bool) -> CpuBandwidth {
    let (env, device) = (request.env, request.device);
    if !env.roots.live {
        let why = "not measured: the probe reads a fixture tree (PROVISION_PROBE_ROOT)";
        return unknown(Some(why.into()));
    }
    let machine = cache::Machine {
        cpu_model: device
            .cpu
            .model
            .clone()
            .unwrap_or_else(|| "unknown CPU".into()),
        logical_cpus: device.cpu.logical_cpus,
        total_ram_bytes: device.memory.total_bytes.unwrap_or(0),
    };
    let path = request.state_dir.map(|dir| dir.join(FILE_NAME));
    if let Some(remembered) = path.as_deref().and_then(|p| cache::recall(p, &machine)) {
        return CpuBandwidth {
            bytes_per_s: Some(remembered.measured.bytes_per_s),
            source: Source::Remembered,
            measurement: Some(remembered.measured),
            measured_at: Some(remembered.measured_at),
            theoretical: Some(remembered.theoretical),
            note: None,
        };
    }
    if !measure {
        let why = "not measured: --bandwidth gives the GPU's figure; a partial offload's speed is unknown";
        return unknown(Some(why.into()));
    }
    let threads = measuring_threads(device);
    let buffer = measure::buffer_bytes(last_level_cache(&env.roots), device.memory.available_bytes);
    let Some(measured) = measure::measure(threads, buffer) else {
        return unknown(Some("the measurement could not run".into()));
    };
    let entry = cache::Remembered {
        machine,
        measured,
        theoretical: dmi::theoretical(env),
        measured_at: crate::measurements::now(),
    };
    let note = match &path {
        Some(path) => cache::remember(path, entry.clone())
            .err()
            .map(|e| format!("not remembered: {e:#}")),
        None => Some("not remembered: set XDG_STATE_HOME or HOME".into()),
    };
    CpuBandwidth {
        bytes_per_s: Some(entry.measured.bytes_per_s),
        source: Source::Measured,
        measurement: Some(entry.measured),
        measured_at: Some(entry.measured_at),
        theoretical: Some(entry.theoretical),
        note,
    }
}

/// Every CPU this process may run on: the probed counts, not `--cores` (which
/// says how many threads a model gets, not how many cores the machine has).
fn measuring_threads(device: &Device) -> usize {
    let cpu = &device.cpu;
    [
        Some(cpu.logical_cpus),
        cpu.allowed_cpus,
        cpu.cgroup_quota_cores,
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(1)
    .max(1)
}

/// The largest cache of CPU 0 (`/sys/devices/system/cpu/cpu0/cache/index*/size`).
fn last_level_cache(roots: &Roots) -> Option<u64> {
    let dir = roots.sys.join("devices/system/cpu/cpu0/cache");
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("index"))
        .filter_map(|e| Roots::read(&e.path().join("size")))
        .filter_map(|size| parse_cache_size(&size))
        .max()
}

/// `491520K`, `32M`, `1024` (bytes).
fn parse_cache_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number.parse().ok()?;
    let multiplier = match unit {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(multiplier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::overrides::tests::device;

    #[test]
    fn cache_sizes_parse() {
        assert_eq!(parse_cache_size("491520K\n"), Some(480 << 20));
        assert_eq!(parse_cache_size("32M"), Some(32 << 20));
        assert_eq!(parse_cache_size("x"), None);
    }

    #[test]
    fn the_override_is_the_bandwidth_of_the_device_models_run_on() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::under(dir.path());
        let gpu = device();
        let request = Request {
            env: &env,
            device: &gpu,
            state_dir: None,
            overridden: Some(500_000_000_000),
        };
        let found = resolve(&request);
        assert_eq!(found.gpus[0].bytes_per_s, Some(500_000_000_000));
        assert_eq!(found.gpus[0].source, Source::Override);
        assert_eq!(
            found.cpu.source,
            Source::Unknown,
            "a fixture is never measured"
        );
        let mut cpu_only = device();
        cpu_only.gpus.clear();
        let found = resolve(&Request {
            device: &cpu_only,
            ..request
        });
        assert_eq!(
            (found.cpu.bytes_per_s, found.cpu.source),
            (Some(500_000_000_000), Source::Override)
        );
    }

    #[test]
    fn known_gpus_come_from_the_table_and_others_are_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::under(dir.path());
        let mut two = device();
        let mut other = two.gpus[0].clone();
        other.index = 1;
        other.name = "NVIDIA GeForce RTX 4090".into();
        two.gpus.push(other);
        let found = resolve(&Request {
            env: &env,
            device: &two,
            state_dir: None,
            overridden: None,
        });
        assert_eq!(
            found.gpus[0].source,
            Source::Unknown,
            "an RTX 4060 is not in the table"
        );
        assert!(
            found.gpus[0]
                .note
                .as_deref()
                .unwrap()
                .contains("--bandwidth")
        );
        assert_eq!(found.gpus[1].bytes_per_s, Some(1_008_000_000_000));
        assert!(found.gpus[1].reference.is_some());
        assert!(found.cpu.note.as_deref().unwrap().contains("fixture"));
    }
}
