//! CPU: logical and physical counts, the cgroup quota, model name, SIMD features.

use super::{Roots, cgroup};
use serde::Serialize;
use std::collections::BTreeSet;

/// The CPU as the probe saw it. `effective_cores` is the smallest of the counts
/// that limit how many threads can run at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cpu {
    pub logical_cpus: usize,
    pub physical_cores: Option<usize>,
    /// CPUs this process may run on (`Cpus_allowed_list`, what `nproc` counts):
    /// fewer than the logical CPUs under `taskset` or a container's cpuset.
    pub allowed_cpus: Option<usize>,
    /// The cgroup CPU quota in whole cores, rounded up; absent when there is none.
    pub cgroup_quota_cores: Option<usize>,
    pub effective_cores: usize,
    pub model: Option<String>,
    /// Of avx2, avx512f, avx512_vnni, amx, neon: the ones this CPU has.
    pub simd: Vec<&'static str>,
}

/// What `/proc/cpuinfo` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cpuinfo {
    pub processors: usize,
    pub physical_cores: Option<usize>,
    pub model: Option<String>,
    pub simd: Vec<&'static str>,
}

pub fn probe(roots: &Roots, notes: &mut Vec<String>) -> Cpu {
    let info = match Roots::read(&roots.proc.join("cpuinfo")) {
        Some(text) => parse_cpuinfo(&text),
        None if roots.live => from_std(),
        None => Cpuinfo::default(),
    };
    let logical = if info.processors == 0 {
        notes.push("could not count the CPUs; assuming 1".into());
        1
    } else {
        info.processors
    };
    let quota = quota(roots);
    let status = Roots::read(&roots.proc.join("self/status")).unwrap_or_default();
    let allowed = parse_allowed(&status);
    if allowed.is_none() && status.contains("Cpus_allowed_list:") {
        notes.push(
            "/proc/self/status Cpus_allowed_list is unreadable or impossible; taken as unknown"
                .into(),
        );
    }
    let effective = [Some(logical), allowed, quota].into_iter().flatten().min();
    Cpu {
        logical_cpus: logical,
        physical_cores: info.physical_cores,
        allowed_cpus: allowed,
        cgroup_quota_cores: quota,
        effective_cores: effective.unwrap_or(logical),
        model: info.model,
        simd: info.simd,
    }
}

/// The smallest cgroup CPU quota along the process's cgroups, v2 or v1.
fn quota(roots: &Roots) -> Option<usize> {
    let dirs = cgroup::dirs(roots, "cpu", &["cpu,cpuacct", "cpu"]);
    let v2 = dirs
        .v2
        .iter()
        .filter_map(|dir| cgroup::parse_cpu_max(&Roots::read(&dir.join("cpu.max"))?));
    let v1 = dirs.v1.iter().filter_map(|dir| {
        let quota = Roots::read(&dir.join("cpu.cfs_quota_us"))?;
        cgroup::parse_cfs(&quota, &Roots::read(&dir.join("cpu.cfs_period_us"))?)
    });
    v2.chain(v1).min()
}

/// Parses `/proc/cpuinfo` from x86 (`model name`, `flags`) or ARM (`Model`/
/// `CPU part`, `Features`). Physical cores are distinct (physical id, core id) pairs.
pub fn parse_cpuinfo(text: &str) -> Cpuinfo {
    let mut processors = 0;
    let mut cores = BTreeSet::new();
    let mut package = "";
    let (mut model, mut flags) = (None, None);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "processor" => processors += 1,
            "physical id" => package = value,
            "core id" => _ = cores.insert((package, value)),
            "model name" | "Model" | "cpu model" if model.is_none() && !value.is_empty() => {
                model = Some(value.to_string());
            }
            "flags" | "Features" if flags.is_none() => flags = Some(value),
            _ => {}
        }
    }
    Cpuinfo {
        processors,
        physical_cores: (!cores.is_empty()).then_some(cores.len()),
        model,
        simd: simd(flags.unwrap_or_default()),
    }
}

