//! Finding and reading profiles: built-ins embedded from `profiles/*.yaml`, user
//! profiles in `$XDG_CONFIG_HOME/provision/profiles/` (or `~/.config/…`), and files
//! named with `--profile PATH`. A user profile named like a built-in wins.

use super::Profile;
use super::list::list;
use crate::exit::UsageError;
use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The built-in profiles, by name.
pub const BUILTINS: [(&str, &str); 4] = [
    ("default", include_str!("../../profiles/default.yaml")),
    ("coder", include_str!("../../profiles/coder.yaml")),
    ("syndicate", include_str!("../../profiles/syndicate.yaml")),
    ("edge", include_str!("../../profiles/edge.yaml")),
];

/// Where a profile came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    BuiltIn,
    /// In the user profile directory; `overrides_builtin` when a built-in has its name.
    User {
        path: PathBuf,
        overrides_builtin: bool,
    },
    /// Named by path with `--profile`.
    File {
        path: PathBuf,
    },
}

impl Source {
    /// `built-in`, `user, overrides built-in`, `file`.
    pub fn label(&self) -> &'static str {
        match self {
            Source::BuiltIn => "built-in",
            Source::User {
                overrides_builtin: true,
                ..
            } => "user, overrides built-in",
            Source::User { .. } => "user",
            Source::File { .. } => "file",
        }
    }

    /// The file, unless built in.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::BuiltIn => None,
            Source::User { path, .. } | Source::File { path } => Some(path),
        }
    }
}

/// A profile and where it was found.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub profile: Profile,
    pub source: Source,
}

/// Reads profile YAML. `origin` names the file in errors, which all read
/// `<origin>:<line>:<col>: <message>` when the YAML parser knows the place. A
/// UTF-8 byte order mark at the top (Windows editors write one) is not content.
pub fn parse(text: &str, origin: &str) -> Result<Profile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let profile: Profile = serde_yaml::from_str(text).map_err(|e| yaml_error(origin, &e))?;
    profile.check().map_err(|e| anyhow!("{origin}: {e:#}"))?;
    Ok(profile)
}

fn yaml_error(origin: &str, error: &serde_yaml::Error) -> anyhow::Error {
    let text = error.to_string();
    match error.location() {
        Some(at) => {
            let suffix = format!(" at line {} column {}", at.line(), at.column());
            let message = text.replace(&suffix, "");
            anyhow!("{origin}:{}:{}: {message}", at.line(), at.column())
        }
        None => anyhow!("{origin}: {text}"),
    }
}

/// Reads a profile file.
pub fn load_file(path: &Path) -> Result<Profile> {
    let text = crate::input::read_text(path, crate::input::TEXT_LIMIT)
        .with_context(|| format!("could not read profile {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// The user profile directory: `$XDG_CONFIG_HOME/provision/profiles`, or
/// `$HOME/.config/provision/profiles` when XDG_CONFIG_HOME is unset or relative.
pub fn user_dir(xdg_config_home: Option<&OsStr>, home: Option<&Path>) -> Option<PathBuf> {
    let config = xdg_config_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".config")))?;
    Some(config.join("provision").join("profiles"))
}

pub(super) fn builtin(name: &str) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

fn user_file(dir: Option<&Path>, name: &str) -> Option<PathBuf> {
    let dir = dir?;
    ["yaml", "yml"]
        .into_iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|path| path.is_file())
}

/// Loads the profile `selector` names (`default` when none): a path when it has a
/// `/` or a `.yaml`/`.yml` suffix, otherwise a user profile, then a built-in.
pub fn select(selector: Option<&str>, user_dir: Option<&Path>) -> Result<Loaded> {
    let selector = selector.unwrap_or("default");
    if selector.contains(['/', '\\']) || selector.ends_with(".yaml") || selector.ends_with(".yml") {
        let path = PathBuf::from(selector);
        return Ok(Loaded {
            profile: load_file(&path)?,
            source: Source::File { path },
        });
    }
    if let Some(path) = user_file(user_dir, selector) {
        let profile = load_user(&path, selector)?;
        let overrides_builtin = builtin(selector).is_some();
        return Ok(Loaded {
            profile,
            source: Source::User {
                path,
                overrides_builtin,
            },
        });
    }
    if let Some(text) = builtin(selector) {
        let profile = parse(text, &format!("profiles/{selector}.yaml"))?;
        return Ok(Loaded {
            profile,
            source: Source::BuiltIn,
        });
    }
    let names: Vec<String> = list(user_dir)?.into_iter().map(|l| l.name).collect();
    Err(UsageError(format!(
        "unknown profile '{selector}' (available: {})",
        names.join(", ")
    ))
    .into())
}

