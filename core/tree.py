# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The tree a command works on: its root, where its compile is cached, and
its writer lock. The build, the lint suite's command line and the hooks all
go through here, so each says the same thing the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

from core import cache_dir
from core import lock
from core.errors import UserError
from core.layout import REPO
from core.layout import Layout
from core.layout import checkout_of


class TreeError(UserError):
    """The tree named cannot be worked on (no such folder, a bad .cache): exit 2."""


def resolve_root(root: Path | None) -> Path:
    """The tree's root, absolute: `root` (from --root) or this checkout's."""
    if root is None:
        return REPO.root
    resolved = Path(root).resolve()
    if not resolved.is_dir():
        kind = "not a directory" if resolved.exists() else "no such directory"
        raise TreeError([f"--root {root}: {kind}"])
    return resolved


def cache_for(root: Path) -> Path | None:
    """Descriptors of a tree are cached inside this repo, never in the tree itself.

    Installed as a package (a pre-commit hook) the code has no checkout of
    its own to cache in, and compiles without a cache. A .cache that is (or
    holds, on the way to the cache) a symlink is refused (CacheError).
    """
    if not REPO.is_checkout:
        return None
    if root == REPO.root:
        folder = REPO.compile_cache
    else:
        folder = REPO.cache / "trees" / hashlib.sha256(str(root).encode()).hexdigest()[:16]
    cache_dir.check(REPO)
    cache_dir.real_folder(REPO, folder)
    if root != REPO.root:
        cache_dir.check_tree(REPO, folder)
        # Used now: cache_dir.drop_stale_trees keeps it.
        with contextlib.suppress(OSError):
            os.utime(folder)
    return folder


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def writer(tree: Path | Layout, holder: str, say: Callable[[str], None] = _say) -> Iterator[None]:
    """The one way to hold a tree's writer lock for the block; `holder` names
    this run to the others, `say` tells this one that it waits, and for whom.

    A Layout is a checkout: its .cache/build.lock. A folder is locked as the
    checkout of this repository that holds it (known by its files, however
    this code was installed), so a fix never races `./build.py format`; a
    tree that is no checkout gets nothing written into it, so its folder
    itself is locked (core.lock.held_tree). Raises LockError or CacheError.
    """

    def on_wait(other: str) -> None:
        say(f"waiting for another writer ({other}) to finish")

    if isinstance(tree, Layout):
        taken = lock.held(tree, holder, on_wait)
    else:
        checkout = checkout_of(tree)
        if checkout is not None:
            # Its lock file must be the checkout's own, not a link elsewhere.
            cache_dir.check(checkout)
            taken = lock.held(checkout, holder, on_wait)
        else:
            taken = lock.held_tree(tree, on_wait)
    with taken:
        yield
