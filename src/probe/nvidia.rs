//! NVIDIA GPUs through `nvidia-smi`, without linking CUDA or NVML.

use super::command;
use super::gpu::{Gpu, GpuVendor};
use anyhow::{Context, Result, bail};
use std::ffi::OsStr;

const MIB: u64 = 1 << 20;

/// The query `provision` runs; values are MiB, comma-and-space separated.
pub const QUERY: [&str; 2] = [
    "--query-gpu=index,name,memory.total,memory.free",
    "--format=csv,noheader,nounits",
];

/// Runs nvidia-smi when it is on PATH. `available` (MemAvailable) sizes
/// unified-memory parts, which print `[N/A]`.
pub fn probe(available: Option<u64>, path: Option<&OsStr>, notes: &mut Vec<String>) -> Vec<Gpu> {
    let Some(program) = command::find("nvidia-smi", path) else {
        return Vec::new();
    };
    let result = command::run(&program, &QUERY, command::TIMEOUT)
        .and_then(|printed| parse(&printed.stdout, available));
    result.unwrap_or_else(|error| {
        notes.push(format!("nvidia-smi: {error:#}"));
        Vec::new()
    })
}

/// Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.free
/// --format=csv,noheader,nounits`. A `[N/A]` memory field means unified memory:
/// the GPU gets `available` (system MemAvailable), as Ollama's NVML fallback does.
pub fn parse(text: &str, available: Option<u64>) -> Result<Vec<Gpu>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            parse_line(line, available).with_context(|| format!("could not parse '{line}'"))
        })
        .collect()
}

fn parse_line(line: &str, available: Option<u64>) -> Result<Gpu> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    if fields.len() < 4 {
        bail!("expected index, name, memory.total, memory.free");
    }
    let (total, free) = (fields[fields.len() - 2], fields[fields.len() - 1]);
    let index = fields[0].parse().context("bad index")?;
    // A name may itself hold commas: it is everything between index and memory.
    let name = fields[1..fields.len() - 2].join(", ");
    let (total_bytes, free_bytes, unified) = match (mib(total)?, mib(free)?) {
        (Some(total), Some(free)) => (total, free, false),
        _ => {
            let bytes = available.context("unified memory ([N/A]) and MemAvailable unknown")?;
            (bytes, bytes, true)
        }
    };
    Ok(Gpu {
        vendor: GpuVendor::Nvidia,
        index,
        name,
        total_bytes,
        free_bytes,
        unified_memory: unified,
        source: "nvidia-smi",
    })
}

/// A MiB field; `[N/A]` (or `N/A`) is `None`.
fn mib(field: &str) -> Result<Option<u64>> {
    if field.contains("N/A") {
        return Ok(None);
    }
    let value: u64 = field
        .parse()
        .with_context(|| format!("bad memory value '{field}'"))?;
    match value.checked_mul(MIB) {
        Some(bytes) => Ok(Some(bytes)),
        None => bail!("memory value {value} MiB is impossible"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_gpus() {
        let text = include_str!("../../tests/fixtures/nvidia-smi/two-gpus.txt");
        let gpus = parse(text, None).unwrap();
        assert_eq!(gpus.len(), 2);
        assert_eq!(gpus[0].name, "NVIDIA GeForce RTX 4090");
        assert_eq!(
            (gpus[0].total_bytes, gpus[0].free_bytes),
            (24564 * MIB, 23838 * MIB)
        );
        assert_eq!((gpus[1].index, gpus[1].total_bytes), (1, 81920 * MIB));
        assert!(!gpus[1].unified_memory);
    }

    #[test]
    fn unified_memory_uses_mem_available() {
        let text = include_str!("../../tests/fixtures/nvidia-smi/gb10-unified.txt");
        let gpus = parse(text, Some(100 << 30)).unwrap();
        assert_eq!(gpus[0].name, "NVIDIA GB10");
        assert_eq!(
            (gpus[0].total_bytes, gpus[0].free_bytes),
            (100 << 30, 100 << 30)
        );
        assert!(gpus[0].unified_memory);
        assert!(parse(text, None).is_err());
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("No devices were found\n", None).is_err());
        assert!(parse("0, X, lots, 1\n", None).is_err());
        assert_eq!(parse("\n", None).unwrap(), []);
    }

    proptest::proptest! {
        #[test]
        fn any_memory_figure_parses_or_is_refused(total in proptest::num::u64::ANY, free in proptest::num::u64::ANY) {
            let parsed = parse(&format!("0, GPU, {total}, {free}\n"), None);
            proptest::prop_assert_eq!(parsed.is_ok(), total.checked_mul(MIB).is_some() && free.checked_mul(MIB).is_some());
        }
    }
}
