//! The decision: the desired variables next to the effective ones, and the
//! steps (write, reload, restart, wait) that make them match, or the
//! instructions when they cannot be applied here.

pub use super::state::{Decision, Mode, Observed, Place, VariableState};

use super::systemd::{self, UnitState};
use super::{Desired, Policy, diff, formats};
use crate::steps::Step;
use std::collections::BTreeMap;
use std::path::Path;

/// How long `auto` waits for the restarted server to answer.
pub const WAIT_SECONDS: u64 = 60;

/// Decides (see the module comment).
pub fn decide(desired: &Desired, observed: &Observed, policy: Policy) -> Decision {
    let (effective, from) = match (&observed.process, &observed.unit) {
        (Some(env), _) => (Some(env), Some("process")),
        (None, Some(unit)) => (Some(&unit.environment), Some("systemd")),
        (None, None) => (None, None),
    };
    let stale = match observed.place {
        Place::Systemd { .. } => stale_names(desired, observed.drop_in.as_deref()),
        _ => Vec::new(),
    };
    let variables = states(desired, &stale, effective);
    let in_effect = effective.map(|_| variables.iter().all(|v| v.desired == v.effective));
    let decision = Decision {
        mode: Mode::Skip,
        variables,
        effective_from: from,
        steps: Vec::new(),
        reason: String::new(),
        diff: None,
        how: String::new(),
        in_effect,
        warnings: Vec::new(),
    };
    match (policy, &observed.place) {
        (Policy::Skip, _) => Decision {
            reason: "--server-env skip".into(),
            ..decision
        },
        (Policy::Apply, Place::Systemd { drop_in, systemctl }) => {
            apply(desired, observed, decision, drop_in, systemctl)
        }
        (policy, place) => print(desired, place, policy, decision),
    }
}

/// Names the existing drop-in sets that the plan no longer wants.
fn stale_names(desired: &Desired, drop_in: Option<&str>) -> Vec<String> {
    let set = drop_in
        .map(systemd::drop_in_assignments)
        .unwrap_or_default();
    set.into_keys()
        .filter(|name| !desired.variables.iter().any(|w| &w.name == name))
        .collect()
}

fn states(
    desired: &Desired,
    stale: &[String],
    effective: Option<&BTreeMap<String, String>>,
) -> Vec<VariableState> {
    let lookup = |name: &str| effective.and_then(|env| env.get(name).cloned());
    let wanted = desired.variables.iter().map(|w| VariableState {
        name: w.name.clone(),
        desired: Some(w.value.clone()),
        effective: lookup(&w.name),
    });
    let gone = stale.iter().map(|name| VariableState {
        name: name.clone(),
        desired: None,
        effective: lookup(name),
    });
    wanted.chain(gone).collect()
}

/// Systemd: rewrite the drop-in when it differs, reload when it was rewritten
/// (or systemd says a reload is due), restart only when the running server's
/// values differ from the plan's.
fn apply(
    desired: &Desired,
    observed: &Observed,
    decision: Decision,
    drop_in: &Path,
    systemctl: &Path,
) -> Decision {
    let unit = observed.unit.clone().unwrap_or_default();
    let content = systemd::render_drop_in(&desired.pairs());
    let write = observed.drop_in.as_deref() != Some(content.as_str());
    let reload = write || unit.need_reload;
    // With the drop-in loaded as planned, a value systemd still disagrees with
    // comes from a later drop-in or the unit: restarting would not change it.
    let overridden = |v: &&VariableState| {
        !reload && v.desired.is_some() && unit.environment.get(&v.name) != v.desired.as_ref()
    };
    let differs: Vec<&VariableState> = (decision.variables.iter())
        .filter(|v| v.desired != v.effective && !overridden(v))
        .collect();
    let restart = unit.running() && !differs.is_empty();
    let mut reason = changes(&differs);
    if reason.is_empty() {
        reason = match write {
            true => format!("{} differs from the plan", systemd::DROP_IN_NAME),
            false => "in effect".to_string(),
        };
    } else if !unit.running() {
        reason.push_str("; ollama is not running: the values apply when it starts");
    }
    let kept: Vec<&VariableState> = decision.variables.iter().filter(overridden).collect();
    Decision {
        mode: Mode::Apply,
        steps: systemd_steps(
            write.then_some(&content),
            reload,
            restart,
            drop_in,
            systemctl,
        ),
        reason,
        diff: write.then(|| diff::unified(drop_in, observed.drop_in.as_deref(), &content)),
        how: drop_in.display().to_string(),
        warnings: kept.iter().map(|v| overridden_warning(v, &unit)).collect(),
        ..decision
    }
}

