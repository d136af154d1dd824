//! Ctrl-C as data: a flag that running `ollama` calls watch, and the error that
//! says a run was interrupted (exit 130), known to every layer without cycles.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag set by Ctrl-C (or by a caller) that makes running `ollama` calls kill
/// their child and fail with an error whose cause is [`Interrupted`].
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag nothing sets but [`Interrupt::trigger`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A flag set by SIGINT and SIGTERM.
    pub fn on_signals() -> std::io::Result<Self> {
        let flag = Self::new();
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&flag.0))?;
        }
        Ok(flag)
    }

    /// Requests interruption.
    pub fn trigger(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether interruption was requested.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The cause of every error that ends a run because of Ctrl-C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// Whether an error (or any of its causes) is an interruption.
pub fn is_interrupted(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<Interrupted>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_sets_the_interrupt_flag() {
        let interrupt = Interrupt::on_signals().unwrap();
        assert!(!interrupt.is_set());
        signal_hook::low_level::raise(signal_hook::consts::SIGTERM).unwrap();
        assert!(interrupt.is_set());
    }

    #[test]
    fn an_interruption_is_found_among_the_causes() {
        let error = anyhow::Error::new(Interrupted).context("could not pull");
        assert!(is_interrupted(&error));
        assert!(!is_interrupted(&anyhow::anyhow!("other")));
    }
}
