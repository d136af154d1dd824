//! A client of the Ollama server's HTTP API, for what the CLI cannot do:
//! load a model without a prompt, read `size`/`size_vram` of loaded models, time
//! a generation. Every call has a deadline and a cap on the bytes it reads, and
//! Ctrl-C ends the wait (the request runs on its own thread).

mod call;
mod error;
mod types;

pub use error::ApiError;
pub use types::{Details, Generated, Running, Shown};

use super::KeepAlive;
use crate::interrupt::Interrupt;
use call::{Request, spawn};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::mpsc;
use std::time::Duration;

/// Deadline of quick calls (version, ps, show) unless set.
pub const QUICK_TIMEOUT: Duration = Duration::from_secs(30);
/// Deadline of a load or a generation unless set: Ollama itself gives a load
/// `OLLAMA_LOAD_TIMEOUT` (5 minutes) without progress before it fails it.
pub const SLOW_TIMEOUT: Duration = Duration::from_secs(600);
/// The most a small answer (version, ps, a non-streamed generation) may be.
const SMALL_BODY: u64 = 1 << 20;
/// The most `/api/show` may be (license and template texts, GGUF keys).
const SHOW_BODY: u64 = 16 << 20;
/// How often a waiting call looks at the interrupt flag.
const POLL: Duration = Duration::from_millis(50);

/// The server at one base URL.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    agent: ureq::Agent,
    quick: Duration,
    slow: Duration,
    interrupt: Interrupt,
}

/// A fixed generation: the prompt and the options that make it repeatable.
#[derive(Debug, Clone)]
pub struct Generation<'a> {
    pub prompt: &'a str,
    /// `options` of the request (`seed`, `temperature`, `num_predict`).
    pub options: Value,
    pub keep_alive: Option<&'a KeepAlive>,
}

