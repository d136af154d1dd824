//! What users see: list-quants in BITS order with a footer that says where its
//! context comes from, optimize's pull size and JSON keys, threads of concurrent
//! rosters, partial-offload sums, a full stdout, and skipped smoke tests.

use crate::support::{Device, Provision};

#[test]
fn list_quants_rows_run_by_bits_and_the_footer_names_the_context() {
    let list = || {
        Provision::new()
            .device(Device::cpu("4GiB", 2))
            .args(["list-quants", "llama3.1:8b"])
    };
    let json = list().arg("--json").run().code(0).json();
    let bits: Vec<f64> = json["quants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["bits"].as_f64().unwrap())
        .collect();
    assert_eq!(bits.len(), 15, "{json}");
    assert!(bits.windows(2).all(|w| w[0] >= w[1]), "{bits:?}");
    // 4 GiB and 2 cores: the 4-bit tier, whose override is num_ctx 4096.
    list().run().code(0).stdout_has(
        "FITS: estimated memory at num_ctx 4096 (the default profile's parameters at this \
         device's 4-bit tier) against",
    );
}
