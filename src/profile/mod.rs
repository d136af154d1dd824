//! Profiles: YAML files that say which models a machine should hold and how to
//! tune them (thresholds, reserve, parameters per tier, a roster of models).

mod list;
mod load;
mod params;
mod resolve;
mod threads;

pub use list::{Listing, list};
pub use load::{BUILTINS, Loaded, Source, load_file, parse, select, user_dir};
pub use params::Parameters;
pub use resolve::{Target, modelfile, resolve_parameters};
pub use threads::{NumThread, ThreadRule, cores_per_model};

use crate::fit::{FitPolicy, Reserve};
use crate::modelfile::quote;
use crate::name::{ModelName, SAME_MODEL_WHY, same_model};
use crate::quant::Quant;
use crate::speed::{Goal, LatencyGoal, SpeedGoal};
use crate::tier::{Thresholds, Tier};
use anyhow::{Result, bail};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// A whole profile file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// One line, shown by `provision profiles`.
    pub description: String,
    /// The device-level tier thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Memory left for the OS and other work: `absolute` + `fraction` of the memory.
    #[serde(default)]
    pub reserve: Reserve,
    /// How models are fitted to the memory (context, quality floor, offload, …).
    #[serde(default)]
    pub fit: FitPolicy,
    /// Threads per model; absent means Ollama decides.
    #[serde(default)]
    pub num_thread: Option<NumThread>,
    /// How long `verify`, `bench` and `auto --verify` ask Ollama to keep a model
    /// loaded (`-1`, `5m`, `24h`); absent: forever for a concurrent roster, the
    /// server's default otherwise.
    #[serde(default)]
    pub keep_alive: Option<crate::ollama::KeepAlive>,
    /// A decoding speed every model must reach (a model's own replaces it).
    #[serde(default)]
    pub speed: Option<SpeedGoal>,
    /// A typical answer's time every model must keep (a model's own replaces it).
    #[serde(default)]
    pub latency: Option<LatencyGoal>,
    /// Parameters for every model.
    #[serde(default)]
    pub parameters: Parameters,
    /// Overrides per tier, keyed `"16"`, `"8"`, `"4"`, `"2"`.
    #[serde(default, deserialize_with = "tier_map")]
    pub tiers: BTreeMap<Tier, Parameters>,
    pub roster: Roster,
}

/// The models a profile provisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// Whether the models must fit in memory together (kept hot at once).
    #[serde(default)]
    pub concurrent: bool,
    /// Groups of models (by name) that generate at the same time: each shares
    /// the memory bandwidth with the others of its largest group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decode_together: Vec<Vec<String>>,
    pub models: Vec<RosterModel>,
}

/// One model to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterModel {
    /// The name `ollama create` gives the result, e.g. `coder`.
    pub name: String,
    /// The library model it is built from, e.g. `llama3.1:8b`.
    pub base: String,
    /// What it is for, in a few words.
    pub role: String,
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default)]
    pub parameters: Parameters,
    /// Tier bounds, inclusive.
    #[serde(default)]
    pub min_tier: Option<Tier>,
    #[serde(default)]
    pub max_tier: Option<Tier>,
    /// Quantization bounds, inclusive (by precision).
    #[serde(default)]
    pub min_quant: Option<Quant>,
    #[serde(default)]
    pub max_quant: Option<Quant>,
    /// A pinned quantization: used whatever the tier.
    #[serde(default)]
    pub quant: Option<Quant>,
    /// Weight in roster trade-offs: a higher priority keeps its quality longer.
    #[serde(default = "default_priority")]
    pub priority: u32,
    /// The decoding speed this model must reach (replaces the profile's).
    #[serde(default)]
    pub speed: Option<SpeedGoal>,
    /// The time a typical answer of this model may take (replaces the profile's).
    #[serde(default)]
    pub latency: Option<LatencyGoal>,
}

fn default_priority() -> u32 {
    1
}

fn tier_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<Tier, Parameters>, D::Error> {
    let raw = BTreeMap::<TierKey, Parameters>::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|(key, parameters)| (key.0, parameters))
        .collect())
}

/// A tier as a map key, `"16"` or `16`, checked inside the key so errors point at it.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct TierKey(Tier);

