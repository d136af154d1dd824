//! The integration tests, compiled as one crate so `cargo test` links one test binary
//! instead of seventeen; each module is one area, `support` is the harness they share.

#[path = "../support/mod.rs"]
mod support;

mod auto;
mod auto_local;
mod errors;
mod fit;
mod golden;
mod grammar_conformance;
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
