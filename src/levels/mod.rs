//! The quantization levels of one model, merged from what is installed, what the
//! catalog says is published and what the registry answered: the rows of `list-quants`.

mod create;
mod fits;
pub mod installed;
pub mod remote;
pub mod report;

pub use create::{CreateSource, create_source};
pub use fits::{QuantFit, fit_quant};
pub use installed::{Installed, Scope};

use crate::catalog::{Family, ModelSize};
use crate::quant::Quant;
use serde::Serialize;
use std::collections::HashMap;

/// One tag the library publishes for the size, as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub quant: Quant,
    /// The full name, `llama3.1:8b-instruct-q4_K_M`.
    pub tag: String,
    pub bytes: u64,
    /// Registry-exact (true) or computed by the catalog generator.
    pub exact: bool,
}

impl Published {
    /// Every level the catalog lists for a size, with its full tag.
    pub fn of(family: &Family, size: &ModelSize) -> Vec<Published> {
        size.quants
            .iter()
            .map(|q| Published {
                quant: q.quant,
                tag: format!("{}:{}", family.name, size.tag_for(q.quant)),
                bytes: q.bytes,
                exact: q.exact,
            })
            .collect()
    }
}

/// What the registry said about one published tag (JSON: `found`, `not_found`,
/// `no_answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryStatus {
    /// Published; the size is the manifest's exact model-layer size.
    Found { model_bytes: u64 },
    /// The registry answered 404.
    NotFound,
    /// No usable answer (timeout, unreachable, other status): catalog size kept.
    NoAnswer,
}

impl RegistryStatus {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            RegistryStatus::Found { .. } => "found",
            RegistryStatus::NotFound => "not_found",
            RegistryStatus::NoAnswer => "no_answer",
        }
    }
}

impl Serialize for RegistryStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Where a row's size comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeSource {
    Catalog,
    Registry,
    Installed,
}

/// One quantization level of the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub quant: Quant,
    /// Effective bits per weight of a whole file at this level.
    pub bits: f64,
    /// The published library tag; none for a level only installed locally.
    pub tag: Option<String>,
    pub size_bytes: Option<u64>,
    pub size_exact: bool,
    pub size_source: SizeSource,
    pub installed: bool,
    /// Every installed name at this level (library tags, `provision/…`, custom names).
    pub installed_names: Vec<String>,
    /// The registry's answer with `--remote`; none without it.
    pub registry: Option<RegistryStatus>,
    /// None when the model has no catalog entry (local-only names).
    pub fits: Option<bool>,
    /// The estimated memory at the profile's context.
    pub total_bytes: Option<u64>,
    /// How it fits when not plainly (`num_ctx 2048`, `partial offload 20/32`).
    pub fit_note: Option<String>,
    /// How fast it decodes here at the profile's context (none when unknown).
    pub speed: Option<crate::speed::Speed>,
    /// Whether `provision auto` would choose this level here.
    pub auto_choice: bool,
}

/// Merges the sources into rows, most bits per weight first: one row per published
/// level (the registry's size when it answered), plus one per level only installed.
/// `remote` is keyed by the full tag. `auto` marks the level `auto` would choose.
pub fn merge(
    published: &[Published],
    installed: &[Installed],
    remote: &HashMap<String, RegistryStatus>,
    auto: Option<Quant>,
) -> Vec<Row> {
    let mut rows: Vec<Row> = published.iter().map(|p| published_row(p, remote)).collect();
    for copy in installed {
        let index = match rows.iter().position(|r| r.quant == copy.quant) {
            Some(index) => index,
            None => {
                rows.push(installed_row(copy));
                rows.len() - 1
            }
        };
        let row = &mut rows[index];
        row.installed = true;
        if !row.installed_names.contains(&copy.name) {
            row.installed_names.push(copy.name.clone());
        }
    }
    for row in &mut rows {
        row.installed_names.sort();
        row.auto_choice = Some(row.quant) == auto;
    }
    rows.sort_by(|a, b| by_bits(b, a));
    rows
}

/// The order rows are listed in, lowest first: by bits per weight (the size a
/// level costs, the column the table shows), then, at equal bits (Q5_K_S and
/// Q5_0), by quality, the k-quant first.
fn by_bits(a: &Row, b: &Row) -> std::cmp::Ordering {
    a.bits.total_cmp(&b.bits).then(a.quant.cmp(&b.quant))
}

fn published_row(published: &Published, remote: &HashMap<String, RegistryStatus>) -> Row {
    let status = remote.get(&published.tag).copied();
    let (size, exact, source) = match status {
        Some(RegistryStatus::Found { model_bytes }) => (model_bytes, true, SizeSource::Registry),
        _ => (published.bytes, published.exact, SizeSource::Catalog),
    };
    Row {
        size_bytes: Some(size),
        size_exact: exact,
        size_source: source,
        tag: Some(published.tag.clone()),
        registry: status,
        ..bare_row(published.quant)
    }
}

