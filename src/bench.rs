//! The fixed generation `provision bench` times, and the speeds read from
//! Ollama's own metrics (`api/types.go` `Metrics`: durations in nanoseconds).

use crate::ollama::api::Generated;
use crate::quant::Quant;
use serde::Serialize;
use serde_json::{Value, json};

/// The prompt every model gets: plain prose of a few dozen tokens, so prompt
/// processing is measured on more than a handful of tokens.
pub const PROMPT: &str = "Explain in plain words how a hash map stores and finds its entries, \
what happens when two keys land in the same bucket, and why the table is resized as it fills. \
Keep the explanation short and concrete.";
/// Fixed, so two runs sample alike.
pub const SEED: i64 = 42;
/// Tokens to generate: enough for a stable decode rate, short enough to be quick.
pub const NUM_PREDICT: u32 = 128;

/// The request's `options`: fixed seed, greedy sampling, a fixed length.
pub fn options() -> Value {
    json!({ "seed": SEED, "temperature": 0, "num_predict": NUM_PREDICT })
}

/// What one timed generation showed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speed {
    /// Time spent loading the model for this request (≈0 when it was loaded).
    pub load_seconds: f64,
    pub prompt_tokens: u64,
    /// Prompt processing; none when the server reported no time for it.
    pub prompt_tokens_per_s: Option<f64>,
    pub decode_tokens: u64,
    pub decode_tokens_per_s: Option<f64>,
    pub total_seconds: f64,
}

/// One model's timing (`bench --json` `models[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchRow {
    /// The name it ran as.
    pub name: String,
    pub quantization: Option<Quant>,
    /// `ok` or `failed`.
    pub status: &'static str,
    /// Whether it was loaded before the run (its load time is then ≈0).
    pub warm: bool,
    #[serde(flatten)]
    pub speed: Option<Speed>,
    /// `size` and `size_vram` of `GET /api/ps` after the run.
    pub size_bytes: Option<u64>,
    pub size_vram_bytes: Option<u64>,
    /// Where it ran, as `ollama ps` prints it.
    pub placement: Option<String>,
    /// Why it did not run, one line.
    pub error: Option<String>,
    /// The manifest sha256 of what ran (for the measurements file).
    #[serde(skip)]
    pub digest: Option<String>,
    /// The context it ran with: the plan's `num_ctx`, else what `ps` reports.
    pub num_ctx: Option<u32>,
}

/// The speeds of a generation's metrics.
pub fn speed(answer: &Generated) -> Speed {
    Speed {
        load_seconds: seconds(answer.load_duration),
        prompt_tokens: answer.prompt_eval_count,
        prompt_tokens_per_s: rate(answer.prompt_eval_count, answer.prompt_eval_duration),
        decode_tokens: answer.eval_count,
        decode_tokens_per_s: rate(answer.eval_count, answer.eval_duration),
        total_seconds: seconds(answer.total_duration),
    }
}

fn seconds(nanoseconds: u64) -> f64 {
    nanoseconds as f64 / 1e9
}

/// Tokens per second, rounded to 0.01; none without tokens or time.
fn rate(tokens: u64, nanoseconds: u64) -> Option<f64> {
    if tokens == 0 || nanoseconds == 0 {
        return None;
    }
    let per_second = tokens as f64 / seconds(nanoseconds);
    Some((per_second * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_come_from_counts_and_nanoseconds() {
        let answer = Generated {
            load_duration: 1_500_000_000,
            prompt_eval_count: 40,
            prompt_eval_duration: 250_000_000,
            eval_count: 128,
            eval_duration: 4_000_000_000,
            total_duration: 5_800_000_000,
            ..Generated::default()
        };
        let speed = speed(&answer);
        assert_eq!(speed.load_seconds, 1.5);
        assert_eq!(speed.prompt_tokens_per_s, Some(160.0));
        assert_eq!(speed.decode_tokens_per_s, Some(32.0));
        assert_eq!(speed.total_seconds, 5.8);
        let cached = Generated {
            eval_count: 3,
            ..Generated::default()
        };
        assert_eq!(super::speed(&cached).decode_tokens_per_s, None);
        assert_eq!(options()["num_predict"], 128);
    }
}
