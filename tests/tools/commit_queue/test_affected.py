# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The gate's pytest runs the tests a change can affect, and all of them when in doubt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.commit_queue import gate
from tools.commit_queue.affected import affected_tests
from tools.commit_queue.change import Change
from tools.commit_queue.checks import by_name

REPO = Path(__file__).resolve().parents[3]
API = ("tests/api", "tests/core/test_source.py", "tests/guides", "tests/py", "tests/testing")


def test_a_proto_change_runs_the_api_tests_only() -> None:
    assert affected_tests(REPO, ["turboci/graph/ids/v1/check_id.proto"]) == API
    assert affected_tests(REPO, ["examples/cancelled_workplan.txtpb", "docs/index.md"]) == API
    # The guides' programs are run by the API's tests (tests/py, tests/testing).
    assert affected_tests(REPO, ["guides/programs/go/client/main.go"]) == API


def test_a_tooling_change_runs_that_toolings_tests() -> None:
    assert affected_tests(REPO, ["tools/compat/typed_consumer.py"]) == (
        "tests/py/test_consumers.py",
        "tests/tools/compat",
    )
    assert affected_tests(REPO, ["tools/docs/render.py"]) == (
        "tests/tools/docs",
        "tests/tools/tasks/test_docs.py",
    )
    linted = affected_tests(REPO, ["presubmit/rules/next_id.py"])
    assert linted is not None and "tests/presubmit" in linted and "tests/api" not in linted
    assert affected_tests(REPO, ["hooks/format.py"]) == ("tests/hooks", "tests/reliability")
    assert affected_tests(REPO, ["bench/suite_times.py"]) == (
        "tests/bench",
        "tests/presubmit/test_lint_corpus.py",
        "tests/tools/test_deps.py",
    )
    # Stub generation feeds the API's tests as well as its own.
    stubs = affected_tests(REPO, ["tools/stubs/bundle.py"])
    assert stubs is not None and set(API) | {"tests/tools"} == set(stubs)


@pytest.mark.parametrize(
    "changed",
    [
        ["tests/presubmit/test_cli.py"],
        ["DEPS"],
        [".ci/run"],
        ["tools/commit_queue/gate.py"],
        ["core/lock.py"],
        ["turboci/a.proto", "pyproject.toml"],
        ["somewhere/new.txt"],  # no area names it: every test, to be safe
    ],
)
def test_what_every_test_stands_on_runs_everything(changed: list[str]) -> None:
    assert affected_tests(REPO, changed) is None


def test_an_unknown_change_runs_everything() -> None:
    assert affected_tests(REPO, None) is None


def test_a_new_test_area_counts_as_the_apis(tmp_path: Path) -> None:
    for area in ("api", "tools", "orchestrator"):
        (tmp_path / "tests" / area).mkdir(parents=True)
    (tmp_path / "tests" / "core").mkdir()
    (tmp_path / "tests" / "core" / "test_source.py").write_text("")
    assert affected_tests(tmp_path, ["turboci/a.proto"]) == (
        "tests/api",
        "tests/core/test_source.py",
        "tests/orchestrator",
    )


def _change(files: tuple[str, ...] | None) -> Change:
    return Change(REPO, "abc", "merge base", "msg", "HEAD", files)


def test_prose_alone_skips_pytest_and_anything_else_runs_it() -> None:
    pytest_check = by_name()["pytest"]
    prose = ("CHANGELOG.md", "bench/RESULTS.md")
    assert affected_tests(REPO, prose) == ()
    reason = gate.skip_reason(pytest_check, _change(prose), affected_tests(REPO, prose))
    assert reason == "the change touches no file a test reads"
    proto = ("turboci/a.proto",)
    assert gate.skip_reason(pytest_check, _change(proto), affected_tests(REPO, proto)) is None
