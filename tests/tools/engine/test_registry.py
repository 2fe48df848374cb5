# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import argparse
import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from tests.doc_tables import first_cells
from tools import tasks as tasks_package
from tools.engine import registry
from tools.engine.task import Task
from tools.tasks import all as all_task

REPO = Path(__file__).resolve().parents[3]


def modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(tasks_package.__path__))


def test_the_tasks_are_the_modules_of_tools_tasks_and_the_gate() -> None:
    assert registry.names() == tuple(sorted([*modules(), "presubmit"]))
    assert "presubmit" not in modules()  # the gate is declared beside its work


@pytest.mark.parametrize("name", registry.names())
def test_every_task_module_declares_a_task_named_as_the_module(name: str) -> None:
    module = importlib.import_module(registry.module_of(name))
    task = getattr(module, "TASK", None)
    assert isinstance(task, Task), f"{registry.module_of(name)} declares no TASK"
    assert task.name == name
    assert task.help and "\n" not in task.help
    assert registry.get(name) is task


def test_all_runs_exactly_the_tasks_that_declare_a_step() -> None:
    with_step = {t.name for t in registry.all_tasks() if t.step is not None}
    assert {t.name for t in all_task.steps()} == with_step - {"all"}
    # These at least; a task added later with a step joins them.
    assert {"breaking", "docs", "format", "gen", "lint"} <= {t.name for t in all_task.steps()}
    assert registry.get("all").step is None


def test_only_format_rewrites_sources_and_only_clean_needs_no_tools() -> None:
    assert [t.name for t in registry.all_tasks() if t.rewrites_sources] == ["format"]
    assert [t.name for t in registry.all_tasks() if not t.needs_tools] == ["clean"]


def test_a_module_without_a_proper_task_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    registry.get.cache_clear()
    monkeypatch.setattr(
        "tools.tasks.tools.TASK", Task(name="other", help="misnamed", run=lambda c, a: 0)
    )
    try:
        with pytest.raises(RuntimeError, match=r"tools/tasks/tools\.py must declare TASK"):
            registry.get("tools")
    finally:
        registry.get.cache_clear()


def test_the_parser_has_one_subcommand_per_task_in_order() -> None:
    parser = registry.make_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(sub.choices) == list(registry.names())
    args = parser.parse_args(["format"])
    assert args.task == "format"


def test_only_the_chosen_task_gets_its_arguments() -> None:
    assert registry.make_parser("format").parse_args(["format", "--check"]).check is True
    with pytest.raises(SystemExit):
        registry.make_parser().parse_args(["format", "--check"])


def test_every_task_fits_one_line_of_the_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = registry.make_parser().format_help().splitlines()
    for task in registry.all_tasks():
        assert any(ln.split()[:1] == [task.name] and ln.endswith(task.help) for ln in lines), task


def test_the_tasks_never_import_the_gate() -> None:
    """The gate runs the tasks; an import back would make the two one knot."""
    for path in sorted((REPO / "tools" / "tasks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                named = [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                named = [a.name for a in node.names]
            else:
                continue
            assert not any(n.startswith("tools.commit_queue") for n in named), path.name


def test_the_readme_task_table_lists_every_task() -> None:
    listed = first_cells((REPO / "README.md").read_text(encoding="utf-8"), "task")
    assert sorted(listed) == sorted(registry.names())
