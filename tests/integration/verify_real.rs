//! `provision verify` (and `bench`) against the real Ollama 0.5.4
//! (tests/support/real_ollama.rs): each model is loaded by the real scheduler, its
//! real size is reported beside the estimate, a roster is shown resident
//! together, the next plan uses the size measured, and a timed generation runs.

use crate::support::Provision;
use crate::support::real_ollama::Server;

/// Two models of the stand-in `llama3.2:1b` at two levels (two weights files,
/// so two runners), kept loaded together.
const PAIR: &str = "name: pair
description: Two stand-in llama3.2:1b models kept loaded together
thresholds:
  high: {min_memory: 8GiB, min_cores: 2}
  medium: {min_memory: 4GiB, min_cores: 2}
  mobile: {min_memory: 1GiB, min_cores: 0}
reserve: {absolute: 512MiB, fraction: 0.05}
parameters:
  num_ctx: 2048
roster:
  concurrent: true
  models:
    - {name: chat, base: llama3.2:1b, role: chat, quant: Q8_0}
    - {name: coder, base: llama3.2:1b, role: coder, quant: Q4_K_M}
";

/// `provision ARGS` on PAIR, 6 GiB, 4 cores, no GPU, against this server's API,
/// with the measurements file in the server's scratch directory.
fn on_pair(server: &Server, args: &[&str]) -> Provision {
    let profile = server.write("pair.yaml", PAIR).display().to_string();
    let state = server.work().join("state").display().to_string();
    server
        .provision()
        .args(args.iter().copied())
        .args([
            "--profile",
            &profile,
            "--ram",
            "6GiB",
            "--cores",
            "4",
            "--vram",
            "0",
        ])
        .env("OLLAMA_HOST", server.host())
        .env("XDG_STATE_HOME", state)
}

#[test]
fn verify_loads_each_model_on_the_real_server_and_shows_the_roster_resident() {
    let Some(server) = Server::start("verify_loads_each_model_on_the_real_server") else {
        return;
    };
    server.preinstall("llama3.2:1b-instruct-q8_0");
    server.preinstall("llama3.2:1b-instruct-q4_K_M");
    on_pair(&server, &["auto", "--quiet"]).run().code(0);

    let run = on_pair(&server, &["verify", "--json"]).run();
    let report = run.json();
    assert_eq!(run.code, 0, "{report:#}\n{}\n{}", run.stderr, server.log());
    assert_eq!(report["roster"]["resident_together"], true, "{report:#}");
    let ps = server.ollama(&["ps"]).code(0).stdout;
    for name in ["chat", "coder"] {
        let model = report["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap();
        assert_eq!(model["loaded"], true, "{model:#}");
        let real = model["size_bytes"].as_u64().expect("a real size");
        let estimate = model["estimated_bytes"].as_u64().expect("an estimate");
        let error = model["error_percent"].as_f64().expect("the error");
        let expected = (estimate as f64 - real as f64) / real as f64 * 100.0;
        assert!((error - expected).abs() < 0.06, "{model:#}");
        assert_eq!(model["placement"], "100% CPU", "{model:#}");
        // The real server's own `ps` lists it, with the same size, in its units.
        let row = ps
            .lines()
            .find(|l| l.starts_with(&format!("{name}:latest")));
        let shown = provision::size::Decimal(real).to_string();
        assert!(row.is_some_and(|r| r.contains(&shown)), "{shown}\n{ps}");
    }

    let plan = on_pair(&server, &["plan", "--json"]).run().code(0).json();
    let measured = &plan["models"][0]["measured"];
    let real = &report["models"][0]["size_bytes"];
    assert_eq!(&measured["size_bytes"], real, "{plan:#}");
    assert_eq!(measured["ollama_version"], report["ollama_version"]);
    let text = on_pair(&server, &["plan"]).run().code(0).stdout;
    assert!(text.contains("measured 20"), "{text}");

    // Generation works in this build on the tiny model (the issue expected a
    // crash): both models answer while kept loaded, at most num_predict tokens.
    let bench = on_pair(&server, &["bench", "--json"]).run().code(0).json();
    for model in bench["models"].as_array().unwrap() {
        assert_eq!(
            (&model["status"], &model["warm"]),
            (&"ok".into(), &true.into())
        );
        let tokens = model["decode_tokens"].as_u64().unwrap();
        assert!((1..=128).contains(&tokens), "{model:#}");
        assert!(
            model["decode_tokens_per_s"].as_f64().unwrap() > 0.0,
            "{model:#}"
        );
    }
}
