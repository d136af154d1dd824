//! Every failure the real 0.5.4 server produces, each as one `provision: …` line:
//! server down, unknown model, a parameter this version does not know, a pull 404,
//! a pull interrupted on either side; and the too-old 0.0.0 build.

use super::{CHAT, on_device, quantization};
use crate::support::real_ollama::{Build, Server};
use crate::support::{Provision, Run};
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// `CHAT` with its model's `system:` line replaced by `line`.
fn chat_with(line: &str) -> String {
    CHAT.replace("system: Be brief.", line)
}

#[test]
fn server_down_is_one_line() {
    let Some(mut server) = Server::start("server_down_is_one_line") else {
        return;
    };
    server.kill();
    let run = on_device(&server, CHAT, "6GiB", &["auto", "--quiet"])
        .run()
        .code(1);
    // ≤ 0.7.0 wording (cmd/cmd.go checkServerHeartbeat).
    run.one_error_line(&[
        "the Ollama server is not running",
        "could not connect to ollama app, is it running?",
    ]);
}

#[test]
fn an_unknown_model_is_one_line() {
    let Some(server) = Server::start("an_unknown_model_is_one_line") else {
        return;
    };
    // An unknown MODEL is a usage error in every command (README, exit codes).
    let run = server
        .provision()
        .args(["optimize", "nosuch:1b"])
        .run()
        .code(2);
    run.one_error_line(&[
        "`nosuch:1b` is not installed",
        "model 'nosuch:1b' not found",
    ]);
}

#[test]
fn a_parameter_this_version_does_not_know_is_one_line() {
    let Some(server) = Server::start("a_parameter_this_version_does_not_know") else {
        return;
    };
    // `draft_num_predict` is valid today (api/types.go at v0.33), unknown to 0.5.4.
    server.preinstall("llama3.2:1b-instruct-q8_0");
    let profile = chat_with("parameters: {draft_num_predict: 4}");
    // Refused before anything runs: the plan is made for the server's version.
    let run = on_device(&server, &profile, "6GiB", &["auto", "--quiet"])
        .run()
        .code(1);
    run.one_error_line(&[
        "could not plan model 'chat'",
        "Ollama 0.5.4 rejects PARAMETER draft_num_predict",
        "added in 0.30.0",
    ]);
    assert!(server.ollama(&["list"]).code(0).stdout.lines().count() <= 2);
}

#[test]
fn a_tag_the_registry_lacks_is_one_line() {
    let Some(server) = Server::start("a_tag_the_registry_lacks_is_one_line") else {
        return;
    };
    let profile = chat_with("quant: Q3_K_L");
    let run = on_device(&server, &profile, "6GiB", &["auto", "--quiet"])
        .run()
        .code(1);
    run.one_error_line(&[
        "chat: the registry has no such model or tag",
        "pull model manifest: file does not exist",
    ]);
    let log = server.registry_log();
    let asked = "/v2/library/llama3.2/manifests/1b-instruct-q3_K_L";
    assert!(
        log.iter().any(|r| r["path"] == asked && r["status"] == 404),
        "{log:?}"
    );
}

