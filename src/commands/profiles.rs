//! `provision profiles`: the built-in and user profiles, which one is selected, and
//! where each comes from.

use crate::cli::ProfilesArgs;
use crate::context::Context;
use crate::exit::Outcome;
use crate::output::{self, Align, SCHEMA_VERSION};
use crate::profile::{self, Listing, Source};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize)]
struct Report {
    schema_version: u32,
    user_dir: Option<PathBuf>,
    selected: String,
    profiles: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    name: String,
    description: String,
    source: &'static str,
    path: Option<PathBuf>,
    overrides_builtin: bool,
    models: usize,
    selected: bool,
}

/// Lists the profiles, marking the one `--profile` selects.
pub fn run(ctx: &Context, _args: &ProfilesArgs) -> anyhow::Result<Outcome> {
    let user_dir = ctx.profiles_dir().map(PathBuf::from);
    let selected = ctx.profile()?.clone();
    let mut listings = profile::list(user_dir.as_deref())?;
    if let Source::File { .. } = selected.source {
        listings.push(Listing {
            name: selected.profile.name.clone(),
            description: selected.profile.description.clone(),
            source: selected.source.clone(),
            models: selected.profile.roster.models.len(),
        });
    }
    let profiles = listings
        .into_iter()
        .map(|l| row(l, &selected.source, &selected.profile.name))
        .collect();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        user_dir,
        selected: selected.profile.name,
        profiles,
    };
    if ctx.json() {
        output::json(&report)?;
    } else {
        output::print(&human(&report))?;
    }
    Ok(Outcome::Success)
}

fn row(listing: Listing, selected: &Source, selected_name: &str) -> Row {
    let is_selected = listing.name == selected_name && listing.source == *selected;
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
        rows.push(vec![
            format!("{mark} {}", row.name),
            label(row).to_string(),
            row.models.to_string(),
            row.description.clone(),
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
