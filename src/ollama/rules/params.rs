//! Which PARAMETER names each version accepts (`api/types.go` `Options` and
//! `Runner` JSON tags, read by `api.FormatParams`, which answers "unknown parameter
//! 'X'" for any other) and which it drops with a warning (`parser/parser.go`
//! `deprecatedParameters`, 0.5.5 and later, applied by the client).

use super::version::{OllamaVersion, v};
use crate::modelfile::params::{Kind, Lookup};

/// `deprecatedParameters` grew to nine names when the fields left `api.Options`
/// (commits 3b2d2c832, fa9973cd7; first tagged v0.6.9-rc0).
const NINE_DEPRECATED: OllamaVersion = v(0, 6, 9);
/// The client's `CreateRequest` (and its deprecated list) arrived with 86a622cbd.
const FIRST_DEPRECATED: OllamaVersion = v(0, 5, 5);

/// `(name, kind, first version, first version without it)`, from the JSON tags of
/// `api/types.go` at every tag from v0.1.45 to v0.33.0-rc2.
const TABLE: [(&str, Kind, OllamaVersion, Option<OllamaVersion>); 31] = [
    ("num_keep", Kind::Int, v(0, 1, 45), None),
    ("seed", Kind::Int, v(0, 1, 45), None),
    ("num_predict", Kind::Int, v(0, 1, 45), None),
    ("top_k", Kind::Int, v(0, 1, 45), None),
    ("top_p", Kind::Float, v(0, 1, 45), None),
    ("typical_p", Kind::Float, v(0, 1, 45), None),
    ("repeat_last_n", Kind::Int, v(0, 1, 45), None),
    ("temperature", Kind::Float, v(0, 1, 45), None),
    ("repeat_penalty", Kind::Float, v(0, 1, 45), None),
    ("presence_penalty", Kind::Float, v(0, 1, 45), None),
    ("frequency_penalty", Kind::Float, v(0, 1, 45), None),
    ("stop", Kind::Text, v(0, 1, 45), None),
    ("num_ctx", Kind::Int, v(0, 1, 45), None),
    ("num_batch", Kind::Int, v(0, 1, 45), None),
    ("num_gpu", Kind::Int, v(0, 1, 45), None),
    ("main_gpu", Kind::Int, v(0, 1, 45), None),
    ("num_thread", Kind::Int, v(0, 1, 45), None),
    // 0.1.45's `TriState` is an int to FormatParams ("invalid int value [true]");
    // 7e7749224 (v0.1.46) reads it as a bool.
    ("use_mmap", Kind::Int, v(0, 1, 45), Some(v(0, 1, 46))),
    ("use_mmap", Kind::Bool, v(0, 1, 46), None),
    ("min_p", Kind::Float, v(0, 3, 1), None),
    ("numa", Kind::Bool, v(0, 1, 45), Some(v(0, 3, 4))),
    ("tfs_z", Kind::Float, v(0, 1, 45), Some(v(0, 5, 2))),
    (
        "penalize_newline",
        Kind::Bool,
        v(0, 1, 45),
        Some(FIRST_DEPRECATED),
    ),
    ("mirostat", Kind::Int, v(0, 1, 45), Some(NINE_DEPRECATED)),
    (
        "mirostat_tau",
        Kind::Float,
        v(0, 1, 45),
        Some(NINE_DEPRECATED),
    ),
    (
        "mirostat_eta",
        Kind::Float,
        v(0, 1, 45),
        Some(NINE_DEPRECATED),
    ),
    ("low_vram", Kind::Bool, v(0, 1, 45), Some(NINE_DEPRECATED)),
    ("f16_kv", Kind::Bool, v(0, 1, 45), Some(NINE_DEPRECATED)),
    ("logits_all", Kind::Bool, v(0, 1, 45), Some(NINE_DEPRECATED)),
    ("vocab_only", Kind::Bool, v(0, 1, 45), Some(NINE_DEPRECATED)),
    ("use_mlock", Kind::Bool, v(0, 1, 45), Some(NINE_DEPRECATED)),
];

/// `draft_num_predict` arrived with llama-server (9db4bdbad, v0.30.0).
const DRAFT: (&str, Kind, OllamaVersion) = ("draft_num_predict", Kind::Int, v(0, 30, 0));

fn known(version: OllamaVersion) -> impl Iterator<Item = (&'static str, Kind)> {
    TABLE
        .iter()
        .copied()
        .chain(std::iter::once((DRAFT.0, DRAFT.1, DRAFT.2, None)))
        .filter(move |&(_, _, from, until)| version >= from && until.is_none_or(|u| version < u))
        .map(|(name, kind, ..)| (name, kind))
}

/// The names this version drops with `warning: parameter X is deprecated`.
pub fn deprecated(version: OllamaVersion) -> &'static [&'static str] {
    if version >= NINE_DEPRECATED {
        &crate::modelfile::params::DEPRECATED
    } else if version >= FIRST_DEPRECATED {
        &["penalize_newline"]
    } else {
        &[]
    }
}

/// What this version makes of a parameter name (case-sensitive, as upstream's map).
pub fn lookup(version: OllamaVersion, name: &str) -> Lookup {
    if let Some((_, kind)) = known(version).find(|(n, _)| *n == name) {
        Lookup::Known(kind)
    } else if deprecated(version).contains(&name) {
        Lookup::Deprecated
    } else {
        Lookup::Unknown
    }
}

