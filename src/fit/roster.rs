//! Rosters: models kept loaded together. Each model's quantization is chosen to
//! maximise total quality (least priority-weighted KL divergence) while the sum
//! of the estimates stays within the budget.

mod goals;
mod share;

use super::goal::speed_of;
use super::model::Walk;
use super::search;
use super::verdict::How;
use super::{Budget, FitPolicy, ModelRequest, ServerSetting, server_settings};
use crate::estimate::Estimate;
use crate::quant::Quant;
use crate::size::Binary;
use crate::speed::Speed;
use crate::tier::Tier;
use goals::meeting_goal;
use serde::Serialize;
use share::share;

/// The roster decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterFit {
    pub fits: bool,
    /// Memory of the device the roster is placed on.
    pub memory_bytes: u64,
    /// The memory after the policy's reserve.
    pub budget_bytes: u64,
    /// Sum of the chosen estimates (or of the smallest ones when nothing fits).
    pub total_bytes: u64,
    /// Memory left free when the whole roster is loaded (reserve included).
    pub buffer_bytes: u64,
    /// Σ priority × KL divergence of the chosen quantizations (lower is better).
    pub quality_loss: f64,
    pub models: Vec<RosterShare>,
    /// Ollama server variables the roster needs.
    pub server: Vec<ServerSetting>,
    pub reason: String,
}

/// One model's part of the roster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterShare {
    pub model: String,
    pub priority: f64,
    pub quantization: Option<Quant>,
    pub tag: Option<String>,
    pub estimate: Estimate,
    /// Fraction of the budget this model takes.
    pub share: f64,
    pub num_ctx: u32,
    pub num_gpu: u32,
    /// How fast the choice decodes here, sharing the bandwidth as the profile says.
    pub speed: Option<Speed>,
    pub reason: String,
}

/// One quantization a model of the roster may get, with what it costs.
struct Option_ {
    quant: Quant,
    estimate: Estimate,
    loss: f64,
    /// What Ollama ≥ 0.30 checks against 80 % of the free memory before loading
    /// it next to the others; none on versions that load by another rule.
    admission: Option<u64>,
    speed: Option<Speed>,
}

/// What every model's share is judged against.
struct Fitting<'a> {
    usable: u64,
    fits: bool,
    budget: &'a Budget,
    tier: Tier,
}

/// Fits models that stay loaded together (see the module comment). Rosters are
/// small (≤ ~8 models, ≤ 7 quantizations each), so the search is exact
/// (`search::best_mix`).
pub fn fit_roster(
    requests: &[ModelRequest],
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
    always_hot: bool,
) -> RosterFit {
    let memory = budget.memory_bytes();
    let usable = policy.usable(memory);
    // A speed goal leaves only the levels that meet it (or the fastest).
    let (options, speed_notes): (Vec<Vec<Option_>>, Vec<Vec<String>>) = requests
        .iter()
        .map(|request| {
            let options = options_for(&Walk::new(request, budget, policy, tier));
            meeting_goal(options, request.speed.goal)
        })
        .unzip();
    let num_ctx = largest_ctx(requests, policy);
    let server = server_settings(requests.len(), policy, always_hot, num_ctx);
    let names: Vec<String> = requests.iter().map(model_name).collect();
    let (fits, picks, reason) = choose(&options, &names, usable, (memory, always_hot));
    let total = sum_at(&options, &picks);
    let fitting = Fitting {
        usable,
        fits,
        budget,
        tier,
    };
    let models = requests
        .iter()
        .zip(&options)
        .zip(&picks)
        .zip(&speed_notes)
        .map(|(((request, opts), &pick), notes)| share(&fitting, request, opts, pick, notes))
        .collect();
    let quality_loss = loss_at(&options, &picks);
    RosterFit {
        fits,
        memory_bytes: memory,
        budget_bytes: usable,
        total_bytes: total,
        buffer_bytes: memory.saturating_sub(total),
        quality_loss,
        models,
        server,
        reason,
    }
}

/// The context the server is set for: the largest any model of the roster asks for.
fn largest_ctx(requests: &[ModelRequest], policy: &FitPolicy) -> u32 {
    requests
        .iter()
        .map(|r| policy.requested_ctx(r.num_ctx, r.resolved.size.dims.context))
        .max()
        .unwrap_or(policy.num_ctx)
}

/// `family:size`, how the roster names a model whatever level it gets.
fn model_name(request: &ModelRequest) -> String {
    let resolved = &request.resolved;
    format!("{}:{}", resolved.family.name, resolved.size.size)
}

