//! Which tags to ask for when the catalog does not know a family: the registry has no
//! tag-list endpoint, so the conventional tags of the size are tried. Library tags are
//! `<size>[-instruct|-it]-<quant>` (`8b-instruct-q8_0`, `12b-it-qat`); Hugging Face
//! tags are quantization names (`Q4_K_M`).

use crate::quant::Quant;
use crate::registry::HF_HOST;

/// The quantization suffixes library tags use, most common first.
const LIBRARY_LEVELS: [&str; 4] = ["q4_K_M", "q8_0", "fp16", "bf16"];
/// Flavours between the size and the level (`-instruct`, gemma's `-it`).
const FLAVOURS: [&str; 3] = ["", "-instruct", "-it"];
/// The quantization tags Hugging Face GGUF repositories commonly publish.
const HF_LEVELS: [&str; 9] = [
    "Q4_K_M", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_S", "Q4_0", "Q3_K_M", "Q2_K", "F16",
];

/// The tags to try for `size` on `host`, the bare size first (it is what a short name
/// resolves to); no duplicates.
pub fn candidates(host: &str, size: &str) -> Vec<String> {
    if host.eq_ignore_ascii_case(HF_HOST) {
        return HF_LEVELS.iter().map(|l| l.to_string()).collect();
    }
    let mut tags = vec![size.to_string()];
    for flavour in FLAVOURS {
        for level in LIBRARY_LEVELS {
            tags.push(format!("{size}{flavour}-{level}"));
        }
    }
    tags.push(format!("{size}-it-qat"));
    tags
}

/// The level a tag names by convention: its last `-` part (`q8_0`, `fp16`), the whole
/// tag (`Q4_K_M` on Hugging Face), or `qat` (Gemma's quantization-aware Q4_0).
pub fn quant_of_tag(tag: &str) -> Option<Quant> {
    let last = tag.rsplit('-').next().unwrap_or(tag);
    if last.eq_ignore_ascii_case("qat") {
        return Some(Quant::Q4_0);
    }
    last.parse().ok()
}

/// The size part of a tag: the tag without its level and flavour (`12b-it-q8_0` →
/// `12b`, `30b-a3b` → `30b-a3b`); none for `latest` or a tag that is only a level.
pub fn size_of_tag(tag: &str) -> Option<String> {
    if tag.eq_ignore_ascii_case("latest") {
        return None;
    }
    let mut parts: Vec<&str> = tag.split('-').collect();
    if quant_of_tag(tag).is_some() {
        parts.pop();
    }
    if parts
        .last()
        .is_some_and(|p| p.eq_ignore_ascii_case("instruct") || p.eq_ignore_ascii_case("it"))
    {
        parts.pop();
    }
    (!parts.is_empty()).then(|| parts.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_sizes_get_the_conventional_tags() {
        let tags = candidates("registry.ollama.ai", "12b");
        assert_eq!(tags[0], "12b");
        for tag in [
            "12b-q4_K_M",
            "12b-instruct-q8_0",
            "12b-it-fp16",
            "12b-bf16",
            "12b-it-qat",
        ] {
            assert!(tags.contains(&tag.to_string()), "{tag}");
        }
        assert_eq!(tags.len(), 14);
        assert_eq!(candidates("hf.co", "latest")[0], "Q4_K_M");
    }

    #[test]
    fn tags_name_their_level_and_size() {
        assert_eq!(quant_of_tag("12b-it-q8_0"), Some(Quant::Q8_0));
        assert_eq!(quant_of_tag("12b-it-qat"), Some(Quant::Q4_0));
        assert_eq!(quant_of_tag("Q4_K_M"), Some(Quant::Q4KM));
        assert_eq!(quant_of_tag("20b"), None);
        assert_eq!(size_of_tag("12b-it-q8_0").as_deref(), Some("12b"));
        assert_eq!(size_of_tag("8b-instruct-fp16").as_deref(), Some("8b"));
        assert_eq!(size_of_tag("30b-a3b").as_deref(), Some("30b-a3b"));
        assert_eq!(size_of_tag("latest"), None);
        assert_eq!(size_of_tag("Q4_K_M"), None);
    }
}
