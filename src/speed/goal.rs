//! Speed goals a profile sets, profile-wide or per model:
//! `speed: {min_tokens_per_s: 5}` and `latency: {tokens: 256, seconds: 2}`
//! (with `prompt_tokens` for the prompt read first). Both may be set; both must
//! then hold. Bad values are refused while the YAML is read, so the error
//! names the file, line and column.

use super::Speed;
use serde::{Deserialize, Serialize};

/// `speed: {min_tokens_per_s: N}`: the decoding speed a model must reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedGoal {
    #[serde(deserialize_with = "positive_rate")]
    pub min_tokens_per_s: f64,
}

/// `latency: {tokens: 256, seconds: 2, prompt_tokens: 0}`: a typical answer of
/// `tokens` tokens, after reading a prompt of `prompt_tokens`, within `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyGoal {
    #[serde(deserialize_with = "at_least_one")]
    pub tokens: u32,
    #[serde(deserialize_with = "positive_seconds")]
    pub seconds: f64,
    #[serde(default)]
    pub prompt_tokens: u32,
}

fn positive_rate<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    positive("min_tokens_per_s", deserializer)
}

fn positive_seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    positive("seconds", deserializer)
}

/// A number above zero, refused while the YAML is read (so the error has its place).
fn positive<'de, D: serde::Deserializer<'de>>(
    name: &str,
    deserializer: D,
) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(serde::de::Error::custom(format!(
            "{name} must be a number above 0, not {value}"
        )))
    }
}

fn at_least_one<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    match u32::deserialize(deserializer)? {
        0 => Err(serde::de::Error::custom("tokens must be at least 1, not 0")),
        n => Ok(n),
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
