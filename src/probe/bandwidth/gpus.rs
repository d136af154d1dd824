//! GPU memory bandwidth (and dense FP16 compute, where sourced) from a table of
//! known parts (`hardware/gpus.yaml`), looked up by the name the probe read. A part the table does not hold is
//! unknown: no figure is guessed from a similar name.

use serde::Deserialize;
use std::sync::OnceLock;

const TABLE_YAML: &str = include_str!("../../../hardware/gpus.yaml");

/// Words that make a name another part when they follow a match
/// (`RTX 4070` + `Ti`, `M3` + `Max`, `RTX 4090` + `Laptop`).
const VARIANTS: &[&str] = &[
    "ti", "super", "xt", "xtx", "gre", "laptop", "mobile", "max", "pro", "ultra", "d",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    as_of: String,
    gpus: Vec<Part>,
}

/// One row of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    #[serde(rename = "match")]
    pub words: String,
    /// Peak bandwidth in GB/s.
    pub gbps: f64,
    /// The page the figure was read from.
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    /// Peak dense FP16 compute in TFLOPS (tensor cores, FP32 accumulate where
    /// the vendor gives it); none where no figure could be sourced.
    #[serde(default)]
    pub fp16_tflops: Option<f64>,
    /// The page the compute figure was read from.
    #[serde(default)]
    pub fp16_source: Option<String>,
    /// Which figure it is (accumulate precision, dense or halved from sparse).
    #[serde(default)]
    pub fp16_note: Option<String>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_yaml::from_str(TABLE_YAML).expect("hardware/gpus.yaml is checked by a unit test")
    })
}

/// The date the table's figures were gathered.
pub fn as_of() -> &'static str {
    &table().as_of
}

/// The known part `name` names, if the table holds it (longest match wins).
pub fn lookup(name: &str) -> Option<&'static Part> {
    let words = words(name);
    table()
        .gpus
        .iter()
        .filter(|part| matches(&words, &self::words(&part.words)))
        .max_by_key(|part| part.words.len())
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Whether `pattern` appears as consecutive words of `name` not followed by a
/// word that names a variant.
fn matches(name: &[String], pattern: &[String]) -> bool {
    if pattern.is_empty() || pattern.len() > name.len() {
        return false;
    }
    (0..=name.len() - pattern.len()).any(|start| {
        let end = start + pattern.len();
        name[start..end] == *pattern
            && name
                .get(end)
                .is_none_or(|next| !VARIANTS.contains(&next.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbps(name: &str) -> Option<f64> {
        lookup(name).map(|p| p.gbps)
    }

    #[test]
    fn the_table_parses_and_cites_every_row() {
        assert!(!table().gpus.is_empty());
        for part in &table().gpus {
            assert!(part.gbps > 0.0, "{}", part.words);
            assert!(part.source.starts_with("https://"), "{}", part.words);
            if let Some(tflops) = part.fp16_tflops {
                assert!(tflops > 0.0, "{}", part.words);
                let source = part.fp16_source.as_deref().unwrap_or("");
                assert!(source.starts_with("https://"), "{}", part.words);
                assert!(part.fp16_note.is_some(), "{}: which figure", part.words);
            } else {
                assert!(part.fp16_source.is_none(), "{}", part.words);
            }
        }
    }

    #[test]
    fn compute_figures_where_sourced_and_none_elsewhere() {
        let tflops = |name: &str| lookup(name).and_then(|p| p.fp16_tflops);
        assert_eq!(tflops("NVIDIA GeForce RTX 4090"), Some(165.2));
        assert_eq!(tflops("NVIDIA H100 80GB HBM3"), Some(989.4));
        assert_eq!(tflops("NVIDIA A100-SXM4-80GB"), Some(312.0));
        assert_eq!(tflops("NVIDIA L40S"), Some(362.05));
        assert_eq!(tflops("Tesla T4"), Some(65.0));
        assert_eq!(tflops("NVIDIA A100 80GB PCIe"), None);
        assert_eq!(tflops("AMD Radeon RX 7900 XTX"), None);
        assert_eq!(tflops("Apple M2 Max GPU"), None);
    }

    #[test]
    fn names_as_the_probe_reads_them() {
        assert_eq!(gbps("NVIDIA GeForce RTX 4090"), Some(1008.0));
        assert_eq!(gbps("NVIDIA H100 80GB HBM3"), Some(3350.0));
        assert_eq!(gbps("NVIDIA H100 PCIe"), Some(2000.0));
        assert_eq!(gbps("NVIDIA A100-SXM4-80GB"), Some(2039.0));
        assert_eq!(gbps("NVIDIA A100 80GB PCIe"), Some(1935.0));
        assert_eq!(gbps("Tesla T4"), Some(320.0));
        assert_eq!(gbps("NVIDIA L40S"), Some(864.0));
        assert_eq!(gbps("NVIDIA L4"), Some(300.0));
        assert_eq!(gbps("NVIDIA GB10"), Some(273.0));
        assert_eq!(gbps("AMD Radeon RX 7900 XTX"), Some(960.0));
        assert_eq!(gbps("Radeon RX 7900 XT"), Some(800.0));
        assert_eq!(gbps("Apple M2 Max GPU"), Some(400.0));
        assert_eq!(gbps("Apple M2 GPU"), Some(102.4));
    }

    #[test]
    fn other_parts_of_a_similar_name_are_unknown() {
        assert_eq!(gbps("NVIDIA GeForce RTX 4070 Ti SUPER"), None);
        assert_eq!(gbps("NVIDIA GeForce RTX 4090 Laptop GPU"), None);
        assert_eq!(gbps("NVIDIA H100 NVL"), None);
        assert_eq!(gbps("Apple Silicon GPU"), None);
        assert_eq!(gbps("AMD GPU (card0)"), None);
        assert_eq!(gbps("set by --vram"), None);
        assert_eq!(gbps(""), None);
    }
}
