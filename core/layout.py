# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Where things live in a checkout, relative to its root; every module asks here.

Only the standard library is used: build.py reads the layout before the
tools venv exists.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

GO_MODULE = "go.chromium.org/turboci/proto/go"


@dataclass(frozen=True)
class Layout:
    """The paths of one checkout (the repo, or a copy of it in a test)."""

    root: Path

    # --- sources -------------------------------------------------------
    @property
    def proto_roots(self) -> tuple[str, ...]:
        """The folders holding the API protos, root-relative."""
        return ("turboci",)

    @property
    def deps(self) -> Path:
        return self.root / "DEPS"

    @property
    def buf_yaml(self) -> Path:
        return self.root / "buf.yaml"

    # --- outputs -------------------------------------------------------
    @property
    def go(self) -> Path:
        return self.root / "go"

    @property
    def py(self) -> Path:
        return self.root / "py"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    # --- caches and tools ----------------------------------------------
    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    @property
    def compile_cache(self) -> Path:
        return self.cache / "compile"

    @property
    def stamps(self) -> Path:
        return self.cache / "stamps"

    @property
    def tools(self) -> Path:
        return self.root / "tools"

    @property
    def venv(self) -> Path:
        return self.tools / "venv"

    @property
    def gobin(self) -> Path:
        return self.tools / "bin"

    @property
    def installed(self) -> Path:
        """The record of what build.py installed, and at which versions."""
        return self.tools / "installed.json"

    @property
    def tool_cache(self) -> Path:
        """Go's module and build caches and pip's: inside the repo, never in $HOME."""
        return self.tools / "cache"

    def venv_bin(self, name: str) -> Path:
        """An executable installed into the tools venv."""
        return self.venv / ("Scripts" if os.name == "nt" else "bin") / name

    def venv_python(self) -> Path:
        return self.venv_bin("python")

    @property
    def is_checkout(self) -> bool:
        """Whether this is a checkout of the repository, not the lint suite
        installed as a package (into site-packages, which has no DEPS)."""
        return self.deps.is_file()

    def rel(self, path: Path) -> str:
        """`path` as the user knows it: root-relative when inside the root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


# Files that a checkout of this repository has together: its pins and the
# module that defines the lock its writers share. The lint suite installed
# as a package has no DEPS beside its core/.
MARKERS = ("DEPS", "core/lock.py")


def checkout_of(path: Path) -> Layout | None:
    """The checkout of this repository that holds `path` (it or the nearest
    parent that has MARKERS), wherever the code asking was installed.

    The search stays inside the git work tree that holds `path` (it stops at
    the first folder with a `.git`), or at `path` itself outside one: files
    planted in a shared parent such as /tmp must not make a writer lock (and
    create .cache/ in) a folder above the tree it was given.
    """
    start = path.resolve()
    chain = (start, *start.parents)
    top = next((i for i, folder in enumerate(chain) if os.path.lexists(folder / ".git")), 0)
    for folder in chain[: top + 1]:
        if all((folder / name).is_file() for name in MARKERS):
            return Layout(folder)
    return None


# This checkout: the repo that holds this file.
REPO = Layout(Path(__file__).resolve().parent.parent)
