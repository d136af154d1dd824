//! A stand-in for registry.ollama.ai: a tiny HTTP/1.1 server on 127.0.0.1 that serves
//! canned manifests per (model, tag) to GET and HEAD, answers unknown tags as the
//! registry does, can send the `ollama-content-digest` header, serves blobs by `Range`
//! (or answers blob requests with a 307 to a second stand-in, as the registry sends
//! them to its CDN), can hang, and records every request it read.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The `Accept` value a client must send to get a schema 2 manifest.
pub const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// How the stand-in answers one (model, tag).
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this manifest body.
    Manifest(String),
    /// This status and JSON body.
    Status(u16, String),
    /// Read the request, then never answer (the connection stays open).
    Hang,
}

/// A request as the stand-in read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A blob: its first bytes (a GGUF header, or anything), then zeros up to `len`.
#[derive(Debug, Clone)]
struct Blob {
    head: Vec<u8>,
    len: u64,
}

#[derive(Default)]
struct Shared {
    replies: Mutex<HashMap<(String, String), Reply>>,
    blobs: Mutex<HashMap<String, Blob>>,
    /// Where blob requests are redirected (`http://127.0.0.1:<port>`), if anywhere.
    cdn: Mutex<Option<String>>,
    requests: Mutex<Vec<Request>>,
    /// Connections kept open without an answer, closed when the stand-in is dropped.
    held: Mutex<Vec<TcpStream>>,
    hang_all: AtomicBool,
    /// Whether manifests come with `ollama-content-digest: <sha256 hex of the body>`.
    digest_header: AtomicBool,
    stopping: AtomicBool,
}

/// The running stand-in; it stops when dropped.
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl StandIn {
    /// Starts a stand-in on a free port of 127.0.0.1.
    pub fn start() -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stand-in registry");
        let addr = listener.local_addr().expect("stand-in address");
        let shared = Arc::new(Shared::default());
        let accepting = Arc::clone(&shared);
        thread::spawn(move || accept(listener, accepting));
        StandIn { addr, shared }
    }

    /// `http://127.0.0.1:<port>`: the value for `PROVISION_REGISTRY`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `body` as the manifest of `model:tag`.
    pub fn manifest(&self, model: &str, tag: &str, body: impl Into<String>) -> &StandIn {
        self.reply(model, tag, Reply::Manifest(body.into()))
    }

    /// Makes `model:tag` read the request and never answer.
    pub fn hang(&self, model: &str, tag: &str) -> &StandIn {
        self.reply(model, tag, Reply::Hang)
    }

    /// Sets how `model:tag` is answered.
    pub fn reply(&self, model: &str, tag: &str, reply: Reply) -> &StandIn {
        let key = (model.to_string(), tag.to_string());
        self.shared.replies.lock().unwrap().insert(key, reply);
        self
    }

    /// From now on, sends each manifest's SHA-256 (bare hex, as the Ollama app compares
    /// it with the local manifest's) in an `ollama-content-digest` header.
    pub fn digest_header(&self) -> &StandIn {
        self.shared.digest_header.store(true, Ordering::SeqCst);
        self
    }

    /// Serves a blob of `len` bytes starting with `head` (zeros after it), by digest,
    /// at `/v2/<repo>/blobs/<digest>` and `/cdn/<digest>`.
    pub fn blob(&self, digest: &str, head: Vec<u8>, len: u64) -> &StandIn {
        let blob = Blob { head, len };
        self.shared
            .blobs
            .lock()
            .unwrap()
            .insert(digest.to_string(), blob);
        self
    }

    /// Answers every `/v2/…/blobs/<digest>` with `307 Temporary Redirect` to
    /// `<cdn>/cdn/<digest>?sig=…`, as registry.ollama.ai sends blob requests to its CDN.
    pub fn redirect_blobs_to(&self, cdn: &StandIn) -> &StandIn {
        *self.shared.cdn.lock().unwrap() = Some(cdn.url());
        self
    }

    /// Publishes `model:tag` (`gemma4`, `user/repo`) with a model layer whose blob is
    /// `header` followed by `data_len` bytes of tensor data, served by `cdn` (which may
    /// be this stand-in): the manifest here, the blob there. Returns the blob's digest
    /// and size.
    pub fn publish(
        &self,
        cdn: &StandIn,
        model: &str,
        tag: &str,
        header: &[u8],
        data_len: u64,
    ) -> (String, u64) {
        let digest = sha256_digest(header);
        let padded = header.len().next_multiple_of(32) as u64;
        let len = padded + data_len;
        cdn.blob(&digest, header.to_vec(), len);
        if !std::ptr::eq(self, cdn) {
            self.redirect_blobs_to(cdn);
        }
        self.manifest(model, tag, manifest_body(&digest, len));
        (digest, len)
    }

    /// From now on, accepts connections and never reads or answers anything.
    pub fn hang_all(&self) -> &StandIn {
        self.shared.hang_all.store(true, Ordering::SeqCst);
        self
    }

    /// Sends one raw `GET` (with this `Accept`, if any) and returns the whole response.
    pub fn raw_get(&self, path: &str, accept: Option<&str>) -> String {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        let accept = accept
            .map(|a| format!("Accept: {a}\r\n"))
            .unwrap_or_default();
        let request = format!("GET {path} HTTP/1.1\r\nHost: registry\r\n{accept}\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    /// Every request read so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }
}

/// An `http://127.0.0.1:<port>` URL where nothing listens (a dead registry or proxy).
pub fn closed_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("its address").port();
    format!("http://127.0.0.1:{port}")
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        self.shared.held.lock().unwrap().clear();
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if shared.hang_all.load(Ordering::SeqCst) {
            shared.held.lock().unwrap().push(stream);
            continue;
        }
        let shared = Arc::clone(&shared);
        thread::spawn(move || serve(stream, &shared));
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    shared.requests.lock().unwrap().push(request.clone());
    let Some(answer) = route(&request, shared) else {
        shared.held.lock().unwrap().push(stream);
        return;
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status));
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nDocker-Distribution-Api-Version: registry/2.0\r\nConnection: close\r\n\r\n",
        answer.body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    if request.method != "HEAD" {
        let _ = stream.write_all(&answer.body);
    }
}

