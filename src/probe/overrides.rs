//! The user's `--ram`/`--cores`/`--vram` values, applied to the probed device in
//! one place so everything downstream sees one truth.

use super::Device;
use super::gpu::{Gpu, GpuVendor};
use serde::Serialize;

/// The values that replaced probed ones; `None` = probed value kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Overrides {
    /// Replaces the effective RAM budget.
    pub ram_bytes: Option<u64>,
    /// Replaces the effective core count.
    pub cores: Option<usize>,
    /// Replaces the GPUs by one with this much memory; 0 removes them all.
    pub vram_bytes: Option<u64>,
}

impl Overrides {
    /// True when no value was overridden.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// Applies `overrides` to the device and records them in `device.overrides`.
pub fn apply_overrides(mut device: Device, overrides: Overrides) -> Device {
    if let Some(bytes) = overrides.ram_bytes {
        device.memory.effective_bytes = Some(bytes);
    }
    if let Some(cores) = overrides.cores {
        device.cpu.effective_cores = cores;
    }
    if let Some(bytes) = overrides.vram_bytes {
        device.gpus.clear();
        if bytes > 0 {
            device.gpus.push(Gpu {
                vendor: GpuVendor::Override,
                index: 0,
                name: "set by --vram".into(),
                total_bytes: bytes,
                free_bytes: bytes,
                unified_memory: false,
                source: "--vram",
            });
        }
    }
    device.overrides = overrides;
    device
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::probe::{Cpu, Memory, OllamaSide};

    /// A device with 16 GiB RAM (12 available), 8 cores and one 8 GiB GPU.
    pub fn device() -> Device {
        Device {
            memory: Memory {
                total_bytes: Some(16 << 30),
                available_bytes: Some(12 << 30),
                cgroup_limit_bytes: None,
                effective_bytes: Some(12 << 30),
            },
            cpu: Cpu {
                logical_cpus: 8,
                physical_cores: Some(4),
                cgroup_quota_cores: None,
                allowed_cpus: Some(8),
                effective_cores: 8,
                model: None,
                simd: vec!["avx2"],
            },
            gpus: vec![Gpu {
                vendor: GpuVendor::Nvidia,
                index: 0,
                name: "NVIDIA GeForce RTX 4060".into(),
                total_bytes: 8 << 30,
                free_bytes: 7 << 30,
                unified_memory: false,
                source: "nvidia-smi",
            }],
            ollama: OllamaSide {
                path: None,
                version: None,
                models_dir: None,
                models_dir_free_bytes: None,
            },
            overrides: Overrides::default(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn nothing_to_override_changes_nothing() {
        assert_eq!(apply_overrides(device(), Overrides::default()), device());
    }

    #[test]
    fn overrides_replace_and_are_recorded() {
        let overrides = Overrides {
            ram_bytes: Some(6 << 30),
            cores: Some(4),
            vram_bytes: Some(24 << 30),
        };
        let device = apply_overrides(device(), overrides);
        assert_eq!(device.memory.effective_bytes, Some(6 << 30));
        assert_eq!(
            device.memory.total_bytes,
            Some(16 << 30),
            "probed facts stay"
        );
        assert_eq!(device.cpu.effective_cores, 4);
        assert_eq!(device.gpus.len(), 1);
        assert_eq!(
            (device.gpus[0].vendor, device.gpus[0].total_bytes),
            (GpuVendor::Override, 24 << 30)
        );
        assert_eq!(device.overrides, overrides);
        assert!(!device.overrides.is_empty());
    }

    #[test]
    fn zero_vram_means_no_gpu() {
        let overrides = Overrides {
            vram_bytes: Some(0),
            ..Overrides::default()
        };
        assert!(apply_overrides(device(), overrides).gpus.is_empty());
    }
}
