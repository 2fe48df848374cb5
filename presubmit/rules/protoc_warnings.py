# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""PROTOC_WARNINGS: protoc compiles the protos without a warning."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from core import protoc
from core.descriptors import FILE_DEPENDENCY
from core.descriptors import FILE_PACKAGE
from core.source import SourceFile
from presubmit.context import RuleContext
from presubmit.finding import Edit
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Scope

# `path:line:col: warning: text`, or without the place when protoc has none.
_WARNING = re.compile(
    r"^(?P<path>\S+?\.proto)(?::(?P<line>\d+):(?P<col>\d+))?: warning: (?P<text>.*)$"
)
_UNUSED_IMPORT = re.compile(r"^Import (?P<dep>\S+) is unused\.$")


@rule(
    id="PROTOC_WARNINGS",
    purpose="protoc compiles the protos without a warning (an unused import, for example).",
    scope=Scope.FILE,
    default=False,
    portable=False,
)
def check(ctx: RuleContext, report: Report) -> None:
    if not ctx.files:
        return
    # The shared compile keeps protoc's errors but drops its warnings, so the
    # rule asks protoc again, for the warnings only: one run, no outputs kept.
    by_name = {sf.name: sf for sf in ctx.files}
    for path, line, col, text in _warnings(ctx, sorted(by_name)):
        sf = by_name.get(path)
        if sf is None:
            continue  # a warning about an import, which is linted on its own
        _report(sf, line, col, text, report)


def _warnings(ctx: RuleContext, names: list[str]) -> list[tuple[str, int, int, str]]:
    with tempfile.TemporaryDirectory(prefix="protoc-warnings-") as tmp:
        out = Path(tmp) / "set.binpb"
        proc = subprocess.run(
            protoc.command(["-I.", f"--descriptor_set_out={out}", *names]),
            cwd=ctx.root,
            env=protoc.environment(),
            capture_output=True,
        )
    text = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        # The lint's own compile passed, so this is the environment's trouble.
        ctx.warnings.append(f"PROTOC_WARNINGS: protoc failed: {text.strip()[:200]}")
        return []
    found: list[tuple[str, int, int, str]] = []
    for raw in text.splitlines():
        line = raw.strip().replace(f"{ctx.root}/", "")
        m = _WARNING.match(line)
        if m is not None:
            found.append(
                (
                    m.group("path"),
                    int(m.group("line") or 1),
                    int(m.group("col") or 1),
                    m.group("text"),
                )
            )
        elif "warning:" in line:
            # A warning that names no file still must not pass unseen.
            ctx.warnings.append(f"PROTOC_WARNINGS: {line}")
    return found


def _report(sf: SourceFile, line: int, col: int, text: str, report: Report) -> None:
    unused = _UNUSED_IMPORT.match(text)
    index = _dependency_index(sf, unused.group("dep")) if unused else None
    if unused is None or index is None:
        report.place(sf.name, line, col, f"protoc warns: {text}", anchor=(FILE_PACKAGE,))
        return
    loc = sf.location((FILE_DEPENDENCY, index))
    fixes: tuple[Edit, ...] = ()
    if loc is not None and len(loc.span) == 3:
        line0, col0, end0 = loc.span
        line, col = line0 + 1, col0 + 1
        statement = sf.raw[sf.offset(line0, col0) : sf.offset(line0, end0)]
        # The fix removes the import's whole line, break included, when the
        # line holds nothing else; an import sharing its line is only reported.
        if sf.line_bytes(line0).strip() == statement.strip():
            starts = sf.line_starts()
            start = starts[line0]
            end = starts[line0 + 1] if line0 + 1 < len(starts) else len(sf.raw)
            fixes = (Edit(path=sf.name, start=start, end=end, text=b""),)
    report.place(
        sf.name,
        line,
        col,
        f'import "{unused.group("dep")}" is unused (protoc warns); remove it',
        fixes=fixes,
        anchor=(FILE_DEPENDENCY, index),
    )


def _dependency_index(sf: SourceFile, dep: str) -> int | None:
    return next((i for i, d in enumerate(sf.proto.dependency) if d == dep), None)
