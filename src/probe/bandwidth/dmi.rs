//! The theoretical RAM bandwidth, from the memory modules the firmware lists
//! (SMBIOS type 17, "Memory Device"): channels × transfers per second × bus
//! width. Read from `/sys/firmware/dmi/entries/17-*/raw` when readable (root
//! only), else from `dmidecode -t memory` (also root only). The layout of the
//! raw entry is the DMTF's SMBIOS Reference Specification 3.7, §7.18.

use super::super::{Environment, Roots, command};
use serde::{Deserialize, Serialize};

/// Tables larger than this are not memory-device entries.
const MAX_ENTRY_BYTES: u64 = 4096;
/// More entries than any board has slots.
const MAX_ENTRIES: usize = 1024;

/// One populated memory module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Data width in bits (64 for a DIMM, without ECC bits).
    pub width_bits: u32,
    /// Configured speed in megatransfers per second.
    pub mts: u32,
    pub locator: String,
    pub bank: String,
    /// `DDR5`, `LPDDR5`, … when known.
    pub kind: Option<String>,
}

/// The theoretical figure and how it was found, or why it could not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theoretical {
    pub bytes_per_s: Option<u64>,
    /// `8 channels × DDR5-4800 × 64 bit (dmidecode)`, or why there is no figure.
    pub how: String,
}

/// Reads the modules (sysfs, then dmidecode) and works the figure out.
pub fn theoretical(env: &Environment) -> Theoretical {
    let (modules, source) = match from_sysfs(&env.roots) {
        Some(modules) => (modules, "SMBIOS in /sys/firmware/dmi"),
        None => match from_dmidecode(env) {
            Ok(modules) => (modules, "dmidecode"),
            Err(why) => {
                return Theoretical {
                    bytes_per_s: None,
                    how: format!("cannot be read: {why}"),
                };
            }
        },
    };
    figure(&modules, source)
}

/// Channels × speed × width of the populated modules.
pub fn figure(modules: &[Module], source: &str) -> Theoretical {
    let populated: Vec<&Module> = modules.iter().filter(|m| m.mts > 0).collect();
    let (Some(mts), Some(width)) = (
        populated.iter().map(|m| m.mts).min(),
        populated.iter().map(|m| m.width_bits).max(),
    ) else {
        return Theoretical {
            bytes_per_s: None,
            how: format!("cannot be read: {source} lists no module with a speed"),
        };
    };
    let (channels, assumed) = channels(&populated);
    let bytes = channels as u64 * u64::from(mts) * 1_000_000 * u64::from(width) / 8;
    let kind = populated[0].kind.clone().unwrap_or_else(|| "RAM".into());
    let assumption = if assumed {
        ", one module per channel assumed"
    } else {
        ""
    };
    Theoretical {
        bytes_per_s: Some(bytes),
        how: format!("{channels} channels × {kind}-{mts} × {width} bit ({source}{assumption})"),
    }
}

/// Distinct channels named by the locators (`P0_Node0_Channel0_Dimm1`,
/// `ChannelA-DIMM0`, `P0 CHANNEL A`); when a module names none, one channel per
/// module, and `true` to say it was assumed.
fn channels(modules: &[&Module]) -> (usize, bool) {
    let named: Option<Vec<String>> = modules
        .iter()
        .map(|m| channel_of(&m.bank).or_else(|| channel_of(&m.locator)))
        .collect();
    match named {
        Some(mut names) => {
            names.sort();
            names.dedup();
            (names.len(), false)
        }
        None => (modules.len(), true),
    }
}

/// The text of a locator up to the end of the word after `channel`.
fn channel_of(locator: &str) -> Option<String> {
    let lower = locator.to_ascii_lowercase();
    let at = lower.find("channel")? + "channel".len();
    let rest = &lower[at..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '_', '-']).len();
    let word = rest[skipped..]
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len() - skipped);
    (word > 0).then(|| lower[..at + skipped + word].to_string())
}

