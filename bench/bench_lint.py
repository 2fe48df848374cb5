#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Our lint suite against `buf lint` (STANDARD) on the same generated corpus, side by side.

For each corpus size it runs both tools once, one after the other, and
records for each:
  - wall time;
  - peak RSS of the largest single process (os.wait4's rusage);
  - peak RSS of the whole process tree, summed over live processes and
    sampled every 20 ms (our suite runs two protoc processes at once, so the
    sum is the honest figure to compare).

    tools/venv/bin/python bench/bench_lint.py --sizes 300,1000,3000

The corpora go to --corpus-dir (default /tmp/lint_corpus_bench), one
directory per size; bench/lint_corpus.py writes them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import lint_corpus  # noqa: E402  (a sibling script, not a package)

PAGE = os.sysconf("SC_PAGE_SIZE")
BUF = REPO / "tools" / "venv" / "bin" / "buf"
CORPUS_CONFIG = """\
# Every proto rule on, as in turboci-proto's own presubmit.toml.
protos = ["corpus"]
rules = ["GO_PACKAGE", "SERVICE_FILE_ALONE", "ONE_SERVICE_PER_PACKAGE", "NEXT_ID",
         "IMPORT_ONE_PER_LINE", "FIELD_EXPLICIT_PRESENCE"]
[go_package]
prefix = "example.com/corpus/go"
package_root = "corpus"
[next_id]
required = true
"""


@dataclass
class Measure:
    wall: float
    cpu: float
    max_rss_mb: float
    tree_rss_mb: float
    exit_code: int
    output_lines: int


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


def run_size(files: int, corpus_root: Path, repeat: int) -> tuple[int, Measure, Measure]:
    corpus = corpus_root / str(files)
    messages = lint_corpus.write(corpus, files)
    (corpus / "presubmit.toml").write_text(CORPUS_CONFIG, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    ours: list[Measure] = []
    buf: list[Measure] = []
    # Alternate the two tools so that load from elsewhere hits both alike.
    for _ in range(repeat):
        ours.append(measure([sys.executable, "-m", "presubmit", "--root", str(corpus)], REPO, env))
        buf.append(measure([str(BUF), "lint"], corpus))
    return messages, median(ours), median(buf)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1000,3000", help="corpus sizes in files")
    parser.add_argument("--corpus-dir", type=Path, default=Path("/tmp/lint_corpus_bench"))
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool and size (median)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"median of {args.repeat} run(s) per tool and size"
    )
    print(
        "| files | messages | tool | wall s | CPU s | peak RSS, largest process MB "
        "| peak RSS, process tree MB | exit | output lines |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows: list[tuple[int, Measure, Measure]] = []
    for files in sizes:
        messages, ours, buf = run_size(files, args.corpus_dir, args.repeat)
        rows.append((files, ours, buf))
        for name, m in (("presubmit", ours), ("buf lint", buf)):
            print(
                f"| {files} | {messages} | {name} | {m.wall:.2f} | {m.cpu:.1f} "
                f"| {m.max_rss_mb:.0f} | {m.tree_rss_mb:.0f} | {m.exit_code} | {m.output_lines} |",
                flush=True,
            )
    print()
    print(
        "| files | time ratio (ours / buf) | memory ratio, process tree | memory ratio, largest |"
    )
    print("|---|---|---|---|")
    for files, ours, buf in rows:
        print(
            f"| {files} | {ours.wall / buf.wall:.2f} | {ours.tree_rss_mb / buf.tree_rss_mb:.2f} "
            f"| {ours.max_rss_mb / buf.max_rss_mb:.2f} |"
        )
    if len(rows) > 1:
        (f0, o0, b0), (f1, o1, b1) = rows[0], rows[-1]
        print()
        print(
            f"scaling {f0} -> {f1} files ({f1 / f0:.0f}x): presubmit {o1.wall / o0.wall:.1f}x "
            f"time, buf lint {b1.wall / b0.wall:.1f}x time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
