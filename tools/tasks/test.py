"""`test`: the whole test suite, as the commit queue and CI run it."""

from __future__ import annotations

import os
import sys
import time

from tools import paths
from tools.errors import BuildError
from tools.tasks import docs
from tools.tasks import fmt
from tools.tasks import gen
from tools.tasks.context import Context
from tools.tasks.run import output_of
from tools.tasks.run import run
from tools.tasks.steps import run_steps
from tools.tasks.steps import summary

# Python code that is ours: the tooling, the lint suite, tests, benchmarks and
# the hand-written helpers of the Python distribution.
PY_SOURCES = ("build.py", "tools", "presubmit", "tests", "bench", "py/turboci/util")


def _checked(
    cmd: list[str], ctx: Context, cwd: str = "", env: dict[str, str] | None = None
) -> None:
    proc = run(cmd, cwd=ctx.root / cwd if cwd else ctx.root, env=env)
    text = output_of(proc)
    if text:
        ctx.say(text)
    if proc.returncode != 0:
        shown = " ".join([os.path.basename(cmd[0]), *cmd[1:]])
        raise BuildError(f"`{shown}` failed (exit {proc.returncode})")


def _sources(ctx: Context) -> list[str]:
    return [s for s in PY_SOURCES if (ctx.root / s).exists()]


def pytest(ctx: Context) -> None:
    # Tests see the generated stubs in py/ exactly as a consumer would.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ctx.root / "py"), str(ctx.root)]))
    _checked([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], ctx, env=env)


def go(ctx: Context) -> None:
    env = dict(os.environ, GOWORK="off", GOFLAGS="-mod=readonly")
    for cmd in (["go", "build", "./..."], ["go", "vet", "./..."], ["go", "test", "./..."]):
        _checked(cmd, ctx, cwd="go", env=env)


def ruff(ctx: Context) -> None:
    _checked([str(paths.venv_bin("ruff")), "check", *_sources(ctx)], ctx)
    _checked([str(paths.venv_bin("ruff")), "format", "--check", *_sources(ctx)], ctx)


def mypy(ctx: Context) -> None:
    env = dict(os.environ, MYPYPATH=str(ctx.root / "py"))
    _checked([str(paths.venv_bin("mypy")), *_sources(ctx)], ctx, env=env)


def fresh(ctx: Context) -> None:
    """The tree is formatted and the stubs and docs are what the protos give."""
    problems: list[str] = []
    for check in (
        lambda: fmt.format_protos(ctx, check=True),
        lambda: gen.gen(ctx, check=True),
        lambda: docs.docs(ctx, check=True),
    ):
        try:
            check()
        except BuildError as exc:
            problems.append(exc.message)
    if problems:
        raise BuildError("; ".join(problems))


def test(ctx: Context) -> int:
    started = time.perf_counter()
    outcomes = run_steps(
        ctx,
        [("fresh", fresh)],
        [("pytest", pytest), ("go", go), ("ruff", ruff), ("mypy", mypy)],
    )
    return summary(ctx, outcomes, started)
