//! The device probe: reads the machine once into a plain-data [`Device`].
//!
//! Every probe fails soft: a value it cannot read is absent and a note says why.
//! File reads go through [`Roots`] so tests can point them at fixture trees, and
//! external programs are found on PATH, so tests can put fakes there.

mod amd;
pub mod bandwidth;
mod budget;
mod cgroup;
mod command;
mod cpu;
mod gpu;
mod memory;
mod nvidia;
mod ollama;
mod overrides;
mod roots;

pub use budget::{Budget, GpuInfo};
pub use cpu::Cpu;
pub use gpu::{Gpu, GpuVendor, apple_gpu_budget};
pub use memory::Memory;
pub use ollama::OllamaSide;
pub use overrides::{Overrides, apply_overrides};
pub use roots::{Environment, ROOT_ENV, Roots};

use serde::Serialize;

/// Everything the probe learned about the machine, after overrides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    pub memory: Memory,
    pub cpu: Cpu,
    pub gpus: Vec<Gpu>,
    pub ollama: OllamaSide,
    /// The values the user replaced with `--ram`/`--cores`/`--vram` (or their env vars).
    pub overrides: Overrides,
    /// Why some value is absent or estimated, one sentence each.
    pub notes: Vec<String>,
}

impl Device {
    /// Probes the machine `env` describes; never panics, never hangs. Without
    /// `ollama -v` when `ask_ollama_version` is false (`auto` talks to Ollama
    /// itself and keeps its calls to a minimum).
    pub fn probe(env: &Environment, ask_ollama_version: bool) -> Device {
        let mut notes = Vec::new();
        let memory = memory::probe(&env.roots, &mut notes);
        let cpu = cpu::probe(&env.roots, &mut notes);
        let gpus = gpu::probe(env, &memory, &mut notes);
        let ollama = ollama::probe(env, &mut notes, ask_ollama_version);
        Device {
            memory,
            cpu,
            gpus,
            ollama,
            overrides: Overrides::default(),
            notes,
        }
    }

    /// The GPU with the most memory, if any.
    pub fn largest_gpu(&self) -> Option<&Gpu> {
        self.gpus.iter().max_by_key(|gpu| gpu.total_bytes)
    }
}
