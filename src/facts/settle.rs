//! What the registry's answers make of each name: facts, a warning and the catalog,
//! or a name nobody knows, with both reasons in one line.

use super::build;
use super::gather::{Gathered, Unknown};
use super::remote::{Asked, Failure, Fetched};
use crate::catalog::{Catalog, LookupError, Resolved};

/// Turns the registry's answers into facts, warnings, or a name nobody knows.
pub(super) fn settle(
    gathered: &mut Gathered,
    asked: &[(String, Asked)],
    results: Vec<std::result::Result<Fetched, Failure>>,
    base: &str,
) {
    let catalog = Catalog::bundled();
    let mut offline_reason = None;
    for ((name, request), result) in asked.iter().zip(results) {
        let listed = catalog.resolve(name);
        let why = match result {
            Ok(fetched) => {
                let catalog_entry = listed.as_ref().ok().copied();
                match add_fetched(gathered, base, name, request, catalog_entry, &fetched) {
                    Ok(()) => continue,
                    Err(why) => Why::Bad(why),
                }
            }
            // Every unreachable name is settled at once below, with one warning.
            Err(Failure::Unreachable(why)) => {
                offline_reason.get_or_insert(why);
                continue;
            }
            Err(Failure::NotFound(url)) => Why::NotFound(url),
            Err(Failure::Bad(why)) => Why::Bad(why),
        };
        no_facts(gathered, name, listed, why);
    }
    if let Some(why) = offline_reason {
        offline(
            gathered,
            asked,
            &format!("registry {base} is unreachable ({why})"),
        );
    }
}

/// The registry's facts for `name`, with a warning when they are the copy cached
/// earlier; why not when they cannot be planned.
fn add_fetched(
    gathered: &mut Gathered,
    base: &str,
    name: &str,
    request: &Asked,
    listed: Option<Resolved<'_>>,
    fetched: &Fetched,
) -> Result<(), String> {
    if fetched.stale {
        gathered.warnings.push(format!(
            "registry {base} unreachable: {name} planned from facts cached earlier"
        ));
    }
    let known = build::registry(name, &request.name, listed, fetched)?;
    gathered.known.push(known);
    Ok(())
}

/// A name the registry gave no facts for: a warning when the catalog stands in, else
/// unknown (a 404 also makes it an unknown name, not just an unreadable one).
fn no_facts(
    gathered: &mut Gathered,
    name: &str,
    listed: Result<Resolved<'_>, LookupError>,
    why: Why,
) {
    match (listed, why) {
        (Ok(_), Why::NotFound(url)) => gathered.warnings.push(format!(
            "the registry has no {name} ({url} answered 404); catalog facts used"
        )),
        (Ok(_), Why::Bad(why)) => gathered
            .warnings
            .push(format!("{why}; catalog facts used for {name}")),
        (Err(lookup), Why::NotFound(url)) => gathered.unknown.push(Unknown {
            name: name.to_string(),
            message: format!("{lookup}, and the registry has none ({url} answered 404)"),
            registry: format!("the registry has none ({url} answered 404)"),
            unknown_name: true,
        }),
        (Err(_), Why::Bad(why)) => gathered.unknown.push(Unknown {
            name: name.to_string(),
            message: why.clone(),
            registry: why,
            unknown_name: false,
        }),
    }
}

/// Why the registry gave no facts for a name.
enum Why {
    NotFound(String),
    Bad(String),
}

/// The registry gave no answer: one warning when the catalog stands in for some names,
/// and each name it does not know is unknown, with both reasons.
pub(super) fn offline(gathered: &mut Gathered, asked: &[(String, Asked)], why: &str) {
    let catalog = Catalog::bundled();
    let mut fallback = false;
    for (name, _) in asked {
        if gathered.known.iter().any(|k| k.is(name)) {
            continue;
        }
        match catalog.resolve(name) {
            Ok(_) => fallback = true,
            Err(lookup) => gathered.unknown.push(Unknown {
                name: name.clone(),
                message: format!("{lookup}, and {why}"),
                registry: why.to_string(),
                unknown_name: true,
            }),
        }
    }
    if fallback {
        gathered.warnings.push(format!(
            "{why}; model facts are the catalog's (as of {})",
            catalog.as_of
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::remote::Others;
    use crate::name::ModelName;

    fn asked(names: &[&str]) -> Vec<(String, Asked)> {
        names
            .iter()
            .map(|n| {
                let name = ModelName::parse(n).unwrap();
                (
                    n.to_string(),
                    Asked {
                        name,
                        others: Others::None,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn offline_the_catalog_stands_in_once_and_unknown_names_get_both_reasons() {
        let mut gathered = Gathered::default();
        let names = asked(&["gemma3:12b", "qwen3:8b", "gemma4:12b"]);
        let results = vec![
            Err(Failure::Unreachable("no route".into())),
            Err(Failure::Unreachable("no route".into())),
            Err(Failure::Unreachable("no route".into())),
        ];
        settle(&mut gathered, &names, results, "https://r");
        assert_eq!(gathered.warnings.len(), 1, "{:?}", gathered.warnings);
        assert!(gathered.warnings[0].starts_with("registry https://r is unreachable (no route)"));
        assert_eq!(gathered.unknown.len(), 1);
        assert!(gathered.unknown[0].unknown_name);
        assert!(
            gathered.unknown[0]
                .message
                .ends_with("and registry https://r is unreachable (no route)")
        );
    }

    #[test]
    fn a_404_and_a_bad_header_are_told_apart() {
        let mut gathered = Gathered::default();
        let names = asked(&["nosuch:1b", "evil:1b", "gemma3:12b"]);
        let results = vec![
            Err(Failure::NotFound(
                "https://r/v2/library/nosuch/manifests/1b".into(),
            )),
            Err(Failure::Bad(
                "could not read the GGUF header of https://r/x: bad magic".into(),
            )),
            Err(Failure::Bad(
                "could not read the GGUF header of https://r/y: bad magic".into(),
            )),
        ];
        settle(&mut gathered, &names, results, "https://r");
        assert!(gathered.unknown[0].unknown_name);
        assert!(gathered.unknown[0].message.contains("answered 404"));
        assert!(!gathered.unknown[1].unknown_name);
        assert_eq!(
            gathered.warnings.len(),
            1,
            "the catalog stands in for gemma3:12b"
        );
    }
}
