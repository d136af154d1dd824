//! Closest-name suggestions for unknown model names and tags (edit distance).

/// Up to three candidates closest to `wanted`: those that start with it (a name
/// typed short), then those within an edit distance of a third of its length (at
/// least 2), nearest first.
pub fn closest(wanted: &str, candidates: impl IntoIterator<Item = String>) -> Vec<String> {
    let wanted = wanted.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(bool, usize, String)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            let distance = levenshtein(&wanted, &lower);
            let prefix = !wanted.is_empty() && lower.starts_with(&wanted);
            (distance <= limit || prefix).then_some((!prefix, distance, candidate))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, name)| name)
        .collect()
}

/// The number of single-character insertions, deletions and substitutions that
/// turn `a` into `b`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("llama3.1", "llama3.1"), 0);
        assert_eq!(levenshtein("lama3.1", "llama3.1"), 1);
    }

    #[test]
    fn suggests_near_names_and_prefixes() {
        let names = ["llama3.1", "llama3.2", "llama3.3", "qwen2.5", "mistral"].map(String::from);
        assert_eq!(
            closest("llama3", names.clone()),
            ["llama3.1", "llama3.2", "llama3.3"]
        );
        assert_eq!(closest("mistrall", names.clone()), ["mistral"]);
        assert!(closest("gpt-4", names).is_empty());
    }
}
