//! Memory bandwidth, what decoding speed is bound by: how fast the cores read
//! RAM (measured once per machine and remembered, beside the theoretical figure
//! where the firmware tells it) and each GPU's from a table of known parts.
//! Resolved lazily by the context, only for runs that need a speed.

mod cache;
mod cpu;
mod dmi;
mod gpus;
mod measure;
mod rate;

pub use cache::FILE_NAME;
pub use dmi::Theoretical;
pub use measure::Measured;
pub use rate::{Rate, parse_rate};

use super::{Device, Environment};
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
    /// Peak dense FP16 compute in TFLOPS from the table (prompt speed); none
    /// for a part without a sourced figure.
    pub fp16_tflops: Option<f64>,
    /// The page the compute figure was read from.
    pub fp16_reference: Option<String>,
    /// Which figure it is (accumulate precision, dense or halved from sparse).
    pub fp16_note: Option<String>,
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
    /// The models run on another machine (a remote `OLLAMA_HOST`): this one's
    /// RAM is neither measured nor recalled for it.
    pub elsewhere: bool,
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
            // `--bandwidth` replaces the bandwidth only: the compute figure
            // still comes from the table.
            Some(bytes) if Some(gpu.index) == largest => GpuBandwidth {
                bytes_per_s: Some(bytes),
                source: Source::Override,
                reference: None,
                note: None,
                ..from_table(gpu.index, &gpu.name)
            },
            _ => from_table(gpu.index, &gpu.name),
        })
        .collect();
    let cpu = match (request.overridden, largest) {
        (Some(bytes), None) => CpuBandwidth {
            bytes_per_s: Some(bytes),
            source: Source::Override,
            ..cpu::unknown(None)
        },
        // The figure given is the GPU's; the CPU's matters only for a partial
        // offload, not worth a measurement on a machine described by flags.
        _ if request.elsewhere => cpu::unknown(Some(
            "not measured: OLLAMA_HOST names another machine; give its --bandwidth".into(),
        )),
        (Some(_), Some(_)) => cpu::resolve(request, false),
        (None, _) => cpu::resolve(request, true),
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
        fp16_tflops: part.and_then(|p| p.fp16_tflops),
        fp16_reference: part.and_then(|p| p.fp16_source.clone()),
        fp16_note: part.and_then(|p| p.fp16_note.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::overrides::tests::device;

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
            elsewhere: false,
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
        let remote = resolve(&Request {
            device: &cpu_only,
            overridden: None,
            elsewhere: true,
            ..request
        });
        assert_eq!(remote.cpu.source, Source::Unknown);
        assert!(
            remote
                .cpu
                .note
                .unwrap()
                .contains("OLLAMA_HOST names another machine")
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
            elsewhere: false,
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
        assert_eq!(found.gpus[1].fp16_tflops, Some(165.2));
        assert!(found.gpus[1].fp16_reference.is_some());
        assert_eq!(found.gpus[0].fp16_tflops, None);
        assert!(found.cpu.note.as_deref().unwrap().contains("fixture"));
    }
}
