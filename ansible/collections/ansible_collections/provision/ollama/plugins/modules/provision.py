#!/usr/bin/python
# -*- coding: utf-8 -*-
# MIT License (the license of the provision repository)
"""Ansible module: run `provision auto --json` and report `changed` from its report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: provision
short_description: Make an Ollama host hold the models a provision profile plans for it
version_added: "0.1.0"
description:
  - Runs C(provision auto --json) on the target, which probes the device (or takes the
    device given by O(ram), O(vram) and O(cores)), plans the profile's models at the
    quantization that fits, and pulls and creates only what differs from what Ollama holds.
  - Returns provision's JSON report. C(changed) is true exactly when a model was C(created)
    or C(updated), or the report's C(server_env.changed) is true.
  - A model that fails fails the task with its one-line error; the report is still returned
    and the other models are still provisioned (unless O(fail_fast)).
  - In check mode it runs C(provision auto --check), which changes nothing; C(changed) is
    true when changes are needed (exit code 3), and the report lists them as C(planned).
  - In diff mode each model that changes (or would change) gets a C(before)/C(after) pair
    built from provision's reason, for example C(num_ctx 8192) to C(num_ctx 4096).
author:
  - provision contributors !UNKNOWN
requirements:
  - C(provision) on the target (the C(provision.ollama.provision) role installs it).
  - C(ollama) on the target with its server answering (or O(ollama_bin)).
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Runs C(provision auto --check); nothing is pulled or created.
      - When provision is not installed yet (a play that would install it first), the task
        is skipped with a message saying so.
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  profile:
    description:
      - The profile, by name (a built-in such as V(default), V(coder), V(syndicate), V(edge),
        or a user profile) or by the path of a YAML file on the target.
      - Without O(profile) and O(profile_content), provision uses C(PROVISION_PROFILE) or V(default).
    type: str
  profile_content:
    description:
      - An inline profile, as a mapping with the keys of a provision profile file
        (C(name), C(description), C(roster), ...).
      - Written to a private (0600) temporary file on the target and removed afterwards.
    type: dict
  models:
    description:
      - Provision only these models (a profile model by name or base, or any library model,
        which gets the name C(provision/<family>:<tag>)). Empty means the profile's roster.
    type: list
    elements: str
    default: []
  ram:
    description:
      - The RAM budget to plan for instead of the probed one, as C(--ram) takes it
        (V(16GiB), V(16G), V(8GB), or a number of bytes).
      - Give the server's memory when the target is not the Ollama server (see C(OLLAMA_HOST)).
    type: raw
  vram:
    description:
      - Replace the probed GPUs by one GPU with this much memory; V(0) means no GPU.
    type: raw
  cores:
    description: The number of effective cores to plan for.
    type: int
  tier:
    description: Force the quantization tier (16, 8, 4 or 2 bits) instead of the device's.
    type: int
    choices: [16, 8, 4, 2]
  force:
    description: Replace existing models that provision does not own (C(--force)).
    type: bool
    default: false
  fail_fast:
    description: Stop at the first failed model; the rest are reported as C(skipped).
    type: bool
    default: false
  server_env:
    description:
      - What to do with the Ollama server variables the plan needs, passed as C(--server-env).
      - Omitted, provision's default applies (apply when it can, print otherwise).
    type: str
    choices: [apply, print, skip]
  binary:
    description:
      - The path of the C(provision) program. Default, C(provision) on PATH or in C(~/.cargo/bin).
    type: path
  ollama_bin:
    description: The C(ollama) program provision drives (C(--ollama)); default C(ollama) on PATH.
    type: path
  environment:
    description:
      - Extra environment variables for provision and the ollama it runs, for example
        C(OLLAMA_HOST) for a server on another address, or C(PROVISION_OLLAMA_TIMEOUT).
    type: dict
    default: {}
notes:
  - Runs take provision's advisory lock, so two plays on one host run one after the other.
  - The JSON report, exit codes, flags and environment variables are described in the README
    of the provision repository (section "provision auto").
"""

