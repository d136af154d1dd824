//! `provision list-quants` against the ollama emulator: installed levels in both
//! output eras, published levels, unknown names; `remote` has `--remote` against the
//! stand-in registry.

use crate::support::{Device, Emulator, Provision};
use serde_json::Value;

mod remote;

/// `provision list-quants ARGS` on the desktop device (16 GiB, 4 cores, no GPU),
/// with no `ollama` on PATH unless `.emulator()` adds one.
pub(super) fn list_quants(args: &[&str]) -> Provision {
    Provision::new()
        .arg("list-quants")
        .device(Device::DESKTOP)
        .args(args.iter().copied())
}

pub(super) fn row<'a>(json: &'a Value, quant: &str) -> &'a Value {
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
        let tags = [
            "llama3.1:8b-instruct-q8_0",
            "llama3.1:8b",
            "qwen3:8b",
            "llama3.1:70b",
        ];
        let emu = Emulator::new().era(era).pulled(&tags);
        let run = list_quants(&["llama3.1:8b", "--json"])
            .emulator(&emu)
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
        let since_pulls = emu.log().since(tags.len());
        assert_eq!(since_pulls.count("list"), 1);
        let shows: Vec<String> = since_pulls.of("show").map(|c| c.short()).collect();
        assert_eq!(
            shows.len(),
            2,
            "neither qwen3 nor the 70b is shown: {shows:?}"
        );
    }
}

#[test]
fn the_table_lists_all_fifteen_with_sizes_fits_and_the_auto_mark() {
    let emu = Emulator::new().pulled(&["llama3.1:8b"]);
    let run = list_quants(&["llama3.1:8b"]).emulator(&emu).run().code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "llama3.1:8b: 15 quantization levels");
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["QUANT", "BITS", "TAG", "SIZE", "INSTALLED", "TOK/S", "FITS"]
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
    let speed = choice[7].to_string();
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
            &speed,
            "yes",
            "(9.5",
            "GiB)"
        ]
    );
    let installed = lines.iter().find(|l| l.contains("-q4_K_M ")).unwrap();
    assert!(
        installed.contains(" 4.9 GB   llama3.1:8b  ~3.9   yes ("),
        "{installed}"
    );
    let plan = Provision::new()
        .args(["plan", "llama3.1:8b"])
        .device(Device::DESKTOP)
        .arg("--json")
        .run()
        .code(0)
        .json();
    assert_eq!(
        plan["models"][0]["quantization"], "Q8_0",
        "the mark matches `plan`"
    );
    let decode = plan["models"][0]["speed"]["decode_tokens_per_s"]
        .as_f64()
        .unwrap();
    assert_eq!(speed, format!("~{decode:.1}"), "TOK/S matches `plan`");
    let context = plan["models"][0]["num_ctx"].as_u64().unwrap();
    let fits = format!(
        "\nFITS: estimated memory at num_ctx {context} (the default profile's parameters at \
         this device's 8-bit tier)"
    );
    let run = run
        .stdout_has(&fits)
        .stdout_has("\nollama create --quantize: none (no F16/BF16 copy installed)\n");
    assert!(run.stdout.ends_with("\ncatalog as of 2026-08-28\n"));
}

#[test]
fn custom_names_count_by_their_shown_quantization_and_float_copies_feed_create() {
    let emu = Emulator::new().pulled(&["llama3.1:8b-instruct-fp16"]);
    emu.write("Modelfile", "FROM llama3.1:8b-instruct-fp16\n");
    for (name, quantize) in [("provision/llama3.1:8b", Some("q4_K_S")), ("mybot", None)] {
        let mut args = vec!["create", name, "-f", "Modelfile"];
        args.extend(quantize.iter().flat_map(|q| ["-q", *q]));
        emu.ok(&args);
    }
    let json = list_quants(&["llama3.1", "--json", "--installed"])
        .emulator(&emu)
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
    let run = list_quants(&["qwen3:8b"]).run().code(0);
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
    let emu = Emulator::new().fault("server-down");
    let run = list_quants(&["llama3.1:8b-instruct-q8_0", "--json"])
        .emulator(&emu)
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
    run.stderr_has("installed: unknown (");
}

#[test]
fn unknown_names_suggest_catalog_names_and_exit_2() {
    list_quants(&["nosuchmodel"])
        .run()
        .code(2)
        .stdout_is("")
        .one_error_line(&[
            "unknown model 'nosuchmodel' in the catalog (known models: llama3.1,",
            "qwen3",
        ]);
    list_quants(&["lama3.1:8b"])
        .run()
        .code(2)
        .one_error_line(&["unknown model 'lama3.1:8b' in the catalog (did you mean llama3.1"]);
    list_quants(&["qwen3:8b-q6_K"])
        .run()
        .code(2)
        .one_error_line(&["unknown tag 'qwen3:8b-q6_K'"]);
}

#[test]
fn local_names_list_installed_copies_only() {
    let emu = Emulator::new().pulled(&["qwen3:8b"]);
    emu.write("Modelfile", "FROM qwen3:8b\nSYSTEM Terse.\n");
    emu.ok(&["create", "me/terse", "-f", "Modelfile"]);
    let json = list_quants(&["me/terse", "--json"])
        .emulator(&emu)
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
    list_quants(&["hf.co/someone/Thing-GGUF:Q4_K_M"])
        .emulator(&emu)
        .run()
        .code(2)
        .one_error_line(&[
        "'hf.co/someone/Thing-GGUF:Q4_K_M' is not a library model and no copy of it is installed",
    ]);
}

#[test]
fn json_has_the_documented_fields() {
    let json = list_quants(&["qwen3", "--json"]).run().code(0).json();
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
    let emu = Emulator::new().pulled(&tags).delay_ms(700);
    let started = std::time::Instant::now();
    let json = list_quants(&["llama3.1:8b", "--json", "--installed"])
        .emulator(&emu)
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
