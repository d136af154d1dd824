//! `provision list-quants MODEL`: gathers what is installed, published and (with
//! `--remote`) live, merges it with `levels::merge`, and prints the rows.

use crate::catalog::{Catalog, LookupError, Resolved};
use crate::cli::Global;
use crate::fit::{Budget, FitPolicy, ModelRequest};
use crate::levels::installed::{Gathered, gather};
use crate::levels::report::{Listing, Remote, SCHEMA_VERSION};
use crate::levels::{
    Published, RegistryStatus, Row, Scope, SizeSource, create_source, fit_quant, merge,
    only_installed, remote,
};
use crate::modelfile::Renderer;
use crate::name::ModelName;
use crate::ollama::Ollama;
use crate::plan::{Inputs, Plan};
use crate::registry::Registry;
use crate::tier::Tier;
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

/// What the command line asked for.
pub struct Options {
    pub model: String,
    pub remote: bool,
    pub installed_only: bool,
    pub remote_timeout: Duration,
}

pub fn run(global: &Global, options: &Options) -> Result<ExitCode> {
    let name = options.model.trim();
    let listing = match local_name(name) {
        Some(local) => local_listing(global, options, &local)?,
        None => library_listing(global, options, resolve(name)?)?,
    };
    let text = if global.json {
        serde_json::to_string_pretty(&listing)? + "\n"
    } else {
        listing.human()
    };
    crate::exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// A name outside the Ollama library (another namespace or host), if it is one.
fn local_name(name: &str) -> Option<ModelName> {
    use crate::name::{DEFAULT_HOST, DEFAULT_NAMESPACE};
    let parsed = ModelName::parse(name).ok()?;
    let library = parsed.host.eq_ignore_ascii_case(DEFAULT_HOST)
        && parsed.namespace.eq_ignore_ascii_case(DEFAULT_NAMESPACE);
    (!library).then_some(parsed)
}

/// The catalog entry, or one line naming the closest models (or all of them when
/// none is close).
fn resolve(name: &str) -> Result<Resolved<'static>> {
    let catalog = Catalog::bundled();
    catalog.resolve(name).map_err(|error| match error {
        LookupError::UnknownModel { name, suggestions } if suggestions.is_empty() => {
            let known: Vec<&str> = catalog.families.iter().map(|f| f.name.as_str()).collect();
            anyhow::anyhow!(
                "unknown model '{name}' in the catalog (known models: {})",
                known.join(", ")
            )
        }
        LookupError::UnknownModel { name, suggestions } => anyhow::anyhow!(
            "unknown model '{name}' in the catalog (did you mean {}?)",
            suggestions.join(", ")
        ),
        other => other.into(),
    })
}

/// The fit context of a library model: the plan `auto` would make for it alone,
/// and the request FITS judges every level with.
struct Fitting<'c> {
    plan: Plan,
    request: ModelRequest<'c>,
    policy: FitPolicy,
}

/// Plans `name` as `provision plan` would, so the mark matches it; a full tag is
/// planned as its size, since it would pin the level.
fn fitting<'c>(global: &Global, name: &str, resolved: Resolved<'c>) -> Result<Fitting<'c>> {
    let device = super::device(global);
    let loaded = super::load_profile(global)?;
    let profile = &loaded.profile;
    let renderer = Renderer::new(global.templates.as_deref())?;
    let wanted = [if resolved.quant_pinned {
        format!("{}:{}", resolved.family.name, resolved.size.size)
    } else {
        name.to_string()
    }];
    let plan = crate::plan::build(&Inputs {
        device: &device,
        profile,
        forced_tier: global.tier,
        wanted: &wanted,
        renderer: &renderer,
        local: &[],
    })?;
    let (model, _) = crate::plan::select(profile, &wanted)?.remove(0);
    let mut unpinned = resolved;
    unpinned.quant_pinned = false;
    let tier = plan.tier.tier();
    let request = crate::plan::request(profile, &model, unpinned, tier, plan.budget.cores);
    Ok(Fitting {
        plan,
        request,
        policy: profile.fit_policy(),
    })
}

fn library_listing(global: &Global, options: &Options, resolved: Resolved) -> Result<Listing> {
    let (family, size) = (resolved.family, resolved.size);
    let fitting = fitting(global, options.model.trim(), resolved)?;
    let published = Published::of(family, size);
    let (installed, installed_unknown) = installed(global, Scope::Library { family, size });
    let (remote, remote_report) = if options.remote {
        remote_sizes(family.name.as_str(), &published, options.remote_timeout)?
    } else {
        (HashMap::new(), Remote::default())
    };
    let fit = &fitting.plan.models[0].fit;
    let auto = fit.quantization.filter(|_| fit.fits);
    let mut rows = merge(&published, &installed.installed, &remote, auto);
    judge(&mut rows, &fitting);
    let create_quantize_from = create_source(&rows);
    if options.installed_only {
        rows = only_installed(rows);
    }
    Ok(Listing {
        schema_version: SCHEMA_VERSION,
        model: options.model.clone(),
        family: Some(family.name.clone()),
        size: Some(size.size.clone()),
        catalog_as_of: Some(Catalog::bundled().as_of.clone()),
        context: Some(requested_context(&fitting)),
        budget_bytes: Some(fit.budget_bytes),
        profile: Some(fitting.plan.profile.clone()),
        quants: rows,
        installed_unknown,
        remote: remote_report,
        create_quantize_from,
    })
}

