//! The wrapper driven through the library API against the emulator, found first on
//! a sealed PATH: every error class, timeouts, interrupts and streamed progress.

use crate::support::Emulator;
use provision::ollama::{ErrorClass, Interrupt, Ollama, OllamaError, ProgressState};
use std::ffi::OsString;
use std::time::{Duration, Instant};

fn ollama(emu: &Emulator) -> Ollama {
    let mut path = OsString::from(emu.bin_dir());
    path.push(":/usr/bin:/bin");
    Ollama::locate_in(None, Some(&path))
        .expect("the emulator is on PATH")
        .with_timeout(Duration::from_secs(20))
}

#[track_caller]
fn assert_class<T: std::fmt::Debug>(
    result: Result<T, OllamaError>,
    expected: ErrorClass,
    fragments: &[&str],
) {
    let error = result.unwrap_err();
    assert_eq!(error.class(), Some(&expected), "{error}");
    let line = error.to_string();
    assert!(!line.contains('\n'), "one line: {line}");
    assert!(line.contains("exited with code 1"), "{line}");
    for fragment in fragments {
        assert!(line.contains(fragment), "{fragment:?} not in {line}");
    }
}

#[test]
fn a_missing_binary_is_one_actionable_line() {
    let empty = tempfile::tempdir().unwrap();
    let error = Ollama::locate_in(None, Some(empty.path().as_os_str())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "could not find `ollama` on PATH: install it with `curl -fsSL https://ollama.com/install.sh | sh` (https://ollama.com/download), or set OLLAMA_BIN to its path"
    );
    let error = Ollama::locate_in(Some(&empty.path().join("ollama")), None).unwrap_err();
    assert!(error.to_string().contains("OLLAMA_BIN"), "{error}");
}

#[test]
fn server_down_in_every_era() {
    for era in ["current", "v0.12", "v0.5", "v0.3"] {
        let emu = Emulator::new().era(era).fault("server-down");
        let ollama = ollama(&emu);
        assert_class(
            ollama.list(),
            ErrorClass::ServerDown,
            &[
                "the Ollama server is not running: start it with `ollama serve`",
                "`ollama list`",
            ],
        );
        let version = ollama.version().unwrap();
        assert_eq!(version.server, None, "{era}");
    }
}

#[test]
fn pull_list_show_and_rm() {
    let emu = Emulator::new();
    let ollama = ollama(&emu);
    let mut seen = Vec::new();
    let mut record = |state: &ProgressState| seen.push(state.clone());
    let done = ollama.pull("qwen2.5:0.5b", Some(&mut record)).unwrap();
    assert!(done.succeeded());
    assert!(!seen.is_empty(), "progress frames were streamed");
    let entries = ollama.list().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "qwen2.5:0.5b");
    let info = ollama.show("Qwen2.5:0.5B").unwrap();
    assert_eq!(info.architecture.as_deref(), Some("qwen2"));
    assert_eq!(
        info.parameters.as_ref().map(|p| p.text.as_str()),
        Some("494.03M")
    );
    assert_eq!(info.known_quantization(), Some("Q4_K_M"));
    let shown = ollama.show_modelfile("qwen2.5:0.5b").unwrap();
    assert_eq!(shown.header_name.as_deref(), Some("qwen2.5:0.5b"));
    assert_eq!(shown.parameter("stop"), ["<|im_start|>", "<|im_end|>"]);
    let parameters = ollama.show_parameters("qwen2.5:0.5b").unwrap();
    assert_eq!(parameters.len(), 2);
    ollama.rm("qwen2.5:0.5b").unwrap();
    assert!(ollama.list().unwrap().is_empty());
    assert_eq!(
        ollama.version().unwrap().server.as_deref(),
        Some("0.33.0-rc2")
    );
}

#[test]
fn create_quantizes_from_an_f16_tag() {
    let emu = Emulator::new();
    let ollama = ollama(&emu);
    let modelfile = "FROM llama3.2:1b-instruct-fp16\nPARAMETER num_ctx 8192\n";
    let done = ollama
        .create("me/small", modelfile, Some("q4_K_M"), None)
        .unwrap();
    assert!(done.succeeded());
    let info = ollama.show("me/small").unwrap();
    assert_eq!(info.known_quantization(), Some("Q4_K_M"));
    let calls = emu.log();
    let create = calls.of("create").next().unwrap();
    assert_eq!(create.modelfile.as_deref(), Some(modelfile));
    assert_eq!(create.arg(4), "-q");
}

#[test]
fn model_and_manifest_not_found() {
    let emu = Emulator::new();
    let ollama = ollama(&emu);
    assert_class(
        ollama.show("nosuch"),
        ErrorClass::ModelNotFound {
            name: "nosuch:latest".into(),
        },
        &["model `nosuch:latest` is not installed"],
    );
    assert_class(
        ollama.rm("nosuch"),
        ErrorClass::ModelNotFound {
            name: "nosuch".into(),
        },
        &["`ollama rm nosuch`"],
    );
    assert_class(
        ollama.pull("nosuch", None),
        ErrorClass::ManifestNotFound,
        &["pull model manifest: file does not exist"],
    );
    let old = Emulator::new().era("v0.5");
    assert_class(
        self::ollama(&old).show("nosuch"),
        ErrorClass::ModelNotFound {
            name: "nosuch".into(),
        },
        &[],
    );
}

