//! The integration tests, compiled as one crate so `cargo test` links one test binary
//! instead of one per file; each module is one area, `support` is the harness they share.

#[path = "../emulator_support/mod.rs"]
mod emulator_support;
#[path = "../support/mod.rs"]
mod support;

mod ansible;
mod auto;
mod auto_local;
mod catalog_gen;
mod errors;
mod fit;
mod golden;
mod grammar_conformance;
mod kubernetes;
mod list_quants;
mod modelfile_roundtrip;
mod ollama_parsers;
mod ollama_real;
mod ollama_wrapper;
mod optimize;
mod plan;
mod probe;
mod profiles;
mod registry;
mod reliability;
