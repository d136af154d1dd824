//! Calibration: `provision bench` measured some models here; their measured
//! decode speed over the predicted one corrects η for the others.
//!
//! A model's own measurements (at other levels or contexts) correct its own
//! predictions; a model never measured takes the median ratio of all the
//! measured ones. CPU and GPU runs are corrected apart, and a ratio is kept
//! within [`MIN_RATIO`, `MAX_RATIO`]: outside, the measurement is not of the
//! same kind of run (a busy machine, another placement) and is not trusted.

use crate::quant::Quant;
use serde::Serialize;

/// Ratios outside these bounds are clamped.
pub const MIN_RATIO: f64 = 0.25;
pub const MAX_RATIO: f64 = 4.0;

/// A speed `bench` measured in exactly one configuration of a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredSpeed {
    pub quant: Quant,
    pub num_ctx: u32,
    pub decode_tokens_per_s: f64,
    pub prompt_tokens_per_s: Option<f64>,
}

/// One measured configuration beside the prediction for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// `family:size` of the model measured.
    pub model: String,
    pub measured: f64,
    pub predicted: f64,
    /// Whether it ran wholly on the GPU (else wholly on the CPU).
    pub on_gpu: bool,
}

/// The factors η is multiplied by, per placement, and from how many samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correction {
    pub cpu: Option<f64>,
    pub gpu: Option<f64>,
    /// Whether the samples are of this very model (else of the others measured).
    pub same_model: bool,
    pub samples: u32,
}

/// The correction for `model`: its own samples when it has some, else all.
pub fn correction(samples: &[Sample], model: &str) -> Option<Correction> {
    let own: Vec<&Sample> = samples.iter().filter(|s| s.model == model).collect();
    let (chosen, same_model) = if own.is_empty() {
        (samples.iter().collect(), false)
    } else {
        (own, true)
    };
    let ratio = |gpu: bool| {
        let ratios: Vec<f64> = chosen
            .iter()
            .filter(|s| s.on_gpu == gpu && s.predicted > 0.0 && s.measured > 0.0)
            .map(|s| s.measured / s.predicted)
            .collect();
        median(ratios).map(|r| r.clamp(MIN_RATIO, MAX_RATIO))
    };
    let (cpu, gpu) = (ratio(false), ratio(true));
    (cpu.is_some() || gpu.is_some()).then_some(Correction {
        cpu,
        gpu,
        same_model,
        samples: chosen.len() as u32,
    })
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(model: &str, measured: f64, predicted: f64, on_gpu: bool) -> Sample {
        Sample {
            model: model.into(),
            measured,
            predicted,
            on_gpu,
        }
    }

    #[test]
    fn a_model_s_own_measurements_come_first() {
        let samples = [
            sample("llama3.1:8b", 12.0, 10.0, false),
            sample("qwen2.5:7b", 5.0, 10.0, false),
            sample("qwen2.5:7b", 7.0, 10.0, false),
        ];
        let own = correction(&samples, "llama3.1:8b").unwrap();
        assert_eq!((own.cpu, own.gpu, own.same_model), (Some(1.2), None, true));
        let others = correction(&samples, "gemma3:4b").unwrap();
        assert_eq!(
            (others.cpu, others.same_model, others.samples),
            (Some(0.7), false, 3)
        );
        assert_eq!(correction(&[], "x"), None);
    }

    #[test]
    fn placements_are_corrected_apart_and_wild_ratios_clamped() {
        let samples = [sample("a", 50.0, 10.0, true), sample("a", 1.0, 10.0, false)];
        let found = correction(&samples, "a").unwrap();
        assert_eq!((found.cpu, found.gpu), (Some(MIN_RATIO), Some(MAX_RATIO)));
    }
}
