# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The command line of build.py: parse, install the pinned tools, run a task."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core import errors
from core.layout import REPO

if TYPE_CHECKING:
    from tools.engine.task import Task

# Set in the environment of the re-executed build.py so it cannot loop.
_IN_VENV = "TURBOCI_BUILD_IN_VENV"


def _in_tools_venv() -> bool:
    return Path(sys.prefix).resolve() == REPO.venv.resolve()


def _bootstrap(argv: Sequence[str]) -> None:
    """Install what DEPS pins, then continue inside the tools venv."""
    from tools import deps
    from tools import prereqs
    from tools import toolchain

    prereqs.check()
    toolchain.ensure(deps.load(REPO.deps))
    if _in_tools_venv() or os.environ.get(_IN_VENV) == "1":
        return
    py = str(REPO.venv_python())
    os.environ[_IN_VENV] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(py, [py, str(REPO.root / "build.py"), *argv])


def _all_unchanged() -> bool:
    """Answer a rerun of `all` on an unchanged tree before importing anything."""
    import time

    from tools.engine import allstamp

    started = time.perf_counter()
    steps = allstamp.fresh_steps(REPO)
    if steps is None:
        return False
    for name in steps:
        print(f"{name:<10} ok     0.00s  (unchanged)")
    took = time.perf_counter() - started
    print(f"all {len(steps)} steps ok ({took:.2f}s; nothing changed since the last run)")
    return True


def _preflight(task: str | None) -> None:
    """Before anything else: refuse a .cache that is a symlink or holds one (every
    task writes caches there; `clean` removes a .cache that is a file), then
    undo (or finish) a transaction an earlier run left."""
    from core import cache_dir
    from tools.engine import lock
    from tools.engine import transaction

    if task == "clean" and cache_dir.remove_if_not_folder(REPO):
        print(f"removed {REPO.rel(REPO.cache)} (a file, not the cache folder)", flush=True)
    cache_dir.check(REPO)  # CacheError: exit 2
    if not transaction.pending(REPO):
        return
    with lock.held(REPO, "recovery"):
        message = transaction.recover(REPO)  # another run may have recovered meanwhile
    if message:
        print(f"recovered: {message}", file=sys.stderr, flush=True)


def _run(task: Task, args: argparse.Namespace) -> int:
    from tools.engine import lock
    from tools.engine import transaction
    from tools.engine.context import Context

    if not task.writes(args):
        return task.run(Context(), args)
    with lock.held(REPO, task.name):
        message = transaction.recover(REPO)  # also drops staging left by runs that died
        if message:
            print(f"recovered: {message}", file=sys.stderr, flush=True)
        return task.run(Context(), args)


def main(argv: Sequence[str]) -> int:
    return errors.guarded(lambda: _main(list(argv)), sys.stderr, "build.py")


def _main(argv: list[str]) -> int:
    task = argv[0] if argv else None
    _preflight(task)
    if task == "all" and len(argv) == 1 and _all_unchanged():
        return 0
    from tools.engine import registry

    if task in registry.names() and registry.get(task).needs_tools:
        _bootstrap(argv)
    parser = registry.make_parser(task)
    args = parser.parse_args(argv)
    if args.task is None:
        parser.print_help()
        return 2
    return _run(registry.get(args.task), args)
