//! The CPU's read bandwidth: the remembered measurement of this machine, else
//! a new one (remembered), with the theoretical figure beside it.

use super::{CpuBandwidth, FILE_NAME, Request, Source, cache, dmi, measure};
use crate::probe::{Device, Roots};

pub(super) fn unknown(note: Option<String>) -> CpuBandwidth {
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
pub(super) fn resolve(request: &Request, measure: bool) -> CpuBandwidth {
    if !request.env.roots.live {
        let why = "not measured: the probe reads a fixture tree (PROVISION_PROBE_ROOT)";
        return unknown(Some(why.into()));
    }
    let machine = machine(request.device);
    let path = request.state_dir.map(|dir| dir.join(FILE_NAME));
    if let Some(remembered) = path.as_deref().and_then(|p| cache::recall(p, &machine)) {
        return figure(remembered, Source::Remembered, None);
    }
    if !measure {
        let why = "not measured: --bandwidth gives the GPU's figure; a partial offload's speed is unknown";
        return unknown(Some(why.into()));
    }
    let Some(entry) = measured(request, machine) else {
        return unknown(Some("the measurement could not run".into()));
    };
    let note = match &path {
        Some(path) => cache::remember(path, entry.clone())
            .err()
            .map(|e| format!("not remembered: {e:#}")),
        None => Some("not remembered: set XDG_STATE_HOME or HOME".into()),
    };
    figure(entry, Source::Measured, note)
}

/// What names this machine in the file: CPU model, logical CPUs, total RAM.
fn machine(device: &Device) -> cache::Machine {
    cache::Machine {
        cpu_model: device
            .cpu
            .model
            .clone()
            .unwrap_or_else(|| "unknown CPU".into()),
        logical_cpus: device.cpu.logical_cpus,
        total_ram_bytes: device.memory.total_bytes.unwrap_or(0),
    }
}

/// A new measurement of this machine, with its theoretical figure.
fn measured(request: &Request, machine: cache::Machine) -> Option<cache::Remembered> {
    let (env, device) = (request.env, request.device);
    let threads = measuring_threads(device);
    let llc = last_level_cache(&env.roots);
    let buffer = measure::buffer_bytes(llc, device.memory.available_bytes);
    Some(cache::Remembered {
        machine,
        measured: measure::measure(threads, buffer)?,
        theoretical: dmi::theoretical(env),
        measured_at: crate::measurements::now(),
    })
}

fn figure(entry: cache::Remembered, source: Source, note: Option<String>) -> CpuBandwidth {
    CpuBandwidth {
        bytes_per_s: Some(entry.measured.bytes_per_s),
        source,
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

    #[test]
    fn cache_sizes_parse() {
        assert_eq!(parse_cache_size("491520K\n"), Some(480 << 20));
        assert_eq!(parse_cache_size("32M"), Some(32 << 20));
        assert_eq!(parse_cache_size("x"), None);
    }
}
