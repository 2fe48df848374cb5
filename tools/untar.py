# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Unpacks a tar of plain files and folders into a fresh folder, safely, on
every supported Python.

tarfile's `filter=` argument (which refuses names outside the destination,
links, devices) first shipped in 3.11.4; Debian 12's 3.11.2 lacks it. The
members are checked here, the same way on every Python, before anything is
written: only regular files and folders with relative names that stay
inside. Then `filter="data"` does the writing where it exists, or the
members are written by hand (which, without links, cannot leave the folder).
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path
from pathlib import PurePosixPath

from tools.errors import BuildError


def has_filter() -> bool:
    """Whether extractall() takes `filter=`: tarfile.data_filter came with it."""
    return hasattr(tarfile, "data_filter")


def _refusal(member: tarfile.TarInfo) -> str | None:
    """Why `member` may not be unpacked, or None."""
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute name"
    if ".." in parts or "\\" in name:
        return "a name with `..` or a backslash"
    if (not parts and not member.isdir()) or "\x00" in name:
        return "an empty name"
    if member.issym() or member.islnk():
        return f"a link (to {member.linkname!r})"
    if not (member.isreg() or member.isdir()):
        return "neither a file nor a folder (a device, FIFO or the like)"
    return None


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    target = dest.joinpath(*PurePosixPath(member.name).parts)
    if member.isdir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    if source is None:  # pragma: no cover - isreg() members always have data
        raise BuildError(f"{member.name!r}: no data in the archive")
    # O_EXCL|O_NOFOLLOW: a name given twice, or anything already there, is
    # never written through. Plain 0o644 (less the umask), as filter="data" does.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o644)
    with source, os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(source, out)


def extract(archive: Path, dest: Path, *, use_filter: bool | None = None) -> None:
    """Unpack `archive` into the empty folder `dest`; BuildError names the first
    member that is not a plain file or folder inside `dest`, before any is written.
    `use_filter` None means: where this Python has it."""
    if use_filter is None:
        use_filter = has_filter()
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                why = _refusal(member)
                if why is not None:
                    raise BuildError(
                        f"{archive.name}: {member.name!r}: {why}; refusing to unpack it"
                    )
            if use_filter:
                tar.extractall(dest, members=members, filter="data")
                return
            for member in members:
                try:
                    _write(tar, member, dest)
                except OSError as exc:
                    # A name given twice, or a file where a folder must go.
                    raise BuildError(
                        f"{archive.name}: {member.name!r}: cannot be unpacked: {exc.strerror}"
                    ) from None
    except (tarfile.TarError, OSError) as exc:
        raise BuildError(f"{archive.name}: cannot be unpacked: {exc}") from None
