# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Checks the three things the repo cannot install itself: Python, Go, git."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from core.layout import REPO
from tools.errors import BuildError

MIN_PYTHON = (3, 11)


def go_wanted(gomod: Path = REPO.go / "go.mod") -> str:
    """The Go version go/go.mod asks for (its `go` line)."""
    try:
        for line in gomod.read_text(encoding="utf-8").splitlines():
            if line.startswith("go "):
                return line.split()[1]
    except OSError:
        pass
    return "1.24"


def check(python_version: tuple[int, int] = sys.version_info[:2]) -> None:
    """Raise a one-line BuildError naming the first missing prerequisite."""
    if python_version < MIN_PYTHON:
        found = ".".join(map(str, python_version))
        raise BuildError(
            f"Python {found} is too old: install Python 3.11 or newer and run "
            "./build.py with it (python3.11 build.py ...)"
        )
    if shutil.which("go") is None:
        raise BuildError(f"go not found on PATH: install Go {go_wanted()} or newer, then rerun")
    if shutil.which("git") is None:
        raise BuildError("git not found on PATH: install git, then rerun")
