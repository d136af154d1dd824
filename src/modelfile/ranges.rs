//! The values each PARAMETER may take. Where Ollama has a limit, a value it would
//! silently raise, clamp or replace is refused here, so that a Modelfile never says
//! something Ollama does not do; elsewhere the bounds are the sentinels Ollama and
//! llama.cpp document, and 32-bit ints because llama.cpp reads these as `int32`.
//!
//! Sources (ollama/ollama): `server/sched.go` `getRunner` at v0.33.0-rc2 raises a
//! `num_ctx` below 4 to 4; `api/types.go` `DefaultOptions` at v0.33.0-rc2 (`num_gpu`
//! -1 and `num_thread` 0 let Ollama decide, `num_predict` -1 is unlimited);
//! `llm/llama_server.go` at v0.33.0-rc2 passes `-ngl` only for `num_gpu` >= 0 and
//! `-t` only for `num_thread` > 0; `sample/samplers.go` `NewSampler` at v0.9.0
//! clamps `temperature` below 0 to 0 and `top_p`/`min_p` into [0, 1];
//! `x/mlxrunner/sample/sample.go` `normalize` at v0.33.0-rc2 replaces a
//! `repeat_penalty` <= 0 by 1 and reads `repeat_last_n` -1 as the whole context.

use super::params::ParamValue;

const INT32_MAX: i64 = i32::MAX as i64;

/// The values one parameter may take.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// Inclusive integer bounds.
    Int(i64, i64),
    /// Inclusive float bounds; every float must also be finite.
    Float(f32, f32),
    /// Above zero (and finite).
    Positive,
}

/// `(name, limit, what the low end means or why it is the low end)`.
const LIMITS: [(&str, Limit, &str); 17] = [
    (
        "num_ctx",
        Limit::Int(4, INT32_MAX),
        "Ollama raises a smaller context to 4",
    ),
    (
        "num_batch",
        Limit::Int(1, INT32_MAX),
        "a batch holds at least one token",
    ),
    (
        "num_gpu",
        Limit::Int(-1, INT32_MAX),
        "-1 lets Ollama decide",
    ),
    ("main_gpu", Limit::Int(0, INT32_MAX), "it is a GPU index"),
    (
        "num_thread",
        Limit::Int(0, INT32_MAX),
        "0 lets Ollama decide",
    ),
    (
        "draft_num_predict",
        Limit::Int(0, INT32_MAX),
        "0 turns drafting off",
    ),
    (
        "num_keep",
        Limit::Int(-1, INT32_MAX),
        "-1 keeps the whole prompt",
    ),
    (
        "num_predict",
        Limit::Int(-2, INT32_MAX),
        "-1 is unlimited, -2 fills the context",
    ),
    ("top_k", Limit::Int(0, INT32_MAX), "0 turns it off"),
    (
        "repeat_last_n",
        Limit::Int(-1, INT32_MAX),
        "-1 is the whole context, 0 turns it off",
    ),
    (
        "top_p",
        Limit::Float(0.0, 1.0),
        "Ollama clamps it into [0, 1]",
    ),
    (
        "min_p",
        Limit::Float(0.0, 1.0),
        "Ollama clamps it into [0, 1]",
    ),
    ("typical_p", Limit::Float(0.0, 1.0), "it is a probability"),
    (
        "temperature",
        Limit::Float(0.0, f32::MAX),
        "Ollama raises a negative temperature to 0",
    ),
    (
        "repeat_penalty",
        Limit::Positive,
        "Ollama replaces a penalty <= 0 by 1 (off)",
    ),
    (
        "presence_penalty",
        Limit::Float(f32::MIN, f32::MAX),
        "any finite number",
    ),
    (
        "frequency_penalty",
        Limit::Float(f32::MIN, f32::MAX),
        "any finite number",
    ),
];

/// Whether `value` is one `name` may take; the error says the range and why.
/// Names without a limit (`seed`, `use_mmap`, `stop`, deprecated names) pass.
pub fn check(name: &str, value: &ParamValue) -> Result<(), String> {
    if let ParamValue::Float(v) = value
        && !v.is_finite()
    {
        return Err(format!("parameter {name} must be a finite number, not {v}"));
    }
    let Some((_, limit, why)) = LIMITS.iter().find(|(n, _, _)| *n == name) else {
        return Ok(());
    };
    let inside = match (*limit, value) {
        (Limit::Int(low, high), ParamValue::Int(v)) => (low..=high).contains(v),
        (Limit::Float(low, high), ParamValue::Float(v)) => (low..=high).contains(v),
        (Limit::Positive, ParamValue::Float(v)) => *v > 0.0,
        _ => true,
    };
    if inside {
        return Ok(());
    }
    Err(format!(
        "parameter {name} must be {}, not {value} ({why})",
        describe(*limit)
    ))
}

fn describe(limit: Limit) -> String {
    match limit {
        Limit::Int(low, INT32_MAX) => format!("at least {low}"),
        Limit::Int(low, high) => format!("from {low} to {high}"),
        Limit::Float(low, f32::MAX) => format!("at least {low}"),
        Limit::Float(low, high) => format!("from {low} to {high}"),
        Limit::Positive => "above 0".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_ollama_would_change_and_says_why() {
        let cases = [
            (
                "num_ctx",
                ParamValue::Int(0),
                "parameter num_ctx must be at least 4, not 0 (Ollama raises a smaller context to 4)",
            ),
            (
                "num_ctx",
                ParamValue::Int(-5),
                "parameter num_ctx must be at least 4, not -5",
            ),
            (
                "num_ctx",
                ParamValue::Int(1 << 40),
                "parameter num_ctx must be at least 4, not 1099511627776",
            ),
            (
                "num_thread",
                ParamValue::Int(-1),
                "parameter num_thread must be at least 0, not -1",
            ),
            (
                "num_gpu",
                ParamValue::Int(-2),
                "parameter num_gpu must be at least -1, not -2",
            ),
            (
                "top_p",
                ParamValue::Float(1.5),
                "parameter top_p must be from 0 to 1, not 1.5",
            ),
            (
                "temperature",
                ParamValue::Float(-0.1),
                "parameter temperature must be at least 0, not -0.1",
            ),
            (
                "temperature",
                ParamValue::Float(f32::NAN),
                "parameter temperature must be a finite number, not NaN",
            ),
            (
                "presence_penalty",
                ParamValue::Float(f32::INFINITY),
                "parameter presence_penalty must be a finite number, not inf",
            ),
            (
                "repeat_penalty",
                ParamValue::Float(0.0),
                "parameter repeat_penalty must be above 0, not 0",
            ),
        ];
        for (name, value, expected) in cases {
            let error = check(name, &value).unwrap_err();
            assert!(error.starts_with(expected), "{name} {value}: {error}");
        }
    }

    #[test]
    fn accepts_the_sentinels_and_unbounded_names() {
        let cases = [
            ("num_ctx", ParamValue::Int(4)),
            ("num_gpu", ParamValue::Int(-1)),
            ("num_thread", ParamValue::Int(0)),
            ("num_predict", ParamValue::Int(-2)),
            ("repeat_last_n", ParamValue::Int(-1)),
            ("top_p", ParamValue::Float(1.0)),
            ("temperature", ParamValue::Float(0.0)),
            ("presence_penalty", ParamValue::Float(-2.0)),
            ("seed", ParamValue::Int(-1)),
            ("seed", ParamValue::Int(i64::MAX)),
            ("stop", ParamValue::Text(String::new())),
        ];
        for (name, value) in cases {
            assert_eq!(check(name, &value), Ok(()), "{name} {value}");
        }
    }
}