/// A response: status, headers besides the length, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: String) -> Answer {
        let content_type = if status == 200 {
            MANIFEST_V2
        } else {
            "application/json; charset=utf-8"
        };
        Answer {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into_bytes(),
        }
    }
}

/// The answer to a request, or `None` to hang.
fn route(request: &Request, shared: &Shared) -> Option<Answer> {
    if request.method != "GET" && request.method != "HEAD" {
        return Some(Answer::json(
            405,
            errors("UNSUPPORTED", "method not allowed", "{}"),
        ));
    }
    if let Some(digest) = blob_path(&request.path) {
        return Some(blob(request, shared, &digest));
    }
    let Some((model, tag)) = manifest_path(&request.path) else {
        return Some(Answer::json(404, "404 page not found\n".to_string()));
    };
    let accepts = request.header("accept").unwrap_or_default();
    if !accepts.split(',').any(|value| value.trim() == MANIFEST_V2) {
        let message = format!("stand-in: Accept must name {MANIFEST_V2}");
        return Some(Answer::json(406, errors("UNSUPPORTED", &message, "{}")));
    }
    let reply = shared
        .replies
        .lock()
        .unwrap()
        .get(&(model.clone(), tag.clone()))
        .cloned();
    match reply {
        Some(Reply::Manifest(body)) => {
            let mut answer = Answer::json(200, body);
            if shared.digest_header.load(Ordering::SeqCst) {
                let digest = sha256_hex(&answer.body);
                answer
                    .headers
                    .push(("Ollama-Content-Digest".into(), digest));
            }
            Some(answer)
        }
        Some(Reply::Status(status, body)) => Some(Answer::json(status, body)),
        Some(Reply::Hang) => None,
        None => {
            let detail = serde_json::json!({ "Tag": tag }).to_string();
            Some(Answer::json(
                404,
                errors("MANIFEST_UNKNOWN", "manifest unknown", &detail),
            ))
        }
    }
}

