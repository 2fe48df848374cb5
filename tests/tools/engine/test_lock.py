# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The build's lock: core.lock with build.py's wording and exit codes."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from core import lock as core_lock
from core.errors import UserError
from core.layout import Layout
from tools.engine import lock


def test_it_is_the_same_lock_file_as_the_lint_suites(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with lock.held(layout, "format", say=pytest.fail):
        assert core_lock.is_held(layout)
        assert lock.path(layout) == str(tmp_path / ".cache" / "build.lock")
        # The lint suite's take inside a build task is a nested no-op.
        with core_lock.held(layout, "presubmit --fix", on_wait=pytest.fail):
            assert Path(lock.path(layout)).read_text() == f"pid {os.getpid()}, ./build.py format"


def test_a_waiting_build_names_the_holder(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    said: list[str] = []
    (tmp_path / ".cache").mkdir()
    fd = os.open(lock.path(layout), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"pid 4242, python -m presubmit --fix")

    def say(line: str) -> None:
        said.append(line)
        os.close(fd)  # the holder finishes

    with lock.held(layout, "gen", say=say):
        pass
    assert said == ["waiting for another writer (pid 4242, python -m presubmit --fix) to finish"]


def test_a_lock_that_cannot_be_taken_is_an_error_with_exit_code_2(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "checkout").mkdir()
    (tmp_path / "checkout" / ".cache").symlink_to(outside)
    with (
        pytest.raises(UserError, match="symlink") as caught,
        lock.held(Layout(tmp_path / "checkout"), "gen", say=pytest.fail),
    ):
        pass
    assert caught.value.exit_code == 2
