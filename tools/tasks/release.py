# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`release`: the sdist and the wheel of py/, reproducible and checked, into dist/.

How they are built and checked is tools/release.py; this task only stages
them and puts them in dist/ (inside the checkout, each file atomically).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil

from core import files
from tools import release
from tools.engine import transaction
from tools.engine.context import Context
from tools.engine.task import Task
from tools.engine.task import always
from tools.errors import BuildError

OUT = "dist"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unreleased",
        action="store_true",
        help="build even though CHANGELOG.md has no dated entry for the version (not a release)",
    )


def _run(ctx: Context, args: argparse.Namespace) -> int:
    problem = release.changelog_problem(ctx.layout, release.version(ctx.layout))
    if problem and not args.unreleased:
        raise BuildError(problem + " (or build with --unreleased)")
    out = ctx.root / OUT
    scratch = transaction.scratch(ctx.layout, "release")
    try:
        built = release.build(ctx.layout, scratch, ctx.say)
        for artifact in (built.sdist, built.wheel):
            data = artifact.read_bytes()
            try:
                files.write_atomic(out / artifact.name, data, ctx.root)
            except files.OutsideRootError as exc:
                raise BuildError(str(exc), exit_code=2) from None
            digest = hashlib.sha256(data).hexdigest()
            ctx.say(f"{OUT}/{artifact.name}  sha256 {digest}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx.say("the wheel built again from the sdist is byte-identical")
    if problem:
        ctx.say(f"not a release: {problem}")
    return 0


TASK = Task(
    name="release",
    help="build the Python sdist and wheel into dist/, reproducibly",
    arguments=_arguments,
    run=_run,
    writes=always,
)
