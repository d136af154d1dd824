//! `provision list-quants` against the ollama emulator and the stand-in registry:
//! installed levels in both output eras, published levels, unknown names, `--remote`.

use crate::emulator_support;
use crate::support;

use emulator_support::Emulator;
use serde_json::Value;
use support::registry::StandIn;
use support::{Provision, Run};

const MANIFEST: &str = include_str!("../fixtures/registry/llama3.1_8b-instruct-q4_K_M.json");

/// A 16 GiB CPU-only machine with the emulator (if any) first on PATH.
fn provision(emu: Option<&Emulator>, args: &[&str]) -> Provision {
    let mut run = Provision::new()
        .args([
            "list-quants",
            "--ram",
            "16GiB",
            "--vram",
            "0",
            "--cores",
            "4",
        ])
        .args(args.iter().copied());
    if let Some(emu) = emu {
        run = run.path_front(emu.bin_dir());
    }
    run
}

fn pulled(era: &str, tags: &[&str]) -> Emulator {
    let emu = Emulator::new().env("OLLAMA_EMULATOR_ERA", era);
    for tag in tags {
        assert_eq!(emu.run(&["pull", tag]).code, 0, "pull {tag}");
    }
    emu
}

fn row<'a>(json: &'a Value, quant: &str) -> &'a Value {
    json["quants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["quant"] == quant)
        .unwrap_or_else(|| panic!("no {quant} row in {json:#}"))
}

