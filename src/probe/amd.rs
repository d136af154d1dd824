//! AMD GPUs: sysfs `/sys/class/drm/card*/device/` first (no tools needed),
//! `rocm-smi --showmeminfo vram --json` when sysfs shows none.

use super::gpu::{Gpu, GpuVendor, parse_number};
use super::{Roots, command};
use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

const AMD_VENDOR: &str = "0x1002";
/// Ollama skips AMD GPUs with less VRAM than this: they are integrated parts
/// whose carve-out says nothing about the memory models can use.
const MIN_VRAM: u64 = 1 << 30;

pub fn probe(roots: &Roots, path: Option<&OsStr>, notes: &mut Vec<String>) -> Vec<Gpu> {
    let gpus = from_sysfs(roots, notes);
    if !gpus.is_empty() {
        return gpus;
    }
    let Some(program) = command::find("rocm-smi", path) else {
        return gpus;
    };
    let args = ["--showmeminfo", "vram", "--json"];
    command::run(&program, &args, command::TIMEOUT)
        .and_then(|printed| parse_rocm_smi(&printed.stdout))
        .unwrap_or_else(|error| {
            notes.push(format!("rocm-smi: {error:#}"));
            Vec::new()
        })
}

/// Every `card<N>` (not connector entries like `card0-DP-1`) with vendor 0x1002.
pub fn from_sysfs(roots: &Roots, notes: &mut Vec<String>) -> Vec<Gpu> {
    cards(&roots.sys.join("class/drm"))
        .into_iter()
        .filter_map(|(index, device)| card(index, &device, notes))
        .collect()
}

/// `(N, …/cardN/device)` for each DRM card, in index order.
fn cards(drm: &Path) -> Vec<(u32, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(drm) else {
        return Vec::new();
    };
    let mut cards: Vec<(u32, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let index = name.strip_prefix("card")?.parse().ok()?;
            Some((index, entry.path().join("device")))
        })
        .collect();
    cards.sort();
    cards
}

/// The card as a GPU when it is a discrete AMD one with VRAM figures.
fn card(index: u32, device: &Path, notes: &mut Vec<String>) -> Option<Gpu> {
    let read = |file: &str| Roots::read(&device.join(file));
    if read("vendor").as_deref().map(str::trim) != Some(AMD_VENDOR) {
        return None;
    }
    let number = |file: &str| read(file).as_deref().and_then(parse_number);
    let Some(total) = number("mem_info_vram_total") else {
        notes.push(format!("card{index}: AMD GPU without mem_info_vram_total"));
        return None;
    };
    if total < MIN_VRAM {
        notes.push(format!(
            "card{index}: AMD GPU with < 1 GiB VRAM skipped as integrated"
        ));
        return None;
    }
    let name = read("product_name").map(|n| n.trim().to_string());
    Some(Gpu {
        vendor: GpuVendor::Amd,
        index,
        name: name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("AMD GPU (card{index})")),
        total_bytes: total,
        free_bytes: total.saturating_sub(number("mem_info_vram_used").unwrap_or(0)),
        unified_memory: false,
        source: "sysfs",
    })
}

/// Parses `rocm-smi --showmeminfo vram --json`: `{"card0": {"VRAM Total Memory
/// (B)": "…", "VRAM Total Used Memory (B)": "…"}}`, values as strings, labels
/// matched case-insensitively (their capitalisation varies between releases).
pub fn parse_rocm_smi(text: &str) -> Result<Vec<Gpu>> {
    let json: serde_json::Value =
        serde_json::from_str(text).context("could not parse rocm-smi JSON")?;
    let cards = json.as_object().context("rocm-smi JSON is not an object")?;
    let mut gpus = Vec::new();
    for (card, fields) in cards {
        let Some(index) = card.strip_prefix("card").and_then(|n| n.parse().ok()) else {
            continue;
        };
        let field = |label: &str| {
            let fields = fields.as_object()?;
            let (_, value) = fields
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(label))?;
            value
                .as_str()
                .and_then(parse_number)
                .or_else(|| value.as_u64())
        };
        let total =
            field("VRAM Total Memory (B)").with_context(|| format!("{card}: no VRAM total"))?;
        let used = field("VRAM Total Used Memory (B)").unwrap_or(0);
        gpus.push(Gpu {
            vendor: GpuVendor::Amd,
            index,
            name: format!("AMD GPU ({card})"),
            total_bytes: total,
            free_bytes: total.saturating_sub(used),
            unified_memory: false,
            source: "rocm-smi",
        });
    }
    Ok(gpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rocm_smi_json() {
        let gpus = parse_rocm_smi(include_str!("../../tests/fixtures/rocm-smi/vram.json")).unwrap();
        assert_eq!(gpus.len(), 1);
        assert_eq!(
            (gpus[0].total_bytes, gpus[0].free_bytes),
            (25_753_026_560, 13_753_026_560)
        );
        let text = include_str!("../../tests/fixtures/rocm-smi/two-cards-lowercase.json");
        let gpus = parse_rocm_smi(text).unwrap();
        assert_eq!(gpus.iter().map(|g| g.index).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(gpus[0].free_bytes, 17_163_091_968 - 1_048_576);
        assert!(parse_rocm_smi("WARNING: no AMD GPUs").is_err());
    }

    #[test]
    fn sysfs_cards() {
        let dir = crate::probe::roots::fixture(&[
            ("sys/class/drm/card0/device/vendor", "0x8086\n"),
            ("sys/class/drm/card1/device/vendor", "0x1002\n"),
            (
                "sys/class/drm/card1/device/mem_info_vram_total",
                "17163091968\n",
            ),
            (
                "sys/class/drm/card1/device/mem_info_vram_used",
                "1073741824\n",
            ),
            ("sys/class/drm/card1-DP-1/status", "connected\n"),
            ("sys/class/drm/card2/device/vendor", "0x1002\n"),
            (
                "sys/class/drm/card2/device/mem_info_vram_total",
                "536870912\n",
            ),
        ]);
        let mut notes = Vec::new();
        let gpus = from_sysfs(&Roots::under(dir.path()), &mut notes);
        assert_eq!(gpus.len(), 1, "{gpus:?}");
        assert_eq!(
            (gpus[0].index, gpus[0].name.as_str()),
            (1, "AMD GPU (card1)")
        );
        assert_eq!(gpus[0].free_bytes, 17_163_091_968 - (1 << 30));
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
