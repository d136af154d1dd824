#!/usr/bin/env bash
# Benchmark a no-op `provision auto` (issue 6, item 9): a 4-model profile already
# provisioned in the emulator, every emulated `ollama` call delayed by 50 ms.
# Prints the calls one run makes (target: <= 2 + 2 x 4: `list` and `-v` side by side,
# then the shows, up to 8 at once) and hyperfine's median (target: < 4 x 50 + 50 =
# 250 ms), next to the cost of one emulated call alone.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || { echo "bench-auto: needs hyperfine" >&2; exit 1; }
python=${PYTHON:-/usr/bin/python3}
delay_ms=${DELAY_MS:-50}

cargo build --release --locked --quiet
bin=$PWD/target/release/provision
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The emulator under a fixed interpreter (a pyenv shim alone costs ~100 ms a call),
# without site-packages (-S): it uses the standard library only.
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec %s -S %s "$@"\n' "$python" "$PWD/tests/emulator/ollama" >"$work/bin/ollama"
chmod +x "$work/bin/ollama"
cat >"$work/four.yaml" <<'YAML'
name: four
description: Four small models (benchmark)
parameters:
  num_ctx: 2048
roster:
  concurrent: false
  models:
    - {name: a, base: qwen2.5:0.5b, role: one}
    - {name: b, base: qwen2.5:1.5b, role: two}
    - {name: c, base: llama3.2:1b, role: three}
    - {name: d, base: llama3.2:3b, role: four}
YAML

export PATH="$work/bin:$PATH" OLLAMA_EMULATOR_STATE="$work/state" XDG_STATE_HOME="$work/xdg"
run=("$bin" auto --quiet --profile "$work/four.yaml" --ram 16GiB --cores 4 --vram 0)
"${run[@]}"

export OLLAMA_EMULATOR_DELAY_MS=$delay_ms
before=$(wc -l <"$work/state/calls.jsonl")
"${run[@]}"
after=$(wc -l <"$work/state/calls.jsonl")
echo "ollama calls in one no-op run: $((after - before)) (limit 2 + 2 x 4 = 10)"
tail -n "$((after - before))" "$work/state/calls.jsonl" | cut -c1-90

# The same answers from a fake that costs nothing but its 50 ms: recorded
# outputs served by sh, to separate provision's round trips from python's start-up.
mkdir -p "$work/fake" "$work/answers"
"$work/bin/ollama" list >"$work/answers/list"
"$work/bin/ollama" -v >"$work/answers/version"
for name in a b c d qwen2.5:0.5b-instruct-q8_0 qwen2.5:1.5b-instruct-q8_0 \
  llama3.2:1b-instruct-q8_0 llama3.2:3b-instruct-q8_0; do
  "$work/bin/ollama" show --modelfile "$name" >"$work/answers/show-$name"
done
cat >"$work/fake/ollama" <<SH
#!/bin/sh
sleep $(awk -v ms="$delay_ms" 'BEGIN { print ms / 1000 }')
case "\$1" in
  list) exec cat "$work/answers/list" ;;
  -v) exec cat "$work/answers/version" ;;
  show) exec cat "$work/answers/show-\$3" ;;
esac
echo "Error: not recorded: \$*" >&2; exit 1
SH
chmod +x "$work/fake/ollama"

hyperfine --warmup 3 --runs 30 -N --export-json "$work/bench.json" \
  -n "no-op auto, emulator" "${run[*]}" \
  -n "one emulator call (list)" "$work/bin/ollama list" \
  -n "one emulator call (show --modelfile)" "$work/bin/ollama show --modelfile a" \
  -n "no-op auto, zero-cost fake" "${run[*]} --ollama $work/fake/ollama" \
  -n "one fake call (list)" "$work/fake/ollama list" >&2
"$python" - "$work/bench.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']:<38} median {r['median'] * 1000:6.1f} ms  (min {r['min'] * 1000:.1f}, max {r['max'] * 1000:.1f})")
PY
