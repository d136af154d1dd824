//! Reads where the server runs and the environment it has: `systemctl show
//! ollama`, the drop-in, the running server's `/proc/<pid>/environ`. Every path
//! is under the root the context gives (`PROVISION_ROOT`, default `/`).

use super::decide::{Observed, Place};
use super::systemd::{self, UnitState};
use crate::ollama::host::{LocalNames, ServerHost};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The most of a drop-in or an environ file that is read.
const MAX_DROP_IN: u64 = 64 << 10;
const MAX_ENVIRON: u64 = 1 << 20;
/// Processes looked at when searching for `ollama serve` without systemd.
const MAX_PROCESSES: usize = 65_536;
/// How long `systemctl show` may take.
const SHOW_TIMEOUT: Duration = Duration::from_secs(10);

/// What the observation starts from, all from the context.
pub struct Inputs<'a> {
    pub root: &'a Path,
    pub search_path: Option<&'a OsStr>,
    pub host: &'a ServerHost,
    /// `KUBERNETES_SERVICE_HOST` is set: a pod.
    pub in_kubernetes: bool,
}

/// Reads the server's place and environment; what cannot be read is absent
/// (the decision then says so), never an error.
pub fn observe(inputs: &Inputs) -> Observed {
    let nothing = |place| Observed {
        place,
        unit: None,
        process: None,
        drop_in: None,
    };
    if !inputs.host.is_local(&local_names()) {
        return nothing(Place::Remote {
            url: inputs.host.to_string(),
        });
    }
    if cfg!(target_os = "macos") {
        return nothing(Place::MacOs);
    }
    if cfg!(windows) {
        return nothing(Place::Windows);
    }
    let root = inputs.root;
    let systemctl = super::act::find("systemctl", inputs.search_path);
    let booted = root.join("run/systemd/system").is_dir();
    // `systemctl show` failing (no D-Bus, say) is as good as no systemd.
    if let (true, Some(systemctl)) = (booted, systemctl)
        && let Ok(unit) = show(&systemctl)
    {
        if unit.loaded() {
            return under_systemd(root, systemctl, unit);
        }
        return Observed {
            unit: Some(unit),
            ..nothing(Place::NoUnit)
        };
    }
    let container = inputs.in_kubernetes
        || root.join(".dockerenv").exists()
        || root.join("run/.containerenv").exists();
    let place = if container {
        Place::Container
    } else if booted {
        Place::NoUnit
    } else {
        Place::NoSystemd
    };
    Observed {
        process: find_server(root).and_then(|pid| environ(root, pid)),
        ..nothing(place)
    }
}

/// The `ollama` unit is loaded: read the drop-in and the server's environment.
fn under_systemd(root: &Path, systemctl: PathBuf, unit: UnitState) -> Observed {
    let drop_in = root.join(systemd::DROP_IN_DIR).join(systemd::DROP_IN_NAME);
    let content = read_bounded(&drop_in, MAX_DROP_IN).ok();
    let process = (unit.main_pid.filter(|_| unit.running())).and_then(|pid| environ(root, pid));
    let place = match writable(&drop_in) {
        true => Place::Systemd { drop_in, systemctl },
        false => Place::NoPermission { drop_in },
    };
    Observed {
        place,
        unit: Some(unit),
        process,
        drop_in: content,
    }
}

/// `systemctl show ollama --property=…`, parsed.
fn show(systemctl: &Path) -> Result<UnitState> {
    let property = format!("--property={}", systemd::PROPERTIES);
    let args = ["show", systemd::UNIT, property.as_str()];
    let out = super::act::run(systemctl, &args, SHOW_TIMEOUT)?;
    systemd::parse_show(&out).map_err(|e| anyhow::anyhow!("could not read systemctl show: {e}"))
}

/// A process's environment (`NAME=value\0…`), when readable.
fn environ(root: &Path, pid: u32) -> Option<BTreeMap<String, String>> {
    let path = root.join(format!("proc/{pid}/environ"));
    let text = read_bounded(&path, MAX_ENVIRON).ok()?;
    let pairs = text.split('\0').filter_map(|entry| entry.split_once('='));
    Some(pairs.map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// The pid of an `ollama serve` process, by its command line.
fn find_server(root: &Path) -> Option<u32> {
    let entries = std::fs::read_dir(root.join("proc")).ok()?;
    entries.take(MAX_PROCESSES).flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = read_bounded(&entry.path().join("cmdline"), 4096).ok()?;
        let mut argv = cmdline.split('\0');
        let program = Path::new(argv.next()?).file_name()?;
        (program == "ollama" && argv.next() == Some("serve")).then_some(pid)
    })
}

/// At most `limit` bytes of a file, as text (lossy).
fn read_bounded(path: &Path, limit: u64) -> Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        bail!("{} is larger than {limit} bytes", path.display());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether this process may create or replace `file`: its directory (or the
/// nearest existing ancestor, which `create_dir_all` would write in) is
/// writable for the effective user.
fn writable(file: &Path) -> bool {
    let Some(mut dir) = file.parent() else {
        return false;
    };
    while !dir.exists() {
        match dir.parent() {
            Some(parent) => dir = parent,
            None => return false,
        }
    }
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path; faccessat only reads it.
    unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

/// This machine's host name and interface addresses.
pub fn local_names() -> LocalNames {
    LocalNames {
        hostname: hostname(),
        addresses: addresses(),
    }
}

fn hostname() -> Option<String> {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is writable for its length; gethostname NUL-terminates
    // within it on success (POSIX leaves truncation unspecified, hence the find).
    let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
    let end = buffer.iter().position(|b| *b == 0)?;
    (status == 0 && end > 0).then(|| String::from_utf8_lossy(&buffer[..end]).into_owned())
}

fn addresses() -> Vec<IpAddr> {
    let mut found = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a linked list that freeifaddrs frees;
    // each node's address is read according to its family.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            return found;
        }
        let mut node = list;
        while !node.is_null() {
            let addr = (*node).ifa_addr;
            if !addr.is_null() {
                match i32::from((*addr).sa_family) {
                    libc::AF_INET => {
                        let v4 = &*(addr as *const libc::sockaddr_in);
                        found.push(IpAddr::from(v4.sin_addr.s_addr.to_ne_bytes()));
                    }
                    libc::AF_INET6 => {
                        let v6 = &*(addr as *const libc::sockaddr_in6);
                        found.push(IpAddr::from(v6.sin6_addr.s6_addr));
                    }
                    _ => {}
                }
            }
            node = (*node).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loopback_interface_and_a_host_name_are_found() {
        let names = local_names();
        assert!(names.addresses.iter().any(IpAddr::is_loopback), "{names:?}");
        assert!(names.hostname.is_some_and(|h| !h.is_empty()));
    }

    #[test]
    fn a_server_is_found_by_its_command_line_and_its_environment_read() {
        let root = tempfile::tempdir().unwrap();
        let proc = root.path().join("proc");
        for (pid, cmdline) in [("7", "bash\0-c\0x\0"), ("42", "/usr/bin/ollama\0serve\0")] {
            std::fs::create_dir_all(proc.join(pid)).unwrap();
            std::fs::write(proc.join(pid).join("cmdline"), cmdline).unwrap();
        }
        std::fs::write(proc.join("42/environ"), "OLLAMA_KEEP_ALIVE=-1\0HOME=/h\0").unwrap();
        assert_eq!(find_server(root.path()), Some(42));
        let env = environ(root.path(), 42).unwrap();
        assert_eq!(env["OLLAMA_KEEP_ALIVE"], "-1");
        assert!(writable(&root.path().join("etc/systemd/system/x.d/y.conf")));
    }
}
