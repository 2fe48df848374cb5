# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The quick loop's selection: end-to-end tests are marked `slow`, by their
fixtures or by hand, and the quick loop runs no build.py."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest

from tests.conftest import END_TO_END_FIXTURES
from tests.conftest import pytest_collection_modifyitems
from tests.conftest import run_build


@dataclass
class FakeItem:
    fixturenames: list[str]
    markers: list[str] = field(default_factory=list)

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.markers.append(marker.name)


@pytest.mark.parametrize("fixture", sorted(END_TO_END_FIXTURES))
def test_a_test_using_an_end_to_end_fixture_is_marked_slow(fixture: str) -> None:
    items = [FakeItem(["tmp_path", fixture]), FakeItem(["tmp_path", "api_tree"])]
    pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert [item.markers for item in items] == [["slow"], []]


def test_the_session_holds_end_to_end_tests_only_as_slow_ones(
    request: pytest.FixtureRequest,
) -> None:
    # The marking happens before pytest deselects by marker: with -m "not
    # slow" (the quick loop) none is left, otherwise each carries the marker.
    quick = "not slow" in request.config.option.markexpr
    for item in request.session.items:
        slow = item.get_closest_marker("slow") is not None
        if END_TO_END_FIXTURES & set(getattr(item, "fixturenames", ())):
            assert slow, item.nodeid
        assert not (quick and slow), item.nodeid


def test_a_quick_test_cannot_run_build_py(tmp_path: Path) -> None:
    (tmp_path / "build.py").write_text("raise SystemExit(0)\n")
    with pytest.raises(pytest.fail.Exception, match=r"runs build\.py: mark it @pytest\.mark\.slow"):
        run_build(tmp_path, "all")


@pytest.mark.slow  # runs a build.py, which is what the guard lets only a slow test do
def test_a_slow_test_runs_build_py(tmp_path: Path) -> None:
    (tmp_path / "build.py").write_text("import sys\nprint(sys.argv[1:])\n")
    proc = run_build(tmp_path, "all", python=sys.executable)
    assert (proc.returncode, proc.stdout) == (0, "['all']\n")
