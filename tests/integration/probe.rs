//! `provision probe` and `provision plan`: the real machine, fixture trees
//! (containers, GPUs) through PROVISION_PROBE_ROOT, fake GPU tools on PATH,
//! overrides and usage errors.

use crate::support::Provision;
use tempfile::TempDir;

const GIB: u64 = 1 << 30;

/// A directory holding `files` (relative path, contents): a machine's `/proc`
/// and `/sys` for `Provision::probe_root`.
fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
    }
    dir
}

/// A container: 16 GiB of RAM, 4 CPUs, memory limited to 4 GiB by cgroup v2.
fn container() -> TempDir {
    tree(&[
        (
            "proc/meminfo",
            "MemTotal:       16777216 kB\nMemAvailable:   15728640 kB\n",
        ),
        (
            "proc/cpuinfo",
            "processor\t: 0\n\nprocessor\t: 1\n\nprocessor\t: 2\n\nprocessor\t: 3\n",
        ),
        ("proc/self/cgroup", "0::/\n"),
        ("sys/fs/cgroup/memory.max", "4294967296\n"),
        ("sys/fs/cgroup/cpu.max", "max 100000\n"),
    ])
}

#[cfg(target_os = "linux")]
#[test]
fn probe_agrees_with_proc_meminfo_and_nproc() {
    let json = Provision::new()
        .args(["probe", "--json"])
        .run()
        .code(0)
        .json();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["device"]["memory"]["total_bytes"], kib * 1024);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
    let processors = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    assert_eq!(json["device"]["cpu"]["logical_cpus"], processors);
    let nproc = std::process::Command::new("nproc").output().unwrap();
    let nproc: u64 = String::from_utf8_lossy(&nproc.stdout)
        .trim()
        .parse()
        .unwrap();
    assert_eq!(json["device"]["cpu"]["allowed_cpus"], nproc);
}

#[test]
fn cgroup_limit_is_the_budget() {
    let root = container();
    let json = Provision::new()
        .probe_root(root.path())
        .args(["probe", "--json"])
        .run()
        .code(0)
        .json();
    let device = &json["device"];
    assert_eq!(device["memory"]["total_bytes"], 16 * GIB);
    assert_eq!(device["memory"]["cgroup_limit_bytes"], 4 * GIB);
    assert_eq!(device["memory"]["effective_bytes"], 4 * GIB);
    assert_eq!(device["cpu"]["effective_cores"], 4);
    // A real GPU on the test machine would be the budget instead.
    if device["gpus"].as_array().unwrap().is_empty() {
        assert_eq!(json["budget"]["memory_bytes"], 4 * GIB);
        assert_eq!(json["budget"]["source"], "ram");
    }
}

#[test]
fn overrides_choose_the_tier() {
    let json = Provision::new()
        .args(["--ram", "6GiB", "--cores", "4", "plan", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(
        (
            json["tier"]["bits"].as_u64(),
            json["tier"]["quantization"].as_str()
        ),
        (Some(8), Some("Q8_0"))
    );
    assert_eq!(json["device"]["overrides"]["ram_bytes"], 6 * GIB);
    assert_eq!(json["tier"]["forced"], false);
    let json = Provision::new()
        .args(["--ram", "1GiB", "plan", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(
        (
            json["tier"]["bits"].as_u64(),
            json["tier"]["quantization"].as_str()
        ),
        (Some(2), Some("Q2_K"))
    );
}

#[test]
fn environment_overrides_and_forced_tier() {
    let json = Provision::new()
        .env("PROVISION_RAM", "1GiB")
        .env("PROVISION_VRAM", "0")
        .env("PROVISION_TIER", "16")
        .args(["plan", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(json["tier"]["bits"], 16);
    assert_eq!(json["tier"]["forced"], true);
    assert!(
        json["tier"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("forced by --tier")
    );
    assert_eq!(json["budget"]["memory_bytes"], GIB);
}

#[test]
fn vram_override_is_one_gpu() {
    let json = Provision::new()
        .args(["--vram", "24GiB", "--cores", "2", "plan", "--json"])
        .run()
        .code(0)
        .json();
    assert_eq!(json["device"]["gpus"].as_array().unwrap().len(), 1);
    assert_eq!(json["budget"]["source"], "gpu");
    assert_eq!(json["tier"]["bits"], 16, "{}", json["tier"]["reason"]);
}

#[test]
fn usage_errors_name_the_flag() {
    Provision::new()
        .args(["--ram", "lots", "plan"])
        .run()
        .code(2)
        .one_error_line(&["--ram", "lots"]);
    Provision::new()
        .args(["probe", "--cores", "0"])
        .run()
        .code(2)
        .one_error_line(&["--cores", "0"]);
    Provision::new()
        .env("PROVISION_VRAM", "much")
        .arg("probe")
        .run()
        .code(2)
        .one_error_line(&["--vram", "much"]);
}

#[test]
fn closed_stdout_exits_zero_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Provision::new()
        .arg("probe")
        .command()
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn fake_nvidia_smi_gives_a_gpu() {
    let root = container();
    let json = Provision::new()
        .probe_root(root.path())
        .tool(
            "nvidia-smi",
            "#!/bin/sh\necho '0, NVIDIA GeForce RTX 4090, 24564, 23838'\n",
        )
        .args(["plan", "--json"])
        .run()
        .code(0)
        .json();
    let gpu = &json["device"]["gpus"][0];
    assert_eq!(
        (gpu["vendor"].as_str(), gpu["name"].as_str()),
        (Some("nvidia"), Some("NVIDIA GeForce RTX 4090"))
    );
    assert_eq!(gpu["total_bytes"], 24564u64 << 20);
    assert_eq!(json["budget"]["memory_bytes"], 24564u64 << 20);
    assert_eq!(json["tier"]["bits"], 16);
}

#[test]
fn fake_rocm_smi_when_sysfs_has_no_amd_gpu() {
    let root = container();
    let json = Provision::new()
        .probe_root(root.path())
        .tool(
            "rocm-smi",
            "#!/bin/sh\necho '{\"card0\": {\"VRAM Total Memory (B)\": \"25753026560\", \"VRAM Total Used Memory (B)\": \"0\"}}'\n",
        )
        .args(["probe", "--json"])
        .run()
        .code(0)
        .json();
    let gpus = json["device"]["gpus"].as_array().unwrap();
    let amd = gpus
        .iter()
        .find(|g| g["vendor"] == "amd")
        .expect("an AMD GPU");
    assert_eq!(
        (amd["source"].as_str(), amd["total_bytes"].as_u64()),
        (Some("rocm-smi"), Some(25_753_026_560))
    );
}

#[test]
fn a_hanging_gpu_tool_is_killed_and_noted() {
    let started = std::time::Instant::now();
    let run = Provision::new()
        .tool("nvidia-smi", "#!/bin/sh\nsleep 30\n")
        .args(["probe", "--json"])
        .run();
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
    let json = run.code(0).json();
    let notes = json["device"]["notes"].to_string();
    assert!(
        notes.contains("nvidia-smi") && notes.contains("did not answer"),
        "{notes}"
    );
}

#[test]
fn human_table_marks_overrides() {
    let run = Provision::new()
        .args(["--cores", "3", "probe"])
        .run()
        .code(0);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("effective cores"))
        .expect("cores row");
    assert!(line.ends_with("3  (set by --cores)"), "{line}");
}
