#!/usr/bin/env bash
# Installs the pinned ansible-core the Ansible tests (tests/ansible.rs) run, into a
# virtualenv in a cache folder outside the repository:
#   ${PROVISION_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/provision-tests}/ansible/venv
# Idempotent (a second run only checks a stamp), prints one line, and exits non-zero
# with the reason when it cannot install (offline, no python3, no venv module).
# ansible-core 2.19 is the last line whose controller runs on Python 3.11 (3.11-3.13).
set -uo pipefail

version=2.19.14
cache="${PROVISION_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/provision-tests}/ansible"
venv="$cache/venv"
stamp="$venv/.provision-ansible-core-$version"
me="ansible/tests/setup.sh"

if [ -f "$stamp" ] && [ -x "$venv/bin/ansible-playbook" ]; then
  echo "$me: ansible-core $version ready in $venv"
  exit 0
fi
python="$(command -v python3)" || { echo "$me: no python3 on PATH" >&2; exit 1; }
mkdir -p "$cache" || { echo "$me: could not create $cache" >&2; exit 1; }

# Two test runs may start at once: one installs, the other waits for it.
exec 9>"$cache/.lock"
if command -v flock >/dev/null; then flock 9; fi
if [ -f "$stamp" ] && [ -x "$venv/bin/ansible-playbook" ]; then
  echo "$me: ansible-core $version ready in $venv"
  exit 0
fi

log="$cache/install.log"
rm -rf "$venv"
if ! "$python" -m venv "$venv" >"$log" 2>&1; then
  echo "$me: could not create a virtualenv with $python ($(tail -n 1 "$log")); install python3-venv" >&2
  exit 1
fi
# Bounded when offline: 15 s per connection, one retry.
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --timeout 15 --retries 1 "ansible-core==$version" >>"$log" 2>&1; then
  reason="$(grep -E 'ERROR|Error|error' "$log" | tail -n 1)"
  echo "$me: could not install ansible-core==$version with pip (offline?): ${reason:-see $log}" >&2
  rm -rf "$venv"
  exit 1
fi
touch "$stamp"
echo "$me: installed ansible-core $version in $venv"
