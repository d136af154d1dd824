#!/usr/bin/env bash
# The whole test suite, as the README gives it: `cargo test --locked`, then the list of
# tests that skipped and why (a skip is never silent). Arguments go to `cargo test`.
set -uo pipefail
cd "$(dirname "$0")/.."
skips="${CARGO_TARGET_DIR:-target}/tmp/skipped-tests.txt"
rm -f "$skips"
cargo test --locked "$@"
code=$?
if [ -s "$skips" ]; then
  printf '\nskipped tests (and why):\n'
  sort -u "$skips" | sed 's/^/  /'
fi
exit "$code"
