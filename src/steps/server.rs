//! How the server-environment steps read in `--dry-run` and the JSON
//! `commands`: the file written, the exact `systemctl` lines, the wait.

use super::Step;
use std::path::Path;

/// The command line of a server-environment step; None for the model steps.
/// `ollama` is how the `ollama` program is shown.
pub(super) fn command_line(step: &Step, ollama: &str) -> Option<String> {
    let line = match step {
        Step::WriteServerEnv { path, .. } => format!("write {} (mode 0644)", path.display()),
        Step::ReloadSystemd { systemctl } => format!("{} daemon-reload", program(systemctl)),
        Step::RestartServer { systemctl, unit } => {
            format!("{} restart {unit}", program(systemctl))
        }
        Step::WaitForServer { seconds } => {
            format!("{ollama} list (until the server answers, at most {seconds} s)")
        }
        _ => return None,
    };
    Some(line)
}

/// A program as command lines show it: its file name.
fn program(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn server_steps_read_as_their_commands() {
        let systemctl = PathBuf::from("/usr/bin/systemctl");
        let lines: Vec<String> = [
            Step::WriteServerEnv {
                path: "/etc/systemd/system/ollama.service.d/50-provision.conf".into(),
                content: String::new(),
            },
            Step::ReloadSystemd {
                systemctl: systemctl.clone(),
            },
            Step::RestartServer {
                systemctl,
                unit: "ollama".into(),
            },
            Step::WaitForServer { seconds: 60 },
        ]
        .iter()
        .map(|s| s.command_line("ollama"))
        .collect();
        assert_eq!(
            lines,
            [
                "write /etc/systemd/system/ollama.service.d/50-provision.conf (mode 0644)",
                "systemctl daemon-reload",
                "systemctl restart ollama",
                "ollama list (until the server answers, at most 60 s)",
            ]
        );
        assert!(!Step::WaitForServer { seconds: 1 }.writes());
    }
}
