//! Speed goals a profile sets, profile-wide or per model:
//! `speed: {min_tokens_per_s: 5}` and `latency: {tokens: 256, seconds: 2}`
//! (with `prompt_tokens` for the prompt read first). Both may be set; both must
//! then hold. Bad values are refused while the YAML is read, so the error
//! names the file, line and column.

use super::Speed;
use serde::{Deserialize, Serialize};

/// `speed: {min_tokens_per_s: N}`: the decoding speed a model must reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawSpeed")]
pub struct SpeedGoal {
    pub min_tokens_per_s: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpeed {
    min_tokens_per_s: f64,
}

impl TryFrom<RawSpeed> for SpeedGoal {
    type Error = String;
    fn try_from(raw: RawSpeed) -> Result<Self, String> {
        positive("min_tokens_per_s", raw.min_tokens_per_s)?;
        Ok(SpeedGoal {
            min_tokens_per_s: raw.min_tokens_per_s,
        })
    }
}

/// `latency: {tokens: 256, seconds: 2, prompt_tokens: 0}`: a typical answer of
/// `tokens` tokens, after reading a prompt of `prompt_tokens`, within `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawLatency")]
pub struct LatencyGoal {
    pub tokens: u32,
    pub seconds: f64,
    pub prompt_tokens: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLatency {
    tokens: u32,
    seconds: f64,
    #[serde(default)]
    prompt_tokens: u32,
}

impl TryFrom<RawLatency> for LatencyGoal {
    type Error = String;
    fn try_from(raw: RawLatency) -> Result<Self, String> {
        positive("seconds", raw.seconds)?;
        if raw.tokens == 0 {
            return Err("tokens must be at least 1".into());
        }
        Ok(LatencyGoal {
            tokens: raw.tokens,
            seconds: raw.seconds,
            prompt_tokens: raw.prompt_tokens,
        })
    }
}

fn positive(name: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(format!("{name} must be a number above 0, not {value}"))
    }
}

/// A model's goals, after its own replaced the profile's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Goal {
    pub speed: Option<SpeedGoal>,
    pub latency: Option<LatencyGoal>,
}

/// How a speed fares against a goal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalCheck {
    pub met: bool,
    /// The decoding speed the goal asks for here (with the prompt's time taken
    /// out of a latency goal).
    pub min_tokens_per_s: f64,
    /// The time a latency goal's answer takes at this speed, in seconds.
    pub answer_seconds: Option<f64>,
}

impl Goal {
    /// A model's goals: its own `speed`/`latency`, each else the profile's.
    pub fn of(
        own: (Option<SpeedGoal>, Option<LatencyGoal>),
        profile: (Option<SpeedGoal>, Option<LatencyGoal>),
    ) -> Option<Goal> {
        let goal = Goal {
            speed: own.0.or(profile.0),
            latency: own.1.or(profile.1),
        };
        (goal.speed.is_some() || goal.latency.is_some()).then_some(goal)
    }

    /// The goal in a few words: `≥ 5 tok/s`, `256 tokens in 2 s`.
    pub fn describe(&self) -> String {
        let speed = self
            .speed
            .map(|s| format!("≥ {} tok/s", s.min_tokens_per_s));
        let latency = self.latency.map(|l| {
            let prompt = match l.prompt_tokens {
                0 => String::new(),
                n => format!(" after a {n}-token prompt"),
            };
            format!("{} tokens in {} s{prompt}", l.tokens, l.seconds)
        });
        [speed, latency]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// Whether `speed` meets the goal, and the decoding speed it asks for. A
    /// prompt whose speed is unknown is left out of a latency goal's time.
    pub fn check(&self, speed: &Speed) -> GoalCheck {
        let decode = speed.decode_tokens_per_s;
        let mut needed = self.speed.map_or(0.0, |s| s.min_tokens_per_s);
        let mut answer = None;
        if let Some(latency) = self.latency {
            let prompt = match (latency.prompt_tokens, speed.prompt_tokens_per_s) {
                (0, _) | (_, None) => 0.0,
                (tokens, Some(rate)) => f64::from(tokens) / rate,
            };
            let left = latency.seconds - prompt;
            let wanted = if left > 0.0 {
                f64::from(latency.tokens) / left
            } else {
                f64::INFINITY
            };
            needed = needed.max(wanted);
            answer = Some(prompt + f64::from(latency.tokens) / decode);
        }
        GoalCheck {
            met: decode >= needed,
            min_tokens_per_s: needed,
            answer_seconds: answer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speed::SpeedSource;

    fn speed(decode: f64, prompt: Option<f64>) -> Speed {
        Speed {
            decode_tokens_per_s: decode,
            prompt_tokens_per_s: prompt,
            source: SpeedSource::Predicted,
            bytes_per_token: 1,
            efficiency: Some(0.55),
            decoding_together: 1,
        }
    }

    #[test]
    fn goals_parse_and_refuse_bad_values() {
        let goal: SpeedGoal = serde_yaml::from_str("{min_tokens_per_s: 5}").unwrap();
        assert_eq!(goal.min_tokens_per_s, 5.0);
        let latency: LatencyGoal = serde_yaml::from_str("{tokens: 256, seconds: 2}").unwrap();
        assert_eq!((latency.tokens, latency.prompt_tokens), (256, 0));
        for bad in [
            "{min_tokens_per_s: 0}",
            "{min_tokens_per_s: -1}",
            "{min_tokens: 5}",
        ] {
            assert!(serde_yaml::from_str::<SpeedGoal>(bad).is_err(), "{bad}");
        }
        for bad in [
            "{tokens: 0, seconds: 2}",
            "{tokens: 1, seconds: 0}",
            "{tokens: 1}",
        ] {
            assert!(serde_yaml::from_str::<LatencyGoal>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_latency_goal_asks_for_a_decoding_speed() {
        let goal = Goal {
            speed: None,
            latency: Some(LatencyGoal {
                tokens: 256,
                seconds: 2.0,
                prompt_tokens: 0,
            }),
        };
        let check = goal.check(&speed(100.0, None));
        assert_eq!((check.met, check.min_tokens_per_s), (false, 128.0));
        assert_eq!(check.answer_seconds, Some(2.56));
        assert_eq!(goal.describe(), "256 tokens in 2 s");
        let with_prompt = Goal {
            latency: Some(LatencyGoal {
                prompt_tokens: 500,
                ..goal.latency.unwrap()
            }),
            ..goal
        };
        // 500 prompt tokens at 500/s leave 1 s for 256 tokens.
        let check = with_prompt.check(&speed(300.0, Some(500.0)));
        assert_eq!((check.met, check.min_tokens_per_s), (true, 256.0));
        let slow_prompt = with_prompt.check(&speed(1000.0, Some(100.0)));
        assert!(!slow_prompt.met && slow_prompt.min_tokens_per_s.is_infinite());
    }

    #[test]
    fn both_goals_must_hold_and_own_goals_replace_the_profile_s() {
        let five = SpeedGoal {
            min_tokens_per_s: 5.0,
        };
        let two = SpeedGoal {
            min_tokens_per_s: 2.0,
        };
        let latency = LatencyGoal {
            tokens: 64,
            seconds: 4.0,
            prompt_tokens: 0,
        };
        let goal = Goal::of((Some(two), None), (Some(five), Some(latency))).unwrap();
        assert_eq!(goal.speed, Some(two));
        assert_eq!(goal.check(&speed(10.0, None)).min_tokens_per_s, 16.0);
        assert_eq!(goal.describe(), "≥ 2 tok/s and 64 tokens in 4 s");
        assert_eq!(Goal::of((None, None), (None, None)), None);
    }
}
