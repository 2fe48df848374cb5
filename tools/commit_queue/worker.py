# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One check of the presubmit, run in its own process: `python -m tools.commit_queue.worker`.

It prints the check's own output and exits 0 (ok), 1 (failed),
BREAKING (breaking changes only, which the footer may allow) or 2 (the
check could not run). Lint findings are also written as JSON to
`--findings FILE` for the reports.

Started by the presubmit (`--parent PID`), it leads its own process group
and must not outlive the presubmit: on Linux it asks for SIGTERM when its
parent dies (PR_SET_PDEATHSIG). SIGTERM stops it as SIGINT does, and once
orphaned it kills its whole process group (the tools it started, and
theirs) on the way out.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from core import errors
from core.errors import UserError
from core.layout import Layout
from tools.engine.context import Context
from tools.errors import BuildError
from tools.errors import format_error

BREAKING = 10
# prctl(2): the signal this process gets when its parent dies.
PR_SET_PDEATHSIG = 1
LICENSE_RULE = "LICENSE_HEADER"


def _lint(ctx: Context, findings_file: Path | None, license_only: bool) -> None:
    from presubmit import runner
    from presubmit.finding import Finding
    from presubmit.options import LintOptions
    from presubmit.reporters import text
    from tools.tasks import lint as lint_task

    compiled = ctx.compiled()
    rules = (LICENSE_RULE,) if license_only else ()
    buf = list if license_only else lint_task.start_buf_lint(ctx)
    try:
        result = runner.lint(LintOptions(root=ctx.root, rules=rules), compiled=compiled)
    except UserError:
        buf()
        raise
    found = [f for f in [*result.active, *buf()] if (f.rule == LICENSE_RULE) == license_only]
    found.sort(key=Finding.sort_key)
    for warning in result.warnings:
        ctx.say(f"warning: {warning}")
    if findings_file is not None:
        findings_file.write_text(json.dumps([f.to_dict() for f in found]))
    if found:
        text.write(found, ctx.out)
        raise BuildError(f"{len(found)} finding(s)")


def _checks(
    basis: str | None, findings: Path | None, tests: Sequence[str] | None = None
) -> dict[str, Callable[[Context], object]]:
    from tools.tasks import breaking
    from tools.tasks import docs
    from tools.tasks import format as format_task
    from tools.tasks import gen
    from tools.tasks import test

    tally = test.Tally()
    return {
        "format": lambda c: format_task.format_protos(c, check=True),
        "lint": lambda c: _lint(c, findings, license_only=False),
        "breaking": lambda c: breaking.breaking(c, against=basis, footer=False),
        "stubs": lambda c: gen.gen(c, check=True),
        "docs": lambda c: docs.docs(c, check=True),
        "license": lambda c: _lint(c, findings, license_only=True),
        "pytest": lambda c: test.pytest(c, tally, targets=tests),
        "go": lambda c: test.go(c, tally),
        "ruff": test.ruff,
        "mypy": test.mypy,
    }


def run(
    name: str,
    root: Path,
    basis: str | None,
    findings: Path | None,
    tests: Sequence[str] | None = None,
) -> int:
    from tools.tasks.breaking import BreakingChangeError

    ctx = Context(layout=Layout(root), trust_stamps=False)
    try:
        _checks(basis, findings, tests)[name](ctx)
    except BreakingChangeError as exc:
        # Whether this fails is the presubmit's call (the footer), so no "error:".
        ctx.say(f"{exc.count} breaking change(s) against {exc.against}")
        return BREAKING
    except UserError as exc:
        ctx.say(format_error(exc.message))
        return 2 if exc.exit_code == 2 else 1
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    raise KeyboardInterrupt


def die_with_parent(parent: int) -> None:
    """Be sent SIGTERM when `parent` dies; raise KeyboardInterrupt if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    # Set after the fork: a parent that died before it would never send it.
    if os.getppid() != parent:
        raise KeyboardInterrupt


def _orphaned(parent: int | None) -> bool:
    """Started by a presubmit that is gone, as leader of our own process group."""
    return parent is not None and os.getppid() != parent and os.getpgrp() == os.getpid()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.commit_queue.worker")
    parser.add_argument("check")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--basis")
    parser.add_argument("--findings", type=Path)
    parser.add_argument("--parent", type=int, help="the presubmit's pid: die with it")
    parser.add_argument(
        "--tests", action="append", metavar="PATH", help="pytest only these (default: all)"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)

    def body() -> int:
        if args.parent is not None:
            die_with_parent(args.parent)
        return run(args.check, args.root, args.basis, args.findings, args.tests)

    try:
        # The one mapping of every command line: a full disk is exit 2, a bug 3.
        return errors.guarded(body, sys.stdout, f"check {args.check}")
    finally:
        if _orphaned(args.parent):
            # No one will stop what we started: the group goes, us last.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            os.killpg(os.getpgrp(), signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
