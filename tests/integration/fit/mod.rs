//! The fit decisions through the library, device by device: `matrix` (one model on
//! RAM × cores × GPU) and `roster` (models kept loaded together).

use provision::catalog::Catalog;
use provision::fit::{Budget, FitPolicy, GpuInfo, ModelRequest};
use provision::ollama::rules::OllamaVersion;

mod matrix;
mod roster;

const GIB: u64 = 1 << 30;

/// A device as the fit sees it: `ram_gib` GiB of RAM, `cores` cores and, unless
/// `gpu_gib` is 0, one GPU of `gpu_gib` GiB.
fn budget(ram_gib: u64, cores: u32, gpu_gib: u64) -> Budget {
    let gpus = if gpu_gib == 0 {
        Vec::new()
    } else {
        vec![GpuInfo {
            name: format!("test GPU {gpu_gib} GiB"),
            memory_bytes: gpu_gib * GIB,
        }]
    };
    Budget {
        gpus,
        ..cpu(ram_gib * GIB, cores)
    }
}

/// A device with exactly `ram_bytes` of RAM, `cores` cores and no GPU.
fn cpu(ram_bytes: u64, cores: u32) -> Budget {
    Budget {
        ram_bytes,
        cores,
        gpus: Vec::new(),
    }
}

/// The default policy for an Ollama of the classic estimator (0.9.3 – 0.11.10, the
/// context capped at the native one), whose figures the expectations were worked
/// out from by hand; the newest rules are checked in `src/estimate.rs`.
fn policy() -> FitPolicy {
    FitPolicy {
        ollama: OllamaVersion::parse("0.11.10").expect("a version"),
        ..FitPolicy::default()
    }
}

/// A bundled catalog model, as the fit is asked about it.
fn request(name: &str) -> ModelRequest<'static> {
    ModelRequest::new(Catalog::bundled().resolve(name).unwrap())
}
