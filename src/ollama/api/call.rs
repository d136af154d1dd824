//! One HTTP request on its own thread: what is sent, its deadline, the cap on
//! the bytes read, and how a failure before an answer is told apart.

use super::ApiError;
use serde_json::Value;
use std::sync::mpsc;
use std::time::Duration;

/// What is sent, how long it may take and how much of the answer is read.
pub(super) struct Request {
    body: Option<Value>,
    pub(super) timeout: Duration,
    limit: u64,
}

impl Request {
    pub(super) fn get(timeout: Duration, limit: u64) -> Request {
        Request {
            body: None,
            timeout,
            limit,
        }
    }

    pub(super) fn post(body: Value, timeout: Duration, limit: u64) -> Request {
        Request {
            body: Some(body),
            timeout,
            limit,
        }
    }
}

/// How a request failed before an answer was read.
pub(super) enum Failure {
    Unreachable(String),
    TimedOut,
    Unreadable(String),
}

impl Failure {
    fn of(error: ureq::Error) -> Failure {
        use ureq::Error as E;
        match error {
            E::Timeout(_) => Failure::TimedOut,
            E::HostNotFound => Failure::Unreachable("could not resolve the host".into()),
            E::ConnectionFailed => Failure::Unreachable("connection failed".into()),
            E::Io(error) => Failure::Unreachable(error.to_string()),
            E::Tls(_) | E::Rustls(_) | E::Pem(_) => Failure::Unreachable(error.to_string()),
            E::BodyExceedsLimit(limit) => {
                Failure::Unreadable(format!("the answer is larger than {limit} bytes"))
            }
            other => Failure::Unreadable(other.to_string()),
        }
    }

    pub(super) fn into_error(self, doing: &str, url: &str, seconds: u64) -> ApiError {
        let (doing, url) = (doing.to_string(), url.to_string());
        match self {
            Failure::Unreachable(reason) => ApiError::Unreachable {
                doing,
                url,
                reason: crate::text::one_line(&reason),
            },
            Failure::TimedOut => ApiError::TimedOut {
                doing,
                url,
                seconds,
            },
            Failure::Unreadable(reason) => ApiError::Unreadable { doing, url, reason },
        }
    }
}

/// Runs the request on its own thread; the answer (status and at most `limit`
/// bytes of body) arrives on the channel. A caller that stops waiting leaves
/// the thread to end with its deadline.
pub(super) fn spawn(
    agent: ureq::Agent,
    url: String,
    request: Request,
) -> mpsc::Receiver<Result<(u16, Vec<u8>), Failure>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(perform(&agent, &url, &request));
    });
    receive
}

fn perform(agent: &ureq::Agent, url: &str, request: &Request) -> Result<(u16, Vec<u8>), Failure> {
    let deadline = Some(request.timeout);
    let sent = match &request.body {
        None => agent
            .get(url)
            .config()
            .timeout_global(deadline)
            .build()
            .call(),
        Some(body) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .config()
            .timeout_global(deadline)
            .build()
            .send(body.to_string()),
    };
    let mut response = sent.map_err(Failure::of)?;
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(request.limit);
    let bytes = body.read_to_vec().map_err(Failure::of)?;
    Ok((status, bytes))
}
