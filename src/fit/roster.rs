//! Rosters: models kept loaded together. Each model's quantization is chosen to
//! maximise total quality (least priority-weighted KL divergence) while the sum
//! of the estimates stays within the budget.

use super::goal::{figure, shortfall, speed_of, together};
use super::model::Walk;
use super::search;
use super::{Budget, FitPolicy, ModelRequest, ServerSetting, server_settings};
use crate::estimate::Estimate;
use crate::quant::Quant;
use crate::size::Binary;
use crate::speed::{Goal, Speed};
use crate::tier::Tier;
use serde::Serialize;

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

struct Option_ {
    quant: Quant,
    estimate: Estimate,
    loss: f64,
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
    let (options, speed_notes): (Vec<Vec<Option_>>, Vec<Vec<String>>) = requests
        .iter()
        .map(|request| {
            let options = options_for(&Walk::new(request, budget, policy, tier));
            meeting_goal(options, request.speed.goal)
        })
        .unzip();
    let server = server_settings(
        requests.len(),
        policy,
        always_hot,
        largest_ctx(requests, policy),
    );
    let (fits, picks, reason) = choose(&options, usable);
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
    let quality_loss = options
        .iter()
        .zip(&picks)
        .filter_map(|(o, &p)| o.get(p))
        .map(|o| o.loss)
        .sum();
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

/// The largest context any model is planned at (the server's default).
fn largest_ctx(requests: &[ModelRequest], policy: &FitPolicy) -> u32 {
    requests
        .iter()
        .map(|r| policy.requested_ctx(r.num_ctx, r.resolved.size.dims.context))
        .max()
        .unwrap_or(policy.num_ctx)
}

/// Picks one option per model (the best mix), or the smallest of each when no mix
/// fits, with the sentence that says which.
fn choose(options: &[Vec<Option_>], usable: u64) -> (bool, Vec<usize>, String) {
    let costs: Vec<Vec<(u64, f64)>> = options
        .iter()
        .map(|o| o.iter().map(|o| (o.estimate.total_bytes, o.loss)).collect())
        .collect();
    if let Some(picks) = search::best_mix(&costs, usable) {
        return (
            true,
            picks,
            format!("the roster fits within budget {}", Binary(usable)),
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

/// Each candidate quantization with its estimate, weighted loss and speed,
/// highest first.
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
                speed: speed_of(walk, quant, estimate.num_ctx, None),
            }
        })
        .collect()
}

/// The options a speed goal leaves: those that meet it; when none does, the
/// fastest alone. With a sentence for each option passed over.
fn meeting_goal(options: Vec<Option_>, goal: Option<Goal>) -> (Vec<Option_>, Vec<String>) {
    let Some(goal) = goal else {
        return (options, Vec::new());
    };
    if options.iter().any(|o| o.speed.is_none()) {
        let note = format!(
            "speed goal {} not checked: the memory bandwidth is unknown",
            goal.describe()
        );
        return (options, vec![note]);
    }
    let (meeting, mut slow): (Vec<Option_>, Vec<Option_>) = options
        .into_iter()
        .partition(|o| o.speed.is_some_and(|s| goal.check(&s).met));
    let kept = if meeting.is_empty() {
        let speed = |o: &Option_| o.speed.map_or(0.0, |s| s.decode_tokens_per_s);
        let fastest = (0..slow.len()).max_by(|&a, &b| speed(&slow[a]).total_cmp(&speed(&slow[b])));
        fastest.map(|i| vec![slow.remove(i)]).unwrap_or_default()
    } else {
        meeting
    };
    let notes = slow
        .iter()
        .filter_map(|o| {
            let speed = o.speed?;
            let needed = figure(goal.check(&speed).min_tokens_per_s);
            Some(format!("{} runs {} < {needed}", o.quant, speed.short()))
        })
        .collect();
    (kept, notes)
}

/// How the chosen option fares against the goal, in one sentence.
fn goal_sentence(goal: &Goal, chosen: &Option_) -> Option<String> {
    let speed = chosen.speed?;
    let check = goal.check(&speed);
    Some(if check.met {
        format!(
            "{} runs {} ≥ {}{}",
            chosen.quant,
            speed.short(),
            figure(check.min_tokens_per_s),
            together(&speed)
        )
    } else {
        shortfall(goal, chosen.quant, &speed, "allowed")
    })
}

fn sum_at(options: &[Vec<Option_>], picks: &[usize]) -> u64 {
    options
        .iter()
        .zip(picks)
        .filter_map(|(o, &p)| o.get(p))
        .map(|o| o.estimate.total_bytes)
        .sum()
}

fn share(
    fitting: &Fitting,
    request: &ModelRequest,
    options: &[Option_],
    pick: usize,
    speed_notes: &[String],
) -> RosterShare {
    let resolved = &request.resolved;
    let model = format!("{}:{}", resolved.family.name, resolved.size.size);
    let Some(chosen) = options.get(pick) else {
        return RosterShare {
            model,
            priority: request.priority,
            quantization: None,
            tag: None,
            estimate: empty_estimate(),
            share: 0.0,
            num_ctx: 0,
            num_gpu: 0,
            speed: None,
            reason: super::model::no_candidates(request, fitting.tier),
        };
    };
    let mut reason = speed_notes.to_vec();
    reason.push(memory_reason(fitting.fits, options, pick));
    reason.extend(request.speed.goal.and_then(|g| goal_sentence(&g, chosen)));
    let reason = reason.join("; ");
    RosterShare {
        model,
        priority: request.priority,
        quantization: Some(chosen.quant),
        tag: Some(format!(
            "{}:{}",
            resolved.family.name,
            resolved.size.tag_for(chosen.quant)
        )),
        estimate: chosen.estimate,
        share: chosen.estimate.total_bytes as f64 / fitting.usable.max(1) as f64,
        num_ctx: chosen.estimate.num_ctx,
        num_gpu: super::gpu_layers(super::placement(fitting.budget), resolved.size.dims.layers),
        speed: chosen.speed,
        reason,
    }
}

/// Why this option and not a more precise one, as memory goes.
fn memory_reason(fits: bool, options: &[Option_], pick: usize) -> String {
    let chosen = &options[pick];
    match (fits, pick) {
        (false, _) => format!(
            "smallest option {} needs {}",
            chosen.quant,
            Binary(chosen.estimate.total_bytes)
        ),
        (true, 0) => format!("{} fits alongside the others", chosen.quant),
        (true, _) => format!(
            "{} ({}) does not fit alongside the others; {} ({}) does",
            options[0].quant,
            Binary(options[0].estimate.total_bytes),
            chosen.quant,
            Binary(chosen.estimate.total_bytes)
        ),
    }
}

fn empty_estimate() -> Estimate {
    Estimate {
        weights_bytes: 0,
        kv_cache_bytes: 0,
        graph_bytes: 0,
        overhead_bytes: 0,
        total_bytes: 0,
        num_ctx: 0,
        layer_bytes: 0,
    }
}
