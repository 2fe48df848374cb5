# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import prereqs
from tools.errors import BuildError


def test_old_python_says_what_to_install() -> None:
    with pytest.raises(BuildError, match=r"Python 3\.10 is too old: install Python 3\.11"):
        prereqs.check((3, 10))


def test_missing_go_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BuildError, match=r"go not found on PATH: install Go \d+\.\d+"):
        prereqs.check((3, 11))


def test_go_version_comes_from_go_mod(tmp_path: Path) -> None:
    gomod = tmp_path / "go.mod"
    gomod.write_text("module example.com/m\n\ngo 1.27.1\n")
    assert prereqs.go_wanted(gomod) == "1.27.1"
    assert prereqs.go_wanted(tmp_path / "missing") == "1.24"


def test_current_machine_passes() -> None:
    prereqs.check()


def test_missing_git_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    go = shutil.which("go")
    assert go
    (tmp_path / "go").symlink_to(go)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BuildError, match="git not found on PATH: install git"):
        prereqs.check((3, 11))