impl<'de> Deserialize<'de> for TierKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = TierKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tier: 16, 8, 4 or 2")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TierKey, E> {
                v.parse().map(TierKey).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<TierKey, E> {
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

impl Profile {
    /// Checks what the YAML types cannot: names, bounds, duplicates, single-line text.
    pub fn check(&self) -> Result<()> {
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            bail!(
                "profile name '{}' may hold only letters, digits, '-', '_' and '.'",
                self.name
            );
        }
        if self.description.contains(['\n', '\r']) {
            bail!("description must be one line");
        }
        self.fit_policy().validate()?;
        let explicit = self.parameters.names().contains(&"num_thread");
        if explicit && self.num_thread.is_some() {
            bail!("num_thread is set both at the top level and in parameters; keep one");
        }
        if self.roster.models.is_empty() {
            bail!("roster has no models");
        }
        for (i, model) in self.roster.models.iter().enumerate() {
            model
                .check()
                .map_err(|e| anyhow::anyhow!("roster model '{}': {e}", model.name))?;
            let earlier = &self.roster.models[..i];
            match earlier.iter().find(|m| same_model(&m.name, &model.name)) {
                Some(m) if m.name == model.name => {
                    bail!("roster model '{}' appears twice", model.name)
                }
                Some(m) => bail!(
                    "roster models '{}' and '{}' are the same model to Ollama ({SAME_MODEL_WHY}): rename one",
                    m.name,
                    model.name
                ),
                None => {}
            }
        }
        self.check_decode_together()
    }

    fn check_decode_together(&self) -> Result<()> {
        for group in &self.roster.decode_together {
            if group.len() < 2 {
                bail!("roster.decode_together: a group needs at least two models");
            }
            for (i, name) in group.iter().enumerate() {
                if self.model(name).is_none() {
                    bail!("roster.decode_together: no roster model is named '{name}'");
                }
                if group[..i].contains(name) {
                    bail!("roster.decode_together: '{name}' appears twice in one group");
                }
            }
        }
        Ok(())
    }

    /// The speed goals of a model: its own, each else the profile's.
    pub fn goal(&self, model: &RosterModel) -> Option<Goal> {
        Goal::of((model.speed, model.latency), (self.speed, self.latency))
    }

    /// Whether any model has a speed goal (so the bandwidth is needed).
    pub fn has_speed_goals(&self) -> bool {
        self.speed.is_some()
            || self.latency.is_some()
            || self
                .roster
                .models
                .iter()
                .any(|m| m.speed.is_some() || m.latency.is_some())
    }

    /// How many models decode at the same time as `name`: the size of its
    /// largest `decode_together` group, 1 when it is in none.
    pub fn decoding_together(&self, name: &str) -> u32 {
        let groups = self.roster.decode_together.iter();
        let sizes = groups.filter(|g| g.iter().any(|n| n == name)).map(Vec::len);
        sizes.max().map_or(1, |n| n as u32)
    }

    /// How this profile fits models: its `fit:` section with its `reserve:`.
    pub fn fit_policy(&self) -> FitPolicy {
        FitPolicy {
            reserve: self.reserve,
            ..self.fit.clone()
        }
    }

    /// The roster entry called `name`.
    pub fn model(&self, name: &str) -> Option<&RosterModel> {
        self.roster.models.iter().find(|m| m.name == name)
    }
}

impl RosterModel {
    fn check(&self) -> Result<()> {
        ModelName::parse(&self.name)?;
        ModelName::parse(&self.base)?;
        if let Some(system) = &self.system {
            quote("SYSTEM", system)?;
        }
        if self.quant.is_some() && (self.min_quant.is_some() || self.max_quant.is_some()) {
            bail!("quant pins the quantization; drop min_quant/max_quant");
        }
        if let (Some(low), Some(high)) = (self.min_tier, self.max_tier)
            && low > high
        {
            bail!("min_tier {low} is above max_tier {high}");
        }
        if let (Some(low), Some(high)) = (self.min_quant, self.max_quant)
            && low > high
        {
            bail!("min_quant {low} is more precise than max_quant {high}");
        }
        Ok(())
    }

