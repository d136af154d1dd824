//! Model facts from everywhere they live: the registry (manifest and header, through
//! the CDN redirect, cached), an installed model's blob or `ollama show --verbose`,
//! and the catalog when the registry cannot be asked; and `provision inspect`.

use crate::support::registry::StandIn;
use crate::support::{Device, Provision};
use provision::gguf::write::Writer;
use tempfile::TempDir;

mod inspect;
mod installed;
mod offline;
mod registry;

/// The stand-in registry and the stand-in CDN its blob requests are redirected to.
pub(super) struct Stands {
    pub main: StandIn,
    pub cdn: StandIn,
    /// The facts cache every run of a test shares (`XDG_CACHE_HOME`).
    pub cache: TempDir,
}

impl Stands {
    pub fn start() -> Stands {
        Stands {
            main: StandIn::start(),
            cdn: StandIn::start(),
            cache: tempfile::tempdir().unwrap(),
        }
    }

    /// Publishes `model:tag` with `writer`'s header and tensor data; returns the
    /// model blob's size.
    pub fn publish(&self, model: &str, tag: &str, writer: &Writer) -> u64 {
        let header = writer.header();
        self.main
            .publish(&self.cdn, model, tag, &header, writer.data_len())
            .1
    }

    /// Requests both stand-ins have read so far.
    pub fn requests(&self) -> usize {
        self.main.requests().len() + self.cdn.requests().len()
    }

    /// `provision ARGS` on a 32 GiB, 8-core CPU machine against these stand-ins,
    /// Hugging Face names included, with the shared cache.
    pub fn provision(&self, args: &[&str]) -> Provision {
        Provision::new()
            .device(Device::cpu("32GiB", 8))
            .env("PROVISION_REGISTRY", self.main.url())
            .env("PROVISION_HF_REGISTRY", self.main.url())
            .env("XDG_CACHE_HOME", self.cache.path().display().to_string())
            .args(args.iter().copied())
    }
}
