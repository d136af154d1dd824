//! `provision list-quants MODEL`: gathers what is installed, published and (with
//! `--remote`) live, merges it with `levels::merge`, and prints the rows.

use crate::catalog::{Catalog, LookupError, Resolved};
use crate::cli::ListQuantsArgs;
use crate::context::Context;
use crate::exit::{Outcome, UsageError};
use crate::facts::{self, Known};
use crate::fit::{FitPolicy, ModelRequest};
use crate::inventory::Inventory;
use crate::levels::installed::Gathered;
use crate::levels::report::{Listing, Remote};
use crate::levels::{
    Published, RegistryStatus, Row, Scope, SizeSource, create_source, fit_quant, merge,
    only_installed, remote,
};
use crate::name::ModelName;
use crate::output::{self, SCHEMA_VERSION};
use crate::plan::Plan;
use anyhow::Result;
use std::collections::HashMap;
use std::time::Duration;

pub fn run(ctx: &Context, args: &ListQuantsArgs) -> Result<Outcome> {
    let name = args.model.trim();
    let known = live_facts(ctx, args)?;
    let listing = match (&known, local_name(name)) {
        (Some(known), _) if !known.local => {
            let mut listing = library_listing(ctx, args, known.resolved())?;
            listing.facts_source = Some(known.shape);
            listing.tags_probed = known.probed;
            mark_sources(&mut listing.quants, &known.size);
            listing
        }
        (_, Some(local)) => local_listing(ctx, args, &local)?,
        (_, None) => library_listing(ctx, args, resolve(name)?)?,
    };
    if ctx.json() {
        output::json(&listing)?;
    } else {
        output::print(&output::quants::text(&listing))?;
    }
    Ok(Outcome::Success)
}

/// The live facts of the model (installed, cached, or from the registry when the
/// catalog does not know it); none leaves it to the catalog.
fn live_facts(ctx: &Context, args: &ListQuantsArgs) -> Result<Option<Known>> {
    let name = args.model.trim();
    // `--remote` asks for the published tags' sizes (below); header facts of a catalog
    // model come from the installed blob or the cache, as for `plan`.
    let sources = super::facts_sources(ctx, None, false);
    let mut gathered = facts::gather(&sources, &[name.to_string()]);
    for warning in &gathered.warnings {
        output::warn(warning);
    }
    let library = local_name(name).is_none();
    match (gathered.known.pop(), gathered.unknown.first()) {
        (Some(known), _) => Ok(Some(known)),
        // The catalog's part worded as before (with every model when none is close).
        // An unknown name is the user's to fix: exit 2, as in every command.
        (None, Some(unknown)) if library => match resolve(name) {
            Err(catalog) if unknown.unknown_name => {
                Err(UsageError(format!("{catalog}, and {}", unknown.registry)).into())
            }
            Err(catalog) => Err(anyhow::anyhow!("{catalog}, and {}", unknown.registry)),
            Ok(_) => Err(unknown.error()),
        },
        // A name outside the library may still be installed: listed from Ollama.
        (None, _) => Ok(None),
    }
}