/// The modules of `/sys/firmware/dmi/entries/17-*/raw`; none when there are no
/// readable entries.
fn from_sysfs(roots: &Roots) -> Option<Vec<Module>> {
    let dir = roots.sys.join("firmware/dmi/entries");
    let entries = std::fs::read_dir(dir).ok()?;
    let mut modules = Vec::new();
    let mut read_any = false;
    for entry in entries.flatten().take(MAX_ENTRIES) {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with("17-") {
            continue;
        }
        let Some(raw) = read_bounded(&entry.path().join("raw")) else {
            continue;
        };
        read_any = true;
        modules.extend(parse_raw(&raw));
    }
    read_any.then_some(modules)
}

fn read_bounded(path: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).ok()?;
    file.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// One raw type-17 structure: formatted area, then its strings.
pub fn parse_raw(raw: &[u8]) -> Option<Module> {
    let length = usize::from(*raw.get(1)?);
    if *raw.first()? != 17 || length < 0x17 || raw.len() < length {
        return None;
    }
    let word = |at: usize| (at + 2 <= length).then(|| u16::from_le_bytes([raw[at], raw[at + 1]]));
    let dword = |at: usize| {
        (at + 4 <= length)
            .then(|| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]))
    };
    let size = word(0x0C)?;
    if size == 0 {
        return None; // an empty slot
    }
    let speed = |at: usize, extended: usize| match word(at)? {
        0xFFFF => dword(extended),
        0 => None,
        mts => Some(u32::from(mts)),
    };
    let mts = speed(0x20, 0x58).or_else(|| speed(0x15, 0x54))?;
    let strings = strings(&raw[length..]);
    let text = |at: usize| {
        let index = usize::from(*raw.get(at)?);
        strings.get(index.checked_sub(1)?).cloned()
    };
    Some(Module {
        width_bits: u32::from(word(0x0A).filter(|w| *w != 0xFFFF)?),
        mts,
        locator: text(0x10).unwrap_or_default(),
        bank: text(0x11).unwrap_or_default(),
        kind: memory_type(raw[0x12]).map(String::from),
    })
}

fn strings(area: &[u8]) -> Vec<String> {
    area.split(|b| *b == 0)
        .take_while(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).trim().to_string())
        .collect()
}

/// SMBIOS memory types (§7.18.2) that matter for bandwidth.
fn memory_type(code: u8) -> Option<&'static str> {
    Some(match code {
        0x18 => "DDR3",
        0x1A => "DDR4",
        0x1B => "LPDDR",
        0x1C => "LPDDR2",
        0x1D => "LPDDR3",
        0x1E => "LPDDR4",
        0x22 => "DDR5",
        0x23 => "LPDDR5",
        _ => return None,
    })
}

/// `dmidecode -t memory`, when it is on PATH and may read the tables.
fn from_dmidecode(env: &Environment) -> Result<Vec<Module>, String> {
    if !env.roots.live {
        return Err("the probe reads a fixture tree".into());
    }
    let program = command::find("dmidecode", env.search_path.as_deref())
        .ok_or("no SMBIOS tables readable in /sys/firmware/dmi and no dmidecode on PATH")?;
    let printed = command::run(&program, &["-t", "memory"], command::TIMEOUT)
        .map_err(|e| format!("{e:#} (reading the tables needs root)"))?;
    Ok(parse_dmidecode(&printed.stdout))
}

/// The populated "Memory Device" sections of `dmidecode -t memory`.
pub fn parse_dmidecode(text: &str) -> Vec<Module> {
    text.split("\nHandle ")
        .filter(|section| section.contains("Memory Device"))
        .filter_map(section_module)
        .collect()
}

