#!/usr/bin/env bash
# Benchmark `provision probe --json` and `provision plan --json` on the release
# binary: median wall time with hyperfine, peak RSS with GNU time.
# Targets (issue 2): <= 10 ms median, <= 10 MB peak RSS on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null; then
  apt-get update && apt-get install -y hyperfine
fi
if [ ! -x /usr/bin/time ]; then
  apt-get update && apt-get install -y time
fi

cargo build --release --locked --quiet
bin=target/release/provision
export_dir=$(mktemp -d)
trap 'rm -rf "$export_dir"' EXIT

hyperfine --warmup 20 --runs 200 -N \
  --export-json "$export_dir/bench.json" \
  "$bin probe --json" "$bin plan --json" >&2

python3 - "$export_dir/bench.json" <<'PY'
import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    print(f"{result['command']:<45} median {result['median'] * 1000:6.2f} ms"
          f"  (mean {result['mean'] * 1000:.2f} ms, max {result['max'] * 1000:.2f} ms)")
PY

for sub in probe plan; do
  peak_kib=$(/usr/bin/time -v "$bin" "$sub" --json 2>&1 >/dev/null \
    | awk -F': ' '/Maximum resident set size/ {print $2}')
  awk -v cmd="$bin $sub --json" -v kib="$peak_kib" \
    'BEGIN { printf "%-45s peak RSS %d KiB (%.1f MB)\n", cmd, kib, kib * 1024 / 1e6 }'
done
