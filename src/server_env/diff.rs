//! A unified diff of a small text file (the drop-in), with its whole content as
//! context: what `--dry-run` shows before the file is rewritten.

use std::path::Path;

/// Lines past which the diff is "all old lines out, all new lines in" instead of
/// a longest common subsequence (a drop-in holds a dozen lines).
const MAX_LINES: usize = 400;

/// `--- path` / `+++ path`, then each line prefixed `-`, `+` or a space. A file
/// that does not exist yet is `/dev/null`.
pub fn unified(path: &Path, old: Option<&str>, new: &str) -> String {
    let from = match old {
        Some(_) => path.display().to_string(),
        None => "/dev/null".to_string(),
    };
    let mut out = format!("--- {from}\n+++ {}\n", path.display());
    let old: Vec<&str> = old.map(|t| t.lines().collect()).unwrap_or_default();
    let new: Vec<&str> = new.lines().collect();
    for (mark, line) in edits(&old, &new) {
        out.push(mark);
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The edit script from `old` to `new`.
fn edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(char, &'a str)> {
    if old.len() > MAX_LINES || new.len() > MAX_LINES {
        let gone = old.iter().map(|l| ('-', *l));
        return gone.chain(new.iter().map(|l| ('+', *l))).collect();
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = match old[i] == new[j] {
                true => lcs[i + 1][j + 1] + 1,
                false => lcs[i + 1][j].max(lcs[i][j + 1]),
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            out.push((' ', old[i]));
            (i, j) = (i + 1, j + 1);
        } else if j == new.len() || (i < old.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(('-', old[i]));
            i += 1;
        } else {
            out.push(('+', new[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_a_minus_and_a_plus_among_context() {
        let path = Path::new("/etc/x.conf");
        let diff = unified(path, Some("[Service]\nA=1\nB=2\n"), "[Service]\nA=3\nB=2\n");
        assert_eq!(
            diff,
            "--- /etc/x.conf\n+++ /etc/x.conf\n [Service]\n-A=1\n+A=3\n B=2\n"
        );
        let created = unified(path, None, "[Service]\n");
        assert_eq!(created, "--- /dev/null\n+++ /etc/x.conf\n+[Service]\n");
    }
}
