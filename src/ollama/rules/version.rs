//! Ollama's release number, read from `ollama -v`, and the oldest release `provision` supports.

use std::fmt;

/// An Ollama release as `major.minor.patch`. Rules compare releases only: a
/// suffix (`-rc1`, `-ipexllm-20250407`) is dropped, so a release candidate gets the
/// rules of its release (its tag is cut after the change it ships).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OllamaVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// Shorthand for the version constants the rules compare against.
pub(crate) const fn v(major: u32, minor: u32, patch: u32) -> OllamaVersion {
    OllamaVersion {
        major,
        minor,
        patch,
    }
}

impl OllamaVersion {
    /// The newest release whose source these rules were read from (tag v0.33.0-rc2,
    /// 2026-08-21). Planning without an Ollama present uses it; newer releases get
    /// its rules too, since every rule is "from version X on".
    pub const NEWEST: OllamaVersion = v(0, 33, 0);

    /// The oldest release `provision` drives: `ollama show MODEL` without a flag
    /// prints the model view from 0.1.45 on (commit fedf71635, `cmd/cmd.go`
    /// `ShowHandler`); 0.1.44 answers "one of '--license', '--modelfile', … must be
    /// specified".
    pub const OLDEST_SUPPORTED: OllamaVersion = v(0, 1, 45);

    /// Parses what `ollama -v` reports (`0.12.6`, `v0.5.7`, `0.5.4-ipexllm-20250407`,
    /// `0.9.7-rc1`). A missing patch or minor number counts as 0.
    pub fn parse(text: &str) -> Result<OllamaVersion, String> {
        let text = text.trim();
        let bare = text.strip_prefix('v').unwrap_or(text);
        let release = bare.split(['-', '+']).next().unwrap_or(bare);
        let mut numbers = release.split('.');
        let mut next = |required: bool| -> Result<u32, String> {
            match numbers.next() {
                None if !required => Ok(0),
                part => part
                    .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| {
                        format!("'{text}' is not an Ollama version (expected e.g. 0.12.6)")
                    }),
            }
        };
        let version = v(next(true)?, next(false)?, next(false)?);
        match numbers.next() {
            Some(_) => Err(format!(
                "'{text}' is not an Ollama version (expected e.g. 0.12.6)"
            )),
            None => Ok(version),
        }
    }

    /// A build without a release number (`go build` leaves `version.Version` at
    /// its default "0.0.0", `version/version.go`).
    pub fn is_unversioned(self) -> bool {
        self == v(0, 0, 0)
    }

    /// One line when this release is too old to drive, naming it and what is
    /// needed. 0.0.0 counts as too old: such a build says nothing about what it
    /// supports, and the only one seen in the wild (bigdl-core-cpp 2.5.0) has the
    /// pre-0.1.45 `ollama show` that demands a flag.
    pub fn check_supported(self) -> Result<(), String> {
        let needed = format!(
            "provision needs Ollama {} or newer (where `ollama show MODEL` prints the model view); \
             update it: https://ollama.com/download",
            Self::OLDEST_SUPPORTED
        );
        if self.is_unversioned() {
            return Err(format!(
                "Ollama reports version 0.0.0 (a build without a release number, which cannot say what it supports): {needed}"
            ));
        }
        if self < Self::OLDEST_SUPPORTED {
            return Err(format!("Ollama {self} is too old: {needed}"));
        }
        Ok(())
    }

    /// The version to apply rules for, from what `ollama -v` reported: the
    /// server's, else the client's; None when neither was reported. (A client
    /// newer than its server still sends what the server's version reads.)
    pub fn of(reported: &crate::ollama::Version) -> Option<Result<OllamaVersion, String>> {
        let text = reported.server.as_deref().or(reported.client.as_deref())?;
        Some(OllamaVersion::parse(text))
    }
}

impl serde::Serialize for OllamaVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The Ollama a plan is made for (JSON `ollama`): the version whose rules apply,
/// and whether it is the one `ollama -v` reported or the newest, assumed because no
/// Ollama answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct OllamaTarget {
    pub version: OllamaVersion,
    /// `reported` (by `ollama -v`) or `newest` (none found).
    pub source: &'static str,
}

