# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One writer per checkout: the build's use of core.lock (.cache/build.lock).

Every task that writes to the tree holds it for its whole run (a Task says
whether it writes, see task.py); a second writer waits, saying for whom.
Read-only tasks never take it. The lint suite's --fix takes the same lock
(through core.lock, presubmit/ not importing tools/), so the two exclude
each other.

Only the standard library is used: the tool install takes it before the
tools venv exists.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from collections.abc import Iterator

from core import lock as core_lock
from core import tree
from core.layout import Layout

NAME = core_lock.NAME


def path(layout: Layout) -> str:
    return str(core_lock.path(layout))


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def held(layout: Layout, task: str, say: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the checkout's write lock for the block, waiting for another holder."""

    # The holder is named by its command: the lint suite takes this lock too.
    with tree.writer(layout, f"./build.py {task}", say):
        yield


def is_held(layout: Layout) -> bool:
    """Does this process hold the checkout's lock?"""
    return core_lock.is_held(layout)
