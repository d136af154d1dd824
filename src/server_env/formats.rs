//! The server variables as the places that take them read them (env file,
//! systemd drop-in, docker, compose, ollama-helm, launchctl, JSON), and the
//! instructions for a place where `provision` cannot apply them itself.

use super::decide::Place;
use super::{Desired, Format, systemd};
use crate::output::SCHEMA_VERSION;
use serde_json::json;

/// The variables in `format`. `ollama-helm`'s `extraEnv` is a list of
/// `{name, value}` (chart values.yaml, otwld/ollama-helm 1.77.0), values quoted.
pub fn render(format: Format, desired: &Desired) -> String {
    let pairs = desired.pairs();
    let lines = |each: &dyn Fn(&str, &str) -> String| -> String {
        pairs.iter().map(|(n, v)| each(n, v) + "\n").collect()
    };
    match format {
        Format::Env => env_file(desired),
        Format::Systemd => systemd::render_drop_in(&pairs),
        Format::Docker => docker_flags(desired) + "\n",
        Format::Compose => {
            "environment:\n".to_string() + &lines(&|n, v| format!("  {n}: {}", yaml(v)))
        }
        Format::Helm => {
            let each = |n: &str, v: &str| format!("  - name: {n}\n    value: {}", yaml(v));
            "extraEnv:\n".to_string() + &lines(&each)
        }
        Format::Launchctl => lines(&|n, v| shell(&["launchctl", "setenv", n, v])),
        Format::Json => {
            let object = json!({
                "schema_version": SCHEMA_VERSION,
                "variables": desired.variables,
                "ignored": desired.ignored,
            });
            serde_json::to_string_pretty(&object).unwrap_or_default() + "\n"
        }
    }
}

/// `KEY=VALUE` lines, as `docker --env-file` and compose `env_file` read them
/// (no quoting: the value is everything after `=`).
pub fn env_file(desired: &Desired) -> String {
    let pairs = desired.pairs();
    pairs.iter().map(|(n, v)| format!("{n}={v}\n")).collect()
}

fn docker_flags(desired: &Desired) -> String {
    let pairs = desired.pairs();
    let words: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let flags: Vec<&str> = words.iter().flat_map(|w| ["-e", w.as_str()]).collect();
    shell(&flags)
}

/// What to set and how, for a place where `provision` does not apply them (or
/// for `--server-env print` anywhere): a few lines.
pub fn instructions(place: &Place, desired: &Desired) -> String {
    let pairs = desired.pairs();
    let assignments: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let serve = shell(&assignments.iter().map(String::as_str).collect::<Vec<_>>());
    match place {
        Place::Systemd { drop_in, .. } | Place::NoPermission { drop_in } => format!(
            "write {} (or run `sudo provision auto`):\n{}then: systemctl daemon-reload && systemctl restart ollama\n",
            drop_in.display(),
            systemd::render_drop_in(&pairs)
        ),
        Place::Container => format!(
            "set them on the Ollama container: docker run {} … ollama/ollama\n(or --server-env-file FILE for docker --env-file / compose env_file)\n",
            docker_flags(desired)
        ),
        Place::MacOs => format!(
            "{}then quit and reopen the Ollama application\n",
            render(Format::Launchctl, desired)
        ),
        Place::Windows => {
            let setx: String = (pairs.iter())
                .map(|(n, v)| shell(&["setx", n, v]) + "\n")
                .collect();
            format!("{setx}then quit Ollama and start it again from the Start menu\n")
        }
        Place::NoUnit | Place::NoSystemd => {
            format!("start the server with them: {serve} ollama serve\n")
        }
        Place::Remote { url } => format!(
            "set them on the server at {url} (provision plan --server-env-format env|systemd|docker|helm prints them):\n{}",
            env_file(desired)
        ),
    }
}

