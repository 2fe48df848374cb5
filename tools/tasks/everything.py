"""`all`: every step of a contributor's build, sharing one compile."""

from __future__ import annotations

import time

from tools.tasks import breaking
from tools.tasks import docs
from tools.tasks import fmt
from tools.tasks import gen
from tools.tasks import lint
from tools.tasks.context import Context
from tools.tasks.steps import Outcome
from tools.tasks.steps import run_steps
from tools.tasks.steps import summary


def _compile(ctx: Context) -> None:
    ctx.compiled()


def _lint(ctx: Context) -> None:
    status = lint.lint_cached(ctx)
    if status:
        from tools.errors import BuildError

        raise BuildError("lint found problems", exit_code=status)


def build_all(ctx: Context) -> int:
    """compile and format first, then lint, breaking, gen and docs side by side."""
    started = time.perf_counter()
    outcomes = run_steps(ctx, [("compile", _compile)], [])
    if not outcomes[0].ok:
        for name in ("format", "lint", "breaking", "gen", "docs"):
            skipped = Outcome(name, False, 0.0, "not run: the API does not compile")
            ctx.say(f"{name:<10} FAIL   0.00s  (not run: the API does not compile)")
            outcomes.append(skipped)
        return summary(ctx, outcomes, started)

    def _format(c: Context) -> None:
        if fmt.format_protos(c):
            ctx.forget_compile()
            ctx.compiled()  # the rest of the steps see the formatted sources

    outcomes += run_steps(ctx, [("format", _format)], [])
    outcomes += run_steps(
        ctx,
        [],
        [
            ("lint", _lint),
            ("breaking", lambda c: breaking.breaking(c)),
            ("gen", lambda c: gen.gen(c)),
            ("docs", lambda c: docs.docs(c)),
        ],
    )
    return summary(ctx, outcomes, started)
