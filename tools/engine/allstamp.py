# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The whole-tree stamp that lets a rerun of `all` with nothing changed return at once.

It hashes the content of every input file: every file git would see
(tracked, or untracked and not ignored: sources, outputs, config) plus
every proto input as the compile finds them, ignored or not, so the fast
path and the full path see the same inputs. Also the installed-tools record
and the commits `breaking` compares. Only the standard library is used, so
the check runs before anything else is imported or installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Sequence

from core import cache_dir
from core import files
from core import inputs
from core.layout import Layout

STAMP = "all"
# A key and the names of the steps of `all`: a few hundred bytes.
MAX_STAMP_BYTES = 4096
_STEP = re.compile(r"[a-z][a-z0-9_-]{0,31}")
# Tools that must still be on disk for a cached answer to be true.
TOOLS = ("tools/venv/bin/buf", "tools/bin/protoc-gen-go", "tools/bin/protoc-gen-go-grpc")


def _git(layout: Layout, *args: str) -> bytes | None:
    try:
        proc = subprocess.run(["git", *args], cwd=layout.root, capture_output=True)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def key(layout: Layout) -> str | None:
    """The tree's key, or None when it can't be trusted (no git, missing tools, bad input)."""
    root = layout.root
    listed = inputs.git_listing(root)
    head = _git(layout, "rev-parse", "HEAD")
    if listed is None or head is None:
        return None
    if not all((root / t).exists() for t in TOOLS):
        return None
    try:
        protos = inputs.find_protos(root, layout.proto_roots)
    except inputs.InputError:
        return None  # the full path reports it
    upstream = _git(layout, "rev-parse", "--verify", "--quiet", "@{upstream}") or b""
    h = hashlib.sha256(head + upstream)
    for name in sorted(set(listed) | set(protos)):
        h.update(os.fsencode(name) + b"\0")
        try:
            # A FIFO is never opened for reading (that would wait): the full path refuses it.
            h.update(hashlib.sha256(inputs.read_regular(root / name)).digest())
        except FileNotFoundError:
            h.update(b"<gone>")
        except IsADirectoryError:
            # git lists a symlink to a folder as a file; the link is what counts.
            h.update(
                b"<folder>"
                + os.fsencode(os.readlink(root / name) if (root / name).is_symlink() else "")
            )
        except OSError:
            return None  # unreadable: only the full path can say what is wrong
    try:
        h.update(layout.installed.read_bytes())
    except OSError:
        return None
    return h.hexdigest()


def fresh_steps(layout: Layout) -> list[str] | None:
    """The steps of the last successful `all`, if nothing changed since; else None."""
    current = key(layout)
    if current is None:
        return None
    # Read as input: a stamp that is not a small regular file of step names
    # (a FIFO, a huge file, a name to print that is not one) only means no shortcut.
    data = cache_dir.read_or_none(layout.stamps / STAMP, MAX_STAMP_BYTES)
    try:
        text = data.decode("utf-8") if data is not None else ""
    except UnicodeDecodeError:
        return None
    stamped, _, names = text.partition("\n")
    if stamped != current:
        return None
    steps = names.split()
    if not all(_STEP.fullmatch(s) for s in steps):
        return None
    return steps


def record(layout: Layout, steps: Sequence[str]) -> None:
    current = key(layout)
    if current is None:
        return
    files.write_atomic(
        layout.stamps / STAMP, (current + "\n" + " ".join(steps)).encode(), layout.root
    )
