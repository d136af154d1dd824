#!/usr/bin/env bash
# The whole test suite, as the README gives it: installs what the Ansible and
# real-Ollama tests need into a cache folder outside the repository (each setup
# prints one line; when one cannot install, its tests skip and say why), runs
# `cargo test --locked`, then lists the tests that skipped and why (a skip is never
# silent). Arguments go to `cargo test`.
set -uo pipefail
cd "$(dirname "$0")/.."
skips="${CARGO_TARGET_DIR:-target}/tmp/skipped-tests.txt"
rm -f "$skips"
for setup in ansible/tests/setup.sh tests/real_ollama/setup.sh; do
  "$setup" || echo "$setup failed: its tests will skip"
done
cargo test --locked "$@"
code=$?
if [ -s "$skips" ]; then
  printf '\nskipped tests (and why):\n'
  sort -u "$skips" | sed 's/^/  /'
fi
exit "$code"