/// The names this version accepts, in `api.Options` order.
pub fn valid_names(version: OllamaVersion) -> Vec<&'static str> {
    known(version).map(|(name, _)| name).collect()
}

/// Why this version refuses `name`, naming when it arrived or left if it ever existed.
pub fn unknown_parameter(version: OllamaVersion, name: &str) -> String {
    let history = TABLE
        .iter()
        .map(|&(n, _, from, until)| (n, from, until))
        .chain(std::iter::once((DRAFT.0, DRAFT.2, None)))
        .filter(|(n, ..)| *n == name)
        .map(|(_, from, until)| match until {
            Some(until) if version >= until => format!(" (removed in {until})"),
            _ => format!(" (added in {from})"),
        })
        .next()
        .unwrap_or_default();
    format!(
        "Ollama {version} rejects PARAMETER {name}: unknown parameter '{name}'{history}; valid parameters: {}",
        valid_names(version).join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modelfile::params::{self, PARAMETERS};

    #[test]
    fn newest_matches_the_modelfile_table() {
        // api/types.go at v0.33.0-rc2 is what src/modelfile/params.rs lists.
        let mut ours = valid_names(OllamaVersion::NEWEST);
        let mut theirs: Vec<&str> = PARAMETERS.iter().map(|(n, _)| *n).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
        for (name, kind) in PARAMETERS {
            assert_eq!(
                lookup(OllamaVersion::NEWEST, name),
                params::lookup(name),
                "{name}"
            );
            assert_eq!(lookup(OllamaVersion::NEWEST, name), Lookup::Known(kind));
        }
        for name in params::DEPRECATED {
            assert_eq!(
                lookup(OllamaVersion::NEWEST, name),
                Lookup::Deprecated,
                "{name}"
            );
        }
    }

    #[test]
    fn matches_the_real_0_5_4() {
        // `ollama create` on 0.5.4-ipexllm-20250407: tfs_z, numa and draft_num_predict →
        // "Error: unknown parameter 'X'"; the others succeed.
        let v054 = v(0, 5, 4);
        for unknown in ["tfs_z", "numa", "draft_num_predict"] {
            assert_eq!(lookup(v054, unknown), Lookup::Unknown, "{unknown}");
        }
        for name in ["penalize_newline", "mirostat", "min_p", "use_mmap"] {
            assert!(matches!(lookup(v054, name), Lookup::Known(_)), "{name}");
        }
    }

    #[test]
    fn min_p_is_unknown_before_0_3_1() {
        // Issue 16 item 17: 0.1.45 rejects min_p (api/types.go gains MinP in f3d7a481b, v0.3.1).
        assert_eq!(lookup(v(0, 1, 45), "min_p"), Lookup::Unknown);
        assert_eq!(lookup(v(0, 3, 1), "min_p"), Lookup::Known(Kind::Float));
        let error = unknown_parameter(v(0, 1, 45), "min_p");
        assert!(error.starts_with("Ollama 0.1.45 rejects PARAMETER min_p: unknown parameter 'min_p' (added in 0.3.1); valid parameters: num_keep"), "{error}");
        assert!(!error.contains("draft_num_predict"), "{error}");
    }

    #[test]
    fn removed_fields_error_and_deprecated_ones_warn() {
        // numa left in v0.3.4, tfs_z in v0.5.2: FormatParams errors, no deprecation.
        assert_eq!(lookup(v(0, 3, 3), "numa"), Lookup::Known(Kind::Bool));
        assert_eq!(lookup(v(0, 3, 4), "numa"), Lookup::Unknown);
        assert_eq!(lookup(v(0, 5, 2), "tfs_z"), Lookup::Unknown);
        assert!(unknown_parameter(v(0, 5, 4), "tfs_z").contains("(removed in 0.5.2)"));
        // penalize_newline: a field to 0.5.4, deprecated from 0.5.5 (parser.go at v0.5.5).
        assert_eq!(
            lookup(v(0, 5, 4), "penalize_newline"),
            Lookup::Known(Kind::Bool)
        );
        assert_eq!(lookup(v(0, 5, 5), "penalize_newline"), Lookup::Deprecated);
        // mirostat and seven others: fields to 0.6.8, deprecated from 0.6.9.
        assert_eq!(lookup(v(0, 6, 8), "mirostat"), Lookup::Known(Kind::Int));
        assert_eq!(lookup(v(0, 6, 9), "mirostat"), Lookup::Deprecated);
        assert_eq!(deprecated(v(0, 5, 4)), &[] as &[&str]);
        // use_mmap is an int on 0.1.45 only; draft_num_predict needs 0.30.0.
        assert_eq!(lookup(v(0, 1, 45), "use_mmap"), Lookup::Known(Kind::Int));
        assert_eq!(lookup(v(0, 1, 46), "use_mmap"), Lookup::Known(Kind::Bool));
        assert_eq!(lookup(v(0, 24, 0), "draft_num_predict"), Lookup::Unknown);
        assert_eq!(
            lookup(v(0, 30, 0), "draft_num_predict"),
            Lookup::Known(Kind::Int)
        );
        assert_eq!(lookup(OllamaVersion::NEWEST, "Num_Ctx"), Lookup::Unknown);
    }
}
