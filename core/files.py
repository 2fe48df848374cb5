# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Safe writes: inside the root only, each file atomically.

A path is resolved before it is written, so a symlink (to the file or to a
folder on the way) that leads out of the root is refused, naming the
symlink. A file is written to a temp file in its own folder, flushed to
disk, and renamed over the old one: a reader sees the old bytes or the new,
never a mix, and a kill leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class OutsideRootError(Exception):
    """A write would leave the root (through a symlink or `..`)."""


def _first_symlink(root: Path, path: Path) -> Path | None:
    """The first symlink on the way from `root` to `path`, if any."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def confined(root: Path, path: Path) -> Path:
    """`path` resolved, or OutsideRootError if that is not inside `root`."""
    real_root = root.resolve()
    target = path if path.is_absolute() else root / path
    resolved = target.resolve()
    if resolved != real_root and real_root not in resolved.parents:
        link = _first_symlink(root, target)
        if link is not None:
            raise OutsideRootError(
                f"{link}: a symlink to {os.readlink(link)}, which is outside {root}; "
                "refusing to write through it"
            )
        raise OutsideRootError(f"{target}: outside {root}; refusing to write there")
    return resolved


def write_atomic(path: Path, data: bytes, root: Path | None = None, durable: bool = True) -> None:
    """Write `data` to `path` atomically (and only inside `root`, when given).

    `durable` flushes the bytes to disk before the rename, so a power cut
    leaves the old file or the new; a cache whose entries check themselves
    can skip that (thousands of flushes cost more than the compile).
    """
    if root is not None:
        path = confined(root, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o7777  # a rewrite keeps the file's mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
