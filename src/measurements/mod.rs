//! Sizes and speeds measured on this machine (`verify`, `bench`), remembered per
//! exact configuration so later plans use them over the estimate. Pure data and
//! matching here; [`store`] reads and writes the file.

pub mod store;
mod time;

pub use store::{FILE_NAME, Store};
pub use time::{date_of, now, rfc3339_utc};

use crate::probe::Device;
use crate::quant::Quant;
use crate::size::Binary;
use serde::{Deserialize, Serialize};

/// What a measurement is of: one model build loaded with one context and slot
/// count, by one Ollama version, on one device. Another value of any part is
/// another configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// The manifest sha256 (hex) `GET /api/ps` reports; `ollama list` shows its
    /// first 12 digits as the ID.
    pub digest: String,
    pub num_ctx: u32,
    pub num_parallel: u32,
    pub ollama_version: String,
    /// [`device_key`] of the machine.
    pub device: String,
}

/// One configuration's measured figures; a figure not measured yet is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    #[serde(flatten)]
    pub key: Key,
    /// The name it was loaded as.
    pub model: String,
    /// The quantization the plan chose for it.
    pub quantization: Option<Quant>,
    /// `size` of `GET /api/ps`: all the memory it took.
    pub size_bytes: Option<u64>,
    /// `size_vram`: the part in GPU memory.
    pub size_vram_bytes: Option<u64>,
    pub load_seconds: Option<f64>,
    pub prompt_tokens_per_s: Option<f64>,
    pub decode_tokens_per_s: Option<f64>,
    /// When it was last measured, RFC 3339 UTC.
    pub measured_at: String,
}

impl Measurement {
    /// Whether it was measured as `name` (names compare as Ollama compares them).
    pub fn is_of(&self, name: &str) -> bool {
        use crate::name::ModelName;
        match (ModelName::parse(name), ModelName::parse(&self.model)) {
            (Ok(a), Ok(b)) => a == b,
            _ => name == self.model,
        }
    }

    /// Takes the figures `newer` measured, keeping the ones it did not.
    pub fn update(&mut self, newer: Measurement) {
        self.size_bytes = newer.size_bytes.or(self.size_bytes);
        self.size_vram_bytes = newer.size_vram_bytes.or(self.size_vram_bytes);
        self.load_seconds = newer.load_seconds.or(self.load_seconds);
        self.prompt_tokens_per_s = newer.prompt_tokens_per_s.or(self.prompt_tokens_per_s);
        self.decode_tokens_per_s = newer.decode_tokens_per_s.or(self.decode_tokens_per_s);
        self.quantization = newer.quantization.or(self.quantization);
        self.model = newer.model;
        self.measured_at = newer.measured_at;
    }
}

/// How a plan shows the measurement it used (`models[].measured`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measured {
    /// The memory it took when loaded; replaces the estimate's total.
    pub size_bytes: Option<u64>,
    /// The estimate's total it replaced.
    pub estimated_bytes: u64,
    pub decode_tokens_per_s: Option<f64>,
    pub prompt_tokens_per_s: Option<f64>,
    pub load_seconds: Option<f64>,
    pub measured_at: String,
    pub ollama_version: String,
}

impl Measured {
    /// The sentence plans print: `measured 2026-12-01: 1.2 GiB loaded (estimate
    /// 1.4 GiB), 35.1 tokens/s`.
    pub fn sentence(&self) -> String {
        let mut text = format!("measured {}", date_of(&self.measured_at));
        let mut parts = Vec::new();
        if let Some(size) = self.size_bytes {
            parts.push(format!(
                "{} loaded (estimate {})",
                Binary(size),
                Binary(self.estimated_bytes)
            ));
        }
        if let Some(speed) = self.decode_tokens_per_s {
            parts.push(format!("{speed:.1} tokens/s"));
        }
        if !parts.is_empty() {
            text = format!("{text}: {}", parts.join(", "));
        }
        format!("{text} (Ollama {})", self.ollama_version)
    }
}

/// The machine as measurements name it: CPU model and count, total RAM, and
/// each GPU as planned (`--vram` replaces them, so a plan for another GPU does
/// not use this one's figures).
pub fn device_key(device: &Device) -> String {
    let cpu = device.cpu.model.as_deref().unwrap_or("unknown CPU");
    let ram = device
        .memory
        .total_bytes
        .map_or("unknown".to_string(), |b| Binary(b).to_string());
    let gpus: Vec<String> = device
        .gpus
        .iter()
        .map(|g| format!("{} {}", g.name, Binary(g.total_bytes)))
        .collect();
    let gpus = if gpus.is_empty() {
        "no GPU".to_string()
    } else {
        gpus.join(" + ")
    };
    format!("{cpu} ×{}, {ram} RAM, {gpus}", device.cpu.logical_cpus)
}