fn installed_row(copy: &Installed) -> Row {
    Row {
        size_bytes: copy.bytes,
        size_source: SizeSource::Installed,
        ..bare_row(copy.quant)
    }
}

fn bare_row(quant: Quant) -> Row {
    Row {
        quant,
        bits: quant.bits_per_weight(),
        tag: None,
        size_bytes: None,
        size_exact: false,
        size_source: SizeSource::Catalog,
        installed: false,
        installed_names: Vec::new(),
        registry: None,
        fits: None,
        total_bytes: None,
        fit_note: None,
        speed: None,
        auto_choice: false,
    }
}

/// Keeps only the installed rows (`--installed`).
pub fn only_installed(rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter().filter(|r| r.installed).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A published level of a test model `m:1b`.
    pub(crate) fn published(quant: Quant, bytes: u64) -> Published {
        Published {
            quant,
            tag: format!("m:1b-{}", quant.tag_suffix()),
            bytes,
            exact: false,
        }
    }

    /// An installed copy of 1000 bytes.
    pub(crate) fn copy(name: &str, quant: Quant) -> Installed {
        Installed {
            name: name.to_string(),
            quant,
            bytes: Some(1_000),
        }
    }

    fn sources() -> Vec<Published> {
        vec![
            published(Quant::Q4KM, 400),
            published(Quant::F16, 1_600),
            published(Quant::Q8_0, 800),
        ]
    }

    #[test]
    fn rows_are_sorted_from_highest_precision_and_marked() {
        let rows = merge(&sources(), &[], &HashMap::new(), Some(Quant::Q8_0));
        let quants: Vec<Quant> = rows.iter().map(|r| r.quant).collect();
        assert_eq!(quants, [Quant::F16, Quant::Q8_0, Quant::Q4KM]);
        let marked: Vec<bool> = rows.iter().map(|r| r.auto_choice).collect();
        assert_eq!(marked, [false, true, false]);
        assert!(rows.iter().all(|r| r.size_source == SizeSource::Catalog));
        assert!(rows.iter().all(|r| !r.installed && r.registry.is_none()));
        assert_eq!(rows[0].bits, Quant::F16.bits_per_weight());
    }

    #[test]
    fn rows_run_by_bits_per_weight_and_equal_bits_by_quality() {
        let levels = [
            Quant::Q5_0,
            Quant::Q5KS,
            Quant::Q5_1,
            Quant::Q5KM,
            Quant::Q4KM,
        ];
        let published: Vec<Published> = levels.iter().map(|q| published(*q, 100)).collect();
        let rows = merge(&published, &[], &HashMap::new(), None);
        let order: Vec<Quant> = rows.iter().map(|r| r.quant).collect();
        assert_eq!(
            order,
            [
                Quant::Q5_1,
                Quant::Q5KM,
                Quant::Q5KS,
                Quant::Q5_0,
                Quant::Q4KM
            ]
        );
    }

    #[test]
    fn installed_copies_join_their_level_or_add_one() {
        let installed = [
            copy("m:1b", Quant::Q4KM),
            copy("provision/m:1b", Quant::Q4KM),
            copy("mine:latest", Quant::Q6K),
        ];
        let rows = merge(&sources(), &installed, &HashMap::new(), None);
        assert_eq!(rows.len(), 4);
        let q4 = rows.iter().find(|r| r.quant == Quant::Q4KM).unwrap();
        assert!(q4.installed);
        assert_eq!(q4.installed_names, ["m:1b", "provision/m:1b"]);
        assert_eq!(q4.size_bytes, Some(400), "the catalog size wins");
        let q6 = &rows[2];
        assert_eq!(q6.quant, Quant::Q6K);
        assert_eq!(q6.tag, None);
        assert_eq!(q6.size_source, SizeSource::Installed);
        assert_eq!(q6.size_bytes, Some(1_000));
        assert!(!q6.size_exact);
        assert_eq!(only_installed(rows).len(), 2);
    }

    #[test]
    fn registry_sizes_replace_catalog_sizes_and_404s_keep_the_row() {
        let remote = HashMap::from([
            (
                "m:1b-q8_0".to_string(),
                RegistryStatus::Found { model_bytes: 812 },
            ),
            ("m:1b-fp16".to_string(), RegistryStatus::NotFound),
            ("m:1b-q4_K_M".to_string(), RegistryStatus::NoAnswer),
        ]);
        let rows = merge(&sources(), &[], &remote, None);
        let q8 = &rows[1];
        assert_eq!(
            (q8.size_bytes, q8.size_exact, q8.size_source),
            (Some(812), true, SizeSource::Registry)
        );
        assert_eq!(rows[0].registry, Some(RegistryStatus::NotFound));
        assert_eq!(rows[0].size_bytes, Some(1_600));
        assert_eq!(rows[2].size_source, SizeSource::Catalog);
        assert_eq!(rows[2].registry, Some(RegistryStatus::NoAnswer));
    }
}
