//! The API's JSON, as far as `provision` reads it: `api/types.go` at v0.5.4 and
//! v0.33.0-rc2 (`ProcessModelResponse`, `GenerateResponse` with `Metrics`,
//! `ShowResponse`, `ModelDetails`). Fields a version lacks are optional.

use crate::name::ModelName;
use serde::{Deserialize, Serialize};

/// `details` of a model (`ModelDetails`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Details {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub parameter_size: String,
    #[serde(default)]
    pub quantization_level: String,
}

/// One loaded model in `GET /api/ps`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Running {
    /// The shortest display name (`chat:latest`, `provision/llama3.2:1b`).
    pub name: String,
    #[serde(default)]
    pub model: String,
    /// Bytes the model takes in all (Ollama's `size`).
    pub size: u64,
    /// Bytes of it in GPU memory.
    #[serde(default)]
    pub size_vram: u64,
    /// The manifest's sha256, hex (`ollama list` shows its first 12 digits).
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub details: Details,
    /// RFC 3339; years past 2200 mean "until the server stops".
    #[serde(default)]
    pub expires_at: String,
    /// The context it was loaded with (since 0.9.7; 0 or absent before).
    #[serde(default)]
    pub context_length: Option<u32>,
}

/// The body of `GET /api/ps`.
#[derive(Debug, Deserialize)]
pub(super) struct PsBody {
    #[serde(default)]
    pub models: Option<Vec<Running>>,
}

/// The body of `GET /api/version`.
#[derive(Debug, Deserialize)]
pub(super) struct VersionBody {
    pub version: String,
}

/// The answer of a `POST /api/generate` with `"stream": false`, or of a load.
/// Durations are nanoseconds (`time.Duration`); zero fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Generated {
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub done: bool,
    /// `load`, `unload`, `stop`, `length`.
    #[serde(default)]
    pub done_reason: Option<String>,
    #[serde(default)]
    pub total_duration: u64,
    #[serde(default)]
    pub load_duration: u64,
    #[serde(default)]
    pub prompt_eval_count: u64,
    #[serde(default)]
    pub prompt_eval_duration: u64,
    #[serde(default)]
    pub eval_count: u64,
    #[serde(default)]
    pub eval_duration: u64,
}

/// What `POST /api/show` says that `provision` uses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    pub details: Details,
    /// The `PARAMETER` lines as `ollama show --parameters` prints them.
    #[serde(default)]
    pub parameters: String,
    /// GGUF keys (`general.architecture`, `<arch>.block_count`, …).
    #[serde(default)]
    pub model_info: serde_json::Map<String, serde_json::Value>,
}

impl Running {
    /// Whether this entry is `name` as Ollama compares names: case-insensitive,
    /// `:latest` implied, the default host and namespace optional.
    pub fn is(&self, name: &str) -> bool {
        let Ok(wanted) = ModelName::parse(name) else {
            return false;
        };
        [&self.name, &self.model]
            .iter()
            .any(|shown| ModelName::parse(shown).is_ok_and(|n| n == wanted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ps_body_of_the_current_and_the_0_5_4_shape() {
        let current = r#"{"models":[{"name":"chat:latest","model":"chat:latest","size":1388191552,"digest":"a376578260be0ccdfedb","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"1.2B","quantization_level":"Q8_0"},"expires_at":"2319-03-13T21:08:42.959346771Z","size_vram":1073741824,"context_length":2048}]}"#;
        let body: PsBody = serde_json::from_str(current).unwrap();
        let running = &body.models.unwrap()[0];
        assert_eq!(running.size, 1388191552);
        assert_eq!(running.context_length, Some(2048));
        assert_eq!(running.details.quantization_level, "Q8_0");
        assert!(running.is("chat") && running.is("CHAT:latest") && !running.is("chat:1b"));
        let old = r#"{"models":[{"name":"t:latest","model":"t:latest","size":5,"digest":"ab","details":{},"expires_at":"2026-12-01T21:30:00Z","size_vram":0}]}"#;
        let body: PsBody = serde_json::from_str(old).unwrap();
        assert_eq!(body.models.unwrap()[0].context_length, None);
        let negative = r#"{"models":[{"name":"t","size":-5}]}"#;
        assert!(serde_json::from_str::<PsBody>(negative).is_err());
    }

    #[test]
    fn names_compare_as_ollama_compares_them() {
        let running = Running {
            name: "provision/llama3.2:1b".into(),
            model: String::new(),
            size: 1,
            size_vram: 0,
            digest: String::new(),
            details: Details::default(),
            expires_at: String::new(),
            context_length: None,
        };
        assert!(running.is("registry.ollama.ai/provision/llama3.2:1b"));
        assert!(!running.is("provision/llama3.2"));
    }
}
