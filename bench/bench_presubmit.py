#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Times `./build.py presubmit` against its slowest check run alone, in one run.

On this repo (a clean tree), alternating: the full presubmit with every
check running (`--upstream REF` with REF a commit before a change to the
tooling, so nothing is skipped) and then the check that was slowest inside
it, run alone as the presubmit runs it (`python -m tools.commit_queue.worker`).
The goal: presubmit wall time <= 1.2 x that check's.

Usage: tools/venv/bin/python bench/bench_presubmit.py [--upstream REF] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from core.layout import REPO as LAYOUT  # noqa: E402  (needs the repo on sys.path)

PYTHON = LAYOUT.venv_python()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TURBOCI_BUILD_IN_VENV"}
    env["PYTHONPATH"] = str(REPO)
    return env


def presubmit(upstream: str) -> tuple[float, dict[str, float], int]:
    """Wall time of the whole presubmit, each check's time inside it, its exit code."""
    with tempfile.TemporaryDirectory(dir=LAYOUT.cache) as tmp:
        report = Path(tmp) / "report.json"
        start = time.perf_counter()
        proc = subprocess.run(
            [
                str(PYTHON),
                str(REPO / "build.py"),
                "presubmit",
                "--upstream",
                upstream,
                "--json",
                str(report),
            ],
            cwd=REPO,
            env=_env(),
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        if proc.returncode == 2:
            sys.exit(f"bench: the presubmit cannot run: {proc.stderr.strip()}")
        checks = json.loads(report.read_text())["checks"]
    skipped = [c["name"] for c in checks if c["status"] == "skipped"]
    if skipped:
        sys.exit(f"bench: {', '.join(skipped)} skipped; pass an --upstream before a tooling change")
    return wall, {c["name"]: c["seconds"] for c in checks}, proc.returncode


def alone(check: str, basis: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "tools.commit_queue.worker",
            check,
            "--root",
            str(REPO),
            "--basis",
            basis,
        ],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", default="main", help="the basis (default: main)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    basis = subprocess.run(
        ["git", "merge-base", "HEAD", args.upstream], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    walls: list[float] = []
    slowest_alone: list[float] = []
    for n in range(args.repeat):
        wall, inside, code = presubmit(args.upstream)
        name = max(inside, key=lambda k: inside[k])
        solo = alone(name, basis)
        walls.append(wall)
        slowest_alone.append(solo)
        times = ", ".join(f"{k} {v:.1f}" for k, v in inside.items())
        print(f"run {n + 1}: presubmit {wall:.1f}s (exit {code}; {times})")
        print(f"run {n + 1}: {name} alone {solo:.1f}s; ratio {wall / solo:.2f}")
    wall, solo = statistics.median(walls), statistics.median(slowest_alone)
    print(
        f"median: presubmit {wall:.1f}s, slowest check alone {solo:.1f}s, ratio {wall / solo:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
