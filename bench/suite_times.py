#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Where the test suite's time goes: one `./build.py test` run, by step and by test area.

Runs `./build.py test` (with --quick, the edit-test loop) on this checkout,
pytest writing a JUnit report on the side (PYTEST_ADDOPTS), and prints
Markdown: the run's wall and CPU time (the whole process tree), each step's
wall time as the task printed it, and per test area (a folder tests/<area>/,
or a test file directly in tests/) how many tests ran and their
test-seconds (setup, call and teardown, summed over pytest's workers, so
their total is about the pytest step's wall time times the workers). Then
the tests not marked `slow` that took longer than --over seconds: the
candidates for the marker (README, "Tests"). The longest files are listed
between the two.

Usage: tools/venv/bin/python bench/suite_times.py [--quick] [--save FILE | --junit FILE]
                                                 [--over SECONDS]
--save FILE keeps the run's report; --junit FILE reads one instead of running.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A step's closing line, e.g. "pytest     ok   113.83s" (tools/engine/steps.py).
_STEP = re.compile(r"^(\w+)\s+(ok|FAIL)\s+([\d.]+)s$", re.M)


@dataclass(frozen=True)
class Case:
    """One test of the report: its node id and its seconds."""

    nodeid: str
    seconds: float

    @property
    def file(self) -> str:
        return self.nodeid.split("::")[0]

    @property
    def area(self) -> str:
        """tests/<area> for a test in a folder, the file for one directly in tests/."""
        parts = self.file.split("/")
        return "/".join(parts[:2]) if len(parts) > 2 else self.file


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    output: str
    exit_code: int


def nodeid(classname: str, name: str, root: Path) -> str:
    """The pytest node id of a JUnit case: the longest dotted prefix of its
    class name that is a file under `root` is the module, the rest classes."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if (root / path).is_file():
            return "::".join([path, *parts[cut:], name])
    return "::".join([classname.replace(".", "/") + ".py", name])


def read_junit(report: Path, root: Path) -> list[Case]:
    cases = []
    for case in ET.parse(report).iter("testcase"):
        if case.find("skipped") is not None:
            continue
        classname, name = case.get("classname", ""), case.get("name", "")
        cases.append(Case(nodeid(classname, name, root), float(case.get("time", "0"))))
    return cases


def step_times(output: str) -> dict[str, float]:
    return {m.group(1): float(m.group(3)) for m in _STEP.finditer(output)}


def area_rows(cases: Iterable[Case], by_file: bool = False) -> list[tuple[str, int, float]]:
    """(area or file, tests, seconds), the longest first."""
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    for case in cases:
        key = case.file if by_file else case.area
        seconds[key] = seconds.get(key, 0.0) + case.seconds
        counts[key] = counts.get(key, 0) + 1
    return sorted(
        ((area, counts[area], seconds[area]) for area in seconds), key=lambda r: (-r[2], r[0])
    )


def table(cases: list[Case], steps: dict[str, float]) -> str:
    total = sum(c.seconds for c in cases) or 1.0
    lines = ["| step or test area | tests | seconds | share of the tests |", "|---|---|---|---|"]
    for name, seconds in steps.items():
        lines.append(f"| step `{name}` (wall) | | {seconds:.1f} | |")
    for area, count, seconds in area_rows(cases):
        lines.append(f"| `{area}` | {count} | {seconds:.1f} | {100 * seconds / total:.0f}% |")
    lines.append(f"| all tests (test-seconds) | {len(cases)} | {total:.1f} | 100% |")
    return "\n".join(lines)


def slow_tests(root: Path) -> set[str]:
    """The node ids of the tests marked `slow` (by hand or by tests/conftest.py)."""
    # -q once (the config's addopts would make it twice): one node id a line.
    collect = ["--collect-only", "-o", "addopts=--strict-markers", "-q"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            "-m",
            "slow",
            *collect,
        ],
        cwd=root,
        env=_env(root),
        capture_output=True,
        text=True,
    )
    return {line for line in proc.stdout.splitlines() if "::" in line}


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TURBOCI_BUILD_IN_VENV"}
    env["PYTHONPATH"] = os.pathsep.join([str(root / "py"), str(root)])
    return env


def run_suite(root: Path, quick: bool, report: Path) -> Run:
    env = _env(root)
    env["PYTEST_ADDOPTS"] = f"--junitxml={report}"
    cmd = [sys.executable, str(root / "build.py"), "test", *(["--quick"] if quick else [])]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, text, os.waitstatus_to_exitcode(status))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="time `./build.py test --quick`")
    parser.add_argument("--junit", type=Path, help="read this report instead of running")
    parser.add_argument("--save", type=Path, help="keep the run's report in this file")
    parser.add_argument("--over", type=float, default=1.0, help="list unmarked tests over this")
    args = parser.parse_args(argv)
    steps: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        report = args.junit or (args.save or Path(scratch) / "junit.xml").resolve()
        if args.junit is None:
            load = os.getloadavg()[0]
            run = run_suite(REPO, args.quick, report)
            steps = step_times(run.output)
            print(
                f"`./build.py test{' --quick' if args.quick else ''}`: exit {run.exit_code}, "
                f"{run.wall:.1f} s wall, {run.cpu:.1f} s CPU (user + sys, every process), "
                f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}\n"
            )
            if run.exit_code != 0:
                print(run.output[-4000:])
        if not report.is_file():
            print(f"{report}: no JUnit report; did pytest run?", file=sys.stderr)
            return 2
        cases = read_junit(report, REPO)
    print(table(cases, steps))
    print("\nThe longest files:")
    for name, count, seconds in area_rows(cases, by_file=True)[:12]:
        print(f"- {seconds:.1f} s, {count} tests: `{name}`")
    slow = slow_tests(REPO)
    over = sorted(
        (c for c in cases if c.seconds > args.over and c.nodeid not in slow),
        key=lambda c: -c.seconds,
    )
    print(f"\nNot marked slow, over {args.over:g} s: {len(over)}")
    for case in over:
        print(f"- {case.seconds:.1f} s `{case.nodeid}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
