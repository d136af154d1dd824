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
    pub description: String,
    pub source: Source,
    pub models: usize,
}

/// Every profile: built-ins, then user profiles, sorted by name; a user profile
/// replaces the built-in of the same name. A broken user profile is an error.
pub fn list(user_dir: Option<&Path>) -> Result<Vec<Listing>> {
    let mut rows = Vec::new();
    for (name, text) in BUILTINS {
        let profile = parse(text, &format!("profiles/{name}.yaml"))?;
        rows.push(listing(profile, Source::BuiltIn));
    }
    for path in user_files(user_dir)? {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let profile = load_user(&path, &name)?;
        let overrides_builtin = builtin(&name).is_some();
        rows.retain(|row: &Listing| row.name != name);
        rows.push(listing(
            profile,
            Source::User {
                path,
                overrides_builtin,
            },
        ));
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}

fn listing(profile: Profile, source: Source) -> Listing {
    Listing {
        models: profile.roster.models.len(),
        name: profile.name,
        description: profile.description,
        source,
    }
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
}
