# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_api_tree
from tests.conftest import task_context
from tools import stamps
from tools.commit_queue import worker
from tools.tasks import docs


def test_the_checks_believe_no_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The commit queue's .cache may come from a CI cache: every stamp there
    # could be forged, so a check does its work whatever the stamps say.
    root = make_api_tree(tmp_path / "repo")
    docs.docs(task_context(root))
    page = next((root / "docs").glob("turboci.*.md"))
    page.write_text("edited by hand\n")
    monkeypatch.setattr(stamps, "is_fresh", lambda *_: True)
    docs.docs(task_context(root), check=True)  # a believing run skips the work
    assert worker.run("docs", root, None, None) == 1
    assert worker.run("stubs", root, None, None) == 1  # never generated: all missing


def test_a_check_that_cannot_write_is_exit_2_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*_: object) -> int:
        raise OSError(28, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr(worker, "run", full)
    monkeypatch.delenv("TURBOCI_DEBUG", raising=False)
    assert worker.main(["docs", "--root", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "No space left on device" in out
    assert "internal error" not in out and out.count("\n") == 1