fn installed(json: &Value) -> Vec<(String, Vec<String>)> {
    json["quants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["installed"] == true)
        .map(|r| {
            let names = r["installed_names"].as_array().unwrap();
            let names = names.iter().map(|n| n.as_str().unwrap().to_string());
            (r["quant"].as_str().unwrap().to_string(), names.collect())
        })
        .collect()
}

#[test]
fn installed_levels_are_read_through_show_in_both_output_eras() {
    for era in ["current", "v0.3"] {
        let emu = pulled(
            era,
            &[
                "llama3.1:8b-instruct-q8_0",
                "llama3.1:8b",
                "qwen3:8b",
                "llama3.1:70b",
            ],
        );
        let run = provision(Some(&emu), &["llama3.1:8b", "--json"])
            .run()
            .code(0);
        assert_eq!(run.stderr, "", "{era}");
        let json = run.json();
        assert_eq!(json["quants"].as_array().unwrap().len(), 15, "{era}");
        assert_eq!(
            installed(&json),
            [
                (
                    "Q8_0".to_string(),
                    vec!["llama3.1:8b-instruct-q8_0".to_string()]
                ),
                ("Q4_K_M".to_string(), vec!["llama3.1:8b".to_string()]),
            ],
            "{era}"
        );
        let argv: Vec<String> = emu.calls().iter().map(|c| c["argv"].to_string()).collect();
        let since_pulls = &argv[4..];
        assert_eq!(
            since_pulls
                .iter()
                .filter(|a| a.contains("\"list\""))
                .count(),
            1
        );
        let shows: Vec<&String> = since_pulls
            .iter()
            .filter(|a| a.contains("\"show\""))
            .collect();
        assert_eq!(
            shows.len(),
            2,
            "neither qwen3 nor the 70b is shown: {shows:?}"
        );
    }
}

#[test]
fn the_table_lists_all_fifteen_with_sizes_fits_and_the_auto_mark() {
    let emu = pulled("current", &["llama3.1:8b"]);
    let run = provision(Some(&emu), &["llama3.1:8b"]).run().code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "llama3.1:8b: 15 quantization levels");
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["QUANT", "BITS", "TAG", "SIZE", "INSTALLED", "FITS"]
    );
    assert!(
        lines[3].starts_with("   F16     16.00  llama3.1:8b-instruct-fp16"),
        "{}",
        lines[3]
    );
    assert!(
        lines[3].contains("  -  ") && lines[3].contains("  no ("),
        "{}",
        lines[3]
    );
    let marked: Vec<&&str> = lines.iter().filter(|l| l.starts_with('*')).collect();
    assert_eq!(marked.len(), 2, "the mark and its legend: {marked:?}");
    let choice = marked[0].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        choice,
        [
            "*",
            "Q8_0",
            "8.50",
            "llama3.1:8b-instruct-q8_0",
            "8.5",
            "GB",
            "-",
            "yes",
            "(10.2",
            "GiB)"
        ]
    );
    let installed = lines.iter().find(|l| l.contains("-q4_K_M ")).unwrap();
    assert!(
        installed.contains(" 4.9 GB   llama3.1:8b  yes ("),
        "{installed}"
    );
    let plan = Provision::new()
        .args([
            "plan",
            "llama3.1:8b",
            "--ram",
            "16GiB",
            "--vram",
            "0",
            "--cores",
            "4",
            "--json",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(
        plan["models"][0]["quantization"], "Q8_0",
        "the mark matches `plan`"
    );
    let context = plan["models"][0]["num_ctx"].as_u64().unwrap();
    let fits = format!("\nFITS: estimated memory at num_ctx {context} (profile default)");
    assert!(run.stdout.contains(&fits), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("\nollama create --quantize: none (no F16/BF16 copy installed)\n")
    );
    assert!(run.stdout.ends_with("\ncatalog as of 2025-08-09\n"));
}

#[test]
fn custom_names_count_by_their_shown_quantization_and_float_copies_feed_create() {
    let emu = pulled("current", &["llama3.1:8b-instruct-fp16"]);
    emu.write("Modelfile", "FROM llama3.1:8b-instruct-fp16\n");
    for (name, quantize) in [("provision/llama3.1:8b", Some("q4_K_S")), ("mybot", None)] {
        let mut args = vec!["create", name, "-f", "Modelfile"];
        args.extend(quantize.iter().flat_map(|q| ["-q", *q]));
        assert_eq!(emu.run(&args).code, 0, "create {name}");
    }
    let json = provision(Some(&emu), &["llama3.1", "--json", "--installed"])
        .run()
        .code(0)
        .json();
    assert_eq!(
        installed(&json),
        [
            (
                "F16".to_string(),
                vec![
                    "llama3.1:8b-instruct-fp16".to_string(),
                    "mybot:latest".to_string()
                ]
            ),
            (
                "Q4_K_S".to_string(),
                vec!["provision/llama3.1:8b".to_string()]
            ),
        ]
    );
    assert_eq!(json["quants"].as_array().unwrap().len(), 2, "--installed");
    let create = &json["create_quantize_from"];
    assert_eq!(create["name"], "llama3.1:8b-instruct-fp16");
    assert_eq!(
        create["levels"],
        serde_json::json!(["F16", "BF16", "Q8_0", "Q4_K_M", "Q4_K_S"])
    );
}

#[test]
fn qwen3_lists_three_and_a_missing_ollama_is_one_warning() {
    let run = provision(None, &["qwen3:8b"]).run().code(0);
    let rows: Vec<&str> = run
        .stdout
        .lines()
        .skip(3)
        .take_while(|l| !l.is_empty())
        .collect();
    let quants: Vec<&str> = rows
        .iter()
        .map(|l| l[3..].split(' ').next().unwrap())
        .collect();
    assert_eq!(quants, ["F16", "Q8_0", "Q4_K_M"]);
    assert!(
        rows.iter().all(|r| r.contains("  ?  ")),
        "installed unknown: {rows:?}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("provision: warning: installed: unknown (could not find `ollama`")
    );
}

#[test]
fn a_server_that_is_down_still_lists_the_published_levels() {
    let emu = Emulator::new().env("OLLAMA_EMULATOR_FAULT", "server-down");
    let run = provision(Some(&emu), &["llama3.1:8b-instruct-q8_0", "--json"])
        .run()
        .code(0);
    let json = run.json();
    assert_eq!(json["size"], "8b", "a full tag lists its size");
    assert_eq!(json["quants"].as_array().unwrap().len(), 15);
    assert!(
        json["installed_unknown"]
            .as_str()
            .unwrap()
            .contains("not running")
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("installed: unknown ("),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_names_suggest_catalog_names_and_exit_1() {
    let run = provision(None, &["nosuchmodel"]).run().code(1);
    run.one_error_line(&[
        "unknown model 'nosuchmodel' in the catalog (known models: llama3.1,",
        "qwen3",
    ]);
    assert_eq!(run.stdout, "");
    let run = provision(None, &["lama3.1:8b"]).run().code(1);
    run.one_error_line(&["unknown model 'lama3.1:8b' in the catalog (did you mean llama3.1"]);
    let run = provision(None, &["qwen3:8b-q6_K"]).run().code(1);
    run.one_error_line(&["unknown tag 'qwen3:8b-q6_K'"]);
}

#[test]
fn local_names_list_installed_copies_only() {
    let emu = pulled("current", &["qwen3:8b"]);
    emu.write("Modelfile", "FROM qwen3:8b\nSYSTEM Terse.\n");
    assert_eq!(emu.run(&["create", "me/terse", "-f", "Modelfile"]).code, 0);
    let json = provision(Some(&emu), &["me/terse", "--json"])
        .run()
        .code(0)
        .json();
    assert!(json["family"].is_null() && json["catalog_as_of"].is_null());
    assert_eq!(
        installed(&json),
        [("Q4_K_M".to_string(), vec!["me/terse:latest".to_string()])]
    );
    assert_eq!(row(&json, "Q4_K_M")["size_source"], "installed");
    assert!(row(&json, "Q4_K_M")["fits"].is_null());
    let run = provision(Some(&emu), &["hf.co/someone/Thing-GGUF:Q4_K_M"])
        .run()
        .code(1);
    run.one_error_line(&[
        "'hf.co/someone/Thing-GGUF:Q4_K_M' is not a library model and no copy of it is installed",
    ]);
}

fn remote(stand_in: &StandIn, args: &[&str]) -> Run {
    provision(None, args)
        .arg("--remote")
        .env("PROVISION_REGISTRY", stand_in.url())
        .env("PROVISION_REGISTRY_TIMEOUT", "1")
        .run()
}

#[test]
fn remote_sizes_come_from_manifests_404s_are_kept_and_a_hang_falls_back() {
    let stand_in = StandIn::start();
    stand_in.manifest(
        "qwen3",
        "8b-q8_0",
        MANIFEST.replace("4920738944", "8700000123"),
    );
    stand_in.hang("qwen3", "8b-q4_K_M");
    let started = std::time::Instant::now();
    let run = remote(&stand_in, &["qwen3:8b", "--json"]).code(0);
    assert!(started.elapsed().as_secs_f64() < 4.0, "one shared deadline");
    let json = run.json();
    let q8 = row(&json, "Q8_0");
    assert_eq!(
        (&q8["size_bytes"], &q8["size_exact"]),
        (&Value::from(8_700_000_123u64), &Value::from(true))
    );
    assert_eq!(
        (&q8["size_source"], &q8["registry"]),
        (&Value::from("registry"), &Value::from("found"))
    );
    let f16 = row(&json, "F16");
    assert_eq!(
        (&f16["registry"], &f16["size_source"]),
        (&Value::from("not_found"), &Value::from("catalog"))
    );
    let q4 = row(&json, "Q4_K_M");
    assert_eq!(
        (&q4["registry"], &q4["size_source"]),
        (&Value::from("no_answer"), &Value::from("catalog"))
    );
    assert_eq!(
        json["remote"],
        serde_json::json!({"used": true, "offline_reason": null})
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("remote:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("no answer for 1 of 3 tags (8b-q4_K_M: "),
        "{}",
        warnings[0]
    );
    let paths: Vec<String> = stand_in.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
}

#[test]
fn an_unreachable_registry_is_one_warning_and_catalog_sizes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = provision(None, &["qwen3:8b", "--remote", "--json"])
        .env("PROVISION_REGISTRY", format!("http://127.0.0.1:{port}"))
        .run()
        .code(0);
    let json = run.json();
    assert!(json["remote"]["offline_reason"].is_string(), "{json:#}");
    assert!(
        json["quants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["size_source"] == "catalog")
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("remote:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("unreachable"), "{}", warnings[0]);
}

#[test]
fn a_404_shows_in_the_table() {
    let stand_in = StandIn::start();
    let run = remote(&stand_in, &["qwen3:8b"]).code(0);
    assert!(
        run.stdout.contains("qwen3:8b-fp16 (not in registry)"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_has_the_documented_fields() {
    let json = provision(None, &["qwen3", "--json"]).run().code(0).json();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "schema_version",
        "model",
        "family",
        "size",
        "catalog_as_of",
        "context",
        "quants",
        "remote",
        "create_quantize_from",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert_eq!(
        (&json["family"], &json["size"], &json["context"]),
        (
            &Value::from("qwen3"),
            &Value::from("8b"),
            &Value::from(8192)
        )
    );
    let row = row(&json, "Q8_0");
    for key in [
        "quant",
        "bits",
        "tag",
        "size_bytes",
        "size_exact",
        "size_source",
        "installed",
        "installed_names",
        "fits",
        "total_bytes",
        "auto_choice",
    ] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }
    assert_eq!(row["tag"], "qwen3:8b-q8_0");
    assert_eq!(
        row["auto_choice"], true,
        "the 8-bit tier of 4 cores and 16 GiB"
    );
    assert!(row["total_bytes"].as_u64().unwrap() > row["size_bytes"].as_u64().unwrap());
    assert_eq!(json["remote"]["used"], false);
}

#[test]
fn the_shows_run_concurrently() {
    let tags = [
        "llama3.1:8b",
        "llama3.1:8b-instruct-q8_0",
        "llama3.1:8b-instruct-q2_K",
        "llama3.1:8b-text-q8_0",
    ];
    let emu = pulled("current", &tags).env("OLLAMA_EMULATOR_DELAY_MS", "700");
    let started = std::time::Instant::now();
    let json = provision(Some(&emu), &["llama3.1:8b", "--json", "--installed"])
        .run()
        .code(0)
        .json();
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(
        json["quants"].as_array().unwrap().len(),
        3,
        "text-q8_0 is also Q8_0"
    );
    // `ollama -v` (the device probe), one list and four shows of 0.7 s each:
    // 4.2 s one after another, 2.1 s with the shows side by side.
    assert!(elapsed < 3.5, "took {elapsed:.2}s");
}