/// Write (the new content, when there is one), reload, restart and wait.
fn systemd_steps(
    content: Option<&String>,
    reload: bool,
    restart: bool,
    drop_in: &Path,
    systemctl: &Path,
) -> Vec<Step> {
    let mut steps = Vec::new();
    if let Some(content) = content {
        let (path, content) = (drop_in.to_path_buf(), content.clone());
        steps.push(Step::WriteServerEnv { path, content });
    }
    if reload {
        let systemctl = systemctl.to_path_buf();
        steps.push(Step::ReloadSystemd { systemctl });
    }
    if restart {
        let (systemctl, unit) = (systemctl.to_path_buf(), systemd::UNIT.to_string());
        steps.push(Step::RestartServer { systemctl, unit });
        steps.push(Step::WaitForServer {
            seconds: WAIT_SECONDS,
        });
    }
    steps
}

fn overridden_warning(variable: &VariableState, unit: &UnitState) -> String {
    let set = unit.environment.get(&variable.name);
    format!(
        "{} is {} in the ollama unit: another drop-in or the unit itself sets it after {}, so provision leaves it",
        variable.name,
        set.map_or("unset", String::as_str),
        systemd::DROP_IN_NAME
    )
}

/// Elsewhere, or with `--server-env print`: what to set and how. Failing to
/// apply is a warning, unless the values are known to be in effect already.
fn print(desired: &Desired, place: &Place, policy: Policy, decision: Decision) -> Decision {
    let differs: Vec<&VariableState> = (decision.variables.iter())
        .filter(|v| v.desired != v.effective)
        .collect();
    let reason = match decision.in_effect {
        Some(true) => "in effect".to_string(),
        Some(false) => changes(&differs),
        None => "the running server's environment could not be read".to_string(),
    };
    let mut warnings = Vec::new();
    if let (Policy::Apply, Some(why), false) =
        (policy, place.why_not(), decision.in_effect == Some(true))
    {
        warnings.push(format!(
            "could not apply the Ollama server settings ({why}): {}",
            formats::hint(place, desired)
        ));
    }
    Decision {
        mode: Mode::Print,
        reason,
        how: formats::instructions(place, desired),
        warnings,
        ..decision
    }
}

