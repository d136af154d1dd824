//! Byte sizes: parsing what users type (`16GiB`, `8GB`, `16384MiB`) and printing them back.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;
const TIB: u64 = 1024 * GIB;

/// Parses a memory size. Binary units (`KiB`, `MiB`, `GiB`, `TiB`, and the bare
/// `K`, `M`, `G`, `T` that memory tools such as `free -g` use) are powers of 1024;
/// decimal units (`KB`, `MB`, `GB`, `TB`) are powers of 1000, as disk vendors and
/// `ollama list` use them. A plain number is bytes. Fractions are allowed (`1.5GiB`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim();
    if number.is_empty() || number.matches('.').count() > 1 || number.ends_with('.') {
        return Err(format!(
            "'{text}' is not a size (examples: 16GiB, 16G, 16384MiB, 8GB, 4294967296)"
        ));
    }
    let multiplier = unit_multiplier(unit).ok_or_else(|| {
        format!(
            "unknown size unit '{unit}' (use B, KiB, MiB, GiB, TiB, K, M, G, T, KB, MB, GB, TB)"
        )
    })?;
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size"))?;
    let bytes = value * multiplier as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("'{text}' is too large"));
    }
    Ok(bytes.round() as u64)
}

fn unit_multiplier(unit: &str) -> Option<u64> {
    let multiplier = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => KIB,
        "m" | "mib" => MIB,
        "g" | "gib" => GIB,
        "t" | "tib" => TIB,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return None,
    };
    Some(multiplier)
}

/// A byte count printed in binary units with one decimal (`5.7 GiB`), the unit
/// memory budgets are reasoned in throughout `provision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binary(pub u64);

impl fmt::Display for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let (value, unit) = match bytes {
            b if b >= TIB => (b as f64 / TIB as f64, "TiB"),
            b if b >= GIB => (b as f64 / GIB as f64, "GiB"),
            b if b >= MIB => (b as f64 / MIB as f64, "MiB"),
            b if b >= KIB => (b as f64 / KIB as f64, "KiB"),
            b => return write!(f, "{b} B"),
        };
        write!(f, "{value:.1} {unit}")
    }
}

/// A byte count printed the way Ollama prints sizes (`format.HumanBytes`): decimal
/// units, values of 10 and more truncated to an integer, smaller ones with one
/// decimal unless whole (`4.9 GB`, `42 GB`, `1 GB`, `561 B`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal(pub u64);

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let (value, unit) = match bytes {
            b if b >= 1_000_000_000_000 => (b as f64 / 1e12, "TB"),
            b if b >= 1_000_000_000 => (b as f64 / 1e9, "GB"),
            b if b >= 1_000_000 => (b as f64 / 1e6, "MB"),
            b if b >= 1_000 => (b as f64 / 1e3, "KB"),
            b => return write!(f, "{b} B"),
        };
        if value >= 10.0 {
            write!(f, "{} {unit}", value.trunc() as u64)
        } else if value.fract() == 0.0 {
            write!(f, "{} {unit}", value as u64)
        } else {
            write!(f, "{value:.1} {unit}")
        }
    }
}

/// A size in configuration files: written as `8GiB`, `512MiB`, `8GB` or plain bytes,
/// serialised back as an integer number of bytes (JSON reports use bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ByteSize(pub u64);

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Bytes(bytes) => Ok(ByteSize(bytes)),
            Raw::Text(text) => parse_size(&text)
                .map(ByteSize)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_binary_decimal_and_plain_sizes() {
        let cases = [
            ("16GiB", 16 * GIB),
            ("16G", 16 * GIB),
            ("16g", 16 * GIB),
            ("16384MiB", 16 * GIB),
            ("8GB", 8_000_000_000),
            ("4294967296", 4 * GIB),
            ("1.5GiB", 3 * GIB / 2),
            ("512 MiB", 512 * MIB),
            ("0", 0),
            ("2TiB", 2 * TIB),
        ];
        for (text, bytes) in cases {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_size() {
        for text in ["lots", "", "GiB", "16 GiBs", "1..5G", "-4G", "16.", "1e9"] {
            assert!(parse_size(text).is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn prints_binary_sizes() {
        assert_eq!(Binary(6 * GIB + GIB / 2).to_string(), "6.5 GiB");
        assert_eq!(Binary(512 * MIB).to_string(), "512.0 MiB");
        assert_eq!(Binary(12).to_string(), "12 B");
    }

    #[test]
    fn byte_sizes_read_text_or_integers() {
        let sizes: Vec<ByteSize> = serde_json::from_str(r#"["8GiB", 1024, "1.5G"]"#).unwrap();
        assert_eq!(
            sizes,
            [ByteSize(8 * GIB), ByteSize(1024), ByteSize(3 * GIB / 2)]
        );
        assert!(serde_json::from_str::<ByteSize>(r#""lots""#).is_err());
        assert_eq!(serde_json::to_string(&ByteSize(5)).unwrap(), "5");
    }

    #[test]
    fn prints_decimal_sizes_like_ollama() {
        assert_eq!(Decimal(4_920_738_944).to_string(), "4.9 GB");
        assert_eq!(Decimal(42_520_398_528).to_string(), "42 GB");
        assert_eq!(Decimal(397_000_000).to_string(), "397 MB");
        assert_eq!(Decimal(1_000_000_000).to_string(), "1 GB");
        assert_eq!(Decimal(561).to_string(), "561 B");
        assert_eq!(Decimal(9_960_000_000).to_string(), "10.0 GB");
    }
}
