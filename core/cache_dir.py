# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The checkout's .cache read as input: nothing found there is trusted for being there.

A .cache can come from a CI cache, a tarball or another user. So .cache and
every entry directly in it must be real (no symlink, which would carry the
tools' writes and clean-ups elsewhere); a file the tools read back is read
only if it is a regular file, without blocking and up to a size; and the
clean-up of stale temp files removes only real files of the tools' own
naming, found without following symlinks.

Only the standard library is used: build.py checks .cache before the venv exists.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

from core.errors import UserError
from core.layout import Layout

# A temp file of core.files.write_atomic: `.NAME.XXXXXXXX.tmp`.
_TEMP = re.compile(r"\..+\.tmp")
# A temp file older than this was left by a writer that died: an atomic write
# of the tools' cache files takes milliseconds.
STALE_SECONDS = 3600.0
# A cache of another tree (a scratch tree, a foreign checkout) unused this
# long is removed: .cache/trees would otherwise grow by one folder a tree.
TREE_STALE_SECONDS = 7 * 24 * 3600.0
# Folders under .cache that hold others' files (buf's module cache) or whose
# runs have their own clean-up (staging, the presubmit's and basis' scratch).
_NOT_OURS = frozenset({"buf", "staging", "presubmit", "tmp"})


# How deep check() looks: .cache/trees/<tree>/sets is the deepest folder the
# tools write into.
SCAN_DEPTH = 3
# Folders of single runs: their names are checked, their insides are the run's.
_RUN_FOLDERS = frozenset({"staging", "presubmit", "tmp"})


class CacheError(UserError):
    """.cache (or something in it) cannot be used as it is: one line saying why and what to do."""


def _symlink_line(layout: Layout, link: Path) -> str:
    try:
        target = os.readlink(link)
    except OSError:
        target = "?"
    real_root = layout.root.resolve()
    resolved = link.resolve()
    where = ""
    if resolved != real_root and real_root not in resolved.parents:
        where = f", which is outside {layout.root}"
    return (
        f"{link}: a symlink to {target}{where}; refusing to write through it: "
        "the tools' cache and what it holds must be real folders and files of the "
        "checkout (remove the symlink, then run again)"
    )


def check(layout: Layout) -> None:
    """Refuse a .cache that is a symlink or not a folder, or that holds a symlink.

    A missing .cache is fine (the tools make it). A symlink anywhere the
    tools keep their files is refused, files included (a linked lock file
    would be truncated, a linked descriptor database written through):
    down to SCAN_DEPTH levels, except inside buf's own cache, inside the
    folders of single runs (staging/X/, presubmit/X/, tmp/X/), whose own
    names are checked but whose insides belong to the run, and inside the
    folders of other trees (trees/X/), which check_tree() looks into when
    that tree is used.
    """
    cache = layout.cache
    try:
        st = os.lstat(cache)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CacheError(f"{layout.rel(cache)}: cannot be read: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise CacheError(_symlink_line(layout, cache))
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(
            f"{layout.rel(cache)}: not a folder, so the tools cannot keep their cache "
            "there; remove it (./build.py clean does), then run again"
        )
    try:
        link = _first_symlink(cache)
    except OSError as exc:
        raise CacheError(f"{layout.rel(cache)}: cannot be read: {exc.strerror}") from None
    if link is not None:
        raise CacheError(_symlink_line(layout, link))


def _first_symlink(cache: Path) -> Path | None:
    """A symlink under `cache`, within the bounds check() says, or None."""

    def descend(top: str, depth: int) -> bool:
        inside_run = top in _RUN_FOLDERS and depth >= 2
        # Each tree's own folder is checked when that tree is linted
        # (check_tree): looking into every tree's on every run cost O(trees)
        # per lint.
        inside_tree = top == "trees" and depth >= 2
        return top != "buf" and not inside_run and not inside_tree

    return _first_symlink_below(cache, 1, descend)


def _first_symlink_below(
    start: Path, depth: int, descend: Callable[[str, int], bool]
) -> Path | None:
    """A symlink in `start` (at `depth` below .cache) or in the folders under
    it, down to SCAN_DEPTH, into which `descend(top, its parent's depth)` lets
    the walk go (`top`: the folder's first part below `start`); None if there
    is none. An unreadable subfolder is passed over (the tools cannot write
    there either); `start` must be read. Names only, no Path per entry: a
    folder may hold thousands."""
    todo = [(str(start), "", depth)]
    while todo:
        folder, top, level = todo.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            if not top:
                raise
            continue
        for entry in entries:
            if entry.is_symlink():
                return Path(entry.path)
            if level < SCAN_DEPTH and entry.is_dir(follow_symlinks=False):
                part = top or entry.name
                if descend(part, level):
                    todo.append((entry.path, part, level + 1))
    return None


def check_tree(layout: Layout, folder: Path) -> None:
    """Refuse a symlink in the cache folder of one tree (.cache/trees/<hash>),
    down to the depth check() looks, before the tools use it."""
    real_folder(layout, folder)
    try:
        link = _first_symlink_below(folder, 2, lambda _top, _depth: True)
    except FileNotFoundError:
        return  # not made yet
    except OSError as exc:
        raise CacheError(f"{layout.rel(folder)}: cannot be read: {exc.strerror}") from None
    if link is not None:
        raise CacheError(_symlink_line(layout, link))


def drop_stale_trees(layout: Layout, now: float | None = None) -> list[Path]:
    """Remove the caches of other trees (.cache/trees/<hash>) unused for
    TREE_STALE_SECONDS (core.tree.cache_for touches a tree's folder each time
    it is used); which ones. Only real folders directly inside a real
    .cache/trees go, and rmtree never follows a link inside them."""
    trees = layout.cache / "trees"
    try:
        real_folder(layout, trees)
        entries = list(os.scandir(trees))
    except (CacheError, OSError):
        return []
    cutoff = (time.time() if now is None else now) - TREE_STALE_SECONDS
    removed: list[Path] = []
    for entry in entries:
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode) and st.st_mtime < cutoff:
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
    return sorted(removed)


def real_folder(layout: Layout, folder: Path) -> Path:
    """`folder` (under .cache), once no part of it from the root on is a symlink
    or a non-folder; missing parts are fine. CacheError otherwise."""
    try:
        rel = folder.relative_to(layout.root)
    except ValueError:
        raise CacheError(f"{folder}: outside {layout.root}; refusing to use it") from None
    current = layout.root
    for part in rel.parts:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            break
        except OSError as exc:
            raise CacheError(f"{layout.rel(current)}: cannot be read: {exc.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            raise CacheError(_symlink_line(layout, current))
        if not stat.S_ISDIR(st.st_mode):
            raise CacheError(
                f"{layout.rel(current)}: not a folder; remove it (./build.py clean does), "
                "then run again"
            )
    return folder


def remove_if_not_folder(layout: Layout) -> bool:
    """Remove a .cache that is a file (or a FIFO, ...): what `clean` is for.
    A symlink is left to check() to refuse; True if something was removed."""
    try:
        st = os.lstat(layout.cache)
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode):
        return False
    layout.cache.unlink()
    return True


class NotRegularError(OSError):
    """A file the tools would read back is a FIFO, a folder, a symlink, a device, ...
    (its message says which, without the path)."""


class TooLargeError(OSError):
    """A file the tools would read back is larger than they ever write it
    (its message says so, without the path)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def is_regular(path: Path) -> bool:
    """Is `path` itself (not what a symlink leads to) a regular file?"""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of `path`, which must be a regular file (not a symlink) of at
    most `limit` bytes. Never blocks: a FIFO is refused, not opened for a
    writer that never comes. NotRegularError, TooLargeError or OSError."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):  # O_NOFOLLOW said no
            raise NotRegularError("a symlink, not a regular file") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularError(f"{_kind(mode)}, not a regular file")
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise TooLargeError(f"larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_or_none(path: Path, limit: int) -> bytes | None:
    """read_regular(), or None for anything that is not a small regular file."""
    try:
        return read_regular(path, limit)
    except OSError:
        return None


def drop_stale_temps(layout: Layout, now: float | None = None) -> list[Path]:
    """Remove the temp files of atomic writes that died under .cache; which ones.

    Only regular files named like a temp file (`.NAME.XXXX.tmp`) and older
    than STALE_SECONDS go; the walk does not follow symlinks and stays out
    of buf's cache and the folders of single runs.
    """
    cache = layout.cache
    try:
        real_folder(layout, cache)
    except CacheError:
        return []
    cutoff = (time.time() if now is None else now) - STALE_SECONDS
    removed: list[Path] = []
    for folder, dirs, names in os.walk(cache):  # followlinks=False: links are not entered
        if Path(folder) == cache:
            dirs[:] = [d for d in dirs if d not in _NOT_OURS]
        for name in names:
            if not _TEMP.fullmatch(name):
                continue
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
    return removed
