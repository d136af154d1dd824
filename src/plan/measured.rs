//! Measurements in the plan: the sizes the fit uses instead of estimates, and
//! the note a planned model carries when its chosen configuration was measured.

use super::Chosen;
use crate::fit::{MeasuredSize, ModelFit};
use crate::measurements::{Measured, Measurement, find};

/// For each selected model, the sizes measured for its installed build.
pub(super) fn sizes(selection: &[Chosen], measured: &[Measurement]) -> Vec<Vec<MeasuredSize>> {
    selection
        .iter()
        .map(|chosen| {
            let name = &chosen.model.name;
            measured
                .iter()
                .filter(|m| m.is_of(name))
                .filter_map(|m| {
                    Some(MeasuredSize {
                        quant: m.quantization?,
                        num_ctx: m.key.num_ctx,
                        total_bytes: m.size_bytes?,
                    })
                })
                .collect()
        })
        .collect()
}

/// The measurement of exactly the configuration the fit chose, if any; the
/// estimate it replaced is the sum of the estimate's parts.
pub(super) fn note(name: &str, fit: &ModelFit, measured: &[Measurement]) -> Option<Measured> {
    let quant = fit.quantization.filter(|_| fit.fits)?;
    let found = find(measured, name, quant, fit.num_ctx)?;
    let e = &fit.estimate;
    Some(Measured {
        size_bytes: found.size_bytes,
        estimated_bytes: e.weights_bytes + e.kv_cache_bytes + e.graph_bytes + e.overhead_bytes,
        decode_tokens_per_s: found.decode_tokens_per_s,
        prompt_tokens_per_s: found.prompt_tokens_per_s,
        load_seconds: found.load_seconds,
        measured_at: found.measured_at.clone(),
        ollama_version: found.key.ollama_version.clone(),
    })
}