fn section_module(section: &str) -> Option<Module> {
    let field = |name: &str| {
        section.lines().find_map(|line| {
            let (key, value) = line.trim().split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_string())
        })
    };
    let size = field("Size")?;
    if size.starts_with("No Module") || size == "Unknown" {
        return None;
    }
    let number = |text: String| text.split_whitespace().next()?.parse::<u32>().ok();
    let mts = field("Configured Memory Speed")
        .and_then(number)
        .or_else(|| field("Speed").and_then(number))?;
    Some(Module {
        width_bits: field("Data Width").and_then(number)?,
        mts,
        locator: field("Locator").unwrap_or_default(),
        bank: field("Bank Locator").unwrap_or_default(),
        kind: field("Type").filter(|t| t != "Unknown"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(locator: &str, bank: &str, size: &str, speed: &str) -> String {
        format!(
            "Handle 0x0040, DMI type 17, 92 bytes\nMemory Device\n\tTotal Width: 72 bits\n\
             \tData Width: 64 bits\n\tSize: {size}\n\tLocator: {locator}\n\tBank Locator: {bank}\n\
             \tType: DDR5\n\tSpeed: 5600 MT/s\n\tConfigured Memory Speed: {speed}\n\n"
        )
    }

    #[test]
    fn a_server_board_counts_its_channels() {
        // Two sockets × 4 channels, one DIMM each, plus empty slots.
        let mut text = String::from("# dmidecode 3.4\n\n");
        for socket in 0..2 {
            for channel in ["A", "B", "C", "D"] {
                text += &device(
                    "DIMM",
                    &format!("P{socket} CHANNEL {channel}"),
                    "32 GB",
                    "4800 MT/s",
                );
                text += &device(
                    "DIMM",
                    &format!("P{socket} CHANNEL {channel}"),
                    "No Module Installed",
                    "Unknown",
                );
            }
        }
        let modules = parse_dmidecode(&text);
        assert_eq!(modules.len(), 8);
        let found = figure(&modules, "dmidecode");
        assert_eq!(found.bytes_per_s, Some(8 * 4800 * 1_000_000 * 8));
        assert_eq!(found.how, "8 channels × DDR5-4800 × 64 bit (dmidecode)");
    }

    #[test]
    fn a_desktop_with_two_dimms_per_channel_has_two_channels() {
        let text: String = [
            "ChannelA-DIMM0",
            "ChannelA-DIMM1",
            "ChannelB-DIMM0",
            "ChannelB-DIMM1",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| device(l, &format!("BANK {i}"), "16 GB", "5200 MT/s"))
        .collect();
        let found = figure(&parse_dmidecode(&text), "dmidecode");
        assert_eq!(found.bytes_per_s, Some(2 * 5200 * 1_000_000 * 8));
        let unnamed = device("DIMM 0", "BANK 0", "16 GB", "3200 MT/s")
            + &device("DIMM 1", "BANK 1", "16 GB", "3200 MT/s");
        let found = figure(&parse_dmidecode(&unnamed), "dmidecode");
        assert_eq!(found.bytes_per_s, Some(2 * 3200 * 1_000_000 * 8));
        assert!(
            found.how.ends_with("one module per channel assumed)"),
            "{}",
            found.how
        );
        assert_eq!(figure(&[], "dmidecode").bytes_per_s, None);
    }

    #[test]
    fn raw_smbios_entries_parse() {
        let mut raw = vec![0u8; 0x5C];
        raw[0] = 17;
        raw[1] = 0x5C;
        raw[0x0A..0x0C].copy_from_slice(&64u16.to_le_bytes());
        raw[0x0C..0x0E].copy_from_slice(&32768u16.to_le_bytes());
        raw[0x10] = 1;
        raw[0x11] = 2;
        raw[0x12] = 0x22;
        raw[0x15..0x17].copy_from_slice(&5600u16.to_le_bytes());
        raw[0x20..0x22].copy_from_slice(&0xFFFFu16.to_le_bytes());
        raw[0x58..0x5C].copy_from_slice(&4800u32.to_le_bytes());
        raw.extend_from_slice(b"DIMM_A1\0P0_Node0_Channel0_Dimm0\0\0");
        let module = parse_raw(&raw).unwrap();
        assert_eq!((module.width_bits, module.mts), (64, 4800));
        assert_eq!(module.kind.as_deref(), Some("DDR5"));
        assert_eq!(
            channel_of(&module.bank).as_deref(),
            Some("p0_node0_channel0")
        );
        raw[0x0C] = 0;
        raw[0x0D] = 0;
        assert_eq!(parse_raw(&raw), None, "an empty slot");
        assert_eq!(parse_raw(&[17, 0x40, 0]), None, "truncated");
        assert_eq!(parse_raw(&[]), None);
    }
}
