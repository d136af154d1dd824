//! GPUs: NVIDIA (nvidia-smi), AMD (sysfs, then rocm-smi), Apple Silicon (sysctl).

use super::memory::Memory;
use super::{Environment, amd, command, nvidia};
use serde::Serialize;
use std::ffi::OsStr;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// Who made the GPU, or `override` for the one `--vram` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuVendor {
    Nvidia,
    Amd,
    Apple,
    Override,
}

/// One GPU and the memory models can use on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gpu {
    pub vendor: GpuVendor,
    pub index: u32,
    pub name: String,
    pub total_bytes: u64,
    pub free_bytes: u64,
    /// Shares system RAM (Apple Silicon, NVIDIA GB10/Jetson): sized from RAM.
    pub unified_memory: bool,
    /// Where the figures came from: `nvidia-smi`, `sysfs`, `rocm-smi`, `sysctl`, `--vram`.
    pub source: &'static str,
}

pub fn probe(env: &Environment, memory: &Memory, notes: &mut Vec<String>) -> Vec<Gpu> {
    let path = env.search_path.as_deref();
    let mut gpus = nvidia::probe(memory.available_bytes, path, notes);
    gpus.extend(amd::probe(&env.roots, path, notes));
    if cfg!(all(target_os = "macos", target_arch = "aarch64")) && env.roots.live {
        gpus.extend(apple(path, notes));
    }
    gpus
}

/// Apple Silicon's unified-memory GPU, sized by `apple_gpu_budget`, named by
/// the chip (`Apple M2 Max GPU`) so its bandwidth can be looked up.
fn apple(path: Option<&OsStr>, notes: &mut Vec<String>) -> Option<Gpu> {
    let read = |name: &str| {
        let program = command::find("sysctl", path)?;
        let printed = command::run(&program, &["-n", name], command::TIMEOUT).ok()?;
        Some(printed.stdout)
    };
    let sysctl = |name: &str| parse_number(&read(name)?);
    let Some(memsize) = sysctl("hw.memsize") else {
        notes.push("could not read hw.memsize with sysctl".into());
        return None;
    };
    let budget = apple_gpu_budget(memsize, sysctl("iogpu.wired_limit_mb"));
    Some(Gpu {
        vendor: GpuVendor::Apple,
        index: 0,
        name: apple_gpu_name(read("machdep.cpu.brand_string").as_deref()),
        total_bytes: budget,
        free_bytes: budget,
        unified_memory: true,
        source: "sysctl",
    })
}

/// The memory Metal lets the GPU wire: `iogpu.wired_limit_mb` when set (non-zero),
/// else macOS's default, 2/3 of RAM up to 32 GiB and 3/4 above (observed, not
/// documented by Apple).
pub fn apple_gpu_budget(memsize: u64, wired_limit_mb: Option<u64>) -> u64 {
    match wired_limit_mb {
        Some(mib) if mib > 0 && mib.checked_mul(MIB).is_some() => mib * MIB,
        _ if memsize <= 32 * GIB => memsize / 3 * 2,
        _ => memsize / 4 * 3,
    }
}

/// `Apple M2 Max GPU` from the chip's brand string, else `Apple Silicon GPU`.
pub fn apple_gpu_name(brand: Option<&str>) -> String {
    match brand.map(str::trim) {
        Some(chip) if chip.starts_with("Apple ") => format!("{chip} GPU"),
        _ => "Apple Silicon GPU".to_string(),
    }
}

/// A number printed alone on a line (`sysctl -n`, sysfs files).
pub fn parse_number(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_budget_follows_macos_defaults() {
        assert_eq!(apple_gpu_budget(16 * GIB, None), 16 * GIB / 3 * 2);
        assert_eq!(apple_gpu_budget(32 * GIB, Some(0)), 32 * GIB / 3 * 2);
        assert_eq!(apple_gpu_budget(64 * GIB, None), 48 * GIB);
        assert_eq!(apple_gpu_budget(128 * GIB, None), 96 * GIB);
        assert_eq!(apple_gpu_budget(64 * GIB, Some(57344)), 56 * GIB);
    }

    #[test]
    fn the_apple_gpu_is_named_by_its_chip() {
        assert_eq!(apple_gpu_name(Some("Apple M2 Max\n")), "Apple M2 Max GPU");
        assert_eq!(
            apple_gpu_name(Some("Intel(R) Core(TM) i9")),
            "Apple Silicon GPU"
        );
        assert_eq!(apple_gpu_name(None), "Apple Silicon GPU");
    }

    #[test]
    fn parses_sysctl_numbers() {
        assert_eq!(parse_number("17179869184\n"), Some(16 * GIB));
        assert_eq!(parse_number(""), None);
    }
}
