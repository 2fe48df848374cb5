# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`test`: the whole test suite, as the commit queue and CI run it."""

from __future__ import annotations

import argparse
import fnmatch
import itertools
import json
import os
import re
import sys
import time
import tomllib
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools import env as env_mod
from tools.engine.context import Context
from tools.engine.steps import run_steps
from tools.engine.steps import summary
from tools.engine.task import Task
from tools.errors import BuildError
from tools.run import output_of
from tools.run import run


def _checked(
    cmd: list[str], ctx: Context, cwd: Path | None = None, env: dict[str, str] | None = None
) -> None:
    proc = run(cmd, cwd=cwd or ctx.root, env=env)
    text = output_of(proc)
    if text:
        ctx.say(text)
    if proc.returncode != 0:
        shown = " ".join([os.path.basename(cmd[0]), *cmd[1:]])
        raise BuildError(f"`{shown}` failed (exit {proc.returncode})")


@dataclass
class Tally:
    """Tests passed and failed, over every runner, for the closing line."""

    passed: int = 0
    failed: int = 0

    def add_pytest(self, output: str) -> None:
        # pytest's closing line, e.g. "3 failed, 301 passed, 2 errors in 39.5s".
        for count, word in re.findall(r"(\d+) (passed|failed|errors?)\b", output):
            if word == "passed":
                self.passed += int(count)
            else:
                self.failed += int(count)


# Below this many test files pytest runs in-process: starting xdist's workers
# costs about 2 s of wall time (3 s of CPU), more than a few files take.
SMALL_SUITE = 4
# Deselected by --quick: end-to-end tests and those over a second (marked in
# the tests, by hand or by tests/conftest.py; registered in pyproject.toml).
SLOW = "slow"


_SKIPPED = re.compile(r"\..*|.*\.egg|_darcs|build|CVS|dist|node_modules|venv|\{arch\}|__pycache__")


