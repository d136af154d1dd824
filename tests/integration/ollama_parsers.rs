//! The pure `ollama` parsers on every sample of the reference, stored as fixture
//! files with their trailing spaces and TABs intact.

use provision::ollama::list::parse_list;
use provision::ollama::parameters::{ParamValue, parse_parameters};
use provision::ollama::progress::{ProgressLine, parse_progress, strip_ansi};
use provision::ollama::show::parse_show;
use provision::ollama::show_modelfile::parse_shown_modelfile;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/ollama/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn show_generated_example() {
    let info = parse_show(&fixture("show_current_generated.txt")).unwrap();
    assert_eq!(info.architecture.as_deref(), Some("llama"));
    assert_eq!(
        info.parameters.as_ref().map(|p| p.approx),
        Some(3_200_000_000)
    );
    assert_eq!(
        (info.context_length, info.embedding_length),
        (Some(131072), Some(3072))
    );
    assert_eq!(info.known_quantization(), Some("Q4_K_M"));
    assert_eq!(info.capabilities, ["completion", "tools"]);
    let stops = [
        ("stop", "<|start_header_id|>"),
        ("stop", "<|end_header_id|>"),
        ("stop", "<|eot_id|>"),
    ];
    assert_eq!(info.parameters_section, pairs(&stops));
    assert_eq!(
        info.license,
        [
            "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT",
            "Llama 3.2 Version Release Date: September 25, 2024",
            "..."
        ]
    );
}

#[test]
fn show_real_recent_output() {
    let info = parse_show(&fixture("show_real_qwen35moe.txt")).unwrap();
    assert_eq!(info.architecture.as_deref(), Some("qwen35moe"));
    assert_eq!(
        info.parameters.as_ref().map(|p| p.text.as_str()),
        Some("36.0B")
    );
    assert_eq!(info.context_length, Some(262144));
    assert_eq!(
        info.capabilities,
        ["completion", "vision", "tools", "thinking"]
    );
    assert_eq!(
        info.parameters_section,
        pairs(&[("min_p", "0"), ("presence_penalty", "1.5")])
    );
}

#[test]
fn show_unit_test_strings() {
    let info = parse_show(&fixture("show_test_model.txt")).unwrap();
    assert_eq!(info.architecture.as_deref(), Some("test"));
    assert_eq!(
        info.parameters.as_ref().map(|p| p.approx),
        Some(7_000_000_000)
    );
    assert_eq!(info.quantization, "FP16");
    let info = parse_show(&fixture("show_test_capabilities.txt")).unwrap();
    assert_eq!(info.capabilities, ["vision", "tools"]);
    let info = parse_show(&fixture("show_test_system.txt")).unwrap();
    assert_eq!(info.system, ["You are a pirate!", "Ahoy, matey!", "..."]);
}

#[test]
fn show_tab_layout_before_v0_3_11() {
    let info = parse_show(&fixture("show_v0_3.txt")).unwrap();
    assert_eq!(info.architecture.as_deref(), Some("llama"));
    assert_eq!(
        info.parameters.as_ref().map(|p| p.approx),
        Some(8_000_000_000)
    );
    assert_eq!(info.known_quantization(), Some("Q4_0"));
    assert_eq!(
        (info.context_length, info.embedding_length),
        (Some(8192), Some(4096))
    );
}

#[test]
fn show_stop_values_split_on_spaces_are_rejoined() {
    let text = "  Model\n    architecture    llama    \n    quantization    Q8_0    \n\n  Parameters\n    stop           \"###          User:\"    \n    temperature    0.7                     \n\n";
    let info = parse_show(text).unwrap();
    assert_eq!(
        info.parameters_section,
        pairs(&[("stop", "### User:"), ("temperature", "0.7")])
    );
}

#[test]
fn list_realistic_example() {
    let entries = parse_list(&fixture("list_current.txt")).unwrap();
    let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "llama3.2:latest",
            "qwen2.5:0.5b",
            "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"
        ]
    );
    assert_eq!(entries[0].id, "a80c4f17acd5");
    assert!(entries[0].size.as_ref().unwrap().contains(2_019_377_376));
    assert_eq!(entries[1].size.as_ref().unwrap().text, "397 MB");
    assert_eq!(entries[2].modified, "About a minute ago");
}

#[test]
fn list_empty_and_real_rows() {
    assert!(parse_list(&fixture("list_empty.txt")).unwrap().is_empty());
    let row = &parse_list(&fixture("list_row_8448.txt")).unwrap()[0];
    assert_eq!(
        (row.name.as_str(), row.id.as_str(), row.modified.as_str()),
        ("llama3.2-vision:latest", "085a1fdae525", "2 weeks ago")
    );
    let row = &parse_list(&fixture("list_row_tab_6037.txt")).unwrap()[0];
    assert_eq!(row.name, "llama3.1:70b-instruct-q8_0");
    assert!(row.size.as_ref().unwrap().contains(74_975_028_352));
    assert_eq!(row.modified, "5 days ago");
}

#[test]
fn list_fake_ids_of_the_upstream_unit_test_are_rejected() {
    let error = parse_list(&fixture("list_test_fake_ids.txt")).unwrap_err();
    assert!(error.to_string().contains("line 2"), "{error}");
}

