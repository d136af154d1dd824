//! Devices for tests: the `--ram`/`--cores`/`--vram`/`--bandwidth` overrides
//! that make a run's tier, fits and speeds independent of the machine the tests
//! run on.

/// A machine as `provision` sees it through its overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    /// `--ram`, as the flag takes it (`16GiB`).
    pub ram: &'static str,
    pub cores: u32,
    /// `--vram`: `0` for no GPU.
    pub vram: &'static str,
    /// `--bandwidth` of the device models run on, so predicted speeds do not
    /// depend on the test machine either (and it is never measured).
    pub bandwidth: &'static str,
}

impl Device {
    /// 16 GiB of RAM, 4 cores, no GPU (the 8-bit tier): the machine most tests use.
    pub const DESKTOP: Device = Device::cpu("16GiB", 4);

    /// 8 GiB of RAM, 4 cores, no GPU (also the 8-bit tier, with half the room).
    pub const LAPTOP: Device = Device::cpu("8GiB", 4);

    /// A machine with this much RAM and these cores and no GPU, whose RAM
    /// reads 40 GB/s (a dual-channel DDR4 desktop's measured figure).
    pub const fn cpu(ram: &'static str, cores: u32) -> Device {
        Device {
            ram,
            cores,
            vram: "0",
            bandwidth: "40GB/s",
        }
    }

    /// The same machine with another memory bandwidth.
    pub const fn reading(self, bandwidth: &'static str) -> Device {
        Device { bandwidth, ..self }
    }

    /// The command-line flags that set this device.
    pub fn flags(&self) -> [String; 8] {
        [
            "--ram".into(),
            self.ram.into(),
            "--cores".into(),
            self.cores.to_string(),
            "--vram".into(),
            self.vram.into(),
            "--bandwidth".into(),
            self.bandwidth.into(),
        ]
    }
}
