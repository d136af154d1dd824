//! What the tier decision looks at: the memory budget and the cores.

use super::Device;
use crate::tier::{BudgetSource, TierInput};

/// The largest GPU's memory when there is a GPU (inference runs there), else
/// the effective RAM budget; cores are the effective cores either way.
pub fn tier_input(device: &Device) -> TierInput {
    let cores = device.cpu.effective_cores;
    match device.largest_gpu() {
        Some(gpu) => TierInput {
            memory_bytes: gpu.total_bytes,
            source: BudgetSource::Gpu,
            cores,
        },
        None => TierInput {
            memory_bytes: device.memory.effective_bytes.unwrap_or(0),
            source: BudgetSource::Ram,
            cores,
        },
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
        let input = tier_input(&device);
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
        let input = tier_input(&apply_overrides(device(), overrides));
        assert_eq!(
            (input.memory_bytes, input.source, input.cores),
            (6 << 30, BudgetSource::Ram, 4)
        );
        let mut unknown = device();
        unknown.gpus.clear();
        unknown.memory.effective_bytes = None;
        assert_eq!(tier_input(&unknown).memory_bytes, 0);
    }
}
