//! Quantization levels (GGUF file types) as Ollama names them, with the facts
//! `provision` reasons with: effective bits per weight, quality loss, and whether
//! `ollama create --quantize` can produce them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The GGUF file types the Ollama library publishes, highest precision first.
/// `Ord` follows precision: `F32 > F16 > BF16 > Q8_0 > … > Q2_K`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Quant {
    #[serde(rename = "Q2_K")]
    Q2K,
    #[serde(rename = "Q3_K_S")]
    Q3KS,
    #[serde(rename = "Q3_K_M")]
    Q3KM,
    #[serde(rename = "Q3_K_L")]
    Q3KL,
    #[serde(rename = "Q4_0")]
    Q4_0,
    #[serde(rename = "Q4_1")]
    Q4_1,
    #[serde(rename = "Q4_K_S")]
    Q4KS,
    /// gpt-oss: MoE experts in MXFP4 (4.25 bits a weight), everything else F16.
    #[serde(rename = "MXFP4")]
    MXFP4,
    #[serde(rename = "Q4_K_M")]
    Q4KM,
    #[serde(rename = "Q5_0")]
    Q5_0,
    #[serde(rename = "Q5_1")]
    Q5_1,
    #[serde(rename = "Q5_K_S")]
    Q5KS,
    #[serde(rename = "Q5_K_M")]
    Q5KM,
    #[serde(rename = "Q6_K")]
    Q6K,
    #[serde(rename = "Q8_0")]
    Q8_0,
    #[serde(rename = "BF16")]
    BF16,
    #[serde(rename = "F16")]
    F16,
    #[serde(rename = "F32")]
    F32,
}

/// Facts per level. `bits` is the whole-file effective bits per weight measured on
/// Llama 3.1 8B (quantization-and-memory.md §1.4b), not the block size of the type:
/// k-quant mixes keep some tensors at higher precision. `kld` is the mean KL
/// divergence against F16 on Llama 3 8B (§5.1), the quality-loss measure.
struct Facts {
    quant: Quant,
    name: &'static str,
    tag: &'static str,
    bits: f64,
    kld: f64,
}

const FACTS: [Facts; 18] = [
    Facts {
        quant: Quant::F32,
        name: "F32",
        tag: "fp32",
        bits: 32.0,
        kld: 0.0,
    },
    Facts {
        quant: Quant::F16,
        name: "F16",
        tag: "fp16",
        bits: 16.0005,
        kld: 0.000551,
    },
    Facts {
        quant: Quant::BF16,
        name: "BF16",
        tag: "bf16",
        bits: 16.0005,
        kld: 0.000576,
    },
    Facts {
        quant: Quant::Q8_0,
        name: "Q8_0",
        tag: "q8_0",
        bits: 8.5008,
        kld: 0.001355,
    },
    Facts {
        quant: Quant::Q6K,
        name: "Q6_K",
        tag: "q6_K",
        bits: 6.5633,
        kld: 0.005452,
    },
    Facts {
        quant: Quant::Q5KM,
        name: "Q5_K_M",
        tag: "q5_K_M",
        bits: 5.7036,
        kld: 0.010762,
    },
    Facts {
        quant: Quant::Q5KS,
        name: "Q5_K_S",
        tag: "q5_K_S",
        bits: 5.5704,
        kld: 0.016595,
    },
    Facts {
        quant: Quant::Q5_1,
        name: "Q5_1",
        tag: "q5_1",
        bits: 6.038,
        kld: 0.018045,
    },
    Facts {
        quant: Quant::Q5_0,
        name: "Q5_0",
        tag: "q5_0",
        bits: 5.570,
        kld: 0.022239,
    },
    Facts {
        quant: Quant::Q4KM,
        name: "Q4_K_M",
        tag: "q4_K_M",
        bits: 4.8944,
        kld: 0.031273,
    },
    // gpt-oss ships in MXFP4 (trained for it): no loss against the published weights,
    // and no other level to compare with. Bits: gpt-oss:20b's whole file (13.8 GB for
    // 20.9 B parameters; catalog/library.yaml).
    Facts {
        quant: Quant::MXFP4,
        name: "MXFP4",
        tag: "mxfp4",
        bits: 5.27,
        kld: 0.0,
    },
    Facts {
        quant: Quant::Q4KS,
        name: "Q4_K_S",
        tag: "q4_K_S",
        bits: 4.6672,
        kld: 0.043136,
    },
    Facts {
        quant: Quant::Q4_1,
        name: "Q4_1",
        tag: "q4_1",
        bits: 5.103,
        kld: 0.071683,
    },
    Facts {
        quant: Quant::Q4_0,
        name: "Q4_0",
        tag: "q4_0",
        bits: 4.636,
        kld: 0.071940,
    },
    Facts {
        quant: Quant::Q3KL,
        name: "Q3_K_L",
        tag: "q3_K_L",
        bits: 4.2979,
        kld: 0.087176,
    },
    Facts {
        quant: Quant::Q3KM,
        name: "Q3_K_M",
        tag: "q3_K_M",
        bits: 3.996,
        kld: 0.101913,
    },
    Facts {
        quant: Quant::Q3KS,
        name: "Q3_K_S",
        tag: "q3_K_S",
        bits: 3.6429,
        kld: 0.228217,
    },
    Facts {
        quant: Quant::Q2K,
        name: "Q2_K",
        tag: "q2_K",
        bits: 3.1593,
        kld: 0.445132,
    },
];

