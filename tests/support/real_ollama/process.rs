//! Processes and sockets of the harness: process groups, free ports, waiting for a
//! server, and a minimal HTTP client for the Ollama API.

use super::Installed;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Puts the child in its own process group (so runners it starts are stopped with it)
/// and asks the kernel to stop it if the test thread that started it dies.
pub(super) fn own_group(command: &mut Command) -> &mut Command {
    command.process_group(0);
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        })
    }
}

/// SIGKILL to the child's process group, then reaps the child.
pub(super) fn kill_group(mut child: Child) {
    // SAFETY: kill(2) on a process group this harness created (it may be gone already).
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    let _ = child.wait();
}

/// Starts registry.py on `port` (with the `python3` setup.sh used: the first on the
/// test's PATH); `Server::wait_for_registry` waits for it, so the registry and
/// `ollama serve` start side by side.
pub(super) fn spawn_registry(installed: &Installed, dir: &Path, port: u16) -> Child {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_ollama/registry.py");
    let python = which::which("python3").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(python);
    command
        .arg(script)
        .args(["--store", installed.get("upstream")])
        .args([
            "--cert",
            installed.get("cert"),
            "--key",
            installed.get("key"),
        ])
        .arg("--state")
        .arg(dir.join("registry"))
        .args(["--port", &port.to_string()])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("registry/stderr")).expect("registry log"));
    own_group(&mut command).spawn().expect("spawn registry.py")
}

pub(super) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("port").port()
}

/// Waits (at most 20 s) until `GET /` answers; the child back, or why not.
pub(super) fn wait_until_up(port: u16, mut child: Child) -> Result<Child, String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status}"));
        }
        let mut stream = match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => stream,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(25));
                continue;
            }
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let _ = stream.write_all(b"GET / HTTP/1.0\r\n\r\n");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        if answer.contains("Ollama is running") {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    kill_group(child);
    Err("no answer within 20 s".into())
}

/// A minimal HTTP/1.1 POST (the answer may be chunked): (status, body).
pub(super) fn http_post(port: u16, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to ollama serve");
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let rest = &raw[split + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    (status, String::from_utf8(body).expect("a UTF-8 answer"))
}

/// The body of a `Transfer-Encoding: chunked` answer (Go's net/http chunks answers
/// it cannot size before sending, such as `/api/show` of a model with a 10 KB SYSTEM).
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..end]).ok();
        let size = size
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        let data = &rest[end + 2..];
        if size == 0 || data.len() < size + 2 {
            break;
        }
        body.extend_from_slice(&data[..size]);
        rest = &data[size + 2..];
    }
    body
}