impl OllamaTarget {
    /// The newest behaviour, for planning without an Ollama.
    pub const NEWEST: OllamaTarget = OllamaTarget {
        version: OllamaVersion::NEWEST,
        source: "newest",
    };

    /// The target for what `ollama -v` reported (None: nothing answered): its
    /// version when it parses and is supported, else one line saying why not.
    pub fn from_reported(reported: Option<&str>) -> Result<OllamaTarget, String> {
        let Some(text) = reported else {
            return Ok(OllamaTarget::NEWEST);
        };
        let version = OllamaVersion::parse(text)?;
        version.check_supported()?;
        Ok(OllamaTarget {
            version,
            source: "reported",
        })
    }

    /// How people read it: `0.5.4`, or `none found: planned for the newest (0.33.0)`.
    pub fn describe(&self) -> String {
        match self.source {
            "newest" => format!(
                "none found: planned for the newest behaviour provision knows ({})",
                self.version
            ),
            _ => self.version.to_string(),
        }
    }
}

impl fmt::Display for OllamaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ollama::version::parse_version;
    use proptest::prelude::*;

    #[test]
    fn parses_every_shape_ollama_reports() {
        let cases = [
            ("0.12.6", v(0, 12, 6)),
            ("v0.5.7", v(0, 5, 7)),
            // The real bigdl-core-cpp 2.6.0 build prints this (`ollama-lib -v`).
            ("0.5.4-ipexllm-20250407", v(0, 5, 4)),
            ("0.9.7-rc1", v(0, 9, 7)),
            (" 0.33.0 \n", v(0, 33, 0)),
            ("1.2", v(1, 2, 0)),
            ("0.0.0", v(0, 0, 0)),
        ];
        for (text, expected) in cases {
            assert_eq!(OllamaVersion::parse(text), Ok(expected), "{text:?}");
        }
        for bad in [
            "",
            "abc",
            "0..1",
            "0.1.2.3",
            "-1.0.0",
            "99999999999.0.0",
            "0.x",
        ] {
            let error = OllamaVersion::parse(bad).unwrap_err();
            assert!(
                error.contains("is not an Ollama version"),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn orders_numerically() {
        assert!(v(0, 10, 0) > v(0, 9, 7));
        assert!(v(0, 1, 45) > v(0, 1, 9));
        assert!(OllamaVersion::NEWEST > OllamaVersion::OLDEST_SUPPORTED);
    }

    #[test]
    fn too_old_is_one_line_naming_both_versions() {
        // 0.1.44's ShowHandler still demands a flag (cmd/cmd.go at v0.1.44).
        let error = v(0, 1, 44).check_supported().unwrap_err();
        assert!(
            error.starts_with("Ollama 0.1.44 is too old: provision needs Ollama 0.1.45 or newer"),
            "{error}"
        );
        assert!(!error.contains('\n'));
        let dev = v(0, 0, 0).check_supported().unwrap_err();
        assert!(dev.starts_with("Ollama reports version 0.0.0"), "{dev}");
        assert!(dev.contains("0.1.45 or newer"), "{dev}");
        assert_eq!(v(0, 1, 45).check_supported(), Ok(()));
        assert_eq!(OllamaVersion::NEWEST.check_supported(), Ok(()));
    }

    #[test]
    fn picks_the_server_then_the_client() {
        let skew = parse_version("ollama version is 0.5.7\nWarning: client version is 0.6.0\n");
        assert_eq!(OllamaVersion::of(&skew), Some(Ok(v(0, 5, 7))));
        let down = parse_version(
            "Warning: could not connect to a running Ollama instance\nWarning: client version is 0.5.4-ipexllm-20250407\n",
        );
        assert_eq!(OllamaVersion::of(&down), Some(Ok(v(0, 5, 4))));
        assert_eq!(OllamaVersion::of(&parse_version("")), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_round_trips(a in 0u32..1000, b in 0u32..1000, c in 0u32..1000, text in "\\PC{0,24}") {
            let _ = OllamaVersion::parse(&text);
            let version = v(a, b, c);
            prop_assert_eq!(OllamaVersion::parse(&version.to_string()), Ok(version));
        }
    }
}
