# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`clean`: remove what the build made; the tracked tree is left alone."""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from tools import thirdparty
from tools.engine import lock
from tools.engine.context import Context
from tools.engine.task import Task
from tools.engine.task import always
from tools.errors import BuildError


def _remove_tree(path: Path) -> None:
    """Remove a real folder (never the target of a symlink), read-only parts too."""

    def writable_then_retry(func: Callable[[str], object], name: str, _exc: object) -> None:
        # Go keeps its module cache read-only: make the parent writable, retry.
        os.chmod(os.path.dirname(name), 0o755)
        func(name)

    # onerror, not onexc: Python 3.11 is supported.
    shutil.rmtree(path, onerror=writable_then_retry)


def clean(ctx: Context, tools: bool = False) -> None:
    """Delete caches and the google/ copies; with `tools`, the installed tools too."""
    layout = ctx.layout
    doomed = [layout.cache]
    if tools:
        pygen = layout.tools / "pygen"  # the Python stubs' protoc (tools/pygen.py)
        doomed += [layout.venv, pygen, layout.gobin, layout.installed, layout.tool_cache]
    for path in doomed:
        shown = layout.rel(path)
        try:
            if path.is_symlink():
                path.unlink()  # the link goes; whatever it points to stays
                ctx.say(f"removed {shown} (a symlink; its target was left alone)")
            elif path == layout.cache and lock.is_held(layout):
                # The lock file stays: a run waiting on it must not meet a
                # newcomer holding a fresh one.
                for child in path.iterdir():
                    if child.name == lock.NAME:
                        continue
                    if child.is_dir() and not child.is_symlink():
                        _remove_tree(child)
                    else:
                        child.unlink()
                ctx.say(f"removed {shown}/")
            elif path.is_dir():
                _remove_tree(path)
                ctx.say(f"removed {shown}/")
            elif path.exists():
                path.unlink()
                ctx.say(f"removed {shown}")
        except OSError as exc:
            raise BuildError(f"{shown}: cannot remove: {exc.strerror}") from None
    for rel in thirdparty.WANTED:
        copy = layout.root / rel
        if copy.is_file() or copy.is_symlink():
            copy.unlink()
            ctx.say(f"removed {rel}")
    for cache in layout.root.rglob("__pycache__"):
        if layout.venv not in cache.parents and not cache.is_symlink():
            shutil.rmtree(cache, ignore_errors=True)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tools",
        action="store_true",
        help="also remove the installed tools (tools/venv, tools/pygen, tools/bin, tools/cache)",
    )


def _run(ctx: Context, args: argparse.Namespace) -> int:
    clean(ctx, tools=args.tools)
    return 0


TASK = Task(
    name="clean",
    writes=always,
    help="remove caches and the google/ copies",
    arguments=_arguments,
    run=_run,
    needs_tools=False,
)
