//! What a prune removes: a pure function of what `provision` recorded, what
//! Ollama holds, and what the plan uses.
//!
//! A base goes when `provision` pulled it, no planned model is built from it,
//! and no model that stays names its weights (Ollama keeps a blob while any
//! manifest names it, `manifest/manifest.go` `RemoveLayers`, v0.33.0-rc2, so
//! removing such a tag would free nothing and take away a name someone uses).

use super::bytes::freed;
use super::{Holding, Item, Kept, Kind, Options, PrunePlan, Usage};
use crate::state::{State, key};
use std::collections::HashSet;

/// Whether any installed model is a candidate at all (the blobs of every model
/// are read only then).
pub fn needs_blobs(state: &State, holdings: &[Holding], usage: &Usage) -> bool {
    let uses = Uses::of(usage);
    holdings
        .iter()
        .any(|h| base_candidate(state, &uses, &h.name) || target_candidate(state, &uses, &h.name))
}

/// Decides the prune (see the module comment).
pub fn decide(state: &State, holdings: &[Holding], usage: &Usage, options: Options) -> PrunePlan {
    let uses = Uses::of(usage);
    let pick = |candidate: fn(&State, &Uses, &str) -> bool| -> Vec<&Holding> {
        holdings
            .iter()
            .filter(|h| candidate(state, &uses, &h.name))
            .collect()
    };
    let (unnamed, bases) = (pick(target_candidate), pick(base_candidate));
    let targets = match options.prune_targets {
        true => unnamed.clone(),
        false => Vec::new(),
    };
    let going: HashSet<String> = bases.iter().chain(&targets).map(|h| key(&h.name)).collect();
    let mut kept = in_use(state, holdings, &uses);
    let mut order = targets;
    for base in bases {
        match blocker(base, holdings, &going, &uses) {
            Some(reason) => kept.push(Kept {
                name: base.name.clone(),
                reason,
            }),
            None => order.push(base),
        }
    }
    let (bytes, bytes_source) = freed(&order, holdings);
    let item = |h: &&Holding, bytes: &u64| item(state, h, *bytes);
    let unnamed_targets = match options.prune_targets {
        true => Vec::new(),
        false => unnamed.iter().map(|h| item(h, &0)).collect(),
    };
    PrunePlan {
        freed_bytes: bytes.iter().sum(),
        remove: order.iter().zip(&bytes).map(|(h, b)| item(h, b)).collect(),
        unnamed_targets,
        kept,
        bytes_source,
    }
}

/// The plan's names as keys.
struct Uses {
    tags: HashSet<String>,
    targets: HashSet<String>,
    rebuilt: HashSet<String>,
}

impl Uses {
    fn of(usage: &Usage) -> Uses {
        let keys = |names: &[String]| names.iter().map(|n| key(n)).collect();
        Uses {
            tags: keys(&usage.tags),
            targets: keys(&usage.targets),
            rebuilt: keys(&usage.rebuilt),
        }
    }

    fn named(&self, name: &str) -> bool {
        let k = key(name);
        self.tags.contains(&k) || self.targets.contains(&k)
    }
}

fn base_candidate(state: &State, uses: &Uses, name: &str) -> bool {
    state.pulled(name) && !uses.named(name)
}

/// A model `provision` created (recorded, or in its `provision/` namespace)
/// that the plan does not name.
fn target_candidate(state: &State, uses: &Uses, name: &str) -> bool {
    let ours = state.created(name) || crate::name::in_provision_namespace(name);
    ours && !state.pulled(name) && !uses.named(name)
}

/// The pulled bases the plan uses, as kept.
fn in_use(state: &State, holdings: &[Holding], uses: &Uses) -> Vec<Kept> {
    holdings
        .iter()
        .filter(|h| state.pulled(&h.name) && uses.tags.contains(&key(&h.name)))
        .map(|h| Kept {
            name: h.name.clone(),
            reason: "a planned model is built from it".to_string(),
        })
        .collect()
}

/// Why `base` must stay, if it must: a model that stays names its weights, or
/// its blobs (or another model's) could not be read.
fn blocker(
    base: &Holding,
    holdings: &[Holding],
    going: &HashSet<String>,
    uses: &Uses,
) -> Option<String> {
    let weights = match base.blobs.weights() {
        Ok(weights) => weights,
        Err(why) => return Some(format!("could not tell which blobs it uses: {why}")),
    };
    let staying = holdings.iter().filter(|h| {
        let k = key(&h.name);
        !going.contains(&k) && !uses.rebuilt.contains(&k)
    });
    for other in staying {
        if other.id == base.id {
            return Some(format!("{} is the same model", other.name));
        }
        match other.blobs.weights() {
            Ok(theirs) if theirs.iter().any(|w| weights.contains(w)) => {
                return Some(format!("{} uses its weights", other.name));
            }
            Ok(_) => {}
            Err(why) => {
                return Some(format!(
                    "could not tell whether {} uses its weights: {why}",
                    other.name
                ));
            }
        }
    }
    None
}

