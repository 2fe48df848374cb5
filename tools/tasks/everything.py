"""`all`: every step of a contributor's build, sharing one compile.

The compile runs first. format then runs side by side with lint, breaking,
gen and docs: those read only the compiled descriptors, and formatting
rarely changes anything. When it does rewrite a file, the API is compiled
again and the other steps run once more on the formatted sources.
"""

from __future__ import annotations

import time

from tools.errors import BuildError
from tools.tasks import allstamp
from tools.tasks import breaking
from tools.tasks import docs
from tools.tasks import fmt
from tools.tasks import gen
from tools.tasks import lint
from tools.tasks.context import Context
from tools.tasks.steps import Outcome
from tools.tasks.steps import StepFn
from tools.tasks.steps import run_steps
from tools.tasks.steps import summary

STEPS = allstamp.STEPS


def _lint(ctx: Context) -> None:
    status = lint.lint_cached(ctx)
    if status:
        raise BuildError("lint found problems", exit_code=status)


def _checks(ctx: Context) -> list[tuple[str, StepFn]]:
    """The checks that run side by side once the API compiled.

    gen's generators (the longest chain of processes) are launched right
    here, before any other step starts and competes for the interpreter;
    its step then waits for them and swaps the result in.
    """
    try:
        finish_gen = gen.start(ctx)
    except BuildError as exc:
        finish_gen = _raiser(exc)
    return [
        ("gen", finish_gen),
        ("lint", _lint),
        ("breaking", lambda c: breaking.breaking(c)),
        ("docs", lambda c: docs.docs(c)),
    ]


def _raiser(exc: BuildError) -> StepFn:
    def step(_: Context) -> None:
        raise exc

    return step


def build_all(ctx: Context) -> int:
    """Run every step, keep going after failures; 0 only if all passed."""
    started = time.perf_counter()

    def _compile(_: Context) -> None:
        ctx.compiled()  # into the parent, so every later step shares it

    outcomes = run_steps(ctx, [("compile", _compile)], [])
    if not outcomes[0].ok:
        for name in STEPS[1:]:
            ctx.say(f"{name:<10} FAIL   0.00s  (not run: the API does not compile)")
            outcomes.append(Outcome(name, False, 0.0, ""))
        return summary(ctx, outcomes, started)

    rewrote: list[bool] = []

    def _format(c: Context) -> None:
        rewrote.append(fmt.format_protos(c))

    checks = _checks(ctx)
    outcomes += run_steps(ctx, [], [*checks[:3], ("format", _format), *checks[3:]])
    if any(rewrote):
        ctx.say("format rewrote sources: compiling again and rerunning the checks")
        ctx.forget_compile()
        outcomes = [o for o in outcomes if o.name == "format"]
        outcomes += run_steps(ctx, [("compile", _compile)], [])
        if outcomes[-1].ok:
            outcomes += run_steps(ctx, [], _checks(ctx))
    status = summary(ctx, outcomes, started)
    if status == 0:
        allstamp.record(ctx.root)
    return status
