# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Remembers which steps already succeeded on exactly these inputs.

A step's key hashes the content of everything it reads and the versions of
the tools it runs (never timestamps), so a rerun with nothing changed skips
the work and any change to an input or a pin runs the step again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from core import cache_dir
from core import files
from core import inputs
from core.layout import Layout


def digest_files(paths: Iterable[Path], root: Path) -> str:
    """Hash of the files' root-relative paths and contents (missing ones count too)."""
    h = hashlib.sha256()
    for f in sorted(paths):
        rel = f.relative_to(root).as_posix() if f.is_absolute() else f.as_posix()
        h.update(rel.encode() + b"\0")
        try:
            # Never blocks on a FIFO: its owner's check refuses it in one line.
            h.update(hashlib.sha256(inputs.read_regular(f)).digest())
        except FileNotFoundError:
            h.update(b"<missing>")
        except OSError as exc:
            h.update(f"<unreadable {exc.errno}>".encode())
    return h.hexdigest()


def _stamp(layout: Layout, step: str) -> Path:
    return layout.stamps / step


def is_fresh(layout: Layout, step: str, key: str) -> bool:
    """Did `step` succeed on exactly `key`? A stamp that cannot be read is not,
    nor one that is not a small regular file (a FIFO must not block the run):
    a stamp can at worst make a step run again."""
    want = key.encode()
    return cache_dir.read_or_none(_stamp(layout, step), len(want)) == want


def record(layout: Layout, step: str, key: str) -> None:
    """Remember a success; best effort: a stamp that cannot be written (a read-only
    checkout) only means the step runs again next time."""
    with contextlib.suppress(OSError):
        files.write_atomic(_stamp(layout, step), key.encode(), layout.root)


def tracked_files(root: Path, *patterns: str) -> list[Path]:
    """Tracked and untracked-but-not-ignored files matching git pathspecs."""
    listed = inputs.git_listing(root, *patterns)
    if listed is None:
        # Not a git checkout: no key can be trusted, so the step always runs.
        return [root / f"<no git: {os.getpid()} {id(patterns)}>"]
    return [root / n for n in listed]


def code_digest(*modules: str) -> str:
    """Hash of the tooling's own source, so a changed step reruns on old inputs."""
    here = Path(__file__).resolve().parent.parent
    return digest_files([here / (m.replace(".", "/") + ".py") for m in modules], here)