/// The SIMD features that matter for llama.cpp, from a cpuinfo flag list.
/// AArch64 calls NEON `asimd`; AMX has several flags (amx_tile, amx_bf16, amx_int8).
pub fn simd(flags: &str) -> Vec<&'static str> {
    let has = |name: &str| flags.split_whitespace().any(|f| f == name);
    let any_prefix = |prefix: &str| flags.split_whitespace().any(|f| f.starts_with(prefix));
    [
        ("avx2", has("avx2")),
        ("avx512f", has("avx512f")),
        ("avx512_vnni", has("avx512_vnni")),
        ("amx", any_prefix("amx_")),
        ("neon", has("neon") || has("asimd")),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

/// Counts the CPUs in `Cpus_allowed_list:` of `/proc/self/status` (`0-3,8,10-11`).
pub fn parse_allowed(status: &str) -> Option<usize> {
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
    let mut count: usize = 0;
    for range in list.trim().split(',') {
        let (first, last) = range.split_once('-').unwrap_or((range, range));
        let (first, last): (usize, usize) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
        count = last
            .checked_sub(first)
            .and_then(|span| span.checked_add(1))
            .and_then(|span| count.checked_add(span))?;
    }
    (count > 0).then_some(count)
}

/// Off Linux: the standard library and sysinfo, without a process walk.
fn from_std() -> Cpuinfo {
    let processors = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut simd = Vec::new();
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        simd.push("avx2");
    }
    if cfg!(target_arch = "aarch64") {
        simd.push("neon");
    }
    Cpuinfo {
        processors,
        physical_cores: sysinfo::System::physical_core_count(),
        model: None,
        simd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x86(processor: u32, package: u32, core: u32) -> String {
        format!(
            "processor\t: {processor}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n\
             physical id\t: {package}\ncore id\t\t: {core}\n\
             flags\t\t: fpu sse2 avx2 avx512f avx512_vnni amx_bf16 amx_tile amx_int8\n\n"
        )
    }

    #[test]
    fn x86_counts_and_features() {
        // Two packages, two cores each, two threads per core.
        let text: String = [
            (0, 0, 0),
            (1, 0, 1),
            (2, 1, 0),
            (3, 1, 1),
            (4, 0, 0),
            (5, 0, 1),
            (6, 1, 0),
            (7, 1, 1),
        ]
        .iter()
        .map(|&(p, s, c)| x86(p, s, c))
        .collect();
        let info = parse_cpuinfo(&text);
        assert_eq!(info.processors, 8);
        assert_eq!(info.physical_cores, Some(4));
        assert_eq!(
            info.model.as_deref(),
            Some("Intel(R) Xeon(R) Platinum 8480+")
        );
        assert_eq!(info.simd, ["avx2", "avx512f", "avx512_vnni", "amx"]);
    }

    #[test]
    fn aarch64_has_neon_and_no_core_ids() {
        let text = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes crc32\n\n\
                    processor\t: 1\nFeatures\t: fp asimd evtstrm aes crc32\n\nModel\t\t: Raspberry Pi 5 Model B Rev 1.0\n";
        let info = parse_cpuinfo(text);
        assert_eq!(info.processors, 2);
        assert_eq!(info.physical_cores, None);
        assert_eq!(info.simd, ["neon"]);
        assert_eq!(
            info.model.as_deref(),
            Some("Raspberry Pi 5 Model B Rev 1.0")
        );
    }

    #[test]
    fn allowed_cpu_lists() {
        assert_eq!(
            parse_allowed("Name:\tx\nCpus_allowed_list:\t0-1\n"),
            Some(2)
        );
        assert_eq!(parse_allowed("Cpus_allowed_list:\t0-3,8,10-11\n"), Some(7));
        assert_eq!(parse_allowed("Cpus_allowed_list:\t3-1\n"), None);
        let max = usize::MAX;
        assert_eq!(
            parse_allowed(&format!("Cpus_allowed_list:\t0-{max}\n")),
            None
        );
        assert_eq!(
            parse_allowed(&format!("Cpus_allowed_list:\t1-{max},0-3\n")),
            None
        );
        assert_eq!(parse_allowed(""), None);
    }

    #[test]
    fn quota_limits_effective_cores() {
        let text = x86(0, 0, 0) + &x86(1, 0, 1) + &x86(2, 0, 2) + &x86(3, 0, 3);
        let dir = crate::probe::roots::fixture(&[
            ("proc/cpuinfo", &text),
            ("proc/self/cgroup", "0::/\n"),
            ("sys/fs/cgroup/cpu.max", "150000 100000\n"),
            ("proc/self/status", "Cpus_allowed_list:\t0-2\n"),
        ]);
        let cpu = probe(&Roots::under(dir.path()), &mut Vec::new());
        assert_eq!(
            (
                cpu.logical_cpus,
                cpu.cgroup_quota_cores,
                cpu.effective_cores
            ),
            (4, Some(2), 2)
        );
        let dir = crate::probe::roots::fixture(&[
            ("proc/cpuinfo", &text),
            ("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n"),
            ("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n"),
        ]);
        let cpu = probe(&Roots::under(dir.path()), &mut Vec::new());
        assert_eq!((cpu.cgroup_quota_cores, cpu.effective_cores), (None, 4));
    }

    proptest::proptest! {
        #[test]
        fn any_allowed_list_counts_or_is_unknown(
            ranges in proptest::collection::vec((proptest::num::usize::ANY, proptest::num::usize::ANY), 1..4),
        ) {
            let list: Vec<String> = ranges.iter().map(|(a, b)| format!("{a}-{b}")).collect();
            let _ = parse_allowed(&format!("Cpus_allowed_list:\t{}\n", list.join(",")));
        }
    }
}
