# -*- coding: utf-8 -*-
# MIT License (the license of the provision repository)
"""A stdout callback for the tests: one JSON object with every task's result per
host and the play recap, so tests/ansible.rs parses results instead of text.
(ansible-core ships no JSON stdout callback; ansible.posix.json is not on PyPI.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: provision_json
type: stdout
short_description: One JSON object of task results and stats (for provision's tests)
description:
  - At the end of the run, prints one JSON object with C(tasks) (name, host, status and
    result of each task) and C(stats) (the recap per host).
"""

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "provision_json"

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.tasks = []

    def record(self, result, status):
        self.tasks.append(
            dict(
                name=result._task.get_name(),
                host=result._host.get_name(),
                status=status,
                result=self._convert(result._result),
            )
        )

    @staticmethod
    def _convert(value):
        # Round-trip through JSON with str for whatever ansible wraps values in.
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self.record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self.record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self.record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self.record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        summary = dict((host, stats.summarize(host)) for host in hosts)
        self._display.display(json.dumps(dict(tasks=self.tasks, stats=summary), indent=2))
