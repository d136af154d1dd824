#!/usr/bin/env bash
# Benchmark the GGUF header reader (issue 11, item 1): read a real-size header from a
# file and derive the model facts, as `examples/gguf.rs` does, with hyperfine's median.
# Headers are the fixtures' (tokenizer arrays of real length): gpt-oss:20b (~12.6 MB,
# 446k merges) and llama3.1:8b (~7.9 MB), next to a 25 kB projector header for the cost
# of starting the process and printing the JSON alone.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || { echo "bench-gguf: needs hyperfine" >&2; exit 1; }
cargo build --release --locked --quiet --example gguf
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/examples/gguf"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for name in "gpt-oss:20b" "llama3.1:8b" "gemma3:12b projector"; do
  file="$work/${name//[: ]/_}.gguf"
  "$bin" --fixture "$name" "$file"
  printf '%-22s header %s bytes\n' "$name" "$(wc -c <"$file")"
done

hyperfine --warmup 5 --runs "${RUNS:-50}" -N \
  --command-name "gpt-oss:20b header" "$bin --prefix $work/gpt-oss_20b.gguf" \
  --command-name "llama3.1:8b header" "$bin --prefix $work/llama3.1_8b.gguf" \
  --command-name "projector header" "$bin --prefix $work/gemma3_12b_projector.gguf" \
  --export-json "$work/bench.json" >/dev/null

python3 - "$work/bench.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:<22} median {r["median"] * 1000:6.2f} ms  (mean {r["mean"] * 1000:.2f} ± {r["stddev"] * 1000:.2f} ms, {len(r["times"])} runs)')
PY