def count_test_files(root: Path, up_to: int | None = None) -> int:
    """How many test files pytest would collect under the checkout's testpaths
    (counting stops at `up_to`: testpaths may default to a whole tree)."""
    try:
        config = tomllib.loads((root / "pyproject.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    options = config.get("tool", {}).get("pytest", {}).get("ini_options", {})
    patterns = options.get("python_files", ["test_*.py", "*_test.py"])
    if isinstance(patterns, str):
        patterns = patterns.split()

    def found() -> Iterator[Path]:
        for rel in options.get("testpaths", ["."]):
            top = root / rel
            if top.is_file():
                yield top
            elif top.is_dir():
                for folder, subfolders, names in os.walk(top):
                    # Where pytest does not look by default (norecursedirs).
                    subfolders[:] = [d for d in subfolders if not _SKIPPED.fullmatch(d)]
                    for name in names:
                        if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                            yield Path(folder, name)

    return sum(1 for _ in itertools.islice(found(), up_to))


def xdist_arguments(root: Path) -> list[str]:
    """pytest-xdist's options for the suite at `root`, by its size."""
    if count_test_files(root, up_to=SMALL_SUITE) < SMALL_SUITE:
        return ["-n", "0"]
    # Every core; work is stolen, so one slow test does not hold back a
    # whole share.
    return ["-n", "auto", "--dist", "worksteal"]


def pytest(
    ctx: Context, tally: Tally, quick: bool = False, targets: Sequence[str] | None = None
) -> None:
    """The tests (`targets`, root-relative; None: all of them)."""
    # Tests see the generated stubs in py/ exactly as a consumer would.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ctx.layout.py), str(ctx.root)]))
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *xdist_arguments(ctx.root)]
    if quick:
        cmd += ["-m", f"not {SLOW}"]
    if targets is not None:
        ctx.say(f"pytest over what the change can affect: {' '.join(targets)}")
        cmd += ["--", *targets]
    proc = run(cmd, cwd=ctx.root, env=env)
    text = output_of(proc)
    ctx.say(text)
    # The closing line is stdout's last: a library may log to stderr after it
    # (gRPC's core does, as a worker exits).
    closing = proc.stdout.strip().splitlines()
    tally.add_pytest(closing[-1] if closing else "")
    if proc.returncode != 0:
        raise BuildError(f"pytest failed (exit {proc.returncode})")


def go_test_env(ctx: Context) -> dict[str, str]:
    """The go step's environment: the Go tests that need the reference
    orchestrator start it as `$TURBOCI_PYTHON -m turboci.testing serve`, with
    this interpreter (it has grpc) and the stubs in py/ (no installed wheel)."""
    return env_mod.go_env(
        ctx.layout,
        GOFLAGS="-mod=readonly",
        TURBOCI_PYTHON=sys.executable,
        PYTHONPATH=str(ctx.layout.py),
    )


def go(ctx: Context, tally: Tally) -> None:
    env = go_test_env(ctx)
    for cmd in (["go", "build", "./..."], ["go", "vet", "./..."]):
        _checked(cmd, ctx, cwd=ctx.layout.go, env=env)
    # -json gives per-test results to count; the package lines and the output
    # of failing tests are printed as `go test` would.
    proc = run(["go", "test", "-json", "./..."], cwd=ctx.layout.go, env=env)
    failed_output: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            ctx.say(line)
            continue
        test, action = event.get("Test"), event.get("Action")
        if test is None:
            if action == "output" and not event["Output"].startswith(("PASS", "FAIL\n")):
                ctx.say(event["Output"].rstrip("\n"))
            continue
        key = f"{event.get('Package')}.{test}"
        if action == "output":
            failed_output.setdefault(key, []).append(event["Output"].rstrip("\n"))
        elif action == "pass":
            tally.passed += 1
            failed_output.pop(key, None)
        elif action == "fail":
            tally.failed += 1
            ctx.say("\n".join(failed_output.pop(key, [])))
    if proc.stderr.strip():
        ctx.say(proc.stderr.rstrip("\n"))
    if proc.returncode != 0:
        raise BuildError(f"go test failed (exit {proc.returncode})")


def ruff(ctx: Context) -> None:
    # What to check is in pyproject.toml, so a bare `ruff check .` agrees.
    _checked([str(ctx.layout.venv_bin("ruff")), "check", "."], ctx)
    _checked([str(ctx.layout.venv_bin("ruff")), "format", "--check", "."], ctx)


def mypy(ctx: Context) -> None:
    # Targets and the stubs' path are in pyproject.toml, so a bare `mypy` agrees.
    _checked([str(ctx.layout.venv_bin("mypy"))], ctx)


def fresh(ctx: Context) -> None:
    """The tree is formatted and the stubs and docs are what the protos give."""
    problems: list[str] = []
    from tools.tasks import docs
    from tools.tasks import format as format_task
    from tools.tasks import gen

    for check in (
        lambda: format_task.format_protos(ctx, check=True),
        lambda: gen.gen(ctx, check=True),
        lambda: docs.docs(ctx, check=True),
    ):
        try:
            check()
        except BuildError as exc:
            problems.append(exc.message)
    if problems:
        raise BuildError("; ".join(problems))


def test(ctx: Context, quick: bool = False) -> int:
    started = time.perf_counter()
    tally = Tally()
    outcomes = run_steps(
        ctx,
        [("fresh", fresh)],
        [
            ("pytest", lambda c: pytest(c, tally, quick=quick)),
            ("go", lambda c: go(c, tally)),
            ("ruff", ruff),
            ("mypy", mypy),
        ],
    )
    status = summary(ctx, outcomes, started)
    # One plain closing line for every runner together.
    ctx.say(f"tests: {tally.passed} passed, {tally.failed} failed")
    return status


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"leave out the tests marked {SLOW} (end-to-end runs, and tests over a second); "
        "CI and the presubmit run everything",
    )


def _run(ctx: Context, args: argparse.Namespace) -> int:
    return test(ctx, quick=args.quick)


TASK = Task(name="test", help="the whole test suite (what CI runs)", arguments=_arguments, run=_run)
