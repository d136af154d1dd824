//! Parser for `ollama list`, in the four-space (≥ v0.3.11) and TAB (older) layouts.

use anyhow::{Result, bail};

/// A SIZE cell: HumanBytes is lossy, so it maps to a range of byte counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayedSize {
    /// The text as printed, e.g. `4.9 GB`.
    pub text: String,
    /// Smallest byte count that prints this way (inclusive).
    pub min_bytes: u64,
    /// Largest byte count that prints this way (inclusive).
    pub max_bytes: u64,
}

impl DisplayedSize {
    /// Parses `N U` / `N.D U` (decimal units, as `format.HumanBytes` prints them).
    pub fn parse(number: &str, unit: &str) -> Option<DisplayedSize> {
        let scale: u64 = match unit {
            "B" => 1,
            "KB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            "TB" => 1_000_000_000_000,
            _ => return None,
        };
        let valid = !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit() || c == '.')
            && number.matches('.').count() <= 1
            && !number.starts_with('.')
            && !number.ends_with('.');
        if !valid || number.len() > 15 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let scale_f = scale as f64;
        let (min, max) = if number.contains('.') {
            // `%.1f` rounding of a value in [1, 10).
            ((value - 0.05) * scale_f, (value + 0.05) * scale_f - 1.0)
        } else if value >= 10.0 {
            // Truncated to an integer.
            (value * scale_f, (value + 1.0) * scale_f - 1.0)
        } else {
            // A whole value below 10 is exact.
            (value * scale_f, value * scale_f)
        };
        Some(DisplayedSize {
            text: format!("{number} {unit}"),
            min_bytes: min.max(0.0).ceil() as u64,
            max_bytes: max.max(0.0).floor() as u64,
        })
    }

    /// Whether an exact byte count would be printed as this size.
    pub fn contains(&self, bytes: u64) -> bool {
        (self.min_bytes..=self.max_bytes).contains(&bytes)
    }
}

/// One row of `ollama list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The name as printed (DisplayShortest, tag always present).
    pub name: String,
    /// The first 12 hex characters of the manifest digest.
    pub id: String,
    /// None for `-` (a cloud/remote model with no local size).
    pub size: Option<DisplayedSize>,
    /// HumanTime text, e.g. `2 weeks ago`.
    pub modified: String,
}

fn is_id(text: &str) -> bool {
    text.len() == 12
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_header(fields: &[&str]) -> bool {
    fields == ["NAME", "ID", "SIZE", "MODIFIED"]
}

fn parse_row(fields: &[&str]) -> Option<ListEntry> {
    let (name, id) = (*fields.first()?, *fields.get(1)?);
    if !is_id(id) {
        return None;
    }
    let (size, rest) = match *fields.get(2)? {
        "-" => (None, &fields[3..]),
        number => (
            Some(DisplayedSize::parse(number, fields.get(3)?)?),
            &fields[4..],
        ),
    };
    if rest.is_empty() {
        return None;
    }
    Some(ListEntry {
        name: name.to_string(),
        id: id.to_string(),
        size,
        modified: rest.join(" "),
    })
}

/// Parses the output of `ollama list`. Any line that is neither the header nor a
/// row is an error naming it, so a format change is noticed, not silently ignored.
pub fn parse_list(text: &str) -> Result<Vec<ListEntry>> {
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() || is_header(&fields) {
            continue;
        }
        match parse_row(&fields) {
            Some(entry) => entries.push(entry),
            None => bail!(
                "could not parse `ollama list` line {}: {:?}",
                index + 1,
                line.trim_end()
            ),
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sizes_map_to_byte_ranges() {
        let size = DisplayedSize::parse("4.9", "GB").unwrap();
        assert!(size.contains(4_920_738_944) && !size.contains(4_960_000_000));
        let size = DisplayedSize::parse("74", "GB").unwrap();
        assert!(size.contains(74_975_028_352) && !size.contains(75_000_000_000));
        let size = DisplayedSize::parse("96", "B").unwrap();
        assert_eq!((size.min_bytes, size.max_bytes), (96, 96));
        let size = DisplayedSize::parse("1", "GB").unwrap();
        assert_eq!(
            (size.min_bytes, size.max_bytes),
            (1_000_000_000, 1_000_000_000)
        );
        assert!(DisplayedSize::parse("1.2.3", "GB").is_none());
        assert!(DisplayedSize::parse("4", "GiB").is_none());
    }

    #[test]
    fn a_cloud_model_has_no_size() {
        let text = "NAME    ID    SIZE    MODIFIED \ngpt-oss:120b-cloud    569662207105    -    3 days ago    \n";
        let entries = parse_list(text).unwrap();
        assert_eq!(entries[0].size, None);
        assert_eq!(entries[0].modified, "3 days ago");
    }

    #[test]
    fn an_unknown_line_is_an_error() {
        let error = parse_list("NAME ID SIZE MODIFIED\nsomething odd\n").unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,120}") {
            let _ = parse_list(&text);
        }

        #[test]
        fn rows_never_panic(name in "\\S{1,20}", number in "[0-9.]{1,6}", unit in "B|KB|MB|GB|TB|X") {
            let _ = parse_list(&format!("{name}    0123456789ab    {number} {unit}    now    \n"));
        }
    }
}
