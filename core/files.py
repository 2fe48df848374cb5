# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Safe writes: inside the root only, each file atomically.

A path is resolved before it is written, so a symlink (to the file or to a
folder on the way) that leads out of the root is refused, naming the
symlink. A file is written to a temp file in its own folder, flushed to
disk, and renamed over the old one: a reader sees the old bytes or the new,
never a mix, and a kill leaves no half-written file. The rename itself is
made durable too (the folder is flushed after it), so once a write returns
a power cut cannot bring the old file back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from core.errors import UserError


class OutsideRootError(UserError):
    """A write would leave the root (through a symlink or `..`)."""


def first_symlink(root: Path, path: Path) -> Path | None:
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
        link = first_symlink(root, target)
        if link is not None:
            raise OutsideRootError(
                f"{link}: a symlink to {os.readlink(link)}, which is outside {root}; "
                "refusing to write through it"
            )
        raise OutsideRootError(f"{target}: outside {root}; refusing to write there")
    return resolved


def sync_folders(folders: Iterable[Path]) -> None:
    """Flush each folder's entries (renames, new and removed names) to disk, once each.

    A file's fsync covers its bytes, not the name pointing at them: until
    its folder is flushed, a power cut can undo a rename that already
    returned.
    """
    for folder in dict.fromkeys(folders):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        except OSError as exc:
            # Some filesystems cannot flush a folder; there is nothing more to do.
            if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
                raise
        finally:
            os.close(fd)


def _missing_parents(folder: Path) -> list[Path]:
    """`folder` and its ancestors that do not exist yet, outermost first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def _new_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new, empty temp file in `folder` for `name`: (fd, path).

    Unlike mkstemp (always 0600), it is created 0666 less the umask (and
    whatever default ACL the folder has), as any new file of the user's:
    another user of a shared checkout can read what was written.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temp file name", str(folder))


def write_atomic(path: Path, data: bytes, root: Path | None = None, durable: bool = True) -> None:
    """Write `data` to `path` atomically (and only inside `root`, when given).

    `durable` flushes the bytes to disk before the rename and the folder
    after it, so a power cut leaves the old file or the new, and once this
    returns, the new; a cache whose entries check themselves can skip that
    (thousands of flushes cost more than the compile).
    """
    if root is not None:
        path = confined(root, path)
    made = _missing_parents(path.parent) if durable else []
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o7777
    # A new file follows the umask; a rewrite keeps the file's mode.
    fd, tmp = _new_temp(path.parent, path.name)
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
    if durable:
        # The folders this write made need their own names kept too.
        sync_folders([path.parent, *(d.parent for d in made)])
