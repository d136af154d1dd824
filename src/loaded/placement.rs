//! Where a loaded model sits, from `size` and `size_vram` of `GET /api/ps`, in
//! the words `ollama ps` uses (`cmd/cmd.go` `ListRunningHandler` at v0.33.0-rc2:
//! `100% GPU`, `100% CPU`, `48%/52% CPU/GPU`).

use crate::fit::Run;
use std::fmt;

/// A loaded model's placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// All of it in GPU memory.
    Gpu,
    /// None of it in GPU memory.
    Cpu,
    /// Part in GPU memory: the percentages `ollama ps` prints.
    Split { cpu_percent: u8, gpu_percent: u8 },
}

impl Placement {
    /// The placement of `size` bytes with `size_vram` of them on the GPU.
    pub fn of(size: u64, size_vram: u64) -> Placement {
        if size_vram == 0 {
            return Placement::Cpu;
        }
        if size_vram >= size {
            return Placement::Gpu;
        }
        // math.Round of the CPU share, as Ollama prints it.
        let cpu = ((size - size_vram) as f64 / size as f64 * 100.0).round() as u8;
        let cpu = cpu.clamp(1, 99);
        Placement::Split {
            cpu_percent: cpu,
            gpu_percent: 100 - cpu,
        }
    }

    /// Whether it is where the plan put it: a whole-GPU plan must load wholly on
    /// the GPU; a CPU plan wholly in RAM; a partial offload split.
    pub fn as_planned(self, run: Run) -> bool {
        matches!(
            (run, self),
            (Run::Gpu, Placement::Gpu)
                | (Run::Cpu, Placement::Cpu)
                | (Run::PartialOffload, Placement::Split { .. })
        )
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Placement::Gpu => f.write_str("100% GPU"),
            Placement::Cpu => f.write_str("100% CPU"),
            Placement::Split {
                cpu_percent,
                gpu_percent,
            } => write!(f, "{cpu_percent}%/{gpu_percent}% CPU/GPU"),
        }
    }
}

/// The plan's placement in the same words: `100% GPU`, `100% CPU`, `split`.
pub fn planned(run: Run) -> &'static str {
    match run {
        Run::Gpu => "100% GPU",
        Run::Cpu => "100% CPU",
        Run::PartialOffload => "split",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_print_as_ollama_ps_does() {
        assert_eq!(Placement::of(100, 100).to_string(), "100% GPU");
        assert_eq!(Placement::of(100, 0).to_string(), "100% CPU");
        assert_eq!(Placement::of(100, 52).to_string(), "48%/52% CPU/GPU");
        assert_eq!(Placement::of(1000, 999).to_string(), "1%/99% CPU/GPU");
        assert_eq!(Placement::of(0, 0), Placement::Cpu);
    }

    #[test]
    fn a_gpu_plan_loaded_split_is_not_as_planned() {
        assert!(Placement::Gpu.as_planned(Run::Gpu));
        assert!(!Placement::of(100, 52).as_planned(Run::Gpu));
        assert!(Placement::of(100, 52).as_planned(Run::PartialOffload));
        assert!(!Placement::Gpu.as_planned(Run::Cpu));
    }
}
