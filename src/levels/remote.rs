//! The registry's answers for the published tags, as row statuses and one warning.

use super::{Published, RegistryStatus};
use crate::registry::{Lookup, Lookups};
use std::collections::HashMap;

/// The status of every published tag (keyed by full tag), and the warning to print
/// once when some or all got no answer.
pub fn statuses(
    published: &[Published],
    lookups: &Lookups,
    registry: &str,
) -> (HashMap<String, RegistryStatus>, Option<String>) {
    let mut statuses = HashMap::new();
    let mut silent = Vec::new();
    for (published, answer) in published.iter().zip(&lookups.tags) {
        let status = match &answer.lookup {
            Lookup::Found(tag) => RegistryStatus::Found {
                model_bytes: tag.model_bytes,
            },
            Lookup::NotFound => RegistryStatus::NotFound,
            Lookup::Unreachable(why) | Lookup::Invalid(why) => {
                silent.push(format!("{}: {why}", answer.tag));
                RegistryStatus::NoAnswer
            }
            Lookup::Other(status) => {
                silent.push(format!("{}: HTTP {status}", answer.tag));
                RegistryStatus::NoAnswer
            }
        };
        statuses.insert(published.tag.clone(), status);
    }
    let warning = match (&lookups.offline, silent.first()) {
        (Some(reason), _) => Some(format!(
            "remote: registry {registry} unreachable ({reason}); sizes are the catalog's"
        )),
        (None, Some(first)) => Some(format!(
            "remote: no answer for {} of {} tags ({first}); catalog sizes kept for those",
            silent.len(),
            lookups.tags.len()
        )),
        (None, None) => None,
    };
    (statuses, warning)
}

/// The short tags (`8b-q8_0`) to look up for the published full tags.
pub fn short_tags(published: &[Published]) -> Vec<&str> {
    published
        .iter()
        .map(|p| p.tag.split_once(':').map_or(p.tag.as_str(), |(_, tag)| tag))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::Quant;
    use crate::registry::{RemoteTag, TagLookup};

    fn published() -> Vec<Published> {
        [Quant::F16, Quant::Q8_0, Quant::Q4KM]
            .map(|q| crate::levels::tests::published(q, 1))
            .to_vec()
    }

    fn lookups(answers: [Lookup; 3], offline: Option<&str>) -> Lookups {
        let tags = short_tags(&published())
            .into_iter()
            .zip(answers)
            .map(|(tag, lookup)| TagLookup {
                tag: tag.to_string(),
                lookup,
            })
            .collect();
        Lookups {
            tags,
            offline: offline.map(String::from),
        }
    }

    #[test]
    fn answers_become_statuses_and_silence_one_warning() {
        let found = Lookup::Found(RemoteTag {
            model_bytes: 7,
            total_bytes: 9,
            digest: "sha256:00".to_string(),
            config: Default::default(),
            layers: Vec::new(),
        });
        let timeout = Lookup::Unreachable("timed out".to_string());
        let answers = lookups([found, Lookup::NotFound, timeout], None);
        let (statuses, warning) = statuses(&published(), &answers, "http://r");
        assert_eq!(
            statuses["m:1b-fp16"],
            RegistryStatus::Found { model_bytes: 7 }
        );
        assert_eq!(statuses["m:1b-q8_0"], RegistryStatus::NotFound);
        assert_eq!(statuses["m:1b-q4_K_M"], RegistryStatus::NoAnswer);
        assert_eq!(
            warning.as_deref(),
            Some(
                "remote: no answer for 1 of 3 tags (1b-q4_K_M: timed out); catalog sizes kept for those"
            )
        );
    }

    #[test]
    fn an_offline_registry_is_one_warning_and_all_answers_none() {
        let down = || Lookup::Unreachable("refused".to_string());
        let answers = lookups([down(), down(), Lookup::Other(500)], Some("refused"));
        let (statuses, warning) = statuses(&published(), &answers, "http://r");
        assert!(statuses.values().all(|s| *s == RegistryStatus::NoAnswer));
        assert_eq!(
            warning.as_deref(),
            Some("remote: registry http://r unreachable (refused); sizes are the catalog's")
        );
        let all_found = lookups([Lookup::NotFound, Lookup::NotFound, Lookup::NotFound], None);
        assert_eq!(statuses_warning(&all_found), None);
    }

    fn statuses_warning(lookups: &Lookups) -> Option<String> {
        statuses(&published(), lookups, "http://r").1
    }
}
