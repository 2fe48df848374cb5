# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The presubmit's run folders, `.cache/presubmit/run-<pid>-<random>`, one per run.

A run holds an flock on its folder for its whole life, and its checks
inherit that lock, so it stays held until the last of them is gone. A run
that was killed before it could remove its folder leaves it behind; the
next run removes every run folder whose lock is free and whose pid is
dead (or which is older than a live run could be without its lock).
Everything goes through folder descriptors opened without following
symlinks: a `.cache` or `.cache/presubmit` that is a symlink (or not a
folder) is refused, an entry that is a symlink is left alone, and no
removal can be led outside the checkout.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from core import processes
from core.errors import UserError
from core.layout import Layout

PREFIX = "run-"
_NAME = re.compile(r"run-([0-9]{1,10})-.*")
# A live run locks its folder right after making it: a folder this old
# with a free lock is dead even if a new process took its pid.
STALE_SECONDS = 60.0
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class RunFolderError(UserError):
    """The run folders' place is not the checkout's own folder (one line says why)."""


def _open_dir(name: str, dir_fd: int) -> int:
    return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)


def _parent(layout: Layout) -> int:
    """A descriptor of .cache/presubmit, made if missing; each a real folder."""
    fd = os.open(layout.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name, rel in ((".cache", ".cache"), ("presubmit", ".cache/presubmit")):
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=fd)
            try:
                inner = _open_dir(name, fd)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                raise RunFolderError(
                    f"{rel}: a symlink or not a folder; the presubmit keeps its run folders "
                    "in the checkout's own .cache only: remove it"
                ) from None
            os.close(fd)
            fd = inner
        return fd
    except BaseException:
        os.close(fd)
        raise


def _dead(name: str, fd: int) -> bool:
    """Is the run of this (locked by us) folder dead?"""
    match = _NAME.fullmatch(name)
    if match is None:  # not a name a run gives: its lock alone says
        return True
    pid = int(match.group(1))
    young = time.time() - os.fstat(fd).st_mtime < STALE_SECONDS
    return not (pid > 0 and processes.alive(pid) and young)


def remove_dead(parent_fd: int) -> list[str]:
    """Remove the run folders under `parent_fd` whose run is dead; their names."""
    removed = []
    for entry in os.scandir(parent_fd):
        if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            fd = _open_dir(entry.name, parent_fd)
        except OSError:  # gone, or swapped for a symlink since the listing
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its run (or one of its checks) is alive
            if _dead(entry.name, fd):
                # Removed under our lock: another run starting now skips it.
                shutil.rmtree(entry.name, ignore_errors=True, dir_fd=parent_fd)
                removed.append(entry.name)
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def run_folder(layout: Layout) -> Iterator[tuple[Path, int]]:
    """A fresh run folder (path, descriptor holding its lock), removed at the end.

    Dead runs' folders are removed first. The descriptor is for the checks
    to inherit (so the lock outlives this process while they run).
    """
    parent_fd = _parent(layout)
    try:
        remove_dead(parent_fd)
        name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        os.mkdir(name, dir_fd=parent_fd)
        fd = _open_dir(name, parent_fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield layout.cache / "presubmit" / name, fd
            finally:
                shutil.rmtree(name, ignore_errors=True, dir_fd=parent_fd)
        finally:
            os.close(fd)
    finally:
        os.close(parent_fd)