/// The same on one line, for a warning.
pub fn hint(place: &Place, desired: &Desired) -> String {
    let assignments: Vec<String> = (desired.pairs().iter())
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    let set = shell(&assignments.iter().map(String::as_str).collect::<Vec<_>>());
    match place {
        Place::NoPermission { drop_in } => format!(
            "run `sudo provision auto` to write {} (or set {set} there yourself)",
            drop_in.display()
        ),
        Place::Container => format!(
            "set them on the Ollama container: `docker run {} …` (or --server-env-file FILE for --env-file)",
            docker_flags(desired)
        ),
        Place::MacOs => {
            let each: Vec<String> = (desired.pairs().iter())
                .map(|(n, v)| shell(&["launchctl", "setenv", n, v]))
                .collect();
            format!("`{}`, then restart the Ollama application", each.join("; "))
        }
        Place::Remote { url } => format!("set {set} on the server at {url}"),
        _ => format!("set {set} in the environment of `ollama serve`"),
    }
}

/// Words joined for a POSIX shell, single-quoted when they hold anything but
/// plain characters.
fn shell(words: &[&str]) -> String {
    let plain = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=.,:/+@%".contains(c))
    };
    let quoted: Vec<String> = (words.iter())
        .map(|w| match plain(w) {
            true => w.to_string(),
            false => format!("'{}'", w.replace('\'', "'\\''")),
        })
        .collect();
    quoted.join(" ")
}

/// A YAML double-quoted scalar (JSON string escapes are valid YAML).
fn yaml(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server_env::Wanted;

    fn desired() -> Desired {
        let wanted = |name: &str, value: &str| Wanted {
            name: name.into(),
            value: value.into(),
            reason: "r".into(),
        };
        Desired {
            variables: vec![
                wanted("OLLAMA_MAX_LOADED_MODELS", "3"),
                wanted("OLLAMA_KEEP_ALIVE", "-1"),
            ],
            ignored: Vec::new(),
        }
    }

    #[test]
    fn each_format_holds_every_variable() {
        let d = desired();
        assert_eq!(
            render(Format::Env, &d),
            "OLLAMA_MAX_LOADED_MODELS=3\nOLLAMA_KEEP_ALIVE=-1\n"
        );
        assert_eq!(
            render(Format::Docker, &d),
            "-e OLLAMA_MAX_LOADED_MODELS=3 -e OLLAMA_KEEP_ALIVE=-1\n"
        );
        assert_eq!(
            render(Format::Helm, &d),
            "extraEnv:\n  - name: OLLAMA_MAX_LOADED_MODELS\n    value: \"3\"\n  - name: OLLAMA_KEEP_ALIVE\n    value: \"-1\"\n"
        );
        assert_eq!(
            render(Format::Compose, &d),
            "environment:\n  OLLAMA_MAX_LOADED_MODELS: \"3\"\n  OLLAMA_KEEP_ALIVE: \"-1\"\n"
        );
        assert_eq!(
            render(Format::Launchctl, &d),
            "launchctl setenv OLLAMA_MAX_LOADED_MODELS 3\nlaunchctl setenv OLLAMA_KEEP_ALIVE -1\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render(Format::Json, &d)).unwrap();
        assert_eq!(json["variables"][1]["value"], "-1");
        assert!(render(Format::Systemd, &d).contains("Environment=\"OLLAMA_KEEP_ALIVE=-1\"\n"));
    }

    #[test]
    fn instructions_name_the_way_each_place_takes_them() {
        let d = desired();
        let container = hint(&Place::Container, &d);
        assert!(
            container
                .contains("`docker run -e OLLAMA_MAX_LOADED_MODELS=3 -e OLLAMA_KEEP_ALIVE=-1 …`"),
            "{container}"
        );
        let mac = instructions(&Place::MacOs, &d);
        assert!(
            mac.starts_with("launchctl setenv OLLAMA_MAX_LOADED_MODELS 3\n"),
            "{mac}"
        );
        let bare = instructions(&Place::NoSystemd, &d);
        assert_eq!(
            bare,
            "start the server with them: OLLAMA_MAX_LOADED_MODELS=3 OLLAMA_KEEP_ALIVE=-1 ollama serve\n"
        );
        let denied = Place::NoPermission {
            drop_in: "/etc/d/50-provision.conf".into(),
        };
        assert!(
            hint(&denied, &d)
                .starts_with("run `sudo provision auto` to write /etc/d/50-provision.conf")
        );
        assert_eq!(shell(&["a b", "it's", "$x"]), "'a b' 'it'\\''s' '$x'");
    }
}
