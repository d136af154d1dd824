//! Memory: total and available RAM, the container limit, the effective budget.

use super::{Roots, cgroup};
use serde::Serialize;

/// RAM as the probe saw it. `effective_bytes` is the smallest of the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memory {
    pub total_bytes: Option<u64>,
    pub available_bytes: Option<u64>,
    /// The cgroup (container) memory limit; absent when there is none.
    pub cgroup_limit_bytes: Option<u64>,
    pub effective_bytes: Option<u64>,
}

/// The two `/proc/meminfo` figures the probe uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meminfo {
    pub total: Option<u64>,
    pub available: Option<u64>,
}

pub fn probe(roots: &Roots, notes: &mut Vec<String>) -> Memory {
    let meminfo = match Roots::read(&roots.proc.join("meminfo")) {
        Some(text) => parse_meminfo(&text, notes),
        None if roots.live => from_sysinfo(),
        None => Meminfo::default(),
    };
    if meminfo.total.is_none() {
        notes.push("could not read the total RAM".into());
    }
    let dirs = cgroup::dirs(roots, "memory", &["memory"]);
    let v2 = dirs.v2.iter().map(|d| d.join("memory.max"));
    let v1 = dirs.v1.iter().map(|d| d.join("memory.limit_in_bytes"));
    let cgroup_limit = v2
        .chain(v1)
        .filter_map(|file| Roots::read(&file))
        .filter_map(|text| cgroup::parse_memory_limit(&text))
        .min();
    combine(meminfo, cgroup_limit)
}

/// Puts the figures together; the effective budget is the smallest known one.
pub fn combine(meminfo: Meminfo, cgroup_limit: Option<u64>) -> Memory {
    let effective = [meminfo.total, meminfo.available, cgroup_limit]
        .into_iter()
        .flatten()
        .min();
    Memory {
        total_bytes: meminfo.total,
        available_bytes: meminfo.available,
        cgroup_limit_bytes: cgroup_limit,
        effective_bytes: effective,
    }
}

/// Parses `/proc/meminfo` (values in kB). Without `MemAvailable` (kernels
/// before 3.14) available is `MemFree + Buffers + Cached`, as Ollama does. A
/// value whose bytes do not fit 64 bits, or a total of 0, is impossible: unknown,
/// with a note.
pub fn parse_meminfo(text: &str, notes: &mut Vec<String>) -> Meminfo {
    let mut field = |name: &str| {
        let kib: u64 = text.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            rest.split_whitespace().next()?.parse().ok()
        })?;
        let bytes = kib
            .checked_mul(1024)
            .filter(|b| *b > 0 || name != "MemTotal");
        if bytes.is_none() {
            notes.push(format!(
                "/proc/meminfo {name} {kib} kB is impossible; taken as unknown"
            ));
        }
        bytes
    };
    let total = field("MemTotal");
    let available = match field("MemAvailable") {
        Some(bytes) => Some(bytes),
        None => [field("MemFree"), field("Buffers"), field("Cached")]
            .into_iter()
            .try_fold(0u64, |sum, part| sum.checked_add(part?)),
    };
    Meminfo { total, available }
}

