//! Speed goals in a roster: the levels a model's goal leaves it, and how the
//! chosen one fares, in the words of its reason.

use super::Option_;
use crate::fit::goal::{figure, shortfall, together};
use crate::speed::Goal;

/// The options a speed goal leaves: those that meet it; when none does, the
/// fastest alone. With a sentence for each option passed over.
pub(super) fn meeting_goal(
    options: Vec<Option_>,
    goal: Option<Goal>,
) -> (Vec<Option_>, Vec<String>) {
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
pub(super) fn goal_sentence(goal: &Goal, chosen: &Option_) -> Option<String> {
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