/// A blob request: a redirect to the CDN from `/v2/…`, else the bytes of the range.
fn blob(request: &Request, shared: &Shared, digest: &str) -> Answer {
    let cdn = shared.cdn.lock().unwrap().clone();
    if let (Some(cdn), true) = (cdn, request.path.starts_with("/v2/")) {
        return Answer {
            status: 307,
            headers: vec![(
                "Location".into(),
                format!("{cdn}/cdn/{digest}?sig=stand-in"),
            )],
            body: Vec::new(),
        };
    }
    let Some(blob) = shared.blobs.lock().unwrap().get(digest).cloned() else {
        return Answer::json(404, errors("BLOB_UNKNOWN", "blob unknown", "{}"));
    };
    let (start, end) = match request.header("range").and_then(parse_range) {
        Some((start, end)) if start < blob.len => (start, end.min(blob.len - 1)),
        Some(_) => {
            return Answer {
                status: 416,
                headers: vec![("Content-Range".into(), format!("bytes */{}", blob.len))],
                body: Vec::new(),
            };
        }
        None => (0, blob.len.saturating_sub(1).min(64 << 20)),
    };
    let body = (start..=end)
        .map(|i| blob.head.get(i as usize).copied().unwrap_or(0))
        .collect();
    Answer {
        status: 206,
        headers: vec![
            ("Content-Type".into(), "application/octet-stream".into()),
            (
                "Content-Range".into(),
                format!("bytes {start}-{end}/{}", blob.len),
            ),
        ],
        body,
    }
}

/// `bytes=S-E` of a `Range` header.
fn parse_range(value: &str) -> Option<(u64, u64)> {
    let (start, end) = value.strip_prefix("bytes=")?.split_once('-')?;
    Some((start.parse().ok()?, end.parse().ok()?))
}

/// The digest of `/v2/<repo>/blobs/<digest>` or `/cdn/<digest>?…`.
fn blob_path(path: &str) -> Option<String> {
    let path = path.split('?').next()?;
    let digest = match path.strip_prefix("/cdn/") {
        Some(digest) => digest,
        None => path.strip_prefix("/v2/")?.rsplit_once("/blobs/")?.1,
    };
    (!digest.is_empty() && !digest.contains('/')).then(|| digest.to_string())
}

/// `(model, tag)` from `/v2/<namespace>/<model>/manifests/<tag>`: the model is bare in
/// the `library` namespace, `namespace/model` in any other.
fn manifest_path(path: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix("/v2/")?;
    let (repo, tag) = rest.split_once("/manifests/")?;
    let (namespace, model) = repo.split_once('/')?;
    let plain = |part: &str| !part.is_empty() && !part.contains(['/', '?', '#']);
    if !(plain(namespace) && plain(model) && plain(tag)) {
        return None;
    }
    let model = match namespace {
        "library" => model.to_string(),
        _ => format!("{namespace}/{model}"),
    };
    Some((model, tag.to_string()))
}

/// `sha256:<hex>` of some bytes, as registries name blobs.
pub fn sha256_digest(bytes: &[u8]) -> String {
    provision::registry::sha256_digest(bytes)
}

/// A schema 2 manifest with one model layer of this digest and size.
pub fn manifest_body(digest: &str, len: u64) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{MANIFEST_V2}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{digest}","size":487}},"layers":[{{"mediaType":"application/vnd.ollama.image.model","digest":"{digest}","size":{len}}}]}}"#
    )
}

/// The SHA-256 of some bytes as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = provision::registry::sha256_digest(bytes);
    digest.trim_start_matches("sha256:").to_string()
}

fn errors(code: &str, message: &str, detail: &str) -> String {
    let message = serde_json::to_string(message).unwrap();
    format!(r#"{{"errors":[{{"code":"{code}","message":{message},"detail":{detail}}}]}}"#)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        307 => "Temporary Redirect",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

/// Reads the request line and headers (requests here have no body).
fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let path = request_line.next()?.to_string();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Some(Request {
        method,
        path,
        headers,
    })
}