/// Each row's size source as the facts give it (a level the registry or the
/// installed header sized), where the merge left the catalog.
fn mark_sources(rows: &mut [Row], size: &crate::catalog::ModelSize) {
    for row in rows
        .iter_mut()
        .filter(|r| r.size_source == SizeSource::Catalog)
    {
        let source = size.quant(row.quant).map(facts::Source::of);
        row.size_source = match source {
            Some(facts::Source::Registry) => SizeSource::Registry,
            Some(facts::Source::Installed | facts::Source::File) => SizeSource::Installed,
            _ => SizeSource::Catalog,
        };
    }
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
/// none is close): a usage error, as an unknown MODEL is in every command.
fn resolve(name: &str) -> Result<Resolved<'static>> {
    let catalog = Catalog::bundled();
    let message = match catalog.resolve(name) {
        Ok(resolved) => return Ok(resolved),
        Err(LookupError::UnknownModel { name, suggestions }) if suggestions.is_empty() => {
            let known: Vec<&str> = catalog.families.iter().map(|f| f.name.as_str()).collect();
            format!(
                "unknown model '{name}' in the catalog (known models: {})",
                known.join(", ")
            )
        }
        Err(LookupError::UnknownModel { name, suggestions }) => format!(
            "unknown model '{name}' in the catalog (did you mean {}?)",
            suggestions.join(", ")
        ),
        Err(other) => other.to_string(),
    };
    Err(UsageError(message).into())
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
fn fitting<'c>(ctx: &Context, name: &str, resolved: Resolved<'c>) -> Result<Fitting<'c>> {
    let profile = &ctx.profile()?.profile;
    let wanted = [if resolved.quant_pinned {
        format!("{}:{}", resolved.family.name, resolved.size.size)
    } else {
        name.to_string()
    }];
    let selection = crate::plan::select(profile, &wanted)?;
    let plan = super::plan_selection(ctx, &selection, None, false)?;
    let asked = plan.models[0].asked_ctx;
    let mut request = crate::plan::request(&selection[0].model, resolved.unpinned(), asked);
    request.speed.decoding_together = profile.decoding_together(&selection[0].model.name);
    let policy = FitPolicy {
        machine: super::planning::speed_machine(ctx, profile),
        ..profile.fit_policy()
    };
    Ok(Fitting {
        plan,
        request,
        policy,
    })
}

fn library_listing(ctx: &Context, args: &ListQuantsArgs, resolved: Resolved) -> Result<Listing> {
    let (family, size) = (resolved.family, resolved.size);
    let fitting = fitting(ctx, args.model.trim(), resolved)?;
    let published = Published::of(family, size);
    let (installed, installed_unknown) = installed(ctx, Scope::Library { family, size });
    let (remote, remote_report) = if args.remote {
        let timeout = Duration::from_secs(args.remote_timeout);
        remote_sizes(ctx, family.name.as_str(), &published, timeout)?
    } else {
        (HashMap::new(), Remote::default())
    };
    let fit = &fitting.plan.models[0].fit;
    let auto = fit.quantization.filter(|_| fit.fits);
    let mut rows = merge(&published, &installed.installed, &remote, auto);
    judge(&mut rows, &fitting);
    let create_quantize_from = create_source(&rows, fitting.plan.ollama.version);
    if args.installed {
        rows = only_installed(rows);
    }
    Ok(Listing {
        schema_version: SCHEMA_VERSION,
        model: args.model.clone(),
        family: Some(family.name.clone()),
        size: Some(size.size.clone()),
        catalog_as_of: Some(Catalog::bundled().as_of.clone()),
        context: Some(requested_context(&fitting)),
        context_from: Some(context_from(&fitting)),
        budget_bytes: Some(fit.budget_bytes),
        profile: Some(fitting.plan.profile.clone()),
        quants: rows,
        installed_unknown,
        remote: remote_report,
        create_quantize_from,
        facts_source: None,
        tags_probed: false,
    })
}

/// Where the FITS context comes from: the profile's parameters at this device's
/// tier (a tier override such as `"4": {num_ctx: 4096}` included), else its
/// `fit.num_ctx`; and whether the native context capped it.
fn context_from(fitting: &Fitting) -> String {
    let profile = &fitting.plan.profile;
    let origin = match fitting.request.num_ctx {
        Some(_) => format!(
            "the {profile} profile's parameters at this device's {}-bit tier",
            fitting.plan.tier.bits
        ),
        None => format!("the {profile} profile's fit.num_ctx"),
    };
    let native = fitting.request.resolved.size.dims.context;
    let asked = fitting.request.num_ctx.unwrap_or(fitting.policy.num_ctx);
    match asked > native {
        true => format!("{origin}, capped at the native {native}"),
        false => origin,
    }
}

