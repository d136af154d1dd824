//! What `list-quants` shows, as data: `--json` prints it as is.

use super::{CreateSource, Row};
use serde::Serialize;

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
    /// Where `context` comes from, for the footer (`the default profile's
    /// parameters at the 8-bit tier`).
    #[serde(skip)]
    pub context_from: Option<String>,
    /// The memory levels must fit in, after the profile's reserve.
    pub budget_bytes: Option<u64>,
    pub profile: Option<String>,
    pub quants: Vec<Row>,
    /// Why installed copies could not be read (ollama missing or down); none when read.
    pub installed_unknown: Option<String>,
    pub remote: Remote,
    pub create_quantize_from: Option<CreateSource>,
    /// Where the model's facts (and the sizes not marked otherwise) came from.
    pub facts_source: Option<crate::facts::Source>,
    /// The registry's tags were probed by convention: other levels may exist.
    pub tags_probed: bool,
}

/// Whether `--remote` was asked and, when the registry never answered, why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Remote {
    pub used: bool,
    pub offline_reason: Option<String>,
}

/// A two-level listing for the tests of its JSON and its table.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::levels::{Installed, Published, RegistryStatus, merge};
    use crate::quant::Quant;
    use std::collections::HashMap;

    pub fn listing() -> Listing {
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
            schema_version: crate::output::SCHEMA_VERSION,
            model: "m".to_string(),
            family: Some("m".to_string()),
            size: Some("1b".to_string()),
            catalog_as_of: Some("2025-08-09".to_string()),
            context: Some(4096),
            context_from: Some("the default profile's fit.num_ctx".into()),
            budget_bytes: Some(3 << 30),
            profile: Some("default".to_string()),
            quants,
            installed_unknown: None,
            remote: Remote {
                used: true,
                offline_reason: None,
            },
            create_quantize_from: None,
            facts_source: None,
            tags_probed: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::listing;

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
