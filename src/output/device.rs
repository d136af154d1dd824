//! The device as people read it: the rows of `probe` and of every device summary.

use crate::measurements::date_of;
use crate::ollama::rules::OllamaTarget;
use crate::probe::Device;
use crate::probe::bandwidth::{Bandwidth, CpuBandwidth, GpuBandwidth, Rate, Source};
use crate::size::Binary;
use crate::tier::{BudgetSource, TierInput};

/// A label and a value, as one table row.
pub fn row(label: &str, value: impl Into<String>) -> Vec<String> {
    vec![label.to_string(), value.into()]
}

fn size(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "unknown".into(), |b| Binary(b).to_string())
}

fn marked(value: String, overridden: bool, flag: &str) -> String {
    if overridden {
        format!("{value}  (set by {flag})")
    } else {
        value
    }
}

/// Memory and CPU rows of the device table.
pub fn machine_rows(device: &Device) -> Vec<Vec<String>> {
    let (memory, cpu) = (&device.memory, &device.cpu);
    let ram_set = device.overrides.ram_bytes.is_some();
    let cores_set = device.overrides.cores.is_some();
    let limit = memory
        .cgroup_limit_bytes
        .map_or("none".into(), |b| Binary(b).to_string());
    let quota = cpu
        .cgroup_quota_cores
        .map_or("none".into(), |q| q.to_string());
    let allowed = cpu.allowed_cpus.map_or("unknown".into(), |n| n.to_string());
    let physical = cpu
        .physical_cores
        .map_or("unknown".into(), |n| n.to_string());
    let simd = if cpu.simd.is_empty() {
        "none".into()
    } else {
        cpu.simd.join(" ")
    };
    vec![
        row("RAM total", size(memory.total_bytes)),
        row("RAM available", size(memory.available_bytes)),
        row("container memory limit", limit),
        row(
            "RAM budget",
            marked(size(memory.effective_bytes), ram_set, "--ram"),
        ),
        row(
            "CPUs",
            format!("{} logical, {physical} physical cores", cpu.logical_cpus),
        ),
        row("allowed CPUs", allowed),
        row("container CPU quota", quota),
        row(
            "effective cores",
            marked(cpu.effective_cores.to_string(), cores_set, "--cores"),
        ),
        row(
            "CPU model",
            cpu.model.clone().unwrap_or_else(|| "unknown".into()),
        ),
        row("SIMD", simd),
    ]
}

/// One row per GPU, or a single `GPUs none` row.
pub fn gpu_rows(device: &Device) -> Vec<Vec<String>> {
    let vram_set = device.overrides.vram_bytes.is_some();
    if device.gpus.is_empty() {
        return vec![row("GPUs", marked("none".into(), vram_set, "--vram"))];
    }
    let gpus = device.gpus.iter().map(|gpu| {
        let unified = if gpu.unified_memory {
            ", unified memory"
        } else {
            ""
        };
        let value = format!(
            "{}: {} total, {} free ({}{unified})",
            gpu.name,
            Binary(gpu.total_bytes),
            Binary(gpu.free_bytes),
            gpu.source
        );
        row(&format!("GPU {}", gpu.index), value)
    });
    gpus.collect()
}

/// Rows for Ollama: binary, version, model store and its free disk.
pub fn ollama_rows(device: &Device) -> Vec<Vec<String>> {
    let ollama = &device.ollama;
    let binary = match (&ollama.path, &ollama.version) {
        (Some(path), Some(version)) => format!("{} ({version})", path.display()),
        (Some(path), None) => format!("{} (version unknown)", path.display()),
        (None, _) => "not on PATH".into(),
    };
    let store = ollama
        .models_dir
        .as_ref()
        .map_or("unknown".into(), |d| d.display().to_string());
    let rules = match OllamaTarget::from_reported(ollama.version.as_deref()) {
        Ok(target) => target.describe(),
        Err(why) => format!("not supported: {why}"),
    };
    vec![
        row("ollama", binary),
        row("plans for ollama", rules),
        row("model store", store),
        row("free disk", size(ollama.models_dir_free_bytes)),
    ]
}

/// The row stating the memory budget and cores the tier is decided on.
pub fn budget_row(input: &TierInput) -> Vec<String> {
    let source = match input.source {
        BudgetSource::Gpu => "largest GPU",
        BudgetSource::Ram => "RAM",
    };
    let value = format!(
        "{} ({source}), {} cores",
        Binary(input.memory_bytes),
        input.cores
    );
    row("tier budget", value)
}

/// The memory bandwidth rows: the CPU's figure and where it comes from, the
/// theoretical one, and each GPU's.
pub fn bandwidth_rows(bandwidth: &Bandwidth) -> Vec<Vec<String>> {
    let cpu = &bandwidth.cpu;
    let mut rows = vec![row("RAM bandwidth", cpu_figure(cpu))];
    if let Some(theoretical) = &cpu.theoretical {
        let value = match theoretical.bytes_per_s {
            Some(bytes) => format!("{}: {}", Rate(bytes), theoretical.how),
            None => format!("unknown: {}", theoretical.how),
        };
        rows.push(row("RAM theoretical", value));
    }
    rows.extend(
        bandwidth
            .gpus
            .iter()
            .map(|gpu| row(&format!("GPU {} bandwidth", gpu.index), gpu_figure(gpu))),
    );
    rows
}

fn cpu_figure(cpu: &CpuBandwidth) -> String {
    let figure = cpu.bytes_per_s.map(|b| Rate(b).to_string());
    let how = match (&cpu.measurement, cpu.source) {
        (_, Source::Override) => "(set by --bandwidth)".to_string(),
        (Some(m), Source::Measured | Source::Remembered) => {
            let when = match cpu.source {
                Source::Measured => "now".to_string(),
                _ => date_of(cpu.measured_at.as_deref().unwrap_or_default()).to_string(),
            };
            format!(
                "read by {} threads from {} (measured {when}, {} ms)",
                m.threads,
                Binary(m.buffer_bytes),
                m.elapsed_ms
            )
        }
        _ => String::new(),
    };
    let text = match figure {
        Some(figure) => format!("{figure} {how}").trim_end().to_string(),
        None => "unknown".to_string(),
    };
    match &cpu.note {
        Some(note) => format!("{text}; {note}"),
        None => text,
    }
}

fn gpu_figure(gpu: &GpuBandwidth) -> String {
    let mut text = match (gpu.bytes_per_s, gpu.source) {
        (Some(bytes), Source::Override) => format!("{}  (set by --bandwidth)", Rate(bytes)),
        (Some(bytes), _) => format!(
            "{} ({})",
            Rate(bytes),
            gpu.reference.as_deref().unwrap_or("known parts")
        ),
        (None, _) => "unknown".to_string(),
    };
    if let Some(note) = &gpu.note {
        text = format!("{text}; {note}");
    }
    text
}

/// One `note` row per soft failure of the probe.
pub fn note_rows(device: &Device) -> Vec<Vec<String>> {
    device
        .notes
        .iter()
        .map(|note| row("note", note.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overridden_values_say_so() {
        assert_eq!(marked("4".into(), true, "--cores"), "4  (set by --cores)");
        assert_eq!(marked("4".into(), false, "--cores"), "4");
    }
}