fn requested_context(fitting: &Fitting) -> u32 {
    let request = &fitting.request;
    let native = request.resolved.size.dims.context;
    fitting.policy.requested_ctx(request.num_ctx, native)
}

/// Fills FITS of every row: the registry's or the installed size when the
/// catalog has none better.
fn judge(rows: &mut [Row], fitting: &Fitting) {
    let budget = &fitting.plan.budget;
    let tier = fitting.plan.tier.tier();
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
        row.speed = verdict.speed;
    }
}

/// The installed copies in scope; when ollama is missing or down, none and a
/// warning (printed once, here) that says why.
fn installed(ctx: &Context, scope: Scope) -> (Gathered, Option<String>) {
    let read = ctx.ollama().and_then(|ollama| Inventory::read(&ollama));
    match read {
        Ok(inventory) => {
            let gathered = inventory.installed(scope);
            if !gathered.problems.is_empty() {
                output::warn(&format!(
                    "installed: could not read {}",
                    gathered.problems.join("; ")
                ));
            }
            (gathered, None)
        }
        Err(error) => {
            let reason = error.to_string();
            output::warn(&format!("installed: unknown ({reason})"));
            (Gathered::default(), Some(reason))
        }
    }
}

/// Every published tag looked up at once (one deadline); one warning when some
/// or all got no answer, whose sizes stay the catalog's.
fn remote_sizes(
    ctx: &Context,
    model: &str,
    published: &[Published],
    timeout: Duration,
) -> Result<(HashMap<String, RegistryStatus>, Remote)> {
    let registry = ctx.registry()?.with_timeout(timeout);
    let lookups = registry.lookup_many(model, &remote::short_tags(published));
    let (statuses, warning) = remote::statuses(published, &lookups, registry.base());
    if let Some(warning) = warning {
        output::warn(&warning);
    }
    let report = Remote {
        used: true,
        offline_reason: lookups.offline,
    };
    Ok((statuses, report))
}

/// A name outside the library: its installed tags only, no catalog; nothing
/// installed is an unknown MODEL (exit 2), no way to tell is a failure (exit 1).
fn local_listing(ctx: &Context, args: &ListQuantsArgs, name: &ModelName) -> Result<Listing> {
    let shown = name.display_shortest();
    let inventory = ctx
        .ollama()
        .and_then(|ollama| Inventory::read(&ollama))
        .map_err(|e| {
            anyhow::anyhow!("could not list '{shown}', which is not a library model: {e}")
        })?;
    let gathered = inventory.installed(Scope::Local(name));
    if gathered.installed.is_empty() {
        return Err(UsageError(format!(
            "'{shown}' is not a library model and no copy of it is installed: pull it first (`ollama pull {shown}`)"
        ))
        .into());
    }
    if !gathered.problems.is_empty() {
        output::warn(&format!(
            "installed: could not read {}",
            gathered.problems.join("; ")
        ));
    }
    if args.remote {
        output::warn(&format!(
            "remote: '{shown}' is not a library model; only library tags are looked up"
        ));
    }
    let rows = merge(&[], &gathered.installed, &HashMap::new(), None);
    Ok(Listing {
        schema_version: SCHEMA_VERSION,
        model: args.model.clone(),
        family: None,
        size: None,
        catalog_as_of: None,
        context: None,
        context_from: None,
        budget_bytes: None,
        profile: None,
        create_quantize_from: create_source(&rows, local_version(ctx)),
        quants: rows,
        installed_unknown: None,
        remote: Remote::default(),
        facts_source: None,
        tags_probed: false,
    })
}

/// The Ollama version a local-only listing describes (`ollama -v`, else the newest).
fn local_version(ctx: &Context) -> crate::ollama::rules::OllamaVersion {
    let reported = ctx.device().ollama.version.as_deref();
    crate::ollama::rules::OllamaTarget::from_reported(reported)
        .map_or(crate::ollama::rules::OllamaVersion::NEWEST, |t| t.version)
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
