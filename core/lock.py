# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One writer per tree: an OS file lock (flock), released when its process dies.

A checkout's writers (every ./build.py task that writes, and the lint
suite's --fix) hold .cache/build.lock for their whole run; a second writer
waits, told for whom. Being an flock, not a pid file, a killed holder
cannot leave the tree locked. A tree that is not a checkout of this repo
(the lint suite's --root) is locked through its own folder instead, see
held_tree().

Only the standard library is used: the tool install takes the lock before
the tools venv exists.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

from core import files
from core.errors import UserError
from core.layout import Layout

NAME = "build.lock"

# Locks this process holds, by what is locked: a nested take (the tool
# install inside a writing task, the lint suite's --fix inside ./build.py
# lint --fix) is a no-op instead of a deadlock with itself.
_held: dict[str, int] = {}


class LockError(UserError):
    """The lock cannot be taken: its file leads out of the tree or cannot be made."""


def path(layout: Layout) -> Path:
    return layout.cache / NAME


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it ("pid N, TASK")."""
    # The holder writes its name just after taking the lock: give it a moment.
    for _ in range(20):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if text:
            return text
        time.sleep(0.01)
    return "pid unknown"


def _open(layout: Layout) -> int:
    try:
        # .cache must be the checkout's own: a symlink out would lock (and
        # later write) somewhere else.
        files.confined(layout.root, path(layout))
        layout.cache.mkdir(exist_ok=True)
        return os.open(path(layout), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except files.OutsideRootError as exc:
        raise LockError(str(exc)) from None
    except OSError as exc:
        raise LockError(
            f"{layout.rel(layout.cache)}: cannot take the build lock: {exc.strerror}; "
            "make the checkout writable"
        ) from None


@contextlib.contextmanager
def _nested(key: str) -> Iterator[bool]:
    """True (and counted) when this process already holds the lock `key`."""
    if key not in _held:
        yield False
        return
    _held[key] += 1
    try:
        yield True
    finally:
        _held[key] -= 1


def _take(fd: int, on_wait: Callable[[str], None], holder: Callable[[int], str]) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        on_wait(holder(fd))
        fcntl.flock(fd, fcntl.LOCK_EX)


@contextlib.contextmanager
def held(layout: Layout, task: str, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the checkout's write lock for the block, waiting for another holder.

    `on_wait` is told who holds it ("pid N, TASK") before the wait; raises
    LockError if the lock file cannot be made.
    """
    key = str(path(layout))
    with _nested(key) as nested:
        if nested:
            yield
            return
        fd = _open(layout)
        try:
            _take(fd, on_wait, _holder)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, {task}".encode(), 0)
            _held[key] = 1
            try:
                yield
            finally:
                del _held[key]
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing releases the lock; so does dying


@contextlib.contextmanager
def held_tree(root: Path, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold a lock on the folder `root` itself, for a tree that is not ours.

    Nothing may be written into a tree the lint suite was only pointed at,
    so there is no lock file: the flock is on an fd of the folder (opened
    read-only; it changes nothing on disk, not even a timestamp). Writers
    that use this function on the same folder exclude each other; the
    holder cannot be named, so `on_wait` is told "pid unknown".
    """
    key = f"tree:{root.resolve()}"
    with _nested(key) as nested:
        if nested:
            yield
            return
        try:
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise LockError(f"{root}: cannot lock the tree: {exc.strerror}") from None
        try:
            try:
                _take(fd, on_wait, lambda _: "pid unknown")
            except OSError as exc:
                raise LockError(f"{root}: cannot lock the tree: {exc.strerror}") from None
            _held[key] = 1
            try:
                yield
            finally:
                del _held[key]
        finally:
            os.close(fd)


def is_held(layout: Layout) -> bool:
    """Does this process hold the checkout's lock?"""
    return str(path(layout)) in _held