fn requested_context(fitting: &Fitting) -> u32 {
    let request = &fitting.request;
    let asked = request.num_ctx.unwrap_or(fitting.policy.num_ctx);
    asked.min(request.resolved.size.dims.context)
}

/// Fills FITS of every row: the registry's or the installed size when the
/// catalog has none better.
fn judge(rows: &mut [Row], fitting: &Fitting) {
    let budget: &Budget = &fitting.plan.budget;
    let tier: Tier = fitting.plan.tier.tier();
    for row in rows {
        let bytes = match row.size_source {
            SizeSource::Catalog => None,
            SizeSource::Registry | SizeSource::Installed => row.size_bytes,
        };
        let verdict = fit_quant(
            &fitting.request,
            budget,
            tier,
            &fitting.policy,
            row.quant,
            bytes,
        );
        row.fits = Some(verdict.fits);
        row.total_bytes = Some(verdict.total_bytes);
        row.fit_note = verdict.note;
    }
}

/// The installed copies in scope; when ollama is missing or down, none and a
/// warning (printed once, here) that says why.
fn installed(global: &Global, scope: Scope) -> (Gathered, Option<String>) {
    let gathered = Ollama::from_flags(global).and_then(|ollama| gather(&ollama, scope));
    match gathered {
        Ok(gathered) => {
            if !gathered.problems.is_empty() {
                warn(&format!(
                    "installed: could not read {}",
                    gathered.problems.join("; ")
                ));
            }
            (gathered, None)
        }
        Err(error) => {
            let reason = error.to_string();
            warn(&format!("installed: unknown ({reason})"));
            (Gathered::default(), Some(reason))
        }
    }
}

fn warn(message: &str) {
    eprintln!("provision: warning: {}", crate::exit::one_line(message));
}

/// Every published tag looked up at once (one deadline); one warning when some
/// or all got no answer, whose sizes stay the catalog's.
fn remote_sizes(
    model: &str,
    published: &[Published],
    timeout: Duration,
) -> Result<(HashMap<String, RegistryStatus>, Remote)> {
    let registry = Registry::from_env()?.with_timeout(timeout);
    let lookups = registry.lookup_many(model, &remote::short_tags(published));
    let (statuses, warning) = remote::statuses(published, &lookups, registry.base());
    if let Some(warning) = warning {
        warn(&warning);
    }
    let report = Remote {
        used: true,
        offline_reason: lookups.offline,
    };
    Ok((statuses, report))
}

/// A name outside the library: its installed tags only, no catalog; nothing
/// installed (or no way to tell) is an error.
fn local_listing(global: &Global, options: &Options, name: &ModelName) -> Result<Listing> {
    let shown = name.display_shortest();
    let ollama = Ollama::from_flags(global).map_err(|e| {
        anyhow::anyhow!("could not list '{shown}', which is not a library model: {e}")
    })?;
    let gathered = gather(&ollama, Scope::Local(name)).map_err(|e| {
        anyhow::anyhow!("could not list '{shown}', which is not a library model: {e}")
    })?;
    if gathered.installed.is_empty() {
        bail!(
            "'{shown}' is not a library model and no copy of it is installed: pull it first (`ollama pull {shown}`)"
        );
    }
    if !gathered.problems.is_empty() {
        warn(&format!(
            "installed: could not read {}",
            gathered.problems.join("; ")
        ));
    }
    if options.remote {
        warn(&format!(
            "remote: '{shown}' is not a library model; only library tags are looked up"
        ));
    }
    let rows = merge(&[], &gathered.installed, &HashMap::new(), None);
    Ok(Listing {
        schema_version: SCHEMA_VERSION,
        model: options.model.clone(),
        family: None,
        size: None,
        catalog_as_of: None,
        context: None,
        budget_bytes: None,
        profile: None,
        create_quantize_from: create_source(&rows),
        quants: rows,
        installed_unknown: None,
        remote: Remote::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_library_are_local() {
        assert!(local_name("llama3.1:8b").is_none());
        assert!(local_name("registry.ollama.ai/library/llama3.1").is_none());
        assert!(local_name("nosuchmodel").is_none());
        assert!(local_name("me/llama3.1:8b").is_some());
        assert!(local_name("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M").is_some());
    }

    #[test]
    fn unknown_models_get_suggestions_or_the_known_names() {
        let error = resolve("lama3.1").unwrap_err().to_string();
        assert!(
            error.starts_with("unknown model 'lama3.1' in the catalog (did you mean llama3.1"),
            "{error}"
        );
        let error = resolve("nosuchmodel").unwrap_err().to_string();
        assert!(error.contains("(known models: "), "{error}");
        assert!(error.contains("qwen3"), "{error}");
        let error = resolve("llama3.1:9b").unwrap_err().to_string();
        assert!(error.starts_with("unknown tag 'llama3.1:9b'"), "{error}");
    }
}
