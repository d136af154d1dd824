//! What a run printed and how it ended, with the expectations tests state about it.

use std::process::Output;

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Self {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stdout contains `fragment`.
    #[track_caller]
    pub fn stdout_has(self, fragment: &str) -> Self {
        assert!(
            self.stdout.contains(fragment),
            "{fragment:?} not in stdout:\n{}",
            self.stdout
        );
        self
    }

    /// Asserts that stderr contains `fragment`.
    #[track_caller]
    pub fn stderr_has(self, fragment: &str) -> Self {
        assert!(
            self.stderr.contains(fragment),
            "{fragment:?} not in stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that stderr does not contain `fragment`.
    #[track_caller]
    pub fn stderr_lacks(self, fragment: &str) -> Self {
        assert!(
            !self.stderr.contains(fragment),
            "{fragment:?} in stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that stdout is exactly `expected`.
    #[track_caller]
    pub fn stdout_is(self, expected: &str) -> Self {
        assert_eq!(self.stdout, expected, "stdout");
        self
    }

    /// Asserts that stderr is exactly `expected`.
    #[track_caller]
    pub fn stderr_is(self, expected: &str) -> Self {
        assert_eq!(self.stderr, expected, "stderr");
        self
    }

    /// The `provision: …` lines of stderr (errors and warnings).
    pub fn error_lines(&self) -> Vec<&str> {
        let lines = self.stderr.lines();
        lines.filter(|l| l.starts_with("provision: ")).collect()
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts that stderr is exactly one line starting with `provision: ` and
    /// containing every fragment.
    #[track_caller]
    pub fn one_error_line(&self, fragments: &[&str]) {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one stderr line, got:\n{}",
            self.stderr
        );
        assert!(lines[0].starts_with("provision: "), "{}", lines[0]);
        for fragment in fragments {
            assert!(
                lines[0].contains(fragment),
                "{:?} not in {}",
                fragment,
                lines[0]
            );
        }
    }
}