impl Api {
    /// A client of the server at `base` (from [`super::host::ServerHost::base_url`]). No
    /// proxy: the server is usually on loopback, which Go's client never proxies.
    pub fn new(base: String) -> Api {
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .user_agent(concat!("ollama-provision/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Api {
            base,
            agent,
            quick: QUICK_TIMEOUT,
            slow: SLOW_TIMEOUT,
            interrupt: Interrupt::new(),
        }
    }

    /// Sets the deadlines of quick calls and of loads and generations.
    pub fn with_timeouts(mut self, quick: Duration, slow: Duration) -> Api {
        self.quick = quick;
        self.slow = slow;
        self
    }

    /// Sets the flag that ends a waiting call (see [`Interrupt::on_signals`]).
    pub fn with_interrupt(mut self, interrupt: Interrupt) -> Api {
        self.interrupt = interrupt;
        self
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /api/version`: the server's version string.
    pub fn version(&self) -> Result<String, ApiError> {
        let body: types::VersionBody =
            self.call("ask the server for its version", "/api/version", None)?;
        Ok(body.version)
    }

    /// `GET /api/ps`: the loaded models, longest keep-alive first.
    pub fn ps(&self) -> Result<Vec<Running>, ApiError> {
        let body: types::PsBody = self.call("list the loaded models", "/api/ps", None)?;
        Ok(body.models.unwrap_or_default())
    }

    /// `POST /api/show`.
    pub fn show(&self, name: &str) -> Result<Shown, ApiError> {
        let request = Request::post(json!({ "model": name }), self.quick, SHOW_BODY);
        self.call(&format!("show model {name}"), "/api/show", Some(request))
    }

    /// `POST /api/generate` without a prompt: loads `name` (or keeps it loaded)
    /// for `keep_alive` (the server's default when none).
    pub fn load(&self, name: &str, keep_alive: Option<&KeepAlive>) -> Result<Generated, ApiError> {
        let mut body = json!({ "model": name });
        if let Some(keep_alive) = keep_alive {
            body["keep_alive"] = keep_alive.to_json();
        }
        let request = Request::post(body, self.slow, SMALL_BODY);
        self.call(
            &format!("load model {name}"),
            "/api/generate",
            Some(request),
        )
    }

    /// `POST /api/generate` with `keep_alive` 0 and no prompt: unloads `name`.
    pub fn unload(&self, name: &str) -> Result<(), ApiError> {
        let body = json!({ "model": name, "keep_alive": 0 });
        let request = Request::post(body, self.slow, SMALL_BODY);
        let doing = format!("unload model {name}");
        self.call::<Generated>(&doing, "/api/generate", Some(request))
            .map(drop)
    }

    /// `POST /api/generate` of a fixed generation, not streamed.
    pub fn generate(&self, name: &str, generation: &Generation) -> Result<Generated, ApiError> {
        let mut body = json!({
            "model": name,
            "prompt": generation.prompt,
            "stream": false,
            "options": generation.options,
        });
        if let Some(keep_alive) = generation.keep_alive {
            body["keep_alive"] = keep_alive.to_json();
        }
        let request = Request::post(body, self.slow, SMALL_BODY);
        self.call(&format!("run model {name}"), "/api/generate", Some(request))
    }

    /// One call: GET without a request, else POST of its body; the JSON answer.
    fn call<T: DeserializeOwned>(
        &self,
        doing: &str,
        path: &str,
        request: Option<Request>,
    ) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        let request = request.unwrap_or(Request::get(self.quick, SMALL_BODY));
        let seconds = request.timeout.as_secs();
        let answer = self.wait(doing, spawn(self.agent.clone(), url.clone(), request))?;
        let (status, body) = answer.map_err(|failure| failure.into_error(doing, &url, seconds))?;
        if !(200..300).contains(&status) {
            return Err(ApiError::from_status(doing, &url, status, &body));
        }
        serde_json::from_slice(&body).map_err(|error| ApiError::Unreadable {
            doing: doing.to_string(),
            url,
            reason: error.to_string(),
        })
    }

    /// Waits for the request's thread, giving up on Ctrl-C.
    fn wait<T>(&self, doing: &str, answer: mpsc::Receiver<T>) -> Result<T, ApiError> {
        loop {
            if self.interrupt.is_set() {
                return Err(ApiError::Interrupted {
                    doing: doing.to_string(),
                });
            }
            match answer.recv_timeout(POLL) {
                Ok(value) => return Ok(value),
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(ApiError::Unreadable {
                        doing: doing.to_string(),
                        url: self.base.clone(),
                        reason: "the request thread ended without an answer".into(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ollama::ErrorClass;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A server on a free loopback port that answers each of `answers` (status,
    /// body) to one connection, and hands back what it was sent.
    fn canned(answers: Vec<(u16, String)>) -> (Api, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for (status, body) in answers {
                let (mut stream, _) = listener.accept().unwrap();
                seen.push(request(&mut stream));
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            }
            seen
        });
        (Api::new(base), server)
    }

    /// The head and body of one request (the body as long as Content-Length).
    fn request(stream: &mut std::net::TcpStream) -> String {
        let mut text = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let read = stream.read(&mut buffer).unwrap();
            text.extend_from_slice(&buffer[..read]);
            let seen = String::from_utf8_lossy(&text).into_owned();
            if let Some((head, body)) = seen.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(String::from)
                    })
                    .map_or(0, |n| n.trim().parse::<usize>().unwrap());
                if body.len() >= length || read == 0 {
                    return seen;
                }
            }
        }
    }

    #[test]
    fn a_load_sends_the_keep_alive_and_reads_the_answer() {
        let (api, server) = canned(vec![(
            200,
            r#"{"model":"chat","response":"","done":true,"done_reason":"load"}"#.into(),
        )]);
        let forever = KeepAlive::forever();
        let loaded = api.load("chat", Some(&forever)).unwrap();
        assert_eq!(loaded.done_reason.as_deref(), Some("load"));
        let sent = server.join().unwrap().remove(0);
        assert!(sent.starts_with("POST /api/generate "), "{sent}");
        assert!(
            sent.ends_with(r#"{"keep_alive":-1,"model":"chat"}"#),
            "{sent}"
        );
    }

    #[test]
    fn an_error_answer_is_classified() {
        let body = r#"{"error":"model 'chat' not found"}"#.to_string();
        let (api, _server) = canned(vec![(404, body)]);
        let error = api.load("chat", None).unwrap_err();
        let not_found = ErrorClass::ModelNotFound {
            name: "chat".into(),
        };
        assert_eq!(error.class(), Some(not_found));
    }

    #[test]
    fn no_server_is_the_server_down_advice() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let api = Api::new(format!("http://127.0.0.1:{port}"));
        let error = api.version().unwrap_err();
        assert_eq!(error.class(), Some(ErrorClass::ServerDown));
        assert!(error.to_string().contains("ollama serve"), "{error}");
    }

    #[test]
    fn answers_are_bounded_and_must_be_json() {
        let huge = format!("{{\"models\":[],\"pad\":\"{}\"}}", "x".repeat(2 << 20));
        let (api, _server) = canned(vec![(200, huge), (200, "not json".into())]);
        let error = api.ps().unwrap_err();
        assert!(error.to_string().contains("larger than"), "{error}");
        assert!(matches!(api.ps(), Err(ApiError::Unreadable { .. })));
    }

    #[test]
    fn a_silent_server_times_out_and_ctrl_c_ends_the_wait() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let api = Api::new(base).with_timeouts(Duration::from_millis(300), SLOW_TIMEOUT);
        assert!(matches!(api.ps(), Err(ApiError::TimedOut { .. })));
        let interrupt = Interrupt::new();
        let api = api.with_interrupt(interrupt.clone());
        interrupt.trigger();
        let error = api.load("chat", None).unwrap_err();
        assert!(matches!(error, ApiError::Interrupted { .. }), "{error}");
        drop(listener);
    }
}
