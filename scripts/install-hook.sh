#!/bin/sh
# install-hook.sh: provision this machine's Ollama models from an installer.
#
# Waits (bounded) for the Ollama server to answer, then runs
# `provision auto --quiet --json` and passes its exit code through:
#   0 all models in place, 1 a model failed (or the server never answered),
#   2 usage error, 3 changes needed (only with --check), 130 interrupted.
# The JSON report goes to stdout; errors go to stderr. Extra arguments are passed
# to `provision auto` (e.g. `--profile coder` or `--check`).
#
# Environment:
#   PROVISION_BIN            the provision binary (default: provision on PATH)
#   OLLAMA_BIN               the ollama binary (default: ollama on PATH)
#   PROVISION_WAIT_SECONDS   how long to wait for the server (default: 60)
set -u

provision_bin=${PROVISION_BIN:-provision}
ollama_bin=${OLLAMA_BIN:-ollama}
wait_seconds=${PROVISION_WAIT_SECONDS:-60}

case $wait_seconds in
  ''|*[!0-9]*)
    echo "install-hook: PROVISION_WAIT_SECONDS must be a whole number of seconds, not '$wait_seconds'" >&2
    exit 2
    ;;
esac

if ! command -v "$provision_bin" >/dev/null 2>&1; then
  echo "install-hook: could not find '$provision_bin'; install provision or set PROVISION_BIN" >&2
  exit 1
fi
# provision needs a path, not a bare name, in OLLAMA_BIN.
if ! ollama_path=$(command -v "$ollama_bin" 2>/dev/null); then
  echo "install-hook: could not find '$ollama_bin'; install Ollama or set OLLAMA_BIN" >&2
  exit 1
fi

# Runs `ollama list` for at most $1 seconds: 0 when the server answered, 124 when
# the call had to be ended (a hung server never answers, and `ollama list` has no
# deadline of its own), anything else when it failed (not up yet: it checks the
# heartbeat first). `timeout` is used when it is GNU-compatible (`-k`); otherwise,
# as on old BusyBox or without coreutils, a background job that is killed.
if timeout -k 1 1 true >/dev/null 2>&1; then
  answered() {
    timeout -k 1 "$1" "$ollama_path" list >/dev/null 2>&1
  }
else
  answered() {
    "$ollama_path" list >/dev/null 2>&1 &
    pid=$!
    elapsed=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$elapsed" -ge "$1" ]; then
        kill "$pid" 2>/dev/null
        sleep 1
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 124
      fi
      sleep 1
      elapsed=$((elapsed + 1))
    done
    wait "$pid"
  }
fi

# The whole wait, calls included, stays within PROVISION_WAIT_SECONDS (each call
# gets what is left, at least one second).
waited=0
while :; do
  left=$((wait_seconds - waited))
  [ "$left" -ge 1 ] || left=1
  answered "$left"
  status=$?
  [ "$status" -eq 0 ] && break
  if [ "$status" -eq 124 ]; then
    waited=$((waited + left))
  fi
  if [ "$waited" -ge "$wait_seconds" ]; then
    echo "install-hook: the Ollama server did not answer within ${wait_seconds}s; start it with 'ollama serve' or 'systemctl start ollama'" >&2
    exit 1
  fi
  if [ "$status" -ne 124 ]; then
    sleep 1
    waited=$((waited + 1))
  fi
done

OLLAMA_BIN=$ollama_path "$provision_bin" auto --quiet --json "$@"
exit $?
