"""Checks the three things the repo cannot install itself: Python, Go, git."""

from __future__ import annotations

import shutil
import sys

from tools.errors import BuildError

MIN_PYTHON = (3, 11)


def check(python_version: tuple[int, int] = sys.version_info[:2]) -> None:
    """Raise a one-line BuildError naming the first missing prerequisite."""
    if python_version < MIN_PYTHON:
        found = ".".join(map(str, python_version))
        raise BuildError(
            f"Python {found} is too old: install Python 3.11 or newer and run "
            "./build.py with it (python3.11 build.py ...)"
        )
    if shutil.which("go") is None:
        raise BuildError("go not found on PATH: install Go 1.24 or newer, then rerun")
    if shutil.which("git") is None:
        raise BuildError("git not found on PATH: install git, then rerun")
