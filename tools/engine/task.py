# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The shape of a task: each module in tools/tasks/ declares one as `TASK`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from tools.engine.context import Context

# A step of `all`: does its work, returns True when it rewrote the sources
# (so the others must run again on them).
StepFn = Callable[[Context], "bool | None"]


def no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def check_flag(what: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help=what)

    return add


def never(args: argparse.Namespace) -> bool:
    del args
    return False


def always(args: argparse.Namespace) -> bool:
    del args
    return True


def unless_check(args: argparse.Namespace) -> bool:
    """Writes, except with --check (which only compares)."""
    return not getattr(args, "check", False)


@dataclass(frozen=True, kw_only=True)
class Task:
    """A task of build.py: its name, one-line help, arguments and function."""

    name: str
    help: str
    run: Callable[[Context, argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] = no_arguments
    # Whether a run with these arguments writes to the tree: such runs hold
    # the checkout's lock (tools/engine/lock.py), one at a time.
    writes: Callable[[argparse.Namespace], bool] = never
    # False for tasks that work before the pinned tools exist (clean).
    needs_tools: bool = True
    # As a step of `all`: start it and return what finishes it (gen starts
    # its generators before the other steps compete for the cores). None:
    # not a step of `all`.
    step: Callable[[Context], StepFn] | None = None
    # The step may rewrite the sources; it runs first, and the others again
    # on the new sources if it did.
    rewrites_sources: bool = False
