//! `provision profiles`: the built-in and user profiles, which one is selected, and
//! where each comes from.

use crate::cli::ProfilesArgs;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::output::{self, Align, SCHEMA_VERSION};
use crate::profile::{self, Listing, Source};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize)]
struct Report {
    schema_version: u32,
    user_dir: Option<PathBuf>,
    /// The selected profile's name; its file's name when it is broken.
    selected: String,
    profiles: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    name: String,
    description: Option<String>,
    source: &'static str,
    path: Option<PathBuf>,
    overrides_builtin: bool,
    models: Option<usize>,
    selected: bool,
    /// Why the profile cannot be used, else null.
    error: Option<String>,
}

/// Lists the profiles, marking the one `--profile` selects. A broken profile is
/// a row with its error and a warning, not a failure: the listing is what was
/// asked for (exit 0). An unknown `--profile NAME` is still a usage error.
pub fn run(ctx: &Context, _args: &ProfilesArgs) -> anyhow::Result<Outcome> {
    let user_dir = ctx.profiles_dir().map(PathBuf::from);
    let mut listings = profile::list(user_dir.as_deref())?;
    let selected = match ctx.profile() {
        Ok(loaded) => Listing::of(&loaded.profile, loaded.source.clone()),
        Err(error) if error.is::<UsageError>() => return Err(error),
        Err(error) => broken_selection(ctx, &listings, &error),
    };
    if let Source::File { .. } = selected.source {
        listings.push(selected.clone());
    }
    for broken in listings.iter().filter(|l| l.error.is_some()) {
        let error = broken.error.as_deref().unwrap_or_default();
        output::warn(&format!("profile {} cannot be used: {error}", broken.name));
    }
    let profiles = listings.into_iter().map(|l| row(l, &selected)).collect();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        user_dir,
        selected: selected.name,
        profiles,
    };
    if ctx.json() {
        output::json(&report)?;
    } else {
        output::print(&human(&report))?;
    }
    Ok(Outcome::Success)
}

/// The row of a selected profile that did not load: the user profile's row when
/// it is one, else the file `--profile PATH` names.
fn broken_selection(ctx: &Context, listings: &[Listing], error: &anyhow::Error) -> Listing {
    let selector = ctx.flags.profile.as_deref().unwrap_or("default");
    if let Some(user) = listings
        .iter()
        .find(|l| l.name == selector && l.error.is_some())
    {
        return user.clone();
    }
    let path = PathBuf::from(selector);
    let name = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    Listing::broken(name, Source::File { path }, error)
}

fn row(listing: Listing, selected: &Listing) -> Row {
    let is_selected = listing.name == selected.name && listing.source == selected.source;
    Row {
        source: match listing.source {
            Source::BuiltIn => "built_in",
            Source::User { .. } => "user",
            Source::File { .. } => "file",
        },
        path: listing.source.path().map(PathBuf::from),
        overrides_builtin: matches!(
            listing.source,
            Source::User {
                overrides_builtin: true,
                ..
            }
        ),
        selected: is_selected,
        name: listing.name,
        description: listing.description,
        models: listing.models,
        error: listing.error,
    }
}

fn human(report: &Report) -> String {
    let label = |row: &Row| match (row.source, row.overrides_builtin) {
        ("user", true) => "user, overrides built-in",
        ("built_in", _) => "built-in",
        (other, _) => other,
    };
    let mut rows = vec![
        ["  NAME", "SOURCE", "MODELS", "DESCRIPTION"]
            .map(String::from)
            .to_vec(),
    ];
    for row in &report.profiles {
        let mark = if row.selected { '*' } else { ' ' };
        let (models, description) = match (&row.error, row.models, &row.description) {
            (Some(error), _, _) => ("-".to_string(), format!("BROKEN: {error}")),
            (None, models, description) => (
                models.map_or("-".to_string(), |m| m.to_string()),
                description.clone().unwrap_or_default(),
            ),
        };
        rows.push(vec![
            format!("{mark} {}", row.name),
            label(row).to_string(),
            models,
            description,
        ]);
    }
    let aligns = [Align::Left, Align::Left, Align::Right];
    let mut out = output::aligned(&rows, &aligns);
    for row in report.profiles.iter().filter(|r| r.path.is_some()) {
        let path = row
            .path
            .as_deref()
            .unwrap_or_else(|| std::path::Path::new(""));
        out += &format!("{}: {}\n", row.name, path.display());
    }
    match &report.user_dir {
        Some(dir) => out += &format!("user profiles are read from {}\n", dir.display()),
        None => out += "user profiles: no directory (HOME is not set)\n",
    }
    out
}
