# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""IMPORT_ONE_PER_LINE: one proto import per line; one name per Python import."""

from __future__ import annotations

import re

from core.descriptors import FILE_DEPENDENCY
from core.source import SourceFile
from presubmit import imports
from presubmit.context import RuleContext
from presubmit.finding import Edit
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Scope

_IMPORT_WORD = re.compile(rb"import\b")


def _two_on_a_line(raw: bytes) -> bool:
    """Does some line hold the word `import` twice?

    Only such files can break the rule, and finding them in the raw text
    spares building the location index of all the others.
    """
    prev = -1
    for m in _IMPORT_WORD.finditer(raw):
        if prev >= 0 and raw.find(b"\n", prev, m.start()) < 0:
            return True
        prev = m.start()
    return False


@rule(
    id="IMPORT_ONE_PER_LINE",
    purpose="One import statement per line in protos; one imported name per Python import.",
    scope=Scope.FILE,
    default=True,
    portable=True,
)
def check(ctx: RuleContext, report: Report) -> None:
    for sf in ctx.files:
        if len(sf.proto.dependency) > 1 and _two_on_a_line(sf.raw):
            _proto(sf, report)
    if ctx.config.python:
        for rel in ctx.python_files:
            _python(ctx, rel, report)


def _proto(sf: SourceFile, report: Report) -> None:
    by_line: dict[int, list[tuple[int, int, int]]] = {}
    for i in range(len(sf.proto.dependency)):
        loc = sf.location((FILE_DEPENDENCY, i))
        if loc is None or len(loc.span) != 3:
            continue  # a statement over several lines is not this rule's business
        by_line.setdefault(loc.span[0], []).append((loc.span[1], loc.span[2], i))
    for line0, stmts in sorted(by_line.items()):
        if len(stmts) < 2:
            continue
        stmts.sort()
        start = sf.line_starts()[line0]
        spans = [(sf.offset(line0, a) - start, sf.offset(line0, b) - start) for a, b, _ in stmts]
        edits = imports.split_proto_line(sf.line_bytes(line0), spans)
        for (col0, _, i), (a, b, text) in zip(stmts[1:], edits, strict=True):
            dep = sf.proto.dependency[i]
            report.place(
                sf.name,
                line0 + 1,
                col0 + 1,
                f'import "{dep}" shares line {line0 + 1} with another import; '
                "give it a line of its own",
                fixes=(Edit(path=sf.name, start=start + a, end=start + b, text=text),),
                anchor=(FILE_DEPENDENCY, i),
            )


def _python(ctx: RuleContext, rel: str, report: Report) -> None:
    data = ctx.read(rel)
    try:
        stmts = imports.python_imports(data)
    except (SyntaxError, ValueError) as exc:
        ctx.warnings.append(f"{rel}: skipped by {report.rule}: not parseable Python ({exc})")
        return
    for st in stmts:
        fixes = (
            ()
            if st.replacement is None
            else (Edit(path=rel, start=st.start, end=st.end, text=st.replacement),)
        )
        note = "" if fixes else " (comments inside: split it by hand)"
        report.place(
            rel,
            st.line,
            st.column,
            f"import of {len(st.names)} names ({', '.join(st.names)}); "
            f"import one name per statement{note}",
            fixes=fixes,
        )