/// Off Linux: sysinfo, refreshing memory only (a full refresh walks every process).
fn from_sysinfo() -> Meminfo {
    let mut system = sysinfo::System::new();
    system.refresh_memory();
    let known = |bytes: u64| (bytes > 0).then_some(bytes);
    Meminfo {
        total: known(system.total_memory()),
        available: known(system.available_memory()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:       24684084 kB\nMemFree:         1000000 kB\n\
        MemAvailable:   24267212 kB\nBuffers:          200000 kB\nCached:          3000000 kB\n";

    #[test]
    fn reads_meminfo() {
        let info = parse_meminfo(MEMINFO, &mut Vec::new());
        assert_eq!(info.total, Some(24684084 * 1024));
        assert_eq!(info.available, Some(24267212 * 1024));
    }

    #[test]
    fn estimates_available_on_old_kernels() {
        let old = MEMINFO.replace("MemAvailable:   24267212 kB\n", "");
        assert_eq!(
            parse_meminfo(&old, &mut Vec::new()).available,
            Some(4_200_000 * 1024)
        );
        assert_eq!(parse_meminfo("garbage", &mut Vec::new()).total, None);
    }

    #[test]
    fn impossible_values_are_unknown_with_a_note() {
        let mut notes = Vec::new();
        let huge = "MemTotal: 18446744073709551615 kB\nMemFree: 18014398509481984 kB\n\
                    Buffers: 1 kB\nCached: 1 kB\n";
        assert_eq!(parse_meminfo(huge, &mut notes), Meminfo::default());
        assert_eq!(
            notes,
            [
                "/proc/meminfo MemTotal 18446744073709551615 kB is impossible; taken as unknown",
                "/proc/meminfo MemFree 18014398509481984 kB is impossible; taken as unknown",
            ]
        );
        let sum = "MemTotal: 0 kB\nMemFree: 9007199254740991 kB\nBuffers: 9007199254740991 kB\nCached: 9007199254740991 kB\n";
        let mut notes = Vec::new();
        assert_eq!(parse_meminfo(sum, &mut notes), Meminfo::default());
        assert_eq!(
            notes.len(),
            1,
            "MemTotal 0; the sum overflows quietly into unknown"
        );
    }

    #[test]
    fn effective_is_the_smallest() {
        let info = Meminfo {
            total: Some(32 << 30),
            available: Some(20 << 30),
        };
        assert_eq!(combine(info, Some(4 << 30)).effective_bytes, Some(4 << 30));
        assert_eq!(combine(info, None).effective_bytes, Some(20 << 30));
        assert_eq!(combine(Meminfo::default(), None).effective_bytes, None);
    }

    fn probe_tree(files: &[(&str, &str)]) -> Memory {
        let dir = crate::probe::roots::fixture(files);
        probe(&Roots::under(dir.path()), &mut Vec::new())
    }

    #[test]
    fn cgroup_v2_limit_on_an_ancestor() {
        let memory = probe_tree(&[
            ("proc/meminfo", MEMINFO),
            ("proc/self/cgroup", "0::/kubepods/pod1\n"),
            ("sys/fs/cgroup/memory.max", "max\n"),
            ("sys/fs/cgroup/kubepods/memory.max", "4294967296\n"),
            ("sys/fs/cgroup/kubepods/pod1/memory.max", "max\n"),
        ]);
        assert_eq!(memory.cgroup_limit_bytes, Some(4 << 30));
        assert_eq!(memory.effective_bytes, Some(4 << 30));
    }

    #[test]
    fn cgroup_v1_limit_and_unlimited() {
        let limited = probe_tree(&[
            ("proc/meminfo", MEMINFO),
            ("proc/self/cgroup", "4:memory:/host/path\n0::/\n"),
            ("sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n"),
        ]);
        assert_eq!(limited.effective_bytes, Some(2 << 30));
        let unlimited = probe_tree(&[
            ("proc/meminfo", MEMINFO),
            (
                "sys/fs/cgroup/memory/memory.limit_in_bytes",
                "9223372036854771712\n",
            ),
        ]);
        assert_eq!(unlimited.cgroup_limit_bytes, None);
        assert_eq!(unlimited.effective_bytes, Some(24267212 * 1024));
    }

    proptest::proptest! {
        #[test]
        fn any_number_in_meminfo_is_a_value_or_unknown(
            total in proptest::num::u64::ANY,
            parts in proptest::collection::vec(proptest::num::u64::ANY, 3),
        ) {
            let text = format!(
                "MemTotal: {total} kB\nMemFree: {} kB\nBuffers: {} kB\nCached: {} kB\n",
                parts[0], parts[1], parts[2]
            );
            let info = parse_meminfo(&text, &mut Vec::new());
            proptest::prop_assert_eq!(info.total, total.checked_mul(1024).filter(|b| *b > 0));
        }
    }
}
