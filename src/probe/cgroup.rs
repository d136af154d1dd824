//! Container limits from cgroup v2 and v1 files, along the process's own
//! cgroup path and its ancestors (any of them may carry the limit).

use super::Roots;
use std::path::{Path, PathBuf};

/// v1 limits at or above this are the kernel's "unlimited" (page-rounded i64::MAX).
const HUGE: u64 = 1 << 60;

/// The cgroup directories that apply to this process: its own and every
/// ancestor, in the unified (v2) tree and in the v1 controller's tree.
pub struct Dirs {
    pub v2: Vec<PathBuf>,
    pub v1: Vec<PathBuf>,
}

/// The directories for the v1 controller mounted as any of `v1_mounts`
/// (e.g. `cpu,cpuacct` or `cpu`).
pub fn dirs(roots: &Roots, v1_controller: &str, v1_mounts: &[&str]) -> Dirs {
    let own = Roots::read(&roots.proc.join("self/cgroup")).unwrap_or_default();
    let v2 = chain(&roots.cgroup, own_path(&own, None).unwrap_or("/"));
    let v1_path = own_path(&own, Some(v1_controller)).unwrap_or("/");
    let v1 = v1_mounts
        .iter()
        .flat_map(|mount| chain(&roots.cgroup.join(mount), v1_path))
        .collect();
    Dirs { v2, v1 }
}

/// The path of the process's cgroup in `/proc/self/cgroup`: the `0::` line for
/// v2 (`controller` None), else the v1 line listing `controller`.
pub fn own_path<'a>(text: &'a str, controller: Option<&str>) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let wanted = match controller {
            None => id == "0" && controllers.is_empty(),
            Some(name) => name
                .split(',')
                .all(|n| controllers.split(',').any(|c| c == n)),
        };
        wanted.then_some(path)
    })
}

/// `base/path` and each of its ancestors down to `base`. In a container the
/// own path often names the host's hierarchy and is absent: `base` remains.
pub fn chain(base: &Path, path: &str) -> Vec<PathBuf> {
    let mut dirs = vec![base.to_path_buf()];
    let mut current = base.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty() && *p != "..") {
        current.push(part);
        dirs.push(current.clone());
    }
    dirs
}

/// A memory limit: v2 `memory.max` (`max` = none) or v1
/// `memory.limit_in_bytes` (huge = none). A limit of 0 is impossible for a
/// process that runs: none.
pub fn parse_memory_limit(text: &str) -> Option<u64> {
    let bytes: u64 = text.trim().parse().ok()?;
    (bytes > 0 && bytes < HUGE).then_some(bytes)
}

/// v2 `cpu.max` (`quota period` or `max period`) as whole cores, rounded up.
pub fn parse_cpu_max(text: &str) -> Option<usize> {
    let mut fields = text.split_whitespace();
    let quota = fields.next()?.parse().ok()?;
    let period = fields.next().map_or(Some(100_000), |p| p.parse().ok())?;
    cores(quota, period)
}

/// v1 `cpu.cfs_quota_us` (-1 = none) with `cpu.cfs_period_us`.
pub fn parse_cfs(quota: &str, period: &str) -> Option<usize> {
    let quota: i64 = quota.trim().parse().ok()?;
    let period: u64 = period.trim().parse().ok()?;
    cores(u64::try_from(quota).ok()?, period)
}

fn cores(quota: u64, period: u64) -> Option<usize> {
    if quota == 0 || period == 0 {
        return None;
    }
    usize::try_from(quota.div_ceil(period)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str =
        "9:name=systemd:/\n4:memory:/process_api/c335\n2:cpu,cpuacct:/docker/ab\n0::/\n";

    #[test]
    fn finds_own_paths() {
        assert_eq!(own_path(HYBRID, None), Some("/"));
        assert_eq!(own_path(HYBRID, Some("memory")), Some("/process_api/c335"));
        assert_eq!(own_path(HYBRID, Some("cpu,cpuacct")), Some("/docker/ab"));
        assert_eq!(own_path(HYBRID, Some("cpu")), Some("/docker/ab"));
        assert_eq!(
            own_path("0::/user.slice/a.scope\n", None),
            Some("/user.slice/a.scope")
        );
        assert_eq!(own_path("", None), None);
    }

    #[test]
    fn chains_ancestors() {
        let dirs = chain(Path::new("/c"), "/a/b");
        assert_eq!(dirs, ["/c", "/c/a", "/c/a/b"].map(PathBuf::from));
        assert_eq!(chain(Path::new("/c"), "/"), [PathBuf::from("/c")]);
    }

    #[test]
    fn memory_limits_v2_and_v1() {
        assert_eq!(parse_memory_limit("4294967296\n"), Some(4 << 30));
        assert_eq!(parse_memory_limit("max\n"), None);
        assert_eq!(parse_memory_limit("9223372036854771712\n"), None);
        assert_eq!(parse_memory_limit("garbage"), None);
        assert_eq!(parse_memory_limit("0\n"), None);
    }

    #[test]
    fn cpu_quotas_round_up() {
        assert_eq!(parse_cpu_max("max 100000\n"), None);
        assert_eq!(parse_cpu_max("200000 100000\n"), Some(2));
        assert_eq!(parse_cpu_max("150000 100000\n"), Some(2));
        assert_eq!(parse_cpu_max("50000 100000\n"), Some(1));
        assert_eq!(parse_cfs("-1\n", "100000\n"), None);
        assert_eq!(parse_cfs("250000\n", "100000\n"), Some(3));
        assert_eq!(parse_cfs("100000", "0"), None);
        assert_eq!(
            parse_cpu_max("18446744073709551615 1\n"),
            usize::try_from(u64::MAX).ok()
        );
    }
}
