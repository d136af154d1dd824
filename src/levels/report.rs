//! `list-quants` output: the JSON object and the table people read.

use super::{CreateSource, RegistryStatus, Row};
use crate::report::table;
use crate::size::{Binary, Decimal};
use serde::Serialize;

/// Bumped when a JSON field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `list-quants` shows; `--json` prints it as is.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub schema_version: u32,
    /// The name as typed.
    pub model: String,
    /// Catalog family and size; none for local-only names.
    pub family: Option<String>,
    pub size: Option<String>,
    pub catalog_as_of: Option<String>,
    /// The context FITS is estimated at (the profile's, capped at the native one).
    pub context: Option<u32>,
    /// The memory levels must fit in, after the profile's reserve.
    pub budget_bytes: Option<u64>,
    pub profile: Option<String>,
    pub quants: Vec<Row>,
    /// Why installed copies could not be read (ollama missing or down); none when read.
    pub installed_unknown: Option<String>,
    pub remote: Remote,
    pub create_quantize_from: Option<CreateSource>,
}

/// Whether `--remote` was asked and, when the registry never answered, why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Remote {
    pub used: bool,
    pub offline_reason: Option<String>,
}

impl Listing {
    /// The table and its footer.
    pub fn human(&self) -> String {
        let title = match (&self.family, &self.size) {
            (Some(family), Some(size)) => format!("{family}:{size}"),
            _ => self.model.clone(),
        };
        let mut out = format!("{title}: {} quantization levels\n\n", self.quants.len());
        if self.quants.is_empty() {
            let none = match self.installed_unknown {
                Some(_) => "none known: installed copies could not be read\n\n",
                None => "none installed\n\n",
            };
            out.push_str(none);
            out.extend(self.footer().iter().map(|line| format!("{line}\n")));
            return out;
        }
        let mut rows = vec![
            ["", "QUANT", "BITS", "TAG", "SIZE", "INSTALLED", "FITS"]
                .map(String::from)
                .to_vec(),
        ];
        rows.extend(self.quants.iter().map(|r| self.cells(r)));
        out.push_str(&table(&rows));
        out.push('\n');
        for line in self.footer() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    fn cells(&self, row: &Row) -> Vec<String> {
        let dash = || "-".to_string();
        let mut tag = row.tag.clone().unwrap_or_else(dash);
        if row.registry == Some(RegistryStatus::NotFound) {
            tag.push_str(" (not in registry)");
        }
        let size = row.size_bytes.map_or_else(dash, |bytes| {
            let tilde = if row.size_exact { "" } else { "~" };
            format!("{tilde}{}", Decimal(bytes))
        });
        let installed = match (&self.installed_unknown, row.installed) {
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
            fits_cell(row),
        ]
    }

    fn footer(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.quants.iter().any(|r| r.auto_choice) {
            lines.push("* what `provision auto` would choose here".to_string());
        } else if self.family.is_some() && !self.quants.is_empty() {
            lines.push("`provision auto` would choose none of these here".to_string());
        }
        if let (Some(context), Some(budget)) = (self.context, self.budget_bytes) {
            let profile = self.profile.as_deref().unwrap_or("default");
            lines.push(format!(
                "FITS: estimated memory at num_ctx {context} (profile {profile}) against {} usable",
                Binary(budget)
            ));
        }
        if self
            .quants
            .iter()
            .any(|r| r.size_bytes.is_some() && !r.size_exact)
        {
            lines.push("SIZE: ~ estimated; the others are exact blob sizes".to_string());
        }
        lines.push(match &self.create_quantize_from {
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
            None if self.installed_unknown.is_some() => {
                "ollama create --quantize: unknown (installed copies could not be read)".to_string()
            }
            None => "ollama create --quantize: none (no F16/BF16 copy installed)".to_string(),
        });
        match &self.catalog_as_of {
            Some(date) => lines.push(format!("catalog as of {date}")),
            None => lines.push("not a library model: installed copies only".to_string()),
        }
        lines
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
    use crate::levels::{Installed, Published, merge};
    use crate::quant::Quant;
    use std::collections::HashMap;

    fn listing() -> Listing {
        let published = [Quant::F16, Quant::Q4KM].map(|quant| Published {
            quant,
            tag: format!("m:1b-{}", quant.tag_suffix()),
            bytes: if quant == Quant::F16 {
                2_000_000_000
            } else {
                600_000_000
            },
            exact: quant == Quant::F16,
        });
        let installed = [Installed {
            name: "m:1b".to_string(),
            quant: Quant::Q4KM,
            bytes: None,
        }];
        let remote = HashMap::from([("m:1b-fp16".to_string(), RegistryStatus::NotFound)]);
        let mut quants = merge(&published, &installed, &remote, Some(Quant::Q4KM));
        for row in &mut quants {
            row.fits = Some(row.quant == Quant::Q4KM);
            row.total_bytes = Some(row.size_bytes.unwrap() + (1 << 30));
        }
        Listing {
            schema_version: SCHEMA_VERSION,
            model: "m".to_string(),
            family: Some("m".to_string()),
            size: Some("1b".to_string()),
            catalog_as_of: Some("2025-08-09".to_string()),
            context: Some(4096),
            budget_bytes: Some(3 << 30),
            profile: Some("default".to_string()),
            quants,
            installed_unknown: None,
            remote: Remote {
                used: true,
                offline_reason: None,
            },
            create_quantize_from: None,
        }
    }

    #[test]
    fn the_table_marks_choice_estimates_and_registry_misses() {
        let text = listing().human();
        let expected = "\
m:1b: 2 quantization levels

   QUANT   BITS   TAG                          SIZE     INSTALLED  FITS
   F16     16.00  m:1b-fp16 (not in registry)  2 GB     -          no (2.9 GiB)
*  Q4_K_M  4.89   m:1b-q4_K_M                  ~600 MB  m:1b       yes (1.6 GiB)

* what `provision auto` would choose here
FITS: estimated memory at num_ctx 4096 (profile default) against 3.0 GiB usable
SIZE: ~ estimated; the others are exact blob sizes
ollama create --quantize: none (no F16/BF16 copy installed)
catalog as of 2025-08-09
";
        assert_eq!(text, expected);
    }

    #[test]
    fn json_keys_are_snake_case_with_byte_counts() {
        let json = serde_json::to_value(listing()).unwrap();
        assert_eq!(json["schema_version"], 1);
        let row = &json["quants"][1];
        assert_eq!(row["quant"], "Q4_K_M");
        assert_eq!(row["size_bytes"], 600_000_000);
        assert_eq!(row["size_source"], "catalog");
        assert_eq!(row["installed_names"][0], "m:1b");
        assert_eq!(row["auto_choice"], true);
        assert_eq!(json["quants"][0]["registry"], "not_found");
        assert_eq!(json["remote"]["used"], true);
        assert!(json["create_quantize_from"].is_null());
    }
}