#[test]
fn parameters_real_sample() {
    let parsed = parse_parameters(&fixture("parameters_2732.txt")).unwrap();
    assert_eq!(parsed[0].name, "repeat_penalty");
    assert!(matches!(parsed[0].value, ParamValue::Number { value, .. } if value == 1.0));
    assert_eq!(parsed[1].value, ParamValue::Text("<start_of_turn>".into()));
    assert!(
        parse_parameters(&fixture("parameters_empty.txt"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn pull_success_stream() {
    let state = parse_progress(&fixture("pull_success_raw.txt"));
    assert!(state.succeeded());
    assert_eq!(state.lines.len(), 10);
    let expected = ProgressLine::Bar {
        label: "pulling 56bb8bd477a5".into(),
        percent: 100,
        rest: "96 B".into(),
    };
    assert_eq!(state.lines[5], expected);
    let stripped: String = strip_ansi(&fixture("pull_success_raw.txt"));
    assert!(stripped.ends_with(&fixture("pull_final_frame_stripped.txt")));
}

#[test]
fn pull_not_found_stream() {
    let state = parse_progress(&fixture("pull_not_found_raw.txt"));
    assert_eq!(state.last_status(), Some("pulling manifest"));
    assert_eq!(
        state.error.as_deref(),
        Some("pull model manifest: file does not exist")
    );
    let state = parse_progress(&fixture("pull_not_found_stripped.txt"));
    assert_eq!(
        state.error.as_deref(),
        Some("pull model manifest: file does not exist")
    );
}

#[test]
fn frames_without_markers_before_v0_5_12() {
    let state = parse_progress(&fixture("pull_old_era_raw.txt"));
    assert!(state.succeeded(), "{state:?}");
}

#[test]
fn create_streams() {
    let state = parse_progress(&fixture("create_quantize_raw.txt"));
    assert!(state.succeeded());
    assert!(
        matches!(&state.lines[1], ProgressLine::Bar { label, rest, .. } if label == "quantizing F16 model to Q4_K_M" && rest == "6.4 GB")
    );
    let state = parse_progress(&fixture("create_error_raw.txt"));
    assert!(
        state
            .error
            .as_deref()
            .unwrap()
            .starts_with("500 Internal Server Error: unsupported")
    );
}

#[test]
fn shown_modelfile_current() {
    let shown = parse_shown_modelfile(&fixture("show_modelfile_current.txt")).unwrap();
    assert_eq!(shown.header_name.as_deref(), Some("llama3.2:latest"));
    assert!(
        shown
            .from
            .ends_with("sha256-dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff")
    );
    assert!(
        shown
            .template
            .as_deref()
            .unwrap()
            .starts_with("<|start_header_id|>system")
    );
    assert_eq!(shown.system.as_deref(), Some("You are terse."));
    assert_eq!(
        shown.parameter("stop"),
        ["<|start_header_id|>", "### User:"]
    );
    assert_eq!(shown.parameter("temperature"), ["0.6"]);
    assert_eq!(
        shown.licenses,
        ["LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\nsays \"hi\"\n"]
    );
    assert_eq!(shown.messages, pairs(&[("user", "hello there")]));
}

#[test]
fn shown_modelfile_before_v0_1_34_quotes_stops() {
    let shown = parse_shown_modelfile(&fixture("show_modelfile_old_quoted.txt")).unwrap();
    assert_eq!(shown.header_name.as_deref(), Some("mistral:latest"));
    assert_eq!(shown.parameter("stop"), ["[INST]", "[/INST]"]);
    assert!(shown.from.contains("sha256:e8a35b"));
}

#[test]
fn every_error_line_of_the_reference_is_classified() {
    for line in fixture("errors.tsv").lines() {
        let (message, expected) = line.split_once('\t').unwrap();
        let class = provision::ollama::error::classify(message);
        assert_eq!(class.to_string(), expected, "{message}");
    }
}

#[test]
fn a_multi_line_error_keeps_its_following_lines() {
    let state = parse_progress(&fixture("pull_cloud_suggestion_raw.txt"));
    let error = state.error.unwrap();
    assert!(
        error.starts_with(
            "pull model manifest: file does not exist\n\n\"gpt-oss:cloud\" is available"
        )
    );
    assert!(error.ends_with("ollama pull gpt-oss:cloud"));
    assert_eq!(state.lines.len(), 1);
    let class = provision::ollama::error::classify(&error);
    assert_eq!(class, provision::ollama::ErrorClass::ManifestNotFound);
}

#[test]
fn create_statuses_of_a_real_gguf_import() {
    let state = parse_progress(&fixture("create_gguf_8448_stripped.txt"));
    let texts: Vec<String> = state
        .lines
        .iter()
        .map(|line| match line {
            ProgressLine::Status { text, running } => {
                assert!(!running);
                text.clone()
            }
            ProgressLine::Bar { label, .. } => panic!("no bar expected: {label}"),
        })
        .collect();
    assert_eq!(texts[0], "gathering model components");
    assert!(texts[1].starts_with("copying file sha256:ece5") && texts[1].ends_with("100%"));
    assert_eq!(texts[2], "parsing GGUF");
    assert!(!state.succeeded(), "no `success` line: the sample was cut");
}
