# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`format`: buf format over the API protos, after a compile.

buf 1.75 rewrites files that do not even parse and exits 0, so the shared
compile runs first and its errors are what the user sees.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from core import buf_format
from core import files
from tools import buf_config
from tools import stamps
from tools.engine import transaction
from tools.engine.context import Context
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.engine.task import check_flag
from tools.engine.task import unless_check
from tools.env import tool_env
from tools.errors import BuildError
from tools.run import missing
from tools.run import output_of
from tools.run import run


def format_protos(ctx: Context, check: bool = False) -> bool:
    """Format the API protos in place, or with `check` report a diff and fail.

    Returns True when files were rewritten (callers then recompile).
    """
    layout = ctx.layout
    compiled = ctx.compiled()  # syntax errors surface here, before buf touches a file
    buf_config.require_regular(layout)
    key = "\n".join(
        [
            compiled.key,
            stamps.digest_files([layout.deps, layout.buf_yaml], layout.root),
            stamps.code_digest("tools.tasks.format"),
        ]
    )
    if ctx.is_fresh("format", key):
        return False  # these exact sources were formatted already
    buf = str(layout.venv_bin("buf"))
    if check:
        targets = [a for top in layout.proto_roots for a in ("--path", top)]
        proc = run([buf, "format", ".", *targets, "--diff", "--exit-code"], cwd=layout.root)
        if proc.returncode == 0:
            stamps.record(layout, "format", key)
            return False
        if proc.stdout.strip():
            ctx.say(proc.stdout.rstrip("\n"))
            raise BuildError("protos are not formatted: run ./build.py format")
        raise BuildError(f"buf format failed: {output_of(proc)}")
    changed = _rewrite(ctx, buf)
    for f in changed:
        ctx.say(f"formatted {f}")
    if changed:
        ctx.forget_compile()
        key = "\n".join([ctx.compiled().key, key.split("\n", 1)[1]])
    stamps.record(layout, "format", key)
    return bool(changed)


def _rewrite(ctx: Context, buf: str) -> list[str]:
    """Format into staging, then replace each changed proto atomically, inside the
    root only, and only if its bytes are still those that were compiled."""
    layout = ctx.layout
    compiled = ctx.compiled()
    originals = {f: compiled.raw[f] for f in compiled.files}
    if not Path(buf).is_file():
        raise missing(buf, None)
    stage = transaction.scratch(layout, "format")
    try:
        new = buf_format.formatted(buf, originals, stage, env=tool_env(layout))
        return buf_format.write_back(layout.root, new, originals)
    except files.OutsideRootError as exc:
        raise BuildError(str(exc), exit_code=2) from None
    except buf_format.FormatError as exc:
        raise BuildError(str(exc)) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _run(ctx: Context, args: argparse.Namespace) -> int:
    format_protos(ctx, check=args.check)
    return 0


def _step(ctx: Context) -> StepFn:
    del ctx
    return format_protos


TASK = Task(
    name="format",
    writes=unless_check,
    help="format the protos with buf format",
    arguments=check_flag("print the diff and exit 1 instead of rewriting"),
    run=_run,
    step=_step,
    rewrites_sources=True,
)
