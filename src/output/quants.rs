//! `list-quants` as people read it: a row per level, then what the marks mean.

use super::table;
use crate::levels::report::Listing;
use crate::levels::{RegistryStatus, Row};
use crate::size::{Binary, Decimal};

/// The table and its footer.
pub fn text(listing: &Listing) -> String {
    let title = match (&listing.family, &listing.size) {
        (Some(family), Some(size)) => format!("{family}:{size}"),
        _ => listing.model.clone(),
    };
    let mut out = format!("{title}: {} quantization levels\n\n", listing.quants.len());
    if listing.quants.is_empty() {
        let none = match listing.installed_unknown {
            Some(_) => "none known: installed copies could not be read\n\n",
            None => "none installed\n\n",
        };
        out.push_str(none);
        out.extend(footer(listing).iter().map(|line| format!("{line}\n")));
        return out;
    }
    // TOK/S only where a speed is known (a library model, speeds asked for).
    let speeds = listing.quants.iter().any(|r| r.speed.is_some());
    let mut header = [
        "",
        "QUANT",
        "BITS",
        "TAG",
        "SIZE",
        "INSTALLED",
        "TOK/S",
        "FITS",
    ]
    .map(String::from)
    .to_vec();
    if !speeds {
        header.remove(6);
    }
    let mut rows = vec![header];
    rows.extend(listing.quants.iter().map(|r| {
        let mut cells = cells(listing, r);
        if !speeds {
            cells.remove(6);
        }
        cells
    }));
    out.push_str(&table(&rows));
    out.push('\n');
    for line in footer(listing) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn cells(listing: &Listing, row: &Row) -> Vec<String> {
    let dash = || "-".to_string();
    let mut tag = row.tag.clone().unwrap_or_else(dash);
    if row.registry == Some(RegistryStatus::NotFound) {
        tag.push_str(" (not in registry)");
    }
    let size = row.size_bytes.map_or_else(dash, |bytes| {
        let tilde = if row.size_exact { "" } else { "~" };
        format!("{tilde}{}", Decimal(bytes))
    });
    let installed = match (&listing.installed_unknown, row.installed) {
        (_, true) => row.installed_names.join(", "),
        (Some(_), false) => "?".to_string(),
        (None, false) => dash(),
    };
    vec![
        if row.auto_choice { "*" } else { "" }.to_string(),
        row.quant.to_string(),
        format!("{:.2}", row.bits),
        tag,
        size,
        installed,
        crate::speed::cell(row.speed.as_ref()),
        fits_cell(row),
    ]
}

/// What the marks and columns mean, and where the facts came from.
fn footer(listing: &Listing) -> Vec<String> {
    let mut lines = Vec::new();
    if listing.quants.iter().any(|r| r.auto_choice) {
        lines.push("* what `provision auto` would choose here".to_string());
    } else if listing.family.is_some() && !listing.quants.is_empty() {
        lines.push("`provision auto` would choose none of these here".to_string());
    }
    if let (Some(context), Some(budget)) = (listing.context, listing.budget_bytes) {
        let from = listing.context_from.as_deref().unwrap_or("the profile");
        lines.push(format!(
            "FITS: estimated memory at num_ctx {context} ({from}) against {} usable",
            Binary(budget)
        ));
    }
    if listing.quants.iter().any(|r| r.speed.is_some()) {
        lines.push(
            "TOK/S: predicted decode tokens/s as it fits, at the end of a full num_ctx (see `provision plan`)"
                .to_string(),
        );
    }
    if listing
        .quants
        .iter()
        .any(|r| r.size_bytes.is_some() && !r.size_exact)
    {
        lines.push("SIZE: ~ estimated; the others are exact blob sizes".to_string());
    }
    lines.push(create_quantize_line(listing));
    if let Some(source) = listing.facts_source {
        let as_of = listing.catalog_as_of.as_deref().unwrap_or("-");
        lines.push(format!("facts: {}", source.describe(as_of)));
    }
    if listing.tags_probed {
        lines.push("tags probed by convention: the registry may publish others".to_string());
    }
    match &listing.catalog_as_of {
        Some(date) => lines.push(format!("catalog as of {date}")),
        None => lines.push("not a library model: installed copies only".to_string()),
    }
    lines
}

/// Which levels `ollama create --quantize` could make from an installed copy, or
/// why none.
fn create_quantize_line(listing: &Listing) -> String {
    match &listing.create_quantize_from {
        Some(source) => format!(
            "ollama create --quantize from {} ({}) can make: {}",
            source.name,
            source.quant,
            source
                .levels
                .iter()
                .map(|q| q.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None if listing.installed_unknown.is_some() => {
            "ollama create --quantize: unknown (installed copies could not be read)".to_string()
        }
        None => "ollama create --quantize: none (no F16/BF16 copy installed)".to_string(),
    }
}

fn fits_cell(row: &Row) -> String {
    let (Some(fits), Some(total)) = (row.fits, row.total_bytes) else {
        return "-".to_string();
    };
    let verdict = if fits { "yes" } else { "no" };
    match &row.fit_note {
        Some(note) => format!("{verdict} ({}; {note})", Binary(total)),
        None => format!("{verdict} ({})", Binary(total)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::report::fixture::listing;

    #[test]
    fn the_table_marks_choice_estimates_and_registry_misses() {
        let text = text(&listing());
        let expected = "\
m:1b: 2 quantization levels

   QUANT   BITS   TAG                          SIZE     INSTALLED  FITS
   F16     16.00  m:1b-fp16 (not in registry)  2 GB     -          no (2.9 GiB)
*  Q4_K_M  4.89   m:1b-q4_K_M                  ~600 MB  m:1b       yes (1.6 GiB)

* what `provision auto` would choose here
FITS: estimated memory at num_ctx 4096 (the default profile's fit.num_ctx) against 3.0 GiB usable
SIZE: ~ estimated; the others are exact blob sizes
ollama create --quantize: none (no F16/BF16 copy installed)
catalog as of 2025-08-09
";
        assert_eq!(text, expected);
    }

    #[test]
    fn known_speeds_get_a_column() {
        let mut listing = listing();
        listing.quants[1].speed = Some(crate::speed::Speed {
            decode_tokens_per_s: 41.25,
            prompt_tokens_per_s: None,
            source: crate::speed::SpeedSource::Predicted,
            bytes_per_token: 1,
            efficiency: Some(0.55),
            decoding_together: 1,
        });
        let text = text(&listing);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[2].contains("INSTALLED  TOK/S  FITS"), "{text}");
        assert!(lines[3].contains(" -      no (2.9 GiB)"), "{text}");
        assert!(lines[4].contains(" ~41.2  yes (1.6 GiB)"), "{text}");
        assert!(
            text.contains("\nTOK/S: predicted decode tokens/s"),
            "{text}"
        );
    }
}
