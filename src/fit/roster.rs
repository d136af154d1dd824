//! Rosters: models kept loaded together. Each model's quantization is chosen to
//! maximise total quality (least priority-weighted KL divergence) while the sum
//! of the estimates stays within the budget.

use super::model::Walk;
use super::{Budget, FitPolicy, ModelRequest, ServerSetting, server_settings};
use crate::estimate::{Estimate, Placement};
use crate::quant::Quant;
use crate::size::Binary;
use crate::tier::{BudgetSource, Tier};
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
    pub reason: String,
}

struct Option_ {
    quant: Quant,
    estimate: Estimate,
    loss: f64,
}

/// Fits models that stay loaded together (see the module comment). Rosters are
/// small (≤ ~8 models, ≤ 7 quantizations each), so the search is exact: a
/// depth-first walk pruned by memory and by the best loss found so far.
pub fn fit_roster(
    requests: &[ModelRequest],
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
    always_hot: bool,
) -> RosterFit {
    let memory = budget.memory_bytes();
    let usable = policy.usable(memory);
    let options: Vec<Vec<Option_>> = requests
        .iter()
        .map(|request| {
            options_for(&Walk {
                request,
                budget,
                policy,
                tier,
                usable,
            })
        })
        .collect();
    let server = server_settings(requests.len(), policy, always_hot);
    let best = search(&options, usable);
    let (fits, picks, reason) = match best {
        Some(picks) => (
            true,
            picks,
            format!("the roster fits within budget {}", Binary(usable)),
        ),
        None => {
            let smallest: Vec<usize> = options.iter().map(|o| o.len().saturating_sub(1)).collect();
            let need: u64 = sum_at(&options, &smallest);
            let why = format!(
                "the roster does not fit: even at the lowest quantizations it needs {} > budget {}",
                Binary(need),
                Binary(usable)
            );
            (false, smallest, why)
        }
    };
    let total = sum_at(&options, &picks);
    let models = requests
        .iter()
        .zip(&options)
        .zip(&picks)
        .map(|((request, opts), &pick)| share(request, opts, pick, usable, fits, budget))
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

/// Each candidate quantization that fits the budget on its own, highest first.
fn options_for(walk: &Walk) -> Vec<Option_> {
    let placement = match walk.budget.source() {
        BudgetSource::Gpu => Placement::Gpu,
        BudgetSource::Ram => Placement::Cpu,
    };
    walk.candidates()
        .into_iter()
        .map(|quant| Option_ {
            quant,
            estimate: walk.estimate(quant, walk.policy.num_ctx, placement),
            loss: walk.request.priority * quant.quality_loss(),
        })
        .filter(|o| o.estimate.total_bytes <= walk.usable)
        .collect()
}

fn sum_at(options: &[Vec<Option_>], picks: &[usize]) -> u64 {
    options
        .iter()
        .zip(picks)
        .filter_map(|(o, &p)| o.get(p))
        .map(|o| o.estimate.total_bytes)
        .sum()
}

/// The picks (an index per model) with the least loss whose memory fits; ties go to
/// the smaller total. None if some model has no option or no mix fits.
fn search(options: &[Vec<Option_>], usable: u64) -> Option<Vec<usize>> {
    if options.iter().any(Vec::is_empty) {
        return None;
    }
    // Lower bounds of what the models after position i still need.
    let mut min_bytes = vec![0u64; options.len() + 1];
    let mut min_loss = vec![0f64; options.len() + 1];
    for i in (0..options.len()).rev() {
        min_bytes[i] = min_bytes[i + 1]
            + options[i]
                .iter()
                .map(|o| o.estimate.total_bytes)
                .min()
                .unwrap_or(0);
        min_loss[i] = min_loss[i + 1]
            + options[i]
                .iter()
                .map(|o| o.loss)
                .fold(f64::INFINITY, f64::min);
    }
    let mut state = Search {
        options,
        usable,
        min_bytes,
        min_loss,
        picks: Vec::new(),
        best: None,
    };
    state.descend(0, 0, 0.0);
    state.best.map(|(_, _, picks)| picks)
}

struct Search<'a> {
    options: &'a [Vec<Option_>],
    usable: u64,
    min_bytes: Vec<u64>,
    min_loss: Vec<f64>,
    picks: Vec<usize>,
    best: Option<(f64, u64, Vec<usize>)>,
}

impl Search<'_> {
    fn descend(&mut self, i: usize, bytes: u64, loss: f64) {
        if bytes + self.min_bytes[i] > self.usable {
            return;
        }
        if let Some((best_loss, _, _)) = &self.best
            && loss + self.min_loss[i] > *best_loss + 1e-12
        {
            return;
        }
        if i == self.options.len() {
            let better = match &self.best {
                None => true,
                Some((l, b, _)) => loss < *l - 1e-12 || ((loss - *l).abs() <= 1e-12 && bytes < *b),
            };
            if better {
                self.best = Some((loss, bytes, self.picks.clone()));
            }
            return;
        }
        for (k, option) in self.options[i].iter().enumerate() {
            self.picks.push(k);
            self.descend(
                i + 1,
                bytes + option.estimate.total_bytes,
                loss + option.loss,
            );
            self.picks.pop();
        }
    }
}

fn share(
    request: &ModelRequest,
    options: &[Option_],
    pick: usize,
    usable: u64,
    fits: bool,
    budget: &Budget,
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
            reason: format!("no quantization fits budget {} even alone", Binary(usable)),
        };
    };
    let reason = match (fits, pick) {
        (false, _) => format!(
            "smallest option {} needs {}",
            chosen.quant,
            Binary(chosen.estimate.total_bytes)
        ),
        (true, 0) => format!("{} fits alongside the others", chosen.quant),
        (true, _) => format!(
            "{} would fit alone ({}), {} ({}) keeps the roster within budget",
            options[0].quant,
            Binary(options[0].estimate.total_bytes),
            chosen.quant,
            Binary(chosen.estimate.total_bytes)
        ),
    };
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
        share: chosen.estimate.total_bytes as f64 / usable.max(1) as f64,
        num_ctx: chosen.estimate.num_ctx,
        num_gpu: if budget.gpus.is_empty() {
            0
        } else {
            resolved.size.dims.layers + 1
        },
        reason,
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