/// The report of one model to remove: a base when `provision` pulled it.
fn item(state: &State, holding: &Holding, bytes: u64) -> Item {
    let pull = state
        .pulls
        .iter()
        .find(|p| key(&p.tag) == key(&holding.name));
    let (kind, reason) = match pull {
        Some(pull) => {
            let what = match pull.targets.as_slice() {
                [] => String::new(),
                targets => format!(" for {}", targets.join(", ")),
            };
            let why = format!("pulled by provision{what}; no planned model is built from it");
            (Kind::Base, why)
        }
        None => {
            let why = "created by provision; the profile no longer names it";
            (Kind::Target, why.to_string())
        }
    };
    Item {
        name: holding.name.clone(),
        kind,
        bytes,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prune::{Blobs, BytesSource};

    fn shown(name: &str, weights: &str) -> Holding {
        Holding {
            name: name.into(),
            id: format!("id-{name}"),
            listed_bytes: Some(1_000),
            blobs: Blobs::Shown {
                weights: vec![weights.into()],
            },
        }
    }

    /// After a downgrade: provision pulled q8 then q4, the target is on q4 now,
    /// the user pulled a model of their own and built one on q8.
    fn machine() -> (State, Vec<Holding>, Usage) {
        let mut state = State::default();
        state.record_pull("m:q8", 1);
        state.record_pull("m:q4", 2);
        state.record_target("provision/m:1", "m:q4", 2);
        let holdings = vec![
            shown("m:q8", "w8"),
            shown("m:q4", "w4"),
            shown("provision/m:1", "w4"),
            shown("users:own", "wu"),
        ];
        let usage = Usage {
            tags: vec!["m:q4".into()],
            targets: vec!["provision/m:1".into()],
            rebuilt: vec![],
        };
        (state, holdings, usage)
    }

    #[test]
    fn the_old_level_goes_and_the_users_tag_stays() {
        let (state, holdings, usage) = machine();
        let plan = decide(&state, &holdings, &usage, Options::default());
        let names: Vec<&str> = plan.remove.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["m:q8"]);
        assert_eq!(plan.remove[0].kind, Kind::Base);
        assert_eq!(
            (plan.freed_bytes, plan.bytes_source),
            (1_000, BytesSource::List)
        );
        assert_eq!(plan.kept[0].name, "m:q4");
        assert!(needs_blobs(&state, &holdings, &usage));
    }

    #[test]
    fn a_model_built_on_the_base_keeps_it() {
        let (state, mut holdings, usage) = machine();
        holdings.push(shown("mine:latest", "w8"));
        let plan = decide(&state, &holdings, &usage, Options::default());
        assert!(plan.remove.is_empty());
        assert_eq!(plan.kept[1].reason, "mine:latest uses its weights");
        holdings.last_mut().unwrap().blobs = Blobs::Unknown("show failed".into());
        let plan = decide(&state, &holdings, &usage, Options::default());
        assert!(
            plan.kept[1]
                .reason
                .starts_with("could not tell whether mine:latest")
        );
    }

    #[test]
    fn a_target_about_to_be_rebuilt_does_not_hold_its_old_base() {
        let (state, mut holdings, mut usage) = machine();
        holdings[2] = shown("provision/m:1", "w8");
        assert!(
            decide(&state, &holdings, &usage, Options::default())
                .remove
                .is_empty()
        );
        usage.rebuilt = vec!["provision/m:1".into()];
        let plan = decide(&state, &holdings, &usage, Options::default());
        assert_eq!(plan.remove[0].name, "m:q8");
    }

    #[test]
    fn unnamed_targets_are_listed_and_removed_only_when_asked() {
        let (state, holdings, mut usage) = machine();
        usage.targets.clear();
        let plan = decide(&state, &holdings, &usage, Options::default());
        assert_eq!(plan.unnamed_targets[0].name, "provision/m:1");
        assert_eq!(plan.remove.len(), 1);
        usage.tags.clear();
        let all = decide(
            &state,
            &holdings,
            &usage,
            Options {
                prune_targets: true,
            },
        );
        let names: Vec<&str> = all.remove.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["provision/m:1", "m:q8", "m:q4"]);
        assert!(all.unnamed_targets.is_empty());
        assert_eq!(all.remove[0].kind, Kind::Target);
    }

    #[test]
    fn nothing_pulled_by_provision_means_nothing_to_read() {
        let (_, holdings, usage) = machine();
        let state = State::default();
        let mut named = usage.clone();
        named.targets.push("provision/m:1".into());
        assert!(!needs_blobs(&state, &holdings, &named));
        assert!(
            decide(&state, &holdings, &named, Options::default())
                .remove
                .is_empty()
        );
    }
}
