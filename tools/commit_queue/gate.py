# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Judge a change: decide what may be skipped, compile once, run the rest, apply the footer."""

from __future__ import annotations

import time

from core.errors import UserError
from tools.commit_queue import runner
from tools.commit_queue.affected import affected_tests
from tools.commit_queue.change import Change
from tools.commit_queue.checks import CHECKS
from tools.commit_queue.checks import Check
from tools.commit_queue.outcome import FAIL
from tools.commit_queue.outcome import OK
from tools.commit_queue.outcome import SKIPPED
from tools.commit_queue.outcome import WARNING
from tools.commit_queue.outcome import CheckResult
from tools.commit_queue.outcome import Verdict
from tools.engine.context import Context
from tools.tasks.breaking import FOOTER
from tools.tasks.breaking import footer_of


def skip_reason(check: Check, change: Change, tests: tuple[str, ...] | None = None) -> str | None:
    """Why `check` cannot be affected by the change, or None when it must run
    (`tests`: the pytest targets the change can affect, None for all)."""
    if check.name == "breaking" and change.basis is None:
        return f"no basis to compare with: {change.basis_why.removeprefix('none: ')}"
    if check.name == "pytest" and tests == ():
        return "the change touches no file a test reads"
    if change.files is None or check.inputs is None:
        return None
    if check.affected_by(change.files):
        return None
    shown = ", ".join(check.inputs[:3]) + (", …" if len(check.inputs) > 3 else "")
    return f"the change touches none of its inputs ({shown}, the build's own files)"


def _result(done: runner.Finished, footer: str | None, change: Change) -> CheckResult:
    findings = tuple(done.findings)
    if done.code == 0:
        return CheckResult(done.check.name, OK, done.seconds, done.output, findings=findings)
    rerun = done.check.rerun.replace("BASIS", (change.basis or "")[:12])
    if done.breaking_only:
        if footer:
            return CheckResult(
                done.check.name,
                WARNING,
                done.seconds,
                done.output,
                reason=f"allowed by {FOOTER}: {footer}",
            )
        hint = (
            f"error: if no one depends on them yet, add the footer '{FOOTER}: <reason>' "
            f"to the last paragraph of {change.description_from}"
        )
        output = f"{done.output.rstrip()}\n{hint}"
        return CheckResult(done.check.name, FAIL, done.seconds, output, rerun=rerun)
    return CheckResult(
        done.check.name, FAIL, done.seconds, done.output, findings=findings, rerun=rerun
    )


def gate(ctx: Context, change: Change) -> Verdict:
    """Run every check of `change` that it can affect; the footer touches only `breaking`."""
    started = time.perf_counter()
    footer = footer_of(change.description)
    results: dict[str, CheckResult] = {}
    to_run: list[Check] = []
    tests = affected_tests(ctx.root, change.files)
    for check in CHECKS:
        reason = skip_reason(check, change, tests)
        if reason is not None:
            results[check.name] = CheckResult(check.name, SKIPPED, 0.0, reason=reason)
        else:
            to_run.append(check)
    # The one compile every check reads (through the per-file cache it fills).
    # From the sources: the rows the checks then read are protoc's own, not
    # whatever a restored cache held.
    compile_started = time.perf_counter()
    try:
        if any(c.compiles for c in to_run):
            ctx.compiled(from_sources=True)
    except UserError as exc:
        took = time.perf_counter() - compile_started
        results["compile"] = CheckResult("compile", FAIL, took, exc.message)
        for check in [c for c in to_run if c.compiles]:
            results[check.name] = CheckResult(
                check.name, FAIL, 0.0, "not run: the API does not compile (see compile)"
            )
        to_run = [c for c in to_run if not c.compiles]

    for done in runner.run_checks(ctx.layout, to_run, change.basis, tests):
        results[done.check.name] = _result(done, footer, change)
    order = ["compile", *(c.name for c in CHECKS)]
    return Verdict(
        checks=[results[n] for n in order if n in results],
        basis=change.basis,
        basis_why=change.basis_why,
        footer=footer,
        seconds=time.perf_counter() - started,
        uncommitted=change.uncommitted,
    )
