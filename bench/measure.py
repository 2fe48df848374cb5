# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Measuring one command: wall time, CPU, and peak memory of its whole process tree."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    """Children of every thread of `pid` (a thread's children are listed under it)."""
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                kids += [int(x) for x in fh.read().split()]
        except OSError:
            continue
    return kids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _rss(p)
        stack += _children(p)
    return total


@dataclass
class Measure:
    wall: float
    cpu: float
    max_rss_mb: float
    tree_rss_mb: float
    exit_code: int
    output_lines: int


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measure:
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = sum(1 for _ in out)
    # ru_maxrss is in KiB on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(wall, cpu, usage.ru_maxrss / 1024, peak / 2**20, proc.returncode, lines)


def median(runs: list[Measure]) -> Measure:
    """The run with the median wall time (memory barely varies between runs)."""
    return sorted(runs, key=lambda m: m.wall)[len(runs) // 2]


def suite_env(repo: Path) -> dict[str, str]:
    """The environment our lint runs in: the repo on PYTHONPATH, and Python
    as on a user's machine, its bytecode cached (this machine's environment
    turns that off, and each run would compile the suite again); one run
    writes the bytecode before any is measured."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "presubmit", "--list-rules"],
        cwd=repo,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env
