# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Checks the three things the repo cannot install itself: Python, Go, git."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from core.layout import REPO
from tools import env
from tools.errors import BuildError

MIN_PYTHON = (3, 11)
# The oldest Go that fetches the toolchain DEPS pins (GOTOOLCHAIN).
MIN_GO = (1, 21)
_GO_VERSION = re.compile(r"\bgo(\d+)\.(\d+)")


def go_wanted(gomod: Path = REPO.go / "go.mod") -> str:
    """The Go version go/go.mod asks for (its `go` line)."""
    try:
        for line in gomod.read_text(encoding="utf-8").splitlines():
            if line.startswith("go "):
                return line.split()[1]
    except OSError:
        pass
    return "1.24"


def go_on_path() -> tuple[int, int] | None:
    """The Go on PATH as (major, minor), or None when `go version` says
    something this cannot read (a development build): then go itself decides."""
    try:
        out = subprocess.run(
            ["go", "version"],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=30,
            # The Go on PATH itself, not a toolchain it would switch to, and
            # its telemetry kept in tools/cache as every go command's is.
            env=env.go_env(REPO, GOTOOLCHAIN="local"),
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _GO_VERSION.search(out)
    return (int(found[1]), int(found[2])) if found else None


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
    go = go_on_path()
    if go is not None and go < MIN_GO:
        raise BuildError(
            f"Go {go[0]}.{go[1]} on PATH is too old to fetch the pinned Go toolchain "
            f"(that needs Go {MIN_GO[0]}.{MIN_GO[1]} or newer): install Go {go_wanted()} "
            "or newer, then rerun"
        )
    if shutil.which("git") is None:
        raise BuildError("git not found on PATH: install git, then rerun")