/// A user profile must carry the name of its file, so that `--profile NAME` and
/// the listing agree.
pub(super) fn load_user(path: &Path, name: &str) -> Result<Profile> {
    let profile = load_file(path)?;
    if profile.name != name {
        anyhow::bail!(
            "{}: name is '{}' but the file is named '{name}'",
            path.display(),
            profile.name
        );
    }
    Ok(profile)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::profile) const MINIMAL: &str = "name: mine\ndescription: mine\nroster:\n  models:\n    - {name: a, base: 'llama3.2:3b', role: r}\n";

    #[test]
    fn every_builtin_loads() {
        for (name, text) in BUILTINS {
            let profile = parse(text, name).unwrap();
            assert_eq!(profile.name, name);
        }
        let default = parse(BUILTINS[0].1, "default").unwrap();
        assert_eq!(default.thresholds, crate::tier::Thresholds::default());
    }

    #[test]
    fn yaml_errors_name_file_line_and_column() {
        let cases = [
            (
                "name: x\ndescription: y\nroster: {models: []}\nfitting: {}\n",
                "p.yaml:4:1: unknown field `fitting`",
            ),
            (
                "name: x\ndescription: y\nroster:\n  models:\n    - {name: a, base: b, role: r, colour: red}\n",
                "p.yaml:5:",
            ),
            (
                "name: x\ndescription: y\nparameters:\n  num_ctx: 1024\n  Temperature: 1\nroster: {models: []}\n",
                "p.yaml:5:3: parameters: unknown parameter 'Temperature'",
            ),
            (
                "name: x\ndescription: y\nreserve: {absolute: lots}\nroster: {models: []}\n",
                "p.yaml:3:",
            ),
            (
                "name: x\ndescription: y\ntiers: {\"3\": {}}\nroster: {models: []}\n",
                "p.yaml:3:",
            ),
            (
                "name: x\ndescription: y\nroster: {models: []}\n",
                "p.yaml: roster has no models",
            ),
        ];
        for (yaml, expected) in cases {
            let error = parse(yaml, "p.yaml").unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn semantic_errors_name_the_model() {
        let yaml = MINIMAL.replace("role: r}", "role: r, quant: Q4_K_M, min_quant: Q2_K}");
        let error = parse(&yaml, "p.yaml").unwrap_err().to_string();
        assert_eq!(
            error,
            "p.yaml: roster model 'a': quant pins the quantization; drop min_quant/max_quant"
        );
        let yaml = MINIMAL.replace("llama3.2:3b", "bad name");
        let error = parse(&yaml, "p.yaml").unwrap_err().to_string();
        assert!(error.contains("invalid model name 'bad name'"), "{error}");
    }

    #[test]
    fn a_byte_order_mark_is_not_content() {
        let profile = parse(&format!("\u{feff}{MINIMAL}"), "p.yaml").unwrap();
        assert_eq!(profile.name, "mine");
    }

    #[test]
    fn user_dir_follows_xdg() {
        let home = Path::new("/home/u");
        assert_eq!(
            user_dir(Some(OsStr::new("/x")), Some(home)),
            Some(PathBuf::from("/x/provision/profiles"))
        );
        assert_eq!(
            user_dir(Some(OsStr::new("rel")), Some(home)),
            Some(PathBuf::from("/home/u/.config/provision/profiles"))
        );
        assert_eq!(user_dir(None, None), None);
    }
}