EXAMPLES = r"""
- name: Provision the default profile, sized by the probe
  provision.ollama.provision:

- name: A built-in profile on a server whose device is given
  provision.ollama.provision:
    profile: coder
    ram: 32GiB
    vram: 0
    cores: 16

- name: An inline profile kept in group variables, for a server in a container
  provision.ollama.provision:
    profile_content: "{{ ollama_profile }}"
    binary: /usr/local/bin/provision
    environment:
      OLLAMA_HOST: http://127.0.0.1:11434
    ram: 16GiB        # the container's memory limit, not the host's
    vram: 0
    cores: 8

- name: Only two models, stopping at the first failure
  provision.ollama.provision:
    models: [llama3.2:3b, qwen2.5:7b]
    fail_fast: true
  register: provisioned

- name: What would change (run with --check --diff)
  provision.ollama.provision:
    profile: edge
  check_mode: true
  diff: true
"""

RETURN = r"""
report:
  description:
    - The JSON report of C(provision auto --json) (C(schema_version) 1), see the README.
    - C(mode) is C(run) or, in check mode, C(check).
  returned: when provision printed one (it does unless it failed before looking at any model)
  type: dict
  contains:
    profile:
      description: The profile's name.
      type: str
    device:
      description: What the models were planned on (C(ram_bytes), C(cores), C(gpus)).
      type: dict
    tier:
      description: The tier (C(bits), C(label), C(quantization), C(reason), C(forced)).
      type: dict
    mode:
      description: C(run) or C(check).
      type: str
    models:
      description:
        - One entry per model, with C(name), C(base), C(tag), C(quantization), C(action),
          C(status) (C(unchanged), C(created), C(updated), C(failed), C(skipped), C(planned)),
          C(reason), C(error) and C(commands).
      type: list
      elements: dict
    summary:
      description: Counts of C(created), C(updated), C(unchanged), C(failed), C(skipped), C(planned).
      type: dict
    server_env:
      description:
        - The Ollama server variables the plan needs (README, "Server settings"). C(mode) is
          C(apply) (a systemd drop-in for C(ollama.service)), C(print) (not applied here; C(how)
          says what to set) or C(skip); C(changed) is true when the drop-in or the env file was
          (or would be) written or the server restarted; C(status), C(reason), and C(variables)
          with each C(name), C(desired) and C(effective) value.
      type: dict
  sample:
    mode: run
    profile: default
    models:
      - name: assistant
        base: llama3.1:8b
        tag: llama3.1:8b-instruct-q8_0
        quantization: Q8_0
        action: pull_create
        status: created
        reason: not installed
        error: null
    summary: {created: 1, updated: 0, unchanged: 0, failed: 0, skipped: 0, planned: 0}
rc:
  description: provision's exit code (0 ok, 1 failure, 2 usage, 3 changes needed in check mode).
  returned: always
  type: int
  sample: 0
cmd:
  description: The command line that ran (an inline profile appears as its temporary path).
  returned: always
  type: list
  elements: str
stderr:
  description: provision's error and warning lines.
  returned: always
  type: str
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.provision.ollama.plugins.module_utils.provision_report import (
    changed,
    diffs,
    failure,
    split_stderr,
)

ARGUMENT_SPEC = dict(
    profile=dict(type="str"),
    profile_content=dict(type="dict"),
    models=dict(type="list", elements="str", default=[]),
    ram=dict(type="raw"),
    vram=dict(type="raw"),
    cores=dict(type="int"),
    tier=dict(type="int", choices=[16, 8, 4, 2]),
    force=dict(type="bool", default=False),
    fail_fast=dict(type="bool", default=False),
    server_env=dict(type="str", choices=["apply", "print", "skip"]),
    binary=dict(type="path"),
    ollama_bin=dict(type="path"),
    environment=dict(type="dict", default={}),
)


def size_text(module, name):
    """A size option as text: a string (16GiB) or a whole number of bytes."""
    value = module.params[name]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        module.fail_json(msg="%s must be a size such as 16GiB or a number of bytes, not %r" % (name, value))
    return str(value)


def find_binary(module):
    """The provision program; in check mode a missing one (a role that would install
    it first) skips the task, since what would change cannot be known."""
    binary = module.params["binary"]
    if binary and os.path.isfile(binary) and os.access(binary, os.X_OK):
        return binary
    found = None if binary else module.get_bin_path("provision", opt_dirs=[os.path.expanduser("~/.cargo/bin")])
    if found:
        return found
    where = binary or "PATH or ~/.cargo/bin"
    if module.check_mode:
        module.exit_json(
            skipped=True,
            changed=False,
            msg="provision is not installed (%s) yet, so check mode cannot tell which models would change" % where,
        )
    if binary:
        module.fail_json(msg="binary %s is not an executable file" % binary)
    module.fail_json(
        msg="could not find provision on PATH or in ~/.cargo/bin: install it "
        "(the provision.ollama.provision role does) or set binary"
    )


def command(module, binary, profile_path):
    """The `provision auto` command line for the module's options."""
    p = module.params
    cmd = [binary, "auto", "--json", "--quiet"]
    if module.check_mode:
        cmd.append("--check")
    flags = [
        ("--profile", profile_path or p["profile"]),
        ("--ram", size_text(module, "ram")),
        ("--vram", size_text(module, "vram")),
        ("--cores", p["cores"]),
        ("--tier", p["tier"]),
        ("--server-env", p["server_env"]),
        ("--ollama", p["ollama_bin"]),
    ]
    for flag, value in flags:
        if value is not None:
            cmd.extend([flag, str(value)])
    if p["force"]:
        cmd.append("--force")
    if p["fail_fast"]:
        cmd.append("--fail-fast")
    if p["models"]:
        cmd.append("--")
        cmd.extend(p["models"])
    return cmd


