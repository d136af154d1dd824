//! `provision profiles`: the built-in and user profiles, which one is selected, and
//! where each comes from.

use crate::cli::Global;
use crate::profile::{self, Listing, Source};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

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
pub fn run(global: &Global) -> anyhow::Result<ExitCode> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let user_dir = profile::user_dir(
        std::env::var_os("XDG_CONFIG_HOME").as_deref(),
        home.as_deref(),
    );
    let selected = profile::select(global.profile.as_deref(), user_dir.as_deref())?;
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
        schema_version: 1,
        user_dir,
        selected: selected.profile.name,
        profiles,
    };
    let text = if global.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        human(&report)
    };
    crate::exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
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
    let name_width = report
        .profiles
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let source_width = report
        .profiles
        .iter()
        .map(|r| label(r).len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "  {:name_width$}  {:source_width$}  MODELS  DESCRIPTION\n",
        "NAME", "SOURCE"
    );
    for row in &report.profiles {
        let mark = if row.selected { '*' } else { ' ' };
        out += &format!(
            "{mark} {:name_width$}  {:source_width$}  {:>6}  {}\n",
            row.name,
            label(row),
            row.models,
            row.description
        );
    }
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
