//! The ollama emulator for test files that need only it (tests/ollama_emulator.rs,
//! tests/ollama_differential.rs): the same code as `support::emulator`, which every
//! other test reaches through `support`.
#![allow(dead_code)]

#[path = "../support/calls.rs"]
pub mod calls;
#[path = "../support/emulator.rs"]
mod emulator;

// Each test crate that includes this module uses a different part of it.
#[allow(unused_imports)]
pub use {
    calls::{Call, Calls},
    emulator::{Emulator, Out, module, script},
};
