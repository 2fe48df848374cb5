# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Command line of the presubmit: `./build.py presubmit` and `python -m tools.commit_queue`.

Exit status: 0 every check passed (warnings allowed), 1 a check failed,
2 the presubmit cannot run (not a git checkout, an unknown upstream,
uncommitted changes without --include-uncommitted, no basis to compare
with in a shallow clone without --allow-no-basis), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from tools.commit_queue import change as change_mod
from tools.commit_queue import report
from tools.commit_queue.checks import CHECKS
from tools.commit_queue.outcome import Verdict
from tools.commit_queue.runner import StoppedError
from tools.engine.context import Context
from tools.errors import BuildError

EPILOG = "checks, run side by side:\n" + "\n".join(f"  {c.name:<9} {c.what}" for c in CHECKS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        EPILOG + "\n\nA check is skipped only when the change touches none of the files it "
        "reads;\nthe summary says why. The footer 'Breaking-Proto-Change-Ok: <reason>' in the\n"
        "description's last paragraph (a trailer, never the subject) turns a breaking\n"
        "failure into a warning; nothing else is downgraded."
    )
    parser.add_argument(
        "--upstream",
        metavar="REF",
        help="judge the commits from the merge base with REF to HEAD "
        "(default: the branch's upstream, else HEAD~1)",
    )
    parser.add_argument(
        "--allow-no-basis",
        action="store_true",
        help="when no basis can be found (a shallow clone lacks it, or HEAD shares no history "
        "with the upstream), run every other check and skip breaking, saying why "
        "(default: exit 2 and say how to fetch the history)",
    )
    parser.add_argument(
        "--message-file",
        type=Path,
        metavar="F",
        help="the change description (default: HEAD's commit message)",
    )
    parser.add_argument(
        "--include-uncommitted",
        action="store_true",
        help="check the working tree as it is (default: refuse uncommitted changes)",
    )
    parser.add_argument(
        "--format", choices=("text", "github"), default="text", help="output format"
    )
    parser.add_argument("--json", type=Path, metavar="F", help="write a JSON report to F")
    parser.add_argument("--junit", type=Path, metavar="F", help="write a JUnit XML report to F")
    parser.add_argument(
        "--sarif", type=Path, metavar="F", help="write the lint and license findings as SARIF to F"
    )


def _write(path: Path, write: Callable[[Verdict, TextIO], None], verdict: Verdict) -> None:
    try:
        with path.open("w", encoding="utf-8") as fh:
            write(verdict, fh)
    except OSError as exc:
        raise BuildError(f"{path}: cannot write the report: {exc.strerror}", 2) from None


def _sarif(path: Path, verdict: Verdict) -> None:
    from presubmit.finding import Finding
    from presubmit.reporters import sarif

    def write(verdict: Verdict, fh: TextIO) -> None:
        found = [Finding(**f) for c in verdict.checks for f in c.findings]
        sarif.write(sorted(found, key=Finding.sort_key), fh)

    _write(path, write, verdict)


def presubmit(ctx: Context, args: argparse.Namespace) -> int:
    """Judge the checked-out change; 0 pass, 1 fail, 2 cannot run, 130 interrupted."""
    from tools.commit_queue.gate import gate

    change = change_mod.find(
        ctx.root,
        upstream=args.upstream,
        message_file=args.message_file,
        include_uncommitted=args.include_uncommitted,
        allow_no_basis=args.allow_no_basis,
    )
    try:
        verdict = gate(ctx, change)
    except StoppedError as exc:
        print(f"presubmit: interrupted ({exc}); every check was stopped", file=sys.stderr)
        return 130
    (report.github if args.format == "github" else report.text)(verdict, ctx.out)
    if args.json:
        _write(args.json, report.write_json, verdict)
    if args.junit:
        _write(args.junit, report.write_junit, verdict)
    if args.sarif:
        _sarif(args.sarif, verdict)
    return 0 if verdict.passed else 1
