//! The bytes a removal frees: Ollama deletes a blob when the last manifest naming
//! it goes, so only blobs no remaining model names count.

use super::{Blobs, BytesSource, Holding};
use crate::state::key;
use std::collections::HashSet;

/// The bytes each model of `order` frees when all of them go (a blob shared
/// among them counts for the first), and where the numbers come from: exact
/// blob sizes when every installed model's manifest was read, else the `ollama
/// list` SIZE of each removed model whose weights no remaining model names.
pub(super) fn freed(order: &[&Holding], holdings: &[Holding]) -> (Vec<u64>, BytesSource) {
    let going: HashSet<String> = order.iter().map(|h| key(&h.name)).collect();
    let staying: Vec<&Holding> = holdings
        .iter()
        .filter(|h| !going.contains(&key(&h.name)))
        .collect();
    let exact = holdings
        .iter()
        .all(|h| matches!(h.blobs, Blobs::Manifest { .. }));
    if exact {
        (from_manifests(order, &staying), BytesSource::Manifests)
    } else {
        (from_list(order, &staying), BytesSource::List)
    }
}

fn from_manifests(order: &[&Holding], staying: &[&Holding]) -> Vec<u64> {
    let layers = |h: &Holding| match &h.blobs {
        Blobs::Manifest { layers, .. } => layers.clone(),
        _ => Vec::new(),
    };
    let named: HashSet<String> = staying
        .iter()
        .flat_map(|h| layers(h))
        .map(|l| l.digest)
        .collect();
    let mut counted: HashSet<String> = HashSet::new();
    order
        .iter()
        .map(|h| {
            layers(h)
                .into_iter()
                .filter(|l| !named.contains(&l.digest) && counted.insert(l.digest.clone()))
                .fold(0u64, |sum, l| sum.saturating_add(l.size))
        })
        .collect()
}

/// A model's SIZE counts when its weights go with it; when another model's
/// weights are unknown it cannot be told, and nothing is claimed.
fn from_list(order: &[&Holding], staying: &[&Holding]) -> Vec<u64> {
    let unknown = staying.iter().any(|h| h.blobs.weights().is_err());
    let named: HashSet<&String> = staying
        .iter()
        .filter_map(|h| h.blobs.weights().ok())
        .flatten()
        .collect();
    let mut counted: HashSet<String> = HashSet::new();
    let mut bytes = Vec::with_capacity(order.len());
    for holding in order {
        let weights = holding.blobs.weights().unwrap_or_default();
        let alone = !unknown
            && !weights.is_empty()
            && weights
                .iter()
                .all(|w| !named.contains(w) && !counted.contains(w));
        counted.extend(weights.iter().cloned());
        bytes.push(match alone {
            true => holding.listed_bytes.unwrap_or(0),
            false => 0,
        });
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prune::Layer;

    fn manifest(name: &str, blobs: &[(&str, u64)]) -> Holding {
        let layers: Vec<Layer> = blobs
            .iter()
            .map(|(d, s)| Layer {
                digest: d.to_string(),
                size: *s,
            })
            .collect();
        Holding {
            name: name.into(),
            id: name.into(),
            listed_bytes: Some(blobs.iter().map(|b| b.1).sum()),
            blobs: Blobs::Manifest {
                weights: vec![layers[0].digest.clone()],
                layers,
            },
        }
    }

    #[test]
    fn exact_bytes_leave_out_blobs_a_remaining_model_names() {
        let q8 = manifest("m:q8", &[("w8", 3_000), ("tmpl", 10), ("c8", 5)]);
        let q4 = manifest("m:q4", &[("w4", 2_000), ("tmpl", 10), ("c4", 5)]);
        let target = manifest("t:1", &[("w8", 3_000), ("sys", 7), ("ct", 4)]);
        let all = [q8.clone(), q4.clone(), target.clone()];
        let (bytes, source) = freed(&[&target, &q8], &all);
        assert_eq!(source, BytesSource::Manifests);
        // The target frees the weights it shares with q8 (both go); tmpl stays with q4.
        assert_eq!(bytes, [3_011, 5]);
    }

    #[test]
    fn list_sizes_count_only_weights_nothing_else_names() {
        let mut q8 = manifest("m:q8", &[("w8", 3_000)]);
        q8.blobs = Blobs::Shown {
            weights: vec!["w8".into()],
        };
        let mut alias = q8.clone();
        alias.name = "m:alias".into();
        let (bytes, source) = freed(&[&q8], &[q8.clone(), alias.clone()]);
        assert_eq!((bytes, source), (vec![0], BytesSource::List));
        let (bytes, _) = freed(&[&q8, &alias], &[q8.clone(), alias.clone()]);
        assert_eq!(bytes, [3_000, 0]);
        let mut unknown = alias.clone();
        unknown.blobs = Blobs::Unknown("show failed".into());
        let (bytes, _) = freed(&[&q8], &[q8.clone(), unknown]);
        assert_eq!(bytes, [0]);
    }
}