/// Picks one option per model (the best mix), or the smallest of each when no mix
/// fits, with the sentence that says which. A roster kept hot must also pass
/// Ollama's own admission check (`admitted`), or Ollama would evict to load it.
fn choose(
    options: &[Vec<Option_>],
    names: &[String],
    usable: u64,
    (memory, always_hot): (u64, bool),
) -> (bool, Vec<usize>, String) {
    let costs: Vec<Vec<(u64, f64)>> = options
        .iter()
        .map(|o| o.iter().map(|o| (o.estimate.total_bytes, o.loss)).collect())
        .collect();
    let accept = |picks: &[usize]| !always_hot || refused(options, names, picks, memory).is_none();
    if let Some(picks) = search::best_mix_where(&costs, usable, &accept) {
        return (
            true,
            picks,
            format!("the roster fits within budget {}", Binary(usable)),
        );
    }
    if let Some(picks) = search::best_mix(&costs, usable)
        && always_hot
        && let Some(why) = refused(options, names, &picks, memory)
    {
        return (
            false,
            picks,
            format!("the roster fits in memory, but {why}"),
        );
    }
    let smallest: Vec<usize> = options.iter().map(|o| o.len().saturating_sub(1)).collect();
    let why = format!(
        "the roster does not fit: even at the lowest quantizations it needs {} > budget {}",
        Binary(sum_at(options, &smallest)),
        Binary(usable)
    );
    (false, smallest, why)
}

/// Each candidate quantization with its estimate and weighted loss, highest first.
fn options_for(walk: &Walk) -> Vec<Option_> {
    let placement = walk.placement();
    walk.candidates()
        .into_iter()
        .map(|quant| {
            let estimate = walk.estimate(quant, walk.requested_ctx(), placement);
            Option_ {
                quant,
                estimate,
                loss: walk.request.priority * quant.quality_loss(),
                admission: walk.admission(quant, walk.requested_ctx()),
                speed: speed_of(walk, quant, estimate.num_ctx, How::Whole),
            }
        })
        .collect()
}

/// Why Ollama ≥ 0.30 would not load this mix together, if it would not: loaded
/// last, each model's prediction must be at most 80 % of what the others leave
/// free (`server/sched.go` `Scheduler.load` at v0.33.0-rc2), else it evicts them.
fn refused(
    options: &[Vec<Option_>],
    names: &[String],
    picks: &[usize],
    memory: u64,
) -> Option<String> {
    use crate::ollama::rules::llama_server::{admits, eighty_percent};
    let total = sum_at(options, picks);
    let mut picked = options.iter().zip(names).zip(picks);
    picked.find_map(|((model, name), &pick)| {
        let option = model.get(pick)?;
        let predicted = option.admission?;
        let free = memory.saturating_sub(total - option.estimate.total_bytes);
        (!admits(predicted, free)).then(|| {
            format!(
                "Ollama would not keep it loaded together: loaded last, {name} at {} ({}) predicts {} > 80 % of the {} the others leave free ({})",
                option.quant,
                Binary(option.estimate.total_bytes),
                Binary(predicted),
                Binary(free),
                Binary(eighty_percent(free))
            )
        })
    })
}

/// Σ priority × KL divergence of the picked options.
fn loss_at(options: &[Vec<Option_>], picks: &[usize]) -> f64 {
    options
        .iter()
        .zip(picks)
        .filter_map(|(o, &p)| o.get(p))
        .map(|o| o.loss)
        .sum()
}

fn sum_at(options: &[Vec<Option_>], picks: &[usize]) -> u64 {
    options
        .iter()
        .zip(picks)
        .filter_map(|(o, &p)| o.get(p))
        .map(|o| o.estimate.total_bytes)
        .fold(0, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::fit::GpuInfo;
    use crate::ollama::rules::OllamaVersion;

    /// Two gemma3:12b at 32K on a 32 GiB GPU: their real KV is small (sliding
    /// windows), but Ollama ≥ 0.30 predicts an f16 KV over every layer
    /// (`PredictServerVRAM`), so loading the second would evict the first.
    #[test]
    fn a_roster_kept_hot_must_pass_ollamas_admission_check() {
        let budget = Budget {
            ram_bytes: 64 << 30,
            cores: 8,
            gpus: vec![GpuInfo {
                name: "g".into(),
                memory_bytes: 32 << 30,
            }],
        };
        let resolved = Catalog::bundled().resolve("gemma3:12b").unwrap();
        let requests = [ModelRequest::new(resolved), ModelRequest::new(resolved)];
        let fit = |ollama: &str| {
            let policy = FitPolicy {
                num_ctx: 32768,
                ollama: OllamaVersion::parse(ollama).unwrap(),
                ..FitPolicy::default()
            };
            fit_roster(&requests, &budget, Tier::T16, &policy, true)
        };
        let newest = fit("0.33.0");
        assert!(!newest.fits);
        assert!(
            newest.reason.starts_with(
                "the roster fits in memory, but Ollama would not keep it loaded together: loaded last, gemma3:12b at Q4_K_M"
            ),
            "{}",
            newest.reason
        );
        // The classic estimator (0.12.10) admits by its own fit, which this passes.
        assert!(fit("0.12.10").fits, "{}", fit("0.12.10").reason);
    }
}
