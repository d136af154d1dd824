//! The one budget view of a device: the memory and cores models are planned on,
//! derived once from the probed (and overridden) [`Device`].

use super::Device;
use crate::size::Binary;
use crate::tier::{BudgetSource, TierInput};
use serde::Serialize;

/// The memory models may use, as the device reports it (before the reserve).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// The effective RAM budget (MemAvailable, cgroup limit or `--ram`).
    pub ram_bytes: u64,
    /// Effective CPU cores (becomes `num_thread`).
    pub cores: u32,
    /// GPUs; empty on CPU-only machines.
    pub gpus: Vec<GpuInfo>,
}

/// One GPU and its memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GpuInfo {
    pub name: String,
    pub memory_bytes: u64,
}

impl Budget {
    /// The budget of a device: its effective RAM and cores, and each GPU.
    pub fn of(device: &Device) -> Budget {
        Budget {
            ram_bytes: device.memory.effective_bytes.unwrap_or(0),
            cores: u32::try_from(device.cpu.effective_cores)
                .unwrap_or(u32::MAX)
                .max(1),
            gpus: device
                .gpus
                .iter()
                .map(|gpu| GpuInfo {
                    name: gpu.name.clone(),
                    memory_bytes: gpu.total_bytes,
                })
                .collect(),
        }
    }

    /// Where models run: the GPU when there is one, else RAM.
    pub fn source(&self) -> BudgetSource {
        if self.gpus.is_empty() {
            BudgetSource::Ram
        } else {
            BudgetSource::Gpu
        }
    }

    /// The memory of the device models are placed on: the largest GPU (models are
    /// planned on one GPU), else RAM.
    pub fn memory_bytes(&self) -> u64 {
        self.largest_gpu()
            .map_or(self.ram_bytes, |gpu| gpu.memory_bytes)
    }

    fn largest_gpu(&self) -> Option<&GpuInfo> {
        self.gpus.iter().max_by_key(|g| g.memory_bytes)
    }

    /// What the tier decision looks at: the memory models are placed on and the
    /// cores (inference runs on the largest GPU when there is one).
    pub fn tier_input(&self) -> TierInput {
        TierInput {
            memory_bytes: self.memory_bytes(),
            source: self.source(),
            cores: self.cores as usize,
        }
    }

    /// One line about the memory and cores models are planned on.
    pub fn describe(&self) -> String {
        let gpu = match self.largest_gpu() {
            Some(gpu) => format!("GPU {} with {}", gpu.name, Binary(gpu.memory_bytes)),
            None => "no GPU".to_string(),
        };
        format!(
            "{} RAM budget, {} cores, {gpu}",
            Binary(self.ram_bytes),
            self.cores
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::overrides::tests::device;
    use crate::probe::{Overrides, apply_overrides};

    #[test]
    fn largest_gpu_wins() {
        let mut device = device();
        let mut big = device.gpus[0].clone();
        big.total_bytes = 24 << 30;
        big.index = 1;
        device.gpus.push(big);
        let input = Budget::of(&device).tier_input();
        assert_eq!(
            (input.memory_bytes, input.source, input.cores),
            (24 << 30, BudgetSource::Gpu, 8)
        );
    }

    #[test]
    fn without_gpu_the_effective_ram() {
        let overrides = Overrides {
            ram_bytes: Some(6 << 30),
            cores: Some(4),
            vram_bytes: Some(0),
        };
        let input = Budget::of(&apply_overrides(device(), overrides)).tier_input();
        assert_eq!(
            (input.memory_bytes, input.source, input.cores),
            (6 << 30, BudgetSource::Ram, 4)
        );
        let mut unknown = device();
        unknown.gpus.clear();
        unknown.memory.effective_bytes = None;
        assert_eq!(Budget::of(&unknown).tier_input().memory_bytes, 0);
        assert_eq!(
            Budget::of(&unknown).describe(),
            "0 B RAM budget, 8 cores, no GPU"
        );
    }
}
