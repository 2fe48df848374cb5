# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Runs named steps, some side by side, and prints each one's name, ok/FAIL and time."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import dataclass

from core.errors import UserError
from tools.engine.context import Context
from tools.engine.task import StepFn
from tools.errors import format_error


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    seconds: float
    output: str
    # The step rewrote the sources (format).
    rewrote: bool = False
    # The exit code of its failure: 1 for findings, 2 for a tool or config error.
    code: int = 0


def _run_one(ctx: Context, name: str, fn: StepFn) -> Outcome:
    buf = io.StringIO()
    child = ctx.child(buf)
    start = time.perf_counter()
    rewrote = False
    code = 0
    try:
        rewrote = bool(fn(child))
        ok = True
    except UserError as exc:
        print(format_error(exc.message), file=buf)
        ok = False
        code = exc.exit_code
    return Outcome(name, ok, time.perf_counter() - start, buf.getvalue(), rewrote, code)


def _report(ctx: Context, outcome: Outcome) -> None:
    status = "ok" if outcome.ok else "FAIL"
    ctx.say(f"{outcome.name:<10} {status:<4} {outcome.seconds:6.2f}s")
    if outcome.output.strip():
        for line in outcome.output.rstrip("\n").splitlines():
            ctx.say(f"  {line}")


def run_steps(
    ctx: Context, sequential: Sequence[tuple[str, StepFn]], parallel: Sequence[tuple[str, StepFn]]
) -> list[Outcome]:
    """Run `sequential` in order, then `parallel` side by side; never stop early."""
    outcomes: list[Outcome] = []
    for name, fn in sequential:
        outcome = _run_one(ctx, name, fn)
        _report(ctx, outcome)
        outcomes.append(outcome)
    if parallel:
        with ThreadPoolExecutor(max_workers=len(parallel)) as pool:
            pending: set[Future[Outcome]] = {
                pool.submit(_run_one, ctx, name, fn) for name, fn in parallel
            }
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for job in done:
                    outcome = job.result()
                    _report(ctx, outcome)
                    outcomes.append(outcome)
    return outcomes


def summary(ctx: Context, outcomes: Sequence[Outcome], started: float) -> int:
    failed = [o.name for o in outcomes if not o.ok]
    total = time.perf_counter() - started
    if failed:
        ctx.say(f"FAILED: {', '.join(failed)} ({total:.2f}s)")
        return 1
    ctx.say(f"all {len(outcomes)} steps ok ({total:.2f}s)")
    return 0