/// The measurements that apply to the installed models here: same device,
/// Ollama version and slot count, and a digest whose first digits are the ID
/// `ollama list` shows for a name. Each comes back under that name.
pub fn applicable(
    records: &[Measurement],
    device: &str,
    ollama_version: &str,
    num_parallel: u32,
    installed: &[(String, String)],
) -> Vec<Measurement> {
    let mut found = Vec::new();
    for record in records {
        let key = &record.key;
        if key.device != device
            || key.ollama_version != ollama_version
            || key.num_parallel != num_parallel
        {
            continue;
        }
        for (name, id) in installed {
            if !id.is_empty() && key.digest.starts_with(id.as_str()) {
                found.push(Measurement {
                    model: name.clone(),
                    ..record.clone()
                });
            }
        }
    }
    found
}

/// The newest measurement of `name` at `quant` and `num_ctx`, if any.
pub fn find<'a>(
    measured: &'a [Measurement],
    name: &str,
    quant: Quant,
    num_ctx: u32,
) -> Option<&'a Measurement> {
    measured
        .iter()
        .filter(|m| m.is_of(name) && m.quantization == Some(quant) && m.key.num_ctx == num_ctx)
        .max_by(|a, b| a.measured_at.cmp(&b.measured_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(digest: &str, num_ctx: u32) -> Measurement {
        Measurement {
            key: Key {
                digest: digest.into(),
                num_ctx,
                num_parallel: 1,
                ollama_version: "0.5.4".into(),
                device: "cpu ×2, 8.0 GiB RAM, no GPU".into(),
            },
            model: "chat".into(),
            quantization: Some(Quant::Q8_0),
            size_bytes: Some(1 << 30),
            size_vram_bytes: Some(0),
            load_seconds: None,
            prompt_tokens_per_s: None,
            decode_tokens_per_s: None,
            measured_at: "2026-12-01T10:00:00Z".into(),
        }
    }

    #[test]
    fn a_newer_measurement_keeps_the_figures_it_did_not_take() {
        let mut old = sample("abc", 2048);
        let mut speed = sample("abc", 2048);
        speed.size_bytes = None;
        speed.decode_tokens_per_s = Some(20.0);
        speed.measured_at = "2026-12-02T00:00:00Z".into();
        old.update(speed);
        assert_eq!(old.size_bytes, Some(1 << 30));
        assert_eq!(old.decode_tokens_per_s, Some(20.0));
        assert_eq!(old.measured_at, "2026-12-02T00:00:00Z");
    }

    #[test]
    fn only_the_same_configuration_applies() {
        let records = [sample("abcdef123456789", 2048), sample("999", 2048)];
        let device = "cpu ×2, 8.0 GiB RAM, no GPU";
        let installed = [("mine:latest".to_string(), "abcdef123456".to_string())];
        let found = applicable(&records, device, "0.5.4", 1, &installed);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].model, "mine:latest");
        assert!(applicable(&records, device, "0.5.5", 1, &installed).is_empty());
        assert!(applicable(&records, device, "0.5.4", 2, &installed).is_empty());
        assert!(applicable(&records, "other", "0.5.4", 1, &installed).is_empty());
        assert!(find(&found, "mine", Quant::Q8_0, 2048).is_some());
        assert!(find(&found, "mine", Quant::Q8_0, 4096).is_none());
        assert!(find(&found, "mine", Quant::Q4KM, 2048).is_none());
    }

    #[test]
    fn the_plan_sentence_says_when() {
        let note = Measured {
            size_bytes: Some(1 << 30),
            estimated_bytes: 3 << 29,
            decode_tokens_per_s: Some(35.26),
            prompt_tokens_per_s: None,
            load_seconds: None,
            measured_at: "2026-12-01T21:00:00Z".into(),
            ollama_version: "0.5.4".into(),
        };
        assert_eq!(
            note.sentence(),
            "measured 2026-12-01: 1.0 GiB loaded (estimate 1.5 GiB), 35.3 tokens/s (Ollama 0.5.4)"
        );
    }
}
