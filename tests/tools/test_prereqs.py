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


def _fake_go(folder: Path, says: str) -> None:
    go = folder / "go"
    go.write_text(f"#!/bin/sh\necho '{says}'\n")
    go.chmod(0o755)
    for tool in ("git",):
        found = shutil.which(tool)
        assert found
        (folder / tool).symlink_to(found)


def test_go_too_old_for_the_pinned_toolchain_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_go(tmp_path, "go version go1.20.14 linux/amd64")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BuildError, match=r"^Go 1\.20 on PATH is too old .* install Go \d+\.\d+"):
        prereqs.check((3, 11))


@pytest.mark.parametrize(
    ("says", "seen"),
    [
        ("go version go1.21.0 linux/amd64", (1, 21)),
        ("go version go1.26.8 darwin/arm64", (1, 26)),
        # A development build: go itself decides.
        ("go version devel +abc123 Mon Jan 1", None),
    ],
)
def test_go_on_path_reads_the_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, says: str, seen: tuple[int, int] | None
) -> None:
    _fake_go(tmp_path, says)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert prereqs.go_on_path() == seen
    prereqs.check((3, 11))