/// `NAME old → new` for each variable that differs.
fn changes(differs: &[&VariableState]) -> String {
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "unset".into());
    differs
        .iter()
        .map(|v| format!("{} {} → {}", v.name, shown(&v.effective), shown(&v.desired)))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server_env::Wanted;

    const DROP_IN: &str = "/r/etc/systemd/system/ollama.service.d/50-provision.conf";

    fn desired(pairs: &[(&str, &str)]) -> Desired {
        let wanted = |(name, value): &(&str, &str)| Wanted {
            name: name.to_string(),
            value: value.to_string(),
            reason: "r".into(),
        };
        Desired {
            variables: pairs.iter().map(wanted).collect(),
            ignored: Vec::new(),
        }
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The unit running with `unit_env`, its process with `process_env`.
    fn systemd(
        drop_in: Option<&str>,
        unit_env: &[(&str, &str)],
        process_env: Option<&[(&str, &str)]>,
    ) -> Observed {
        Observed {
            place: Place::Systemd {
                drop_in: DROP_IN.into(),
                systemctl: "/bin/systemctl".into(),
            },
            unit: Some(UnitState {
                load_state: "loaded".into(),
                active_state: "active".into(),
                main_pid: Some(9),
                need_reload: false,
                environment: env(unit_env),
            }),
            process: process_env.map(env),
            drop_in: drop_in.map(String::from),
        }
    }

    fn kinds(decision: &Decision) -> Vec<String> {
        decision
            .steps
            .iter()
            .map(|s| s.command_line("ollama"))
            .collect()
    }

    #[test]
    fn a_first_run_writes_reloads_restarts_and_waits() {
        let want = desired(&[
            ("OLLAMA_KEEP_ALIVE", "-1"),
            ("OLLAMA_MAX_LOADED_MODELS", "3"),
        ]);
        let d = decide(
            &want,
            &systemd(None, &[("PATH", "/bin")], Some(&[])),
            Policy::Apply,
        );
        assert_eq!(d.mode, Mode::Apply);
        assert_eq!(
            kinds(&d),
            [
                format!("write {DROP_IN} (mode 0644)"),
                "systemctl daemon-reload".into(),
                "systemctl restart ollama".into(),
                "ollama list (until the server answers, at most 60 s)".into(),
            ]
        );
        assert_eq!(
            d.reason,
            "OLLAMA_KEEP_ALIVE unset → -1; OLLAMA_MAX_LOADED_MODELS unset → 3"
        );
        assert_eq!(
            (d.effective_from, d.in_effect),
            (Some("process"), Some(false))
        );
        assert!(d.diff.unwrap().starts_with("--- /dev/null\n"));
    }

    #[test]
    fn values_in_effect_change_nothing() {
        let want = desired(&[("OLLAMA_KEEP_ALIVE", "-1")]);
        let text = systemd::render_drop_in(&want.pairs());
        let running = [("OLLAMA_KEEP_ALIVE", "-1")];
        let d = decide(
            &want,
            &systemd(Some(&text), &running, Some(&running)),
            Policy::Apply,
        );
        assert!(d.steps.is_empty(), "{:?}", d.steps);
        assert_eq!((d.reason.as_str(), d.in_effect), ("in effect", Some(true)));
    }

    #[test]
    fn an_edited_drop_in_is_rewritten_but_restarts_only_when_values_differ() {
        let want = desired(&[("OLLAMA_KEEP_ALIVE", "-1")]);
        let running = [("OLLAMA_KEEP_ALIVE", "-1")];
        let edited = "[Service]\nEnvironment=\"OLLAMA_KEEP_ALIVE=10m\"\n";
        // Edited, not reloaded: the server still runs with -1.
        let mut observed = systemd(Some(edited), &running, Some(&running));
        observed.unit.as_mut().unwrap().need_reload = true;
        let d = decide(&want, &observed, Policy::Apply);
        assert_eq!(kinds(&d).len(), 2, "{:?}", kinds(&d));
        assert_eq!(d.reason, "50-provision.conf differs from the plan");
        // Edited, reloaded and restarted by hand: the server runs with 10m.
        let now = [("OLLAMA_KEEP_ALIVE", "10m")];
        let d = decide(
            &want,
            &systemd(Some(edited), &now, Some(&now)),
            Policy::Apply,
        );
        assert_eq!(kinds(&d)[2], "systemctl restart ollama");
        assert_eq!(d.reason, "OLLAMA_KEEP_ALIVE 10m → -1");
        assert!(d.diff.unwrap().contains(
            "-Environment=\"OLLAMA_KEEP_ALIVE=10m\"\n+Environment=\"OLLAMA_KEEP_ALIVE=-1\"\n"
        ));
    }

    #[test]
    fn a_value_another_drop_in_overrides_is_a_warning_not_a_restart_loop() {
        let want = desired(&[("OLLAMA_KEEP_ALIVE", "-1")]);
        let text = systemd::render_drop_in(&want.pairs());
        let later = [("OLLAMA_KEEP_ALIVE", "5m")];
        let d = decide(
            &want,
            &systemd(Some(&text), &later, Some(&later)),
            Policy::Apply,
        );
        assert!(d.steps.is_empty(), "{:?}", d.steps);
        assert!(
            d.warnings[0].starts_with("OLLAMA_KEEP_ALIVE is 5m in the ollama unit"),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn a_variable_no_longer_planned_leaves_the_drop_in_and_the_server() {
        let want = desired(&[("OLLAMA_KEEP_ALIVE", "-1")]);
        let before = systemd::render_drop_in(&[
            ("OLLAMA_KEEP_ALIVE", "-1"),
            ("OLLAMA_KV_CACHE_TYPE", "q8_0"),
        ]);
        let running = [
            ("OLLAMA_KEEP_ALIVE", "-1"),
            ("OLLAMA_KV_CACHE_TYPE", "q8_0"),
        ];
        let d = decide(
            &want,
            &systemd(Some(&before), &running, None),
            Policy::Apply,
        );
        assert_eq!(d.reason, "OLLAMA_KV_CACHE_TYPE q8_0 → unset");
        assert_eq!(d.effective_from, Some("systemd"));
        assert_eq!(kinds(&d).len(), 4);
    }

    #[test]
    fn a_stopped_server_is_not_started() {
        let want = desired(&[("OLLAMA_KEEP_ALIVE", "-1")]);
        let mut observed = systemd(None, &[], None);
        observed.unit.as_mut().unwrap().active_state = "inactive".into();
        let d = decide(&want, &observed, Policy::Apply);
        assert_eq!(kinds(&d).len(), 2);
        assert!(
            d.reason
                .ends_with("ollama is not running: the values apply when it starts")
        );
    }

    #[test]
    fn elsewhere_the_instructions_are_a_warning_unless_in_effect() {
        let want = desired(&[("OLLAMA_KEEP_ALIVE", "-1")]);
        let container = |process: Option<&[(&str, &str)]>| Observed {
            place: Place::Container,
            unit: None,
            process: process.map(env),
            drop_in: None,
        };
        let d = decide(&want, &container(None), Policy::Apply);
        assert_eq!((d.mode, d.steps.len()), (Mode::Print, 0));
        assert_eq!(
            d.reason,
            "the running server's environment could not be read"
        );
        assert!(d.warnings[0].starts_with("could not apply the Ollama server settings (this is a container): set them on the Ollama container: `docker run -e OLLAMA_KEEP_ALIVE=-1 …`"), "{:?}", d.warnings);
        let d = decide(
            &want,
            &container(Some(&[("OLLAMA_KEEP_ALIVE", "-1")])),
            Policy::Apply,
        );
        assert!(d.warnings.is_empty());
        assert_eq!(d.in_effect, Some(true));
        let printed = decide(&want, &systemd(None, &[], None), Policy::Print);
        assert_eq!(
            (printed.mode, printed.steps.len(), printed.warnings.len()),
            (Mode::Print, 0, 0)
        );
        assert!(
            printed
                .how
                .starts_with(&format!("write {DROP_IN} (or run `sudo provision auto`):"))
        );
        let skipped = decide(&want, &container(None), Policy::Skip);
        assert_eq!((skipped.mode, skipped.how.as_str()), (Mode::Skip, ""));
    }
}
