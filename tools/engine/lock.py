# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One writer per checkout: an OS file lock in .cache/, released when its process dies.

Every task that writes to the tree holds it for its whole run (a Task says
whether it writes, see task.py); a second writer waits, saying for whom.
Read-only tasks never take it. Being an flock, not a pid file, a killed
holder cannot leave the checkout locked.

Only the standard library is used: the tool install takes it before the
tools venv exists.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator

from core import files
from core.layout import Layout
from tools.errors import BuildError

NAME = "build.lock"

# Locks this process holds, by lock file: a nested take (the tool install
# inside a writing task) is a no-op instead of a deadlock with itself.
_held: dict[str, int] = {}


def path(layout: Layout) -> str:
    return str(layout.cache / NAME)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
        files.confined(layout.root, layout.cache / NAME)
        layout.cache.mkdir(exist_ok=True)
        return os.open(path(layout), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except files.OutsideRootError as exc:
        raise BuildError(str(exc), exit_code=2) from None
    except OSError as exc:
        raise BuildError(
            f"{layout.rel(layout.cache)}: cannot take the build lock: {exc.strerror}; "
            "make the checkout writable",
            exit_code=2,
        ) from None


@contextlib.contextmanager
def held(layout: Layout, task: str, say: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the checkout's write lock for the block, waiting for another holder."""
    key = path(layout)
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = _open(layout)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another ./build.py ({_holder(fd)}) to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
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


def is_held(layout: Layout) -> bool:
    """Does this process hold the checkout's lock?"""
    return path(layout) in _held
