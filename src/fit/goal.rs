//! Speed in the fit: each level's speed here, and the goal a profile sets. A
//! level that fits but decodes too slowly is passed over (and kept); when no
//! level meets the goal, the fastest that fits is chosen and the shortfall said.

use super::model::Walk;
use super::verdict::How;
use crate::estimate::{Estimate, Placement};
use crate::quant::Quant;
use crate::speed::{self, Goal, GoalCheck, Load, Speed, SpeedSource, Where, rounded};
use serde::Serialize;

/// A goal and how the choice fares against it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalOutcome {
    pub goal: Goal,
    #[serde(flatten)]
    pub check: GoalCheck,
}

/// A level that fits, as a fit phase found it.
#[derive(Debug, Clone)]
pub(super) struct Fitted {
    pub quant: Quant,
    pub estimate: Estimate,
    pub how: How,
    /// How it fits, as the reason says it.
    pub sentence: String,
}

/// Judges the levels that fit against the request's goal, remembering the
/// ones passed over for being too slow.
pub(super) struct Judge {
    goal: Option<Goal>,
    passed: Vec<(Fitted, Speed)>,
    unchecked_said: bool,
}

impl Judge {
    pub fn new(goal: Option<Goal>) -> Judge {
        Judge {
            goal,
            passed: Vec::new(),
            unchecked_said: false,
        }
    }

    /// Whether to take `fitted`: always without a goal or a known speed, else
    /// when it meets the goal. The reason gets a sentence either way.
    pub fn take(&mut self, walk: &Walk, fitted: &Fitted, notes: &mut Vec<String>) -> bool {
        let Some(goal) = self.goal else {
            notes.push(fitted.sentence.clone());
            return true;
        };
        let Some(speed) = speed_of(walk, fitted.quant, fitted.estimate.num_ctx, fitted.how) else {
            notes.push(fitted.sentence.clone());
            if !std::mem::replace(&mut self.unchecked_said, true) {
                notes.push(format!(
                    "speed goal {} not checked: {}",
                    goal.describe(),
                    unknown_why(walk)
                ));
            }
            return true;
        };
        let check = goal.check(&speed);
        let needed = figure(check.min_tokens_per_s);
        if check.met {
            notes.push(format!(
                "{}, runs {} ≥ {needed}",
                fitted.sentence,
                speed.short()
            ));
            return true;
        }
        notes.push(format!(
            "{} fits but runs {} < {needed}",
            fitted.quant,
            speed.short()
        ));
        self.passed.push((fitted.clone(), speed));
        false
    }

    /// The fastest level passed over (the least precise of equals), with the
    /// sentence that says by how much it misses the goal.
    pub fn fastest(self, notes: &mut Vec<String>) -> Option<Fitted> {
        let goal = self.goal?;
        let (fitted, speed) = self
            .passed
            .into_iter()
            .max_by(|a, b| a.1.decode_tokens_per_s.total_cmp(&b.1.decode_tokens_per_s))?;
        notes.push(shortfall(&goal, fitted.quant, &speed, "that fits"));
        Some(fitted)
    }
}

/// `no level meets ≥ 5 tok/s: Q4_K_M, the fastest that fits, runs ~2.6 tok/s,
/// 2.4 tok/s (48 %) short`.
pub(super) fn shortfall(goal: &Goal, quant: Quant, speed: &Speed, which: &str) -> String {
    let needed = goal.check(speed).min_tokens_per_s;
    let short = needed - speed.decode_tokens_per_s;
    format!(
        "no level meets {}: {quant}, the fastest {which}, runs {}{}, {} tok/s ({:.0} %) short",
        goal.describe(),
        speed.short(),
        together(speed),
        rounded(short),
        100.0 * short / needed
    )
}

/// ` while 2 others decode` when the bandwidth is shared.
pub(super) fn together(speed: &Speed) -> String {
    match speed.decoding_together {
        0 | 1 => String::new(),
        2 => " while 1 other decodes".to_string(),
        n => format!(" while {} others decode", n - 1),
    }
}

/// A goal's figure as written: `2`, `2.5`, `128`.
pub(super) fn figure(tokens_per_s: f64) -> String {
    let text = format!("{tokens_per_s:.1}");
    text.strip_suffix(".0").map_or(text.clone(), String::from)
}

fn unknown_why(walk: &Walk) -> &'static str {
    match &walk.policy.machine {
        None => "speeds were not asked for",
        Some(_) => "the memory bandwidth is unknown (give --bandwidth)",
    }
}

/// The speed of `quant` at `num_ctx` here, run as `how` says: a `bench`
/// measurement of exactly that configuration, else the prediction.
pub(super) fn speed_of(walk: &Walk, quant: Quant, num_ctx: u32, how: How) -> Option<Speed> {
    let request = walk.request;
    let size = request.resolved.size;
    let layers = size.dims.layers;
    let placement = match (how, walk.placement()) {
        (How::Offload(o), _) => Where::Split {
            gpu_fraction: f64::from(o.num_gpu) / f64::from(layers.saturating_add(1)),
        },
        (How::CpuFallback, _) | (How::Whole, Placement::Cpu) => Where::Cpu,
        (How::Whole, Placement::Gpu) => Where::Gpu,
    };
    let sharing = request.speed.decoding_together.max(1);
    let load = Load {
        facts: walk.shape(),
        file_bytes: walk.file_bytes(quant).0,
        vision_bytes: size.dims.vision_bytes.unwrap_or(0),
        num_ctx,
        kv_cache: walk.policy.kv_cache_type,
        placement,
        sharing,
        correction: request.speed.correction,
    };
    let measured = request
        .speed
        .measured
        .iter()
        .find(|m| m.quant == quant && m.num_ctx == num_ctx);
    match measured {
        Some(m) => Some(Speed {
            decode_tokens_per_s: m.decode_tokens_per_s / f64::from(sharing),
            prompt_tokens_per_s: m.prompt_tokens_per_s.map(|p| p / f64::from(sharing)),
            source: SpeedSource::Measured,
            bytes_per_token: speed::bytes_per_token(&load),
            efficiency: None,
            decoding_together: sharing,
        }),
        None => speed::predict(&load, walk.policy.machine.as_ref()?),
    }
}

/// The goal outcome of a choice running at `speed`.
pub(super) fn outcome(walk: &Walk, speed: Option<Speed>) -> Option<GoalOutcome> {
    let goal = walk.request.speed.goal?;
    let speed = speed?;
    Some(GoalOutcome {
        goal,
        check: goal.check(&speed),
    })
}