impl Quant {
    /// Every level, highest precision first.
    pub fn all() -> impl Iterator<Item = Quant> {
        FACTS.iter().map(|f| f.quant)
    }

    fn facts(self) -> &'static Facts {
        FACTS
            .iter()
            .find(|f| f.quant == self)
            .expect("every Quant has a FACTS row")
    }

    /// The name Ollama prints in `ollama show` (`Q4_K_M`, `F16`).
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The suffix library tags use (`q4_K_M`, `fp16`).
    pub fn tag_suffix(self) -> &'static str {
        self.facts().tag
    }

    /// Effective bits per weight of a whole file at this level (Llama 3.1 8B mix).
    pub fn bits_per_weight(self) -> f64 {
        self.facts().bits
    }

    /// Mean KL divergence against F16 on Llama 3 8B: the quality loss.
    pub fn quality_loss(self) -> f64 {
        self.facts().kld
    }

    /// Whether this is an unquantized (float) level, the only kind of source
    /// `ollama create --quantize` accepts.
    pub fn is_float(self) -> bool {
        matches!(self, Quant::F32 | Quant::F16 | Quant::BF16)
    }

    /// Parses a library tag suffix or the tail of a tag (`8b-instruct-q4_K_M`).
    pub fn from_tag(tag: &str) -> Option<Quant> {
        let tail = tag.rsplit('-').next().unwrap_or(tag);
        FACTS
            .iter()
            .find(|f| f.tag.eq_ignore_ascii_case(tail))
            .map(|f| f.quant)
    }
}

impl fmt::Display for Quant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Quant {
    type Err = String;

    /// Accepts Ollama's names case-insensitively (`Q4_K_M`, `q4_k_m`, `f16`), the
    /// library tag suffixes (`fp16`), and `Q4_K`, Ollama's alias of `Q4_K_M`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("Q4_K") {
            return Ok(Quant::Q4KM);
        }
        FACTS
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(text) || f.tag.eq_ignore_ascii_case(text))
            .map(|f| f.quant)
            .ok_or_else(|| {
                let names: Vec<&str> = FACTS.iter().map(|f| f.name).collect();
                format!(
                    "unknown quantization '{text}' (known: {})",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_follows_precision() {
        let all: Vec<Quant> = Quant::all().collect();
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(all, sorted);
        assert!(Quant::F16 > Quant::Q8_0 && Quant::Q8_0 > Quant::Q4KM && Quant::Q4KM > Quant::Q2K);
    }

    #[test]
    fn parses_names_tags_and_alias() {
        assert_eq!("Q4_K_M".parse(), Ok(Quant::Q4KM));
        assert_eq!("q4_k_m".parse(), Ok(Quant::Q4KM));
        assert_eq!("Q4_K".parse(), Ok(Quant::Q4KM));
        assert_eq!("fp16".parse(), Ok(Quant::F16));
        assert_eq!("BF16".parse(), Ok(Quant::BF16));
        assert!("Q7_X".parse::<Quant>().is_err());
    }

    #[test]
    fn reads_the_quant_from_a_library_tag() {
        assert_eq!(Quant::from_tag("8b-instruct-q4_K_M"), Some(Quant::Q4KM));
        assert_eq!(Quant::from_tag("70b-instruct-fp16"), Some(Quant::F16));
        assert_eq!(Quant::from_tag("8b-q8_0"), Some(Quant::Q8_0));
        assert_eq!(Quant::from_tag("latest"), None);
    }

    #[test]
    fn quality_loss_grows_down_the_canonical_ladder() {
        let ladder = [
            Quant::F16,
            Quant::Q8_0,
            Quant::Q6K,
            Quant::Q5KM,
            Quant::Q4KM,
            Quant::Q3KM,
            Quant::Q2K,
        ];
        assert!(
            ladder
                .windows(2)
                .all(|w| w[0].quality_loss() < w[1].quality_loss())
        );
    }
}
