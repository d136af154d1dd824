//! Which recorded measurements a plan may use: those of this device, of the
//! Ollama version that runs now, with the profile's slot count, for the build
//! each planned name is installed as (`crate::measurements::applicable`).

use crate::context::Context;
use crate::inventory::Inventory;
use crate::measurements::{self, Measurement, device_key};
use crate::output;
use anyhow::Result;

/// Whether any measurement was recorded on this device with the profile's slot
/// count (so Ollama is worth asking which builds are installed).
pub(super) fn recorded_here(ctx: &Context) -> Result<bool> {
    let parallel = ctx.profile()?.profile.fit_policy().num_parallel;
    let device = device_key(ctx.device());
    Ok(ctx
        .measurements()
        .records()
        .iter()
        .any(|m| m.key.device == device && m.key.num_parallel == parallel))
}

/// The measurements that apply to the installed builds `inventory` lists
/// (`Err`: why Ollama could not be asked, said once as a warning).
pub(super) fn applicable(
    ctx: &Context,
    inventory: Result<&Inventory, String>,
) -> Result<Vec<Measurement>> {
    let parallel = ctx.profile()?.profile.fit_policy().num_parallel;
    let not_used = |why: &str| {
        output::warn(&format!(
            "measurements recorded here are not used: could not ask Ollama {why}"
        ));
        Ok(Vec::new())
    };
    let inventory = match inventory {
        Ok(inventory) => inventory,
        Err(why) => return not_used(&format!("which models are installed ({why})")),
    };
    let Some(version) = ollama_version(ctx) else {
        return not_used("for its version");
    };
    Ok(measurements::applicable(
        ctx.measurements().records(),
        &device_key(ctx.device()),
        &version,
        parallel,
        &inventory.ids(),
    ))
}

/// The version of the running Ollama: the probe's, else `ollama -v` now (runs
/// that skip it in the probe ask only when a measurement may apply).
fn ollama_version(ctx: &Context) -> Option<String> {
    if let Some(version) = &ctx.device().ollama.version {
        return Some(version.clone());
    }
    ctx.ollama().ok()?.version().ok()?.server
}