#[test]
fn invalid_names_with_and_without_status_prefix() {
    let emu = Emulator::new();
    let ollama = ollama(&emu);
    assert_class(
        ollama.pull("a/b/c/d", None),
        ErrorClass::InvalidName,
        &[
            "could not pull model a/b/c/d",
            "exited with code 1: invalid model name",
        ],
    );
    assert_class(
        ollama.create("bad name", "FROM llama3.2\n", None, None),
        ErrorClass::InvalidName,
        &["invalid model name: bad name"],
    );
    let old = Emulator::new().era("v0.5");
    assert_class(
        self::ollama(&old).pull("a/b/c/d", None),
        ErrorClass::InvalidName,
        &[],
    );
}

#[test]
fn modelfile_parameter_errors() {
    let emu = Emulator::new();
    let ollama = ollama(&emu);
    assert_class(
        ollama.create("x", "FROM llama3.2\nPARAMETER Temperature 1\n", None, None),
        ErrorClass::UnknownParameter {
            name: "Temperature".into(),
        },
        &["unknown parameter `Temperature`"],
    );
    assert_class(
        ollama.create("x", "FROM llama3.2\nPARAMETER num_ctx 4096.0\n", None, None),
        ErrorClass::BadParameterValue {
            kind: "int".into(),
            value: "4096.0".into(),
        },
        &["PARAMETER value `4096.0` is not a valid int"],
    );
    assert_class(
        ollama.create("x", "FROM llama3.2\nFOO bar\n", None, None),
        ErrorClass::ModelfileSyntax,
        &["(line 2)"],
    );
}

#[test]
fn quantization_errors() {
    let emu = Emulator::new();
    let ollama = ollama(&emu);
    ollama.pull("qwen3:0.6b-fp16", None).unwrap();
    ollama.pull("qwen3:0.6b", None).unwrap();
    assert_class(
        ollama.create("x", "FROM qwen3:0.6b-fp16\n", Some("q2_K"), None),
        ErrorClass::UnsupportedQuantization {
            requested: "Q2_K".into(),
        },
        &[
            "ollama cannot quantize to Q2_K",
            "exited with code 1: unsupported quantization type Q2_K - supported types are",
        ],
    );
    assert_class(
        ollama.create("x", "FROM qwen3:0.6b\n", Some("q8_0"), None),
        ErrorClass::AlreadyQuantized,
        &["already quantized"],
    );
}

#[test]
fn disk_full_and_other_failures() {
    let emu = Emulator::new().fault("disk-full");
    assert_class(
        ollama(&emu).pull("llama3.2:1b", None),
        ErrorClass::DiskFull,
        &["the disk holding the Ollama model store is full"],
    );
    let emu = Emulator::new().fault("create-fails:doomed");
    let ollama = ollama(&emu);
    ollama
        .create("fine", "FROM qwen3:0.6b\n", None, None)
        .unwrap();
    // A 500 answer is the server's failure, whatever it says.
    assert_class(
        ollama.create("doomed", "FROM qwen3:0.6b\n", None, None),
        ErrorClass::ServerFailed,
        &[
            "the Ollama server failed",
            "could not create model doomed",
            "emulated create failure",
        ],
    );
}

#[test]
fn a_hung_server_times_out() {
    let emu = Emulator::new().fault("hang");
    let ollama = ollama(&emu).with_timeout(Duration::from_secs(1));
    let started = Instant::now();
    let error = ollama.show("llama3.2").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, OllamaError::TimedOut { .. }));
    assert_eq!(
        error.to_string(),
        "timed out after 1s waiting for `ollama show llama3.2` (is the server hung?)"
    );
}

#[test]
fn an_interrupt_kills_a_running_pull() {
    let emu = Emulator::new().fault("hang");
    let interrupt = Interrupt::new();
    let ollama = ollama(&emu).with_interrupt(interrupt.clone());
    let trigger = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        interrupt.trigger();
    });
    let started = Instant::now();
    let error = ollama.pull("llama3.2", None).unwrap_err();
    trigger.join().unwrap();
    assert!(matches!(error, OllamaError::Interrupted { .. }), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn delays_are_waited_out() {
    let emu = Emulator::new().delay_ms(200);
    let started = Instant::now();
    assert!(ollama(&emu).list().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[test]
fn pull_and_list_parse_in_every_era() {
    for era in ["current", "v0.12", "v0.5", "v0.3"] {
        let emu = Emulator::new().era(era);
        let ollama = ollama(&emu);
        let done = ollama.pull("qwen3:0.6b", None).unwrap();
        assert_eq!(done.last_status(), Some("success"), "{era}");
        let entries = ollama.list().unwrap();
        assert_eq!(entries[0].name, "qwen3:0.6b", "{era}");
        let info = ollama.show("qwen3:0.6b").unwrap();
        assert_eq!(info.known_quantization(), Some("Q4_K_M"), "{era}");
        assert_eq!(info.context_length, Some(40960), "{era}");
        let shown = ollama.show_modelfile("qwen3:0.6b").unwrap();
        assert_eq!(shown.parameter("temperature"), ["0.6"], "{era}");
    }
}
