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

from core.errors import UserError
from tools import buf_config
from tools.engine import allstamp
from tools.engine import registry
from tools.engine.context import Context
from tools.engine.steps import Outcome
from tools.engine.steps import run_steps
from tools.engine.steps import summary
from tools.engine.task import StepFn
from tools.engine.task import Task
from tools.engine.task import always
from tools.engine.transaction import Transaction
from tools.errors import BuildError


def _raiser(exc: UserError) -> StepFn:
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
        except UserError as exc:
            started.append((task.name, _raiser(exc)))
    return started


def steps() -> list[Task]:
    """The tasks that are steps of `all`, by name (each starts its work when asked)."""
    return [t for t in registry.all_tasks() if t.step is not None and t.name != "all"]


def prerequisites(ctx: Context) -> None:
    """The configuration every step reads parses; else no step runs and nothing is written."""
    from presubmit import config as config_mod
    from presubmit import registry as rules_registry
    from tools import deps as deps_mod

    deps_mod.load(ctx.layout.deps)
    try:
        config_mod.load(ctx.root, [r.spec for r in rules_registry.all_rules()])
    except config_mod.ConfigError as exc:
        raise BuildError(str(exc), exit_code=2) from None
    buf_config.check(ctx.layout)


def _blocks_writes(outcome: Outcome, writers: set[str]) -> bool:
    """A failure that must keep gen's and docs' files out of the tree: a writer's
    own, or a tool or config error (2). Findings of lint or breaking (1) do not."""
    return not outcome.ok and (outcome.name in writers or outcome.code != 1)


def build_all(ctx: Context) -> int:
    """Run every step, keep going after failures; 0 only if all passed.

    gen and docs stage their files into one transaction, committed at the
    end: the stubs and the docs change together, or not at all.
    """
    started = time.perf_counter()
    tasks = steps()
    writers = {t.name for t in tasks if t.writes(argparse.Namespace())}

    checked: list[bool] = []

    def _compile(_: Context) -> None:
        if not checked:
            prerequisites(ctx)
            checked.append(True)
        # Into the parent, so every later step shares it; from the sources,
        # since gen and docs write what it holds.
        ctx.compiled(from_sources=True)

    outcomes = run_steps(ctx, [("compile", _compile)], [])
    if not outcomes[0].ok:
        why = "the API does not compile" if checked else "the configuration is broken"
        for task in tasks:
            ctx.say(f"{task.name:<10} FAIL   0.00s  (not run: {why})")
            outcomes.append(Outcome(task.name, False, 0.0, ""))
        # An input or a config the tools refuse is a 2, as for the task alone.
        return max(summary(ctx, outcomes, started), outcomes[0].code)
    txn = Transaction(ctx.layout, "all")
    ctx.txn = txn
    try:
        outcomes += run_steps(ctx, [], _started(ctx, tasks))
        if any(o.rewrote for o in outcomes):
            ctx.say("format rewrote sources: compiling again and rerunning the checks")
            txn.discard()  # staged from the sources before formatting
            ctx.forget_compile()
            rewriters = {t.name for t in tasks if t.rewrites_sources}
            outcomes = [o for o in outcomes if o.name in rewriters]
            outcomes += run_steps(ctx, [("compile", _compile)], [])
            if outcomes[-1].ok:
                others = [t for t in tasks if not t.rewrites_sources]
                outcomes += run_steps(ctx, [], _started(ctx, others))
        blockers = [o.name for o in outcomes if _blocks_writes(o, writers)]
        if blockers:
            if txn.size:
                ctx.say(f"wrote nothing to go/, py/ or docs/: {', '.join(blockers)} failed")
            txn.discard()
        else:
            txn.commit()
    except BaseException:
        txn.discard()
        raise
    finally:
        ctx.txn = None
    status = summary(ctx, outcomes, started)
    if status == 0:
        allstamp.record(ctx.layout, ["compile", *(t.name for t in tasks)])
    return status


def _run(ctx: Context, args: argparse.Namespace) -> int:
    del args
    return build_all(ctx)


TASK = Task(
    name="all",
    writes=always,
    help="format, lint, breaking, gen and docs side by side",
    run=_run,
)
