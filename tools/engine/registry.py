# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one place that knows the tasks: every module in tools/tasks/ declares one.

Adding a task is adding a module there; nothing here changes. The one task
declared elsewhere is the commit-queue gate (tools/commit_queue/task.py): it runs
the other tasks, so it depends on them and they never on it.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import pkgutil

from tools import tasks as tasks_package
from tools.engine.task import Task

# Tasks declared outside tools/tasks/, by name: the module that declares each.
ELSEWHERE = {"presubmit": "tools.commit_queue.task"}


def names() -> tuple[str, ...]:
    """The task names, from the module names, without importing any task."""
    found = [m.name for m in pkgutil.iter_modules(tasks_package.__path__)]
    return tuple(sorted([*found, *ELSEWHERE]))


def module_of(name: str) -> str:
    return ELSEWHERE.get(name, f"{tasks_package.__name__}.{name}")


@functools.cache
def get(name: str) -> Task:
    module_name = module_of(name)
    task = getattr(importlib.import_module(module_name), "TASK", None)
    if not isinstance(task, Task) or task.name != name:
        where = module_name.replace(".", "/") + ".py"
        raise RuntimeError(f"{where} must declare TASK = Task(name={name!r}, ...)")
    return task


def all_tasks() -> list[Task]:
    return [get(n) for n in names()]


class _TaskHelp(argparse.HelpFormatter):
    """Places the help column after the longest task name: argparse counts the
    names one indent short, so a 9-letter task's help would start a new line."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            for sub in getattr(action, "_get_subactions", list)():
                width = len(sub.dest) + self._current_indent + self._indent_increment
                self._action_max_length = max(self._action_max_length, width)


def make_parser(task: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; only `task`'s module is imported for its arguments
    (some come from packages in the venv, the lint suite's)."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        formatter_class=_TaskHelp,
        description="Build, check and test turboci-proto. "
        "The first run installs the tools pinned in DEPS into tools/.",
    )
    sub = parser.add_subparsers(dest="task", metavar="TASK")
    for name in names():
        each = get(name)
        task_parser = sub.add_parser(each.name, help=each.help, description=each.help)
        if each.name == task:
            each.arguments(task_parser)
    return parser
