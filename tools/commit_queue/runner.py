# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Runs the checks side by side, each a process in its own process group.

What the run itself writes (each check's output and findings, and Go's
temporary build folders, through GOTMPDIR) lives in one run folder under
.cache/presubmit/ (see runs.py), removed when the run ends. On SIGINT or
SIGTERM every check's process group gets SIGINT, then SIGKILL if it has
not left after a grace period; the folder is removed either way. If this
process is killed outright, each check learns it from its parent-death
signal and takes its whole process group down (see worker.py); the next
run removes the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import FrameType
from typing import Any

from core.layout import Layout
from tools.commit_queue import runs
from tools.commit_queue.checks import Check
from tools.commit_queue.worker import BREAKING

GRACE_SECONDS = 5.0
POLL_SECONDS = 0.05
# The niceness of every check but the longest (see Check.longest).
NICE = 5
# Go's temporary folders (GOTMPDIR), inside the run folder.
GO_TMP = "go-tmp"


@dataclass
class Finished:
    """What one check's process left: exit code, output, time, lint findings."""

    check: Check
    code: int
    output: str
    seconds: float
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def breaking_only(self) -> bool:
        return self.code == BREAKING


@dataclass
class _Running:
    check: Check
    proc: subprocess.Popen[bytes]
    out: Path
    findings: Path
    started: float


class StoppedError(Exception):
    """SIGINT or SIGTERM arrived; every check was stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM become StoppedError in the main thread, for the cleanup."""

    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        raise StoppedError(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _start(
    check: Check,
    layout: Layout,
    work: Path,
    lock_fd: int,
    basis: str | None,
    tests: Sequence[str] | None,
) -> _Running:
    out = work / f"{check.name}.out"
    findings = work / f"{check.name}.json"
    cmd = [
        sys.executable,
        "-m",
        "tools.commit_queue.worker",
        check.name,
        "--root",
        str(layout.root),
    ]
    cmd += ["--findings", str(findings), "--parent", str(os.getpid())]
    if basis is not None:
        cmd += ["--basis", basis]
    if check.name == "pytest" and tests is not None:
        cmd += [f"--tests={t}" for t in tests]
    # Go's work folders go with the run's, however the run ends.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", GOTMPDIR=str(work / GO_TMP))
    env["PYTHONPATH"] = os.pathsep.join([str(layout.root), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            cmd,
            cwd=layout.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one
            # The run folder's lock: held while any check still runs.
            pass_fds=(lock_fd,),
            preexec_fn=None if check.longest else _lower_priority,
        )
    return _Running(check, proc, out, findings, time.perf_counter())


def _lower_priority() -> None:
    os.nice(NICE)


def _finish(r: _Running, code: int) -> Finished:
    output = r.out.read_text(encoding="utf-8", errors="replace")
    findings: list[dict[str, Any]] = []
    if r.findings.exists():
        findings = json.loads(r.findings.read_text(encoding="utf-8"))
    return Finished(r.check, code, output, time.perf_counter() - r.started, findings)


def _stop(running: Sequence[_Running]) -> None:
    """SIGINT to every process group, then SIGKILL to what is left after the grace."""
    for r in running:
        _signal_group(r.proc.pid, signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    for r in running:
        with contextlib.suppress(subprocess.TimeoutExpired):
            r.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    for r in running:
        # Grandchildren may outlive their parent: the group is killed whatever.
        _signal_group(r.proc.pid, signal.SIGKILL)
        r.proc.wait()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def run_checks(
    layout: Layout,
    checks: Sequence[Check],
    basis: str | None,
    tests: Sequence[str] | None = None,
) -> list[Finished]:
    """Run `checks` side by side; return each one's outcome as it finished.
    `tests`: the pytest targets (None: every test).

    Raises StoppedError after stopping every check when SIGINT/SIGTERM arrives.
    """
    with runs.run_folder(layout) as (work, lock_fd):  # RunFolderError: exit 2
        return _run_in(work, lock_fd, layout, checks, basis, tests)


def _run_in(
    work: Path,
    lock_fd: int,
    layout: Layout,
    checks: Sequence[Check],
    basis: str | None,
    tests: Sequence[str] | None,
) -> list[Finished]:
    running: list[_Running] = []
    done: list[Finished] = []
    (work / GO_TMP).mkdir()
    with _signals_raise():
        try:
            for check in checks:
                running.append(_start(check, layout, work, lock_fd, basis, tests))
            while running:
                for r in [r for r in running if r.proc.poll() is not None]:
                    running.remove(r)
                    done.append(_finish(r, r.proc.returncode))
                time.sleep(POLL_SECONDS)
        except StoppedError:
            # A second ^C must not cut the cleanup short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop(running)
            raise
    return done
