# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""bench/suite_times.py: a run's JUnit report and step lines, as a table by test area."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import bench_script

suite_times = bench_script("suite_times")

REPORT = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.tools.tasks.test_gen" name="test_a" time="2.5" />
<testcase classname="tests.tools.test_cli.TestGroup" name="test_b[x]" time="0.5" />
<testcase classname="tests.api.test_ids" name="test_c" time="1.0" />
<testcase classname="tests.test_recipes" name="test_d" time="4.0" />
<testcase classname="tests.api.test_ids" name="test_skipped" time="9.0">
<skipped message="no go" /></testcase>
</testsuite></testsuites>
"""


def _tree(root: Path) -> None:
    for rel in (
        "tests/tools/tasks/test_gen.py",
        "tests/tools/test_cli.py",
        "tests/api/test_ids.py",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    (root / "tests" / "test_recipes.py").write_text("")


def test_cases_are_named_by_node_id_and_grouped_by_area(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "junit.xml").write_text(REPORT)
    cases = suite_times.read_junit(tmp_path / "junit.xml", tmp_path)
    assert [c.nodeid for c in cases] == [
        "tests/tools/tasks/test_gen.py::test_a",
        "tests/tools/test_cli.py::TestGroup::test_b[x]",
        "tests/api/test_ids.py::test_c",
        "tests/test_recipes.py::test_d",
    ]
    assert suite_times.area_rows(cases) == [
        ("tests/test_recipes.py", 1, 4.0),
        ("tests/tools", 2, 3.0),
        ("tests/api", 1, 1.0),
    ]
    assert suite_times.area_rows(cases, by_file=True)[1] == (
        "tests/tools/tasks/test_gen.py",
        1,
        2.5,
    )


def test_the_table_holds_the_steps_then_the_areas() -> None:
    output = "fresh      ok     0.81s\n  All checks passed!\npytest     FAIL  113.83s\n"
    steps = suite_times.step_times(output)
    assert steps == {"fresh": 0.81, "pytest": 113.83}
    cases = [suite_times.Case("tests/api/test_ids.py::test_c", 3.0)]
    assert suite_times.table(cases, steps).splitlines()[2:] == [
        "| step `fresh` (wall) | | 0.8 | |",
        "| step `pytest` (wall) | | 113.8 | |",
        "| `tests/api` | 1 | 3.0 | 100% |",
        "| all tests (test-seconds) | 1 | 3.0 | 100% |",
    ]
