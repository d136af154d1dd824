//! The profiles `provision profiles` lists: built-ins, then user profiles, a user
//! profile replacing the built-in of the same name.

use super::load::{builtin, load_user, parse};
use super::{BUILTINS, Profile, Source};
use anyhow::{Context, Result};
use serde::Serialize;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// One row of `provision profiles`.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub name: String,
    /// `None` for a broken profile.
    pub description: Option<String>,
    pub source: Source,
    /// `None` for a broken profile.
    pub models: Option<usize>,
    /// Why the profile cannot be used (one line, with file:line:col), else `None`.
    pub error: Option<String>,
}

impl Listing {
    /// The row of a profile that loaded.
    pub fn of(profile: &Profile, source: Source) -> Listing {
        Listing {
            name: profile.name.clone(),
            description: Some(profile.description.clone()),
            source,
            models: Some(profile.roster.models.len()),
            error: None,
        }
    }

    /// The row of a profile that could not be loaded, named by its file.
    pub fn broken(name: String, source: Source, error: &anyhow::Error) -> Listing {
        Listing {
            name,
            description: None,
            source,
            models: None,
            error: Some(crate::text::one_line(&format!("{error:#}"))),
        }
    }
}

/// Every profile: built-ins, then user profiles, sorted by name; a user profile
/// replaces the built-in of the same name (even when broken, since `--profile
/// NAME` would load it). A broken user profile is listed with its error, so one
/// bad file does not hide the others.
pub fn list(user_dir: Option<&Path>) -> Result<Vec<Listing>> {
    let mut rows = Vec::new();
    for (name, text) in BUILTINS {
        let profile = parse(text, &format!("profiles/{name}.yaml"))?;
        rows.push(Listing::of(&profile, Source::BuiltIn));
    }
    for path in user_files(user_dir)? {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let source = Source::User {
            path: path.clone(),
            overrides_builtin: builtin(&name).is_some(),
        };
        rows.retain(|row: &Listing| row.name != name);
        rows.push(match load_user(&path, &name) {
            Ok(profile) => Listing::of(&profile, source),
            Err(error) => Listing::broken(name, source, &error),
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

fn user_files(dir: Option<&Path>) -> Result<Vec<PathBuf>> {
    let Some(dir) = dir.filter(|d| d.is_dir()) else {
        return Ok(Vec::new());
    };
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("could not list profiles in {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("could not list profiles in {}", dir.display()))?
            .path();
        let ext = path.extension().and_then(OsStr::to_str);
        if path.is_file() && matches!(ext, Some("yaml" | "yml")) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::UsageError;
    use crate::profile::load::tests::MINIMAL;
    use crate::profile::select;

    #[test]
    fn user_profiles_win_and_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.yaml"), MINIMAL).unwrap();
        std::fs::write(
            dir.path().join("coder.yaml"),
            MINIMAL.replace("name: mine", "name: coder"),
        )
        .unwrap();
        let loaded = select(Some("coder"), Some(dir.path())).unwrap();
        assert_eq!(loaded.source.label(), "user, overrides built-in");
        assert_eq!(
            select(Some("edge"), Some(dir.path())).unwrap().source,
            Source::BuiltIn
        );
        let rows = list(Some(dir.path())).unwrap();
        let names: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.name.as_str(), r.source.label()))
            .collect();
        assert_eq!(
            names,
            [
                ("coder", "user, overrides built-in"),
                ("default", "built-in"),
                ("edge", "built-in"),
                ("mine", "user"),
                ("syndicate", "built-in")
            ]
        );
        let error = select(Some("nope"), Some(dir.path())).unwrap_err();
        assert!(error.downcast_ref::<UsageError>().is_some());
        assert_eq!(
            error.to_string(),
            "unknown profile 'nope' (available: coder, default, edge, mine, syndicate)"
        );
        let path = dir.path().join("mine.yaml");
        let by_path = select(Some(path.to_str().unwrap()), None).unwrap();
        assert_eq!(by_path.source, Source::File { path });
    }

    #[test]
    fn a_broken_user_profile_is_listed_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.yaml"), MINIMAL).unwrap();
        std::fs::write(dir.path().join("edge.yaml"), "name: edge\nfitting: {}\n").unwrap();
        let rows = list(Some(dir.path())).unwrap();
        let edge = rows.iter().find(|r| r.name == "edge").unwrap();
        assert_eq!(edge.source.label(), "user, overrides built-in");
        let error = edge.error.as_deref().unwrap();
        assert!(
            error.contains("edge.yaml:2:1: unknown field `fitting`"),
            "{error}"
        );
        assert_eq!((edge.models, edge.description.as_deref()), (None, None));
        assert!(
            rows.iter()
                .find(|r| r.name == "mine")
                .unwrap()
                .error
                .is_none()
        );
        let error = select(Some("nope"), Some(dir.path())).unwrap_err();
        assert!(error.to_string().contains("edge, mine"), "{error}");
    }
}
