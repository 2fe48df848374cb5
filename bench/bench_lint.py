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
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import lint_corpus  # noqa: E402  (a sibling script, not a package)
from measure import Measure  # noqa: E402
from measure import measure  # noqa: E402
from measure import median  # noqa: E402
from measure import suite_env  # noqa: E402

from core.layout import REPO as LAYOUT  # noqa: E402
from presubmit.runner import cache_for  # noqa: E402

BUF = LAYOUT.venv_bin("buf")
CORPUS_CONFIG = """\
# The proto rules of turboci-proto's own presubmit.toml, but LICENSE_HEADER and
# DATA_ANNOTATIONS: the corpus has no license header or annotation option to check.
protos = ["corpus"]
enable = ["GO_PACKAGE", "FIELD_EXPLICIT_PRESENCE"]
[go_package]
prefix = "example.com/corpus/go"
package_root = "corpus"
[next_id]
required = true
"""


def run_size(files: int, corpus_root: Path, repeat: int) -> tuple[int, Measure, Measure]:
    corpus = corpus_root / str(files)
    messages = lint_corpus.write(corpus, files)
    (corpus / "presubmit.toml").write_text(CORPUS_CONFIG, encoding="utf-8")
    env = suite_env(REPO)
    ours: list[Measure] = []
    buf: list[Measure] = []
    # Alternate the two tools so that load from elsewhere hits both alike.
    for _ in range(repeat):
        # Cold: nothing of this tree's descriptors cached.
        if (cache := cache_for(corpus.resolve())) is not None:
            shutil.rmtree(cache, ignore_errors=True)
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
