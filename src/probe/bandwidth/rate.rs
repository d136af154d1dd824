//! Bandwidths as people type and read them: `200GB/s`, `1.5TB/s`, `68GiB/s`.

use crate::size::parse_size;
use std::fmt;

/// Parses a bandwidth: a size (`parse_size`: decimal `GB`, binary `GiB`, …)
/// followed by `/s` (`200GB/s`, `200 GB/s`, `1.5TB/s`). Zero is refused: a
/// machine that reads nothing runs nothing.
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let Some(size) = trimmed
        .strip_suffix("/s")
        .or_else(|| trimmed.strip_suffix("/S"))
    else {
        return Err(format!(
            "'{text}' is not a bandwidth (examples: 200GB/s, 1.5TB/s, 68GiB/s)"
        ));
    };
    match parse_size(size) {
        Ok(0) => Err(format!("'{text}' is no bandwidth: it must be above zero")),
        Ok(bytes) => Ok(bytes),
        Err(why) => Err(format!("'{text}' is not a bandwidth: {why}")),
    }
}

/// Bytes per second printed in decimal gigabytes per second, as vendors quote
/// memory bandwidth: `204.8 GB/s`, `1008 GB/s`, `0.9 GB/s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(pub u64);

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gbps = self.0 as f64 / 1e9;
        if gbps >= 1000.0 {
            write!(f, "{gbps:.0} GB/s")
        } else {
            write!(f, "{gbps:.1} GB/s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_with_decimal_and_binary_units() {
        assert_eq!(parse_rate("200GB/s"), Ok(200_000_000_000));
        assert_eq!(parse_rate(" 1.5TB/s "), Ok(1_500_000_000_000));
        assert_eq!(parse_rate("68GiB/s"), Ok(68 << 30));
        assert_eq!(parse_rate("200 GB/s"), Ok(200_000_000_000));
        for bad in ["200GB", "fast/s", "0GB/s", "/s", "-1GB/s"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
        assert!(parse_rate("200GB").unwrap_err().contains("200GB/s"));
    }

    #[test]
    fn rates_print_in_gigabytes_per_second() {
        assert_eq!(Rate(204_800_000_000).to_string(), "204.8 GB/s");
        assert_eq!(Rate(1_008_000_000_000).to_string(), "1008 GB/s");
        assert_eq!(Rate(900_000_000).to_string(), "0.9 GB/s");
    }
}
