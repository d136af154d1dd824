//! Which base tags in use the library has republished: the installed manifest's
//! digest (its first 12 hex digits are the `ollama list` ID) against the
//! registry's. Pure: the look-ups are done by the caller.

mod refresh;

pub use refresh::refresh;

use crate::catalog::Catalog;
use crate::name::ModelName;
use crate::ollama::ListEntry;
use crate::plan::Plan;
use crate::registry::{Answer, Digest, DigestSource, TagRef};
use serde::Serialize;

/// A planned model's base tag that is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InUse {
    pub tag: String,
    /// Its `ollama list` ID.
    pub id: String,
    /// Where the registry has it.
    pub at: TagRef,
    /// The planned models built from it.
    pub targets: Vec<String>,
}

/// How an installed tag compares with the registry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Current,
    /// The registry has another manifest under this tag.
    Outdated,
    /// The registry no longer publishes the tag.
    NotFound,
    /// No usable answer (offline, an error status, a bad answer).
    Unknown,
}

/// One tag of `provision outdated` (and of `auto --update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagStatus {
    pub tag: String,
    pub local_id: String,
    /// The registry's manifest digest (64 hex digits), when it answered.
    pub registry_digest: Option<String>,
    /// Where the registry's digest came from: the `ollama-content-digest`
    /// header, or the SHA-256 of the manifest body.
    pub digest_source: Option<DigestSource>,
    pub status: Status,
    /// Why the status is unknown.
    pub detail: Option<String>,
    /// The planned models built from the tag.
    pub targets: Vec<String>,
}

/// The installed base tags of the plan's models that fit, each once. Only
/// library tags (bases the catalog knows) are compared: a local import has no
/// registry copy, and a name that happens to match one is not its update.
pub fn in_use(plan: &Plan, entries: &[ListEntry]) -> Vec<InUse> {
    let catalog = Catalog::bundled();
    let key = |name: &str| ModelName::parse(name).ok().map(|n| n.key());
    let mut found: Vec<InUse> = Vec::new();
    for model in plan.models.iter().filter(|m| m.fit.fits) {
        let Some(tag) = &model.fit.tag else { continue };
        let Ok(name) = ModelName::parse(tag) else {
            continue;
        };
        let listed = entries.iter().find(|e| key(&e.name) == Some(name.key()));
        let at = TagRef::of(&name);
        let (Some(entry), Some(at), true) = (listed, at, catalog.resolve(&model.base).is_ok())
        else {
            continue;
        };
        match found.iter_mut().find(|f| key(&f.tag) == Some(name.key())) {
            Some(known) => known.targets.push(model.name.clone()),
            None => found.push(InUse {
                tag: tag.clone(),
                id: entry.id.clone(),
                at,
                targets: vec![model.name.clone()],
            }),
        }
    }
    found
}

/// Each tag's status from the registry's answer for it (answers in the same order).
pub fn compare(in_use: &[InUse], answers: &[Answer<Digest>]) -> Vec<TagStatus> {
    in_use
        .iter()
        .zip(answers)
        .map(|(tag, answer)| {
            let mut status = TagStatus {
                tag: tag.tag.clone(),
                local_id: tag.id.clone(),
                registry_digest: None,
                digest_source: None,
                status: Status::Unknown,
                detail: None,
                targets: tag.targets.clone(),
            };
            match answer {
                Answer::Found(digest) => {
                    status.status = match digest.hex.starts_with(&tag.id.to_ascii_lowercase()) {
                        true => Status::Current,
                        false => Status::Outdated,
                    };
                    status.registry_digest = Some(digest.hex.clone());
                    status.digest_source = Some(digest.source);
                }
                Answer::NotFound => status.status = Status::NotFound,
                Answer::Other(code) => {
                    status.detail = Some(format!("the registry answered {code}"))
                }
                Answer::Unreachable(why) | Answer::Invalid(why) => {
                    status.detail = Some(why.clone())
                }
            }
            status
        })
        .collect()
}

/// The tags whose status is outdated.
pub fn outdated(statuses: &[TagStatus]) -> Vec<&TagStatus> {
    statuses
        .iter()
        .filter(|s| s.status == Status::Outdated)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str, id: &str) -> InUse {
        InUse {
            tag: name.into(),
            id: id.into(),
            at: TagRef::of(&ModelName::parse(name).unwrap()).unwrap(),
            targets: vec![format!("provision/{name}")],
        }
    }

    fn found(hex: &str) -> Answer<Digest> {
        Answer::Found(Digest {
            hex: hex.into(),
            source: DigestSource::Header,
        })
    }

    #[test]
    fn a_tag_is_current_when_the_registry_digest_starts_with_its_id() {
        let same = format!("0123456789ab{}", "0".repeat(52));
        let other = format!("ffffffffffff{}", "0".repeat(52));
        let tags = [tag("m:a", "0123456789ab"), tag("m:b", "0123456789ab")];
        let statuses = compare(&tags, &[found(&same), found(&other)]);
        assert_eq!(statuses[0].status, Status::Current);
        assert_eq!(statuses[1].status, Status::Outdated);
        assert_eq!(statuses[1].registry_digest.as_deref(), Some(other.as_str()));
        assert_eq!(outdated(&statuses).len(), 1);
    }

    #[test]
    fn failures_are_unknown_with_the_reason_and_a_missing_tag_is_not_found() {
        let tags = [tag("m:a", "x"), tag("m:b", "x"), tag("m:c", "x")];
        let answers = [
            Answer::NotFound,
            Answer::Other(500),
            Answer::Unreachable("could not connect to r".into()),
        ];
        let statuses = compare(&tags, &answers);
        assert_eq!(statuses[0].status, Status::NotFound);
        assert_eq!(
            statuses[1].detail.as_deref(),
            Some("the registry answered 500")
        );
        assert_eq!(statuses[2].status, Status::Unknown);
    }

    #[test]
    fn in_use_lists_installed_library_tags_once_with_their_models() {
        let profile = crate::profile::parse(crate::profile::BUILTINS[0].1, "default").unwrap();
        let wanted = ["llama3.2:1b".to_string(), "llama3.2:3b".to_string()];
        let plan = crate::plan::for_tests(&profile, (16 << 30, 4), None, &wanted, &[]);
        let tag = plan.models[0].fit.tag.clone().unwrap();
        let listed = crate::ollama::list::parse_list(&format!(
            "NAME    ID    SIZE    MODIFIED\n{tag}    0123456789ab    1.3 GB    now\n"
        ))
        .unwrap();
        let found = in_use(&plan, &listed);
        assert_eq!(found.len(), 1, "only the installed tag: {found:?}");
        assert_eq!(found[0].id, "0123456789ab");
        assert_eq!(found[0].targets, [plan.models[0].name.clone()]);
    }
}