    /// The tiers this model may be built at, highest first.
    pub fn allowed_tiers(&self) -> Vec<Tier> {
        let quant_allowed = |q: Quant| {
            self.min_quant.is_none_or(|low| q >= low) && self.max_quant.is_none_or(|high| q <= high)
        };
        Tier::LADDER
            .into_iter()
            .filter(|t| self.min_tier.is_none_or(|low| *t >= low))
            .filter(|t| self.max_tier.is_none_or(|high| *t <= high))
            .filter(|t| {
                self.quant.is_some()
                    || Quant::all().any(|q| Tier::of_quant(q) == *t && quant_allowed(q))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_survive_serialization() {
        for (name, text) in BUILTINS {
            let profile = parse(text, name).unwrap();
            let yaml = serde_yaml::to_string(&profile).unwrap();
            assert_eq!(parse(&yaml, name).unwrap(), profile, "{yaml}");
            let json = serde_json::to_value(&profile).unwrap();
            assert_eq!(json["name"], name);
        }
    }

    #[test]
    fn names_that_differ_only_in_case_or_latest_collide() {
        let roster = |a: &str, b: &str| {
            format!(
                "name: x\ndescription: y\nroster:\n  models:\n    - {{name: '{a}', base: 'llama3.2:1b', role: r}}\n    - {{name: '{b}', base: 'llama3.2:3b', role: r}}\n"
            )
        };
        let cases = [
            (
                "A",
                "a",
                "roster models 'A' and 'a' are the same model to Ollama",
            ),
            (
                "me/x",
                "me/x:latest",
                "roster models 'me/x' and 'me/x:latest' are the same",
            ),
            ("a", "a", "roster model 'a' appears twice"),
        ];
        for (a, b, expected) in cases {
            let error = parse(&roster(a, b), "p.yaml").unwrap_err().to_string();
            assert!(error.starts_with(&format!("p.yaml: {expected}")), "{error}");
        }
        assert!(parse(&roster("a", "b"), "p.yaml").is_ok());
    }

    #[test]
    fn allowed_tiers_follow_bounds() {
        let edge = parse(BUILTINS[3].1, "edge").unwrap();
        assert_eq!(edge.roster.models[0].allowed_tiers(), [Tier::T4, Tier::T2]);
        let syndicate = parse(BUILTINS[2].1, "syndicate").unwrap();
        let judge = syndicate.model("judge").unwrap();
        assert_eq!(
            judge.allowed_tiers(),
            [Tier::T16, Tier::T8],
            "min_quant Q8_0"
        );
        let decider = syndicate.model("decider").unwrap();
        assert_eq!(
            decider.allowed_tiers(),
            [Tier::T16, Tier::T8, Tier::T4],
            "min_quant Q4_K_M"
        );
        let pinned = parse(
            &load::tests::MINIMAL.replace("role: r}", "role: r, quant: Q6_K}"),
            "p",
        )
        .unwrap();
        assert_eq!(
            pinned.roster.models[0].allowed_tiers(),
            Tier::LADDER,
            "a pinned quant fits any tier"
        );
    }

    #[test]
    fn goals_are_the_model_s_own_else_the_profile_s_and_groups_share() {
        let syndicate = parse(BUILTINS[2].1, "syndicate").unwrap();
        assert!(syndicate.has_speed_goals());
        let judge = syndicate.model("judge").unwrap();
        assert_eq!(syndicate.goal(judge), None, "a precise judge");
        let decider = syndicate.model("decider").unwrap();
        assert!(syndicate.goal(decider).unwrap().latency.is_some());
        assert_eq!(syndicate.decoding_together("decider"), 2);
        assert_eq!(syndicate.decoding_together("analyst"), 1);
        let default = parse(BUILTINS[0].1, "default").unwrap();
        assert!(!default.has_speed_goals(), "default stays fit-first");
        let coder = parse(BUILTINS[1].1, "coder").unwrap();
        let goal = coder.goal(&coder.roster.models[0]).unwrap();
        assert_eq!(goal.describe(), "64 tokens in 2 s");
        for (group, why) in [
            ("[[judge]]", "at least two"),
            ("[[judge, nobody]]", "'nobody'"),
            ("[[judge, judge]]", "twice"),
        ] {
            let yaml = BUILTINS[2].1.replace(
                "    - [specialist, decider]",
                &format!("    - {}", &group[1..group.len() - 1]),
            );
            let error = parse(&yaml, "s.yaml").unwrap_err().to_string();
            assert!(
                error.contains("roster.decode_together") && error.contains(why),
                "{error}"
            );
        }
    }
}
