# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from core.layout import REPO
from tests.conftest import output_of
from tests.conftest import task_context
from tools.errors import BuildError
from tools.tasks import test as test_task
from tools.tasks.test import SLOW
from tools.tasks.test import SMALL_SUITE
from tools.tasks.test import TASK
from tools.tasks.test import Tally
from tools.tasks.test import count_test_files
from tools.tasks.test import xdist_arguments

PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["tests"]
markers = ["slow: takes seconds"]
"""


def test_pytest_closing_lines_are_counted() -> None:
    tally = Tally()
    tally.add_pytest("304 passed in 30.66s")
    tally.add_pytest("2 failed, 10 passed, 1 error in 3.1s")
    tally.add_pytest("no tests ran in 0.01s")
    assert (tally.passed, tally.failed) == (314, 3)


def _suite(root: Path, files: int, pyproject: str = PYPROJECT) -> None:
    (root / "pyproject.toml").write_text(pyproject)
    (root / "tests").mkdir()
    for i in range(files):
        (root / "tests" / f"test_{i}.py").write_text(f"def test_{i}() -> None:\n    pass\n")


def test_a_suite_of_a_few_files_runs_in_process(tmp_path: Path) -> None:
    _suite(tmp_path, SMALL_SUITE - 1)
    (tmp_path / "tests" / "helpers.py").write_text("")  # not a test file
    (tmp_path / "elsewhere").mkdir()  # outside testpaths
    for name in ("test_a.py", "b_test.py"):
        (tmp_path / "elsewhere" / name).write_text("")
    assert count_test_files(tmp_path) == SMALL_SUITE - 1
    assert xdist_arguments(tmp_path) == ["-n", "0"]
    for skipped in (".hidden", "venv", "node_modules"):  # not where pytest looks
        (tmp_path / "tests" / skipped).mkdir()
        (tmp_path / "tests" / skipped / "test_x.py").write_text("")
    assert count_test_files(tmp_path) == SMALL_SUITE - 1
    (tmp_path / "tests" / "builder").mkdir()  # only `build` itself is skipped
    (tmp_path / "tests" / "builder" / "more_test.py").write_text("")
    assert count_test_files(tmp_path) == SMALL_SUITE
    assert xdist_arguments(tmp_path) == ["-n", "auto", "--dist", "worksteal"]


def test_python_files_and_testpaths_are_read_from_pyproject(tmp_path: Path) -> None:
    _suite(tmp_path, 2, '[tool.pytest.ini_options]\ntestpaths = ["tests", "check_x.py"]\n')
    (tmp_path / "check_x.py").write_text("")
    assert count_test_files(tmp_path) == 3
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npython_files = "check_*.py"\n'
    )
    assert count_test_files(tmp_path) == 1  # testpaths defaults to the root
    (tmp_path / "pyproject.toml").write_text("not toml [")
    assert count_test_files(tmp_path) == 2  # pytest's defaults: the test_*.py from the root


def test_this_repo_runs_its_suite_on_every_core() -> None:
    assert count_test_files(REPO.root) > 50
    assert count_test_files(REPO.root, up_to=SMALL_SUITE) == SMALL_SUITE
    assert xdist_arguments(REPO.root)[:2] == ["-n", "auto"]


@pytest.mark.slow  # pytest in a process of its own, twice
def test_quick_leaves_out_the_slow_tests(tmp_path: Path) -> None:
    _suite(tmp_path, 1)
    (tmp_path / "tests" / "test_slow.py").write_text(
        "import pytest\n\n\n@pytest.mark.slow\ndef test_slow() -> None:\n    pass\n"
    )
    for quick, passed in ((False, 2), (True, 1)):
        ctx = task_context(tmp_path)
        tally = Tally()
        test_task.pytest(ctx, tally, quick=quick)
        assert (tally.passed, tally.failed) == (passed, 0), output_of(ctx)
        # Two files: no xdist workers to start.
        assert "bringing up nodes" not in output_of(ctx)
    parser = argparse.ArgumentParser()
    TASK.arguments(parser)
    assert parser.parse_args(["--quick"]).quick
    assert not parser.parse_args([]).quick


@pytest.mark.slow  # pytest in a process of its own
def test_what_is_logged_to_stderr_after_the_summary_does_not_hide_the_count(
    tmp_path: Path,
) -> None:
    _suite(tmp_path, 2)
    (tmp_path / "tests" / "conftest.py").write_text(
        "import atexit\nimport sys\n\n"
        "atexit.register(lambda: print('I1204 chttp2_transport.cc: goaway', file=sys.stderr))\n"
    )
    ctx = task_context(tmp_path)
    tally = Tally()
    test_task.pytest(ctx, tally)
    assert "goaway" in output_of(ctx)
    assert (tally.passed, tally.failed) == (2, 0), output_of(ctx)


@pytest.mark.slow  # pytest in a process of its own, twice
def test_targets_run_those_tests_only(tmp_path: Path) -> None:
    """The gate's pytest over what a change can affect: the other tests do not run."""
    _suite(tmp_path, 1)
    other = tmp_path / "tests" / "other"
    other.mkdir()
    (other / "test_broken.py").write_text("def test_broken() -> None:\n    assert False\n")
    ctx = task_context(tmp_path)
    tally = Tally()
    test_task.pytest(ctx, tally, targets=["tests/test_0.py"])
    assert (tally.passed, tally.failed) == (1, 0), output_of(ctx)
    assert "pytest over what the change can affect: tests/test_0.py" in output_of(ctx)
    with pytest.raises(BuildError):
        test_task.pytest(task_context(tmp_path), Tally())


def test_the_slow_marker_is_registered() -> None:
    # --strict-markers (pyproject.toml) turns a misspelt marker into an error.
    config = tomllib.loads((REPO.root / "pyproject.toml").read_text())
    options = config["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in options["addopts"].split()
    assert any(line.split(":")[0].strip() == SLOW for line in options["markers"])


def test_the_go_step_names_the_interpreter_and_the_stubs_for_the_go_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Go tests start the reference orchestrator with $TURBOCI_PYTHON; without
    # it they skip, so a step that forgot it would pass while testing nothing.
    seen: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(
        cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        seen.append((cmd, dict(env or {})))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(test_task, "run", fake_run)
    ctx = task_context(tmp_path)
    test_task.go(ctx, Tally())
    assert [cmd[:2] for cmd, _ in seen] == [["go", "build"], ["go", "vet"], ["go", "test"]]
    for _, env in seen:
        assert env["TURBOCI_PYTHON"] == sys.executable
        assert env["PYTHONPATH"] == str(tmp_path / "py")
        assert env["GOFLAGS"] == "-mod=readonly"
