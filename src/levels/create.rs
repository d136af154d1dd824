//! Which levels `ollama create --quantize` could make from an installed float copy.

use super::Row;
use crate::ollama::rules::OllamaVersion;
use crate::ollama::rules::quantize as rules;
use crate::quant::Quant;
use serde::Serialize;

/// What `ollama create --quantize` could make from an installed F16/BF16 copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateSource {
    /// The installed name to use in `FROM`.
    pub name: String,
    pub quant: Quant,
    /// The levels `--quantize` produces from it, highest first.
    pub levels: Vec<Quant>,
}

/// The best installed float copy (F16 before BF16) this version quantizes from,
/// and the levels its `ollama create --quantize` produces; none without such a copy.
pub fn create_source(rows: &[Row], version: OllamaVersion) -> Option<CreateSource> {
    let row = [Quant::F16, Quant::BF16].iter().find_map(|q| {
        let usable = rules::check_source(version, *q).is_ok();
        rows.iter().find(|r| r.quant == *q && r.installed && usable)
    })?;
    let levels = rules::create_targets(version)
        .into_iter()
        .filter(|q| *q != Quant::F32)
        .collect();
    Some(CreateSource {
        name: row.installed_names.first()?.clone(),
        quant: row.quant,
        levels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::tests::{copy, published};
    use crate::levels::{Published, merge};
    use std::collections::HashMap;

    fn sources() -> Vec<Published> {
        [Quant::F16, Quant::Q8_0, Quant::Q4KM]
            .map(|q| published(q, 1))
            .to_vec()
    }

    #[test]
    fn create_can_quantize_only_from_an_installed_float_copy() {
        let rows = merge(
            &sources(),
            &[copy("m:q8", Quant::Q8_0)],
            &HashMap::new(),
            None,
        );
        assert_eq!(create_source(&rows, OllamaVersion::NEWEST), None);
        let installed = [copy("m:bf", Quant::BF16), copy("m:1b-fp16", Quant::F16)];
        let rows = merge(&sources(), &installed, &HashMap::new(), None);
        let source = create_source(&rows, OllamaVersion::NEWEST).unwrap();
        assert_eq!(
            (source.name.as_str(), source.quant),
            ("m:1b-fp16", Quant::F16)
        );
        assert_eq!(
            source.levels,
            [
                Quant::F16,
                Quant::BF16,
                Quant::Q8_0,
                Quant::Q4KM,
                Quant::Q4KS
            ]
        );
    }
}
