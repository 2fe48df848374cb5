# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The presubmit's checks as data: what each runs, and which files can change its answer.

A check may be skipped only when the change touches none of its inputs:
the files it reads, the tooling that runs it (`TOOLING`) and its config.
A check whose inputs cannot be listed (the Python tests read nearly every
file of the repo) has `inputs=None` and always runs.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

# The build itself: a change here can change any check's answer.
TOOLING = ("build.py", "tools/**", "core/**", "DEPS", ".gitignore")
# The lint suite and its config.
SUITE = ("presubmit/**", "presubmit.toml")
PROTOS = ("turboci/**", "buf.yaml")


@dataclass(frozen=True)
class Check:
    name: str
    # What runs, for the summary and `--help`.
    what: str
    # The command a contributor runs to see the same answer.
    rerun: str
    # Files that can change the answer (globs over root-relative paths, `**`
    # any depth); None: too many to list, never skipped.
    inputs: tuple[str, ...] | None
    # Reads the shared compile (so it cannot run when the API does not compile).
    compiles: bool = True
    # The check that takes longest: the others run at a lower CPU priority,
    # so on a busy machine they do not stretch the run's critical path.
    longest: bool = False

    def affected_by(self, files: Sequence[str]) -> list[str]:
        """The changed files among this check's inputs (all of them if unknown)."""
        if self.inputs is None:
            return list(files)
        patterns = (*self.inputs, *TOOLING)
        return [f for f in files if any(match(f, p) for p in patterns)]


def match(path: str, pattern: str) -> bool:
    """Does root-relative `path` match `pattern` (`dir/**`, `**/*.ext`, or a path)?"""
    if pattern.endswith("/**"):
        return path.startswith(pattern[:-2])
    if pattern.startswith("**/"):
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern[3:])
    return path == pattern


PYTHON = (
    "**/*.py",
    "**/*.pyi",
    "**/py.typed",
    "**/pyproject.toml",
    "**/ruff.toml",
    "**/.ruff.toml",
    "**/mypy.ini",
    "**/.mypy.ini",
    "**/setup.cfg",
)

CHECKS: tuple[Check, ...] = (
    Check("format", "buf format --diff over the protos", "./build.py format --check", PROTOS),
    Check(
        "lint",
        "buf lint and the project's rules (less LICENSE_HEADER, its own check)",
        "./build.py lint",
        (*PROTOS, *SUITE, "**/*.py", "go/go.mod"),
    ),
    Check(
        "breaking",
        "buf breaking against the basis; the footer may turn it into a warning",
        "./build.py breaking --against BASIS",
        PROTOS,
    ),
    Check(
        "stubs",
        "the Go and Python stubs (and go.mod) are what the protos give",
        "./build.py gen --check",
        ("turboci/**", "go/**", "py/**"),
    ),
    Check(
        "docs",
        "the API reference is what the protos give",
        "./build.py docs --check",
        ("turboci/**", "docs/**"),
    ),
    Check(
        "license",
        "LICENSE_HEADER over every hand-written .proto, .py and .go",
        "./build.py lint --rules LICENSE_HEADER",
        ("**/*.proto", "**/*.py", "**/*.go", *SUITE),
        compiles=False,
    ),
    Check("pytest", "pytest over tests/", "./build.py test", None, compiles=False, longest=True),
    Check(
        "go", "go build, go vet and go test in go/", "./build.py test", ("go/**",), compiles=False
    ),
    Check("ruff", "ruff check and ruff format --check", "./build.py test", PYTHON, compiles=False),
    Check(
        "mypy", "mypy --strict over the repo's Python", "./build.py test", PYTHON, compiles=False
    ),
)


def by_name() -> dict[str, Check]:
    return {c.name: c for c in CHECKS}
