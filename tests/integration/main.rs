//! The integration tests, compiled as one crate so `cargo test` links one test binary
//! instead of one per file; each module is one area, `support` is the harness they share.

#[path = "../support/mod.rs"]
mod support;

mod ansible;
mod auto;
mod auto_local;
mod bench;
mod catalog_gen;
mod errors;
mod facts;
mod fit;
mod gguf_facts;
mod gguf_hostile;
mod golden;
mod grammar_conformance;
mod kubernetes;
mod list_quants;
mod modelfile_roundtrip;
mod ollama_differential;
mod ollama_emulator;
mod ollama_emulator_eras;
mod ollama_emulator_observed;
mod ollama_emulator_serve;
mod ollama_parsers;
mod ollama_wrapper;
mod optimize;
mod plan;
mod probe;
mod profiles;
mod real_ollama;
mod registry;
mod reliability;
mod server_env;
mod speed;
mod upkeep;
mod verify;
mod verify_real;