/// Starts `auto` on `CHAT` with the q8_0 weights stalled after 1 MB, and waits until
/// the stand-in holds the transfer there; returns the running `provision`.
fn start_stalled_pull(server: &Server, provision: &Provision) -> std::process::Child {
    let weights = server.upstream_weights("llama3.2:1b-instruct-q8_0");
    server.faults(&json!({"blobs": {&weights: {"after": 1_000_000}}}));
    let child = provision
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn provision");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .registry_log()
        .iter()
        .any(|r| r["event"] == "stalled")
    {
        assert!(
            Instant::now() < deadline,
            "the pull never reached the stall"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Waits until the server's partial download of a tag's weights holds `bytes` on
/// disk (the file is sparse until written), so an interruption finds them received.
fn wait_until_on_disk(server: &Server, tag: &str, bytes: u64) {
    use std::os::unix::fs::MetadataExt;
    let blob = server.upstream_weights(tag).replace(':', "-");
    let partial = server.store().join("blobs").join(format!("{blob}-partial"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let written = || std::fs::metadata(&partial).map_or(0, |m| m.blocks() * 512);
    while written() < bytes {
        assert!(
            Instant::now() < deadline,
            "{} holds {} bytes",
            partial.display(),
            written()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_pull_interrupted_by_ctrl_c_is_one_line_and_resumes() {
    let Some(server) = Server::start("a_pull_interrupted_by_ctrl_c") else {
        return;
    };
    let provision = on_device(&server, CHAT, "6GiB", &["auto", "--quiet"]);
    let child = start_stalled_pull(&server, &provision);
    wait_until_on_disk(&server, "llama3.2:1b-instruct-q8_0", 1_000_000);
    // SAFETY: kill(2) on the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let run = Run::from(child.wait_with_output().expect("wait for provision")).code(130);
    run.one_error_line(&["interrupted while running `ollama pull llama3.2:1b-instruct-q8_0`"]);

    server.faults(&json!({}));
    on_device(&server, CHAT, "6GiB", &["auto", "--quiet"])
        .run()
        .code(0);
    assert_eq!(quantization(&server, "chat"), "Q8_0");
    // The real downloader kept what it had received and asked only for the rest (a
    // file system that allocates ahead may let the interrupt come a little early).
    let weights = server.upstream_weights("llama3.2:1b-instruct-q8_0");
    let log = server.registry_log();
    let resumed = log.iter().any(|r| {
        let start = r["start"].as_u64().unwrap_or(0);
        r["digest"] == weights.as_str() && start > 0 && start <= 1_000_000
    });
    assert!(
        resumed,
        "no Range request from where the pull stopped: {log:?}"
    );
}

#[test]
fn a_pull_cut_by_the_server_dying_is_one_line() {
    let Some(mut server) = Server::start("a_pull_cut_by_the_server_dying") else {
        return;
    };
    let provision = on_device(&server, CHAT, "6GiB", &["auto", "--quiet"]);
    let child = start_stalled_pull(&server, &provision);
    server.kill();
    let run = Run::from(child.wait_with_output().expect("wait for provision")).code(1);
    run.one_error_line(&["chat: could not pull model llama3.2:1b-instruct-q8_0"]);

    server.faults(&json!({}));
    server.restart();
    on_device(&server, CHAT, "6GiB", &["auto", "--quiet"])
        .run()
        .code(0);
    assert_eq!(quantization(&server, "chat"), "Q8_0");
    // 0.5.4 records a part's progress only when its chunk ends, so after a crash
    // the download starts over (a Ctrl-C'd client resumes: the test above).
    let weights = server.upstream_weights("llama3.2:1b-instruct-q8_0");
    let log = server.registry_log();
    let reads: Vec<_> = log
        .iter()
        .filter(|r| r["digest"] == weights.as_str() && r["status"] == 206)
        .map(|r| r["start"].as_u64())
        .collect();
    assert_eq!(reads, [Some(0), Some(0)], "{log:?}");
}

#[test]
fn the_0_0_0_build_is_what_the_notes_say_and_fails_in_one_line() {
    let Some(server) = Server::start_build("the_0_0_0_build", Build::Old) else {
        return;
    };
    assert_eq!(
        server.ollama(&["-v"]).code(0).stdout,
        "ollama version is 0.0.0\n"
    );
    assert_eq!(
        server.ollama(&["list"]).code(0).stdout,
        "NAME\tID\tSIZE\tMODIFIED \n"
    );
    let show = server.ollama(&["show", "anything"]).code(1);
    assert_eq!(
        show.stderr,
        "Error: one of '--license', '--modelfile', '--parameters', '--system', or \
         '--template' must be specified\n"
    );
    // Refused before anything is pulled or created, naming the version and what is
    // needed (OllamaVersion::check_supported).
    server.preinstall("llama3.2:1b-instruct-q8_0");
    let run = on_device(&server, CHAT, "6GiB", &["auto", "--quiet"])
        .run()
        .code(1);
    run.one_error_line(&[
        "Ollama reports version 0.0.0",
        "needs Ollama 0.1.45 or newer",
    ]);
}
