//! A GPU too small for any layer, with plenty of RAM: the model runs on the CPU
//! (`num_gpu 0`) instead of being skipped, and the reason names the reserve.

use crate::support::{Emulator, Provision};

const SMALL_GPU: [&str; 6] = ["--vram", "2GiB", "--ram", "64GiB", "--cores", "8"];

#[test]
fn a_small_gpu_falls_back_to_the_cpu_and_says_why() {
    let emu = Emulator::new();
    let run = Provision::new()
        .emulator(&emu)
        .args(SMALL_GPU)
        .args(["auto", "--json"])
        .run()
        .code(0);
    let json = run.json();
    let model = &json["models"][0];
    assert_eq!(model["status"], "created", "{model}");
    let create = emu
        .log()
        .iter()
        .find(|c| c.verb() == "create")
        .cloned()
        .unwrap();
    let modelfile = create.modelfile.unwrap();
    assert!(modelfile.contains("PARAMETER num_gpu 0"), "{modelfile}");
}

#[test]
fn the_plan_shows_the_cpu_run_and_too_little_ram_still_does_not_fit() {
    let json = Provision::new()
        .args(SMALL_GPU)
        .args(["plan", "--json"])
        .run()
        .code(0)
        .json();
    let model = &json["models"][0];
    assert_eq!(
        (model["run"].as_str(), model["num_gpu"].as_u64()),
        (Some("cpu"), Some(0))
    );
    assert_eq!(model["quantization"], "Q4_K_M");
    let reason = model["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            "budget 0 B: the reserve of 2.2 GiB (2.0 GiB + 10 %) takes all of the GPU's 2.0 GiB"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("Q4_K_M runs on the CPU (num_gpu 0)"),
        "{reason}"
    );
    let json = Provision::new()
        .args(["--vram", "2GiB", "--ram", "4GiB", "plan", "--json"])
        .run()
        .code(0)
        .json();
    let reason = json["models"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("on the CPU > RAM budget"), "{reason}");
}