def write_profile(module):
    """Writes profile_content to a private temporary file; JSON is YAML, so the
    target needs no YAML library."""
    fd, path = tempfile.mkstemp(prefix="provision-profile-", suffix=".yaml", dir=module.tmpdir)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(module.params["profile_content"], handle, indent=2, sort_keys=True)
            handle.write("\n")
    except (OSError, TypeError, ValueError) as error:
        os.unlink(path)
        module.fail_json(msg="could not write profile_content to %s: %s" % (path, error))
    return path


def run(module):
    binary = find_binary(module)
    profile_path = write_profile(module) if module.params["profile_content"] is not None else None
    try:
        cmd = command(module, binary, profile_path)
        env = dict((str(k), str(v)) for k, v in module.params["environment"].items())
        rc, out, err = module.run_command(cmd, environ_update=env, check_rc=False)
    finally:
        if profile_path:
            os.unlink(profile_path)
    return cmd, rc, out, err


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[("profile", "profile_content")],
        supports_check_mode=True,
    )
    cmd, rc, out, err = run(module)
    warnings, error_line = split_stderr(err)
    for warning in warnings:
        module.warn(warning)
    result = dict(cmd=cmd, rc=rc, stderr=err, changed=False)
    try:
        report = json.loads(out) if out.strip() else None
    except ValueError:
        report = None
    if not isinstance(report, dict):
        msg = error_line or "provision exited with code %d and printed no report" % rc
        module.fail_json(msg=msg, stdout=out, **result)
    result["report"] = report
    result["changed"] = changed(report, rc, module.check_mode)
    if module._diff:
        result["diff"] = diffs(report)
    msg = failure(report, rc, module.check_mode, error_line)
    if msg:
        module.fail_json(msg=msg, **result)
    # Explicit: ansible fails any result whose rc is not 0, and check mode's 3 is not a failure.
    module.exit_json(failed=False, **result)


if __name__ == "__main__":
    main()
