# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`all`: every step of a contributor's build, sharing one compile.

The steps are the tasks that declare a `step` (see tools/engine/task.py).
The compile runs first. The step that may rewrite the sources (format)
runs side by side with the others: they read only the compiled
descriptors, and formatting rarely changes anything. When it does rewrite a
file, the API is compiled again and the other steps run once more on the
formatted sources.
"""

from __future__ import annotations

import argparse
import time

from tools.engine import allstamp
from tools.engine import registry
from tools.engine.context import Context
from tools.engine.steps import Outcome
from tools.engine.steps import run_steps
from tools.engine.steps import summary
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.errors import BuildError


def _raiser(exc: BuildError) -> StepFn:
    def step(_: Context) -> None:
        raise exc

    return step


def _started(ctx: Context, tasks: list[Task]) -> list[tuple[str, StepFn]]:
    """Start every step (in the order given), returning what finishes each."""
    started: list[tuple[str, StepFn]] = []
    for task in tasks:
        assert task.step is not None
        try:
            started.append((task.name, task.step(ctx)))
        except BuildError as exc:
            started.append((task.name, _raiser(exc)))
    return started


def steps() -> list[Task]:
    """The tasks that are steps of `all`, by name (each starts its work when asked)."""
    return [t for t in registry.all_tasks() if t.step is not None and t.name != "all"]


def build_all(ctx: Context) -> int:
    """Run every step, keep going after failures; 0 only if all passed."""
    started = time.perf_counter()
    tasks = steps()

    def _compile(_: Context) -> None:
        ctx.compiled()  # into the parent, so every later step shares it

    outcomes = run_steps(ctx, [("compile", _compile)], [])
    if not outcomes[0].ok:
        for task in tasks:
            ctx.say(f"{task.name:<10} FAIL   0.00s  (not run: the API does not compile)")
            outcomes.append(Outcome(task.name, False, 0.0, ""))
        return summary(ctx, outcomes, started)
    outcomes += run_steps(ctx, [], _started(ctx, tasks))
    if any(o.rewrote for o in outcomes):
        ctx.say("format rewrote sources: compiling again and rerunning the checks")
        ctx.forget_compile()
        rewriters = {t.name for t in tasks if t.rewrites_sources}
        outcomes = [o for o in outcomes if o.name in rewriters]
        outcomes += run_steps(ctx, [("compile", _compile)], [])
        if outcomes[-1].ok:
            others = [t for t in tasks if not t.rewrites_sources]
            outcomes += run_steps(ctx, [], _started(ctx, others))
    status = summary(ctx, outcomes, started)
    if status == 0:
        allstamp.record(ctx.layout, ["compile", *(t.name for t in tasks)])
    return status


def _run(ctx: Context, args: argparse.Namespace) -> int:
    del args
    return build_all(ctx)


TASK = Task(
    name="all",
    help="format, lint, breaking, gen and docs side by side",
    run=_run,
)
